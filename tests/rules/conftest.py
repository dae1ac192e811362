"""Engine tests: pure Python, no database, no Django. The case builder is tests.rules.casebuilder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# When pytest-django is off (-p no:django) nothing else puts the repository on the path in every import mode: the
# helper modules (tests.rules.casebuilder) and the workup package must import without it.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture(autouse=True)
def _static_without_manifest() -> None:
    """Override the project-wide autouse fixture of the same name: engine tests read no Django settings, so they
    also run with pytest-django switched off (-p no:django)."""
