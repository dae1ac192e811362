"""Access-checked getters and role checks: the only way a view reaches a patient-scoped object.

Another clinic's object, or one that does not exist, answers 404 alike, so nothing leaks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from workup.models import Allergy, Letter, Medication, Patient, Problem, Role, User, Workup


def clinic_patients(user: User) -> QuerySet[Patient]:
    """Patients of the user's clinic; none for a user without a clinic."""
    if not user.is_authenticated or user.clinic_id is None:
        return Patient.objects.none()
    return Patient.objects.filter(clinic_id=user.clinic_id)


def clinic_workups(user: User) -> QuerySet[Workup]:
    """Workups of the user's clinic."""
    if not user.is_authenticated or user.clinic_id is None:
        return Workup.objects.none()
    return Workup.objects.filter(patient__clinic_id=user.clinic_id)


def clinic_letters(user: User) -> QuerySet[Letter]:
    """Letters of the user's clinic."""
    if not user.is_authenticated or user.clinic_id is None:
        return Letter.objects.none()
    return Letter.objects.filter(workup__patient__clinic_id=user.clinic_id)


def _uuid(value: Any) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        raise Http404 from None


def get_patient(user: User, patient_id: Any) -> Patient:
    """The user's clinic's patient, or 404."""
    return get_object_or_404(clinic_patients(user), pk=_uuid(patient_id))


def get_workup(user: User, workup_id: Any) -> Workup:
    """The user's clinic's workup (with its patient), or 404."""
    return get_object_or_404(clinic_workups(user).select_related("patient", "patient__clinic"), pk=_uuid(workup_id))


def get_letter(user: User, letter_id: Any) -> Letter:
    """The user's clinic's letter (with workup and patient), or 404."""
    qs = clinic_letters(user).select_related("workup", "workup__patient", "workup__patient__clinic")
    return get_object_or_404(qs, pk=_uuid(letter_id))


def get_medication(user: User, medication_id: Any) -> Medication:
    """A medicine on the record of one of the user's clinic's patients, or 404."""
    qs = Medication.objects.filter(patient__in=clinic_patients(user)).select_related("patient")
    return get_object_or_404(qs, pk=_uuid(medication_id))


def get_allergy(user: User, allergy_id: Any) -> Allergy:
    """An allergy on the record of one of the user's clinic's patients, or 404."""
    qs = Allergy.objects.filter(patient__in=clinic_patients(user)).select_related("patient")
    return get_object_or_404(qs, pk=_uuid(allergy_id))


def get_problem(user: User, problem_id: Any) -> Problem:
    """A problem on the record of one of the user's clinic's patients, or 404."""
    qs = Problem.objects.filter(patient__in=clinic_patients(user)).select_related("patient")
    return get_object_or_404(qs, pk=_uuid(problem_id))


class AuthedRequest(HttpRequest):
    """A request behind one of the decorators below: ``user`` is a logged-in member of staff."""

    user: User  # type: ignore[assignment]


RECORDING_ROLES = (Role.INTAKE, Role.CLINICIAN)


def may_record(user: User) -> bool:
    """Intake staff and clinicians record patients, workups, results and draft letters."""
    return bool(user.is_authenticated and user.clinic_id and user.can_record)


def may_sign(user: User) -> bool:
    """Only clinicians (or clinic admins who are also clinicians) sign and issue letters."""
    return bool(user.is_authenticated and user.clinic_id and user.can_sign)


def may_administer(user: User) -> bool:
    """Clinic administrators manage their clinic's users and read its audit trail."""
    return bool(user.is_authenticated and user.clinic_id and user.role == Role.CLINIC_ADMIN)


def require(
    check: Callable[[User], bool],
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a view: logged in, and ``check(user)`` holds, else 403."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not check(request.user):  # type: ignore[arg-type]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


recorder_required = require(may_record)
signer_required = require(may_sign)
admin_required = require(may_administer)
member_required = require(lambda u: bool(u.is_authenticated and u.clinic_id))
