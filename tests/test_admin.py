"""The Django admin: signed letters and the audit trail stay as they are, every clinical change is audited, and
staff given admin access see only their own clinic."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.forms import MultiWidget
from django.test import Client

from tests.factories import make_user
from workup.models import AuditEvent, LabResult, Letter, Patient, User, Workup
from workup.services import letters as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db: Any) -> User:
    return User.objects.create_superuser(username="op", password="x", email="op@example.org")


@pytest.fixture
def staff(clinic: Any) -> User:
    """A member of staff of the first clinic given admin access and every permission on the clinical models."""
    user = make_user("sam_staff", clinic, "clinic_admin", is_staff=True)
    models = ("patient", "workup", "labresult", "letter", "auditevent", "user")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="workup", content_type__model__in=models)
    )
    return user


@pytest.fixture
def draft(workup: Workup, clinician: Any) -> Letter:
    return services.create_draft(user=clinician, workup=workup, service="neurology")


@pytest.fixture
def issued(draft: Letter, clinician: Any) -> Letter:
    return services.issue(user=clinician, letter=draft)


@pytest.fixture
def other_patient(other_clinic: Any) -> Patient:
    return Patient.objects.create(
        clinic=other_clinic,
        given_name="Olu",
        family_name="Hilltopper",
        date_of_birth=date(1950, 1, 1),
        sex="male",
        identifier="HT-1",
    )


def as_user(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def submitted(response: Any) -> dict[str, Any]:
    """The admin change form posted back as a browser would send it unchanged (main form and inlines)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if isinstance(field.field.widget, MultiWidget):  # date and time posted as two inputs
                parts = field.field.widget.decompress(value)
                assert parts is not None
                data |= {f"{field.html_name}_{i}": str(part) for i, part in enumerate(parts)}
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def url(model: str, obj: Any = None, action: str = "change") -> str:
    return f"/admin/workup/{model}/" if obj is None else f"/admin/workup/{model}/{obj.pk}/{action}/"


# Issued letters and audit events: read-only and undeletable, for everyone


@pytest.mark.parametrize("who", ["operator", "staff"])
def test_an_issued_letter_cannot_be_changed_or_deleted_in_the_admin(
    who: str, request: pytest.FixtureRequest, issued: Letter
) -> None:
    client = as_user(request.getfixturevalue(who))
    page = client.get(url("letter", issued))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # shown read-only
    assert client.post(url("letter", issued), {"question": "Changed"}).status_code == 403
    assert client.post(url("letter", issued, "delete"), {"post": "yes"}).status_code == 403
    bulk = client.post(url("letter"), {"action": "delete_selected", "_selected_action": [issued.pk], "post": "yes"})
    assert bulk.status_code == 403
    stored = Letter.objects.get(pk=issued.pk)
    assert (stored.status, stored.question, stored.pdf_sha256) == ("issued", issued.question, issued.pdf_sha256)


@pytest.mark.parametrize("who", ["operator", "staff"])
def test_audit_events_cannot_be_changed_or_deleted_in_the_admin(
    who: str, request: pytest.FixtureRequest, clinic: Any
) -> None:
    event = AuditEvent.objects.create(action="view", username="x", clinic=clinic)
    client = as_user(request.getfixturevalue(who))
    assert client.post(url("auditevent", event), {"action": "delete"}).status_code == 403
    assert client.post(url("auditevent", event, "delete"), {"post": "yes"}).status_code == 403
    client.post(url("auditevent"), {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk, action="view").exists()
    assert "delete_selected" not in client.get(url("auditevent")).content.decode()


def test_a_draft_cannot_be_marked_issued_in_the_admin(operator: User, draft: Letter) -> None:
    client = as_user(operator)
    data = submitted(client.get(url("letter", draft))) | {"status": "issued", "question": "Please see."}
    assert client.post(url("letter", draft), data).status_code == 302
    stored = Letter.objects.get(pk=draft.pk)
    assert (stored.status, stored.question, stored.draft_version) == ("draft", "Please see.", draft.draft_version + 1)
    event = AuditEvent.objects.get(action="change", object_type="letter", user=operator)
    assert event.changes == {"question": [draft.question, "Please see."]}


def test_a_draft_signed_while_open_in_the_admin_is_not_overwritten(
    operator: User, draft: Letter, clinician: Any
) -> None:
    client = as_user(operator)
    data = submitted(client.get(url("letter", draft))) | {"question": "Late edit"}
    services.issue(user=clinician, letter=draft)
    response = client.post(url("letter", draft), data)
    assert response.status_code in (200, 403)
    stored = Letter.objects.get(pk=draft.pk)
    assert (stored.status, stored.question) == ("issued", draft.question)


@pytest.mark.parametrize(
    "fields",
    [{"pdf": None}, {"pdf_sha256": ""}, {"signed_by": None}, {"signed_at": None}],
    ids=["no-pdf", "no-hash", "no-signer", "no-time"],
)
def test_the_database_refuses_an_issued_letter_without_its_pdf(issued: Letter, fields: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=issued.pk).update(**fields)
    assert Letter.objects.get(pk=issued.pk).pdf is not None


def test_the_database_refuses_a_draft_marked_issued(draft: Letter) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=draft.pk).update(status="issued")


