"""The record screens: medicines and allergies edited on the patient, demographics corrected, workups closed or copied."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import stored_bytes
from workup.models import AuditEvent, LabResult, Medication, Patient, Workup
from workup.services import letters
from workup.services.workups import WorkupClosed, close_workup, create_workup, save_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def medicines(db: Any) -> None:
    call_command("loaddata", "medicines", verbosity=0)


def record_url(patient: Patient) -> str:
    return reverse("patient_record", args=[patient.pk])


# The record page


def test_a_medicine_added_on_the_record_shows_on_the_workup_page(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    response = client.post(
        reverse("record_entry_add", args=[workup.patient_id, "medication"]),
        {"medication-name": "Metformin", "medication-dose": "500 mg", "medication-frequency": "twice a day"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#record-medication")
    page = client.get(reverse("workup_detail", args=[workup.pk])).content.decode()
    assert "Metformin, 500 mg, twice a day" in page


def test_the_record_page_says_not_asked_until_answered(login: Any, intake: Any, patient: Patient) -> None:
    page = login(intake).get(record_url(patient)).content.decode()
    assert page.count("Not asked") >= 3 and "No known allergies" in page  # the button that answers it


def test_no_known_allergies_button_records_the_answer(login: Any, intake: Any, patient: Patient) -> None:
    client = login(intake)
    client.post(reverse("record_none", args=[patient.pk, "allergy"]))
    assert Patient.objects.get(pk=patient.pk).allergies_status == "none_known"
    detail = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "No known allergies" in detail


def test_a_medicine_in_the_future_is_refused_with_the_reason(login: Any, intake: Any, patient: Patient) -> None:
    response = login(intake).post(
        reverse("record_entry_add", args=[patient.pk, "medication"]),
        {"medication-name": "Metformin", "medication-started_on": "2999-01-01"},
    )
    assert response.status_code == 422 and "in the future" in response.content.decode()
    assert not Medication.objects.exists()


def test_invisible_characters_are_refused_in_a_medicine_name(login: Any, intake: Any, patient: Patient) -> None:
    response = login(intake).post(
        reverse("record_entry_add", args=[patient.pk, "medication"]), {"medication-name": "Metformin\u202e"}
    )
    assert response.status_code == 422 and not Medication.objects.exists()


def test_a_medicine_is_edited_and_removed(login: Any, intake: Any, patient: Patient) -> None:
    med = Medication.objects.create(patient=patient, name="Metformin", dose="500 mg")
    client = login(intake)
    page = client.get(record_url(patient) + f"?edit=medication:{med.pk}").content.decode()
    assert 'value="500 mg"' in page
    client.post(
        reverse("record_entry_edit", args=["medication", med.pk]),
        {"edit-medication-name": "Metformin", "edit-medication-dose": "1 g"},
    )
    assert Medication.objects.get(pk=med.pk).dose == "1 g"
    client.post(reverse("record_entry_remove", args=["medication", med.pk]))
    assert not Medication.objects.exists()


def test_another_clinics_record_answers_404(login: Any, other_clinician: Any, patient: Patient) -> None:
    med = Medication.objects.create(patient=patient, name="Metformin")
    client = login(other_clinician)
    assert client.get(record_url(patient)).status_code == 404
    assert client.post(reverse("record_entry_remove", args=["medication", med.pk])).status_code == 404
    assert client.post(reverse("record_none", args=[patient.pk, "allergy"])).status_code == 404
    assert client.get(record_url(patient) + "?edit=medication:" + str(med.pk)).status_code == 404
    assert Medication.objects.filter(pk=med.pk).exists()


def test_a_clinic_administrator_cannot_edit_the_record(login: Any, clinic_admin: Any, patient: Patient) -> None:
    response = login(clinic_admin).post(
        reverse("record_entry_add", args=[patient.pk, "allergy"]), {"allergy-substance": "Latex"}
    )
    assert response.status_code == 403


def test_social_history_is_saved_from_its_form(login: Any, intake: Any, patient: Patient) -> None:
    login(intake).post(
        reverse("record_social", args=[patient.pk]),
        {
            "social-smoking_status": "current",
            "social-occupation": "  Welder ",
            "social-family_history_neuropathy": "True",
        },
    )
    saved = Patient.objects.get(pk=patient.pk)
    assert (saved.smoking_status, saved.occupation, saved.family_history_neuropathy) == ("current", "Welder", True)


# Demographics


def test_demographics_are_corrected_and_audited_before_and_after(login: Any, intake: Any, patient: Patient) -> None:
    data = {
        "given_name": "Margaret",
        "family_name": "Okafor-Smith",
        "date_of_birth": "1961-03-15",
        "sex": "female",
        "identifier": "943 476 5919",
    }
    response = login(intake).post(reverse("patient_edit", args=[patient.pk]), data)
    assert response.status_code == 302
    saved = Patient.objects.get(pk=patient.pk)
    assert (saved.family_name, saved.date_of_birth) == ("Okafor-Smith", date(1961, 3, 15))
    event = AuditEvent.objects.get(action="change", object_type="patient")
    assert event.changes is not None
    assert event.changes["family_name"] == ["Okafor", "Okafor-Smith"]
    assert event.changes["date_of_birth"] == ["1961-03-14", "1961-03-15"]
    assert "identifier" not in event.changes


def test_an_identifier_of_another_patient_is_refused(login: Any, intake: Any, patient: Patient, clinic: Any) -> None:
    Patient.objects.create(
        clinic=clinic, given_name="B", family_name="C", date_of_birth=date(1950, 1, 1), sex="male", identifier="MRN-7"
    )
    data = {"given_name": "Margaret", "family_name": "Okafor", "date_of_birth": "1961-03-14", "sex": "female"}
    response = login(intake).post(reverse("patient_edit", args=[patient.pk]), {**data, "identifier": "mrn 7"})
    assert response.status_code == 200 and "already registered" in response.content.decode()


def test_a_valid_nhs_number_is_labelled_as_one(login: Any, intake: Any, patient: Patient) -> None:
    page = login(intake).get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "NHS number 943 476 5919" in page
    Patient.objects.filter(pk=patient.pk).update(identifier="943 476 5918")  # fails the Modulus 11 check
    page = login(intake).get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Identifier 943 476 5918" in page and "NHS number" not in page


def test_an_issued_letter_keeps_the_demographics_it_was_signed_with(
    workup: Workup, intake: Any, clinician: Any
) -> None:
    from tests.test_letters_services import pdf_text
    from workup.services.workups import update_patient

    letter = letters.issue(user=clinician, letter=letters.create_draft(user=intake, workup=workup, service="neurology"))
    update_patient(
        user=intake, patient=workup.patient, data={"family_name": "Renamed", "date_of_birth": date(1962, 1, 2)}
    )
    stored = Workup.objects.get(pk=workup.pk).letters.get(pk=letter.pk)
    text = pdf_text(letters.stored_pdf(stored))
    assert "OKAFOR" in text.upper() and "RENAMED" not in text.upper() and "1961" in text
    fhir = stored_bytes(stored.fhir_document).decode()
    assert "Okafor" in fhir and "1961-03-14" in fhir and "Renamed" not in fhir


# Closing a workup


def test_closing_needs_a_reason(login: Any, intake: Any, workup: Workup) -> None:
    response = login(intake).post(reverse("workup_close", args=[workup.pk]), {"closed_as": "completed", "reason": " "})
    assert response.status_code == 200 and not Workup.objects.get(pk=workup.pk).is_closed


def test_a_closed_workup_leaves_the_worklist_but_stays_readable(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(reverse("workup_close", args=[workup.pk]), {"closed_as": "entered_in_error", "reason": "Wrong patient"})
    closed = Workup.objects.get(pk=workup.pk)
    assert (closed.closed_as, closed.closed_reason, closed.closed_by) == ("entered_in_error", "Wrong patient", intake)
    assert AuditEvent.objects.filter(action="close", object_id=str(workup.pk)).exists()
    assert str(workup.pk) not in client.get(reverse("worklist")).content.decode()
    assert str(workup.pk) in client.get(reverse("worklist") + "?state=closed").content.decode()
    page = client.get(reverse("workup_detail", args=[workup.pk])).content.decode()
    assert "Closed: entered in error" in page and "Wrong patient" in page


def test_a_closed_workup_cannot_be_changed(login: Any, intake: Any, workup: Workup) -> None:
    close_workup(user=intake, workup=workup, closed_as="completed", reason="Done")
    response = login(intake).post(
        reverse("workup_section", args=[workup.pk, "history"]),
        {"history-version": workup.history_version, "history-diabetes": "not_known"},
    )
    assert response.status_code == 302
    assert Workup.objects.get(pk=workup.pk).diabetes == "known"
    with pytest.raises(WorkupClosed):
        save_section(
            user=intake, workup=workup, section="exam", data={"romberg": "positive"}, version=workup.exam_version
        )
    with pytest.raises(WorkupClosed):
        close_workup(user=intake, workup=workup, closed_as="entered_in_error", reason="Again")


# A new workup from the previous one


def test_a_new_workup_copies_the_previous_one_but_never_its_results(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(reverse("workup_new", args=[workup.patient_id]), {"copy_previous": "1"})
    new = Workup.objects.exclude(pk=workup.pk).get()
    assert (new.diabetes, new.ankle_reflex_left, new.areas) == (workup.diabetes, workup.ankle_reflex_left, workup.areas)
    assert not new.labs.exists() and LabResult.objects.filter(workup=workup).count() == 3
    page = client.get(reverse("workup_detail", args=[new.pk])).content.decode()
    assert "Latest results from earlier workups" in page and "02 Nov 2026" in page


def test_a_new_workup_without_copy_starts_empty(intake: Any, workup: Workup) -> None:
    new = create_workup(user=intake, patient=workup.patient)
    assert new.diabetes == "" and new.ankle_reflex_left is None


def test_a_workup_entered_in_error_is_not_copied(login: Any, intake: Any, workup: Workup) -> None:
    close_workup(user=intake, workup=workup, closed_as="entered_in_error", reason="Wrong patient")
    login(intake).post(reverse("workup_new", args=[workup.patient_id]), {"copy_previous": "1"})
    assert Workup.objects.exclude(pk=workup.pk).get().diabetes == ""
