"""Prefetch (spec "Providing FHIR Resources to a CDS Service"): missing items read from fhirServer, else 412.

The FHIR server is a fake on 127.0.0.1, started and stopped by the test; nothing leaves the machine.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.cds_hooks.builders import contract_case, fhir_patient, hook_body, observation, prefetch, searchset
from tests.factories import make_workup

pytestmark = pytest.mark.django_db
PV = "/cds-services/workup-patient-view"
GRANT = {
    "access_token": "opaque-token",
    "token_type": "Bearer",
    "expires_in": 300,
    "scope": "user/*.read",
    "subject": "workup",
}


@dataclass
class FakeFhir:
    url: str
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path?query, Authorization)
    status: int = 200


@pytest.fixture
def fhir_server(settings: Any) -> Iterator[FakeFhir]:
    settings.CDS_HOOKS_ALLOW_HTTP_FHIR = True
    answers = {
        "/Patient/p1": fhir_patient(),
        "/Observation": searchset(observation("2132-9", 150, "pg/mL")),
        "/Condition": searchset(),
        "/MedicationStatement": None,
        "/MedicationRequest": None,
    }
    fake = FakeFhir(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append((self.path, self.headers.get("Authorization", "")))
            path = urlsplit(self.path).path
            body = json.dumps(answers.get(path) or {"resourceType": "Bundle", "type": "searchset"}).encode()
            self.send_response(fake.status if path in answers else 404)
            self.send_header("Content-Type", "application/fhir+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def test_missing_prefetch_without_fhir_server_is_412_naming_what_is_missing(cds_client, call) -> None:
    pre = prefetch()
    del pre["observations"], pre["conditions"]
    response = call(PV, hook_body(pre=pre))
    assert response.status_code == 412
    message = response.json()["errors"][0]["message"]
    assert "observations, conditions" in message and "fhirServer" in message


def test_no_prefetch_at_all_and_no_server_is_412(cds_client, call) -> None:
    assert call(PV, hook_body()).status_code == 412


def test_an_operation_outcome_counts_as_missing(cds_client, call) -> None:
    pre = prefetch()
    pre["conditions"] = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}
    assert call(PV, hook_body(pre=pre)).status_code == 412


def test_missing_prefetch_is_read_from_the_fhir_server_with_the_token(
    cds_client, patient, clinician, call, fhir_server
) -> None:
    make_workup(patient, clinician, contract_case("04-bloods-outstanding"))
    pre = prefetch()
    del pre["observations"]
    body = hook_body(pre=pre) | {"fhirServer": fhir_server.url, "fhirAuthorization": GRANT}
    response = call(PV, body)
    assert response.status_code == 200, response.content
    ((path, auth),) = fhir_server.requests
    assert path.startswith("/Observation?patient=p1&code=http://loinc.org|") and auth == "Bearer opaque-token"
    assert "Result read: b12 150 pg/mL" in response.json()["cards"][0]["detail"]


def test_everything_can_come_from_the_fhir_server(cds_client, patient, clinician, call, fhir_server) -> None:
    make_workup(patient, clinician, contract_case("04-bloods-outstanding"))
    body = hook_body() | {"fhirServer": fhir_server.url, "fhirAuthorization": GRANT}
    assert call(PV, body).status_code == 200
    assert len(fhir_server.requests) == 5


def test_a_fhir_server_that_fails_is_412_with_the_reason(cds_client, call, fhir_server) -> None:
    fhir_server.status = 500
    body = hook_body() | {"fhirServer": fhir_server.url, "fhirAuthorization": GRANT}
    response = call(PV, body)
    assert response.status_code == 412 and "answered 500" in response.json()["errors"][0]["message"]


def test_plain_http_fhir_server_is_refused_unless_allowed(cds_client, call, fhir_server, settings) -> None:
    settings.CDS_HOOKS_ALLOW_HTTP_FHIR = False
    body = hook_body() | {"fhirServer": fhir_server.url, "fhirAuthorization": GRANT}
    response = call(PV, body)
    assert response.status_code == 412 and "https" in response.json()["errors"][0]["message"]
    assert fhir_server.requests == []
