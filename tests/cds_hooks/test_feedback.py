"""POST /cds-services/<id>/feedback (spec "Feedback"): stored on the card in its clinic, audited; bad bodies 400."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cds_hooks import schemas
from tests.cds_hooks.builders import check, contract_case, hook_body, prefetch, spec_example
from tests.factories import make_workup
from workup.models import AuditEvent, CdsFeedback

pytestmark = pytest.mark.django_db
PV = "/cds-services/workup-patient-view"
FEEDBACK = PV + "/feedback"


@pytest.fixture
def card(cds_client: Any, patient: Any, clinician: Any, call: Any) -> dict[str, Any]:
    make_workup(patient, clinician, contract_case("04-bloods-outstanding"))
    return call(PV, hook_body(pre=prefetch())).json()["cards"][0]


def _post(call: Any, body: Any) -> Any:
    return call(FEEDBACK, body)


def test_spec_feedback_examples_match_the_schema() -> None:
    for i in range(3):
        check(schemas.FEEDBACK, spec_example(f"feedback-{i}.json"))


def test_accepted_suggestion_is_stored_and_audited(card, call, clinic, patient) -> None:
    suggestion = card["suggestions"][0]["uuid"]
    body = {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": suggestion}],
                "outcomeTimestamp": "2026-12-01T10:05:31Z",
            }
        ]
    }
    check(schemas.FEEDBACK, body)
    response = _post(call, body)
    assert response.status_code == 200 and response.json() == {"stored": 1}
    row = CdsFeedback.objects.get()
    assert row.clinic == clinic and row.outcome == "accepted" and row.accepted_suggestions == [suggestion]
    event = AuditEvent.objects.get(action="cds_feedback")
    assert event.clinic == clinic and event.patient == patient and event.object_id == card["uuid"]
    assert event.changes is not None and event.changes["outcome"] == [None, "accepted"]


def test_overridden_card_keeps_the_reason_and_comment(card, call) -> None:
    reason = card["overrideReasons"][1]
    body = {
        "feedback": [
            {
                "card": card["uuid"],
                "outcome": "overridden",
                "overrideReason": {"reason": reason, "userComment": "Declined today"},
                "outcomeTimestamp": "2026-12-01T10:05:31Z",
            }
        ]
    }
    assert _post(call, body).status_code == 200
    row = CdsFeedback.objects.get()
    assert row.override_reason == reason and row.user_comment == "Declined today"
    changes = AuditEvent.objects.get(action="cds_feedback").changes
    assert changes is not None and changes["override_reason"] == [None, "Patient declined"]


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"outcome": "accepted", "outcomeTimestamp": "2026-12-01T10:05:31Z"}, "acceptedSuggestions is required"),
        ({"outcome": "maybe", "outcomeTimestamp": "2026-12-01T10:05:31Z"}, "outcome must be"),
        ({"outcome": "overridden", "outcomeTimestamp": "yesterday"}, "outcomeTimestamp"),
        (
            {"outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:05:31Z", "overrideReason": {"reason": "x"}},
            "Coding",
        ),
        (
            {
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "nope"}],
                "outcomeTimestamp": "2026-12-01T10:05:31Z",
            },
            "no suggestion",
        ),
    ],
)
def test_malformed_feedback_is_400_with_the_reason(card, call, item, words) -> None:
    response = _post(call, {"feedback": [{"card": card["uuid"], **item}]})
    assert response.status_code == 400
    assert words in " ".join(e["message"] for e in response.json()["errors"])
    assert not CdsFeedback.objects.exists()


@pytest.mark.parametrize("body", [{}, {"feedback": []}, {"feedback": "x"}, [1]])
def test_a_body_that_is_not_feedback_is_400(cds_client, call, body) -> None:
    assert _post(call, body).status_code == 400


def test_feedback_on_a_card_never_issued_is_400(cds_client, call) -> None:
    body = {
        "feedback": [
            {
                "card": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
                "outcome": "overridden",
                "outcomeTimestamp": "2026-12-01T10:05:31Z",
            }
        ]
    }
    response = _post(call, body)
    assert response.status_code == 400 and "no card" in response.json()["errors"][0]["message"]


def test_feedback_from_another_clinics_client_cannot_reach_the_card(card, call, other_clinic, private_key) -> None:
    from tests.cds_hooks.builders import public_jwks, token
    from workup.services.cds_hooks import register_client

    register_client(clinic=other_clinic, issuer="https://ehr.hilltop.example/", jwks=public_jwks(private_key))
    body = {"feedback": [{"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:05:31Z"}]}
    bearer = token(private_key, "http://testserver" + FEEDBACK, iss="https://ehr.hilltop.example/")
    assert call(FEEDBACK, body, bearer=bearer).status_code == 400
    assert not CdsFeedback.objects.exists()


def test_feedback_needs_a_valid_token(card, call) -> None:
    body = {"feedback": [{"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:05:31Z"}]}
    assert call(FEEDBACK, body, bearer="x").status_code == 401
