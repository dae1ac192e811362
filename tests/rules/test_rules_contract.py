"""The shared contract: the examples pass, every recommendation fits the schema, output is byte-for-byte stable."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.rules.casebuilder import AS_OF, lab, make_case, run
from tests.rules.rules_invariants import REPO, assert_valid_recommendation, contract_dir
from workup.rules import RULESET, CaseError, dumps, evaluate
from workup.rules.generate import bench_cases, random_case
from workup.rules.rules import EMERGENCY_RULES, RULE_IDS, RULES, SOURCES, Rule

EXAMPLES = sorted((contract_dir() / "examples").glob("*.json"))


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_examples", contract_dir() / "check_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _answer(case: Any) -> tuple[int, str, str]:
    """What the CLI would answer: (exit code, stdout, stderr)."""
    try:
        return 0, dumps(evaluate(case, today=AS_OF)), ""
    except CaseError as exc:
        return 2, "", "\n".join(f"{p.path}: {p.message}" for p in exc.problems)


def test_there_are_sixteen_contract_examples() -> None:
    assert len(EXAMPLES) == 16


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_contract_example_passes_its_expect_block(path: Path) -> None:
    spec = json.loads(path.read_text())
    rc, out, err = _answer(spec["case"])
    assert _checker().check(spec["expect"], rc, out, err) == []
    if rc == 0:
        assert_valid_recommendation(json.loads(out))


def test_the_sample_recommendation_has_our_structure_for_the_tarsal_tunnel_example() -> None:
    sample = json.loads((contract_dir() / "sample-recommendation.json").read_text())
    case = json.loads((contract_dir() / "examples" / "06-tarsal-tunnel.json").read_text())["case"]
    rec = evaluate(case, today=AS_OF)
    for key in ("schema", "ruleset", "urgency", "stage", "pattern"):
        assert rec[key] == sample[key]
    assert [(c["code"], c["certainty"], c["rules"]) for c in rec["causes"]] == [
        (c["code"], c["certainty"], c["rules"]) for c in sample["causes"]
    ]
    assert [(s["code"], s["urgency"], s["rules"]) for s in rec["next_steps"]] == [
        (s["code"], s["urgency"], s["rules"]) for s in sample["next_steps"]
    ]
    assert [(r["service"], r["urgency"], r["requests"]) for r in rec["referrals"]] == [
        (r["service"], r["urgency"], r["requests"]) for r in sample["referrals"]
    ]
    assert list(rec) == [k for k in sample if not k.startswith("_")]


def test_generated_recommendations_validate_against_the_schema() -> None:
    for case in bench_cases(400, seed=11):
        try:
            rec = evaluate(case, today=AS_OF)
        except CaseError:
            continue
        assert_valid_recommendation(rec)


def test_same_case_same_as_of_same_bytes() -> None:
    rng = random.Random(5)
    for _ in range(50):
        case = random_case(rng)
        first = dumps(evaluate(case, today=AS_OF))
        again = dumps(evaluate(copy.deepcopy(case), today=AS_OF))
        assert first == again


def test_output_does_not_depend_on_the_order_of_keys_in_the_case() -> None:
    case = make_case(history={"diabetes": "not_known", "alcohol_units_per_week": 40}, labs=[lab("tsh", 6.0)])
    reordered = json.loads(json.dumps(case, sort_keys=True))
    assert dumps(run(case)) == dumps(run(reordered))


def test_dumps_is_indented_unicode_json_in_contract_key_order() -> None:
    rec = run(make_case(labs=[lab("mma", 6, "µmol/L"), lab("hba1c", 5.3), lab("b12", 250)]))
    text = dumps(rec)
    assert text.startswith('{\n  "schema": "workup-recommendation/1",\n  "ruleset": "2026.12"')
    assert json.loads(text) == rec
    assert "\\u" not in text


def test_the_ruleset_version_is_2026_12() -> None:
    assert RULESET == "2026.12" and run(make_case())["ruleset"] == "2026.12"


# --- the rules themselves ----------------------------------------------------------------------------------------------

# The rule ids of clinical-rules.md 2026.12, typed from the specification (the engine's list must match it).
SPEC_IDS = (
    {f"E{i}" for i in range(1, 9)}
    | {f"U{i}" for i in range(1, 15)}
    | {f"S{i}" for i in range(1, 5)}
    | {f"C{i}" for i in range(1, 18)}
    | {"Q1", "Q2", "G1", "B1", "N1", "F1", "F2", "R1", "D1", "D2", "P1", "A1", "A2"}
)


def test_every_rule_is_a_listed_record_whose_function_docstring_starts_with_its_id() -> None:
    every_rule: tuple[Rule[Any], ...] = (*EMERGENCY_RULES, *RULES)
    for rule in every_rule:
        doc = rule.run.__doc__
        assert doc and doc.startswith(f"{rule.id}: "), rule.run.__name__
        assert "\n" not in doc.strip()
        assert rule.run.__name__.split("_")[0].upper() == rule.id
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert set(RULE_IDS) == SPEC_IDS


def test_every_rule_has_a_source() -> None:
    assert set(SOURCES) == SPEC_IDS
    assert all(SOURCES[rule_id] for rule_id in SPEC_IDS)


def test_the_engine_never_imports_django() -> None:
    code = (
        "import sys, workup.rules, workup.rules.generate; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'django']; print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
