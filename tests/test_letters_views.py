"""The letter screens: who may prepare, preview, sign and download, and what each screen shows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import stored_bytes, variant
from workup.models import AuditEvent, Letter, Workup
from workup.services import letters as services
from workup.services.workups import evaluate_workup

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def unexamined(workup: Workup) -> Workup:
    return variant(workup, lambda c: c.update(exam={"ankle_reflex": {"left": 1, "right": 1}}))


@pytest.fixture
def draft(workup: Workup, intake: Any) -> Letter:
    return services.create_draft(user=intake, workup=workup, service="neurology")


@pytest.fixture
def issued(draft: Letter, clinician: Any) -> Letter:
    return services.issue(user=clinician, letter=draft)


def url(name: str, letter: Letter) -> str:
    return reverse(name, kwargs={"letter_id": letter.pk})


def sign_data(client: Any, letter: Letter) -> dict[str, Any]:
    """What the sign form on the letter's page posts: the box ticked, and the preview the clinician read."""
    form = client.get(url("letter_detail", letter)).context["sign_form"]
    return {"confirm": "on", "draft_version": form.initial["draft_version"], "preview": form.initial["preview"]}


# Preparing a letter


def test_intake_prepares_a_draft_for_the_recommended_referral(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    page = client.get(reverse("letter_new", kwargs={"workup_id": workup.pk}))
    assert page.status_code == 200
    assert "Neurology (urgent)" in text(page)
    response = client.post(reverse("letter_new", kwargs={"workup_id": workup.pk}), {"service": "neurology"})
    letter = Letter.objects.get()
    assert response["Location"] == url("letter_detail", letter)
    assert (letter.created_by, letter.service) == (intake, "neurology")


def test_without_a_referral_the_page_explains_and_offers_no_letter(login: Any, intake: Any, workup: Workup) -> None:
    workup = unexamined(workup)
    client = login(intake)
    page = text(client.get(reverse("letter_new", kwargs={"workup_id": workup.pk})))
    assert "No referral to make yet" in page
    assert "stage <strong>Examination</strong>" in page
    assert "Prepare the letter" not in page
    client.post(reverse("letter_new", kwargs={"workup_id": workup.pk}), {"service": "neurology"})
    assert not Letter.objects.exists()


def test_another_clinic_sees_nothing(login: Any, other_clinician: Any, draft: Letter) -> None:
    client = login(other_clinician)
    for name in ("letter_detail", "letter_edit", "letter_pdf", "letter_addendum"):
        assert client.get(url(name, draft)).status_code == 404
    assert client.post(url("letter_sign", draft), {"confirm": "on", "draft_version": 0}).status_code == 404
    assert client.get(reverse("letter_new", kwargs={"workup_id": draft.workup_id})).status_code == 404


def test_letters_need_a_login(client: Any, draft: Letter) -> None:
    response = client.get(url("letter_detail", draft))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Preview and edit


def test_draft_page_previews_the_letter_without_inline_styles_or_scripts(
    login: Any, intake: Any, draft: Letter
) -> None:
    response = login(intake).get(url("letter_detail", draft))
    body = text(response)
    assert response.status_code == 200
    assert "Margaret OKAFOR" in body and "QUESTION FOR THE SPECIALIST".lower() in body.lower()
    assert "Ankle reflex (NINDS 0-4)" in body
    assert 'href="/static/letters/letter.css"' in body
    assert " style=" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert "Sign and issue" not in body  # intake cannot sign
    assert AuditEvent.objects.filter(action="view", object_id=str(draft.pk)).exists()


def test_clinician_sees_the_sign_form_on_a_draft(login: Any, clinician: Any, draft: Letter) -> None:
    assert "Sign and issue" in text(login(clinician).get(url("letter_detail", draft)))


def test_editing_a_draft_saves_the_question_and_text(login: Any, intake: Any, draft: Letter) -> None:
    client = login(intake)
    assert client.get(url("letter_edit", draft)).status_code == 200
    response = client.post(
        url("letter_edit", draft), {"question": "Please assess for CIDP.", "free_text": "Drives.", "draft_version": 0}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.question, draft.free_text) == ("Please assess for CIDP.", "Drives.")


def test_an_issued_letter_cannot_be_edited_through_the_screen(login: Any, clinician: Any, issued: Letter) -> None:
    response = login(clinician).post(
        url("letter_edit", issued), {"question": "Changed.", "free_text": "", "draft_version": 0}, follow=True
    )
    assert "cannot be changed" in text(response)
    stored = Letter.objects.get(pk=issued.pk)
    assert (stored.question, stored.pdf_sha256) == (issued.question, issued.pdf_sha256)


def test_draft_pdf_downloads_marked_draft(login: Any, intake: Any, draft: Letter) -> None:
    response = login(intake).get(url("letter_pdf", draft))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{draft.reference}-v1-DRAFT.pdf"'
    assert response.content.startswith(b"%PDF-")


# Signing


def test_intake_cannot_sign(login: Any, intake: Any, draft: Letter) -> None:
    response = login(intake).post(url("letter_sign", draft), {"confirm": "on", "draft_version": 0})
    assert response.status_code == 403
    assert Letter.objects.get(pk=draft.pk).status == "draft"


def test_signing_needs_the_confirmation_box(login: Any, clinician: Any, draft: Letter) -> None:
    response = login(clinician).post(url("letter_sign", draft), {"draft_version": 0}, follow=True)
    assert "Tick the box" in text(response)
    assert Letter.objects.get(pk=draft.pk).status == "draft"


def test_clinician_signs_and_every_download_is_identical(login: Any, clinician: Any, draft: Letter) -> None:
    client = login(clinician)
    response = client.post(url("letter_sign", draft), sign_data(client, draft), follow=True)
    assert "Signed and issued" in text(response)
    stored = Letter.objects.get(pk=draft.pk)
    first, second = client.get(url("letter_pdf", stored)), client.get(url("letter_pdf", stored))
    assert first.content == second.content == stored_bytes(stored.pdf)
    assert first["Content-Disposition"] == f'attachment; filename="{stored.reference}-v1.pdf"'
    assert "no-store" in first["Cache-Control"]
    assert AuditEvent.objects.filter(action="download", object_id=str(stored.pk)).count() == 2


def test_a_rendering_failure_shows_why_and_leaves_the_draft(
    login: Any, clinician: Any, draft: Letter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("font missing")

    monkeypatch.setattr("weasyprint.document.Document.write_pdf", broken)
    client = login(clinician)
    response = client.post(url("letter_sign", draft), sign_data(client, draft), follow=True)
    body = text(response)
    assert "The letter was not signed. Nothing was issued and the draft is unchanged." in body
    assert "font missing" in body
    assert Letter.objects.get(pk=draft.pk).status == "draft"


def test_issued_page_shows_hash_and_offers_an_addendum(login: Any, clinician: Any, issued: Letter) -> None:
    body = text(login(clinician).get(url("letter_detail", issued)))
    assert issued.pdf_sha256 in body
    assert "Download signed PDF" in body
    assert "Write an addendum" in body
    assert "Edit question and text" not in body


def test_addendum_screen_starts_a_new_version(login: Any, clinician: Any, issued: Letter) -> None:
    client = login(clinician)
    assert client.get(url("letter_addendum", issued)).status_code == 200
    response = client.post(url("letter_addendum", issued), {"reason": "HbA1c corrected."})
    addendum = Letter.objects.get(amends=issued)
    assert response["Location"] == url("letter_edit", addendum)
    assert AuditEvent.objects.filter(action="amend", object_id=str(addendum.pk)).exists()
    body = text(client.get(url("letter_detail", addendum)))
    assert "Version 1" in body and "Version 2" in body


# The letters panel on the workup page


def test_panel_lists_letters_and_declines_in_two_queries_with_download_links(
    clinician: Any, issued: Letter, workup: Workup, django_assert_num_queries: Any
) -> None:
    evaluation = evaluate_workup(workup)
    services.create_addendum(user=clinician, letter=issued, reason="Correction.")
    with django_assert_num_queries(2):
        html: str = render_to_string(
            "letters/_workup_panel.html", {"workup": workup, "may_sign": True, "evaluation": evaluation}
        )
    html = re.sub(r"\s+", " ", html)
    assert f"{issued.reference} v1" in html and f"{issued.reference} v2" in html
    assert url("letter_pdf", issued) in html
    assert "Choose or decline a referral" in html


def test_panel_explains_when_there_is_no_referral_yet(workup: Workup) -> None:
    workup = unexamined(workup)
    html = render_to_string(
        "letters/_workup_panel.html", {"workup": workup, "may_sign": True, "evaluation": evaluate_workup(workup)}
    )
    assert "No referral to make yet" in html
    assert "Choose or decline a referral" not in html
    assert "Refer anyway" in html


def test_workup_page_shows_the_letters_panel(login: Any, intake: Any, draft: Letter) -> None:
    body = text(login(intake).get(reverse("workup_detail", kwargs={"workup_id": draft.workup_id})))
    assert f"{draft.reference} v1" in body
    assert "Prepare the neurology letter" in body  # beside the recommendation's step that asks for it


def test_a_tampered_pdf_is_withheld_logged_and_audited(
    login: Any, clinician: Any, issued: Letter, caplog: pytest.LogCaptureFixture
) -> None:
    Letter.objects.filter(pk=issued.pk).update(pdf=b"%PDF-1.7 forged")
    with caplog.at_level("WARNING", logger="workup.services.letters"):
        response = login(clinician).get(url("letter_pdf", issued))
    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")
    page = text(response)
    assert "does not match the SHA-256 recorded when it was signed" in page and issued.pdf_sha256 in page
    assert any(issued.pdf_sha256 in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    event = AuditEvent.objects.get(action="integrity_failed")
    assert event.changes is not None
    assert (event.user, event.object_id, event.changes["pdf_sha256"][0]) == (
        clinician,
        str(issued.pk),
        issued.pdf_sha256,
    )
    assert not AuditEvent.objects.filter(action="download").exists()
