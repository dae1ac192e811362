"""Property-based tests over generated cases: never an exception, and the output rules always hold."""

from __future__ import annotations

import random
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rules.casebuilder import AS_OF
from tests.rules.rules_invariants import assert_valid_recommendation
from workup.rules import CaseError, dumps, evaluate
from workup.rules.emergency import seen
from workup.rules.generate import MUTATIONS, mutate, random_case
from workup.rules.rules import run_emergency
from workup.rules.validate import validate


def read_alarm(case: Any) -> bool:
    """Whether the emergency rules fire on what can be read of the case."""
    return bool(run_emergency(seen(validate(case, today=AS_OF)[0])).steps)


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RANDOMS = st.randoms(use_true_random=False)


def _named(path: str, problem_paths: list[str]) -> bool:
    # As the contract checker reads it: the path itself, or a deeper path under it.
    pattern = re.compile(re.escape(path) + r"(?![0-9\]\w])")
    return any(pattern.match(p) for p in problem_paths)


@PROPERTY
@given(RANDOMS)
def test_valid_cases_always_give_a_valid_recommendation(rng: random.Random) -> None:
    rec = evaluate(random_case(rng), today=AS_OF)
    assert_valid_recommendation(rec)


@PROPERTY
@given(RANDOMS)
def test_any_red_flag_gives_exactly_emergency_care(rng: random.Random) -> None:
    rec = evaluate(random_case(rng, red_flags=True), today=AS_OF)
    assert [s["code"] for s in rec["next_steps"]] == ["emergency_care"]
    assert rec["urgency"] == "emergency" and rec["stage"] == "emergency"
    assert_valid_recommendation(rec)


@PROPERTY
@given(RANDOMS)
def test_evaluation_is_deterministic(rng: random.Random) -> None:
    case = random_case(rng, red_flags=rng.random() < 0.2)
    assert dumps(evaluate(case, today=AS_OF)) == dumps(evaluate(case, today=AS_OF))


@PROPERTY
@given(RANDOMS, st.integers(min_value=1, max_value=3))
def test_invalid_cases_name_every_problem_or_give_the_emergency_answer(rng: random.Random, count: int) -> None:
    case, paths = mutate(rng, random_case(rng, red_flags=rng.random() < 0.15), count)
    try:
        rec = evaluate(case, today=AS_OF)
    except CaseError as exc:
        assert not read_alarm(case), "red flags were readable but no emergency answer came back"
        problem_paths = [p.path for p in exc.problems]
        for path in paths:
            assert _named(path, problem_paths), (path, problem_paths)
        return
    assert read_alarm(case), f"an invalid case was evaluated: {paths}"
    assert_valid_recommendation(rec)
    warned = [w.split(": ", 1)[0] for w in rec["warnings"]]
    for path in paths:
        assert _named(path, warned), (path, rec["warnings"])


@PROPERTY
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
        lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=8), kids, max_size=3),
        max_leaves=12,
    )
)
def test_arbitrary_json_never_raises_anything_but_case_error(doc: object) -> None:
    try:
        evaluate(doc, today=AS_OF)
    except CaseError as exc:
        assert exc.problems


JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=6),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids, max_size=3),
    max_leaves=6,
)


