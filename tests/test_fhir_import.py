"""Lab results in from FHIR and HL7 v2: matching, units, ranges, the engine's checks, the patient, duplicates, commit."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from workup.interop.fhir.labs import ImportError_, parse_range, preview
from workup.models import AuditEvent, LabResult, Workup
from workup.services.lab_import import commit_import

pytestmark = pytest.mark.django_db
TODAY = __import__("datetime").date(2026, 12, 1)
NHS = "https://fhir.nhs.uk/Id/nhs-number"

ORU = "\r".join(
    [
        "MSH|^~\\&|WINPATH|LEEDS TH PATHOLOGY|WORKUP|RIVERSIDE|20261120114500||ORU^R01^ORU_R01|PATH000123|P|2.5.1|||AL|NE",
        "PID|1||9434765919^^^NHS^NH~RX12345^^^LTH^MR||OKAFOR^MARGARET^^^MRS||19610314|F|||12 Mill Lane^^Leeds^^LS6 2AB",
        "ORC|RE|ORD778|LAB991",
        "OBR|1|ORD778|LAB991|BLOODS^Neuropathy screen^L|||20261120083000|||||||||||||||20261120114500||CH|F",
        "OBX|1|NM|1558-6^Fasting glucose^LN||101|mg/dL^mg/dL^UCUM|70-99|H|||F|||20261120083000",
        "OBX|2|NM|4548-4^HbA1c^LN||6.6|%^%^UCUM|4.0-6.0|H|||F|||20261120083000",
        "OBX|3|NM|59261-8^HbA1c IFCC^LN||49|mmol/mol^mmol/mol^UCUM|20-41|H|||F|||20261120083000",
        "OBX|4|NM|14685-2^Vitamin B12^LN||180|pmol/L^pmol/L^UCUM|>= 150||||F|||20261120083000",
        "OBX|5|SN|2132-9^Vitamin B12^LN||<^50|ng/L^ng/L^UCUM|180-900|L|||F|||20261120083000",
        "OBX|6|SN|62238-1^eGFR CKD-EPI^LN||>^90|mL/min/{1.73_m2}^mL/min/{1.73_m2}^UCUM|>= 60||||F|||20261120083000",
        "OBX|7|NM|6690-2^WBC^LN||7.1|10*3/uL^10*3/uL^UCUM|4.0-11.0||||F|||20261120083000",
        "OBX|8|NM|3016-3^TSH^LN||2.3|m[IU]/L^m[IU]/L^UCUM|0.27-4.2||||F|||20261120083000",
    ]
)


def observation(code: str, value: Any, unit: str = "", **extra: Any) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "effectiveDateTime": "2026-11-20T08:30:00Z",
    }
    if isinstance(value, str) and value[:1] in "<>":
        obs["valueQuantity"] = {
            "comparator": value[0],
            "value": float(value[1:]),
            "system": "http://unitsofmeasure.org",
            "code": unit,
        }
    else:
        obs["valueQuantity"] = {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}
    return obs | extra


def fhir_bundle(patient: dict[str, Any] | None = None) -> str:
    patient = patient or {
        "resourceType": "Patient",
        "identifier": [{"system": NHS, "value": "9434765919"}],
        "name": [{"family": "Okafor", "given": ["Margaret"]}],
        "birthDate": "1961-03-14",
    }
    report = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "code": {"text": "Bloods"},
        "contained": [observation("2345-7", 110, "mg/dL", id="glu")],
        "result": [{"reference": "#glu"}],
    }
    entries = [
        patient,
        report,
        observation("4548-4", 6.6, "%", referenceRange=[{"text": "4.0-6.0"}]),
        observation("59261-8", 49, "mmol/mol"),
        observation("14685-2", 180, "pmol/L", referenceRange=[{"low": {"value": 150}}]),
        observation("2132-9", "<50", "ng/L", referenceRange=[{"text": "180-900"}]),
        observation("98979-8", ">90", "mL/min/{1.73_m2}"),
        observation("1234-5", 1, "mg/dL"),
    ]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": e} for e in entries]})


def lines(workup: Workup, data: str) -> list[str]:
    return preview(workup, data, today=TODAY).lines()


def test_a_real_shaped_oru_r01_is_read_row_by_row(workup: Workup) -> None:
    assert lines(workup, ORU) == [
        "recognised fasting_glucose 101 mg/dL 2026-11-20",
        "recognised hba1c 6.6 % 2026-11-20",
        "recognised hba1c 49 mmol/mol 2026-11-20",
        "recognised b12 180 pmol/L 2026-11-20",
        "recognised b12 <50 ng/L 2026-11-20",
        "recognised egfr >90 mL/min/1.73m2 2026-11-20",
        "refused: unknown code LOINC 6690-2 (WBC): not in the mapping table",
        "recognised tsh 2.3 mIU/L 2026-11-20",
    ]


def test_oru_keeps_ranges_and_censored_values(workup: Workup) -> None:
    rows = preview(workup, ORU, today=TODAY).rows
    glucose, b12_low, egfr = rows[0].fields, rows[4].fields, rows[5].fields
    assert (glucose["reference_low"], glucose["reference_high"]) == (Decimal(70), Decimal(99))
    assert (b12_low["comparator"], b12_low["value"]) == ("<", Decimal(50))
    assert (egfr["comparator"], egfr["reference_low"], egfr["reference_high"]) == (">", Decimal(60), None)


def test_a_fhir_bundle_with_a_diagnostic_report_and_observations(workup: Workup) -> None:
    assert lines(workup, fhir_bundle()) == [
        "recognised random_glucose 110 mg/dL 2026-11-20",
        "recognised hba1c 6.6 % 2026-11-20",
        "recognised hba1c 49 mmol/mol 2026-11-20",
        "recognised b12 180 pmol/L 2026-11-20",
        "recognised b12 <50 ng/L 2026-11-20",
        "recognised egfr >90 mL/min/1.73m2 2026-11-20",
        "refused: unknown code LOINC 1234-5: not in the mapping table",
    ]


def test_a_single_observation_names_its_patient_by_subject_identifier(workup: Workup) -> None:
    obs = observation("4548-4", 6.6, "%", subject={"identifier": {"system": NHS, "value": "9434765919"}})
    assert lines(workup, json.dumps(obs)) == ["recognised hba1c 6.6 % 2026-11-20"]


def test_the_wrong_patient_is_refused_with_the_mismatch_named(workup: Workup) -> None:
    other = {
        "resourceType": "Patient",
        "identifier": [{"system": NHS, "value": "4010232137"}],
        "name": [{"family": "Okafor", "given": ["Grace"]}],
        "birthDate": "1961-03-14",
    }
    result = preview(workup, fhir_bundle(other), today=TODAY)
    assert result.to_save == []
    [line] = result.lines()
    assert line.startswith("refused: wrong patient: NHS number 4010232137 is not the patient's (9434765919)")
    assert "given name 'Grace'" in line


def test_a_message_without_patient_details_is_refused(workup: Workup) -> None:
    assert lines(workup, json.dumps(observation("4548-4", 6.6, "%")))[0].startswith(
        "refused: the message does not identify the patient"
    )


def test_units_outside_the_table_are_refused_never_guessed(workup: Workup) -> None:
    obs = observation("4548-4", 6.6, "percent", subject={"identifier": {"system": NHS, "value": "9434765919"}})
    assert lines(workup, json.dumps(obs)) == ["refused: unit 'percent' is not in the unit table: hba1c not imported"]


def test_a_code_reported_in_another_tests_unit_is_refused(workup: Workup) -> None:
    obs = observation("4548-4", 49, "mmol/mol", subject={"identifier": {"system": NHS, "value": "9434765919"}})
    assert lines(workup, json.dumps(obs)) == ["refused: LOINC 4548-4 is reported in %, not mmol/mol"]


def test_every_row_goes_through_the_engines_validation(workup: Workup) -> None:
    subject = {"subject": {"identifier": {"system": NHS, "value": "9434765919"}}}
    impossible = observation("1558-6", 5000, "mg/dL", **subject)
    future = observation("4548-4", 6.6, "%", **subject) | {"effectiveDateTime": "2027-01-05"}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": impossible}, {"resource": future}]}
    found = lines(workup, json.dumps(bundle))
    assert found[0].startswith("refused: fasting_glucose: value") and "5000" in found[0]
    assert found[1].startswith("refused: hba1c: collected_on") and "future" in found[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("180-900", (Decimal(180), Decimal(900))),
        ("4.0 - 6.0", (Decimal("4.0"), Decimal("6.0"))),
        ("<5.0", (None, Decimal("5.0"))),
        (">= 60", (Decimal(60), None)),
        ("≥60", (Decimal(60), None)),
    ],
)
def test_reference_ranges_are_parsed(text: str, expected: tuple[Any, Any]) -> None:
    assert parse_range(text) == expected


def test_an_unreadable_range_refuses_the_row(workup: Workup) -> None:
    obs = observation(
        "4548-4",
        6.6,
        "%",
        referenceRange=[{"text": "see report"}],
        subject={"identifier": {"system": NHS, "value": "9434765919"}},
    )
    assert lines(workup, json.dumps(obs))[0].startswith(
        "refused: reference range 'see report' is not one the app reads"
    )


def test_neither_fhir_nor_hl7_is_refused_whole(workup: Workup) -> None:
    with pytest.raises(ImportError_, match="neither FHIR JSON nor an HL7 v2"):
        preview(workup, "hello", today=TODAY)
    with pytest.raises(ImportError_, match="carries no results"):
        preview(workup, json.dumps({"resourceType": "Patient"}), today=TODAY)


def test_a_result_already_recorded_is_flagged_as_a_duplicate(workup: Workup) -> None:
    # The typical workup already holds HbA1c 8.1 % on 2026-11-02.
    obs = observation(
        "4548-4",
        8.1,
        "%",
        effectiveDateTime="2026-11-02",
        subject={"identifier": {"system": NHS, "value": "9434765919"}},
    )
    result = preview(workup, json.dumps(obs), today=TODAY)
    assert result.rows[0].duplicate and result.to_save == []
    assert result.lines() == [
        "recognised hba1c 8.1 % 2026-11-02 (duplicate of a result already recorded: not saved again)"
    ]


def test_the_preview_saves_nothing_until_committed(workup: Workup, clinician: Any) -> None:
    before = list(workup.labs.values_list("test", "value"))
    result = preview(workup, ORU, today=TODAY)
    assert list(workup.labs.values_list("test", "value")) == before
    added = commit_import(user=clinician, workup=workup, preview=result)
    assert added == 7
    assert workup.labs.count() == len(before) + 7
    saved = LabResult.objects.get(workup=workup, test="egfr")
    assert (saved.comparator, saved.value, saved.loinc) == (">", Decimal(90), "98979-8")
    assert AuditEvent.objects.filter(object_type="lab_import", user=clinician).exists()
    # The same message again adds nothing: every row is now a duplicate.
    assert commit_import(user=clinician, workup=workup, preview=preview(workup, ORU, today=TODAY)) == 0


def test_import_results_command_prints_rows_and_saves_only_with_commit(workup: Workup, tmp_path: Path) -> None:
    path = tmp_path / "oru.hl7"
    path.write_text(ORU)
    count = workup.labs.count()
    out = StringIO()
    call_command("import_results", str(workup.pk), str(path), stdout=out)
    assert "recognised hba1c 6.6 % 2026-11-20" in out.getvalue() and "nothing saved" in out.getvalue()
    assert workup.labs.count() == count
    call_command("import_results", str(workup.pk), str(path), "--commit", stdout=out)
    assert workup.labs.count() == count + 7


def test_upload_preview_then_one_click_commit(workup: Workup, clinician: Any) -> None:
    client = Client()
    client.force_login(clinician)
    url = f"/workups/{workup.pk}/labs/import/"
    assert "Import blood results" in client.get(url).content.decode()
    count = workup.labs.count()
    page = client.post(url, {"text": ORU})
    html = page.content.decode()
    assert page.status_code == 200 and "nothing is saved yet" in html and "Commit 7 results" in html
    assert "Refused: unknown code LOINC 6690-2" in html
    assert workup.labs.count() == count
    signed = page.context["signed"]
    done = client.post(url, {"signed": signed})
    assert done.status_code == 302 and workup.labs.count() == count + 7
    assert client.post(url, {"signed": signed + "x"}).status_code == 302
    assert workup.labs.count() == count + 7


def test_the_workup_page_links_to_the_import(workup: Workup, clinician: Any) -> None:
    client = Client()
    client.force_login(clinician)
    assert f"/workups/{workup.pk}/labs/import/" in client.get(f"/workups/{workup.pk}/").content.decode()


def test_api_import_previews_and_commits_with_a_token(workup: Workup, clinician: Any) -> None:
    from workup.services.tokens import create_token

    _, key = create_token(user=clinician, name="lab")
    client, url = Client(), f"/api/v1/workups/{workup.pk}/results/import"
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    count = workup.labs.count()
    body = client.post(url, data=fhir_bundle(), content_type="application/fhir+json", **auth).json()
    assert body["patient"]["matches"] and body["committed"] == 0 and workup.labs.count() == count
    assert [r["status"] for r in body["rows"]].count("refused") == 1
    body = client.post(url + "?commit=1", data=fhir_bundle(), content_type="application/fhir+json", **auth).json()
    assert body["committed"] == 6 and workup.labs.count() == count + 6


def test_api_import_refuses_another_patient_with_422(workup: Workup, clinician: Any) -> None:
    client = Client()
    client.force_login(clinician)
    other = {"resourceType": "Patient", "name": [{"family": "Smith", "given": ["Jo"]}], "birthDate": "1970-01-01"}
    response = client.post(
        f"/api/v1/workups/{workup.pk}/results/import?commit=1", data=fhir_bundle(other), content_type="application/json"
    )
    assert response.status_code == 422 and "wrong patient" in response.json()["patient"]["problem"]
