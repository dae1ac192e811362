"""The worklist: the clinic's workups, most urgent first; search kept out of URLs; stage and urgency filters."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workup.models import URGENCY_RANK, Patient, Workup

pytestmark = pytest.mark.django_db
WORKLIST = reverse("worklist")


def make_workup(patient: Any, user: Any, *, stage: str = "", urgency: str = "", **fields: Any) -> Workup:
    return Workup.objects.create(
        patient=patient,
        created_by=user,
        updated_by=user,
        stage=stage,
        urgency=urgency,
        urgency_rank=URGENCY_RANK[urgency],
        **fields,
    )


def make_patient(clinic: Any, n: int, **fields: Any) -> Patient:
    data = {
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "date_of_birth": date(1950, 1, 1 + n % 28),
        "sex": "male",
        "identifier": f"ID-{n:04d}",
    }
    data.update(fields)
    return Patient.objects.create(clinic=clinic, **data)


def rows(response: Any) -> list[str]:
    """Patient names in worklist order."""
    return re.findall(r'<a class="fw-semibold" href="/workups/[^"]+/">([^<]+)</a>', response.content.decode())


def test_worklist_lists_clinic_workups_with_age_urgency_and_stage(login: Any, intake: Any, workup: Any) -> None:
    workup.stage, workup.urgency = "manage", "routine"
    workup.save()
    page = login(intake).get(WORKLIST).content.decode()
    assert "OKAFOR, Margaret" in page and "14 Mar 1961" in page
    assert "badge-routine" in page and "Manage in primary care" in page


def test_emergencies_then_urgent_workups_sort_first(login: Any, intake: Any, clinic: Any) -> None:
    for n, urgency in enumerate(["routine", "", "emergency", "urgent", "routine"]):
        make_workup(make_patient(clinic, n), intake, urgency=urgency, stage="exam" if urgency else "")
    names = rows(login(intake).get(WORKLIST))
    assert names[:2] == ["FAMILY2, Given2", "FAMILY3, Given3"]
    assert names[-1] == "FAMILY1, Given1"  # not yet assessed: last


def test_workup_without_presentation_shows_not_started(login: Any, intake: Any, patient: Any) -> None:
    make_workup(patient, intake)
    assert "Not started" in login(intake).get(WORKLIST).content.decode()


def test_another_clinics_workups_are_not_listed(login: Any, other_clinician: Any, workup: Any) -> None:
    assert "OKAFOR" not in login(other_clinician).get(WORKLIST).content.decode()


def test_worklist_needs_login(client: Any) -> None:
    response = client.get(WORKLIST)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_clinic_admin_without_clinical_role_goes_to_staff_screen(login: Any, clinic_admin: Any) -> None:
    response = login(clinic_admin).get(WORKLIST)
    assert response.status_code == 302 and response["Location"] == reverse("clinic_staff")


def test_user_without_clinic_is_refused(login: Any, db: Any) -> None:
    from workup.models import User

    loner = User.objects.create_user(username="loner", password="x-long-password-1", role="clinician")
    assert login(loner).get(WORKLIST).status_code == 403


def test_clinic_admin_who_is_a_clinician_sees_the_worklist(login: Any, clinic: Any) -> None:
    from tests.factories import make_user

    doctor_admin = make_user("dora_admin", clinic, "clinic_admin", is_clinician=True)
    assert login(doctor_admin).get(WORKLIST).status_code == 200


# Search: posted, kept in the session, never in the URL


@pytest.mark.parametrize(
    "term", ["okafor", "Margaret Okafor", "943 476 5919", "9434765919", "14/03/1961", "1961-03-14"]
)
def test_search_finds_patient_by_name_identifier_or_birth_date(
    login: Any, intake: Any, clinic: Any, workup: Any, term: str
) -> None:
    make_workup(make_patient(clinic, 1), intake)
    client = login(intake)
    response = client.post(WORKLIST, {"q": term})
    assert response.status_code == 302 and term not in response["Location"]
    assert rows(client.get(response["Location"])) == ["OKAFOR, Margaret"]


def test_search_term_stays_out_of_the_url_and_the_session_keeps_it(login: Any, intake: Any, workup: Any) -> None:
    client = login(intake)
    response = client.post(WORKLIST, {"q": "Okafor", "stage": "exam"})
    assert response["Location"] == f"{WORKLIST}?stage=exam"
    assert client.session["worklist_search"] == "Okafor"


def test_clear_search_shows_every_workup_again(login: Any, intake: Any, clinic: Any, workup: Any) -> None:
    make_workup(make_patient(clinic, 1), intake)
    client = login(intake)
    client.post(WORKLIST, {"q": "Okafor"})
    client.post(WORKLIST, {"q": "Okafor", "clear": "1"})
    assert len(rows(client.get(WORKLIST))) == 2


def test_search_lists_matching_patients_without_a_workup(login: Any, intake: Any, clinic: Any) -> None:
    make_patient(clinic, 7, family_name="Nowak")
    client = login(intake)
    client.post(WORKLIST, {"q": "nowak"})
    page = client.get(WORKLIST).content.decode()
    assert "NOWAK, Given7" in page and "No workup matches" in page


def test_search_without_match_offers_to_register(login: Any, intake: Any, workup: Any) -> None:
    client = login(intake)
    client.post(WORKLIST, {"q": "Zebedee"})
    page = client.get(WORKLIST).content.decode()
    assert "No patient matches" in page and reverse("patient_new") in page


def test_search_never_reaches_another_clinic(login: Any, other_clinician: Any, workup: Any) -> None:
    client = login(other_clinician)
    client.post(WORKLIST, {"q": "Okafor"})
    page = client.get(WORKLIST).content.decode()
    assert "OKAFOR" not in page


# Filters


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=exam", ["FAMILY1, Given1"]),
        ("urgency=urgent", ["FAMILY2, Given2"]),
        ("stage=not_started", ["FAMILY3, Given3"]),
        ("stage=refer&urgency=urgent", ["FAMILY2, Given2"]),
        ("stage=nonsense", ["FAMILY2, Given2", "FAMILY1, Given1", "FAMILY3, Given3"]),
    ],
)
def test_filter_by_stage_and_urgency(login: Any, intake: Any, clinic: Any, query: str, expected: list[str]) -> None:
    make_workup(make_patient(clinic, 1), intake, stage="exam", urgency="routine")
    make_workup(make_patient(clinic, 2), intake, stage="refer", urgency="urgent")
    make_workup(make_patient(clinic, 3), intake)
    assert rows(login(intake).get(f"{WORKLIST}?{query}")) == expected


def test_pages_of_25_keep_the_filters(login: Any, intake: Any, clinic: Any) -> None:
    for n in range(30):
        make_workup(make_patient(clinic, n), intake, stage="exam", urgency="routine")
    client = login(intake)
    first = client.get(f"{WORKLIST}?stage=exam")
    assert len(rows(first)) == 25 and "?stage=exam&amp;page=2" in first.content.decode()
    assert len(rows(client.get(f"{WORKLIST}?stage=exam&page=2"))) == 5


def test_page_number_out_of_range_shows_last_page(login: Any, intake: Any, workup: Any) -> None:
    assert rows(login(intake).get(f"{WORKLIST}?page=99")) == ["OKAFOR, Margaret"]


# Query budget


def worklist_queries(client: Any) -> int:
    client.get(WORKLIST)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(WORKLIST).status_code == 200
    return len(captured.captured_queries)


def test_worklist_queries_do_not_grow_with_workups(login: Any, intake: Any, clinic: Any) -> None:
    client = login(intake)
    for n in range(2):
        make_workup(make_patient(clinic, n), intake, stage="exam", urgency="routine")
    few = worklist_queries(client)
    for n in range(2, 30):
        make_workup(make_patient(clinic, n), intake, stage="exam", urgency="routine")
    assert worklist_queries(client) == few


def test_worklist_query_budget_with_search(
    login: Any, intake: Any, clinic: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        make_workup(make_patient(clinic, n, family_name="Smith"), intake, stage="exam", urgency="routine")
    client = login(intake)
    client.post(WORKLIST, {"q": "smith"})
    client.get(WORKLIST)
    with django_assert_max_num_queries(10):
        client.get(WORKLIST)
