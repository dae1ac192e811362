"""The EHR's FHIR data (prefetch, or read from its FHIR server) -> a workup-case/1 document.

Results go through the lab import's own mapping (interop/fhir/labs.py: the (system, code) table, the unit table, the
range parser, then the engine's validation), so a result reads the same whether it is imported, or arrives in a hook.
Conditions and medicines fill only what the case's history has a place for. The presentation and examination are not
in an EHR's coded data: they come from the clinic's own workup for the patient, matched by identifier (NHS number or
MRN) and date of birth. Without one, the case cannot be evaluated and the card says what to record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workup.cases import lab_to_case, workup_to_case
from workup.interop.fhir import labs
from workup.models import LabResult, Patient, Workup
from workup.rules import codes

SEX = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
# Observation statuses that carry no result (FHIR R4 observation-status).
NOT_A_RESULT = frozenset({"registered", "cancelled", "entered-in-error"})
# Condition codes that mean known diabetes: the reviewed table's only diabetes codes (codes.CAUSE_CODES) and the ICD-10
# combination codes clinical-reference.md 4.2 lists (E11.42 V, E11.40 V, E10.42 M).
DIABETES_CODES = frozenset(
    {(c.system, c.code) for c in codes.CAUSE_CODES["diabetes"]}
    | {(codes.ICD10CM, "E11.42"), (codes.ICD10CM, "E11.40"), (codes.ICD10CM, "E10.42")}
)
DIABETES_TEXT = re.compile(r"\b(type [12] diabetes|diabetes mellitus|diabetic|t[12]dm)\b", re.IGNORECASE)
# A neuropathy on the problem list makes a patient-view relevant: every cause code of the table, and these words.
NEUROPATHY_CODES = frozenset((c.system, c.code) for found in codes.CAUSE_CODES.values() for c in found) | {
    (codes.ICD10CM, "G62.9")
}
NEUROPATHY_TEXT = re.compile(r"\b(numb\w*|neuropath\w*|polyneuropath\w*|par(a)?esthesi\w*|tingling)\b", re.IGNORECASE)
# Medicines the case's history names -> the ingredient words that identify them in a medication's text. Ingredient
# names, not codes: the EHR's drug codes (dm+d, RxNorm) have no reviewed row in codes.py.
MEDICINE_WORDS: dict[str, tuple[str, ...]] = {
    "metformin": ("metformin",),
    "proton_pump_inhibitor": ("omeprazole", "esomeprazole", "lansoprazole", "pantoprazole", "rabeprazole"),
    "h2_receptor_antagonist": ("famotidine", "ranitidine", "cimetidine", "nizatidine"),
    "isoniazid": ("isoniazid",),
    "nitrofurantoin": ("nitrofurantoin",),
    "metronidazole": ("metronidazole",),
    "amiodarone": ("amiodarone",),
    "colchicine": ("colchicine",),
    "phenytoin": ("phenytoin",),
    "statin": ("atorvastatin", "simvastatin", "rosuvastatin", "pravastatin", "fluvastatin", "pitavastatin"),
    "vitamin_b6_supplement": ("pyridoxine",),
}
B12_RISK_MEDICINES = ("metformin", "proton_pump_inhibitor")


@dataclass
class EhrData:
    """What the EHR's data says, read once: the patient, each result matched, and the history it can fill."""

    patient: dict[str, Any] | None = None
    rows: list[labs.Row] = field(default_factory=list)
    diabetes: list[str] = field(default_factory=list)  # the conditions read as known diabetes
    neuropathy: list[str] = field(default_factory=list)  # the conditions that make the hook relevant
    medicines: dict[str, str] = field(default_factory=dict)  # history code -> the medication text it was read from
    notes: list[str] = field(default_factory=list)  # what could not be read (OperationOutcomes, refused results)

    @property
    def birth_date(self) -> date | None:
        return _date((self.patient or {}).get("birthDate"))


def resources(value: Any, kind: str) -> list[dict[str, Any]]:
    """The ``kind`` resources of one prefetch value: a resource, or a searchset Bundle of them; null gives none."""
    if not isinstance(value, dict):
        return []
    found = [e.get("resource") for e in value.get("entry") or [] if isinstance(e, dict)]
    found = found if value.get("resourceType") == "Bundle" else [value]
    return [r for r in found if isinstance(r, dict) and r.get("resourceType") == kind]


def outcomes(value: Any) -> list[str]:
    """The diagnostics of any OperationOutcome the client sent instead of (or with) the data."""
    issues = [i for r in resources(value, "OperationOutcome") for i in r.get("issue") or [] if isinstance(i, dict)]
    return [str(i.get("diagnostics") or i.get("code") or "error") for i in issues]


def read(prefetch: dict[str, Any], *, today: date) -> EhrData:
    """Read every prefetch value (all keys present; a null value is no data)."""
    data = EhrData(patient=next(iter(resources(prefetch.get("patient"), "Patient")), None))
    for key, value in prefetch.items():
        data.notes += [f"{key}: {text}" for text in outcomes(value)]
    data.rows = _results(resources(prefetch.get("observations"), "Observation"), data, today)
    for condition in resources(prefetch.get("conditions"), "Condition"):
        _condition(condition, data)
    for key in ("medicationStatements", "medicationRequests"):
        for resource in resources(prefetch.get(key), key[:-1].replace("medication", "Medication")):
            _medicine(resource, data)
    return data


