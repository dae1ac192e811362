"""CDS Hooks fixtures: a client's key pair and registration, signed tokens, hook bodies built from FHIR resources."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from jsonschema import Draft202012Validator

from workup.interop.cds_hooks.discovery import PREFETCH

ISSUER = "https://ehr.riverside.example/"
BASE = "http://testserver"
EXAMPLES = Path(__file__).parent / "spec_examples"


def contract_case(name: str) -> dict[str, Any]:
    """The case of a contract example (../shared/contract/examples), e.g. ``04-bloods-outstanding``."""
    from tests.factories import SHARED

    return json.loads((SHARED / "contract" / "examples" / f"{name}.json").read_text())["case"]


def spec_example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


def check(schema: dict[str, Any], doc: Any) -> None:
    """Fail with every schema error, each at its path."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors, errors


@pytest.fixture(scope="session")
def private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())  # ES384: spec "JWT Signing Algorithm" RECOMMENDED


def public_jwks(key: ec.EllipticCurvePrivateKey, kid: str = "ehr-1") -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**jwk, "kid": kid, "use": "sig", "alg": "ES384"}]}


@pytest.fixture
def cds_client(clinic: Any, private_key: ec.EllipticCurvePrivateKey) -> Any:
    from workup.services.cds_hooks import register_client

    return register_client(clinic=clinic, issuer=ISSUER, jwks=public_jwks(private_key), name="Riverside EHR")


def token(
    key: Any,
    aud: Any,
    /,
    *,
    kid: str = "ehr-1",
    alg: str = "ES384",
    headers: dict[str, Any] | None = None,
    **claims: Any,
) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": aud, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())} | claims
    return jwt.encode(
        {k: v for k, v in payload.items() if v is not None},
        key,
        algorithm=alg,
        headers={"kid": kid, "typ": "JWT", **(headers or {})},
    )


@pytest.fixture
def call(private_key: Any) -> Callable[..., Any]:
    """POST a body to a CDS Hooks path with a fresh token for that URL."""

    def _call(path: str, body: Any, *, bearer: str | None = None) -> Any:
        auth = bearer if bearer is not None else token(private_key, BASE + path)
        data = body if isinstance(body, bytes) else json.dumps(body)
        return Client(raise_request_exception=False).post(
            path, data=data, content_type="application/json", headers={"Authorization": f"Bearer {auth}"}
        )

    return _call


def observation(loinc: str, value: float, unit: str, on: str = "2026-10-01", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"obs-{loinc}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": on,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
        **extra,
    }


def searchset(*resources: dict[str, Any]) -> dict[str, Any] | None:
    if not resources:
        return None  # spec "Prefetch Template": no data is null
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def fhir_patient(nhs: str = "9434765919", born: str = "1961-03-14", gender: str = "female") -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs}],
        "name": [{"family": "Okafor", "given": ["Margaret"]}],
        "gender": gender,
        "birthDate": born,
    }


def condition(text: str, code: tuple[str, str] | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": code[0], "code": code[1]}]
    return {
        "resourceType": "Condition",
        "id": f"c-{abs(hash(text))}",
        "clinicalStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]
        },
        "code": concept,
        "subject": {"reference": "Patient/p1"},
    }


def medication(text: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": f"m-{abs(hash(text))}",
        "status": "active",
        "medicationCodeableConcept": {"text": text},
        "subject": {"reference": "Patient/p1"},
    }


def prefetch(
    patient: dict[str, Any] | None = None,
    observations: tuple[dict[str, Any], ...] = (),
    conditions: tuple[dict[str, Any], ...] = (),
    medicines: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """Every prefetch key of the discovery document, as a client that honours them all sends it."""
    out = {
        "patient": patient or fhir_patient(),
        "observations": searchset(*observations),
        "conditions": searchset(*conditions),
        "medicationStatements": searchset(*medicines),
        "medicationRequests": None,
    }
    assert set(out) == set(PREFETCH)
    return out


def hook_body(hook: str = "patient-view", pre: dict[str, Any] | None = None, **context: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/example", "patientId": "p1", **context},
    }
    if pre is not None:
        body["prefetch"] = pre
    return body
