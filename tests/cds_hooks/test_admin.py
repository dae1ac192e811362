"""Registering CDS clients: the clinic administrator's screen and `manage.py cds_client`; the demo and benchmark."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.cds_hooks.builders import ISSUER, contract_case, public_jwks
from tests.factories import make_workup
from workup.models import AuditEvent, CdsClient

pytestmark = pytest.mark.django_db


def _admin(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_registers_a_client_for_their_clinic(clinic_admin, clinic, private_key) -> None:
    jwks = json.dumps(public_jwks(private_key))
    response = _admin(clinic_admin).post("/clinic/cds-clients/", {"issuer": ISSUER, "name": "EHR", "jwks": jwks})
    assert response.status_code == 302
    client = CdsClient.objects.get()
    assert client.clinic == clinic and client.jwks is not None and client.jwks["keys"][0]["kid"] == "ehr-1"
    assert AuditEvent.objects.filter(object_type="cds_client", action="create", user=clinic_admin).exists()
    assert ISSUER in _admin(clinic_admin).get("/clinic/cds-clients/").content.decode()


@pytest.mark.parametrize(
    ("jwks", "jku", "words"),
    [
        ("", "", "Give the public JWK Set"),
        ('{"kty": "oct", "k": "c2VjcmV0"}', "", "never a shared secret"),
        ("not json", "", "not JSON"),
        ("", "http://ehr.example/jwks", "must be https"),
    ],
)
def test_a_bad_key_is_a_form_error(clinic_admin, jwks, jku, words) -> None:
    response = _admin(clinic_admin).post("/clinic/cds-clients/", {"issuer": ISSUER, "jwks": jwks, "jku": jku})
    assert response.status_code == 200 and words in response.content.decode()
    assert not CdsClient.objects.exists()


def test_another_clinics_issuer_cannot_be_taken(cds_client, other_clinic, private_key) -> None:
    from tests.factories import make_user

    other_admin = make_user("otto_admin", other_clinic, "clinic_admin")
    jwks = json.dumps(public_jwks(private_key))
    response = _admin(other_admin).post("/clinic/cds-clients/", {"issuer": ISSUER, "jwks": jwks})
    assert response.status_code == 200 and "cannot be registered here" in response.content.decode()
    cds_client.refresh_from_db()
    assert cds_client.clinic != other_clinic
    assert _admin(other_admin).post(f"/clinic/cds-clients/{cds_client.pk}/remove/").status_code == 404


def test_admin_removes_a_client(clinic_admin, cds_client) -> None:
    assert _admin(clinic_admin).post(f"/clinic/cds-clients/{cds_client.pk}/remove/").status_code == 302
    cds_client.refresh_from_db()
    assert not cds_client.active


def test_command_adds_lists_and_removes(clinic, private_key, tmp_path: Path) -> None:
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps(public_jwks(private_key)))
    out = StringIO()
    call_command("cds_client", "add", "--clinic", clinic.name, "--issuer", ISSUER, "--jwks-file", str(keys), stdout=out)
    assert "may call the CDS Hooks service for Riverside Surgery (1 key(s))" in out.getvalue()
    call_command("cds_client", "list", stdout=out)
    assert f"{ISSUER}\tRiverside Surgery\tactive" in out.getvalue()
    call_command("cds_client", "remove", "--issuer", ISSUER, stdout=out)
    assert not CdsClient.objects.get().active


def test_command_refuses_an_unknown_clinic_and_a_private_key(clinic, private_key, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No clinic"):
        call_command("cds_client", "add", "--clinic", "Nowhere", "--issuer", ISSUER, "--jku", "https://x/")
    private = tmp_path / "private.json"
    import jwt

    private.write_text(jwt.algorithms.ECAlgorithm.to_jwk(private_key))
    with pytest.raises(CommandError, match="private"):
        call_command("cds_client", "add", "--clinic", clinic.name, "--issuer", ISSUER, "--jwks-file", str(private))


def test_demo_prints_the_cards_of_the_clinics_workups(patient, clinician) -> None:
    case = contract_case("02-red-flag-bladder")
    make_workup(patient, clinician, case)
    out = StringIO()
    call_command("cds_hooks_demo", "--force", stdout=out)
    assert "[critical] Possible cauda equina syndrome: send to the emergency department now" in out.getvalue()
    assert not CdsClient.objects.get().active  # the demo's throwaway client is removed afterwards


def test_demo_refuses_without_debug_or_force(patient, clinician) -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("cds_hooks_demo")


def test_benchmark_prints_median_and_p95(patient, clinician) -> None:
    make_workup(patient, clinician, contract_case("01-typical-diabetic-neuropathy"))
    out = StringIO()
    call_command("bench_cds_hooks", "--calls", "20", stdout=out)
    assert "median" in out.getvalue() and "p95" in out.getvalue() and "ms" in out.getvalue()
