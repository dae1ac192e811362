"""The referral after signing: record it sent, acknowledged or booked, the specialist's reply, or its cancellation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from workup.access import AuthedRequest, get_letter, recorder_required, signer_required
from workup.forms.letters import BookedForm, CancelForm, ReplyForm, SentForm
from workup.models import Letter
from workup.services import audit
from workup.services import referrals as services
from workup.services.letters import LetterError

Status = Letter.Status


def tracking_forms(letter: Letter, *, may_sign: bool) -> dict[str, Any]:
    """The forms for the letter's next steps, each only where that step is allowed from its state."""
    allowed = {step for step, sources in services.ALLOWED_FROM.items() if letter.status in sources}
    return {
        "sent_form": SentForm() if Status.SENT in allowed else None,
        "booked_form": BookedForm() if Status.BOOKED in allowed else None,
        "reply_form": ReplyForm() if Status.REPLIED in allowed else None,
        "cancel_form": CancelForm() if Status.CANCELLED in allowed and may_sign else None,
    }


def _step(
    request: AuthedRequest, letter_id: UUID, form: forms.Form, act: Callable[[Letter], Letter], done: str
) -> HttpResponse:
    letter = get_letter(request.user, letter_id)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Not recorded: {problems}")
        return redirect("letter_detail", letter_id=letter.pk)
    try:
        act(letter)
    except LetterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("letter_detail", letter_id=letter.pk)


@recorder_required
@require_POST
def letter_sent(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    form = SentForm(request.POST)

    def act(letter: Letter) -> Letter:
        data = form.cleaned_data
        return services.mark_sent(
            user=request.user,
            letter=letter,
            via=data["via"],
            reference=data["reference"],
            sent_at=form.sent_at(),
            request=request,
        )

    return _step(request, letter_id, form, act, "Recorded as sent.")


@recorder_required
@require_POST
def letter_booked(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    form = BookedForm(request.POST)

    def act(letter: Letter) -> Letter:
        return services.mark_booked(user=request.user, letter=letter, note=form.cleaned_data["note"], request=request)

    return _step(request, letter_id, form, act, "Recorded as acknowledged or booked.")


@recorder_required
@require_POST
def letter_reply(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    form = ReplyForm(request.POST, request.FILES)

    def act(letter: Letter) -> Letter:
        upload = form.cleaned_data["reply"]
        return services.record_reply(
            user=request.user, letter=letter, pdf=upload.read(), filename=upload.name, request=request
        )

    return _step(request, letter_id, form, act, "Reply attached: the referral is closed.")


@signer_required
@require_POST
def letter_cancel(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    form = CancelForm(request.POST)

    def act(letter: Letter) -> Letter:
        return services.cancel(user=request.user, letter=letter, reason=form.cleaned_data["reason"], request=request)

    return _step(request, letter_id, form, act, "Cancelled. The letter stays on record with the reason.")


@recorder_required
def letter_reply_pdf(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    """The specialist's reply as uploaded."""
    letter = get_letter(request.user, letter_id)
    try:
        data = services.reply_pdf(letter)
    except LetterError as exc:
        messages.error(request, str(exc))
        return redirect("letter_detail", letter_id=letter.pk)
    audit.record(user=request.user, action="download", obj=letter, request=request, object_type="letter_reply")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.reference}-reply.pdf"'
    response["Cache-Control"] = "no-store, private"
    return response
