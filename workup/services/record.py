"""The patient's record: medications, allergies, problems, family and social history.

Reading (``medications_for``, ``allergies_for``, ``problems_for``, ``social_history_for``) returns plain data that
the screens and the letter print, keeping "not asked" apart from "asked: none". Writing is keyword-only, atomic
and audited against the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.http import HttpRequest

from workup.models import (
    Allergy,
    AllergyStatus,
    Medication,
    MedicineTerm,
    Patient,
    Problem,
    RecordStatus,
    Smoking,
    User,
)
from workup.rules import vocab
from workup.services import audit

NOT_ASKED = "Not asked"
NOT_RECORDED = RecordStatus.NOT_RECORDED.value
RECORDED = RecordStatus.RECORDED.value

Item = TypeVar("Item")


@dataclass(frozen=True)
class MedicationItem:
    name: str
    dose: str
    frequency: str
    started_on: date | None
    stopped_on: date | None
    # The engine's code (vocab.MEDICATIONS or vocab.CHEMOTHERAPY) and its kind, "" when the medicine is free text.
    code: str
    kind: str
    snomed_ct: str

    @property
    def current(self) -> bool:
        return self.stopped_on is None

    def text(self) -> str:
        """One line: name, dose, frequency, and the dates it started or stopped."""
        parts = [p for p in (self.name, self.dose, self.frequency) if p]
        if self.started_on:
            parts.append(f"since {self.started_on:%d %b %Y}")
        if self.stopped_on:
            parts.append(f"stopped {self.stopped_on:%d %b %Y}")
        return ", ".join(parts)


@dataclass(frozen=True)
class AllergyItem:
    substance: str
    reaction: str
    severity: str
    kind: str

    def text(self) -> str:
        """One line: substance, then the reaction and its severity when recorded."""
        severity = Allergy.Severity(self.severity).label.lower() if self.severity else ""
        detail = ", ".join(p for p in (self.reaction, severity) if p)
        kind = " (adverse reaction)" if self.kind == Allergy.Kind.ADVERSE_REACTION else ""
        return f"{self.substance}{kind}" + (f": {detail}" if detail else "")


@dataclass(frozen=True)
class ProblemItem:
    description: str
    since_year: int | None
    resolved: bool

    def text(self) -> str:
        since = f" (since {self.since_year})" if self.since_year else ""
        return f"{self.description}{since}" + (", resolved" if self.resolved else "")


@dataclass(frozen=True)
class RecordList(Generic[Item]):
    """A list on the record and whether it was asked: status "not_recorded", the explicit none, or "recorded"."""

    status: str
    items: tuple[Item, ...]
    none_words: str

    @property
    def not_asked(self) -> bool:
        return self.status == NOT_RECORDED

    @property
    def answered_none(self) -> bool:
        """Asked, and there is nothing to list (for medicines: none current)."""
        return self.status != NOT_RECORDED and not self.items

    def words(self) -> list[str]:
        """What to print: "Not asked", the explicit none ("No known allergies"), or one line per item."""
        if self.items:
            return [item.text() for item in self.items]  # type: ignore[attr-defined]
        return [NOT_ASKED if self.not_asked else self.none_words]


@dataclass(frozen=True)
class SocialHistory:
    smoking_status: str
    smoking: str  # the words, "Not asked" when not recorded
    occupation: str  # "" when not recorded
    family_history_neuropathy: bool | None


def _status(stored: str, has_items: bool) -> str:
    # Rows on the record are an answer whatever the stored status says.
    return RECORDED if has_items else stored if stored != RECORDED else NOT_RECORDED


def medications_for(patient: Patient, *, include_stopped: bool = False) -> RecordList[MedicationItem]:
    """The patient's medicines (current ones unless ``include_stopped``), or why there are none."""
    rows = patient.medications.select_related("term")
    items = tuple(_medication_item(m) for m in rows if include_stopped or m.stopped_on is None)
    has_any = items or (not include_stopped and rows.exists())
    status = _status(patient.medications_status, bool(has_any))
    return RecordList(status=status, items=items, none_words="No current medicines")


def _medication_item(m: Medication) -> MedicationItem:
    term = m.term
    return MedicationItem(
        name=m.name,
        dose=m.dose,
        frequency=m.frequency,
        started_on=m.started_on,
        stopped_on=m.stopped_on,
        code=term.engine_code if term else "",
        kind=term.kind if term else "",
        snomed_ct=term.snomed_ct if term else "",
    )


def allergies_for(patient: Patient) -> RecordList[AllergyItem]:
    """The patient's allergies and adverse reactions; status "none_known" is the answer "No known allergies"."""
    items = tuple(
        AllergyItem(substance=a.substance, reaction=a.reaction, severity=a.severity, kind=a.kind)
        for a in patient.allergies.all()
    )
    status = _status(patient.allergies_status, bool(items))
    return RecordList(status=status, items=items, none_words=AllergyStatus.NONE_KNOWN.label)


def problems_for(patient: Patient) -> RecordList[ProblemItem]:
    """The patient's past and current problems."""
    items = tuple(
        ProblemItem(description=p.description, since_year=p.since_year, resolved=p.resolved)
        for p in patient.problems.all()
    )
    status = _status(patient.problems_status, bool(items))
    return RecordList(status=status, items=items, none_words="No past problems")


def social_history_for(patient: Patient) -> SocialHistory:
    """Smoking, occupation and family history of neuropathy as recorded on the patient."""
    smoking = Smoking(patient.smoking_status).label if patient.smoking_status else NOT_ASKED
    return SocialHistory(
        smoking_status=patient.smoking_status,
        smoking=smoking,
        occupation=patient.occupation,
        family_history_neuropathy=patient.family_history_neuropathy,
    )


