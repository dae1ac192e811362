"""The ServiceRequests a card suggests: one per blood test the engine asks for, and the referral with its requests.

Built with the FHIR document's codes and priorities (codes.py, document.PRIORITY) and checked by the same offline
checks as the document (checks.resource_problems: the R4B model, then required bindings); an order that fails them
is not offered.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from workup.interop.fhir.checks import resource_problems
from workup.interop.fhir.document import ARRANGED, PRIORITY, UKCORE, URI
from workup.rules import codes, vocab
from workup.rules.units import UNITS

log = logging.getLogger(__name__)
# The engine's step -> the test it orders. The LOINC is the one the app writes for the test in its default unit.
ORDER_TESTS: dict[str, str] = {
    "order_glucose_test": "hba1c",
    "order_b12": "b12",
    "order_active_b12": "active_b12",
    "order_mma": "mma",
    "order_ogtt": "ogtt_2h",
    "order_tsh": "tsh",
    "check_thyroid_function": "tsh",
    "order_copper": "copper",
    "order_b6": "vitamin_b6",
    "order_spep": "spep",
}
# Steps that order something with no lab code in the table: text only.
ORDER_TEXT: dict[str, str] = {"order_abi": "Ankle-brachial pressure index (ABPI)"}


def _test_code(test: str) -> dict[str, Any]:
    label = vocab.label(vocab.LAB_TESTS, test)
    unit = UNITS[test][0] if UNITS.get(test) else ""
    code = codes.export_loinc().get((test, unit))
    # An SPEP is read as its interpretation (49275-1): not an orderable code, so the order is text only.
    if code is None or test == "spep":
        return {"text": label}
    return {"coding": [code.coding()], "text": label}


def _service_request(**fields: Any) -> dict[str, Any]:
    rid = str(uuid.uuid4())
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": rid,
        "meta": {"profile": [f"{UKCORE}ServiceRequest"]},
        "identifier": [{"system": URI, "value": f"urn:uuid:{rid}"}],
        "status": "draft",  # the clinician signs it in the EHR
        "intent": "order",
    }
    resource.update({k: v for k, v in fields.items() if v not in (None, [], {}, "")})
    return resource


def order(step: dict[str, Any], *, subject: str, requester: str | None) -> dict[str, Any] | None:
    """The ServiceRequest for an ordering step of the recommendation, or None if the step orders nothing."""
    if step["code"] in ORDER_TESTS:
        code = _test_code(ORDER_TESTS[step["code"]])
    elif step["code"] in ORDER_TEXT:
        code = {"text": ORDER_TEXT[step["code"]]}
    else:
        return None
    return _checked(
        _service_request(
            priority=PRIORITY.get(step.get("urgency", "routine"), "routine"),
            code=code,
            subject={"reference": subject},
            requester={"reference": requester} if requester else None,
            reasonCode=[{"text": step["why"]}] if step.get("why") else [],
            note=[{"text": step["text"]}],
        )
    )


def referral(ref: dict[str, Any], *, subject: str, requester: str | None) -> list[dict[str, Any]]:
    """The referral's ServiceRequest, then one per arranged request (NCS, EMG), as the FHIR document writes them."""
    service = vocab.label(vocab.SERVICES, ref["service"])
    found = codes.SERVICE_CODES.get(ref["service"])
    code = {"coding": [found.coding()], "text": f"Referral to {service.lower()}"} if found else None
    notes = [{"text": f"Target time: {vocab.label(vocab.TIMEFRAMES, ref['timeframe']).lower()}"}]
    common = {
        "priority": PRIORITY[ref["urgency"]],
        "subject": {"reference": subject},
        "requester": {"reference": requester} if requester else None,
        "reasonCode": [{"text": ref["reason"]}] if ref.get("reason") else [],
    }
    main = _service_request(
        category=[{"coding": [codes.REFERRAL_CATEGORY.coding()]}],
        code=code or {"text": f"Referral to {service.lower()}"},
        note=notes if ref.get("timeframe") else [],
        **common,
    )
    extra = [_service_request(code={"text": ARRANGED[r]}, **common) for r in ref.get("requests", []) if r in ARRANGED]
    return [r for r in (_checked(x) for x in (main, *extra)) if r is not None]


def _checked(resource: dict[str, Any]) -> dict[str, Any] | None:
    problems = resource_problems(resource)
    if problems:
        log.warning("CDS Hooks: a suggested ServiceRequest failed validation and is not offered: %s", problems[:3])
        return None
    return resource
