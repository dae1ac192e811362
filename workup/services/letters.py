"""Referral letters: prepare a draft, edit it, sign and issue it (immutable from then on), correct it by addendum."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from workup import letters as rendering
from workup import previews
from workup.interop import fhir
from workup.letters import LetterSource, RenderedPdf, chain_reference, find_referral
from workup.models import Letter, ReceivingService, User, Workup
from workup.rules import vocab
from workup.services import audit
from workup.services.workups import Evaluation, evaluate_workup

logger = logging.getLogger(__name__)
QUESTION_MAX = 2000
FREE_TEXT_MAX = 6000


class LetterError(Exception):
    """A letter action that cannot be done; the message tells the user why."""


class NoReferral(LetterError):
    """The engine does not recommend this referral (any more)."""


class LetterLocked(LetterError):
    """The letter is signed and issued: nothing about it can change."""


class StaleDraft(LetterError):
    """Someone changed the draft after the user opened it."""


class PreviewOutdated(LetterError):
    """The letter would now say something other than the preview the clinician read: nothing was issued."""

    def __init__(self, differences: list[previews.Difference]) -> None:
        super().__init__("The record changed since you opened this preview: read the letter again before signing.")
        self.differences = differences


class OpenDraftExists(LetterError):
    """A draft to the same service is already open for this workup."""

    def __init__(self, letter: Letter) -> None:
        service = letter.get_service_display().lower()
        super().__init__(f"A draft letter to {service} is already open for this workup: continue that one.")
        self.letter = letter


class IssueFailed(LetterError):
    """Rendering failed while issuing: nothing was issued and the draft is unchanged."""


class PdfTampered(LetterError):
    """The stored PDF no longer matches the SHA-256 recorded when it was signed: it is withheld."""


def new_reference(on: date) -> str:
    """A fresh letter reference, WU-<yyyymmdd>-<6 hex>: unique, and nothing in it identifies the patient."""
    while True:
        reference = f"WU-{on:%Y%m%d}-{secrets.token_hex(3).upper()}"
        if not Letter.objects.filter(reference__startswith=reference).exists():
            return reference


def chain(letter: Letter) -> QuerySet[Letter]:
    """Every version of the letter's chain (the letter and its addenda), oldest first, without their PDFs."""
    ref = chain_reference(letter.reference)
    return (
        Letter.objects.filter(Q(reference=ref) | Q(reference__startswith=f"{ref}-v"), workup_id=letter.workup_id)
        .defer("pdf", "fhir_document", "recommendation", "case")
        .select_related("signed_by")
        .order_by("version")
    )


def stored_document(letter: Letter) -> bytes:
    """The issued letter's FHIR document exactly as signed; refuse bytes that no longer match their hash."""
    if not letter.is_issued or letter.fhir_document is None:
        raise LetterError(
            "This letter has no signed FHIR document: it is not issued, or was issued before FHIR export."
        )
    data = bytes(letter.fhir_document)
    if hashlib.sha256(data).hexdigest() != letter.fhir_sha256:
        raise LetterError(
            "The stored FHIR document does not match its SHA-256: it is withheld. Contact the administrator."
        )
    return data


def draft_document(letter: Letter) -> bytes:
    """The draft's FHIR document as it would read now (PDF marked DRAFT attached); raise LetterError if it fails."""
    source = draft_source(letter)
    rendered = draft_pdf(letter)
    pdf = fhir.Pdf(data=rendered.pdf, sha256=hashlib.sha256(rendered.pdf).hexdigest())
    try:
        return fhir.document_bytes(source, pdf)
    except fhir.DocumentError as exc:
        raise LetterError(str(exc)) from exc


def document_filename(letter: Letter) -> str:
    """The FHIR document's download name: the PDF's, as .json."""
    return pdf_filename(letter).removesuffix(".pdf") + ".fhir.json"


