"""/cds-services: discovery (GET, public: no patient data), each service (POST) and its feedback (POST).

A service call: the client's JWT -> the body within the size and JSON limits -> the request's shape -> every prefetch
item (or read from fhirServer; else 412) -> the EHR's data read through the lab import's mapping -> the clinic's
workup for the patient, if any -> the engine -> cards, kept in the client's clinic with an audit event.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from workup import rules
from workup.interop import safe_json
from workup.interop.cds_hooks import auth, cards, mapping
from workup.interop.cds_hooks.discovery import HOOKS, ORDER_SELECT, PREFETCH, SERVICE_IDS, discovery
from workup.interop.cds_hooks.fetch import FetchError, fetch, query
from workup.models import CdsClient, Workup
from workup.rules import codes, vocab
from workup.services import cds_hooks as services
from workup.services.workups import profiles

JSON_DUMPS = {"ensure_ascii": False}
# The lab tests an order-select may be about -> the engine's step that orders them.
ORDERED_TEST_STEPS = {
    "b12": "order_b12",
    "active_b12": "order_active_b12",
    "mma": "order_mma",
    "hba1c": "order_glucose_test",
    "fasting_glucose": "order_glucose_test",
    "random_glucose": "order_glucose_test",
    "ogtt_2h": "order_ogtt",
    "tsh": "order_tsh",
}
NCS_EMG_TEXT = re.compile(r"nerve conduction|\bNCS\b|electromyogra|\bEMG\b", re.IGNORECASE)
NEUROLOGY_TEXT = re.compile(r"neurolog", re.IGNORECASE)
IMPORT_MAP = codes.import_map()


class BadRequest(Exception):
    """The body is not a request this endpoint can answer: (status, reason)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _error(status: int, *messages: str) -> JsonResponse:
    body = {"errors": [{"message": m} for m in messages]}
    response = JsonResponse(body, status=status, json_dumps_params=JSON_DUMPS)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="workup-cds-hooks"'
    return response


@require_GET
def services_list(request: HttpRequest) -> HttpResponse:
    """The discovery document (spec "Discovery")."""
    return JsonResponse(discovery(), json_dumps_params=JSON_DUMPS)


