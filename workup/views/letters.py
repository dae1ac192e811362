"""Referral letters: prepare, preview, edit, sign and issue, download, correct by addendum."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from workup import previews, rules
from workup.access import AuthedRequest, get_letter, get_workup, may_sign, recorder_required, signer_required
from workup.forms.letters import AddendumForm, DeclineForm, DraftForm, NewLetterForm, ReferAnywayForm, SignForm
from workup.letters import build_context, find_referral, referral_options, template_for
from workup.models import Letter, Workup
from workup.services import audit
from workup.services import letters as services
from workup.services import referrals as tracking
from workup.services.workups import Evaluation, evaluate_workup
from workup.views import referrals as tracking_views
from workup.views.referrals import tracking_forms


@recorder_required
@require_http_methods(["GET", "POST"])
def letter_new(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """Choose which recommended referral to write; a second letter to a service with one open asks first."""
    workup = get_workup(request.user, workup_id)
    evaluation = evaluate_workup(workup)
    referrals = referral_options(evaluation.recommendation)
    directory = services.directory(workup.patient.clinic_id)
    form = NewLetterForm(request.POST or None, referrals=referrals, directory=directory)
    if request.method == "POST" and referrals and form.is_valid():
        service = form.cleaned_data["service"]
        if _asks_before_second_letter(request, workup, service):
            return _new_page(request, workup, evaluation, form=form, second=service, status=409)
        return _prepare(request, workup, service=service, addressee=form.cleaned_data["addressee"])
    return _new_page(request, workup, evaluation, form=form)


def _asks_before_second_letter(request: AuthedRequest, workup: Workup, service: str) -> bool:
    open_signed = [x for x in services.open_letters(workup, service) if x.is_issued]
    return bool(open_signed) and request.POST.get("second") != service


def _prepare(request: AuthedRequest, workup: Workup, **kwargs: Any) -> HttpResponse:
    try:
        letter = services.create_draft(user=request.user, workup=workup, request=request, **kwargs)
    except services.OpenDraftExists as exc:
        messages.warning(request, str(exc))
        return redirect("letter_detail", letter_id=exc.letter.pk)
    except services.LetterError as exc:
        messages.error(request, str(exc))
        return redirect("letter_new", workup_id=workup.pk)
    return redirect("letter_detail", letter_id=letter.pk)


def _new_page(
    request: AuthedRequest,
    workup: Workup,
    evaluation: Evaluation,
    *,
    form: NewLetterForm | None = None,
    anyway: ReferAnywayForm | None = None,
    decline: DeclineForm | None = None,
    second: str = "",
    status: int = 200,
) -> HttpResponse:
    referrals = referral_options(evaluation.recommendation)
    letters = tracking.current_versions(
        list(workup.letters.defer("pdf", "fhir_document", "reply_pdf").exclude(status=Letter.Status.CANCELLED))
    )
    context = {
        "workup": workup,
        "banner_patient": workup.patient,
        "evaluation": evaluation,
        "referrals": referrals,
        "form": form or NewLetterForm(referrals=referrals),
        "anyway": anyway or ReferAnywayForm(),
        "decline": decline or DeclineForm(referrals=referrals),
        "open_letters": [x for x in letters if x.is_open],
        "second": second,
        "second_letters": [x for x in letters if x.service == second and x.is_open],
        "may_sign": may_sign(request.user),
        "decisions": list(workup.referral_decisions.select_related("decided_by")),
    }
    return render(request, "letters/new.html", context, status=status)


@signer_required
@require_POST
def letter_anyway(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """Refer to any service at any urgency the engine did not suggest: the clinician's decision, with a reason."""
    workup = get_workup(request.user, workup_id)
    form = ReferAnywayForm(request.POST)
    if not form.is_valid():
        return _new_page(request, workup, evaluate_workup(workup), anyway=form, status=400)
    data = form.cleaned_data
    return _prepare(request, workup, service=data["service"], urgency=data["urgency"], discretion_reason=data["reason"])


