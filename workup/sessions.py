"""Idle timeout without a session write on every request: the expiry is pushed forward at most once a minute."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESHED_KEY = "_workup_refreshed"
REFRESH_EVERY_SECONDS = 60


class SessionRefreshMiddleware:
    """Save a live session when it changed, or when its expiry was last pushed forward a minute ago or more.

    The session then ends between SESSION_COOKIE_AGE minus a minute and SESSION_COOKIE_AGE after the last request,
    instead of costing a database write (and a commit) on every request as SESSION_SAVE_EVERY_REQUEST does.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        if session.is_empty():  # no session, or flushed by a logout: nothing to keep alive
            return response
        now = int(timezone.now().timestamp())
        if session.modified or now - session.get(REFRESHED_KEY, 0) >= REFRESH_EVERY_SECONDS:
            session[REFRESHED_KEY] = now  # marks the session modified: SessionMiddleware saves it, with a new expiry
        return response
