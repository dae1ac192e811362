"""/fhir/r4/: a signed letter's document Bundle (stored bytes), its transaction form, and the CapabilityStatement.

Authenticated as the JSON API is (token or session), limited to the user's clinic, and audited.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from workup.access import get_letter
from workup.interop.api import api_auth
from workup.interop.fhir import FHIR_JSON, as_transaction, capability_statement, dumps
from workup.services import audit
from workup.services import letters as services


def _outcome(status: int, code: str, text: str) -> HttpResponse:
    body = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code, "diagnostics": text}]}
    return HttpResponse(dumps(body), status=status, content_type=FHIR_JSON)


@api_auth
@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement of this FHIR endpoint."""
    return HttpResponse(dumps(capability_statement()), content_type=FHIR_JSON)


@api_auth
@require_GET
def bundle(request: HttpRequest, letter_id: UUID) -> HttpResponse:
    """The signed letter's document exactly as stored; ?_format=transaction for conditional creates of its resources."""
    letter = get_letter(request.user, letter_id)  # type: ignore[arg-type]
    try:
        data = services.stored_document(letter)
    except services.LetterError as exc:
        return _outcome(404, "not-found", str(exc))
    form = request.GET.get("_format", "")
    if form not in ("", "json", "application/fhir+json", "transaction"):
        return _outcome(400, "not-supported", f"_format={form} is not offered: use json or transaction.")
    if form == "transaction":
        data = dumps(as_transaction(json.loads(data)))
    audit.record(
        user=request.user,  # type: ignore[arg-type]
        action="download",
        obj=letter,
        request=request,
        object_type="fhir_bundle",
        object_id=str(letter.pk),
    )
    response = HttpResponse(data, content_type=FHIR_JSON)
    name = services.document_filename(letter)
    if form == "transaction":
        name = name.replace(".fhir.json", "-transaction.fhir.json")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store, private"
    if form != "transaction":
        response["ETag"] = f'"{letter.fhir_sha256}"'
    return response


urlpatterns: list[Any] = [
    path("metadata", metadata, name="fhir_metadata"),
    path("Bundle/<uuid:letter_id>", bundle, name="fhir_bundle"),
]
