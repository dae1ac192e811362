"""Server errors: a friendly page (or JSON under /api/) with a reference that the log carries with the traceback."""

from __future__ import annotations

import logging
import secrets
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import timezone

logger = logging.getLogger("workup.errors")
# The database is unreachable or restarting: worth trying again shortly, unlike a bug.
UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def new_reference() -> str:
    """Eight characters a user can read out over the phone, unique enough to find one request in a log."""
    return secrets.token_hex(4).upper()


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: log the exception under a new reference, then answer without any detail of it."""
    exc = sys.exc_info()[1]
    reference = new_reference()
    status = 503 if isinstance(exc, UNAVAILABLE) else 500
    logger.error(
        "Error reference %s: %s %s answered %s (%s)",
        reference,
        request.method,
        request.path,
        status,
        type(exc).__name__ if exc else "no exception",
        exc_info=exc is not None,
    )
    request.error_reference = reference  # type: ignore[attr-defined]  # read by OmitLoggedErrors
    if request.path.startswith("/api/"):
        response: HttpResponse = _json_error(status, reference)
    else:
        response = _page(status, reference)
    response["X-Error-Reference"] = reference
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _json_error(status: int, reference: str) -> JsonResponse:
    what = "is temporarily unavailable; try again shortly" if status == 503 else "could not answer this request"
    message = f"The server {what}. Reference {reference}: quote it to your administrator."
    return JsonResponse({"errors": [{"path": "(request)", "message": message}]}, status=status)


def _page(status: int, reference: str) -> HttpResponse:
    now = timezone.localtime()
    context = {"reference": reference, "time": now.strftime("%d %b %Y %H:%M:%S %Z")}
    try:
        # No request context: the context processors read the session and the user, i.e. the database.
        body = loader.get_template(f"{status}.html").render(context)
    except Exception:  # the page must still answer if the template or the static manifest is what broke
        logger.exception("Error reference %s: the error page could not be rendered", reference)
        body = f"Workup could not answer this request. Reference {reference}, {context['time']}."
        return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=status)


class OmitLoggedErrors(logging.Filter):
    """Drop Django's own 'Internal Server Error' record when server_error already logged the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        return getattr(request, "error_reference", None) is None
