"""Preparing, signing and correcting letters: what is stored, what can never change, and what fails safely."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from tests.factories import stored_bytes, variant
from workup import rules
from workup.models import AuditEvent, Letter, Workup
from workup.services import letters as services
from workup.services.workups import evaluate_workup

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def draft(workup: Workup, intake: Any) -> Letter:
    """A draft prepared by intake staff, as the issue allows."""
    return services.create_draft(user=intake, workup=workup, service="neurology")


@pytest.fixture
def issued(draft: Letter, clinician: Any) -> Letter:
    return services.issue(user=clinician, letter=draft)


def actions(letter: Letter) -> list[str]:
    return list(AuditEvent.objects.filter(object_id=str(letter.pk)).order_by("id").values_list("action", flat=True))


# Drafts


def test_draft_is_addressed_as_the_engine_recommends(draft: Letter) -> None:
    assert (draft.kind, draft.service, draft.urgency, draft.status, draft.version) == (
        "referral",
        "neurology",
        "urgent",
        "draft",
        1,
    )
    assert draft.question.endswith("please arrange nerve conduction studies (NCS) and electromyography (EMG).")
    assert re.fullmatch(r"WU-\d{8}-[0-9A-F]{6}", draft.reference)
    assert actions(draft) == ["create"]


def test_preparing_the_same_referral_twice_points_to_the_open_draft(draft: Letter, workup: Workup, intake: Any) -> None:
    with pytest.raises(services.OpenDraftExists) as refused:
        services.create_draft(user=intake, workup=workup, service="neurology")
    assert refused.value.letter == draft
    assert Letter.objects.count() == 1


def test_no_letter_for_a_service_the_engine_does_not_recommend(workup: Workup, intake: Any) -> None:
    with pytest.raises(services.NoReferral, match="does not lead to a referral to podiatry"):
        services.create_draft(user=intake, workup=workup, service="podiatry")
    assert not Letter.objects.exists()


def test_no_letter_before_the_workup_reaches_a_referral(workup: Workup, intake: Any) -> None:
    unexamined = variant(workup, lambda c: c.update(exam={"ankle_reflex": {"left": 1, "right": 1}}))
    recommendation = evaluate_workup(unexamined).recommendation
    assert recommendation is not None and recommendation["stage"] == "exam"
    with pytest.raises(services.NoReferral):
        services.create_draft(user=intake, workup=unexamined, service="neurology")


def test_intake_can_edit_the_question_and_free_text_of_a_draft(draft: Letter, intake: Any) -> None:
    services.update_draft(
        user=intake, letter=draft, question="Please assess for CIDP.", free_text="Lives alone.", draft_version=0
    )
    draft.refresh_from_db()
    assert (draft.question, draft.free_text, draft.draft_version) == ("Please assess for CIDP.", "Lives alone.", 1)
    change = AuditEvent.objects.get(object_id=str(draft.pk), action="change")
    assert change.changes is not None
    assert change.changes["question"][1] == "Please assess for CIDP."


def test_a_stale_draft_save_is_refused_not_applied(draft: Letter, intake: Any, clinician: Any) -> None:
    services.update_draft(user=clinician, letter=draft, question="First.", free_text="", draft_version=0)
    with pytest.raises(services.StaleDraft):
        services.update_draft(user=intake, letter=draft, question="Second.", free_text="", draft_version=0)
    draft.refresh_from_db()
    assert draft.question == "First."


# Signing and issuing


def test_issuing_stores_the_exact_pdf_its_hash_and_the_snapshot(issued: Letter, clinician: Any, workup: Workup) -> None:
    stored = Letter.objects.get(pk=issued.pk)
    data = stored_bytes(stored.pdf)
    assert data.startswith(b"%PDF-")
    assert stored.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert stored.pages == len(PdfReader(io.BytesIO(data)).pages)
    assert (stored.status, stored.signed_by, stored.ruleset) == ("issued", clinician, rules.RULESET)
    assert stored.signed_at is not None
    assert stored.recommendation == evaluate_workup(workup).recommendation
    assert stored.case is not None and stored.case["presentation"]["areas"] == ["toes", "sole"]
    assert actions(stored) == ["create", "sign"]


def test_every_later_download_is_byte_identical(issued: Letter) -> None:
    first = services.stored_pdf(Letter.objects.get(pk=issued.pk))
    second = services.stored_pdf(Letter.objects.get(pk=issued.pk))
    assert first == second == stored_bytes(issued.pdf)


def test_issued_letter_does_not_follow_later_changes_to_the_record(issued: Letter, workup: Workup) -> None:
    before = stored_bytes(issued.pdf)
    workup.patient.family_name = "Renamed"
    workup.patient.save()
    assert services.stored_pdf(Letter.objects.get(pk=issued.pk)) == before


def test_intake_staff_cannot_sign(draft: Letter, intake: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.issue(user=intake, letter=draft)
    assert Letter.objects.get(pk=draft.pk).status == "draft"


def test_a_signed_letter_cannot_be_changed(issued: Letter, clinician: Any) -> None:
    with pytest.raises(services.LetterLocked):
        services.update_draft(user=clinician, letter=issued, question="Changed.", free_text="", draft_version=0)
    with pytest.raises(services.LetterLocked):
        services.issue(user=clinician, letter=issued)
    stored = Letter.objects.get(pk=issued.pk)
    assert stored.question == issued.question
    assert stored.pdf_sha256 == issued.pdf_sha256


def test_signing_what_someone_changed_since_reading_is_refused(draft: Letter, intake: Any, clinician: Any) -> None:
    services.update_draft(user=intake, letter=draft, question="Changed.", free_text="", draft_version=0)
    with pytest.raises(services.StaleDraft):
        services.issue(user=clinician, letter=draft, draft_version=0)
    assert Letter.objects.get(pk=draft.pk).status == "draft"


def test_a_rendering_failure_issues_nothing(draft: Letter, clinician: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr("weasyprint.document.Document.write_pdf", broken)
    with pytest.raises(services.IssueFailed, match=r"Nothing was issued.*disk full"):
        services.issue(user=clinician, letter=draft)
    stored = Letter.objects.get(pk=draft.pk)
    assert (stored.status, stored.pdf, stored.pdf_sha256, stored.signed_by, stored.signed_at) == (
        "draft",
        None,
        "",
        None,
        None,
    )
    assert "sign" not in actions(stored)


def test_a_letter_whose_referral_no_longer_follows_is_not_signed(draft: Letter, clinician: Any) -> None:
    workup = draft.workup
    workup.power_ankle_plantarflexion_right = 5
    workup.save()
    with pytest.raises(services.NoReferral, match="no longer leads to a referral to neurology"):
        services.issue(user=clinician, letter=draft)
    assert Letter.objects.get(pk=draft.pk).status == "draft"


def test_tampered_pdf_bytes_are_withheld(issued: Letter) -> None:
    Letter.objects.filter(pk=issued.pk).update(pdf=b"%PDF-1.7 forged")
    with pytest.raises(services.PdfTampered, match="does not match the SHA-256 recorded when it was signed"):
        services.stored_pdf(Letter.objects.get(pk=issued.pk))
    assert "integrity_failed" in actions(issued)


# Addenda


def test_an_addendum_is_a_new_version_that_refers_to_the_one_it_amends(issued: Letter, clinician: Any) -> None:
    addendum = services.create_addendum(user=clinician, letter=issued, reason="HbA1c corrected by the laboratory.")
    assert (addendum.version, addendum.amends, addendum.status) == (2, issued, "draft")
    assert addendum.reference == f"{issued.reference}-v2"
    assert addendum.addendum_reason == "HbA1c corrected by the laboratory."
    assert addendum.question == issued.question
    assert actions(addendum) == ["amend"]


def test_an_issued_addendum_keeps_both_versions(issued: Letter, clinician: Any) -> None:
    first_bytes = stored_bytes(issued.pdf)
    addendum = services.create_addendum(user=clinician, letter=issued, reason="HbA1c corrected by the laboratory.")
    second = services.issue(user=clinician, letter=addendum)
    text = pdf_text(stored_bytes(second.pdf))
    assert "ADDENDUM TO VERSION 1" in text
    assert "(addendum to version 1)" in text
    assert "Reason for this addendum: HbA1c corrected by the laboratory." in text
    assert f"Ref {issued.reference} · version 2" in text
    assert services.stored_pdf(Letter.objects.get(pk=issued.pk)) == first_bytes
    assert [(v.version, v.status) for v in services.chain(second)] == [(1, "issued"), (2, "issued")]
    assert services.pdf_filename(second) == f"{issued.reference}-v2.pdf"


def test_only_the_latest_issued_version_can_be_amended(issued: Letter, clinician: Any) -> None:
    services.create_addendum(user=clinician, letter=issued, reason="First correction.")
    with pytest.raises(services.LetterError, match="Version 2 is being drafted"):
        services.create_addendum(user=clinician, letter=issued, reason="Second correction.")


def test_a_draft_is_corrected_directly_not_by_addendum(draft: Letter, clinician: Any) -> None:
    with pytest.raises(services.LetterError, match="change the draft itself"):
        services.create_addendum(user=clinician, letter=draft, reason="x")


def test_filename_carries_no_patient_data(draft: Letter) -> None:
    assert services.pdf_filename(draft) == f"{draft.reference}-v1-DRAFT.pdf"
    assert "okafor" not in services.pdf_filename(draft).lower()