def _body(request: HttpRequest) -> dict[str, Any]:
    limit = int(settings.CDS_HOOKS_MAX_BODY_BYTES)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit or len(request.body) > limit:
        raise BadRequest(413, f"The body is larger than {limit // 1024} KiB.")
    try:
        doc = safe_json.loads(request.body.decode("utf-8"))
    except safe_json.JsonLimitError as exc:
        raise BadRequest(400, f"The body is refused: {exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(400, f"The body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BadRequest(400, "The body must be a JSON object.")
    return doc


def _authenticated(view: Any) -> Any:
    @csrf_exempt
    def wrapped(request: HttpRequest, service_id: str) -> HttpResponse:
        if request.method != "POST":
            return _error(405, "POST a JSON body.")
        try:
            client = auth.authenticate(request)
        except auth.Unauthorised as exc:
            return _error(401, str(exc))
        if service_id not in SERVICE_IDS:
            return _error(404, f"There is no CDS service {service_id!r}: see GET /cds-services.")
        try:
            return view(request, client, service_id, _body(request))  # type: ignore[no-any-return]
        except BadRequest as exc:
            return _error(exc.status, str(exc))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- a service call ---------------------------------------------------------------------------------------------------


def request_problems(body: dict[str, Any], service_id: str) -> list[str]:
    """What makes the body not a CDS Hooks request for this service (spec "Calling a CDS Service"); [] when fine."""
    out = []
    if body.get("hook") != HOOKS[service_id]:
        out.append(f"hook must be {HOOKS[service_id]!r} for {service_id}")
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"].strip():
        out.append("hookInstance is required (a UUID string)")
    context = body.get("context")
    if not isinstance(context, dict):
        return [*out, "context is required (an object)"]
    if not isinstance(context.get("patientId"), str) or not context["patientId"].strip():
        out.append("context.patientId is required (a string)")
    if "userId" in context and not isinstance(context["userId"], str):
        out.append("context.userId must be a string")
    if service_id == ORDER_SELECT:
        selections = context.get("selections")
        if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
            out.append("context.selections is required for order-select (a list of strings)")
        if not isinstance(context.get("draftOrders"), dict):
            out.append("context.draftOrders is required for order-select (a Bundle)")
    if "prefetch" in body and not isinstance(body["prefetch"], dict):
        out.append("prefetch must be an object")
    return out + _authorization_problems(body)


def _authorization_problems(body: dict[str, Any]) -> list[str]:
    out = []
    if "fhirServer" in body and not isinstance(body["fhirServer"], str):
        out.append("fhirServer must be a URL string")
    grant = body.get("fhirAuthorization")
    if grant is None:
        return out
    if not isinstance(grant, dict):
        return [*out, "fhirAuthorization must be an object"]
    if "fhirServer" not in body:
        out.append("fhirAuthorization needs fhirServer (spec: fhirServer is required with fhirAuthorization)")
    for key in ("access_token", "scope", "subject"):
        if not isinstance(grant.get(key), str) or not grant[key]:
            out.append(f"fhirAuthorization.{key} is required (a string)")
    if grant.get("token_type") != "Bearer":
        out.append("fhirAuthorization.token_type must be 'Bearer'")
    if not isinstance(grant.get("expires_in"), int) or isinstance(grant.get("expires_in"), bool):
        out.append("fhirAuthorization.expires_in is required (an integer)")
    return out


def _only_outcome(value: Any) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def complete_prefetch(body: dict[str, Any]) -> dict[str, Any]:
    """Every prefetch item: as sent, else read from fhirServer with fhirAuthorization; else BadRequest(412)."""
    sent = body.get("prefetch") or {}
    prefetch = {k: sent[k] for k in PREFETCH if k in sent and not _only_outcome(sent[k])}
    missing = [k for k in PREFETCH if k not in prefetch]
    if not missing:
        return prefetch
    grant = body.get("fhirAuthorization")
    if not (isinstance(grant, dict) and body.get("fhirServer")):
        raise BadRequest(
            412,
            f"Prefetch {', '.join(missing)} missing and no fhirServer with fhirAuthorization to read it from: send "
            "every prefetch key of GET /cds-services (null when the EHR has no such data), or a FHIR server and token.",
        )
    for key in missing:
        try:
            prefetch[key] = fetch(body["fhirServer"], grant["access_token"], query(PREFETCH[key], body["context"]))
        except FetchError as exc:
            raise BadRequest(
                412, f"Prefetch {key} was not sent and could not be read from fhirServer: {exc}."
            ) from None
    return prefetch


def _check_patient(prefetch: dict[str, Any], context: dict[str, Any]) -> None:
    patients = mapping.resources(prefetch.get("patient"), "Patient")
    if patients and patients[0].get("id") not in (None, context["patientId"]):
        raise BadRequest(400, "prefetch.patient is not the patient of context.patientId: nothing was evaluated.")


@_authenticated
def service(request: HttpRequest, client: CdsClient, service_id: str, body: dict[str, Any]) -> HttpResponse:
    """One hook call: the cards for the patient in context (spec "CDS Service Response")."""
    problems = request_problems(body, service_id)
    if problems:
        return _error(400, *problems)
    prefetch = complete_prefetch(body)
    _check_patient(prefetch, body["context"])
    today = timezone.localdate()
    data = mapping.read(prefetch, today=today)
    workup = mapping.find_workup(client.clinic_id, data)
    drafted, selected = _selected(body["context"]) if service_id == ORDER_SELECT else (frozenset(), [])
    answer = (
        _cards(request, body, data, workup, drafted, selected, today)
        if _relevant(service_id, data, workup, selected)
        else []
    )
    services.issue_cards(
        client=client,
        service=service_id,
        hook_instance=body["hookInstance"],
        cards=answer,
        workup=workup,
        request=request,
    )
    return JsonResponse({"cards": answer}, json_dumps_params=JSON_DUMPS)


def _relevant(service_id: str, data: mapping.EhrData, workup: Workup | None, selected: list[str]) -> bool:
    """Speak only of foot numbness: a workup in this clinic, a neuropathy on the problem list, or a relevant order."""
    if service_id == ORDER_SELECT:
        return bool(selected)
    return workup is not None or bool(data.neuropathy)


def _selected(context: dict[str, Any]) -> tuple[frozenset[str], list[str]]:
    """(step codes and services already being ordered, names of the selected orders this service is about)."""
    entries = [e.get("resource") for e in context["draftOrders"].get("entry") or [] if isinstance(e, dict)]
    chosen = set(context["selections"])
    drafted: set[str] = set()
    names = []
    for resource in (r for r in entries if isinstance(r, dict) and r.get("resourceType") == "ServiceRequest"):
        found, text = mapping.concept_text(resource.get("code"))
        steps = {
            ORDERED_TEST_STEPS[IMPORT_MAP[c][0]]
            for c in found
            if c in IMPORT_MAP and IMPORT_MAP[c][0] in ORDERED_TEST_STEPS
        }
        services_ = (
            {"neurology"}
            if (codes.SNOMED, codes.SERVICE_CODES["neurology"].code) in found or NEUROLOGY_TEXT.search(text)
            else set()
        )
        if NCS_EMG_TEXT.search(text):
            services_.add("neurology")
        drafted |= steps | services_
        if f"ServiceRequest/{resource.get('id')}" in chosen and (steps or services_):
            names.append(text or ", ".join(c for _, c in sorted(found)))
    return frozenset(drafted), names


def _cards(
    request: HttpRequest,
    body: dict[str, Any],
    data: mapping.EhrData,
    workup: Workup | None,
    drafted: frozenset[str],
    selected: list[str],
    today: Any,
) -> list[dict[str, Any]]:
    setting = cards.Setting(
        subject=f"Patient/{body['context']['patientId']}",
        requester=_requester(body["context"].get("userId")),
        link=_link(request, workup),
        source_url=_base(request) + "/",
        read=tuple(_read_lines(data, workup, selected)),
        drafted=drafted,
    )
    case = mapping.build_case(data, workup, today=today)
    if not mapping.evaluable(case):
        return [cards.record_card([], setting)]
    try:
        rec = rules.evaluate(case, today=today, **profiles())
    except rules.CaseError as exc:
        return [cards.record_card([f"{p.path}: {p.message}" for p in exc.problems[:6]], setting)]
    return cards.cards_for(dict(rec), setting)


def _requester(user_id: Any) -> str | None:
    ok = isinstance(user_id, str) and re.fullmatch(r"(Practitioner|PractitionerRole)/[A-Za-z0-9\-.]{1,64}", user_id)
    return user_id if ok else None


def _base(request: HttpRequest) -> str:
    return (settings.CDS_HOOKS_BASE_URL or request.build_absolute_uri("/")).rstrip("/")


def _link(request: HttpRequest, workup: Workup | None) -> dict[str, str]:
    if workup is not None:
        url = _base(request) + reverse("workup_detail", args=[workup.pk])
        return {"label": "Open the workup in Workup", "url": url, "type": "absolute"}
    return {"label": "Start a workup in Workup", "url": _base(request) + reverse("patient_new"), "type": "absolute"}


def _read_lines(data: mapping.EhrData, workup: Workup | None, selected: list[str]) -> list[str]:
    lines = [f"- Ordering now: {cards.md(name)}" for name in selected]
    if workup is not None:
        lines.append(
            f"- Presentation, history and examination: the workup recorded in Workup on {workup.created_at:%d %b %Y}"
        )
    for row in data.rows:
        if row.recognised:
            lines.append(f"- Result read: {cards.md(row.line().removeprefix('recognised '))}")
        else:
            lines.append(f"- Result not used: {cards.md(row.refused)}")
    lines += [f"- Known diabetes, from the problem list: {cards.md(name)}" for name in data.diabetes[:3]]
    lines += [
        f"- Medicine: {vocab.label(vocab.MEDICATIONS, code)}, read from {cards.md(text)}"
        for code, text in data.medicines.items()
    ]
    lines += [f"- Not read: {cards.md(note)}" for note in data.notes[:5]]
    return lines


# --- feedback ---------------------------------------------------------------------------------------------------------


def feedback_problems(body: dict[str, Any]) -> list[str]:
    """What makes the body not a feedback request (spec "Feedback"); [] when fine."""
    items = body.get("feedback")
    if not isinstance(items, list) or not items:
        return ["feedback is required (a non-empty list)"]
    out = []
    for i, item in enumerate(items[:100]):
        where = f"feedback[{i}]"
        if not isinstance(item, dict):
            out.append(f"{where} must be an object")
            continue
        if not isinstance(item.get("card"), str) or not item["card"]:
            out.append(f"{where}.card is required (the card's uuid)")
        if item.get("outcome") not in ("accepted", "overridden"):
            out.append(f"{where}.outcome must be 'accepted' or 'overridden'")
        accepted = item.get("acceptedSuggestions")
        if item.get("outcome") == "accepted" and not (
            isinstance(accepted, list)
            and accepted
            and all(isinstance(s, dict) and isinstance(s.get("id"), str) for s in accepted)
        ):
            out.append(f"{where}.acceptedSuggestions is required for 'accepted' (a list of {{'id': uuid}})")
        if item.get("outcome") == "overridden" and "acceptedSuggestions" in item:
            out.append(f"{where}.acceptedSuggestions is only for 'accepted'")
        out += _reason_problems(item.get("overrideReason"), where)
        when = services.parse_timestamp(item.get("outcomeTimestamp"))
        if when is None:
            out.append(f"{where}.outcomeTimestamp is required (RFC 3339 in UTC, e.g. 2026-12-01T10:05:31Z)")
        else:
            item["outcomeTimestamp"] = when
    if len(items) > 100:
        out.append("feedback: at most 100 items per request")
    return out


def _reason_problems(reason: Any, where: str) -> list[str]:
    if reason is None:
        return []
    if not isinstance(reason, dict):
        return [f"{where}.overrideReason must be an object"]
    out = []
    coding = reason.get("reason")
    if coding is not None and not (
        isinstance(coding, dict)
        and all(isinstance(coding.get(k, ""), str) for k in ("system", "code", "display"))
        and coding.get("code")
    ):
        out.append(f"{where}.overrideReason.reason must be a Coding with a code")
    if not isinstance(reason.get("userComment", ""), str) or len(reason.get("userComment", "")) > 2000:
        out.append(f"{where}.overrideReason.userComment must be text of at most 2,000 characters")
    return out


@_authenticated
def feedback(request: HttpRequest, client: CdsClient, service_id: str, body: dict[str, Any]) -> HttpResponse:
    """Accepted and overridden cards: stored on the card, in the client's clinic, and written to the audit trail."""
    problems = feedback_problems(body)
    if problems:
        return _error(400, *problems)
    try:
        stored = services.record_feedback(client=client, service=service_id, items=body["feedback"], request=request)
    except services.FeedbackError as exc:
        return _error(400, str(exc))
    return JsonResponse({"stored": len(stored)})


# Under cds-services/ (urls.py); the discovery document itself is cds-services, without the slash.
urlpatterns: list[Any] = [
    path("<str:service_id>", service, name="cds_service"),
    path("<str:service_id>/feedback", feedback, name="cds_feedback"),
]
