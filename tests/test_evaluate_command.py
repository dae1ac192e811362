"""manage.py evaluate: the recommendation on stdout (exit 0), or one line per problem on stderr (exit 2); never a
traceback. Also runs the shared contract checker against the command, as CI's contract gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CONTRACT = SHARED / "contract"
EXAMPLE = CONTRACT / "examples" / "01-typical-diabetic-neuropathy.json"


def _env() -> dict[str, str]:
    # The command needs no secret and no database; DEBUG spares it the production SECRET_KEY requirement.
    return {**os.environ, "DEBUG": "1"}


def evaluate(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "evaluate", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )


def example_case(name: str = EXAMPLE.name) -> dict[str, Any]:
    assert CONTRACT.is_dir(), f"the shared contract folder is missing: {CONTRACT}"
    case: dict[str, Any] = json.loads((CONTRACT / "examples" / name).read_text())["case"]
    return case


def test_valid_case_file_prints_the_recommendation_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(example_case()))
    done = evaluate(str(path), "--today", "2026-11-21")
    assert done.returncode == 0, done.stderr
    rec = json.loads(done.stdout)
    assert (
        rec["schema"] == "workup-recommendation/1" and rec["stage"] == "exam"
    )  # example 01: diabetes known, feet not inspected (S1)
    assert done.stderr == ""


def test_case_on_standard_input_gives_the_same_bytes_every_time() -> None:
    case = example_case() | {"as_of": "2026-11-21"}
    first, second = evaluate("-", stdin=json.dumps(case)), evaluate("-", stdin=json.dumps(case))
    assert first.returncode == 0 and first.stdout == second.stdout


def test_invalid_case_lists_every_problem_as_path_colon_message_and_exits_2() -> None:
    case = example_case()
    case["labs"][0] = {"test": "fasting_glucose", "value": 5000, "unit": "mg/dL"}
    case["exam"]["ankle_reflexes"] = {"left": 0}
    done = evaluate("-", stdin=json.dumps(case))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert "exam: unknown key 'ankle_reflexes' (did you mean 'ankle_reflex'?)" in lines
    assert any(line.startswith("labs[0].value: 5000 mg/dL is not a possible fasting glucose") for line in lines)
    assert "Traceback" not in done.stderr


def test_red_flags_give_the_emergency_answer_even_when_the_case_is_invalid() -> None:
    case = example_case("02-red-flag-bladder.json")
    case["labs"][0]["unit"] = "mmol"
    done = evaluate("-", stdin=json.dumps(case))
    assert done.returncode == 0, done.stderr
    rec = json.loads(done.stdout)
    assert rec["stage"] == "emergency" and any(w.startswith("labs[0].unit") for w in rec["warnings"])


def test_invalid_json_is_one_clear_line_and_exit_2() -> None:
    done = evaluate("-", stdin='{"patient": ')
    assert done.returncode == 2
    assert done.stderr.startswith("standard input: not valid JSON")
    assert "Traceback" not in done.stderr


def test_missing_file_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    done = evaluate(str(tmp_path / "nope.json"))
    assert done.returncode == 2 and "cannot read the case" in done.stderr and "Traceback" not in done.stderr


def test_a_json_document_that_is_not_an_object_is_a_problem_not_a_crash() -> None:
    done = evaluate("-", stdin="[1, 2]")
    assert done.returncode == 2 and done.stderr.startswith("case: must be a JSON object")


def test_the_shared_contract_examples_all_pass_through_the_command() -> None:
    assert (CONTRACT / "check_examples.py").is_file(), f"the shared contract checker is missing: {CONTRACT}"
    done = subprocess.run(
        [sys.executable, str(CONTRACT / "check_examples.py"), ".", sys.executable, str(CONTRACT / "examples")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip().splitlines()[-1] == f"{len(list((CONTRACT / 'examples').glob('*.json')))} passed, 0 failed"
    ), done.stdout


def test_bench_engine_prints_one_line_of_throughput() -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "bench_engine", "--cases", "200", "--seed", "3"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.strip().splitlines()
    rate, median, ratio = line.split(", ")  # issue 9: <N> cases/s, <M> us median per case, <R>x a JSON round trip
    assert rate.endswith(" cases/s") and int(rate.split()[0]) > 0
    assert median.endswith(" us median per case")
    assert ratio.endswith("x a JSON round trip") and float(ratio.split("x")[0]) > 0
