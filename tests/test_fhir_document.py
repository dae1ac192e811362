"""The FHIR document of a letter: each resource, the whole Bundle's checks, storage at signing, the endpoints."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import stored_bytes, variant
from workup.interop import fhir
from workup.interop.fhir import checks
from workup.interop.fhir.document import build_document, gmc_number, nhs_number, quantity
from workup.letters import LetterSource
from workup.models import AuditEvent, Letter, Workup
from workup.rules import vocab
from workup.services import letters as services
from workup.services.workups import evaluate_workup

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).parent / "golden"
PDF = fhir.Pdf(data=b"%PDF-1.7 golden", sha256=hashlib.sha256(b"%PDF-1.7 golden").hexdigest())
TODAY = date(2026, 12, 1)


def source_for(
    workup: Workup, referrer: Any, *, service: str | None = None, letter_id: str | None = None
) -> LetterSource:
    """A signed letter's source, fixed in time and id, without rendering a PDF."""
    evaluation = evaluate_workup(workup, today=TODAY)
    letter = services.unsaved_draft(workup, service=service, evaluation=evaluation)
    letter.id = uuid.UUID(letter_id or "00000000-0000-4000-8000-000000000001")
    letter.reference, letter.status = "WU-20261201-ABC123", Letter.Status.ISSUED
    letter.signed_at = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    return LetterSource(
        letter=letter,
        patient=workup.patient,
        clinic=workup.patient.clinic,
        case=evaluation.case,
        recommendation=evaluation.recommendation or {},
        referrer=referrer,
        on=TODAY,
    )


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def bundle(workup: Workup, clinician: Any) -> dict[str, Any]:
    return build_document(source_for(workup, clinician, service="neurology"), PDF)


# Each resource


def test_the_document_passes_the_structural_and_the_own_checks(bundle: dict[str, Any]) -> None:
    assert checks.problems(bundle) == []


def test_composition_is_first_a_referral_note_with_the_letters_sections(bundle: dict[str, Any]) -> None:
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert composition["type"]["coding"][0]["code"] == "57133-1"
    assert composition["status"] == "final" and composition["attester"][0]["mode"] == "legal"
    titles = [s["title"] for s in composition["section"]]
    assert titles[:4] == [
        "Service and urgency",
        "Question for the specialist",
        "History of presenting complaint",
        "Relevant history",
    ]
    assert {"Examination", "Investigations", "Suspected causes", "Medications and allergies", "Signed letter"} <= set(
        titles
    )
    assert all(
        s["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">') for s in composition["section"]
    )


def test_patient_carries_the_nhs_number_when_the_identifier_is_one(bundle: dict[str, Any]) -> None:
    [patient] = resources(bundle, "Patient")
    assert patient["identifier"][0] == {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}
    assert patient["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1961-03-14")


def test_an_identifier_failing_modulus_11_is_a_medical_record_number(workup: Workup, clinician: Any) -> None:
    workup.patient.identifier = "943 476 5918"
    [patient] = resources(build_document(source_for(workup, clinician, service="neurology"), PDF), "Patient")
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [("943 476 5919", "9434765919"), ("9434765919", "9434765919"), ("943-476-5910", None), ("12345", None), ("", None)],
)
def test_nhs_number_modulus_11(identifier: str, expected: str | None) -> None:
    assert nhs_number(identifier) == expected


def test_practitioner_has_the_gmc_number_and_a_role_at_the_clinic(bundle: dict[str, Any]) -> None:
    [practitioner] = resources(bundle, "Practitioner")
    assert practitioner["identifier"][0] == {"system": "https://fhir.hl7.org.uk/Id/gmc-number", "value": "7654321"}
    [role] = resources(bundle, "PractitionerRole")
    [org] = resources(bundle, "Organization")
    assert role["organization"]["reference"] == f"urn:uuid:{org['id']}" and org["name"] == "Riverside Surgery"
    assert gmc_number("C1234567") == "C1234567" and gmc_number("NMC 12A3456E") is None


def test_service_request_is_an_active_order_coded_for_the_service(bundle: dict[str, Any]) -> None:
    referral = resources(bundle, "ServiceRequest")[0]
    assert (referral["status"], referral["intent"], referral["priority"]) == ("active", "order", "urgent")
    assert referral["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "788005004",
        "display": "Neurology service",
    }
    assert referral["category"][0]["coding"][0]["code"] == "3457005"
    conditions = {f"urn:uuid:{c['id']}" for c in resources(bundle, "Condition")}
    assert {r["reference"] for r in referral["reasonReference"]} == conditions
    support = {r["reference"] for r in referral["supportingInfo"]}
    [doc_ref] = resources(bundle, "DocumentReference")
    assert f"urn:uuid:{doc_ref['id']}" in support
    assert all(f"urn:uuid:{o['id']}" in support for o in resources(bundle, "Observation"))
    assert any(n["text"].startswith("Target time: ") for n in referral["note"])
    # NCS and EMG are their own requests, based on the referral.
    assert [r["code"]["text"] for r in resources(bundle, "ServiceRequest")[1:]] == [
        "Nerve conduction studies",
        "Electromyography",
    ]


