"""Offline validation of what the app writes: structure by fhir.resources (R4B models), then our own checks for what
those models do not enforce (required bindings, document invariants, references, UCUM codes from the table).

No official FHIR validator runs here (it is a Java download), so these are the checks every document passes before
it is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workup.rules import codes

# Required bindings (FHIR R4) of the elements the document uses.
REQUIRED_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("Bundle", "type"): frozenset(
        {
            "document",
            "message",
            "transaction",
            "transaction-response",
            "batch",
            "batch-response",
            "history",
            "searchset",
            "collection",
        }
    ),
    ("Composition", "status"): frozenset({"preliminary", "final", "amended", "entered-in-error"}),
    ("ServiceRequest", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("ServiceRequest", "intent"): frozenset(
        {
            "proposal",
            "plan",
            "directive",
            "order",
            "original-order",
            "reflex-order",
            "filler-order",
            "instance-order",
            "option",
        }
    ),
    ("ServiceRequest", "priority"): frozenset({"routine", "urgent", "asap", "stat"}),
    ("Observation", "status"): frozenset(
        {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"}
    ),
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("MedicationStatement", "status"): frozenset(
        {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"}
    ),
    ("DocumentReference", "status"): frozenset({"current", "superseded", "entered-in-error"}),
    ("DocumentReference", "docStatus"): frozenset({"preliminary", "final", "amended", "entered-in-error"}),
}
COMPARATORS = frozenset({"<", "<=", ">=", ">"})
CLINICAL_STATUS = frozenset({"active", "recurrence", "relapse", "inactive", "remission", "resolved"})
VERIFICATION_STATUS = frozenset(
    {"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"}
)
UCUM_TABLE = frozenset(code.code for code in codes.UCUM_CODES.values())


def structural_problems(bundle: dict[str, Any]) -> list[str]:
    """Problems fhir.resources' R4B models find in the Bundle (cardinality, types, choice elements)."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return []


def own_problems(bundle: dict[str, Any]) -> list[str]:
    """What the models do not check: required bindings, document invariants, references, UCUM codes."""
    problems = list(_bundle_problems(bundle))
    for index, entry in enumerate(bundle.get("entry", [])):
        resource = entry.get("resource", {})
        where = f"entry[{index}] {resource.get('resourceType')}"
        problems += [f"{where}: {p}" for p in _resource_problems(resource)]
    return problems


def resource_problems(resource: dict[str, Any]) -> list[str]:
    """Every problem of one resource outside a Bundle (a CDS Hooks suggestion): its R4B model, then our own checks."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    try:
        model = get_fhir_model_class(str(resource.get("resourceType", "")))
    except (KeyError, ValueError) as exc:
        return [f"resourceType: {exc}"]
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return list(_resource_problems(resource))


def problems(bundle: dict[str, Any]) -> list[str]:
    """Every problem, structural and our own; [] for a Bundle fit to store or send."""
    return structural_problems(bundle) + own_problems(bundle)


def _bundle_problems(bundle: dict[str, Any]) -> Iterator[str]:
    if bundle.get("type") not in REQUIRED_CODES[("Bundle", "type")]:
        yield f"Bundle.type {bundle.get('type')!r} is not a Bundle type"
    entries = bundle.get("entry", [])
    full_urls = [e.get("fullUrl", "") for e in entries]
    for url in full_urls:
        if not url.startswith("urn:uuid:"):
            yield f"fullUrl {url!r} is not a urn:uuid:"
    if len(set(full_urls)) != len(full_urls):
        yield "two entries share a fullUrl"
    for entry in entries:
        rid = entry.get("resource", {}).get("id")
        if rid and entry.get("fullUrl") != f"urn:uuid:{rid}":
            yield f"fullUrl {entry.get('fullUrl')} does not end in the resource id {rid}"
    known = set(full_urls)
    for path, target in _references(bundle):
        if target not in known:
            yield f"{path} refers to {target}, which is not in the Bundle"
    if bundle.get("type") == "document":
        yield from _document_problems(bundle, entries)


def _document_problems(bundle: dict[str, Any], entries: list[dict[str, Any]]) -> Iterator[str]:
    if not entries or entries[0].get("resource", {}).get("resourceType") != "Composition":
        yield "the first entry of a document is not a Composition"
    if not bundle.get("timestamp"):
        yield "a document has no timestamp (bdl-10)"
    identifier = bundle.get("identifier") or {}
    if not (identifier.get("system") and identifier.get("value")):
        yield "a document has no identifier with system and value (bdl-9)"
    compositions = [e for e in entries if e.get("resource", {}).get("resourceType") == "Composition"]
    if len(compositions) != 1:
        yield f"a document has {len(compositions)} Compositions, not one"


def _references(node: Any, path: str = "Bundle") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield path, value
            else:
                yield from _references(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _references(item, f"{path}[{i}]")


def _resource_problems(resource: dict[str, Any]) -> Iterator[str]:
    kind = resource.get("resourceType", "")
    for (rtype, element), allowed in REQUIRED_CODES.items():
        if rtype == kind and element in resource and resource[element] not in allowed:
            yield f"{element} {resource[element]!r} is not in its required value set"
    if kind in ("ServiceRequest", "Observation", "Composition", "DocumentReference") and "status" not in resource:
        yield "status is required"
    if kind == "ServiceRequest" and "intent" not in resource:
        yield "intent is required"
    if kind == "Condition":
        yield from _condition_problems(resource)
    for path, quantity in _quantities(resource):
        yield from _quantity_problems(path, quantity)


def _condition_problems(resource: dict[str, Any]) -> Iterator[str]:
    for element, allowed in (("clinicalStatus", CLINICAL_STATUS), ("verificationStatus", VERIFICATION_STATUS)):
        for coding in resource.get(element, {}).get("coding", []):
            if coding.get("code") not in allowed:
                yield f"{element} {coding.get('code')!r} is not in its required value set"


def _quantities(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("valueQuantity", "low", "high") and isinstance(value, dict):
                yield f"{path}.{key}", value
            else:
                yield from _quantities(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _quantities(item, f"{path}[{i}]")


def _quantity_problems(path: str, quantity: dict[str, Any]) -> Iterator[str]:
    if "comparator" in quantity and quantity["comparator"] not in COMPARATORS:
        yield f"{path}.comparator {quantity['comparator']!r} is not <, <=, >= or >"
    if quantity.get("system") == codes.UCUM and quantity.get("code") not in UCUM_TABLE:
        yield f"{path}.code {quantity.get('code')!r} is not a UCUM code in the reviewed table"
    if "code" in quantity and quantity.get("system") != codes.UCUM:
        yield f"{path} has a unit code without the UCUM system"