def pdf_filename(letter: Letter) -> str:
    """A download name without patient data: the reference and version (and DRAFT until signed)."""
    suffix = "" if letter.is_issued else "-DRAFT"
    return f"{chain_reference(letter.reference)}-v{letter.version}{suffix}.pdf"


def _evaluate(workup: Workup) -> Evaluation:
    evaluation = evaluate_workup(workup)
    if evaluation.recommendation is None:
        problems = "; ".join(f"{p.path}: {p.message}" for p in evaluation.problems[:5])
        raise LetterError(f"The workup has problems to correct before a letter can be produced: {problems}.")
    return evaluation


def _rec(evaluation: Evaluation) -> dict[str, Any]:
    assert evaluation.recommendation is not None  # _evaluate() refused an evaluation without one
    return evaluation.recommendation


def _referral(letter: Letter, evaluation: Evaluation) -> dict[str, Any]:
    if letter.discretion_reason:
        # Referred at the clinician's discretion: their service and urgency stand whatever the engine says.
        return {"service": letter.service, "urgency": letter.urgency, "requests": [], "reason": ""}
    referral = find_referral(evaluation.recommendation, letter.service)
    if referral is None:
        service = vocab.label(vocab.SERVICES, letter.service)
        raise NoReferral(
            f"The workup no longer leads to a referral to {service.lower()} "
            f"(ruleset {_rec(evaluation)['ruleset']}): review the workup before this letter is signed."
        )
    return referral


def current_draft(workup: Workup, *, service: str | None = None) -> Letter:
    """The workup's most recently changed draft (to ``service`` if given), else the letter it leads to, unsaved."""
    drafts = workup.letters.filter(status=Letter.Status.DRAFT).select_related("created_by", "amends")
    if service:
        drafts = drafts.filter(service=service)
    return drafts.order_by("-updated_at").first() or unsaved_draft(workup, service=service)


def unsaved_draft(workup: Workup, *, service: str | None = None, evaluation: Evaluation | None = None) -> Letter:
    """A draft that is never saved (commands, benchmarks): the chosen or most urgent referral, worded by the engine."""
    evaluation = evaluation or _evaluate(workup)
    options = rendering.referral_options(evaluation.recommendation)
    referral = find_referral(evaluation.recommendation, service) if service else (options[0] if options else None)
    if referral is None:
        wanted = f"a referral to {vocab.label(vocab.SERVICES, service).lower()}" if service else "any referral"
        raise NoReferral(f"The workup does not lead to {wanted} (stage: {_rec(evaluation)['stage']}).")
    return Letter(
        workup=workup,
        reference="UNSAVED-DRAFT",
        kind=rendering.letter_kind(referral),
        service=referral["service"],
        urgency=referral["urgency"],
        addressee=default_addressee(workup.patient.clinic_id, referral["service"]),
        question=rendering.default_question(referral, evaluation.recommendation or {}),
    )


def draft_source(letter: Letter, *, evaluation: Evaluation | None = None) -> LetterSource:
    """What a draft says now: the current record and the engine's current answer."""
    evaluation = evaluation or _evaluate(letter.workup)
    author = letter.created_by if letter.created_by_id else None
    return LetterSource(
        letter=letter,
        patient=letter.workup.patient,
        clinic=letter.workup.patient.clinic,
        case=evaluation.case,
        recommendation=evaluation.recommendation or {},
        referrer=author if author and author.can_sign else None,
        on=timezone.localdate(),
        amended=letter.amends,
    )


def draft_pdf(letter: Letter, *, evaluation: Evaluation | None = None) -> RenderedPdf:
    """The draft rendered from the current record, marked DRAFT on every page; raise LetterError if it fails."""
    if letter.is_issued:
        raise LetterLocked("This letter is issued: download its stored PDF.")
    try:
        return rendering.render_letter(draft_source(letter, evaluation=evaluation))
    except rendering.RenderError as exc:
        raise LetterError(str(exc)) from exc


