"""Build workup-case/1 documents for engine tests: a complete, normal case by default, changed by keyword."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, cast

from workup.rules import CaseError, evaluate

AS_OF = date(2026, 11, 21)
ON = "2026-11-01"

NORMAL_EXAM: dict[str, Any] = {
    "ankle_reflex": {"left": 2, "right": 2},
    "knee_reflex": {"left": 2, "right": 2},
    "plantar_response": {"left": "flexor", "right": "flexor"},
    "monofilament": {"left": {"sites_tested": 4, "sites_felt": 4}, "right": {"sites_tested": 4, "sites_felt": 4}},
    "vibration": {"left": "normal", "right": "normal"},
    "power_ankle_dorsiflexion": {"left": 5, "right": 5},
    "pedal_pulses": {"left": "present", "right": "present"},
}
DEFAULT_UNITS = {
    "fasting_glucose": "mg/dL",
    "random_glucose": "mg/dL",
    "ogtt_2h": "mg/dL",
    "hba1c": "%",
    "b12": "pg/mL",
    "active_b12": "pmol/L",
    "mma": "umol/L",
    "homocysteine": "umol/L",
    "folate": "ng/mL",
    "tsh": "mIU/L",
    "egfr": "mL/min/1.73m2",
    "vitamin_b6": "nmol/L",
    "copper": "umol/L",
    "calcium_adjusted": "mmol/L",
    "magnesium": "mmol/L",
}


def lab(test: str, value: Any, unit: str | None = None, on: str | None = ON, **extra: Any) -> dict[str, Any]:
    """One result; the unit defaults to the test's usual one (none for spep), the date to ON."""
    row: dict[str, Any] = {"test": test, "value": value}
    if test != "spep":
        row["unit"] = unit or DEFAULT_UNITS[test]
    if on:
        row["collected_on"] = on
    row.update(extra)
    return row


def normal_bloods() -> list[dict[str, Any]]:
    """First-line bloods that explain nothing: normal HbA1c and B12."""
    return [lab("hba1c", 5.3), lab("b12", 420)]


def make_case(
    *,
    sides: str = "both",
    areas: tuple[str, ...] = ("toes", "sole"),
    onset: str = "gradual",
    duration: float = 30,
    course: str = "stable",
    symptoms: tuple[str, ...] = ("numbness",),
    red_flags: tuple[str, ...] = (),
    history: dict[str, Any] | None = None,
    exam: dict[str, Any] | None = None,
    exam_update: dict[str, Any] | None = None,
    labs: list[dict[str, Any]] | None = None,
    as_of: date | None = AS_OF,
) -> dict[str, Any]:
    """A valid case: by default both feet, toes and sole, stable for 30 weeks, normal complete exam, no labs."""
    doc: dict[str, Any] = {
        "schema": "workup-case/1",
        "patient": {"age_years": 60, "sex": "female"},
        "presentation": {
            "onset": onset,
            "duration_weeks": duration,
            "course": course,
            "sides": sides,
            "areas": list(areas),
            "symptoms": list(symptoms),
            "red_flags": list(red_flags),
        },
        "history": history if history is not None else {"diabetes": "not_known", "alcohol_units_per_week": 4},
        "exam": copy.deepcopy(NORMAL_EXAM) if exam is None else exam,
        "labs": labs if labs is not None else [],
    }
    if as_of:
        doc["as_of"] = as_of.isoformat()
    doc["exam"].update(copy.deepcopy(exam_update or {}))
    return doc


def run(doc: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Evaluate, judging the case on AS_OF when it has no as_of."""
    kwargs.setdefault("today", AS_OF)
    # As a plain dict, as the services read it: tests look keys up by name, which a TypedDict refuses.
    return cast(dict[str, Any], evaluate(doc, **kwargs))


def problems(doc: Any) -> dict[str, str]:
    """Evaluate a case that must be invalid; return path -> message (messages of one path joined)."""
    try:
        evaluate(doc, today=AS_OF)
    except CaseError as exc:
        out: dict[str, str] = {}
        for p in exc.problems:
            out[p.path] = f"{out[p.path]} | {p.message}" if p.path in out else p.message
        return out
    raise AssertionError("expected CaseError")


def codes(rec: dict[str, Any]) -> list[str]:
    return [s["code"] for s in rec["next_steps"]]


def step(rec: dict[str, Any], code: str) -> dict[str, Any]:
    found = [s for s in rec["next_steps"] if s["code"] == code]
    assert found, f"no step {code}: {codes(rec)}"
    return found[0]


def causes(rec: dict[str, Any]) -> dict[str, str]:
    return {c["code"]: c["certainty"] for c in rec["causes"]}


def referrals(rec: dict[str, Any]) -> dict[str, str]:
    return {r["service"]: r["urgency"] for r in rec["referrals"]}


def finding_codes(rec: dict[str, Any]) -> list[str]:
    return [f["code"] for f in rec["findings"]]


def warnings_at(rec: dict[str, Any], path: str) -> list[str]:
    """The warnings about one path (``presentation.red_flags[0]``), exactly that path."""
    return [w for w in rec["warnings"] if w.split(": ", 1)[0] == path]


def assert_emergency(rec: dict[str, Any], cause: str | None = None) -> None:
    """Exactly the emergency answer of clinical-rules.md section 3; with ``cause``, that cause alone."""
    assert rec["urgency"] == "emergency" and rec["stage"] == "emergency", (rec["stage"], codes(rec))
    assert codes(rec) == ["emergency_care"]
    assert rec["next_steps"][0]["timeframe"] == "now"
    assert [(r["service"], r["urgency"], r["requests"]) for r in rec["referrals"]] == [
        ("emergency_department", "emergency", ["assessment"])
    ]
    assert all(c["certainty"] == "possible" for c in rec["causes"])
    if cause is not None:
        assert causes(rec) == {cause: "possible"}
