"""The patient's record: medications, allergies, problems, family and social history.

Reading (``medications_for``, ``allergies_for``, ``problems_for``, ``social_history_for``) returns plain data that
the screens and the letter print, keeping "not asked" apart from "asked: none". Writing is keyword-only, atomic
and audited against the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from workup.models import Allergy, AllergyStatus, Medication, Patient, RecordStatus, Smoking
from workup.rules import vocab

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
