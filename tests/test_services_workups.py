"""Recording a workup: optimistic locking per section, the audit trail, and the cached summary for the worklist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from workup.models import AuditEvent, LabResult, Workup
from workup.services.workups import (
    RoutineStopped,
    StaleSection,
    create_patient,
    create_workup,
    evaluate_workup,
    replace_labs,
    save_section,
    section_problems,
)

pytestmark = pytest.mark.django_db
PRESENTATION = {
    "onset": "gradual",
    "duration_weeks": 30.0,
    "course": "stable",
    "sides": "both",
    "areas": ["toes"],
    "symptoms": [],
    "red_flags": [],
}


def glucose_row(value: str = "7.0", unit: str = "mmol/L") -> dict[str, Any]:
    return {
        "test": "fasting_glucose",
        "comparator": "",
        "value": Decimal(value),
        "text_value": "",
        "unit": unit,
        "collected_on": date(2026, 11, 1),
        "reference_low": None,
        "reference_high": None,
    }


def test_new_workup_is_not_started_and_sorts_last(intake: Any, patient: Any) -> None:
    workup = create_workup(user=intake, patient=patient)
    assert (workup.stage, workup.urgency, workup.urgency_rank) == ("", "", 3)
    assert workup.evaluation_errors > 0
    assert AuditEvent.objects.filter(action="create", object_type="workup").count() == 1


def test_create_patient_registers_in_the_users_clinic(intake: Any) -> None:
    data = {
        "given_name": "Ann",
        "family_name": "Lee",
        "date_of_birth": date(1970, 1, 1),
        "sex": "female",
        "identifier": "X1",
    }
    patient = create_patient(user=intake, data=data)
    assert patient.clinic_id == intake.clinic_id


def test_saving_a_section_bumps_its_version_and_refreshes_the_summary(intake: Any, patient: Any) -> None:
    workup = create_workup(user=intake, patient=patient)
    save_section(user=intake, workup=workup, section="presentation", data=PRESENTATION, version=0)
    stored = Workup.objects.get(pk=workup.pk)
    assert stored.presentation_version == 1 and stored.history_version == 0
    assert (stored.stage, stored.urgency, stored.urgency_rank, stored.pattern) == (
        "exam",
        "routine",
        2,
        "length_dependent",
    )
    assert stored.updated_by == intake


def test_stale_save_is_refused_and_nothing_changes(intake: Any, clinician: Any, patient: Any) -> None:
    workup = create_workup(user=intake, patient=patient)
    save_section(user=clinician, workup=workup, section="presentation", data=PRESENTATION, version=0)
    with pytest.raises(StaleSection):
        save_section(
            user=intake, workup=workup, section="presentation", data=PRESENTATION | {"sides": "left"}, version=0
        )
    stored = Workup.objects.get(pk=workup.pk)
    assert stored.sides == "both" and stored.presentation_version == 1 and stored.updated_by == clinician


def test_change_is_audited_with_before_and_after(intake: Any, workup: Any) -> None:
    save_section(user=intake, workup=workup, section="history", data={"alcohol_units_per_week": 20.0}, version=0)
    event = AuditEvent.objects.get(action="change")
    assert event.changes == {"alcohol_units_per_week": [2.5, 20.0]} and event.patient_id == workup.patient_id


def test_saving_unchanged_values_writes_no_change_event(intake: Any, workup: Any) -> None:
    save_section(user=intake, workup=workup, section="history", data={"alcohol_units_per_week": 2.5}, version=0)
    assert not AuditEvent.objects.filter(action="change").exists()


def test_routine_sections_wait_while_a_red_flag_stands(intake: Any, patient: Any) -> None:
    workup = create_workup(user=intake, patient=patient)
    save_section(
        user=intake,
        workup=workup,
        section="presentation",
        data={"red_flags": ["rapidly_progressive_weakness"]},
        version=0,
    )
    assert workup.stage == "emergency" and workup.urgency_rank == 0
    with pytest.raises(RoutineStopped):
        save_section(user=intake, workup=workup, section="exam", data={"romberg": "positive"}, version=0)
    with pytest.raises(RoutineStopped):
        replace_labs(user=intake, workup=workup, rows=[glucose_row()], version=0)


def test_replacing_results_stores_loinc_and_position(intake: Any, workup: Any) -> None:
    replace_labs(user=intake, workup=workup, rows=[glucose_row(), glucose_row("126", "mg/dL")], version=0)
    labs = list(LabResult.objects.filter(workup=workup))
    assert [(lab.position, lab.loinc) for lab in labs] == [(0, "14771-0"), (1, "1558-6")]
    assert Workup.objects.get(pk=workup.pk).labs_version == 1
    assert AuditEvent.objects.filter(action="change", changes__has_key="labs").exists()


def test_stale_results_are_refused(intake: Any, clinician: Any, workup: Any) -> None:
    replace_labs(user=clinician, workup=workup, rows=[glucose_row()], version=0)
    with pytest.raises(StaleSection):
        replace_labs(user=intake, workup=workup, rows=[], version=0)
    assert LabResult.objects.filter(workup=workup).count() == 1


def test_section_problems_checks_unsaved_values_and_stores_nothing(workup: Any) -> None:
    rows = [glucose_row("5000", "mg/dL")]
    problems = section_problems(workup, section="labs", rows=rows, today=date(2026, 11, 21))
    assert [p.path for p in problems] == ["labs[0].value"]
    assert LabResult.objects.filter(workup=workup).count() == 3


def test_section_problems_only_reports_its_own_section(intake: Any, patient: Any) -> None:
    workup = create_workup(user=intake, patient=patient)  # no presentation: the engine complains about it
    assert section_problems(workup, section="history", data={"diabetes": "known"}) == []
    assert section_problems(workup, section="presentation", data=PRESENTATION) == []


def test_evaluation_reads_the_stored_workup_like_the_api(workup: Any) -> None:
    evaluation = evaluate_workup(workup, today=date(2026, 11, 21))
    assert evaluation.recommendation is not None and evaluation.recommendation["ruleset"]
    assert evaluation.case["as_of"] == "2026-11-21"
