"""The login forms (the app's and the admin's): a username no account can have is refused before anyone looks it up.

django-axes records every failed username in a 255-character column; a longer one made PostgreSQL refuse the
insert and the login answer 500. Django's form does not enforce the username's length itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from workup.models import User

USERNAME_MAX = User._meta.get_field("username").max_length or 150


class LengthCheckedLoginMixin:
    """Answer the usual "invalid login" error for a username longer than any account's, without authenticating."""

    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if len(username) > USERNAME_MAX:
            raise self.get_invalid_login_error()  # type: ignore[attr-defined]
        return super().clean()  # type: ignore[misc]


class LoginForm(LengthCheckedLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(LengthCheckedLoginMixin, AdminAuthenticationForm):
    pass