@pytest.mark.parametrize(("urgency", "priority"), [("emergency", "stat"), ("urgent", "urgent"), ("routine", "routine")])
def test_priority_follows_the_urgency(workup: Workup, clinician: Any, urgency: str, priority: str) -> None:
    source = source_for(workup, clinician, service="neurology")
    rec = json.loads(json.dumps(source.recommendation))
    for r in rec["referrals"]:
        r["urgency"] = urgency
    bundle = build_document(replace(source, recommendation=rec), PDF)
    assert resources(bundle, "ServiceRequest")[0]["priority"] == priority


def test_conditions_are_provisional_or_confirmed_from_the_certainty(bundle: dict[str, Any], workup: Workup) -> None:
    recommendation = evaluate_workup(workup, today=TODAY).recommendation
    assert recommendation is not None
    causes = recommendation["causes"]
    conditions = resources(bundle, "Condition")
    assert len(conditions) == len(causes) > 0
    for cause, condition in zip(causes, conditions, strict=True):
        assert condition["code"]["text"] == vocab.label(vocab.CAUSES, cause["code"])
        expected = "confirmed" if cause["certainty"] == "confirmed" else "provisional"
        assert condition["verificationStatus"]["coding"][0]["code"] == expected
    diabetes = next(c for c in conditions if c["code"]["text"] == "Diabetes")
    assert diabetes["code"]["coding"][0]["code"] == "424736006"


def test_lab_observations_are_loinc_ucum_with_range_interpretation_and_comparator(bundle: dict[str, Any]) -> None:
    labs = [o for o in resources(bundle, "Observation") if o["category"][0]["coding"][0]["code"] == "laboratory"]
    hba1c = next(o for o in labs if o["code"]["text"] == "HbA1c")
    assert hba1c["code"]["coding"][0]["code"] == "4548-4"
    assert hba1c["valueQuantity"] == {"value": 8.1, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}
    assert (hba1c["referenceRange"][0]["low"]["value"], hba1c["referenceRange"][0]["high"]["value"]) == (4, 6)
    assert hba1c["interpretation"][0]["coding"][0]["code"] == "H"
    b12 = next(o for o in labs if o["code"]["text"].startswith("Vitamin B12"))
    assert b12["valueQuantity"]["comparator"] == "<" and b12["valueQuantity"]["value"] == 150
    spep = next(o for o in labs if o["code"]["coding"][0]["code"] == "49275-1")
    assert spep["valueCodeableConcept"] == {"text": "Normal"}
    assert spep["effectiveDateTime"] == "2026-10-20"


def test_quantity_spells_units_in_ucum() -> None:
    assert quantity(2.1, "mIU/L")["code"] == "m[IU]/L"
    assert quantity(">90", "mL/min/1.73m2") == {
        "value": 90, "comparator": ">", "unit": "mL/min/1.73m2", "system": "http://unitsofmeasure.org", "code": "mL/min/{1.73_m2}",
    }  # fmt: skip


def test_exam_findings_are_observations_with_both_sides(bundle: dict[str, Any]) -> None:
    exam = [o for o in resources(bundle, "Observation") if o["category"][0]["coding"][0]["code"] == "exam"]
    ankle = next(o for o in exam if o["code"]["text"].startswith("Ankle reflex"))
    assert ankle["component"] == [
        {"code": {"text": "Left"}, "valueString": "0 absent"},
        {"code": {"text": "Right"}, "valueString": "1 reduced"},
    ]


def test_medication_statements_come_from_the_cases_medications(workup: Workup, clinician: Any) -> None:
    source = source_for(workup, clinician, service="neurology")
    case = json.loads(json.dumps(source.case))
    case["history"]["medications"] = ["metformin", "isoniazid"]
    bundle = build_document(replace(source, case=case), PDF)
    meds = resources(bundle, "MedicationStatement")
    assert [m["medicationCodeableConcept"]["text"] for m in meds] == ["Metformin", "Isoniazid"]
    assert checks.problems(bundle) == []
    assert resources(bundle, "AllergyIntolerance") == []  # the record holds no allergies


