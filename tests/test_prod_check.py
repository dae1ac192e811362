"""make prod-check runs the README's production commands, in the README's order (it runs them; this keeps it honest)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def readme_production_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Running in production", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the production section has no command block"
    commands = [re.split(r"\s{2,}#", line)[0].strip() for line in block[1].splitlines()]
    return [c for c in commands if c]


def script_lines() -> list[str]:
    script = (REPO / ".ci" / "prod-check").read_text().splitlines()
    return [line.strip() for line in script if not line.lstrip().startswith(("step ", "#"))]


def test_prod_check_runs_every_readme_production_command_in_order() -> None:
    lines = script_lines()
    position = -1
    for command in readme_production_commands():
        if command.startswith("export DATABASE_URL="):
            continue  # prod-check's DATABASE_URL is its throwaway cluster (.ci/with-postgres.sh)
        expected = command.replace("127.0.0.1:8000", "127.0.0.1:$PORT")
        found = [n for n, line in enumerate(lines) if line.startswith(expected)]
        assert found, f"prod-check does not run the README's {command!r}"
        assert found[0] > position, f"prod-check runs {command!r} out of the README's order"
        position = found[0]


def test_production_installs_only_the_runtime_requirements() -> None:
    commands = readme_production_commands()
    installs = [c for c in commands if " install " in c]
    assert installs == [".venv-prod/bin/pip install -r requirements.txt"]
    assert any("DEBUG=0" in c and "HTTPS=1" in c for c in commands)


def test_make_test_runs_prod_check() -> None:
    makefile = (REPO / "Makefile").read_text()
    test_target = re.search(r"^test:(.*)$", makefile, re.M)
    assert test_target and "prod-check" in test_target[1].split()
