"""Shared fixtures: two clinics and a named persona for every role, in each clinic (built with tests.factories)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.factories import REPO, make_user, make_workup, typical_case

# Settings refuse to start without a secret outside DEBUG; tests use a throwaway one (make test sets it too).
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = REPO / "test-artifacts"


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


@pytest.fixture
def login(client: Any) -> Any:
    """Log the test client in as a persona: ``login(clinician)``."""

    def _login(user: Any) -> Any:
        client.force_login(user)
        return client

    return _login
