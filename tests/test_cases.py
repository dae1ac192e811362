"""A stored workup converts to a workup-case/1 document and back with nothing lost."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.conftest import typical_case
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