def _replace_somewhere(rng: random.Random, doc: Any, junk: object) -> None:
    """Put ``junk`` in place of one value somewhere inside ``doc``, as deep as the walk goes."""
    node = doc
    while True:
        keys: list[Any] = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = rng.choice(keys)
        child = node[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.7:
            node = child
            continue
        node[key] = junk
        return


@PROPERTY
@given(RANDOMS, JSON)
def test_any_value_anywhere_in_a_case_gives_a_recommendation_or_case_error(rng: random.Random, junk: object) -> None:
    case = random_case(rng)
    _replace_somewhere(rng, case, junk)
    try:
        rec = evaluate(case, today=AS_OF)
    except CaseError as exc:
        assert exc.problems
        return
    assert_valid_recommendation(rec)


# --- 2026.12: inferred emergencies, the safety net, red flags asked -------------------------------------------------

# Mutations that leave the fields E6, E7 and E8 read alone (course, sides, duration, symptoms, power, pulses, ABI,
# foot inspection), so the emergency still holds while everything else may be invalid.
_SAFE_MUTATIONS = tuple(
    m
    for m in MUTATIONS
    if m.__name__
    in {
        "_unknown_key",
        "_monofilament",
        "_bad_unit",
        "_impossible_value",
        "_malformed_value",
        "_future_date",
        "_repeated_area",
    }
)


def _make_inferred_emergency(rng: random.Random, case: dict[str, Any]) -> tuple[str, str]:
    """Set the fields of one of E6, E7, E8 (drawn at random) on a generated case; return (rule, cause)."""
    p = case["presentation"]
    p["red_flags"] = []
    p["onset"] = "gradual"  # keep E1/E5's onset out of it
    exam = case.setdefault("exam", {})
    rule = rng.choice(["E6-weakness", "E6-imbalance", "E7", "E8"])
    if rule.startswith("E6"):
        p["course"], p["sides"] = "worsening", "both"
        symptoms = set(p.get("symptoms", []))
        if rule == "E6-weakness":
            p["duration_weeks"] = rng.choice([0, 0.5, 1, 2, 3, 3.9])
            if rng.random() < 0.5:
                symptoms.add("weakness")
            else:
                exam["power_ankle_dorsiflexion"] = {"left": rng.randint(0, 4), "right": rng.randint(0, 5)}
        else:
            p["duration_weeks"] = rng.choice([0, 0.2, 0.5, 0.9])
            symptoms.add("imbalance")
        p["symptoms"] = sorted(symptoms)
        return "E6", "guillain_barre"
    if rule == "E7":
        p["sides"] = "both"
        p["duration_weeks"] = rng.choice([0, 0.5, 1, 1.9])
        p["symptoms"] = sorted({*p.get("symptoms", []), "radiating_leg_pain"})
        exam["power_ankle_dorsiflexion"] = {"left": rng.randint(0, 4), "right": rng.randint(0, 4)}
        return "E7", "cauda_equina"
    found = rng.choice(
        [
            ["gangrene"],
            ["deep_infection"],
            ["ulcer", "fever_or_sepsis"],
            ["spreading_infection", "fever_or_sepsis"],
            ["ulcer", "callus"],
        ]
    )
    if found == ["ulcer", "callus"]:  # ulcer with limb ischaemia
        if rng.random() < 0.5:
            exam["pedal_pulses"] = {"left": "absent", "right": rng.choice(["present", "absent", "reduced"])}
        else:
            exam["abi"] = {"left": rng.choice([0.3, 0.5, 0.7, 0.89]), "right": 1.1}
    exam["foot_inspection"] = found
    return "E8", "limb_threatening_foot"


@PROPERTY
@given(RANDOMS, st.integers(min_value=0, max_value=3))
def test_any_case_meeting_e6_e7_or_e8_gives_exactly_emergency_care_whatever_else_is_invalid(
    rng: random.Random, count: int
) -> None:
    case = random_case(rng)
    rule, cause = _make_inferred_emergency(rng, case)
    for mutation in rng.sample(_SAFE_MUTATIONS, count):
        mutation(rng, case)
    rec = evaluate(case, today=AS_OF)
    assert [s["code"] for s in rec["next_steps"]] == ["emergency_care"], rule
    assert rec["urgency"] == "emergency" and rec["stage"] == "emergency"
    assert rule in rec["next_steps"][0]["rules"]
    assert cause in {c["code"] for c in rec["causes"]}
    assert_valid_recommendation(rec)


@PROPERTY
@given(RANDOMS)
def test_no_recommendation_that_is_not_an_emergency_lacks_a_safety_net(rng: random.Random) -> None:
    rec = evaluate(random_case(rng), today=AS_OF)
    step_codes = [s["code"] for s in rec["next_steps"]]
    if rec["urgency"] != "emergency":
        assert "safety_net" in step_codes
        [net] = [s for s in rec["next_steps"] if s["code"] == "safety_net"]
        assert net["rules"] == ["S4"]
    else:
        assert step_codes == ["emergency_care"]


@PROPERTY
@given(RANDOMS)
def test_a_case_without_red_flags_always_has_stage_red_flags(rng: random.Random) -> None:
    case = random_case(rng)
    case["presentation"].pop("red_flags", None)
    rec = evaluate(case, today=AS_OF)
    assert_valid_recommendation(rec)
    if rec["stage"] == "emergency":  # E1/E5 onset, E6-E8: read from the findings, they need no flag
        assert read_alarm(case)
        return
    assert rec["stage"] == "red_flags"
    ask = [s for s in rec["next_steps"] if s["code"] == "ask_red_flags"]
    assert ask and ask[0]["timeframe"] == "now" and ask[0]["urgency"] == "urgent"


@PROPERTY
@given(RANDOMS, st.sampled_from(["nice_ph38", "ada_2025"]))
def test_every_recommendation_validates_under_each_glycaemia_profile(rng: random.Random, profile: str) -> None:
    rec = evaluate(random_case(rng, red_flags=rng.random() < 0.1), today=AS_OF, glycaemia_profile=profile)
    assert_valid_recommendation(rec)
    assert rec["profiles"]["glycaemia"] == profile
