"""Recording a workup: sections saved with optimistic locking, results replaced, the engine re-run."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from workup import merge, rules
from workup.cases import EXAM_FIELDS, HISTORY_FIELDS, PATIENT_FIELDS, PRESENTATION_FIELDS, lab_to_case, workup_to_case
from workup.models import URGENCY_RANK, AuditEvent, LabResult, Patient, User, Workup
from workup.rules import vocab
from workup.services import audit

SECTIONS = ("presentation", "history", "exam", "labs")


class StaleSection(Exception):
    """Someone else saved this section after the user opened it; their save is kept, this one refused."""


@dataclass(frozen=True)
class FieldConflict:
    """A field both users changed: the user's value, the stored one, and who stored it when."""

    name: str
    yours: Any
    theirs: Any
    saved_by: str
    saved_at: datetime | None


class SectionConflict(Exception):
    """Someone else changed the same fields differently since the user opened the section: they choose per field."""

    def __init__(self, section: str, conflicts: list[FieldConflict], merged: dict[str, Any]) -> None:
        super().__init__(section)
        self.section, self.conflicts, self.merged = section, conflicts, merged


@dataclass(frozen=True)
class RowEdit:
    """A blood-result row as the user saved it: ``row_id`` and ``seen`` (digest) for a row they were shown."""

    values: dict[str, Any]
    row_id: int | None = None
    seen: str = ""
    remove: bool = False


@dataclass
class LabsSaved:
    """What a blood-results save did, and anything the user should look at."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    notes: list[str] = field(default_factory=list)


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
    *,
    user: User,
    workup: Workup,
    section: str,
    data: dict[str, Any],
    version: int,
    seen: dict[str, str] | None = None,
    keep_theirs: frozenset[str] = frozenset(),
    request: HttpRequest | None = None,
) -> Workup:
    """Save one section's fields opened at ``version``; merge with anyone else's save since.

    With ``seen`` (the digests of what the user was shown), a save over someone else's is merged field by field and
    SectionConflict names the fields both changed; ``keep_theirs`` lists the fields where the user chose the stored
    value. Without ``seen``, a stale save is refused with StaleSection.
    """
    if section not in ("presentation", "history", "exam"):
        raise ValueError(f"unknown section {section!r}")
    counter = f"{section}_version"
    before = Workup.objects.select_for_update().get(pk=workup.pk)
    if before.is_closed:
        raise WorkupClosed(section)
    if section != "presentation" and before.stage == "emergency":
        raise RoutineStopped(section)
    stored = {k: getattr(before, k) for k in data}
    current = getattr(before, counter)
    if version != current and seen is not None:
        data, conflicts = merge.three_way(seen, data, stored, keep_theirs)
        if conflicts:
            raise SectionConflict(section, [_conflict(before, n, data[n], stored[n]) for n in conflicts], data)
        version = current
    elif keep_theirs:
        data = {k: stored[k] if k in keep_theirs else v for k, v in data.items()}
    updated = Workup.objects.filter(pk=workup.pk, **{counter: version}).update(
        **data, **{counter: F(counter) + 1}, updated_by=user, updated_at=timezone.now()
    )
    if not updated:
        raise StaleSection(section)
    changes = audit.diff(stored, data)
    workup.refresh_from_db()
    if changes:
        audit.record(user=user, action="change", obj=workup, request=request, changes=changes)
    reevaluate(workup)
    return workup


def _conflict(workup: Workup, name: str, yours: Any, theirs: Any) -> FieldConflict:
    """Who stored ``theirs``, read from the audit trail (the workup only remembers its last editor)."""
    event = (
        AuditEvent.objects.filter(object_type="workup", object_id=str(workup.pk), action="change")
        .filter(changes__has_key=name)
        .select_related("user")
        .order_by("-at", "-id")
        .first()
    )
    who = event.user.display_name() if event and event.user else (event.username if event else "someone else")
    return FieldConflict(name, yours, theirs, who, event.at if event else None)


@transaction.atomic
def save_labs(*, user: User, workup: Workup, rows: list[RowEdit], request: HttpRequest | None = None) -> LabsSaved:
    """Add the user's new results, edit the ones they changed, remove only the ones they ticked; keep all others.

    A row someone else changed since the user saw it is never overwritten or removed: the user's version is added
    beside it and both are named in the notes, for the user to remove the wrong one.
    """
    locked = Workup.objects.select_for_update().get(pk=workup.pk)
    if locked.is_closed:
        raise WorkupClosed("labs")
    if locked.stage == "emergency":
        raise RoutineStopped("labs")
    stored = {lab.pk: lab for lab in workup.labs.all()}
    before_rows = [lab_to_case(lab) for lab in stored.values()]
    result = LabsSaved()
    position = max((lab.position for lab in stored.values()), default=-1) + 1
    for row in rows:
        position += _apply_row(row, stored, workup, result, position)
    Workup.objects.filter(pk=workup.pk).update(
        labs_version=F("labs_version") + 1, updated_by=user, updated_at=timezone.now()
    )
    workup.refresh_from_db()
    after_rows = [lab_to_case(lab) for lab in workup.labs.all()]
    if before_rows != after_rows:
        audit.record(
            user=user, action="change", obj=workup, request=request, changes={"labs": [before_rows, after_rows]}
        )
    reevaluate(workup)
    return result


def _apply_row(row: RowEdit, stored: dict[int, LabResult], workup: Workup, result: LabsSaved, position: int) -> int:
    """Apply one row; return how many positions it used (1 when a row was added)."""
    lab = stored.get(row.row_id) if row.row_id is not None else None
    untouched_since_seen = lab is not None and merge.lab_digest(_lab_dict(lab)) == row.seen
    if row.remove:
        if lab is not None and untouched_since_seen:
            lab.delete()
            result.removed += 1
        elif lab is not None:
            result.notes.append(f"{_name(lab)} was changed by someone else since you opened the page: it was kept.")
        return 0
    if row.row_id is not None and merge.lab_digest(row.values) == row.seen:
        return 0  # shown to the user and left as it was
    if lab is not None and untouched_since_seen:
        LabResult.objects.filter(pk=lab.pk).update(**row.values, loinc=_loinc(row.values))
        result.changed += 1
        return 0
    LabResult.objects.create(workup=workup, position=position, loinc=_loinc(row.values), **row.values)
    result.added += 1
    if row.row_id is not None:
        what = "removed" if lab is None else "changed"
        result.notes.append(
            f"Someone else {what} a {_name_of(row.values)} result while you edited it: yours was added as a new "
            "result beside theirs. Remove the one that is wrong."
        )
    return 1


def _lab_dict(lab: LabResult) -> dict[str, Any]:
    return {name: getattr(lab, name) for name in merge.LAB_FIELDS}


def _loinc(values: dict[str, Any]) -> str:
    return rules.loinc_for(values["test"], values.get("unit", "")) or ""


def _name(lab: LabResult) -> str:
    return f"The {_name_of(_lab_dict(lab))} result"


def _name_of(values: dict[str, Any]) -> str:
    return vocab.label(vocab.LAB_TESTS, values["test"])


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
