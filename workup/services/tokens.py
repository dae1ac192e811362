"""Per-user API tokens: shown once at creation, stored only as a SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from workup.models import ApiToken, User

PREFIX = "wu_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and the secret key, which is never stored or shown again."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_sha256=_digest(key))
    return token, key


def user_for_key(key: str) -> User | None:
    """The active user a live token belongs to, or None."""
    if not key.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__clinic")
        .filter(key_sha256=_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def revoke(*, token: ApiToken) -> None:
    """Revoke a token; it stops working at once."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
