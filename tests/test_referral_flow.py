"""Sign exactly what was read; refer anyway or decline; the referral's life after signing; one open draft."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from tests.factories import stored_bytes, variant
from workup.models import AuditEvent, Letter, ReferralDecision, Workup
from workup.services import letters as services
from workup.services import referrals

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url(name: str, letter: Letter) -> str:
    return reverse(name, kwargs={"letter_id": letter.pk})


def open_preview(client: Any, letter: Letter) -> dict[str, Any]:
    """Open the letter's page and return what its sign form would post."""
    form = client.get(url("letter_detail", letter)).context["sign_form"]
    return {"confirm": "on", "draft_version": form.initial["draft_version"], "preview": form.initial["preview"]}


@pytest.fixture
def draft(workup: Workup, intake: Any) -> Letter:
    return services.create_draft(user=intake, workup=workup, service="neurology")


def raise_urgency_meanwhile(workup: Workup) -> None:
    """Someone records weakness on one side while the clinician reads the preview."""
    Workup.objects.filter(pk=workup.pk).update(power_ankle_dorsiflexion_left=2, exam_version=workup.exam_version + 1)


# Sign exactly what was read


def test_a_stale_preview_is_not_signed_and_the_differences_are_shown(
    login: Any, clinician: Any, draft: Letter, workup: Workup
) -> None:
    client = login(clinician)
    read = open_preview(client, draft)
    raise_urgency_meanwhile(workup)
    response = client.post(url("letter_sign", draft), read)
    assert response.status_code == 409
    body = text(response)
    assert "The record changed since you opened this preview" in body
    assert "Examination" in body and "Nothing was signed" in body
    assert Letter.objects.get(pk=draft.pk).status == "draft"
    assert not AuditEvent.objects.filter(action="sign").exists()
    # The fresh preview on that page signs.
    fresh = response.context["sign_form"].initial
    signed = client.post(url("letter_sign", draft), {**read, "preview": fresh["preview"]}, follow=True)
    assert "Signed and issued" in text(signed)
    assert Letter.objects.get(pk=draft.pk).is_issued


def test_a_changed_question_is_named_in_the_differences(login: Any, clinician: Any, draft: Letter) -> None:
    client = login(clinician)
    read = open_preview(client, draft)
    Letter.objects.filter(pk=draft.pk).update(question="Please see soon.")
    response = client.post(url("letter_sign", draft), {**read, "draft_version": 0})
    assert response.status_code == 409
    assert "Please see soon." in text(response)


def test_a_forged_preview_token_is_refused(login: Any, clinician: Any, draft: Letter) -> None:
    client = login(clinician)
    read = open_preview(client, draft)
    response = client.post(url("letter_sign", draft), {**read, "preview": read["preview"][:-2] + "xx"})
    assert response.status_code == 409
    assert Letter.objects.get(pk=draft.pk).status == "draft"


def test_an_addendum_with_a_stale_preview_is_not_signed_then_its_fresh_preview_is(
    login: Any, clinician: Any, draft: Letter, workup: Workup
) -> None:
    issued = services.issue(user=clinician, letter=draft)
    addendum = services.create_addendum(user=clinician, letter=issued, reason="Result corrected by the lab.")
    client = login(clinician)
    read = open_preview(client, addendum)
    raise_urgency_meanwhile(workup)
    refused = client.post(url("letter_sign", addendum), read)
    assert refused.status_code == 409
    assert Letter.objects.get(pk=addendum.pk).status == "draft"
    fresh = refused.context["sign_form"].initial["preview"]
    client.post(url("letter_sign", addendum), {**read, "preview": fresh})
    assert Letter.objects.get(pk=addendum.pk).is_issued
    page = text(client.get(url("letter_detail", issued)))
    assert "Superseded by version 2" in page


# The clinician decides


def manage_only(workup: Workup) -> Workup:
    """A workup whose recommendation has no referral (the examination is not complete)."""
    return variant(workup, lambda c: c.update(exam={"ankle_reflex": {"left": 1, "right": 1}}))


def test_refer_anyway_needs_a_reason(login: Any, clinician: Any, workup: Workup) -> None:
    other = manage_only(workup)
    response = login(clinician).post(
        reverse("letter_anyway", args=[other.pk]), {"anyway-service": "neurology", "anyway-urgency": "routine"}
    )
    assert response.status_code == 400
    assert not Letter.objects.exists()