def _results(observations: list[dict[str, Any]], data: EhrData, today: date) -> list[labs.Row]:
    current = [o for o in observations if o.get("status") not in NOT_A_RESULT]
    if not current:
        return []
    try:
        _, incoming = labs.read_fhir({"resourceType": "Bundle", "entry": [{"resource": o} for o in current]})
    except labs.ImportError_ as exc:
        data.notes.append(f"observations: {exc}")
        return []
    rows = [labs.match(i) for i in incoming]
    labs.validate_rows(patient_block(data, today), rows, today=today)
    return rows


def patient_block(data: EhrData, today: date) -> dict[str, Any]:
    """A case with only the patient: enough for the engine to check results against (age, sex)."""
    block: dict[str, Any] = {"schema": "workup-case/1", "as_of": today.isoformat(), "patient": {}}
    born = data.birth_date
    if born is not None and born <= today:
        block["patient"]["age_years"] = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    sex = SEX.get(str((data.patient or {}).get("gender")))
    if sex:
        block["patient"]["sex"] = sex
    return block


def concept_text(concept: Any) -> tuple[set[tuple[str, str]], str]:
    if not isinstance(concept, dict):
        return set(), ""
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    words = [str(concept.get("text") or "")] + [str(c.get("display") or "") for c in codings]
    return {(str(c.get("system")), str(c.get("code"))) for c in codings}, " ".join(w for w in words if w)


def _condition(condition: dict[str, Any], data: EhrData) -> None:
    status = concept_text(condition.get("clinicalStatus"))[0]
    if status and not any(code in ("active", "recurrence", "relapse") for _, code in status):
        return  # a resolved or inactive problem is history, not the present
    found, text = concept_text(condition.get("code"))
    name = text or ", ".join(code for _, code in sorted(found)) or "(no name)"
    if found & DIABETES_CODES or DIABETES_TEXT.search(text):
        data.diabetes.append(name)
    if found & NEUROPATHY_CODES or NEUROPATHY_TEXT.search(text):
        data.neuropathy.append(name)


def _medicine(resource: dict[str, Any], data: EhrData) -> None:
    if resource.get("status") not in (None, "active", "intended", "on-hold"):
        return
    text = concept_text(resource.get("medicationCodeableConcept"))[1].lower()
    for code, words in MEDICINE_WORDS.items():
        if any(re.search(rf"\b{w}\b", text) for w in words):
            data.medicines.setdefault(code, text)


def _plain(identifier: str) -> str:
    return re.sub(r"[\s-]", "", identifier).upper()


def find_workup(clinic_id: int, data: EhrData) -> Workup | None:
    """The clinic's latest workup of the patient whose identifier (NHS number or MRN) and date of birth both match."""
    born = data.birth_date
    identifiers = (data.patient or {}).get("identifier") or []
    values = {_plain(i["value"]) for i in identifiers if isinstance(i, dict) and isinstance(i.get("value"), str)}
    if born is None or not values - {""}:
        return None
    candidates = Patient.objects.filter(clinic_id=clinic_id, date_of_birth=born).order_by("created_at")
    patient = next((p for p in candidates if _plain(p.identifier) in values), None)
    if patient is None:
        return None
    return patient.workups.select_related("patient").order_by("-created_at").first()


def build_case(data: EhrData, workup: Workup | None, *, today: date) -> dict[str, Any]:
    """The case: the clinic's workup (if any) with the EHR's new results and history added; else what the EHR gives."""
    case = workup_to_case(workup, as_of=today) if workup is not None else patient_block(data, today)
    history = case.setdefault("history", {})
    if data.diabetes:
        history["diabetes"] = "known"
    if data.medicines:
        history["medications"] = sorted(set(history.get("medications") or []) | set(data.medicines))
        risks = set(history.get("b12_risks") or []) | {m for m in B12_RISK_MEDICINES if m in data.medicines}
        if risks:
            history["b12_risks"] = sorted(risks)
    if not history:
        case.pop("history")
    recorded = case.get("labs") or []
    seen = {_lab_key(lab) for lab in recorded}
    new = [lab_to_case(LabResult(**r.fields)) for r in data.rows if r.recognised]
    added = [lab for lab in new if _lab_key(lab) not in seen]
    if recorded or added:
        case["labs"] = recorded + added
    return case


def _lab_key(lab: dict[str, Any]) -> tuple[Any, ...]:
    return (lab.get("test"), str(lab.get("value")), lab.get("unit"), lab.get("collected_on"))


def evaluable(case: dict[str, Any]) -> bool:
    """Whether the case has what the engine needs to judge it: an age and a recorded presentation."""
    return "age_years" in case.get("patient", {}) and bool(case.get("presentation"))


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None
