"""Registering a patient and the patient page with their workups."""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from workup.access import AuthedRequest, get_patient, recorder_required
from workup.forms import PatientForm
from workup.services import audit, record
from workup.services.workups import create_patient, create_workup, previous_workup


@recorder_required
@require_http_methods(["GET", "POST"])
def patient_new(request: AuthedRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, clinic_id=request.user.clinic_id, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            patient = create_patient(user=request.user, data=form.patient_data(), request=request)
        except IntegrityError:
            form.add_error("identifier", "A patient with this identifier was registered a moment ago: search for them.")
        else:
            return redirect("patient_detail", patient_id=patient.pk)
    return render(request, "workup/patient_new.html", {"form": form})


@recorder_required
def patient_detail(request: AuthedRequest, patient_id: UUID) -> HttpResponse:
    patient = get_patient(request.user, patient_id)
    audit.record(user=request.user, action="view", obj=patient, request=request)
    workups = patient.workups.select_related("created_by").order_by("-created_at")
    context = {
        "patient": patient,
        "workups": workups,
        "previous": previous_workup(patient),
        "medications": record.medications_for(patient),
        "allergies": record.allergies_for(patient),
        "problems": record.problems_for(patient),
        "social": record.social_history_for(patient),
    }
    return render(request, "workup/patient_detail.html", context)


@recorder_required
@require_POST
def workup_new(request: AuthedRequest, patient_id: UUID) -> HttpResponse:
    patient = get_patient(request.user, patient_id)
    copy_from = previous_workup(patient) if request.POST.get("copy_previous") else None
    workup = create_workup(user=request.user, patient=patient, copy_from=copy_from, request=request)
    return redirect("workup_detail", workup_id=workup.pk)