# Admin actions on clinical records are in the app's audit trail


def test_changing_a_patient_in_the_admin_is_audited(operator: User, patient: Patient) -> None:
    client = as_user(operator)
    data = submitted(client.get(url("patient", patient))) | {"phone": "0113 000 0000"}
    assert client.post(url("patient", patient), data).status_code == 302
    event = AuditEvent.objects.get(action="change", object_type="patient")
    assert (event.user, event.patient, event.clinic_id) == (operator, patient, patient.clinic_id)
    assert event.changes == {"phone": ["07700 900123", "0113 000 0000"]}


def test_deleting_a_patient_in_the_admin_is_audited(operator: User, clinic: Any) -> None:
    patient = Patient.objects.create(
        clinic=clinic,
        given_name="Dup",
        family_name="Licate",
        date_of_birth=date(1980, 1, 1),
        sex="male",
        identifier="D1",
    )
    response = as_user(operator).post(url("patient", patient, "delete"), {"post": "yes"})
    assert response.status_code == 302 and not Patient.objects.filter(pk=patient.pk).exists()
    event = AuditEvent.objects.get(action="delete")
    assert (event.object_type, event.object_id, event.clinic_id) == ("patient", str(patient.pk), clinic.pk)


def test_lab_results_changed_in_the_admin_are_audited_row_by_row(operator: User, workup: Workup) -> None:
    client = as_user(operator)
    data = submitted(client.get(url("workup", workup)))
    first, second = LabResult.objects.filter(workup=workup).order_by("position", "id")[:2]
    data["labs-0-value"] = "9.2"  # the HbA1c
    data["labs-1-DELETE"] = "on"
    response = client.post(url("workup", workup), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    events = {(e.action, e.object_type, e.object_id) for e in AuditEvent.objects.filter(user=operator)}
    assert ("change", "labresult", str(first.pk)) in events
    assert ("delete", "labresult", str(second.pk)) in events
    change = AuditEvent.objects.get(action="change", object_type="labresult")
    assert change.changes is not None
    assert change.changes["value"][1] == "9.2" and change.patient_id == workup.patient_id


def test_deleting_a_draft_letter_in_the_admin_is_audited(operator: User, draft: Letter) -> None:
    assert as_user(operator).post(url("letter", draft, "delete"), {"post": "yes"}).status_code == 302
    assert AuditEvent.objects.filter(action="delete", object_type="letter", object_id=str(draft.pk)).exists()


def test_the_admin_refuses_more_lab_rows_than_the_app(operator: User, workup: Workup) -> None:
    client = as_user(operator)
    data = submitted(client.get(url("workup", workup))) | {"labs-TOTAL_FORMS": "99999999"}
    response = client.post(url("workup", workup), data)
    assert response.status_code == 200 and "Please submit at most 60 forms" in response.content.decode()


# Staff given admin access see only their clinic


def test_staff_lists_show_only_their_clinic(staff: User, patient: Patient, other_patient: Patient) -> None:
    client = as_user(staff)
    page = client.get(url("patient")).content.decode()
    assert patient.family_name in page and other_patient.family_name not in page
    assert client.get(url("patient", other_patient)).status_code == 302  # "does not exist", back to the index
    assert Patient.objects.filter(pk=other_patient.pk).exists()


def test_staff_see_only_their_clinics_audit_trail(staff: User, clinic: Any, other_clinic: Any) -> None:
    AuditEvent.objects.create(action="view", username="ours-event", clinic=clinic)
    AuditEvent.objects.create(action="view", username="theirs-event", clinic=other_clinic)
    page = as_user(staff).get(url("auditevent")).content.decode()
    assert "ours-event" in page and "theirs-event" not in page


def test_the_operator_sees_every_clinic(operator: User, patient: Patient, other_patient: Patient) -> None:
    page = as_user(operator).get(url("patient")).content.decode()
    assert patient.family_name in page and other_patient.family_name in page


def test_staff_cannot_grant_themselves_signing_rights_in_the_admin(staff: User) -> None:
    client = as_user(staff)
    data = submitted(client.get(url("user", staff))) | {"is_clinician": "on", "is_superuser": "on", "role": "clinician"}
    assert client.post(url("user", staff), data).status_code == 302
    staff.refresh_from_db()
    assert (staff.is_clinician, staff.is_superuser, staff.role) == (False, False, "clinic_admin")
