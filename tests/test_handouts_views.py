"""Giving the patient's copy from the workup page: who may, what is recorded, and what the letter then says."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from workup import letters
from workup.models import AuditEvent, HandoutGiven, Workup
from workup.services import handouts as services
from workup.services import letters as letter_services

pytestmark = pytest.mark.django_db


def give(client: Any, workup: Any, **data: Any) -> Any:
    return client.post(f"/handouts/workup/{workup.pk}/give/", {"output": "print", **data})


def test_workup_page_offers_the_patients_copy(login: Any, intake: Any, workup: Any) -> None:
    page = login(intake).get(f"/workups/{workup.pk}/").content.decode()
    assert "Print the patient&#x27;s copy" in page or "Print the patient's copy" in page
    assert "Large print (16 pt)" in page and "Patient handout given" not in page


def test_giving_the_copy_is_recorded_audited_and_noted_on_the_workup(login: Any, intake: Any, workup: Any) -> None:
    client = login(intake)
    response = give(client, workup)
    assert response.status_code == 302 and response["Location"] == f"/handouts/workup/{workup.pk}/"
    given = HandoutGiven.objects.get(workup=workup)
    assert given.given_by == intake and not given.large_print and given.ruleset
    assert "When to get help" in given.items and "Look after your feet every day" in given.items
    event = AuditEvent.objects.get(object_type="handout", action="create")
    assert event.user == intake and event.patient == workup.patient and event.object_id == str(given.pk)
    page = client.get(f"/workups/{workup.pk}/").content.decode()
    assert f"Patient handout given on {timezone.localdate():%-d %b}" in page


def test_print_view_is_the_handout_with_a_print_button_and_no_inline_script_or_style(
    login: Any, clinician: Any, workup: Any
) -> None:
    response = login(clinician).get(f"/handouts/workup/{workup.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Margaret Okafor" in page and "When to get help" in page and "0113 496 0000" in page
    assert 'id="print-handout"' in page and "handouts/print.js" in page
    assert "<style" not in page and "onclick" not in page  # the Content-Security-Policy allows neither
    assert AuditEvent.objects.filter(object_type="handout", action="view", user=clinician).exists()


def test_pdf_download_is_a_pdf_without_patient_data_in_its_name(login: Any, intake: Any, workup: Any) -> None:
    response = login(intake).get(f"/handouts/workup/{workup.pk}/pdf/?large=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert "patient-copy-" in disposition and "large-print" in disposition and "Okafor" not in disposition
    assert AuditEvent.objects.filter(object_type="handout", action="download", user=intake).exists()


def test_giving_the_pdf_in_large_print_records_large_print(login: Any, intake: Any, workup: Any) -> None:
    response = give(login(intake), workup, output="pdf", large_print="on")
    assert response["Location"] == f"/handouts/workup/{workup.pk}/pdf/?large=1"
    assert HandoutGiven.objects.get(workup=workup).large_print


def test_another_clinics_clinician_gets_404_and_nothing_is_recorded(
    login: Any, other_clinician: Any, workup: Any
) -> None:
    client = login(other_clinician)
    assert give(client, workup).status_code == 404
    assert client.get(f"/handouts/workup/{workup.pk}/").status_code == 404
    assert client.get(f"/handouts/workup/{workup.pk}/pdf/").status_code == 404
    assert not HandoutGiven.objects.exists()


def test_clinic_administrator_who_does_not_record_is_refused(login: Any, clinic_admin: Any, workup: Any) -> None:
    assert give(login(clinic_admin), workup).status_code == 403


def test_giving_needs_a_post_with_a_valid_choice(login: Any, intake: Any, workup: Any) -> None:
    client = login(intake)
    assert client.get(f"/handouts/workup/{workup.pk}/give/").status_code == 405
    response = give(client, workup, output="fax")
    assert response.status_code == 302 and response["Location"] == f"/workups/{workup.pk}/"
    assert not HandoutGiven.objects.exists()


def test_a_workup_with_problems_has_no_copy_yet(login: Any, intake: Any, patient: Any) -> None:
    empty = Workup.objects.create(patient=patient, created_by=intake, updated_by=intake)
    client = login(intake)
    response = give(client, empty)
    assert response.status_code == 302 and response["Location"] == f"/workups/{empty.pk}/"
    assert not HandoutGiven.objects.exists()
    assert client.get(f"/handouts/workup/{empty.pk}/").status_code == 302


def test_the_letter_lists_what_the_patient_was_given(login: Any, clinician: Any, workup: Any) -> None:
    give(login(clinician), workup)
    (line,) = services.given_summary(workup)
    assert line.startswith("Patient handout given on ") and "Look after your feet every day" in line
    letter = letter_services.unsaved_draft(workup)
    html = letters.render_html(letters.build_context(letter_services.draft_source(letter)))
    assert "Information given to the patient" in html and "Look after your feet every day" in html


def test_a_letter_without_a_handout_given_claims_none_was_given(workup: Any) -> None:
    letter = letter_services.unsaved_draft(workup)
    html = letters.render_html(letters.build_context(letter_services.draft_source(letter)))
    assert "Information given to the patient" in html and "Patient handout given on" not in html
