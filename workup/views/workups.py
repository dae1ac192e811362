"""The workup page: the four section forms in the order of the process, and the engine's recommendation beside them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from workup import letters
from workup.access import AuthedRequest, get_workup, may_sign, recorder_required
from workup.forms import (
    SECTION_FORMS,
    BaseLabFormSet,
    SectionForm,
    VersionForm,
    attach_error,
    lab_formset,
    problem_target,
)
from workup.models import Workup
from workup.services import audit
from workup.services.workups import (
    RoutineStopped,
    SectionConflict,
    StaleSection,
    WorkupClosed,
    evaluate_workup,
    save_labs,
    save_section,
    section_problems,
)
from workup.views.workup_page import TITLES, conflict_notice, render_workup_page, stale_notice


@recorder_required
def workup_detail(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    workup = get_workup(request.user, workup_id)
    audit.record(user=request.user, action="view", obj=workup, request=request)
    return render_workup_page(request, workup, may_sign=may_sign(request.user))


@recorder_required
@require_POST
def workup_section(request: AuthedRequest, workup_id: UUID, section: str) -> HttpResponse:
    workup = get_workup(request.user, workup_id)
    if section == "labs":
        return _save_labs(request, workup)
    if section not in SECTION_FORMS:
        raise Http404
    form = SECTION_FORMS[section](request.POST, instance=workup)
    if form.is_valid():
        for problem in section_problems(workup, section=section, data=form.section_data()):
            attach_error(form, problem_target(problem.path).field, problem.message)
    if not form.is_valid():
        return _page(request, workup, bound={section: form})
    if form.unresolved():
        form.add_error(None, "Choose yours or theirs for each field both of you changed, then save.")
        return _page(request, workup, bound={section: form}, status=409)
    try:
        save_section(
            user=request.user,
            workup=workup,
            section=section,
            data=form.section_data(),
            version=form.version_value,
            seen=form.seen_values,
            keep_theirs=form.keep_theirs(),
            request=request,
        )
    except SectionConflict as conflict:
        return _conflict(request, workup.pk, conflict)
    except StaleSection:
        return _stale_section(request, workup.pk, section)
    except RoutineStopped:
        return _routine_stopped(request, workup)
    except WorkupClosed:
        return _closed(request, workup)
    return _saved(request, workup, section)


def _conflict(request: AuthedRequest, workup_id: UUID, conflict: SectionConflict) -> HttpResponse:
    """The section as merged (the user's changes over the stored record), with a choice for each clashing field."""
    fresh = get_workup(request.user, workup_id)
    form: SectionForm = SECTION_FORMS[conflict.section](instance=fresh, initial=dict(conflict.merged))
    notice = conflict_notice(form, conflict)
    return _page(request, fresh, bound={conflict.section: form}, stale={conflict.section: notice}, status=409)


def _save_labs(request: AuthedRequest, workup: Workup) -> HttpResponse:
    formset = lab_formset(request.POST, today=timezone.localdate())
    version = VersionForm(request.POST, prefix="labs")
    if formset.is_valid() and version.is_valid():
        kept = formset.kept_forms()
        for problem in section_problems(workup, section="labs", rows=formset.rows()):
            _attach_lab_problem(formset, kept, problem.path, problem.message)
    if not (formset.is_valid() and version.is_valid()):
        return _page(request, workup, formset=formset, labs_version=version)
    try:
        saved = save_labs(user=request.user, workup=workup, rows=formset.edits(), request=request)
    except RoutineStopped:
        return _routine_stopped(request, workup)
    except WorkupClosed:
        return _closed(request, workup)
    for note in saved.notes:
        messages.warning(request, note, extra_tags="labs")
    return _saved(request, workup, "labs")


def _attach_lab_problem(formset: BaseLabFormSet, kept: list[Any], path: str, message: str) -> None:
    target = problem_target(path)
    if target.row is not None and target.row < len(kept):
        form = kept[target.row]
        attach_error(form, form.field_for(target.field), message)
    else:
        formset.non_form_errors().append(message)


def _saved(request: AuthedRequest, workup: Workup, section: str) -> HttpResponse:
    """Back to the page at the section saved, where the confirmation is shown; in an emergency, to the top."""
    shown_in = "presentation" if workup.stage == "emergency" else section
    messages.success(request, f"{TITLES[section]} saved. The recommendation is up to date.", extra_tags=shown_in)
    anchor = "top" if workup.stage == "emergency" else f"section-{shown_in}"
    return redirect(reverse("workup_detail", args=[workup.pk]) + f"#{anchor}")


def _routine_stopped(request: AuthedRequest, workup: Workup) -> HttpResponse:
    messages.error(
        request,
        "Not saved: a red flag is recorded, so the routine workup is stopped. Send the patient for emergency care; "
        "if the red flag was recorded in error, untick it in Presentation and save that first.",
    )
    return redirect(reverse("workup_detail", args=[workup.pk]) + "#top")


def _closed(request: AuthedRequest, workup: Workup) -> HttpResponse:
    messages.error(
        request, "Not saved: this workup is closed and can no longer be changed. Start a new workup instead."
    )
    return redirect(reverse("workup_detail", args=[workup.pk]) + "#top")


def _stale_section(request: AuthedRequest, workup_id: UUID, section: str) -> HttpResponse:
    fresh = get_workup(request.user, workup_id)
    data = request.POST.copy()
    data[f"{section}-version"] = str(getattr(fresh, f"{section}_version"))
    form: SectionForm = SECTION_FORMS[section](data, instance=fresh)
    form.is_valid()
    return _page(request, fresh, bound={section: form}, stale={section: stale_notice(fresh, section)}, status=409)


def _page(request: AuthedRequest, workup: Workup, status: int = 200, **kwargs: Any) -> HttpResponse:
    response = render_workup_page(request, workup, may_sign=may_sign(request.user), **kwargs)
    response.status_code = status
    return response


@recorder_required
def workup_print(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """The workup on one or two A4 pages: the record as the letter words it, identifiers on every page, no controls."""
    workup = get_workup(request.user, workup_id)
    audit.record(user=request.user, action="view", obj=workup, request=request)
    evaluation = evaluate_workup(workup)
    case, rec = evaluation.case, evaluation.recommendation or {}
    context = {
        "workup": workup,
        "patient": workup.patient,
        "rec": rec,
        "problems": evaluation.problems,
        "presentation": letters.presentation_rows(case.get("presentation", {})),
        "history": letters.history_rows(case.get("history", {}), patient=case.get("patient", {})),
        "exam": letters.exam_rows(case.get("exam", {})),
        "labs": letters.lab_rows(case.get("labs", [])),
        "printed_at": timezone.localtime(),
    }
    return render(request, "workup/print.html", context)
