"""A stored workup converts to a workup-case/1 document and back with nothing lost."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.factories import typical_case
from workup.cases import EXAM_FIELDS, HISTORY_FIELDS, PRESENTATION_FIELDS, case_to_fields, workup_to_case
from workup.models import LabResult, Workup

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 21)


def _store(patient: Any, user: Any, case: dict[str, Any]) -> Workup:
    fields, labs = case_to_fields(case)
    w = Workup.objects.create(patient=patient, created_by=user, **fields)
    LabResult.objects.bulk_create([LabResult(workup=w, **row) for row in labs])
    return Workup.objects.get(pk=w.pk)


def test_full_case_survives_workup_round_trip(patient: Any, clinician: Any) -> None:
    case = typical_case()
    stored = _store(patient, clinician, case)
    again = workup_to_case(stored, as_of=AS_OF)
    assert again["presentation"] == case["presentation"]
    assert again["history"] == case["history"]
    assert again["exam"] == case["exam"]
    assert again["labs"] == case["labs"]


def test_workup_to_case_to_workup_keeps_every_field(workup: Workup, patient: Any, clinician: Any) -> None:
    copy = _store(patient, clinician, workup_to_case(workup, as_of=AS_OF))
    for name in PRESENTATION_FIELDS + HISTORY_FIELDS + EXAM_FIELDS:
        assert getattr(copy, name) == getattr(workup, name), name
    assert [lab_row(x) for x in copy.labs.all()] == [lab_row(x) for x in workup.labs.all()]


def lab_row(lab: LabResult) -> tuple[Any, ...]:
    return (
        lab.test,
        lab.comparator,
        lab.value,
        lab.text_value,
        lab.unit,
        lab.collected_on,
        lab.reference_low,
        lab.reference_high,
    )


def test_patient_age_and_sex_come_from_the_patient_record(workup: Workup) -> None:
    case = workup_to_case(workup, as_of=date(2026, 3, 13))
    assert case["patient"] == {"age_years": 64, "sex": "female"}
    assert workup_to_case(workup, as_of=date(2026, 3, 14))["patient"]["age_years"] == 65


def test_empty_workup_gives_minimal_case(patient: Any, clinician: Any) -> None:
    w = Workup.objects.create(patient=patient, created_by=clinician)
    assert workup_to_case(w, as_of=AS_OF) == {
        "schema": "workup-case/1",
        "as_of": "2026-11-21",
        "patient": {"age_years": 65, "sex": "female"},
        "presentation": {},
    }


def test_not_asked_differs_from_asked_and_none(patient: Any, clinician: Any) -> None:
    """red_flags [] (asked, none present) must not turn into 'never asked' on the way back."""
    case = typical_case()
    stored = _store(patient, clinician, case)
    assert stored.red_flags == []
    case["presentation"].pop("red_flags")
    assert _store(patient, clinician, case).red_flags is None


def test_censored_and_integral_values_keep_their_form(patient: Any, clinician: Any) -> None:
    case = typical_case()
    case["labs"] = [
        {"test": "b12", "value": ">2000", "unit": "pg/mL"},
        {"test": "fasting_glucose", "value": 7, "unit": "mmol/L"},
        {"test": "tsh", "value": 0.005, "unit": "mIU/L", "reference_range": {"low": 0.3, "high": 4.5}},
    ]
    assert workup_to_case(_store(patient, clinician, case))["labs"] == case["labs"]


def case_with_2026_12_inputs() -> dict[str, Any]:
    case = typical_case()
    case["patient"]["pregnant"] = True
    case["presentation"] |= {
        "symptoms": ["numbness", "shooting_pain"],
        "notes": "Reports no saddle numbness.",
        "notes_checked": True,
    }
    case["history"] |= {
        "chemotherapy": ["taxane"],
        "chemotherapy_ended_months_ago": 7.5,
        "medications": ["isoniazid", "vitamin_b6_supplement"],
        "family_history_neuropathy": False,
        "foot_history": ["previous_ulcer"],
    }
    case["exam"]["foot_inspection"] = ["callus", "ulcer"]
    case["labs"] = [
        {"test": "vitamin_b6", "value": 12, "unit": "ug/L", "reference_range": {"low": 5, "high": 50}},
        {"test": "copper", "value": 9.5, "unit": "umol/L", "reference_range": {"low": 11, "high": 22}},
        {"test": "calcium_adjusted", "value": 2.1, "unit": "mmol/L"},
        {"test": "magnesium", "value": 1.6, "unit": "mg/dL"},
    ]
    return case


def test_every_2026_12_input_survives_the_round_trip(patient: Any, clinician: Any) -> None:
    case = case_with_2026_12_inputs()
    again = workup_to_case(_store(patient, clinician, case), as_of=AS_OF)
    assert again["patient"]["pregnant"] is True
    for block in ("presentation", "history", "exam", "labs"):
        assert again[block] == case[block], block


def test_pregnancy_not_asked_is_left_out_of_the_case(patient: Any, clinician: Any) -> None:
    assert "pregnant" not in workup_to_case(_store(patient, clinician, typical_case()))["patient"]
    case = typical_case()
    case["patient"]["pregnant"] = False
    assert workup_to_case(_store(patient, clinician, case))["patient"]["pregnant"] is False


def test_pregnancy_is_never_sent_for_a_male_patient(patient: Any, clinician: Any) -> None:
    stored = _store(patient, clinician, case_with_2026_12_inputs())
    stored.patient.sex = "male"
    assert "pregnant" not in workup_to_case(stored)["patient"]


def test_family_history_no_is_kept_apart_from_not_recorded(patient: Any, clinician: Any) -> None:
    case = typical_case()
    assert "family_history_neuropathy" not in workup_to_case(_store(patient, clinician, case))["history"]
    case["history"]["family_history_neuropathy"] = False
    assert workup_to_case(_store(patient, clinician, case))["history"]["family_history_neuropathy"] is False


@pytest.mark.parametrize(("stored", "sent"), [(None, "absent"), ([], []), (["gangrene"], ["gangrene"])])
def test_foot_inspection_not_done_nothing_found_and_findings_differ(
    patient: Any, clinician: Any, stored: list[str] | None, sent: Any
) -> None:
    case = typical_case()
    case["exam"].pop("foot_inspection")
    w = _store(patient, clinician, case)
    w.foot_inspection = stored
    assert workup_to_case(w)["exam"].get("foot_inspection", "absent") == sent


@pytest.mark.parametrize(("old", "findings"), [("normal", []), ("ulcer_or_infection", ["ulcer"])])
def test_a_2026_11_foot_inspection_in_a_case_is_stored_as_the_findings_it_meant(
    patient: Any, clinician: Any, old: str, findings: list[str]
) -> None:
    case = typical_case()
    case["exam"]["foot_inspection"] = old
    assert _store(patient, clinician, case).foot_inspection == findings


def test_notes_checked_without_notes_stays_out_of_the_case(patient: Any, clinician: Any) -> None:
    presentation = workup_to_case(_store(patient, clinician, typical_case()))["presentation"]
    assert "notes" not in presentation and "notes_checked" not in presentation
    case = typical_case()
    case["presentation"]["notes"] = "Bowels normal."
    assert workup_to_case(_store(patient, clinician, case))["presentation"]["notes_checked"] is False
