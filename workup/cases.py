"""Convert a stored workup to a workup-case/1 document and back, losing nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import CharField, TextField

from workup.models import LabResult, Patient, Workup
from workup.rules import vocab
from workup.services.record import engine_codes

PRESENTATION_FIELDS = (
    "onset",
    "duration_weeks",
    "course",
    "sides",
    "areas",
    "symptoms",
    "red_flags",
    "notes",
    "notes_checked",
)
HISTORY_FIELDS = (
    "diabetes",
    "alcohol_units_per_week",
    "chemotherapy",
    "chemotherapy_ended_months_ago",
    "b12_risks",
    "medications",
    "cns_history",
    "spine_history",
    "family_history_neuropathy",
    "foot_history",
)
# Stored on the workup (an answer for this episode) but written in the case's patient block.
PATIENT_FIELDS = ("pregnant",)
# Exam items stored as <item>_left / <item>_right columns holding the contract's value directly.
SIDED_SIMPLE = tuple(i for i in vocab.SIDED_EXAM_ITEMS if i != "monofilament")
SINGLE_EXAM = ("romberg", "foot_inspection")
SIDES = ("left", "right")
EXAM_FIELDS = (
    tuple(f"{i}_{s}" for i in SIDED_SIMPLE for s in SIDES)
    + tuple(f"monofilament_{k}_{s}" for k in ("tested", "felt") for s in SIDES)
    + SINGLE_EXAM
)


def _number(v: Any) -> int | float:
    """JSON number for a stored value: integral values as int so 30 stays 30, not 30.0."""
    f = float(v)
    return int(f) if f.is_integer() else f


def _present(v: Any) -> bool:
    return v is not None and v != ""


def _json_value(v: Any) -> Any:
    if isinstance(v, Decimal | float):
        return _number(v)
    return v


def workup_to_case(workup: Workup, *, labs: list[LabResult] | None = None, as_of: date | None = None) -> dict[str, Any]:
    """Build the workup-case/1 document the engine reads from a stored workup (no query if labs are given)."""
    patient: Patient = workup.patient
    case: dict[str, Any] = {"schema": "workup-case/1"}
    if as_of is not None:
        case["as_of"] = as_of.isoformat()
    case["patient"] = {"age_years": patient.age_on(as_of or date.today()), "sex": patient.sex}
    if workup.pregnant is not None and patient.sex != "male":
        case["patient"]["pregnant"] = workup.pregnant
    case["presentation"] = _section(workup, PRESENTATION_FIELDS)
    if not workup.notes and not workup.notes_checked:
        case["presentation"].pop("notes_checked", None)  # the default false says nothing without notes
    history = with_patient_record(_section(workup, HISTORY_FIELDS), patient)
    if history:
        case["history"] = history
    exam = _exam(workup)
    if exam:
        case["exam"] = exam
    rows = labs if labs is not None else list(workup.labs.all())
    if rows:
        case["labs"] = [lab_to_case(lab) for lab in rows]
    return case


# Medicines the engine also reads as vitamin B12 risks (rule C14 and the B12 rules read b12_risks).
B12_RISK_MEDICINES = ("metformin", "proton_pump_inhibitor")


def with_patient_record(history: dict[str, Any], patient: Patient) -> dict[str, Any]:
    """The workup's history with the patient's coded medicines and family history merged in, nothing twice.

    Metformin typed once on the patient is a medication and a B12 risk in every workup; a list the patient record
    does not answer is left as the workup holds it (absent when not asked).
    """
    codes = engine_codes(patient)
    merged = dict(history)
    for name, choices in (("medications", vocab.MEDICATIONS), ("chemotherapy", vocab.CHEMOTHERAPY)):
        if codes[name] is not None:
            merged[name] = _union(merged.get(name), codes[name], choices)
    b12_medicines = [m for m in B12_RISK_MEDICINES if m in (merged.get("medications") or [])]
    if b12_medicines:
        merged["b12_risks"] = _union(merged.get("b12_risks"), b12_medicines, vocab.B12_RISKS)
    if "family_history_neuropathy" not in merged and patient.family_history_neuropathy is not None:
        merged["family_history_neuropathy"] = patient.family_history_neuropathy
    return {f: merged[f] for f in HISTORY_FIELDS if f in merged}


def _union(held: list[str] | None, more: list[str] | None, choices: vocab.Choices) -> list[str]:
    chosen = set(held or []) | set(more or [])
    return [code for code, _ in choices if code in chosen]


def _section(workup: Workup, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _json_value(getattr(workup, f)) for f in fields if _present(getattr(workup, f))}


def _exam(workup: Workup) -> dict[str, Any]:
    exam: dict[str, Any] = {}
    for item in SIDED_SIMPLE:
        sides = {
            s: _json_value(getattr(workup, f"{item}_{s}")) for s in SIDES if _present(getattr(workup, f"{item}_{s}"))
        }
        if sides:
            exam[item] = sides
    mono = {}
    for s in SIDES:
        tested, felt = getattr(workup, f"monofilament_tested_{s}"), getattr(workup, f"monofilament_felt_{s}")
        if tested is not None or felt is not None:
            mono[s] = {k: v for k, v in (("sites_tested", tested), ("sites_felt", felt)) if v is not None}
    if mono:
        exam["monofilament"] = {s: mono[s] for s in SIDES if s in mono}
    for item in SINGLE_EXAM:
        if _present(getattr(workup, item)):
            exam[item] = getattr(workup, item)
    return _contract_order(exam)


def _contract_order(exam: dict[str, Any]) -> dict[str, Any]:
    order = (
        "ankle_reflex",
        "knee_reflex",
        "plantar_response",
        "monofilament",
        "vibration",
        "pinprick",
        "proprioception",
        "power_ankle_dorsiflexion",
        "power_ankle_plantarflexion",
        "romberg",
        "pedal_pulses",
        "abi",
        "tinel_tarsal_tunnel",
        "straight_leg_raise",
        "foot_posture",
        "foot_inspection",
    )
    return {k: exam[k] for k in order if k in exam}


def lab_to_case(lab: LabResult) -> dict[str, Any]:
    """One lab row as the contract writes it."""
    row: dict[str, Any] = {"test": lab.test}
    if lab.test == "spep":
        row["value"] = lab.text_value
    elif lab.comparator:
        row["value"] = f"{lab.comparator}{lab.display_value()[1:]}"
    else:
        row["value"] = _number(lab.value) if lab.value is not None else None
    if lab.unit:
        row["unit"] = lab.unit
    if lab.collected_on:
        row["collected_on"] = lab.collected_on.isoformat()
    rr = {k: _number(v) for k, v in (("low", lab.reference_low), ("high", lab.reference_high)) if v is not None}
    if rr:
        row["reference_range"] = rr
    return row


def case_to_fields(case: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split a (valid) case into workup field values and lab-row field values; the patient is not touched."""
    fields: dict[str, Any] = {f: None for f in PATIENT_FIELDS + PRESENTATION_FIELDS + HISTORY_FIELDS + EXAM_FIELDS}
    fields["pregnant"] = case.get("patient", {}).get("pregnant")
    for f in PRESENTATION_FIELDS:
        fields[f] = case.get("presentation", {}).get(f)
    for f in HISTORY_FIELDS:
        fields[f] = case.get("history", {}).get(f)
    exam = case.get("exam", {})
    for item in SIDED_SIMPLE:
        for s in SIDES:
            fields[f"{item}_{s}"] = exam.get(item, {}).get(s)
    for s in SIDES:
        side = exam.get("monofilament", {}).get(s, {})
        fields[f"monofilament_tested_{s}"] = side.get("sites_tested")
        fields[f"monofilament_felt_{s}"] = side.get("sites_felt")
    for item in SINGLE_EXAM:
        fields[item] = exam.get(item)
    fields["foot_inspection"] = foot_findings(fields["foot_inspection"])
    fields["notes_checked"] = bool(fields["notes_checked"])
    for name, value in fields.items():
        if value is None and isinstance(Workup._meta.get_field(name), CharField | TextField):
            fields[name] = ""  # Django stores "not recorded" as "" in text columns
    for s in SIDES:
        if fields[f"abi_{s}"] is not None:
            fields[f"abi_{s}"] = Decimal(str(fields[f"abi_{s}"]))
    labs = [lab_fields(row, position=i) for i, row in enumerate(case.get("labs", []))]
    return fields, labs


def foot_findings(value: Any) -> list[str] | None:
    """A foot inspection as the list of findings the model stores; a 2026.11 string as the list it meant."""
    if isinstance(value, str):
        return list(vocab.FOOT_INSPECTION_2026_11.get(value, (value,)))
    return None if value is None else list(value)


def lab_fields(row: dict[str, Any], *, position: int = 0) -> dict[str, Any]:
    """Field values of a LabResult from one contract lab row."""
    value = row.get("value")
    out: dict[str, Any] = {
        "position": position,
        "test": row["test"],
        "comparator": "",
        "value": None,
        "text_value": "",
        "unit": row.get("unit", ""),
        "collected_on": date.fromisoformat(row["collected_on"]) if row.get("collected_on") else None,
        "reference_low": None,
        "reference_high": None,
    }
    if row["test"] == "spep":
        out["text_value"] = value
    elif isinstance(value, str):
        out["comparator"], out["value"] = value[0], Decimal(value[1:].strip())
    else:
        out["value"] = Decimal(str(value))
    rr = row.get("reference_range") or {}
    if "low" in rr:
        out["reference_low"] = Decimal(str(rr["low"]))
    if "high" in rr:
        out["reference_high"] = Decimal(str(rr["high"]))
    return out
