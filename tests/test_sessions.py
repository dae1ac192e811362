"""The idle timeout holds without writing the session on every request (workup.sessions)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Move the clock that the session store, the middleware and the views all read."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def expiry(client: Client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_settings_no_longer_save_the_session_on_every_request(settings: Any) -> None:
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert "workup.sessions.SessionRefreshMiddleware" in settings.MIDDLEWARE


def test_two_requests_within_a_minute_write_the_session_once(client: Client, clinician: Any) -> None:
    client.force_login(clinician)
    start = timezone.now()
    with clock_at(start):
        first = client.get("/")
    assert first.status_code == 200 and "sessionid" in first.cookies
    written = expiry(client)
    with clock_at(start + timedelta(seconds=59)):
        second = client.get("/")
    assert second.status_code == 200 and "sessionid" not in second.cookies
    assert expiry(client) == written


def test_the_expiry_moves_on_after_a_minute(client: Client, clinician: Any, settings: Any) -> None:
    client.force_login(clinician)
    start = timezone.now()
    with clock_at(start):
        client.get("/")
    later = start + timedelta(seconds=61)
    with clock_at(later):
        response = client.get("/")
    assert "sessionid" in response.cookies
    assert expiry(client) == later + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_idle_session_is_logged_out(client: Client, clinician: Any, settings: Any) -> None:
    client.force_login(clinician)
    start = timezone.now()
    with clock_at(start):
        assert client.get("/").status_code == 200
    with clock_at(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_user_who_keeps_working_stays_logged_in(client: Client, clinician: Any, settings: Any) -> None:
    client.force_login(clinician)
    start = timezone.now()
    step = timedelta(seconds=settings.SESSION_COOKIE_AGE // 3)
    for n in range(7):  # more than twice the idle timeout in all, never idle for long
        with clock_at(start + n * step):
            assert client.get("/").status_code == 200, f"logged out after {n} steps"


def test_a_logout_is_not_undone_by_the_refresh(client: Client, clinician: Any) -> None:
    client.force_login(clinician)
    client.post("/logout/")
    assert not Session.objects.exists()
    assert client.get("/").status_code == 302
