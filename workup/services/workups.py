"""Recording a workup: sections saved with optimistic locking, results replaced, the engine re-run."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from workup import rules
from workup.cases import EXAM_FIELDS, HISTORY_FIELDS, PATIENT_FIELDS, PRESENTATION_FIELDS, lab_to_case, workup_to_case
from workup.models import URGENCY_RANK, LabResult, Patient, User, Workup
from workup.services import audit

SECTIONS = ("presentation", "history", "exam", "labs")


class StaleSection(Exception):
    """Someone else saved this section after the user opened it; their save is kept, this one refused."""


class WorkupClosed(Exception):
    """The workup is closed (completed or entered in error): it is read-only."""


class RoutineStopped(Exception):
    """A red flag is recorded: the routine sections are not saved until it is cleared."""


@dataclass(frozen=True)
class Evaluation:
    """The engine's answer for a workup: the case it read, the recommendation, or the problems."""

    case: dict[str, Any]
    recommendation: dict[str, Any] | None
    problems: list[rules.Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.recommendation is not None


def profiles() -> dict[str, str]:
    """The deployment's threshold profiles, as keyword arguments of the engine (settings, from the environment)."""
    return {"b12_profile": settings.B12_PROFILE, "glycaemia_profile": settings.GLYCAEMIA_PROFILE}


def evaluate_workup(workup: Workup, *, labs: list[LabResult] | None = None, today: date | None = None) -> Evaluation:
    """Run the engine on a stored workup (workup -> case -> engine); the same code as the CLI and API."""
    day = today or timezone.localdate()
    case = workup_to_case(workup, labs=labs, as_of=day)
    try:
        recommendation = cast(dict[str, Any], rules.evaluate(case, today=day, **profiles()))
        return Evaluation(case=case, recommendation=recommendation)
    except rules.CaseError as exc:
        return Evaluation(case=case, recommendation=None, problems=list(exc.problems))


def refresh_summary(workup: Workup, evaluation: Evaluation) -> None:
    """Store urgency, stage and pattern on the workup so the worklist can sort without re-evaluating."""
    rec = evaluation.recommendation or {}
    values = {
        "urgency": rec.get("urgency", ""),
        "urgency_rank": URGENCY_RANK[rec.get("urgency", "")],
        "stage": rec.get("stage", ""),
        "pattern": rec.get("pattern", ""),
        "ruleset": rec.get("ruleset", rules.RULESET),
        "evaluation_errors": len(evaluation.problems),
    }
    Workup.objects.filter(pk=workup.pk).update(**values)
    for k, v in values.items():
        setattr(workup, k, v)


def section_problems(
    workup: Workup,
    *,
    section: str,
    data: dict[str, Any] | None = None,
    rows: list[dict[str, Any]] | None = None,
    labs: list[LabResult] | None = None,
    today: date | None = None,
) -> list[rules.Problem]:
    """Problems the engine would find in ``section`` if ``data`` (or, for labs, ``rows``) were saved. Stores nothing."""
    candidate = copy.copy(workup)
    for name, value in (data or {}).items():
        setattr(candidate, name, value)
    if section == "labs":
        labs = [LabResult(position=i, **row) for i, row in enumerate(rows or [])]
    evaluation = evaluate_workup(candidate, labs=labs, today=today)
    return [p for p in evaluation.problems if p.path == section or p.path.startswith((f"{section}.", f"{section}["))]


def refresh_outdated(workups: QuerySet[Workup]) -> int:
    """Re-evaluate the workups whose stored summary came from another ruleset; return how many were refreshed."""
    older = workups.exclude(ruleset__in=(rules.RULESET, ""))  # "": never evaluated, nothing to refresh
    outdated = list(older.select_related("patient").prefetch_related("labs"))
    for workup in outdated:
        reevaluate(workup)
    return len(outdated)


def reevaluate(workup: Workup) -> Evaluation:
    """Evaluate and store the summary."""
    evaluation = evaluate_workup(workup)
    refresh_summary(workup, evaluation)
    return evaluation


@transaction.atomic
def create_patient(*, user: User, data: dict[str, Any], request: HttpRequest | None = None) -> Patient:
    """Register a patient in the user's clinic."""
    if user.clinic_id is None:
        raise ValueError("only a member of a clinic registers patients")
    patient = Patient.objects.create(clinic_id=user.clinic_id, **data)
    audit.record(user=user, action="create", obj=patient, request=request)
    return patient


DEMOGRAPHIC_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "identifier")


@transaction.atomic
def update_patient(
    *, user: User, patient: Patient, data: dict[str, Any], request: HttpRequest | None = None
) -> Patient:
    """Correct a patient's demographics and contact details; audited with the values before and after."""
    allowed = {*DEMOGRAPHIC_FIELDS, "address", "phone", "gp_practice"}
    if set(data) - allowed:
        raise ValueError(f"not a demographic field: {sorted(set(data) - allowed)}")
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    changes = audit.diff({k: getattr(locked, k) for k in data}, data)
    if changes:
        Patient.objects.filter(pk=patient.pk).update(**data, updated_at=timezone.now())
        audit.record(user=user, action="change", obj=patient, request=request, changes=changes)
    patient.refresh_from_db()
    return patient


