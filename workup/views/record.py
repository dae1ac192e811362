"""The patient's record (medicines, allergies, problems, social history), correcting demographics, closing a workup."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from workup.access import (
    AuthedRequest,
    get_allergy,
    get_medication,
    get_patient,
    get_problem,
    get_workup,
    recorder_required,
)
from workup.forms import PatientForm
from workup.forms.record import AllergyForm, CloseWorkupForm, MedicationForm, ProblemForm, SocialHistoryForm
from workup.models import MedicineTerm, Patient, User
from workup.services import audit, record
from workup.services.workups import WorkupClosed, close_workup, update_patient

KINDS = ("medication", "allergy", "problem")
TITLES = {"medication": "Medicines", "allergy": "Allergies and adverse reactions", "problem": "Past problems"}
GETTERS: dict[str, Callable[[User, Any], record.Entry]] = {
    "medication": get_medication,
    "allergy": get_allergy,
    "problem": get_problem,
}
EntryForm = MedicationForm | AllergyForm | ProblemForm


def _entry_form(kind: str, data: Any = None, **kwargs: Any) -> EntryForm:
    prefix = kwargs.pop("prefix", kind)
    today = timezone.localdate()
    if kind == "medication":
        return MedicationForm(data, today=today, prefix=prefix, **kwargs)
    if kind == "problem":
        return ProblemForm(data, today=today, prefix=prefix, **kwargs)
    return AllergyForm(data, prefix=prefix, **kwargs)


def _record_url(patient: Patient, kind: str = "") -> str:
    return reverse("patient_record", args=[patient.pk]) + (f"#record-{kind}" if kind else "")


@recorder_required
def patient_record(request: AuthedRequest, patient_id: UUID) -> HttpResponse:
    patient = get_patient(request.user, patient_id)
    audit.record(user=request.user, action="view", obj=patient, request=request, object_type="patient_record")
    return _page(request, patient)


def _page(
    request: AuthedRequest,
    patient: Patient,
    *,
    bound: dict[str, forms.BaseForm] | None = None,
    editing: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    editing = editing or _editing(request, patient)
    shown_in: dict[str, list[Any]] = {}
    for message in messages.get_messages(request):
        shown_in.setdefault(message.extra_tags.removeprefix("record-") or "page", []).append(message)
    add_forms = {kind: bound.get(kind) or _entry_form(kind) for kind in KINDS}
    context = {
        "patient": patient,
        "today": timezone.localdate(),
        "lists": {
            "medication": list(patient.medications.select_related("term")),
            "allergy": list(patient.allergies.all()),
            "problem": list(patient.problems.all()),
        },
        "summaries": {
            "medication": record.medications_for(patient, include_stopped=True),
            "allergy": record.allergies_for(patient),
            "problem": record.problems_for(patient),
        },
        "titles": TITLES,
        "add_forms": add_forms,
        "editing": editing,
        "social_form": bound.get("social") or SocialHistoryForm(instance=patient, prefix="social"),
        "terms": MedicineTerm.objects.all(),
        "workup": _latest_workup(patient),
        "shown_in": shown_in,
    }
    response = render(request, "workup/patient_record.html", context)
    response.status_code = status
    return response


def _editing(request: AuthedRequest, patient: Patient) -> dict[str, Any] | None:
    """The entry the user chose to edit (``?edit=<kind>:<id>``) and its form."""
    kind, _, entry_id = request.GET.get("edit", "").partition(":")
    if kind not in GETTERS:
        return None
    entry = GETTERS[kind](request.user, entry_id)
    if entry.patient_id != patient.pk:
        raise Http404
    return {"kind": kind, "id": entry.pk, "form": _entry_form(kind, instance=entry, prefix=f"edit-{kind}")}


def _latest_workup(patient: Patient) -> Any:
    return patient.workups.filter(closed_as="").order_by("-created_at").first()


@recorder_required
@require_POST
def record_entry_add(request: AuthedRequest, patient_id: UUID, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    patient = get_patient(request.user, patient_id)
    form = _entry_form(kind, request.POST)
    if not form.is_valid():
        return _page(request, patient, bound={kind: form}, status=422)
    record.save_entry(user=request.user, patient=patient, kind=kind, data=form.entry_data(), request=request)
    messages.success(request, f"{TITLES[kind]}: added.", extra_tags=f"record-{kind}")
    return redirect(_record_url(patient, kind))


@recorder_required
@require_POST
def record_entry_edit(request: AuthedRequest, kind: str, entry_id: UUID) -> HttpResponse:
    if kind not in GETTERS:
        raise Http404
    entry = GETTERS[kind](request.user, entry_id)
    patient = entry.patient
    form = _entry_form(kind, request.POST, instance=entry, prefix=f"edit-{kind}")
    if not form.is_valid():
        editing = {"kind": kind, "id": entry.pk, "form": form}
        return _page(request, patient, editing=editing, status=422)
    record.save_entry(
        user=request.user,
        patient=patient,
        kind=kind,
        data=form.entry_data(),
        entry=entry,
        request=request,
    )
    messages.success(request, f"{TITLES[kind]}: saved.", extra_tags=f"record-{kind}")
    return redirect(_record_url(patient, kind))


@recorder_required
@require_POST
def record_entry_remove(request: AuthedRequest, kind: str, entry_id: UUID) -> HttpResponse:
    if kind not in GETTERS:
        raise Http404
    entry = GETTERS[kind](request.user, entry_id)
    patient = entry.patient
    record.remove_entry(user=request.user, entry=entry, request=request)
    messages.success(request, f"{TITLES[kind]}: removed {entry}.", extra_tags=f"record-{kind}")
    return redirect(_record_url(patient, kind))


@recorder_required
@require_POST
def record_none(request: AuthedRequest, patient_id: UUID, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    patient = get_patient(request.user, patient_id)
    try:
        record.answer_none(user=request.user, patient=patient, kind=kind, request=request)
    except record.RecordConflict:
        messages.error(request, f"{TITLES[kind]}: remove the entries listed first.", extra_tags=f"record-{kind}")
    else:
        messages.success(request, f"{TITLES[kind]}: answer recorded.", extra_tags=f"record-{kind}")
    return redirect(_record_url(patient, kind))


@recorder_required
@require_POST
def record_social(request: AuthedRequest, patient_id: UUID) -> HttpResponse:
    patient = get_patient(request.user, patient_id)
    form = SocialHistoryForm(request.POST, instance=patient, prefix="social")
    if not form.is_valid():
        return _page(request, patient, bound={"social": form}, status=422)
    record.save_social_history(user=request.user, patient=patient, data=form.social_data(), request=request)
    messages.success(request, "Social and family history saved.", extra_tags="record-social")
    return redirect(_record_url(patient, "social"))


@recorder_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: AuthedRequest, patient_id: UUID) -> HttpResponse:
    patient = get_patient(request.user, patient_id)
    form = PatientForm(
        request.POST or None, instance=patient, clinic_id=request.user.clinic_id, today=timezone.localdate()
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_patient(user=request.user, patient=patient, data=form.patient_data(), request=request)
        except IntegrityError:
            form.add_error("identifier", "Another patient was given this identifier a moment ago: check it.")
        else:
            messages.success(request, "Patient details saved.")
            return redirect("patient_detail", patient_id=patient.pk)
    return render(request, "workup/patient_edit.html", {"form": form, "patient": patient})


@recorder_required
@require_http_methods(["GET", "POST"])
def workup_close(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    workup = get_workup(request.user, workup_id)
    if workup.is_closed:
        return redirect("workup_detail", workup_id=workup.pk)
    form = CloseWorkupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with contextlib.suppress(WorkupClosed):  # closed by someone else meanwhile: their reason stands
            close_workup(
                user=request.user,
                workup=workup,
                closed_as=form.cleaned_data["closed_as"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        messages.success(request, "Workup closed. It stays readable here and leaves the active worklist.")
        return redirect("workup_detail", workup_id=workup.pk)
    return render(request, "workup/workup_close.html", {"form": form, "workup": workup, "patient": workup.patient})
