"""A sample hook call built from a stored workup, sent in-process: for the demo and benchmark commands.

The EHR side is played here: the workup's patient and results as the FHIR prefetch an EHR would send, and a client
registered for the clinic under a throwaway ES384 key, so the call passes exactly the checks a real EHR's call does.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.test.utils import override_settings

from workup.cases import lab_to_case
from workup.interop.cds_hooks.discovery import PATIENT_VIEW
from workup.interop.fhir.document import NHS_NUMBER, nhs_number
from workup.models import CdsClient, Workup
from workup.rules import codes
from workup.rules.units import loinc_for
from workup.services.cds_hooks import deactivate_client, register_client

ISSUER = "urn:workup:in-process-sample-ehr"
HOST = "testserver"
LOCAL = "urn:workup:sample-ehr:mrn"  # the sample EHR's own identifier system, for a number that is not an NHS number


def prefetch_for(workup: Workup) -> dict[str, Any]:
    """The workup's patient and results as the prefetch of the discovery document (no conditions, no medicines)."""
    patient = workup.patient
    observations = [_observation(lab, i) for i, lab in enumerate(workup.labs.all())]
    return {
        "patient": {
            "resourceType": "Patient",
            "id": str(patient.pk),
            "identifier": [
                {"system": NHS_NUMBER if nhs_number(patient.identifier) else LOCAL, "value": patient.identifier}
            ],
            "gender": patient.sex,
            "birthDate": patient.date_of_birth.isoformat(),
        },
        "observations": {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": o} for o in observations],
        }
        if observations
        else None,
        "conditions": None,
        "medicationStatements": None,
        "medicationRequests": None,
    }


def _observation(lab: Any, index: int) -> dict[str, Any]:
    row = lab_to_case(lab)
    loinc = lab.loinc or loinc_for(lab.test, lab.unit)
    out: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"obs-{index}",
        "status": "final",
        "code": {"coding": [{"system": codes.LOINC, "code": loinc}] if loinc else [], "text": lab.test},
        "effectiveDateTime": row.get("collected_on"),
    }
    if lab.test == "spep":
        out["valueString"] = row["value"]
    else:
        ucum = codes.UCUM_CODES[lab.unit].code
        out["valueQuantity"] = {"value": float(lab.value), "system": codes.UCUM, "code": ucum, "unit": lab.unit}
        if lab.comparator:
            out["valueQuantity"]["comparator"] = lab.comparator
    return {k: v for k, v in out.items() if v is not None}


def hook_body(workup: Workup) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/sample", "patientId": str(workup.patient_id)},
        "prefetch": prefetch_for(workup),
    }


class InProcessEhr:
    """A CDS client registered for the workup's clinic for the life of this object (deactivated by close())."""

    def __init__(self, workup: Workup) -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        self.client: CdsClient = register_client(
            clinic=workup.patient.clinic,
            issuer=ISSUER,
            jwks={"keys": [{**jwk, "kid": "sample", "alg": "ES384"}]},
            name="In-process sample EHR (demo and benchmark)",
        )
        self.http = Client(raise_request_exception=True)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": f"http://{HOST}{path}", "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())}
        token = jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": "sample", "typ": "JWT"})
        with override_settings(ALLOWED_HOSTS=[HOST], CDS_HOOKS_BASE_URL=""):
            return self.http.post(
                path,
                data=json.dumps(body),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )

    def patient_view(self, workup: Workup) -> Any:
        return self.post(f"/cds-services/{PATIENT_VIEW}", hook_body(workup))

    def close(self) -> None:
        deactivate_client(client=self.client)