def stored_pdf(letter: Letter, *, user: User | None = None, request: HttpRequest | None = None) -> bytes:
    """The issued letter's PDF exactly as signed; bytes that no longer match their hash are withheld and reported."""
    if not letter.is_issued or letter.pdf is None:
        raise LetterError("This letter is not issued yet: there is no signed PDF.")
    data = bytes(letter.pdf)  # PostgreSQL returns a memoryview
    actual = hashlib.sha256(data).hexdigest()
    if actual != letter.pdf_sha256:
        _report_tampering(letter, actual=actual, user=user, request=request)
        raise PdfTampered(
            f"The stored PDF of {letter.reference} v{letter.version} does not match the SHA-256 recorded when it "
            "was signed: it has been changed since, so it is withheld. The administrator has been alerted through "
            "the log and the audit trail; ask them to restore it from a backup."
        )
    return data


def _report_tampering(letter: Letter, *, actual: str, user: User | None, request: HttpRequest | None) -> None:
    logger.warning(
        "Stored PDF of letter %s (%s v%s) does not match its SHA-256: signed %s, stored bytes hash to %s. Withheld.",
        letter.pk,
        letter.reference,
        letter.version,
        letter.pdf_sha256,
        actual,
    )
    audit.record(
        user=user,
        action="integrity_failed",
        obj=letter,
        request=request,
        changes={"pdf_sha256": [letter.pdf_sha256, actual]},
    )


def open_draft(workup: Workup, service: str) -> Letter | None:
    """The workup's open draft to ``service`` (at most one: a database constraint says so)."""
    return workup.letters.filter(status=Letter.Status.DRAFT, service=service).first()


def open_letters(workup: Workup, service: str) -> list[Letter]:
    """Letters to ``service`` for the workup still waiting on someone: a draft, or a referral not yet answered."""
    waiting = (Letter.Status.DRAFT, Letter.Status.ISSUED, Letter.Status.SENT, Letter.Status.BOOKED)
    return list(workup.letters.filter(service=service, status__in=waiting).defer("pdf", "fhir_document", "reply_pdf"))


def directory(clinic_id: int) -> QuerySet[ReceivingService]:
    """The clinic's directory of receiving services, by service, each service's default first."""
    return ReceivingService.objects.filter(clinic_id=clinic_id)


@transaction.atomic
def save_receiving_service(
    *, user: User, entry: ReceivingService, request: HttpRequest | None = None, before: dict[str, Any] | None = None
) -> ReceivingService:
    """Save a directory entry of the user's clinic; a new default for a service replaces the old one."""
    if user.clinic_id is None:
        raise PermissionDenied("Only a member of a clinic keeps its directory.")
    entry.clinic_id = user.clinic_id
    entry.save()
    if entry.is_default:
        directory(entry.clinic_id).filter(service=entry.service).exclude(pk=entry.pk).update(is_default=False)
    after = {f: getattr(entry, f) for f in DIRECTORY_FIELDS}
    audit.record(
        user=user,
        action="change" if before else "create",
        request=request,
        object_type="receivingservice",
        object_id=str(entry.pk),
        changes=audit.diff(before or {}, after),
        clinic_id=entry.clinic_id,
    )
    return entry


DIRECTORY_FIELDS = ("service", "organisation", "department", "address", "phone", "ers_service_name", "is_default")


def addressees(clinic_id: int, service: str) -> QuerySet[ReceivingService]:
    """The clinic's directory entries for ``service``, its default first."""
    return directory(clinic_id).filter(service=service)


def default_addressee(clinic_id: int, service: str) -> ReceivingService | None:
    """Where a letter to ``service`` goes unless the user chooses otherwise: the clinic's default for it."""
    return addressees(clinic_id, service).first()