@signer_required
@require_POST
def referral_decline(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """Decline a suggested referral with a reason, recorded on the workup."""
    workup = get_workup(request.user, workup_id)
    evaluation = evaluate_workup(workup)
    form = DeclineForm(request.POST, referrals=referral_options(evaluation.recommendation))
    if not form.is_valid():
        return _new_page(request, workup, evaluation, decline=form, status=400)
    service = form.cleaned_data["service"]
    tracking.decline(
        user=request.user,
        workup=workup,
        service=service,
        urgency=form.urgencies[service],
        reason=form.cleaned_data["reason"],
        request=request,
    )
    messages.success(request, "Declined. The decision and its reason are recorded on the workup.")
    return redirect("workup_detail", workup_id=workup.pk)


@recorder_required
def letter_detail(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    """A draft: the letter as it reads now, with edit and sign. An issued letter: its record and downloads."""
    letter = get_letter(request.user, letter_id)
    audit.record(user=request.user, action="view", obj=letter, request=request)
    return _detail_page(request, letter)


def _detail_page(
    request: AuthedRequest, letter: Letter, *, changed: list[previews.Difference] | None = None, status: int = 200
) -> HttpResponse:
    versions = tracking.mark_superseded(list(services.chain(letter)))
    this = next(v for v in versions if v.pk == letter.pk)
    context: dict[str, Any] = {
        "letter": letter,
        "banner_patient": letter.workup.patient,
        "versions": versions,
        "superseded_by": this.superseded_by,  # type: ignore[attr-defined]
        "may_sign": may_sign(request.user),
        "current_ruleset": rules.RULESET,
        "changed": changed,
        **tracking_forms(letter, may_sign=may_sign(request.user)),
    }
    if letter.status == Letter.Status.DRAFT:
        context |= _draft_context(request, letter)
    return render(request, "letters/detail.html", context, status=status)


def _draft_context(request: AuthedRequest, letter: Letter) -> dict[str, Any]:
    evaluation = evaluate_workup(letter.workup)
    if evaluation.recommendation is None:
        return {"problems": evaluation.problems}
    source = services.draft_source(letter, evaluation=evaluation)
    # The letter's own template reads its names at the top level, as it does inside the PDF document.
    return {
        **build_context(source),
        "body_template": template_for(letter),
        "still_recommended": bool(letter.discretion_reason)
        or find_referral(evaluation.recommendation, letter.service) is not None,
        "sign_form": SignForm(initial={"draft_version": letter.draft_version, "preview": previews.token(source)}),
    }


@recorder_required
@require_http_methods(["GET", "POST"])
def letter_edit(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    """Edit the question and free text of a draft; an issued letter is refused."""
    letter = get_letter(request.user, letter_id)
    if letter.is_issued:
        messages.error(request, "This letter is signed and issued: it cannot be changed. Write an addendum instead.")
        return redirect("letter_detail", letter_id=letter.pk)
    initial = {"question": letter.question, "free_text": letter.free_text, "draft_version": letter.draft_version}
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(user=request.user, letter=letter, request=request, **form.cleaned_data)
        except services.LetterError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Draft saved.")
        return redirect("letter_detail", letter_id=letter.pk)
    return render(request, "letters/edit.html", {"letter": letter, "form": form})


@signer_required
@require_POST
def letter_sign(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    """Sign and issue the draft; if anything fails, nothing is issued and the user is told why."""
    letter = get_letter(request.user, letter_id)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the box to confirm you have read the letter, then sign.")
        return redirect("letter_detail", letter_id=letter.pk)
    try:
        services.issue(
            user=request.user,
            letter=letter,
            draft_version=form.cleaned_data["draft_version"],
            preview=form.cleaned_data["preview"],
            request=request,
        )
    except services.PreviewOutdated as exc:
        letter.refresh_from_db()
        return _detail_page(request, letter, changed=exc.differences, status=409)
    except services.LetterError as exc:
        messages.error(request, f"The letter was not signed. {exc}")
    else:
        messages.success(request, "Signed and issued. The PDF is stored and will not change.")
    return redirect("letter_detail", letter_id=letter.pk)


@recorder_required
def letter_pdf(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    """The issued PDF exactly as signed (409 if its bytes no longer match their hash), or a draft marked DRAFT."""
    letter = get_letter(request.user, letter_id)
    try:
        if letter.is_issued:
            data = services.stored_pdf(letter, user=request.user, request=request)
        else:
            data = services.draft_pdf(letter).pdf
    except services.PdfTampered as exc:
        context = {"letter": letter, "message": str(exc)}
        return render(request, "letters/pdf_withheld.html", context, status=409)
    except services.LetterError as exc:
        messages.error(request, str(exc))
        return redirect("letter_detail", letter_id=letter.pk)
    audit.record(user=request.user, action="download" if letter.is_issued else "view", obj=letter, request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.pdf_filename(letter)}"'
    response["Cache-Control"] = "no-store, private"
    return response


@recorder_required
@require_http_methods(["GET", "POST"])
def letter_addendum(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    """Correct an issued letter: a new draft version that refers to it, with the reason for the correction."""
    letter = get_letter(request.user, letter_id)
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            addendum = services.create_addendum(
                user=request.user, letter=letter, reason=form.cleaned_data["reason"], request=request
            )
        except services.OpenDraftExists as exc:
            messages.warning(request, str(exc))
            return redirect("letter_detail", letter_id=exc.letter.pk)
        except services.LetterError as exc:
            messages.error(request, str(exc))
            return redirect("letter_detail", letter_id=letter.pk)
        return redirect("letter_edit", letter_id=addendum.pk)
    return render(request, "letters/addendum.html", {"letter": letter, "form": form})


urlpatterns = [
    path("workup/<uuid:workup_id>/new/", letter_new, name="letter_new"),
    path("workup/<uuid:workup_id>/anyway/", letter_anyway, name="letter_anyway"),
    path("workup/<uuid:workup_id>/decline/", referral_decline, name="referral_decline"),
    path("<uuid:letter_id>/sent/", tracking_views.letter_sent, name="letter_sent"),
    path("<uuid:letter_id>/booked/", tracking_views.letter_booked, name="letter_booked"),
    path("<uuid:letter_id>/reply/", tracking_views.letter_reply, name="letter_reply"),
    path("<uuid:letter_id>/reply.pdf", tracking_views.letter_reply_pdf, name="letter_reply_pdf"),
    path("<uuid:letter_id>/cancel/", tracking_views.letter_cancel, name="letter_cancel"),
    path("<uuid:letter_id>/", letter_detail, name="letter_detail"),
    path("<uuid:letter_id>/edit/", letter_edit, name="letter_edit"),
    path("<uuid:letter_id>/sign/", letter_sign, name="letter_sign"),
    path("<uuid:letter_id>/pdf/", letter_pdf, name="letter_pdf"),
    path("<uuid:letter_id>/addendum/", letter_addendum, name="letter_addendum"),
]
