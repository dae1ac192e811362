"""Hostile input gets a clear 4xx, never a server error: the probe's reproducers, kept as regression tests."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import PASSWORD, typical_case
from workup.forms.labs import MAX_RESULTS, LabRowForm
from workup.interop import safe_json
from workup.models import AuditEvent
from workup.services.tokens import create_token

pytestmark = pytest.mark.django_db
URL = "/api/v1/evaluate"


@pytest.fixture
def api(clinician: Any) -> Client:
    _, key = create_token(user=clinician, name="hostile")
    return Client(headers={"Authorization": f"Bearer {key}"}, raise_request_exception=False)


def post(api: Client, body: str | bytes) -> Any:
    return api.post(URL, data=body, content_type="application/json")


def message(response: Any) -> str:
    return response.json()["errors"][0]["message"]


# The API


def test_deeply_nested_json_is_a_400_naming_the_depth(api: Client) -> None:
    response = post(api, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "nests 100000 levels deep; at most 32" in message(response)


def test_nesting_inside_strings_does_not_count(api: Client) -> None:
    case = typical_case()
    case["patient"]["note"] = "[" * 1000
    response = post(api, json.dumps(case))
    assert "levels deep" not in response.content.decode()


def test_a_400_digit_number_is_a_400_not_a_crash(api: Client) -> None:
    case = json.dumps(typical_case()).replace('"age_years": 64', '"age_years": ' + "9" * 400)
    response = post(api, case)
    assert response.status_code == 400
    assert "400 characters long; at most 40" in message(response)


@pytest.mark.parametrize("literal", ["1e999", "-1e999", "NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(api: Client, literal: str) -> None:
    case = json.dumps(typical_case()).replace('"age_years": 64', f'"age_years": {literal}')
    response = post(api, case)
    assert response.status_code == 400 and "The body is refused" in message(response)


def test_a_body_past_the_limit_is_a_413_with_a_json_error(api: Client) -> None:
    body = json.dumps({**typical_case(), "padding": "x" * (256 * 1024)})
    response = post(api, body)
    assert response.status_code == 413
    assert "larger than 256 KiB" in message(response)


def test_a_body_just_under_the_limit_is_read(api: Client) -> None:
    body = json.dumps(typical_case())
    body = body[:-1] + ', "padding": "' + "x" * (256 * 1024 - len(body) - 20) + '"}'
    assert len(body.encode()) <= 256 * 1024
    assert post(api, body).status_code in (200, 400)
    assert "larger than" not in post(api, body).content.decode()


def test_the_limit_follows_the_setting(api: Client, settings: Any) -> None:
    settings.API_MAX_BODY_BYTES = 1024
    assert post(api, json.dumps(typical_case())).status_code == 413


def test_a_body_that_is_not_utf8_is_a_400(api: Client) -> None:
    response = post(api, b'{"a": "\xff\xfe"}')
    assert response.status_code == 400 and "not valid JSON" in message(response)


def test_the_depth_check_lexes_strings_and_escapes_as_json_does() -> None:
    assert safe_json.nesting_depth('{"a": [1, {"b": "]]]\\"[[["}]}') == 3
    assert safe_json.nesting_depth('"unterminated [[[[') == 0
    assert safe_json.nesting_depth("") == 0


# Logins


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_a_300_character_username_is_an_invalid_login_not_a_crash(url: str, clinician: Any) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(url, {"username": "u" * 300, "password": PASSWORD})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()  # refused before the lockout library saw it


def test_a_username_at_the_column_limit_still_reaches_the_lockout(clinician: Any) -> None:
    Client().post("/login/", {"username": "u" * 150, "password": "wrong"})
    assert AccessAttempt.objects.filter(username="u" * 150).exists()
    assert AuditEvent.objects.filter(action="login_failed").count() == 1


# Formsets


def test_a_huge_total_forms_builds_no_more_than_the_cap_of_rows(login: Any, clinician: Any, workup: Any) -> None:
    # The probe's 200-byte POST tied a worker up for 9 s building 99,999,999 forms. Count the forms built rather
    # than time the request (these machines are too noisy for a timed test).
    client = login(clinician)
    data = {"labs-TOTAL_FORMS": "99999999", "labs-INITIAL_FORMS": "0", "labs-version": str(workup.labs_version)}
    built = 0
    original = LabRowForm.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal built
        built += 1
        original(self, *args, **kwargs)

    with mock.patch.object(LabRowForm, "__init__", counting):
        response = client.post(f"/workups/{workup.pk}/labs/", data)
    assert response.status_code == 200
    assert "At most 60 results can be saved" in response.content.decode()
    assert built <= 2 * MAX_RESULTS + 2, f"{built} row forms built"
    assert workup.labs.count() == 3  # nothing replaced


def test_sixty_one_rows_are_refused_by_the_row_limit(login: Any, clinician: Any, workup: Any) -> None:
    data = {"labs-TOTAL_FORMS": "61", "labs-INITIAL_FORMS": "0", "labs-version": str(workup.labs_version)}
    response = login(clinician).post(f"/workups/{workup.pk}/labs/", data)
    assert "At most 60 results can be saved" in response.content.decode()


def test_a_missing_management_form_is_a_form_error(login: Any, clinician: Any, workup: Any) -> None:
    response = login(clinician).post(f"/workups/{workup.pk}/labs/", {"labs-version": str(workup.labs_version)})
    assert response.status_code == 200
    assert "The results form was incomplete" in response.content.decode()


def test_a_nul_character_in_a_json_body_is_refused_before_anything_is_stored() -> None:
    # PostgreSQL cannot store U+0000 in text: the CDS Hooks fuzz found a hookInstance "a\u0000b" answering 500.
    from workup.interop import safe_json

    with pytest.raises(safe_json.JsonLimitError, match="U\\+0000"):
        safe_json.loads('{"hookInstance": "a\\u0000b"}')
    with pytest.raises(safe_json.JsonLimitError):
        safe_json.loads('{"a\\u0000": 1}')
    assert safe_json.loads('{"text": "a\\\\u0000b"}') == {"text": "a\\u0000b"}  # an escaped backslash is text
