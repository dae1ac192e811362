"""One case per letter kind: the typical case edited until the engine refers to that service (tests/test_letters_kinds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Edit = Callable[[dict[str, Any]], None]


def _lab(case: dict[str, Any], test: str, **row: Any) -> None:
    case["labs"] = [r for r in case["labs"] if r["test"] != test] + [{"test": test, **row}]


def neurology(case: dict[str, Any]) -> None:
    """The typical case: weakness on examination, urgent neurology for nerve conduction studies."""


def haematology(case: dict[str, Any]) -> None:
    _lab(case, "spep", value="paraprotein", collected_on="2026-10-20")
    _lab(case, "egfr", value=48, unit="mL/min/1.73m2", collected_on="2026-11-02", reference_range={"low": 60})


def vascular(case: dict[str, Any]) -> None:
    case["exam"]["abi"] = {"left": 0.45, "right": 0.95}
    case["presentation"]["symptoms"].append("claudication")
    case["history"]["medications"] = ["metformin", "statin"]


def diabetic_foot_service(case: dict[str, Any]) -> None:
    case["exam"]["foot_inspection"] = ["ulcer", "callus"]


def foot_protection_service(case: dict[str, Any]) -> None:
    case["exam"]["power_ankle_plantarflexion"] = {"left": 5, "right": 5}
    case["exam"]["foot_inspection"] = ["callus"]
    case["labs"] = [r for r in case["labs"] if r["test"] != "b12"] + [
        {"test": "b12", "value": 400, "unit": "ng/L", "collected_on": "2026-11-02"}
    ]


def spinal(case: dict[str, Any]) -> None:
    case["presentation"] |= {
        "sides": "left",
        "areas": ["outer_foot", "back_of_leg"],
        "symptoms": ["numbness", "back_pain", "radiating_leg_pain"],
    }
    case["exam"]["power_ankle_dorsiflexion"] = {"left": 4, "right": 5}
    case["exam"]["straight_leg_raise"] = {"left": "positive", "right": "negative"}


def podiatry(case: dict[str, Any]) -> None:
    case["presentation"] |= {"sides": "left", "areas": ["sole"]}
    case["exam"]["tinel_tarsal_tunnel"] = {"left": "positive", "right": "negative"}
    case["exam"]["power_ankle_plantarflexion"] = {"left": 5, "right": 5}


def physiotherapy(case: dict[str, Any]) -> None:
    case["presentation"] |= {
        "sides": "left",
        "areas": ["outer_foot", "back_of_leg"],
        "symptoms": ["numbness", "back_pain", "radiating_leg_pain"],
    }
    case["exam"]["power_ankle_plantarflexion"] = {"left": 5, "right": 5}
    case["exam"]["straight_leg_raise"] = {"left": "positive", "right": "negative"}


def stroke_service(case: dict[str, Any]) -> None:
    case["presentation"] |= {"onset": "sudden", "duration_weeks": 3}


def ms_team(case: dict[str, Any]) -> None:
    case["history"]["cns_history"] = ["multiple_sclerosis"]
    case["presentation"] |= {"course": "relapsing", "duration_weeks": 2}


def paediatrics(case: dict[str, Any]) -> None:
    case["patient"]["age_years"] = 12


def antenatal_diabetes_team(case: dict[str, Any]) -> None:
    case["patient"] |= {"sex": "female", "pregnant": True}
    _lab(case, "fasting_glucose", value=5.8, unit="mmol/L", collected_on="2026-11-02")


def emergency_department(case: dict[str, Any]) -> None:
    case["presentation"]["red_flags"] = ["bladder_or_bowel_dysfunction", "saddle_numbness"]


KINDS: dict[str, Edit] = {
    "neurology": neurology,
    "haematology": haematology,
    "vascular": vascular,
    "diabetic_foot_service": diabetic_foot_service,
    "foot_protection_service": foot_protection_service,
    "spinal": spinal,
    "podiatry": podiatry,
    "physiotherapy": physiotherapy,
    "stroke_service": stroke_service,
    "ms_team": ms_team,
    "paediatrics": paediatrics,
    "antenatal_diabetes_team": antenatal_diabetes_team,
    "emergency_department": emergency_department,
}
