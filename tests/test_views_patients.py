"""Registering a patient (with duplicate detection), the patient page, and starting a workup."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from workup.models import AuditEvent, Patient, Workup

pytestmark = pytest.mark.django_db
NEW = reverse("patient_new")


def new_patient(**fields: Any) -> dict[str, Any]:
    data = {
        "given_name": "Joan",
        "family_name": "Adebayo",
        "date_of_birth": "1958-07-02",
        "sex": "female",
        "identifier": "485 777 3456",
        "address": "4 Elm Row",
        "phone": "",
        "gp_practice": "Riverside Surgery",
    }
    data.update(fields)
    return data


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_registering_a_patient_opens_their_page(login: Any, intake: Any) -> None:
    response = login(intake).post(NEW, new_patient(given_name="  Joan ", family_name="Adebayo"))
    patient = Patient.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("patient_detail", args=[patient.pk])
    assert patient.clinic_id == intake.clinic_id and patient.given_name == "Joan"
    assert AuditEvent.objects.filter(action="create", object_type="patient", object_id=str(patient.pk)).exists()


def test_new_patient_form_is_labelled(login: Any, intake: Any) -> None:
    page = text(login(intake).get(NEW))
    assert '<label for="id_date_of_birth"' in page and 'type="date"' in page
    assert "MRN or NHS number" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("given_name", "", "Enter the patient&#x27;s given name."),
        ("family_name", "", "Enter the patient&#x27;s family name."),
        ("date_of_birth", "", "Enter the date of birth."),
        ("date_of_birth", "not a date", "Enter the date of birth as a date."),
        ("date_of_birth", "1890-01-01", "would make the patient older than 120"),
        ("sex", "", "Choose the patient&#x27;s sex as recorded."),
        ("identifier", "", "Enter the MRN or NHS number."),
    ],
)
def test_patient_errors_are_shown_beside_their_field(
    login: Any, intake: Any, field: str, value: str, message: str
) -> None:
    response = login(intake).post(NEW, new_patient(**{field: value}))
    page = text(response)
    assert response.status_code == 200 and message in page and f'id="id_{field}_error"' in page
    assert 'value="485 777 3456"' in page or field == "identifier"  # what was typed is kept
    assert not Patient.objects.exists()


def test_birth_date_in_the_future_is_refused(login: Any, intake: Any) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = text(login(intake).post(NEW, new_patient(date_of_birth=tomorrow.isoformat())))
    assert "is in the future: enter the date of birth" in page


@pytest.mark.parametrize("identifier", ["943 476 5919", "9434765919", "943-476-5919"])
def test_known_identifier_is_refused_with_a_link_to_the_patient(
    login: Any, intake: Any, patient: Any, identifier: str
) -> None:
    page = text(login(intake).post(NEW, new_patient(identifier=identifier)))
    assert "already registered in this clinic" in page
    assert reverse("patient_detail", args=[patient.pk]) in page
    assert Patient.objects.count() == 1


def test_same_identifier_in_another_clinic_is_allowed(login: Any, other_clinician: Any, patient: Any) -> None:
    response = login(other_clinician).post(NEW, new_patient(identifier=patient.identifier))
    assert response.status_code == 302 and Patient.objects.count() == 2


def test_same_name_and_birth_date_asks_for_confirmation(login: Any, intake: Any, patient: Any) -> None:
    client = login(intake)
    twin = new_patient(given_name="margaret", family_name="OKAFOR", date_of_birth="1961-03-14")
    page = text(client.post(NEW, twin))
    assert "A patient with this name and date of birth is already registered" in page
    assert 'id="id_confirm_different_error"' in page and reverse("patient_detail", args=[patient.pk]) in page
    assert Patient.objects.count() == 1
    response = client.post(NEW, twin | {"confirm_different": "on"})
    assert response.status_code == 302 and Patient.objects.count() == 2


def test_clinic_admin_cannot_register_patients(login: Any, clinic_admin: Any) -> None:
    assert login(clinic_admin).post(NEW, new_patient()).status_code == 403
    assert not Patient.objects.exists()


def test_registering_needs_login(client: Any) -> None:
    assert client.get(NEW).status_code == 302


# The patient page


def test_patient_page_lists_workups_and_is_audited(login: Any, intake: Any, patient: Any, workup: Any) -> None:
    page = text(login(intake).get(reverse("patient_detail", args=[patient.pk])))
    assert "OKAFOR, Margaret" in page and "14 Mar 1961" in page
    assert reverse("workup_detail", args=[workup.pk]) in page
    assert AuditEvent.objects.filter(action="view", object_type="patient", object_id=str(patient.pk)).exists()


def test_another_clinics_patient_is_not_found(login: Any, other_clinician: Any, patient: Any) -> None:
    client = login(other_clinician)
    assert client.get(reverse("patient_detail", args=[patient.pk])).status_code == 404
    assert client.post(reverse("workup_new", args=[patient.pk])).status_code == 404
    assert not Workup.objects.exists()


def test_clinic_admin_cannot_open_a_patient(login: Any, clinic_admin: Any, patient: Any) -> None:
    assert login(clinic_admin).get(reverse("patient_detail", args=[patient.pk])).status_code == 403


def test_unknown_patient_is_not_found(login: Any, intake: Any) -> None:
    url = reverse("patient_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert login(intake).get(url).status_code == 404


# Starting a workup


def test_starting_a_workup_opens_it_not_started(login: Any, intake: Any, patient: Any) -> None:
    response = login(intake).post(reverse("workup_new", args=[patient.pk]))
    workup = Workup.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workup_detail", args=[workup.pk])
    assert workup.created_by == intake and workup.stage == "" and workup.urgency_rank == 3


def test_starting_a_workup_needs_a_post(login: Any, intake: Any, patient: Any) -> None:
    assert login(intake).get(reverse("workup_new", args=[patient.pk])).status_code == 405
    assert not Workup.objects.exists()