COPIED_FIELDS = (*PATIENT_FIELDS, *PRESENTATION_FIELDS, *HISTORY_FIELDS, *EXAM_FIELDS)


def previous_workup(patient: Patient, *, before: Workup | None = None) -> Workup | None:
    """The patient's latest workup not entered in error (before ``before`` when given): what a new one may copy."""
    workups = patient.workups.exclude(closed_as="entered_in_error").order_by("-created_at")
    if before is not None:
        workups = workups.filter(created_at__lt=before.created_at)
    return workups.first()


@transaction.atomic
def create_workup(
    *, user: User, patient: Patient, copy_from: Workup | None = None, request: HttpRequest | None = None
) -> Workup:
    """Open a new workup for ``patient``, copying presentation, history and exam (never results) from ``copy_from``."""
    copied: dict[str, Any] = {}
    if copy_from is not None:
        if copy_from.patient_id != patient.pk:
            raise ValueError("a workup copies only the same patient's earlier workup")
        copied = {name: copy.deepcopy(getattr(copy_from, name)) for name in COPIED_FIELDS}
    workup = Workup.objects.create(patient=patient, created_by=user, updated_by=user, **copied)
    changes = {"copied_from": [None, str(copy_from.pk)]} if copy_from is not None else None
    audit.record(user=user, action="create", obj=workup, request=request, changes=changes)
    reevaluate(workup)
    return workup


CLOSE_AS = ("completed", "entered_in_error")


@transaction.atomic
def close_workup(
    *, user: User, workup: Workup, closed_as: str, reason: str, request: HttpRequest | None = None
) -> Workup:
    """Close a workup as completed or entered in error, with the reason: it leaves the worklist and turns read-only."""
    if closed_as not in CLOSE_AS:
        raise ValueError(f"close as one of {CLOSE_AS}")
    if not reason.strip():
        raise ValueError("a reason is required to close a workup")
    locked = Workup.objects.select_for_update().get(pk=workup.pk)
    if locked.is_closed:
        raise WorkupClosed("This workup is already closed.")
    now = timezone.now()
    Workup.objects.filter(pk=workup.pk).update(
        closed_as=closed_as, closed_reason=reason.strip(), closed_at=now, closed_by=user
    )
    workup.refresh_from_db()
    audit.record(
        user=user,
        action="close",
        obj=workup,
        request=request,
        changes={"closed_as": [None, closed_as], "closed_reason": [None, workup.closed_reason]},
    )
    return workup


@transaction.atomic
def save_section(
    *, user: User, workup: Workup, section: str, data: dict[str, Any], version: int, request: HttpRequest | None = None
) -> Workup:
    """Save one section's fields if nobody saved it since ``version``; raise StaleSection otherwise."""
    if section not in ("presentation", "history", "exam"):
        raise ValueError(f"unknown section {section!r}")
    counter = f"{section}_version"
    before = Workup.objects.select_for_update().get(pk=workup.pk)
    if before.is_closed:
        raise WorkupClosed(section)
    if section != "presentation" and before.stage == "emergency":
        raise RoutineStopped(section)
    updated = Workup.objects.filter(pk=workup.pk, **{counter: version}).update(
        **data, **{counter: F(counter) + 1}, updated_by=user, updated_at=timezone.now()
    )
    if not updated:
        raise StaleSection(section)
    changes = audit.diff({k: getattr(before, k) for k in data}, data)
    workup.refresh_from_db()
    if changes:
        audit.record(user=user, action="change", obj=workup, request=request, changes=changes)
    reevaluate(workup)
    return workup


@transaction.atomic
def replace_labs(
    *, user: User, workup: Workup, rows: list[dict[str, Any]], version: int, request: HttpRequest | None = None
) -> Workup:
    """Replace the workup's lab results with ``rows`` if nobody saved them since ``version``."""
    locked = Workup.objects.select_for_update().get(pk=workup.pk)
    if locked.is_closed:
        raise WorkupClosed("labs")
    if locked.stage == "emergency":
        raise RoutineStopped("labs")
    before_rows = [lab_to_case(lab) for lab in workup.labs.all()]
    updated = Workup.objects.filter(pk=workup.pk, labs_version=version).update(
        labs_version=F("labs_version") + 1, updated_by=user, updated_at=timezone.now()
    )
    if not updated:
        raise StaleSection("labs")
    workup.labs.all().delete()
    labs = [
        LabResult(workup=workup, position=i, loinc=rules.loinc_for(r["test"], r.get("unit", "")), **r)
        for i, r in enumerate(_without_position(rows))
    ]
    LabResult.objects.bulk_create(labs)
    workup.refresh_from_db()
    after_rows = [lab_to_case(lab) for lab in workup.labs.all()]
    if before_rows != after_rows:
        audit.record(
            user=user, action="change", obj=workup, request=request, changes={"labs": [before_rows, after_rows]}
        )
    reevaluate(workup)
    return workup


def _without_position(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "position"} for r in rows]