@transaction.atomic
def create_draft(
    *,
    user: User,
    workup: Workup,
    service: str,
    urgency: str | None = None,
    discretion_reason: str = "",
    addressee: ReceivingService | None = None,
    request: HttpRequest | None = None,
) -> Letter:
    """Start a letter to ``service``, worded from the engine; with a reason, one the engine did not suggest.

    An open draft to the service is refused with OpenDraftExists (the user is sent to it). The addressee is the one
    chosen (from the clinic's directory, for this service) or the service's default.
    """
    clinic_id = workup.patient.clinic_id
    if addressee is not None and (addressee.clinic_id != clinic_id or addressee.service != service):
        raise LetterError("Choose an addressee from your clinic's directory for this service.")
    evaluation = _evaluate(workup)
    referral = find_referral(evaluation.recommendation, service)
    reason = discretion_reason.strip()
    if reason:
        referral = {"service": service, "urgency": urgency or "routine", "requests": [], "reason": ""}
    elif referral is None:
        raise NoReferral(f"The workup does not lead to a referral to {vocab.label(vocab.SERVICES, service).lower()}.")
    existing = open_draft(workup, service)
    if existing is not None:
        raise OpenDraftExists(existing)
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                workup=workup,
                reference=new_reference(timezone.localdate()),
                kind=rendering.letter_kind(referral),
                service=service,
                urgency=referral["urgency"],
                addressee=addressee or default_addressee(clinic_id, service),
                created_by=user,
                discretion_reason=reason,
                question=rendering.default_question(referral, evaluation.recommendation or {}),
            )
    except IntegrityError:
        # Another request made the draft between the check and the insert.
        raise OpenDraftExists(Letter.objects.get(workup=workup, service=service, status=Letter.Status.DRAFT)) from None
    changes: dict[str, Any] = {"service": [None, service], "urgency": [None, referral["urgency"]]}
    if reason:
        changes["discretion_reason"] = [None, reason]
        changes["suggested"] = [None, suggestion_words(evaluation.recommendation)]
    audit.record(user=user, action="create", obj=letter, request=request, changes=changes)
    return letter


def suggestion_words(recommendation: dict[str, Any] | None) -> str:
    """What the decision support suggested, in one line, for the audit trail and the letter."""
    return rendering.suggested_text(recommendation or {})


@transaction.atomic
def update_draft(
    *, user: User, letter: Letter, question: str, free_text: str, draft_version: int, request: HttpRequest | None = None
) -> Letter:
    """Save the question and free text of a draft opened at ``draft_version``; an issued letter never changes."""
    before = {"question": letter.question, "free_text": letter.free_text}
    after = {"question": question.strip(), "free_text": free_text.strip()}
    updated = Letter.objects.filter(pk=letter.pk, status=Letter.Status.DRAFT, draft_version=draft_version).update(
        **after, draft_version=F("draft_version") + 1, updated_at=timezone.now()
    )
    if not updated:
        _refuse_change(letter)
    letter.refresh_from_db()
    changes = audit.diff(before, after)
    if changes:
        audit.record(user=user, action="change", obj=letter, request=request, changes=changes)
    return letter


def _refuse_change(letter: Letter) -> None:
    current = Letter.objects.only("status").get(pk=letter.pk)
    if current.is_issued:
        raise LetterLocked("This letter is signed and issued: it cannot be changed. Write an addendum instead.")
    raise StaleDraft(
        "Someone else saved this draft after you opened it; their version is kept. Make your change again."
    )


