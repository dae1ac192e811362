"""Writes of the clinic screens: staff accounts, each user's API tokens and password; each atomic and audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from workup.models import ApiToken, User
from workup.services import audit, tokens


@transaction.atomic
def add_member(*, admin: User, member: User, password: str, request: HttpRequest | None = None) -> User:
    """Save a new member of staff (validated, unsaved) in the administrator's clinic with a first password."""
    member.clinic_id = admin.clinic_id
    member.set_password(password)
    member.save()
    audit.record(
        user=admin,
        action="create",
        request=request,
        object_type="user",
        object_id=str(member.pk),
        changes={"username": [None, member.username], "role": [None, member.role]},
    )
    return member


@transaction.atomic
def change_member(*, admin: User, member: User, values: Mapping[str, Any], request: HttpRequest | None = None) -> User:
    """Change a colleague's account fields to ``values``; the audit event records each field before and after."""
    # The stored row, not ``member``: a validated ModelForm has already copied the new values onto its instance.
    stored = User.objects.select_for_update().get(pk=member.pk)
    before = {name: getattr(stored, name) for name in values}
    for name, value in values.items():
        setattr(stored, name, value)
    stored.save(update_fields=list(values))
    audit.record(
        user=admin,
        action="change",
        request=request,
        object_type="user",
        object_id=str(stored.pk),
        changes=audit.diff(before, dict(values)),
    )
    return stored


@transaction.atomic
def create_token(*, user: User, name: str, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """Create an API token for ``user``; return it and the secret key, which is shown once."""
    token, key = tokens.create_token(user=user, name=name)
    audit.record(user=user, action="create", request=request, object_type="api_token", object_id=str(token.pk))
    return token, key


@transaction.atomic
def revoke_token(*, user: User, token: ApiToken, request: HttpRequest | None = None) -> None:
    """Revoke one of the user's own API tokens; it stops working at once."""
    tokens.revoke(token=token)
    audit.record(
        user=user,
        action="change",
        request=request,
        object_type="api_token",
        object_id=str(token.pk),
        changes={"revoked": [False, True]},
    )


@transaction.atomic
def change_password(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Set the user's new (validated) password; sessions holding the old password's hash end."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(user=user, action="change", request=request, object_type="password", object_id=str(user.pk))