def test_refer_anyway_letter_says_so_and_what_was_suggested(login: Any, clinician: Any, workup: Workup) -> None:
    other = manage_only(workup)
    client = login(clinician)
    data = {"anyway-service": "neurology", "anyway-urgency": "urgent", "anyway-reason": "Wants a specialist view."}
    client.post(reverse("letter_anyway", args=[other.pk]), data)
    letter = Letter.objects.get()
    assert (letter.service, letter.urgency, letter.discretion_reason) == ("neurology", "urgent", data["anyway-reason"])
    body = text(client.get(url("letter_detail", letter)))
    assert "Referred at the clinician's discretion." in body
    assert "suggested no referral" in body and "Wants a specialist view." in body
    event = AuditEvent.objects.get(action="create", object_id=str(letter.pk))
    assert event.changes is not None and event.changes["discretion_reason"] == [None, "Wants a specialist view."]
    client.post(url("letter_sign", letter), open_preview(client, letter))
    signed = Letter.objects.get(pk=letter.pk)
    assert signed.is_issued and signed.urgency == "urgent"


def test_intake_cannot_refer_anyway(login: Any, intake: Any, workup: Workup) -> None:
    data = {"anyway-service": "neurology", "anyway-urgency": "urgent", "anyway-reason": "x"}
    assert login(intake).post(reverse("letter_anyway", args=[workup.pk]), data).status_code == 403


def test_a_suggested_referral_is_declined_with_a_reason_and_shown(login: Any, clinician: Any, workup: Workup) -> None:
    client = login(clinician)
    data = {"decline-service": "neurology", "decline-reason": "Seen by neurology last month."}
    response = client.post(reverse("referral_decline", args=[workup.pk]), data)
    assert response.status_code == 302
    decision = ReferralDecision.objects.get()
    assert (decision.service, decision.urgency, decision.decided_by) == ("neurology", "urgent", clinician)
    assert "Seen by neurology last month." in text(client.get(reverse("workup_detail", args=[workup.pk])))
    assert AuditEvent.objects.filter(action="change", changes__has_key="referral_declined").exists()


# The referral's life


@pytest.fixture
def issued(draft: Letter, clinician: Any) -> Letter:
    return services.issue(user=clinician, letter=draft)


def test_a_referral_is_sent_booked_and_answered(login: Any, intake: Any, issued: Letter) -> None:
    client = login(intake)
    today = timezone.localdate().isoformat()
    data = {"sent-via": "ers", "sent-reference": "1234 5678 9012", "sent-sent_on": today}
    client.post(url("letter_sent", issued), data)
    letter = Letter.objects.get(pk=issued.pk)
    assert (letter.status, letter.sent_via, letter.sent_by) == ("sent", "ers", intake)
    assert "awaiting booking" in text(client.get(reverse("worklist")))
    client.post(url("letter_booked", issued), {"booked-note": "Clinic 14 Jan"})
    assert Letter.objects.get(pk=issued.pk).status == "booked"
    reply = SimpleUploadedFile("reply.pdf", b"%PDF-1.4 reply", content_type="application/pdf")
    client.post(url("letter_reply", issued), {"reply-reply": reply})
    letter = Letter.objects.get(pk=issued.pk)
    assert letter.status == "replied" and stored_bytes(letter.reply_pdf) == b"%PDF-1.4 reply"
    assert client.get(url("letter_reply_pdf", issued)).content == b"%PDF-1.4 reply"
    assert AuditEvent.objects.filter(object_id=str(issued.pk), action="change").count() == 3


def test_an_ers_send_needs_the_ubrn(login: Any, intake: Any, issued: Letter) -> None:
    data = {"sent-via": "ers", "sent-reference": "", "sent-sent_on": timezone.localdate().isoformat()}
    body = text(login(intake).post(url("letter_sent", issued), data, follow=True))
    assert "12-digit UBRN" in body
    assert Letter.objects.get(pk=issued.pk).status == "issued"


