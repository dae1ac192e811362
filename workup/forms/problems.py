"""Put a problem the engine found (``labs[1].value``, ``exam.monofilament.left``) next to the form field it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

_PATH = re.compile(r"^(?P<section>[a-z_]+)(?:\[(?P<row>\d+)\])?(?:\.(?P<rest>.*))?$")
_LAB_FIELDS = {
    "test": "test",
    "value": "value",
    "unit": "unit",
    "collected_on": "collected_on",
    "reference_range.low": "reference_low",
    "reference_range.high": "reference_high",
    "reference_range": "reference_high",
}


@dataclass(frozen=True)
class ProblemTarget:
    """Where a problem belongs: a section, a lab row for labs, and a field (None: the section or row as a whole)."""

    section: str
    row: int | None
    field: str | None


def problem_target(path: str) -> ProblemTarget:
    """Map an engine error path to the section, lab row and form field that hold it."""
    match = _PATH.match(path.strip())
    if not match:
        return ProblemTarget("case", None, None)
    section, rest = match["section"], match["rest"] or ""
    rest = re.sub(r"\[\d+\]$", "", rest)  # presentation.areas[2] -> the areas field
    if section == "labs":
        row = int(match["row"]) if match["row"] is not None else None
        return ProblemTarget("labs", row, _LAB_FIELDS.get(rest) if row is not None else None)
    if section in ("presentation", "history"):
        return ProblemTarget(section, None, rest.split(".")[0] or None)
    if section == "exam":
        return ProblemTarget("exam", None, _exam_field(rest))
    return ProblemTarget("case", None, None)


def _exam_field(rest: str) -> str | None:
    parts = rest.split(".")
    if not parts[0]:
        return None
    if parts[0] == "monofilament":
        if len(parts) == 1:
            return None
        kind = "tested" if len(parts) > 2 and parts[2] == "sites_tested" else "felt"
        return f"monofilament_{kind}_{parts[1]}"
    return "_".join(parts[:2])


def attach_error(form: forms.BaseForm, field: str | None, message: str) -> None:
    """Show ``message`` beside ``field`` of ``form`` (bound or not); an unknown field becomes a form-wide error."""
    errors = form.errors  # runs validation on a bound form; an empty ErrorDict on an unbound one
    if field is None or field not in form.fields:
        field = NON_FIELD_ERRORS
    if field not in errors:
        if field == NON_FIELD_ERRORS:
            errors[field] = form.error_class(error_class="nonfield", renderer=form.renderer)
        else:
            errors[field] = form.error_class(renderer=form.renderer, field_id=form[field].auto_id)
    if message not in errors[field]:
        errors[field].append(message)
    if hasattr(form, "cleaned_data"):
        form.cleaned_data.pop(field, None)
