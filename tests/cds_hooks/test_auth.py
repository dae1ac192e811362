"""The client's JWT (spec "Trusting CDS Clients"): every way a token can be wrong answers 401, before any data is read."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.cds_hooks.builders import BASE, ISSUER, hook_body, prefetch, public_jwks, token
from workup.interop.cds_hooks.auth import jwks_from_text
from workup.models import CdsCard

pytestmark = pytest.mark.django_db
PATH = "/cds-services/workup-patient-view"
URL = BASE + PATH


def _refused(call: Any, bearer: str, words: str) -> None:
    response = call(PATH, hook_body(pre=prefetch()), bearer=bearer)
    assert response.status_code == 401, response.content
    assert words in response.json()["errors"][0]["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not CdsCard.objects.exists()


def test_a_valid_token_is_accepted(cds_client, call, private_key) -> None:
    assert call(PATH, hook_body(pre=prefetch()), bearer=token(private_key, URL)).status_code == 200


def test_aud_as_a_list_is_accepted(cds_client, call, private_key) -> None:
    assert call(PATH, hook_body(pre=prefetch()), bearer=token(private_key, [URL])).status_code == 200


def test_no_token_is_401(cds_client, call) -> None:
    _refused(call, "", "Bearer")


def test_unknown_issuer_is_401(cds_client, call, private_key) -> None:
    _refused(call, token(private_key, URL, iss="https://stranger.example/"), "issuer is not registered")


def test_inactive_client_is_401(cds_client, call, private_key) -> None:
    cds_client.active = False
    cds_client.save()
    _refused(call, token(private_key, URL), "issuer is not registered")


def test_bad_signature_is_401(cds_client, call) -> None:
    _refused(call, token(ec.generate_private_key(ec.SECP384R1()), URL), "signature")


def test_wrong_audience_is_401(cds_client, call, private_key) -> None:
    _refused(call, token(private_key, BASE + "/cds-services/workup-order-select"), "aud")


def test_expired_token_is_401(cds_client, call, private_key) -> None:
    past = int(time.time()) - 3600
    _refused(call, token(private_key, URL, iat=past - 300, exp=past), "expired")


@pytest.mark.parametrize("claim", ["exp", "iat", "jti", "aud"])
def test_a_missing_required_claim_is_401(cds_client, call, private_key, claim) -> None:
    missing: dict[str, Any] = {claim: None}
    bearer = token(private_key, None, aud=None) if claim == "aud" else token(private_key, URL, **missing)
    _refused(call, bearer, "")


def test_replayed_jti_is_401(cds_client, call, private_key) -> None:
    bearer = token(private_key, URL, jti="once")
    assert call(PATH, hook_body(pre=prefetch()), bearer=bearer).status_code == 200
    _refused_after_first(call, bearer)


def _refused_after_first(call: Any, bearer: str) -> None:
    response = call(PATH, hook_body(pre=prefetch()), bearer=bearer)
    assert response.status_code == 401 and "used before" in response.json()["errors"][0]["message"]


def test_a_token_valid_for_hours_is_401(cds_client, call, private_key) -> None:
    _refused(call, token(private_key, URL, exp=int(time.time()) + 5 * 3600), "longer than")


def test_hmac_and_none_are_refused(cds_client, call) -> None:
    hs = jwt.encode(
        {"iss": ISSUER, "aud": URL, "exp": int(time.time()) + 60, "iat": int(time.time()), "jti": "h"},
        "secret" * 6,
        algorithm="HS256",
    )
    _refused(call, hs, "algorithm")
    unsigned = jwt.encode({"iss": ISSUER, "aud": URL}, None, algorithm="none")  # type: ignore[arg-type]  # the attack
    _refused(call, unsigned, "algorithm")


def test_unknown_kid_is_401(cds_client, call, private_key) -> None:
    _refused(call, token(private_key, URL, kid="other"), "no key")


def test_jku_other_than_the_registered_one_is_401(cds_client, call, private_key) -> None:
    _refused(call, token(private_key, URL, headers={"jku": "https://evil.example/jwks"}), "jku")


def test_not_a_jwt_is_401(cds_client, call) -> None:
    _refused(call, "not-a-jwt", "not a JWT")


@pytest.fixture
def jwks_server(private_key: Any) -> Iterator[str]:
    """A JWK Set served on loopback for the length of the test."""
    body = json.dumps(public_jwks(private_key, kid="jku-1")).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()


def test_a_key_from_the_registered_jku_is_accepted(cds_client, call, private_key, jwks_server) -> None:
    cds_client.jku, cds_client.jwks = jwks_server, None
    cds_client.save()
    bearer = token(private_key, URL, kid="jku-1", headers={"jku": jwks_server})
    assert call(PATH, hook_body(pre=prefetch()), bearer=bearer).status_code == 200


def test_an_rsa_key_works_as_well(clinic, call) -> None:
    from workup.services.cds_hooks import register_client

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    register_client(clinic=clinic, issuer=ISSUER, jwks={"keys": [{**jwk, "kid": "r1"}]})
    assert call(PATH, hook_body(pre=prefetch()), bearer=token(key, URL, kid="r1", alg="RS384")).status_code == 200


def test_registering_a_private_key_or_a_secret_is_refused(private_key) -> None:
    private = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private_key))
    with pytest.raises(ValueError, match="private"):
        jwks_from_text(json.dumps({"keys": [private]}))
    with pytest.raises(ValueError, match="never a shared secret"):
        jwks_from_text(json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}))
    assert jwks_from_text(json.dumps(public_jwks(private_key)))["keys"][0]["kty"] == "EC"


def test_an_issuer_of_another_clinic_cannot_be_taken_over(cds_client, other_clinic, private_key) -> None:
    from workup.services.cds_hooks import register_client

    with pytest.raises(ValueError, match="another clinic"):
        register_client(clinic=other_clinic, issuer=ISSUER, jwks=public_jwks(private_key))
