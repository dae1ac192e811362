"""JSON API: POST /api/v1/evaluate runs the engine on a workup-case/1 document (contract/README.md).

Authenticated by session (with CSRF, as any form) or by a per-user token: ``Authorization: Bearer wu_...``.
Nothing is stored: the answer is a pure function of the case.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from workup import rules
from workup.access import get_workup, may_record
from workup.interop import safe_json
from workup.services.tokens import user_for_key
from workup.services.workups import profiles

JSON_DUMPS = {"ensure_ascii": False}
MAX_BODY_BYTES = 256 * 1024  # README "Limits": a full case with every result is under 10 KiB


def max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", MAX_BODY_BYTES))


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
    limit = max_body_bytes()
    if _declared_length(request) > limit:
        return _too_large(limit)
    body = request.body  # read only now: its declared length is within the limit
    if len(body) > limit:
        return _too_large(limit)
    try:
        doc = safe_json.loads(body.decode("utf-8"))
    except safe_json.JsonLimitError as exc:
        return _error(400, f"The body is refused: {exc}")
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(400, f"The body is not valid JSON: {exc}")
    try:
        recommendation = rules.evaluate(doc, today=timezone.localdate(), **profiles())
    except rules.CaseError as exc:
        errors = [{"path": p.path, "message": p.message} for p in exc.problems]
        return JsonResponse({"errors": errors}, status=400, json_dumps_params=JSON_DUMPS)
    return HttpResponse(rules.dumps(recommendation), content_type="application/json")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(limit: int) -> JsonResponse:
    return _error(413, f"The body is larger than {limit // 1024} KiB: send one case per request.")


@api_auth
@require_POST
def results_import(request: HttpRequest, workup_id: UUID) -> HttpResponse:
    """Read a FHIR or HL7 v2 results message against the workup: the preview, saved only with ?commit=1."""
    from workup.interop.fhir.labs import ImportError_, preview
    from workup.services.lab_import import commit_import
    from workup.services.workups import RoutineStopped, StaleSection

    workup = get_workup(request.user, workup_id)  # type: ignore[arg-type]
    limit = max_body_bytes()
    if _declared_length(request) > limit or len(request.body) > limit:
        return _too_large(limit)
    try:
        result = preview(workup, request.body, today=timezone.localdate())
    except ImportError_ as exc:
        return _error(400, str(exc))
    body: dict[str, Any] = {
        "format": result.kind,
        "patient": {"matches": not result.patient_problem, "problem": result.patient_problem},
        "rows": [_import_row(row) for row in result.rows],
        "committed": 0,
    }
    if request.GET.get("commit") in ("1", "true") and not result.patient_problem:
        try:
            body["committed"] = commit_import(
                user=request.user,  # type: ignore[arg-type]
                workup=workup,
                preview=result,
                request=request,
            )
        except (StaleSection, RoutineStopped) as exc:
            return _error(409, f"Nothing was imported: the workup's results cannot be changed now ({exc}).")
    status = 422 if result.patient_problem else 200
    return JsonResponse(body, status=status, json_dumps_params=JSON_DUMPS)


def _import_row(row: Any) -> dict[str, Any]:
    fields = row.fields
    return {
        "status": "refused" if row.refused else "duplicate" if row.duplicate else "recognised",
        "line": row.line(),
        "test": row.test or None,
        "reason": row.refused or None,
        "unit": fields.get("unit") or None,
        "collected_on": fields["collected_on"].isoformat() if fields.get("collected_on") else None,
    }


urlpatterns = [
    path("evaluate", evaluate, name="api_evaluate"),
    path("workups/<uuid:workup_id>/results/import", results_import, name="api_results_import"),
]