def test_a_reply_that_is_not_a_pdf_is_refused(login: Any, intake: Any, issued: Letter) -> None:
    referrals.mark_sent(user=intake, letter=issued, via="post", reference="", sent_at=timezone.now())
    fake = SimpleUploadedFile("reply.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    body = text(login(intake).post(url("letter_reply", issued), {"reply-reply": fake}, follow=True))
    assert "not a PDF" in body
    assert Letter.objects.get(pk=issued.pk).status == "sent"


def test_a_reply_over_the_size_limit_is_refused(issued: Letter, intake: Any) -> None:
    referrals.mark_sent(user=intake, letter=issued, via="post", reference="", sent_at=timezone.now())
    with pytest.raises(services.LetterError, match="at most 10 MB"):
        referrals.record_reply(
            user=intake, letter=issued, pdf=b"%PDF-" + b"0" * referrals.REPLY_MAX_BYTES, filename="x"
        )


def test_steps_cannot_be_skipped(issued: Letter, intake: Any) -> None:
    with pytest.raises(services.LetterError, match="cannot be marked"):
        referrals.mark_booked(user=intake, letter=issued, note="")


def test_cancel_needs_a_reason_and_a_clinician(login: Any, intake: Any, clinician: Any, issued: Letter) -> None:
    assert login(intake).post(url("letter_cancel", issued), {"cancel-reason": "x"}).status_code == 403
    login(clinician).post(url("letter_cancel", issued), {"cancel-reason": "Patient moved away."})
    letter = Letter.objects.get(pk=issued.pk)
    assert (letter.status, letter.cancel_reason) == ("cancelled", "Patient moved away.")
    assert letter.is_issued  # the signed PDF stays on record


def test_worklist_filters_referrals_awaiting_reply_for_more_than_n_days(
    login: Any, intake: Any, issued: Letter, workup: Workup
) -> None:
    other = variant(workup, lambda c: None)
    referrals.mark_sent(
        user=intake, letter=issued, via="post", reference="", sent_at=timezone.now() - timedelta(days=40)
    )
    client = login(intake)
    over_30 = client.get(reverse("worklist"), {"awaiting": 30}).context["page"].object_list
    assert [w.pk for w in over_30] == [workup.pk]
    assert other.pk not in [w.pk for w in client.get(reverse("worklist"), {"awaiting": 30}).context["page"]]
    assert not list(client.get(reverse("worklist"), {"awaiting": 60}).context["page"].object_list)


def test_a_second_letter_to_an_open_referral_warns_and_links(
    login: Any, clinician: Any, issued: Letter, workup: Workup
) -> None:
    client = login(clinician)
    response = client.post(reverse("letter_new", args=[workup.pk]), {"service": "neurology"})
    assert response.status_code == 409
    assert url("letter_detail", issued) in text(response)
    assert Letter.objects.count() == 1
    client.post(reverse("letter_new", args=[workup.pk]), {"service": "neurology", "second": "neurology"})
    assert Letter.objects.count() == 2


def test_preparing_while_a_draft_is_open_goes_to_that_draft(
    login: Any, intake: Any, draft: Letter, workup: Workup
) -> None:
    response = login(intake).post(reverse("letter_new", args=[workup.pk]), {"service": "neurology"}, follow=True)
    assert response.redirect_chain[-1][0] == url("letter_detail", draft)
    assert "already open" in text(response)


# One open draft per workup and service


def test_the_database_refuses_a_second_open_draft(draft: Letter, intake: Any) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(
            workup=draft.workup,
            reference="WU-X",
            kind="referral",
            service="neurology",
            urgency="urgent",
            created_by=intake,
        )


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_prepares_make_one_draft(workup: Workup, intake: Any) -> None:
    """Threads against PostgreSQL; SQLite serialises writers, so there the ten run one after another."""
    outcomes: list[str] = []

    def prepare() -> None:
        try:
            services.create_draft(user=intake, workup=workup, service="neurology")
            outcomes.append("created")
        except services.OpenDraftExists:
            outcomes.append("pointed to the open draft")
        finally:
            connections.close_all()

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(10)

        def at_once() -> None:
            barrier.wait()
            prepare()

        threads = [threading.Thread(target=at_once) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for _ in range(10):
            prepare()
    assert Letter.objects.filter(workup=workup, service="neurology", status="draft").count() == 1
    assert sorted(outcomes) == ["created"] + ["pointed to the open draft"] * 9
