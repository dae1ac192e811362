"""Generated cases through HTTP: valid ones get 200, invalid ones 400 naming every problem (or the emergency
answer when red flags call for one), and never a server error."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workup.rules import calls_for_emergency
from workup.rules.generate import mutate, random_case
from workup.services.tokens import create_token

pytestmark = pytest.mark.django_db
RANDOMS = st.randoms(use_true_random=False)
HTTP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def api(clinician: Any) -> Client:
    _, key = create_token(user=clinician, name="properties")
    return Client(headers={"Authorization": f"Bearer {key}"})


def post(api: Client, case: dict[str, Any]) -> Any:
    return api.post("/api/v1/evaluate", data=json.dumps(case), content_type="application/json")


def named(path: str, reported: list[str]) -> bool:
    """A mutated path is named by a problem at that path or under it (as the contract checker reads it)."""
    pattern = re.compile(re.escape(path) + r"(?![0-9\]\w])")
    return any(pattern.match(p) for p in reported)


@HTTP
@given(RANDOMS)
def test_valid_cases_get_200_and_a_recommendation(api: Client, rng: random.Random) -> None:
    response = post(api, random_case(rng, red_flags=rng.random() < 0.2))
    assert response.status_code == 200
    assert response.json()["schema"] == "workup-recommendation/1"


@HTTP
@given(RANDOMS, st.integers(min_value=1, max_value=3))
def test_invalid_cases_get_400_with_every_problem_or_the_emergency(api: Client, rng: random.Random, n: int) -> None:
    case, paths = mutate(rng, random_case(rng, red_flags=rng.random() < 0.15), n)
    response = post(api, case)
    if calls_for_emergency(case):
        assert response.status_code == 200
        assert [s["code"] for s in response.json()["next_steps"]] == ["emergency_care"]
        return
    assert response.status_code == 400
    reported = [e["path"] for e in response.json()["errors"]]
    for path in paths:
        assert named(path, reported), (path, reported)