def test_document_reference_attaches_the_pdf_with_its_hashes(bundle: dict[str, Any]) -> None:
    [doc_ref] = resources(bundle, "DocumentReference")
    attachment = doc_ref["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]) == PDF.data
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(PDF.data, usedforsecurity=False).digest()).decode()
    assert any(i["value"].startswith("ni:///sha-256;") for i in doc_ref["identifier"])


# The whole document


def test_same_letter_same_bytes(workup: Workup, clinician: Any) -> None:
    one = fhir.dumps(build_document(source_for(workup, clinician, service="neurology"), PDF))
    two = fhir.dumps(build_document(source_for(workup, clinician, service="neurology"), PDF))
    assert one == two


def test_every_demo_referral_letter_passes_every_check() -> None:
    call_command("loaddata", "demo", verbosity=0)
    checked = 0
    for workup in Workup.objects.select_related("patient__clinic"):
        evaluation = evaluate_workup(workup)
        for referral in (evaluation.recommendation or {}).get("referrals", []):
            letter = services.unsaved_draft(workup, service=referral["service"], evaluation=evaluation)
            bundle = build_document(services.draft_source(letter, evaluation=evaluation), PDF)
            assert checks.problems(bundle) == [], (workup.pk, referral["service"])
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize(
    ("name", "edit", "service"),
    [
        ("neurology-urgent", None, "neurology"),
        ("focal-left-foot", "tarsal", None),
    ],
)
def test_golden_documents(workup: Workup, clinician: Any, name: str, edit: str | None, service: str | None) -> None:
    if edit == "tarsal":
        workup = variant(workup, _tarsal_tunnel)
    data = fhir.dumps(build_document(source_for(workup, clinician, service=service), PDF))
    path = GOLDEN / f"{name}.fhir.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{path.name} changed: review it, then UPDATE_GOLDEN=1 to accept"


def _tarsal_tunnel(case: dict[str, Any]) -> None:
    case["presentation"].update(sides="left", areas=["sole"], symptoms=["numbness", "burning"])
    case["history"] = {"diabetes": "not_known", "alcohol_units_per_week": 0, "chemotherapy": [], "b12_risks": [],
                       "cns_history": [], "spine_history": []}  # fmt: skip
    case["exam"]["tinel_tarsal_tunnel"] = {"left": "positive", "right": "negative"}
    case["exam"]["ankle_reflex"] = {"left": 2, "right": 2}
    case["exam"]["vibration"] = {"left": "normal", "right": "normal"}
    case["exam"]["proprioception"] = {"left": "normal", "right": "normal"}
    case["exam"]["monofilament"] = {
        "left": {"sites_tested": 4, "sites_felt": 3},
        "right": {"sites_tested": 4, "sites_felt": 4},
    }
    case["labs"] = [{"test": "hba1c", "value": 36, "unit": "mmol/mol", "collected_on": "2026-11-02"}]


# The own checks catch what the models do not


def test_own_checks_catch_bad_codes_and_broken_references(bundle: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(bundle))
    referral = resources(broken, "ServiceRequest")[0]
    referral["priority"], referral["intent"] = "soon", "wish"
    referral["subject"] = {"reference": "urn:uuid:not-in-the-bundle"}
    broken["entry"][1]["fullUrl"] = "Patient/1"
    found = " | ".join(checks.own_problems(broken))
    for expected in ("priority 'soon'", "intent 'wish'", "not in the Bundle", "is not a urn:uuid:"):
        assert expected in found
    assert checks.structural_problems(broken) == []  # the models alone would let all of it through


def test_own_checks_want_a_composition_first_and_ucum_codes_from_the_table(bundle: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(bundle))
    broken["entry"].append(broken["entry"].pop(0))
    obs = resources(broken, "Observation")[0]
    obs["valueQuantity"]["code"] = "10*3/uL"
    found = " | ".join(checks.own_problems(broken))
    assert "first entry of a document is not a Composition" in found
    assert "'10*3/uL' is not a UCUM code in the reviewed table" in found


# Stored at signing; the endpoints


@pytest.fixture
def issued(workup: Workup, intake: Any, clinician: Any) -> Letter:
    draft = services.create_draft(user=intake, workup=workup, service="neurology")
    return services.issue(user=clinician, letter=draft)


def test_signing_stores_the_document_and_its_hash_with_the_pdf(issued: Letter) -> None:
    data = stored_bytes(issued.fhir_document)
    assert hashlib.sha256(data).hexdigest() == issued.fhir_sha256
    bundle = json.loads(data)
    assert checks.problems(bundle) == []
    [doc_ref] = resources(bundle, "DocumentReference")
    assert base64.b64decode(doc_ref["content"][0]["attachment"]["data"]) == stored_bytes(issued.pdf)