@transaction.atomic
def issue(
    *,
    user: User,
    letter: Letter,
    draft_version: int | None = None,
    preview: str | None = None,
    request: HttpRequest | None = None,
) -> Letter:
    """Sign and issue: render from the current record, store the PDF, its hash and the snapshot, and lock it.

    With ``preview`` (the token of the preview the clinician read), refuse with PreviewOutdated if the letter would
    now say anything else.
    """
    if not user.can_sign:
        raise PermissionDenied("Only a clinician can sign a letter.")
    locked = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("workup__patient__clinic", "amends")
        .get(pk=letter.pk)
    )
    if locked.is_issued:
        raise LetterLocked("This letter is already signed and issued.")
    if draft_version is not None and locked.draft_version != draft_version:
        raise StaleDraft("The draft changed after you opened it: read it again before signing.")
    # Lock the workup too: nobody saves a section between the check below and the stored PDF.
    locked.workup = Workup.objects.select_for_update().select_related("patient__clinic").get(pk=locked.workup_id)
    evaluation = _evaluate(locked.workup)
    if preview is not None:
        differences = previews.changes(preview, draft_source(locked, evaluation=evaluation))
        if differences is not None:
            raise PreviewOutdated(differences)
    referral = _referral(locked, evaluation)
    _mark_issued(locked, user=user, referral=referral, evaluation=evaluation)
    # The same source as the draft preview, signed by this user on this date.
    source = replace(
        draft_source(locked, evaluation=evaluation), referrer=user, on=timezone.localdate(locked.signed_at)
    )
    try:
        rendered = rendering.render_letter(source)
    except rendering.RenderError as exc:
        raise IssueFailed(f"Nothing was issued and the draft is unchanged. {exc}") from exc
    locked.pdf, locked.pages = rendered.pdf, rendered.pages
    locked.pdf_sha256 = hashlib.sha256(rendered.pdf).hexdigest()
    try:
        locked.fhir_document = fhir.document_bytes(source, fhir.Pdf(data=rendered.pdf, sha256=locked.pdf_sha256))
    except fhir.DocumentError as exc:
        raise IssueFailed(f"Nothing was issued and the draft is unchanged. {exc}") from exc
    locked.fhir_sha256 = hashlib.sha256(locked.fhir_document).hexdigest()
    locked.save()
    audit.record(
        user=user,
        action="sign",
        obj=locked,
        request=request,
        changes={
            "status": ["draft", "issued"],
            "pdf_sha256": [None, locked.pdf_sha256],
            "fhir_sha256": [None, locked.fhir_sha256],
        },
    )
    return locked


def _mark_issued(letter: Letter, *, user: User, referral: dict[str, Any], evaluation: Evaluation) -> None:
    # Set in memory only; saved after the PDF renders, so a failure leaves the stored draft as it was.
    rec = evaluation.recommendation or {}
    letter.status = Letter.Status.ISSUED
    letter.signed_by, letter.signed_at = user, timezone.now()
    letter.status_changed_at = letter.signed_at
    letter.urgency, letter.kind = referral["urgency"], rendering.letter_kind(referral)
    letter.recommendation, letter.case, letter.ruleset = rec, evaluation.case, rec.get("ruleset", "")


@transaction.atomic
def create_addendum(*, user: User, letter: Letter, reason: str, request: HttpRequest | None = None) -> Letter:
    """Start the correction of an issued letter: a new draft version that refers to the one it amends."""
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    if not locked.is_issued:
        raise LetterError("Only an issued letter is corrected by addendum; change the draft itself instead.")
    latest = chain(locked).last()
    if latest is not None and latest.pk != locked.pk:
        state = "is being drafted" if not latest.is_issued else "was issued after this one"
        raise LetterError(f"Version {latest.version} {state}: amend the latest version.")
    existing = open_draft(locked.workup, locked.service)
    if existing is not None:
        raise OpenDraftExists(existing)
    ref = chain_reference(locked.reference)
    addendum = Letter.objects.create(
        workup_id=locked.workup_id,
        reference=f"{ref}-v{locked.version + 1}",
        version=locked.version + 1,
        amends=locked,
        kind=locked.kind,
        service=locked.service,
        urgency=locked.urgency,
        addressee=locked.addressee,
        question=locked.question,
        free_text=locked.free_text,
        addendum_reason=reason.strip(),
        discretion_reason=locked.discretion_reason,
        created_by=user,
    )
    audit.record(
        user=user,
        action="amend",
        obj=addendum,
        request=request,
        changes={"amends": [None, f"{ref} v{locked.version}"], "addendum_reason": [None, reason.strip()]},
    )
    return addendum
