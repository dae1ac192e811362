"""JSON API: POST /api/v1/evaluate runs the engine on a workup-case/1 document (contract/README.md).

Authenticated by session (with CSRF, as any form) or by a per-user token: ``Authorization: Bearer wu_...``.
Nothing is stored: the answer is a pure function of the case.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from workup import rules
from workup.access import may_record
from workup.services.tokens import user_for_key
from workup.services.workups import profiles

JSON_DUMPS = {"ensure_ascii": False}


def _error(status: int, message: str, path_: str = "") -> JsonResponse:
    return JsonResponse({"errors": [{"path": path_, "message": message}]}, status=status, json_dumps_params=JSON_DUMPS)


def _token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() in ("bearer", "token") and key.strip() else None


def api_auth(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Token or session authentication; a session must also pass CSRF. The same role limits as the screens."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _token(request)
        if key is not None:
            user = user_for_key(key)
            if user is None:
                return _unauthorised("The API token is not valid or has been revoked.")
            request.user = user
        elif request.user.is_authenticated:
            reason = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, view, args, kwargs)
            if reason is not None:
                return _error(403, "CSRF check failed: a session client must send the CSRF token.")
        else:
            return _unauthorised("Authentication required: send 'Authorization: Bearer <token>' or log in.")
        if not may_record(request.user):  # type: ignore[arg-type]
            return _error(403, "Your role does not allow clinical evaluations.")
        return view(request, *args, **kwargs)

    return wrapped


def _unauthorised(message: str) -> JsonResponse:
    response = _error(401, message)
    response["WWW-Authenticate"] = 'Bearer realm="workup"'
    return response


@api_auth
@require_POST
def evaluate(request: HttpRequest) -> HttpResponse:
    """Evaluate one case: 200 with the recommendation, or 400 with every problem."""
    try:
        doc = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(400, f"The body is not valid JSON: {exc}")
    try:
        recommendation = rules.evaluate(doc, today=timezone.localdate(), **profiles())
    except rules.CaseError as exc:
        errors = [{"path": p.path, "message": p.message} for p in exc.problems]
        return JsonResponse({"errors": errors}, status=400, json_dumps_params=JSON_DUMPS)
    return HttpResponse(rules.dumps(recommendation), content_type="application/json")


urlpatterns = [path("evaluate", evaluate, name="api_evaluate")]