def test_a_document_that_fails_issues_nothing(workup: Workup, intake: Any, clinician: Any, monkeypatch: Any) -> None:
    draft = services.create_draft(user=intake, workup=workup, service="neurology")

    def refuse(*args: Any, **kwargs: Any) -> bytes:
        raise fhir.DocumentError("The FHIR document failed validation: test")

    monkeypatch.setattr(fhir, "document_bytes", refuse)
    with pytest.raises(services.IssueFailed, match="Nothing was issued"):
        services.issue(user=clinician, letter=draft)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.pdf is None and draft.fhir_document is None


def test_bundle_download_is_byte_identical_every_time_and_audited(issued: Letter, clinician: Any) -> None:
    client = Client()
    client.force_login(clinician)
    first = client.get(f"/fhir/r4/Bundle/{issued.pk}")
    second = client.get(f"/fhir/r4/Bundle/{issued.pk}")
    assert first.status_code == 200 and first["Content-Type"].startswith("application/fhir+json")
    assert first.content == second.content == stored_bytes(issued.fhir_document)
    assert AuditEvent.objects.filter(object_type="fhir_bundle", action="download").count() == 2


def test_bundle_by_api_token(issued: Letter, clinician: Any) -> None:
    from workup.services.tokens import create_token

    _, key = create_token(user=clinician, name="fhir")
    response = Client().get(f"/fhir/r4/Bundle/{issued.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.content == stored_bytes(issued.fhir_document)


def test_transaction_form_posts_the_same_resources_as_conditional_creates(issued: Letter, clinician: Any) -> None:
    client = Client()
    client.force_login(clinician)
    transaction = json.loads(client.get(f"/fhir/r4/Bundle/{issued.pk}?_format=transaction").content)
    document = json.loads(stored_bytes(issued.fhir_document))
    assert transaction["type"] == "transaction"
    assert [e["resource"] for e in transaction["entry"]] == [e["resource"] for e in document["entry"]]
    patient = next(e for e in transaction["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["request"] == {
        "method": "POST", "url": "Patient", "ifNoneExist": "identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919",
    }  # fmt: skip
    assert all(e["request"]["ifNoneExist"].startswith("identifier=") for e in transaction["entry"])
    assert checks.problems(transaction) == []


def test_a_draft_has_no_stored_document(workup: Workup, intake: Any, clinician: Any) -> None:
    draft = services.create_draft(user=intake, workup=workup, service="neurology")
    client = Client()
    client.force_login(clinician)
    response = client.get(f"/fhir/r4/Bundle/{draft.pk}")
    assert response.status_code == 404 and json.loads(response.content)["resourceType"] == "OperationOutcome"


def test_metadata_is_a_capability_statement(clinician: Any) -> None:
    client = Client()
    client.force_login(clinician)
    body = json.loads(client.get("/fhir/r4/metadata").content)
    assert body["resourceType"] == "CapabilityStatement" and body["fhirVersion"] == "4.0.1"
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    CapabilityStatement.model_validate(body)


def test_letter_page_offers_the_fhir_document_next_to_the_pdf(issued: Letter, clinician: Any) -> None:
    client = Client()
    client.force_login(clinician)
    page = client.get(f"/letters/{issued.pk}/").content.decode()
    assert "Download FHIR document" in page and f"/fhir/r4/Bundle/{issued.pk}" in page


def test_fhir_document_command_writes_the_draft_document(workup: Workup, tmp_path: Path) -> None:
    from io import StringIO

    out = StringIO()
    call_command("fhir_document", str(workup.pk), "--output", str(tmp_path / "doc.json"), stdout=out)
    bundle = json.loads((tmp_path / "doc.json").read_bytes())
    assert checks.problems(bundle) == [] and bundle["entry"][0]["resource"]["status"] == "preliminary"
    assert "FHIR document Bundle" in out.getvalue()


def test_a_signer_without_a_last_name_still_signs(workup: Workup, clinician: Any) -> None:
    # FHIR forbids empty strings: a name part that is not recorded is left out (the load test's users have none).
    clinician.last_name = ""
    clinician.save()
    letter = services.issue(
        user=clinician, letter=services.create_draft(user=clinician, workup=workup, service="neurology")
    )
    assert letter.is_issued
    document = json.loads(stored_bytes(letter.fhir_document))
    practitioner = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Practitioner")
    assert "family" not in practitioner["name"][0] and practitioner["name"][0]["given"] == [clinician.first_name]
