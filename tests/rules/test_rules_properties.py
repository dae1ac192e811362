"""Property-based tests over generated cases: never an exception, and the output rules always hold."""

from __future__ import annotations

import random
import re
from typing import Any

from casebuilder import AS_OF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules_invariants import assert_valid_recommendation

from workup.rules import CaseError, dumps, evaluate
from workup.rules.generate import mutate, random_case
from workup.rules.emergency import seen
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
