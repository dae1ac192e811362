"""Three-way merge of concurrent edits: what the user saw, what they saved, and what is stored now.

A field the user did not touch keeps whatever is stored now; a field only the user changed takes their value; a
field both changed differently is a conflict for the user to decide. Values are compared by a canonical digest so
that 30, 30.0 and Decimal("30") are one value, and None and "" are both "not recorded" (but [] is not None).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core import signing

SALT = "workup.section-seen"
LAB_FIELDS = ("test", "comparator", "value", "text_value", "unit", "collected_on", "reference_low", "reference_high")


def canonical(value: Any) -> Any:
    """One JSON-safe spelling per value."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return repr(float(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return str(value)


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(canonical(value), sort_keys=True).encode()).hexdigest()[:16]


def seen_token(values: Mapping[str, Any]) -> str:
    """The signed digests of the values a form shows, carried by the form as a hidden field."""
    return signing.dumps({k: digest(v) for k, v in values.items()}, salt=SALT, compress=True)


def read_seen(token: str) -> dict[str, str] | None:
    """The digests a form was opened with, or None for a missing or altered token."""
    if not token:
        return None
    try:
        seen = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return seen if isinstance(seen, dict) else None


def three_way(
    seen: Mapping[str, str], mine: Mapping[str, Any], theirs: Mapping[str, Any], keep_theirs: Collection[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    """(merged values, conflicting field names); a conflict keeps the user's value until they choose."""
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for name, value in mine.items():
        ours, stored = digest(value), digest(theirs[name])
        if name in keep_theirs or ours == stored or ours == seen.get(name):
            merged[name] = theirs[name]  # unchanged by the user, or they chose the stored value
        elif stored == seen.get(name):
            merged[name] = value  # only the user changed it
        else:
            merged[name] = value
            conflicts.append(name)
    return merged, conflicts


def lab_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """A result's own values (LabResult fields, or a form row), without its id or position."""
    return {name: row.get(name) for name in LAB_FIELDS}


def lab_digest(row: Mapping[str, Any]) -> str:
    return digest([lab_values(row)[name] for name in LAB_FIELDS])