def engine_codes(patient: Patient) -> dict[str, list[str] | None]:
    """What the patient's record tells the engine: medication and chemotherapy codes, None when not asked."""
    meds = medications_for(patient, include_stopped=True)
    if meds.not_asked:
        return {"medications": None, "chemotherapy": None}
    current = [i.code for i in meds.items if i.kind == "medication" and i.current]
    chemo = [i.code for i in meds.items if i.kind == "chemotherapy"]  # past or current, as the history asks
    return {
        "medications": [c for c, _ in vocab.MEDICATIONS if c in current],
        "chemotherapy": [c for c, _ in vocab.CHEMOTHERAPY if c in chemo] or None,
    }


# Writing ---------------------------------------------------------------------------------------------------------

Entry = Medication | Allergy | Problem
ENTRY_MODELS: dict[str, type[Entry]] = {"medication": Medication, "allergy": Allergy, "problem": Problem}
STATUS_FIELDS = {"medication": "medications_status", "allergy": "allergies_status", "problem": "problems_status"}
NONE_ANSWERS = {
    "medication": RecordStatus.NONE.value,
    "allergy": AllergyStatus.NONE_KNOWN.value,
    "problem": RecordStatus.NONE.value,
}
SOCIAL_FIELDS = ("smoking_status", "occupation", "family_history_neuropathy")


class RecordConflict(Exception):
    """The answer contradicts the record (e.g. "No known allergies" while allergies are listed)."""


def _entry_values(entry: Entry, names: list[str]) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in names}


def term_for(name: str) -> MedicineTerm | None:
    """The vocabulary entry a typed medicine name matches (case and spacing ignored), or None for free text."""
    cleaned = " ".join(name.split())
    return MedicineTerm.objects.filter(name__iexact=cleaned).first() if cleaned else None


@transaction.atomic
def save_entry(
    *,
    user: User,
    patient: Patient,
    kind: str,
    data: dict[str, Any],
    entry: Entry | None = None,
    request: HttpRequest | None = None,
) -> Entry:
    """Add an entry (medication, allergy, problem) to the patient's record, or change ``entry``; audited."""
    model = ENTRY_MODELS[kind]
    if entry is not None and (not isinstance(entry, model) or entry.patient_id != patient.pk):
        raise ValueError("the entry belongs to another patient or list")
    names = list(data)
    before = _entry_values(entry, names) if entry is not None else {}
    if entry is None:
        entry = model(patient=patient)
    for name, value in data.items():
        setattr(entry, name, value)
    if isinstance(entry, Medication):
        entry.term = term_for(entry.name)
    entry.save()
    Patient.objects.filter(pk=patient.pk).update(**{STATUS_FIELDS[kind]: RECORDED})
    setattr(patient, STATUS_FIELDS[kind], RECORDED)
    changes = audit.diff(before, _entry_values(entry, names))
    audit.record(
        user=user,
        action="change" if before else "create",
        obj=patient,
        request=request,
        changes=changes,
        object_type=kind,
        object_id=str(entry.pk),
    )
    return entry


@transaction.atomic
def remove_entry(*, user: User, entry: Entry, request: HttpRequest | None = None) -> None:
    """Remove an entry from the patient's record (entered in error); the audit trail keeps what it said."""
    patient, kind = entry.patient, next(k for k, m in ENTRY_MODELS.items() if isinstance(entry, m))
    said = {f.attname: getattr(entry, f.attname) for f in entry._meta.concrete_fields if f.name != "patient"}
    entry_id = str(entry.pk)
    entry.delete()
    if not ENTRY_MODELS[kind].objects.filter(patient=patient).exists():
        # Nothing left to list: the list goes back to "not asked" until someone answers it again.
        Patient.objects.filter(pk=patient.pk).update(**{STATUS_FIELDS[kind]: NOT_RECORDED})
    audit.record(
        user=user,
        action="delete",
        obj=patient,
        request=request,
        changes=audit.diff(said, dict.fromkeys(said)),
        object_type=kind,
        object_id=entry_id,
    )


@transaction.atomic
def answer_none(*, user: User, patient: Patient, kind: str, request: HttpRequest | None = None) -> Patient:
    """Record the explicit "none" answer for a list ("No known allergies"); refused while entries are listed."""
    field = STATUS_FIELDS[kind]
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if ENTRY_MODELS[kind].objects.filter(patient=locked).exists():
        raise RecordConflict(f"Remove the {kind} entries first: the record lists some.")
    before = getattr(locked, field)
    Patient.objects.filter(pk=patient.pk).update(**{field: NONE_ANSWERS[kind]})
    patient.refresh_from_db()
    if before != NONE_ANSWERS[kind]:
        audit.record(
            user=user, action="change", obj=patient, request=request, changes={field: [before, NONE_ANSWERS[kind]]}
        )
    return patient


@transaction.atomic
def save_social_history(
    *, user: User, patient: Patient, data: dict[str, Any], request: HttpRequest | None = None
) -> Patient:
    """Save smoking status, occupation and family history of neuropathy on the patient; audited before/after."""
    unknown = set(data) - set(SOCIAL_FIELDS)
    if unknown:
        raise ValueError(f"not social history: {sorted(unknown)}")
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    changes = audit.diff({k: getattr(locked, k) for k in data}, data)
    if changes:
        Patient.objects.filter(pk=patient.pk).update(**data)
        audit.record(user=user, action="change", obj=patient, request=request, changes=changes)
    patient.refresh_from_db()
    return patient
