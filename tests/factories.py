"""Builders of test data, shared by test modules and by the fixtures in conftest.py (which no test imports)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PASSWORD = "correct-horse-battery-staple"

# Models are imported inside the builders: conftest.py imports this module before Django is set up, and the engine
# tests run without Django at all (-p no:django).


def make_user(username: str, clinic: Any, role: str, **extra: Any) -> Any:
    from workup.models import User

    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        clinic=clinic,
        role=role,
        first_name=username.split("_")[0].title(),
        last_name="Tester",
        **extra,
    )


def stored_bytes(data: bytes | memoryview | None) -> bytes:
    """The bytes of a binary field that must be filled (PostgreSQL returns a memoryview)."""
    assert data is not None, "no bytes stored"
    return bytes(data)


def make_workup(patient: Any, user: Any, case: dict[str, Any]) -> Any:
    """Store ``case`` as a workup of ``patient`` (the case's own patient block is ignored)."""
    from workup.cases import case_to_fields
    from workup.models import LabResult, Workup

    fields, labs = case_to_fields(case)
    workup = Workup.objects.create(patient=patient, created_by=user, updated_by=user, **fields)
    LabResult.objects.bulk_create([LabResult(workup=workup, **row) for row in labs])
    return workup


def variant(workup: Any, edit: Callable[[dict[str, Any]], Any]) -> Any:
    """Another workup for the same patient: ``workup``'s case with ``edit`` applied to it."""
    from workup.cases import workup_to_case

    case = workup_to_case(workup)
    edit(case)
    return make_workup(workup.patient, workup.created_by, case)


def typical_case() -> dict[str, Any]:
    """A case with every section filled in (contract example 01, extended)."""
    return {
        "schema": "workup-case/1",
        "patient": {"age_years": 64, "sex": "female"},
        "presentation": {
            "onset": "gradual",
            "duration_weeks": 30,
            "course": "stable",
            "sides": "both",
            "areas": ["toes", "sole"],
            "symptoms": ["numbness", "tingling", "burning"],
            "red_flags": [],
        },
        "history": {
            "diabetes": "known",
            "alcohol_units_per_week": 2.5,
            "b12_risks": ["metformin"],
            "chemotherapy": [],
            "cns_history": [],
            "spine_history": ["disc_herniation"],
        },
        "exam": {
            "ankle_reflex": {"left": 0, "right": 1},
            "knee_reflex": {"left": 2, "right": 2},
            "plantar_response": {"left": "flexor", "right": "flexor"},
            "monofilament": {
                "left": {"sites_tested": 4, "sites_felt": 2},
                "right": {"sites_tested": 4, "sites_felt": 4},
            },
            "vibration": {"left": "reduced", "right": "absent"},
            "pinprick": {"left": "reduced", "right": "normal"},
            "proprioception": {"left": "normal", "right": "impaired"},
            "power_ankle_dorsiflexion": {"left": 5, "right": 5},
            "power_ankle_plantarflexion": {"left": 5, "right": 4},
            "romberg": "negative",
            "pedal_pulses": {"left": "present", "right": "reduced"},
            "abi": {"left": 1.05, "right": 0.95},
            "tinel_tarsal_tunnel": {"left": "negative", "right": "negative"},
            "straight_leg_raise": {"left": "negative", "right": "negative"},
            "foot_posture": {"left": "neutral", "right": "overpronated"},
            "foot_inspection": [],
        },
        "labs": [
            {
                "test": "hba1c",
                "value": 8.1,
                "unit": "%",
                "collected_on": "2026-11-02",
                "reference_range": {"low": 4, "high": 6},
            },
            {"test": "b12", "value": "<150", "unit": "ng/L", "collected_on": "2026-11-02"},
            {"test": "spep", "value": "normal", "collected_on": "2026-10-20"},
        ],
    }
