"""Referral letters: prepare, preview, edit, sign and issue, download, correct by addendum."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from workup import rules
from workup.access import AuthedRequest, get_letter, get_workup, may_sign, recorder_required, signer_required
from workup.forms_letters import AddendumForm, DraftForm, NewLetterForm, SignForm
from workup.letters import build_context, find_referral, referral_options, template_for
from workup.models import Letter
from workup.services import audit
from workup.services import letters as services
from workup.services.workups import evaluate_workup


@recorder_required
@require_http_methods(["GET", "POST"])
def letter_new(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """Choose which recommended referral to write; without one, say why there is nothing to refer yet."""
    workup = get_workup(request.user, workup_id)
    evaluation = evaluate_workup(workup)
    referrals = referral_options(evaluation.recommendation)
    directory = services.directory(workup.patient.clinic_id)
    form = NewLetterForm(request.POST or None, referrals=referrals, directory=directory)
    if request.method == "POST" and referrals and form.is_valid():
        try:
            letter = services.create_draft(
                user=request.user,
                workup=workup,
                service=form.cleaned_data["service"],
                addressee=form.cleaned_data["addressee"],
                request=request,
            )
        except services.LetterError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("letter_detail", letter_id=letter.pk)
    context = {"workup": workup, "evaluation": evaluation, "referrals": referrals, "form": form}
    return render(request, "letters/new.html", context)


@recorder_required
def letter_detail(request: AuthedRequest, letter_id: UUID) -> HttpResponse:
    """A draft: the letter as it reads now, with edit and sign. An issued letter: its record and downloads."""
    letter = get_letter(request.user, letter_id)
    audit.record(user=request.user, action="view", obj=letter, request=request)
    versions = list(services.chain(letter))
    context: dict[str, Any] = {
        "letter": letter,
        "versions": versions,
        "may_sign": may_sign(request.user),
        "current_ruleset": rules.RULESET,
    }
    if not letter.is_issued:
        context |= _draft_context(request, letter)
    return render(request, "letters/detail.html", context)


def _draft_context(request: AuthedRequest, letter: Letter) -> dict[str, Any]:
    evaluation = evaluate_workup(letter.workup)
    if evaluation.recommendation is None:
        return {"problems": evaluation.problems}
    # The letter's own template reads its names at the top level, as it does inside the PDF document.
    return {
        **build_context(services.draft_source(letter, evaluation=evaluation)),
        "body_template": template_for(letter),
        "still_recommended": find_referral(evaluation.recommendation, letter.service) is not None,
        "sign_form": SignForm(initial={"draft_version": letter.draft_version}),
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
            user=request.user, letter=letter, draft_version=form.cleaned_data["draft_version"], request=request
        )
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
        except services.LetterError as exc:
            messages.error(request, str(exc))
            return redirect("letter_detail", letter_id=letter.pk)
        return redirect("letter_edit", letter_id=addendum.pk)
    return render(request, "letters/addendum.html", {"letter": letter, "form": form})


urlpatterns = [
    path("workup/<uuid:workup_id>/new/", letter_new, name="letter_new"),
    path("<uuid:letter_id>/", letter_detail, name="letter_detail"),
    path("<uuid:letter_id>/edit/", letter_edit, name="letter_edit"),
    path("<uuid:letter_id>/sign/", letter_sign, name="letter_sign"),
    path("<uuid:letter_id>/pdf/", letter_pdf, name="letter_pdf"),
    path("<uuid:letter_id>/addendum/", letter_addendum, name="letter_addendum"),
]
