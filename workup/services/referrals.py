"""The referral's life after signing: sent, acknowledged or booked, outcome received, or cancelled; and declines."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from workup.models import Letter, ReferralDecision, User, Workup
from workup.services import audit
from workup.services.letters import LetterError

Status = Letter.Status
# Which states each step may start from: a step never skips back, and a closed referral stays closed.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    Status.SENT: (Status.ISSUED,),
    Status.BOOKED: (Status.SENT,),
    Status.REPLIED: (Status.SENT, Status.BOOKED),
    Status.CANCELLED: (Status.DRAFT, Status.ISSUED, Status.SENT, Status.BOOKED),
}
AWAITING_REPLY = (Status.SENT, Status.BOOKED)
REPLY_MAX_BYTES = 10 * 1024 * 1024


def _move(*, user: User, letter: Letter, to: str, fields: dict[str, Any], request: HttpRequest | None) -> Letter:
    locked = Letter.objects.select_for_update().select_related("workup__patient").get(pk=letter.pk)
    if locked.status not in ALLOWED_FROM[to]:
        raise LetterError(
            f"This letter is {locked.get_status_display().lower()}: it cannot be marked {Status(to).label.lower()} now."
        )
    now = timezone.now()
    before = {"status": locked.status, **{k: getattr(locked, k) for k in fields}}
    for name, value in {**fields, "status": to, "status_changed_at": now}.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*fields, "status", "status_changed_at", "updated_at"])
    changes = audit.diff(before, {"status": to, **{k: v for k, v in fields.items() if k != "reply_pdf"}})
    audit.record(user=user, action="change", obj=locked, request=request, changes=changes)
    return locked


@transaction.atomic
def mark_sent(
    *, user: User, letter: Letter, via: str, reference: str, sent_at: datetime, request: HttpRequest | None = None
) -> Letter:
    """Record how and when the signed letter went to the service (e-RS UBRN, email, post, by hand)."""
    fields = {"sent_via": via, "sent_reference": reference.strip(), "sent_at": sent_at, "sent_by": user}
    return _move(user=user, letter=letter, to=Status.SENT, fields=fields, request=request)


@transaction.atomic
def mark_booked(*, user: User, letter: Letter, note: str, request: HttpRequest | None = None) -> Letter:
    """The service acknowledged the referral or booked the appointment."""
    fields = {"booked_at": timezone.now(), "booked_note": note.strip()}
    return _move(user=user, letter=letter, to=Status.BOOKED, fields=fields, request=request)


@transaction.atomic
def record_reply(
    *, user: User, letter: Letter, pdf: bytes, filename: str, request: HttpRequest | None = None
) -> Letter:
    """Attach the specialist's reply (a PDF, already checked by the form) and close the referral."""
    if len(pdf) > REPLY_MAX_BYTES or not pdf.startswith(b"%PDF-"):
        raise LetterError("The reply must be a PDF of at most 10 MB.")
    fields = {
        "replied_at": timezone.now(),
        "reply_pdf": pdf,
        "reply_sha256": hashlib.sha256(pdf).hexdigest(),
        "reply_filename": filename[:200],
    }
    return _move(user=user, letter=letter, to=Status.REPLIED, fields=fields, request=request)


@transaction.atomic
def cancel(*, user: User, letter: Letter, reason: str, request: HttpRequest | None = None) -> Letter:
    """Cancel a draft or an unanswered referral, saying why; a signed PDF stays on record."""
    fields = {"cancelled_at": timezone.now(), "cancel_reason": reason.strip()}
    return _move(user=user, letter=letter, to=Status.CANCELLED, fields=fields, request=request)


def reply_pdf(letter: Letter) -> bytes:
    """The specialist's reply as uploaded; bytes that no longer match their hash are withheld."""
    if letter.reply_pdf is None:
        raise LetterError("No reply has been attached to this letter.")
    data = bytes(letter.reply_pdf)
    if hashlib.sha256(data).hexdigest() != letter.reply_sha256:
        raise LetterError("The stored reply does not match its SHA-256: it is withheld. Contact the administrator.")
    return data


@transaction.atomic
def decline(
    *, user: User, workup: Workup, service: str, urgency: str, reason: str, request: HttpRequest | None = None
) -> ReferralDecision:
    """Record that the clinician declined a suggested referral, and why."""
    decision = ReferralDecision.objects.create(
        workup=workup, service=service, urgency=urgency, reason=reason.strip(), decided_by=user
    )
    audit.record(
        user=user,
        action="change",
        obj=workup,
        request=request,
        changes={"referral_declined": [None, {"service": service, "urgency": urgency, "reason": reason.strip()}]},
    )
    return decision


def awaiting_reply(letters: QuerySet[Letter], *, days: int, now: datetime | None = None) -> QuerySet[Letter]:
    """Referrals sent (or booked) more than ``days`` days ago with no reply yet."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return letters.filter(Q(status__in=AWAITING_REPLY), sent_at__lt=cutoff)


def _day(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment).day} {timezone.localtime(moment):%b}" if moment else ""


def state_text(letter: Letter) -> str:
    """Where the referral stands, for the worklist and the letters panel: 'sent 2 Dec, awaiting booking'."""
    match letter.status:
        case Status.DRAFT:
            return "draft, not signed"
        case Status.ISSUED:
            return f"signed {_day(letter.signed_at)}, not sent yet"
        case Status.SENT:
            return f"sent {_day(letter.sent_at)}, awaiting booking"
        case Status.BOOKED:
            return f"booked {_day(letter.booked_at)}, awaiting reply"
        case Status.REPLIED:
            return f"reply received {_day(letter.replied_at)}"
        case _:
            return f"cancelled {_day(letter.cancelled_at)}"


def headline(letter: Letter) -> str:
    """'Neurology urgent: sent 2 Dec, awaiting booking'."""
    return f"{letter.get_service_display()} {letter.get_urgency_display().lower()}: {state_text(letter)}"


def mark_superseded(letters: list[Letter]) -> list[Letter]:
    """Set ``superseded_by`` (a version number or None) on each letter replaced by a signed addendum."""
    signed_addenda = {x.amends_id: x.version for x in letters if x.amends_id and x.is_issued}
    for letter in letters:
        letter.superseded_by = signed_addenda.get(letter.pk)  # type: ignore[attr-defined]
    return letters


def current_versions(letters: list[Letter]) -> list[Letter]:
    """The letters nobody has replaced by a signed addendum (what the worklist shows)."""
    return [x for x in mark_superseded(letters) if x.superseded_by is None]  # type: ignore[attr-defined]
