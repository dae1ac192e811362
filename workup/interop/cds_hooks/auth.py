"""The CDS client's signed JWT (spec "Trusting CDS Clients"), verified with PyJWT.

The issuer must be registered for a clinic; the key is its configured JWK Set, or the JWK Set at its registered
`jku` (a token naming any other `jku` is refused). Only asymmetric algorithms (spec "JWT Signing Algorithm": never
`none`, never HMAC); `aud` must be this endpoint's URL; `exp`, `iat` and `jti` are required; a `jti` is accepted once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from workup.models import CdsClient, CdsTokenUse

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_SECONDS = 30
MAX_LIFETIME = timedelta(hours=1)  # a token valid for longer is refused: its jti would have to be kept that long
_JWKS_CLIENTS: dict[str, jwt.PyJWKClient] = {}


class Unauthorised(Exception):
    """The request is not from a registered CDS client: the reason is the message (sent back with 401)."""


def audience(request: HttpRequest) -> str:
    """The URL the client called: CDS_HOOKS_BASE_URL (behind a proxy) + the path, else the request's own URL."""
    base = settings.CDS_HOOKS_BASE_URL
    return base.rstrip("/") + request.path if base else request.build_absolute_uri(request.path)


def bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("Send the client's signed JWT as 'Authorization: Bearer <JWT>'.")
    return token.strip()


def authenticate(request: HttpRequest) -> CdsClient:
    """The registered, active client whose valid, unreplayed JWT the request carries; else raise Unauthorised."""
    token = bearer(request)
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise Unauthorised(f"The token is not a JWT ({exc}).") from None
    if header.get("alg") not in ALGORITHMS:
        raise Unauthorised(f"The token's algorithm {header.get('alg')!r} is not accepted (an asymmetric one is).")
    issuer = claims.get("iss")
    client = CdsClient.objects.filter(issuer=issuer, active=True).first() if isinstance(issuer, str) else None
    if client is None:
        raise Unauthorised("The token's issuer is not registered with Workup for any clinic.")
    payload = _verify(token, header, client, audience(request))
    _use_once(client.issuer, payload)
    return client


def _key(header: dict[str, Any], client: CdsClient) -> Any:
    jku, kid = header.get("jku"), header.get("kid")
    if jku:
        if jku != client.jku:
            raise Unauthorised("The token's jku is not the JWK Set URL registered for its issuer.")
        try:
            fetcher = _JWKS_CLIENTS.setdefault(jku, jwt.PyJWKClient(jku, cache_keys=True, lifespan=300, timeout=5))
            return fetcher.get_signing_key(str(kid)).key
        except jwt.PyJWKClientError as exc:
            raise Unauthorised(f"No key {kid!r} could be read from the registered JWK Set URL ({exc}).") from None
    if not client.jwks:
        raise Unauthorised("The issuer has no JWK Set registered and the token names no jku.")
    try:
        keys = jwt.PyJWKSet.from_dict(client.jwks).keys
    except jwt.PyJWTError as exc:
        raise Unauthorised(f"The issuer's registered JWK Set cannot be read ({exc}).") from None
    found = [k for k in keys if k.key_id == kid] if kid else keys[:1] if len(keys) == 1 else []
    if not found:
        raise Unauthorised(f"The issuer's JWK Set has no key {kid!r}.")
    return found[0].key


def _verify(token: str, header: dict[str, Any], client: CdsClient, aud: str) -> dict[str, Any]:
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            _key(header, client),
            algorithms=[header["alg"]],
            audience=aud,
            issuer=client.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorised("The token has expired.") from None
    except jwt.InvalidAudienceError:
        raise Unauthorised(f"The token's aud is not this endpoint ({aud}).") from None
    except jwt.InvalidSignatureError:
        raise Unauthorised("The token's signature does not verify with the issuer's key.") from None
    except jwt.PyJWTError as exc:
        raise Unauthorised(f"The token is not valid ({exc}).") from None
    if not isinstance(payload["jti"], str) or not payload["jti"]:
        raise Unauthorised("The token's jti must be a non-empty string.")
    return payload


def _use_once(issuer: str, payload: dict[str, Any]) -> None:
    expires = datetime.fromtimestamp(payload["exp"], UTC)
    now = timezone.now()
    if expires - now > MAX_LIFETIME:
        raise Unauthorised(f"The token is valid for longer than {MAX_LIFETIME.seconds // 60} minutes.")
    try:
        with transaction.atomic():
            CdsTokenUse.objects.filter(expires_at__lt=now - timedelta(seconds=LEEWAY_SECONDS)).delete()
            CdsTokenUse.objects.create(issuer=issuer, jti=payload["jti"][:200], expires_at=expires)
    except IntegrityError:
        raise Unauthorised("The token has been used before (a replayed jti).") from None


def jwks_from_text(text: str) -> dict[str, Any]:
    """A JWK Set (or one JWK) from its JSON text, checked to hold public keys only; raise ValueError with the reason."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    doc = {"keys": [doc]} if isinstance(doc, dict) and "kty" in doc else doc
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list) or not doc["keys"]:
        raise ValueError("a JWK Set is an object with a non-empty 'keys' list")
    for key in doc["keys"]:
        if not isinstance(key, dict) or key.get("kty") not in ("RSA", "EC", "OKP"):
            raise ValueError("every key must be a public RSA, EC or OKP key (never a shared secret)")
        if "d" in key:
            raise ValueError("a key holds its private part ('d'): register the public key only")
    try:
        jwt.PyJWKSet.from_dict(doc)
    except jwt.PyJWTError as exc:
        raise ValueError(str(exc)) from None
    return {"keys": doc["keys"]}
