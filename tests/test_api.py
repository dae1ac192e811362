"""POST /api/v1/evaluate: authenticated clients only, the contract's answers and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import typical_case
from workup import rules
from workup.services.tokens import create_token, revoke

pytestmark = pytest.mark.django_db
URL = "/api/v1/evaluate"


def post(client: Client, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def test_anonymous_client_is_refused_with_401(client: Client) -> None:
    response = post(client, typical_case())
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_client_gets_the_recommendation(client: Client, clinician: Any) -> None:
    _, key = create_token(user=clinician, name="test")
    response = post(client, typical_case(), Authorization=f"Bearer {key}")
    assert response.status_code == 200
    rec = response.json()
    assert rec["schema"] == "workup-recommendation/1" and rec["ruleset"] == rules.RULESET


def test_revoked_or_unknown_token_is_refused(client: Client, clinician: Any) -> None:
    token, key = create_token(user=clinician, name="test")
    revoke(token=token)
    assert post(client, typical_case(), Authorization=f"Bearer {key}").status_code == 401
    assert post(client, typical_case(), Authorization="Bearer wu_not-a-token").status_code == 401


def test_token_of_deactivated_user_is_refused(client: Client, clinician: Any) -> None:
    _, key = create_token(user=clinician, name="test")
    clinician.is_active = False
    clinician.save()
    assert post(client, typical_case(), Authorization=f"Bearer {key}").status_code == 401


def test_token_carries_the_role_limits(client: Client, clinic_admin: Any) -> None:
    _, key = create_token(user=clinic_admin, name="test")
    assert post(client, typical_case(), Authorization=f"Bearer {key}").status_code == 403


def test_session_client_needs_csrf(clinician: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")  # the login form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    client.force_login(clinician)
    assert post(client, typical_case()).status_code == 403
    assert post(client, typical_case(), X_CSRFToken=token).status_code == 200


def test_invalid_case_lists_every_problem_with_400(client: Client, clinician: Any) -> None:
    case = typical_case()
    case["labs"][0] = {"test": "fasting_glucose", "value": 5000, "unit": "mg/dL"}
    case["exam"]["ankle_reflexes"] = {"left": 1}
    client.force_login(clinician)
    response = post(client, case)
    assert response.status_code == 400
    paths = [e["path"] for e in response.json()["errors"]]
    assert any(p.startswith("labs[0]") for p in paths)
    assert any(
        p == "exam" and "ankle_reflexes" in e["message"] for p, e in zip(paths, response.json()["errors"], strict=True)
    )


def test_body_that_is_not_json_is_a_400_not_a_traceback(client: Client, clinician: Any) -> None:
    client.force_login(clinician)
    response = post(client, "{not json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"][0]["message"]


def test_red_flag_gets_emergency_even_with_other_errors(client: Client, intake: Any) -> None:
    case = typical_case()
    case["presentation"]["red_flags"] = ["breathing_or_swallowing_difficulty"]
    case["labs"][0]["unit"] = "furlongs"
    client.force_login(intake)
    response = post(client, case)
    assert response.status_code == 200
    rec = response.json()
    assert [s["code"] for s in rec["next_steps"]] == ["emergency_care"]
    assert rec["warnings"]


def test_get_is_not_allowed(client: Client, clinician: Any) -> None:
    client.force_login(clinician)
    assert client.get(URL).status_code == 405
