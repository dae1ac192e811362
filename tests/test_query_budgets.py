"""SQL queries per page stay the same however many workups, results and letters there are (no query per row).

Each test counts one page's queries (the second request: the session is warm), grows the data, and counts again.
More budgets live beside their screens: the worklist against its workups and a search (test_views_worklist), the
workup page against its results (test_views_workup), the letters panel (test_letters_views), /whoami (test_whoami).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workup.models import LabResult, Letter, Patient, Workup
from workup.services import letters as services

pytestmark = pytest.mark.django_db

# The counts today; a change that adds a query per page shows here, one that adds a query per row fails the growth.
WORKLIST_BUDGET = 7
WORKUP_PAGE_BUDGET = 13
DRAFT_LETTER_PAGE_BUDGET = 15
ISSUED_LETTER_PAGE_BUDGET = 7


def queries(client: Any, path: str) -> int:
    client.get(path)  # the first request may refresh the session's expiry
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def add_results(workup: Workup, count: int) -> None:
    """Earlier results of the same test: listed on the page, never the one the engine reads."""
    LabResult.objects.bulk_create(
        LabResult(
            workup=workup,
            position=100 + i,
            test="hba1c",
            value=36,
            unit="mmol/mol",
            collected_on=timezone.localdate() - timedelta(days=400 + i),
        )
        for i in range(count)
    )


def add_workups(workup: Workup, count: int) -> None:
    """Copies of ``workup`` for new patients of the same clinic, each with its results."""
    for n in range(count):
        patient = Patient.objects.get(pk=workup.patient_id)
        patient.pk, patient.identifier = uuid.uuid4(), f"COPY-{n}"
        patient.save(force_insert=True)
        copy = Workup.objects.get(pk=workup.pk)
        copy.pk, copy.patient = uuid.uuid4(), patient
        copy.save(force_insert=True)
        labs = list(workup.labs.all())
        for lab in labs:
            lab.pk, lab.workup = None, copy
        LabResult.objects.bulk_create(labs)


def letter_chain(workup: Workup, clinician: Any, versions: int, *, close: bool = False) -> Letter:
    """A letter issued and corrected until it has ``versions`` versions; the last is an open draft (an addendum),
    or issued too with ``close`` (one open draft per workup and service is all the database allows)."""
    letter = services.create_draft(user=clinician, workup=workup, service="neurology")
    for _ in range(versions - 1):
        issued = services.issue(user=clinician, letter=letter)
        letter = services.create_addendum(user=clinician, letter=issued, reason="Corrected result.")
    return services.issue(user=clinician, letter=letter) if close else letter


def test_worklist_queries_do_not_grow_with_workups_results_or_letters(
    login: Any, clinician: Any, workup: Workup
) -> None:
    client = login(clinician)
    few = queries(client, reverse("worklist"))
    add_workups(workup, 12)
    add_results(workup, 30)
    letter_chain(workup, clinician, 2)
    assert queries(client, reverse("worklist")) == few <= WORKLIST_BUDGET


def test_workup_page_queries_do_not_grow_with_results_or_letters(login: Any, clinician: Any, workup: Workup) -> None:
    client = login(clinician)
    page = reverse("workup_detail", args=[workup.pk])
    letter_chain(workup, clinician, 2, close=True)
    few = queries(client, page)
    add_results(workup, 40)
    letter_chain(workup, clinician, 3, close=True)
    services.create_draft(user=clinician, workup=workup, service="neurology")
    assert Letter.objects.filter(workup=workup).count() == 6
    assert queries(client, page) == few <= WORKUP_PAGE_BUDGET


def test_letter_page_queries_do_not_grow_with_versions_or_results(login: Any, clinician: Any, workup: Workup) -> None:
    client = login(clinician)
    second = letter_chain(workup, clinician, 2)
    few = queries(client, reverse("letter_detail", args=[second.pk]))
    issued_few = queries(client, reverse("letter_detail", args=[second.amends_id]))
    sixth = second
    for _ in range(4):
        sixth = services.create_addendum(
            user=clinician, letter=services.issue(user=clinician, letter=sixth), reason="Corrected again."
        )
    add_results(workup, 40)
    assert sixth.version == 6
    assert queries(client, reverse("letter_detail", args=[sixth.pk])) == few <= DRAFT_LETTER_PAGE_BUDGET
    assert queries(client, reverse("letter_detail", args=[sixth.amends_id])) == issued_few <= ISSUED_LETTER_PAGE_BUDGET
