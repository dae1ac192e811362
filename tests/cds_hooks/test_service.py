"""POST /cds-services/<id>: the EHR's data through the lab mapping and the engine into cards, checked on the schemas."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.cds_hooks import schemas
from tests.cds_hooks.builders import (
    check,
    condition,
    contract_case,
    fhir_patient,
    hook_body,
    medication,
    observation,
    prefetch,
    spec_example,
)
from tests.factories import make_workup, typical_case
from workup.interop.fhir.checks import resource_problems
from workup.models import AuditEvent, CdsCard
from workup.rules.codes import export_loinc
from workup.rules.units import UNITS

pytestmark = pytest.mark.django_db
PV = "/cds-services/workup-patient-view"
OS = "/cds-services/workup-order-select"
BLOODS = "04-bloods-outstanding"
HBA1C = export_loinc()[("hba1c", UNITS["hba1c"][0])].code  # the order is written in the form's default unit


def _cards(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    body = response.json()
    check(schemas.RESPONSE, body)
    return body["cards"]


def test_stored_workup_with_bloods_outstanding_gives_one_info_card_with_orders(
    cds_client, patient, clinician, call
) -> None:
    case = contract_case(BLOODS)
    make_workup(patient, clinician, case)
    cards = _cards(call(PV, hook_body(pre=prefetch())))
    assert [c["indicator"] for c in cards] == ["info"]
    card = cards[0]
    assert card["summary"].startswith("Foot numbness: check")
    orders = [a["resource"] for s in card["suggestions"] for a in s["actions"]]
    assert {o["code"]["coding"][0]["code"] for o in orders if "coding" in o["code"]} >= {HBA1C, "2132-9"}
    for order in orders:
        assert resource_problems(order) == []
        assert order["subject"] == {"reference": "Patient/p1"} and order["requester"] == {
            "reference": "Practitioner/example"
        }
    assert card["links"][0]["url"].startswith("http://testserver/workups/")


def test_results_from_the_ehr_count_through_the_lab_mapping(cds_client, patient, clinician, call) -> None:
    case = contract_case(BLOODS)
    make_workup(patient, clinician, case)
    pre = prefetch(
        observations=(
            observation("4548-4", 5.2, "%"),
            observation("2132-9", 450, "pg/mL"),
            observation("9999-9", 1, "mg/dL"),
        )
    )
    card = _cards(call(PV, hook_body(pre=pre)))[0]
    assert "order_glucose" not in card["detail"]
    assert "Result read: hba1c 5.2 %" in card["detail"]
    assert "Result not used: unknown code LOINC 9999-9" in card["detail"]
    assert not any(HBA1C in str(s) for s in card.get("suggestions", []))


def test_ehr_data_without_a_workup_gives_one_info_card_saying_what_to_record(cds_client, call) -> None:
    pre = prefetch(
        conditions=(condition("Numbness of both feet"),), observations=(observation("2132-9", 150, "pg/mL"),)
    )
    cards = _cards(call(PV, hook_body(pre=pre)))
    assert len(cards) == 1 and cards[0]["indicator"] == "info"
    assert "red-flag" in cards[0]["summary"] and "record" in cards[0]["summary"]
    assert "not a reassurance" in cards[0]["detail"] and "suggestions" not in cards[0]
    assert cards[0]["links"][0]["url"] == "http://testserver/patients/new/"


def test_a_patient_with_no_sign_of_foot_numbness_gets_no_card(cds_client, call) -> None:
    assert _cards(call(PV, hook_body(pre=prefetch(conditions=(condition("Asthma"),))))) == []


def test_red_flags_never_asked_gives_one_warning_that_asks_them(cds_client, patient, clinician, call) -> None:
    case = contract_case("09-red-flags-never-asked")
    make_workup(patient, clinician, case)
    cards = _cards(call(PV, hook_body(pre=prefetch())))
    assert [c["indicator"] for c in cards] == ["warning"]
    assert "red" in cards[0]["summary"].lower() and "suggestions" not in cards[0]
    assert "Saddle (perineal) numbness" in cards[0]["detail"]


def test_red_flag_recorded_in_workup_gives_exactly_one_critical_card(cds_client, patient, clinician, call) -> None:
    case = contract_case(BLOODS)
    case["presentation"]["red_flags"] = ["saddle_numbness"]
    make_workup(patient, clinician, case)
    cards = _cards(call(PV, hook_body(pre=prefetch())))
    assert [c["indicator"] for c in cards] == ["critical"]
    assert cards[0]["summary"] == "Possible cauda equina syndrome: send to the emergency department now"
    (suggestion,) = cards[0]["suggestions"]
    assert [a["resource"]["priority"] for a in suggestion["actions"]] == ["stat"]


def test_the_workup_of_another_clinic_is_never_used(cds_client, other_clinic, other_clinician, call) -> None:
    from workup.models import Patient

    twin = Patient.objects.create(
        clinic=other_clinic,
        given_name="M",
        family_name="O",
        date_of_birth="1961-03-14",
        sex="female",
        identifier="9434765919",
    )
    make_workup(twin, other_clinician, typical_case())
    assert _cards(call(PV, hook_body(pre=prefetch()))) == []
    assert not AuditEvent.objects.filter(clinic=other_clinic, object_type="cds_hook").exists()


def test_diabetes_and_medicines_fill_the_history(cds_client, patient, clinician, call) -> None:
    case = contract_case(BLOODS)
    make_workup(patient, clinician, case)
    pre = prefetch(
        conditions=(condition("Type 2 diabetes mellitus"),), medicines=(medication("Metformin 500mg tablets"),)
    )
    detail = " ".join(c["detail"] for c in _cards(call(PV, hook_body(pre=pre))))
    assert "Known diabetes, from the problem list: Type 2 diabetes mellitus" in detail
    assert "Medicine: Metformin, read from metformin 500mg tablets" in detail


def test_cards_are_kept_in_the_clinic_and_the_call_audited(cds_client, clinic, patient, clinician, call) -> None:
    workup = make_workup(patient, clinician, typical_case())
    cards = _cards(call(PV, hook_body(pre=prefetch())))
    stored = CdsCard.objects.get(uuid=cards[0]["uuid"])
    assert stored.clinic == clinic and stored.workup == workup
    event = AuditEvent.objects.get(object_type="cds_hook")
    assert event.clinic == clinic and event.patient == patient and event.username == f"cds:{cds_client.issuer}"


def test_ehr_text_cannot_inject_markdown(cds_client, patient, clinician, call) -> None:
    make_workup(patient, clinician, typical_case())
    pre = prefetch(medicines=(medication("metformin [click](javascript:alert(1)) <img src=x>"),))
    detail = " ".join(c["detail"] for c in _cards(call(PV, hook_body(pre=pre))))
    assert "[click](javascript" not in detail and re.search(r"(?<!\\)<img", detail) is None


def test_prefetch_of_another_patient_is_refused(cds_client, call) -> None:
    pre = prefetch(patient={**fhir_patient(), "id": "someone-else"})
    response = call(PV, hook_body(pre=pre))
    assert response.status_code == 400 and "not the patient" in response.json()["errors"][0]["message"]


def test_spec_example_request_is_accepted_and_answered(cds_client, call) -> None:
    body = spec_example("request-patient-view.json")
    check(schemas.REQUEST, body)
    body["prefetch"] = prefetch(patient={**fhir_patient(), "id": body["context"]["patientId"]})
    body["context"]["patientId"] = body["prefetch"]["patient"]["id"]
    _cards(call(PV, body))


def test_spec_order_select_example_is_answered_without_a_card(cds_client, call) -> None:
    body = {
        "hook": "order-select",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        **spec_example("order-select-context.json"),
    }
    body["prefetch"] = prefetch(patient={**fhir_patient(), "id": body["context"]["patientId"]})
    check(schemas.REQUEST, body)
    assert _cards(call(OS, body)) == []  # a diet and a drug: nothing this service is about


def test_order_select_for_b12_leaves_the_b12_order_out_of_suggestions(cds_client, patient, clinician, call) -> None:
    case = contract_case(BLOODS)
    make_workup(patient, clinician, case)
    draft = {
        "resourceType": "ServiceRequest",
        "id": "sr-1",
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2132-9"}], "text": "Vitamin B12"},
        "subject": {"reference": "Patient/p1"},
    }
    body = hook_body(
        "order-select",
        pre=prefetch(),
        selections=["ServiceRequest/sr-1"],
        draftOrders={"resourceType": "Bundle", "type": "collection", "entry": [{"resource": draft}]},
    )
    card = _cards(call(OS, body))[0]
    codes = [
        c["code"] for s in card["suggestions"] for a in s["actions"] for c in a["resource"]["code"].get("coding", [])
    ]
    assert HBA1C in codes and "2132-9" not in codes
    assert "Ordering now: Vitamin B12" in card["detail"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"hook": "order-select", "hookInstance": "x", "context": {"patientId": "p1"}}, "hook must be"),
        ({"hook": "patient-view", "context": {"patientId": "p1"}}, "hookInstance"),
        ({"hook": "patient-view", "hookInstance": "x", "context": {}}, "context.patientId"),
        (
            {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "p1"}, "fhirAuthorization": {}},
            "fhirServer",
        ),
        ([1, 2], "JSON object"),
        (b"{", "not valid JSON"),
        (b"[" * 100, "nests"),
    ],
)
def test_malformed_request_is_400_with_the_reason(cds_client, call, body, words) -> None:
    response = call(PV, body)
    assert response.status_code == 400
    assert words in " ".join(e["message"] for e in response.json()["errors"])


def test_body_over_the_limit_is_413(cds_client, call, settings) -> None:
    settings.CDS_HOOKS_MAX_BODY_BYTES = 2048
    response = call(
        PV, hook_body(pre=prefetch(observations=tuple(observation("2132-9", 300 + i, "pg/mL") for i in range(30))))
    )
    assert response.status_code == 413


def test_unknown_service_is_404(cds_client, call) -> None:
    assert call("/cds-services/nope", hook_body(pre=prefetch())).status_code == 404
