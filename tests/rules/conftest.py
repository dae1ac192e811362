"""Engine tests: pure Python, no database, no Django. The case builder lives next to this file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# tests/rules has no __init__.py (rootdir-relative discovery): make the helper module and, when pytest-django is off
# (-p no:django), the repository's workup package importable in any import mode.
for folder in (HERE, HERE.parent.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture(autouse=True)
def _static_without_manifest() -> None:
    """Override the project-wide autouse fixture of the same name: engine tests read no Django settings, so they
    also run with pytest-django switched off (-p no:django)."""
