"""Shared fixtures: two clinics and a named persona for every role, in each clinic."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

# Settings refuse to start without a secret outside DEBUG; tests use a throwaway one (make test sets it too).
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
ARTIFACTS = REPO / "test-artifacts"
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _static_without_manifest(settings: Any) -> None:
    """Production serves collected, hashed static files; tests use the source files directly.

    Passwords are hashed with a fast hasher: the real one is deliberately slow, and tests create many users.
    """
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # the demo fixture's hashes
    ]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def artifacts_dir() -> Path:
    """Folder for screenshots and rendered pages that a person looks at (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def clinic(db: Any) -> Any:
    from workup.models import Clinic

    return Clinic.objects.create(
        name="Riverside Surgery",
        address="1 River Road\nLeeds LS1 1AA",
        phone="0113 496 0000",
        email="reception@riverside.example",
    )


@pytest.fixture
def other_clinic(db: Any) -> Any:
    from workup.models import Clinic

    return Clinic.objects.create(name="Hilltop Practice", address="9 Hill Street\nYork YO1 1AA")


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


@pytest.fixture
def intake(clinic: Any) -> Any:
    return make_user("ingrid_intake", clinic, "intake")


@pytest.fixture
def clinician(clinic: Any) -> Any:
    return make_user(
        "claire_clinician",
        clinic,
        "clinician",
        job_title="General practitioner",
        registration_number="GMC 7654321",
        phone="0113 496 0001",
    )


@pytest.fixture
def clinic_admin(clinic: Any) -> Any:
    return make_user("adam_admin", clinic, "clinic_admin")


@pytest.fixture
def other_clinician(other_clinic: Any) -> Any:
    """A clinician from another clinic, who must see nothing of the first clinic."""
    return make_user("oscar_other", other_clinic, "clinician")


@pytest.fixture
def patient(clinic: Any) -> Any:
    from workup.models import Patient

    return Patient.objects.create(
        clinic=clinic,
        given_name="Margaret",
        family_name="Okafor",
        date_of_birth=date(1961, 3, 14),
        sex="female",
        identifier="943 476 5919",
        address="12 Mill Lane\nLeeds LS6 2AB",
        phone="07700 900123",
        gp_practice="Riverside Surgery",
    )


@pytest.fixture
def workup(patient: Any, clinician: Any) -> Any:
    """A complete diabetic-neuropathy workup with three results."""
    return make_workup(patient, clinician, typical_case())


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


@pytest.fixture
def login(client: Any) -> Any:
    """Log the test client in as a persona: ``login(clinician)``."""

    def _login(user: Any) -> Any:
        client.force_login(user)
        return client

    return _login
