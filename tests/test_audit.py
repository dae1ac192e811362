"""Every audited action leaves one trail entry: who, what, which record, when and from where."""

from __future__ import annotations

from typing import Any

import pytest

from workup.models import AuditEvent

pytestmark = pytest.mark.django_db


def events(**kw: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**kw))


def test_viewing_patient_and_workup_is_recorded_with_user_and_address(login: Any, intake: Any, workup: Any) -> None:
    client = login(intake)
    client.get(f"/patients/{workup.patient.pk}/", REMOTE_ADDR="10.1.2.3")
    client.get(f"/workups/{workup.pk}/", REMOTE_ADDR="10.1.2.3")
    (patient_view,) = events(action="view", object_type="patient")
    (workup_view,) = events(action="view", object_type="workup")
    for event in (patient_view, workup_view):
        assert event.user == intake and event.clinic_id == intake.clinic_id
        assert event.patient_id == workup.patient_id and event.ip_address == "10.1.2.3"


def test_changing_a_section_records_before_and_after(login: Any, clinician: Any, workup: Any) -> None:
    client = login(clinician)
    data = {
        "history-version": workup.history_version,
        "history-diabetes": "not_known",
        "history-alcohol_units_per_week": "40",
        "history-b12_risks": ["metformin"],
    }
    response = client.post(f"/workups/{workup.pk}/history/", data)
    assert response.status_code == 302
    (change,) = events(action="change", object_type="workup")
    assert change.changes is not None
    assert change.changes["diabetes"] == ["known", "not_known"]
    assert change.changes["alcohol_units_per_week"] == [2.5, 40.0]
    assert change.user == clinician


def test_another_clinic_sees_none_of_the_trail(login: Any, intake: Any, workup: Any, other_clinician: Any) -> None:
    login(intake).get(f"/workups/{workup.pk}/")
    assert AuditEvent.objects.filter(clinic_id=other_clinician.clinic_id).count() == 0


def test_refused_access_to_another_clinic_leaves_no_view_entry(login: Any, other_clinician: Any, workup: Any) -> None:
    assert login(other_clinician).get(f"/workups/{workup.pk}/").status_code == 404
    assert not events(action="view")
