"""Dependencies: every package pinned, production free of test tools, tests on the versions production runs."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]+\])?==([^\s#;]+)")
TEST_TOOLS = {"pytest", "pytest-django", "hypothesis", "playwright", "ruff", "mypy", "django-stubs", "pip-tools"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(filename: str) -> dict[str, str]:
    """Package -> version of every requirement line; any line that is not an exact pin fails."""
    found = {}
    for line in (REPO / filename).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-r ", "-c ")):
            continue
        match = PIN.match(line)
        assert match, f"{filename}: {line!r} is not pinned with =="
        found[canonical(match[1])] = match[2]
    return found


def test_runtime_requirements_pin_every_package_and_no_test_tool() -> None:
    runtime = pins("requirements.txt")
    assert {"django", "gunicorn", "psycopg-binary", "dj-database-url", "asgiref", "sqlparse"} <= set(runtime)
    assert not TEST_TOOLS & set(runtime)


def test_development_requirements_use_the_runtime_versions() -> None:
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert set(dev) >= TEST_TOOLS


def test_every_direct_dependency_has_a_reason_and_is_compiled_at_its_version() -> None:
    for source, compiled in (("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")):
        locked = pins(compiled)
        for line in (REPO / source).read_text().splitlines():
            if not line.strip() or line.startswith(("#", "-r ", "-c ")):
                continue
            assert "#" in line and line.split("#", 1)[1].strip(), f"{source}: {line!r} needs a one-line reason"
            match = PIN.match(line)
            assert match, f"{source}: {line!r} is not pinned"
            assert locked.get(canonical(match[1])) == match[2], f"{compiled} is stale: recompile it (README)"
