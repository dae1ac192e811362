"""Template helpers for the screens: vocabulary labels, urgency badges, the stage indicator, numbers and ages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms, template
from django.forms import BoundField
from django.utils import timezone

from workup.forms.labs import unit_label
from workup.interop.fhir.document import nhs_number
from workup.letters import STEP_FOR_SERVICE
from workup.models import Patient, Workup
from workup.rules import vocab

register = template.Library()

_VOCABS: dict[str, vocab.Choices] = {
    name: getattr(vocab, name) for name in dir(vocab) if name.isupper() and isinstance(getattr(vocab, name), tuple)
}


@register.filter
def label(code: Any, vocabulary: str) -> str:
    """``{{ "b12_deficiency"|label:"CAUSES" }}`` -> "Vitamin B12 deficiency"."""
    if code in (None, ""):
        return ""
    return vocab.label(_VOCABS[vocabulary], str(code))


@register.filter
def labels(codes: list[str] | None, vocabulary: str) -> str:
    """A list of codes as their labels, comma-separated."""
    return ", ".join(label(code, vocabulary) for code in codes or [])


# Steps that ask the red-flag questions (rules Q1, Q2): shown above everything else, with the way to answer them.
RED_FLAG_STEPS = ("ask_red_flags", "check_red_flags")


@register.filter
def red_flag_steps(recommendation: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The recommendation's open red-flag questions."""
    return [s for s in (recommendation or {}).get("next_steps", []) if s["code"] in RED_FLAG_STEPS]


@register.filter
def other_steps(recommendation: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The recommendation's steps other than the red-flag questions (those are shown above them)."""
    return [s for s in (recommendation or {}).get("next_steps", []) if s["code"] not in RED_FLAG_STEPS]


# The action that answers a next step, shown beside it: a letter to prepare, or the section to fill in.
STEP_SECTIONS = {
    "ask_red_flags": ("#red-flags", "Record red flags"),
    "check_red_flags": ("#presentation-notes", "Check the notes"),
    "complete_exam": ("#section-exam", "Record the examination"),
    "review_medicines": ("#section-history", "Record the medicines"),
}


@register.filter
def step_action(step: dict[str, Any]) -> dict[str, str] | None:
    """{"service": ..., "text": "Prepare the neurology letter"} or {"href": "#section-exam", "text": ...}."""
    code = step["code"]
    service = next((s for s, c in STEP_FOR_SERVICE.items() if c == code), None)
    if service == "emergency_department":
        return {"service": service, "text": "Prepare the emergency handover"}
    if service:
        return {"service": service, "text": f"Prepare the {vocab.label(vocab.SERVICES, service).lower()} letter"}
    if code.startswith("order_"):
        return {"href": "#section-labs", "text": "Record the result"}
    if code in STEP_SECTIONS:
        href, text = STEP_SECTIONS[code]
        return {"href": href, "text": text}
    return None


@register.filter
def exam_label(item: str) -> str:
    return vocab.EXAM_LABELS.get(item, item.replace("_", " "))


@register.filter
def unit(code: str) -> str:
    """How a unit reads on screen (umol/L -> µmol/L)."""
    return unit_label(code)


@register.filter
def age(patient: Patient, on: date | None = None) -> int:
    """The patient's age in whole years today (or on ``on``)."""
    return patient.age_on(on or timezone.localdate())


@register.inclusion_tag("partials/urgency_badge.html")
def urgency_badge(urgency: str | None) -> dict[str, Any]:
    return {"urgency": urgency or "", "text": vocab.label(vocab.URGENCY, urgency) if urgency else "Not assessed"}


@register.filter
def stage_label(workup: Workup) -> str:
    """The worklist's stage: the engine's stage, or why there is none yet."""
    if workup.stage:
        return vocab.label(vocab.STAGE, workup.stage)
    started = workup.red_flags is not None or workup.onset or workup.presentation_version
    return "Needs correcting" if started else "Not started"


@register.inclusion_tag("partials/stage_steps.html")
def stage_steps(recommendation: dict[str, Any] | None) -> dict[str, Any]:
    """The stage indicator: examination -> blood tests -> referral or management, read from the engine's answer."""
    if not recommendation:
        return {"steps": [], "emergency": False}
    stage = recommendation["stage"]
    if stage == "emergency":
        return {"steps": [], "emergency": True}
    open_steps = {step["code"] for step in recommendation.get("next_steps", [])}
    last = {"refer": "Referral", "manage": "Manage in primary care"}.get(stage, "Referral or manage")
    steps = [
        ("red_flags", "Red flags"),
        ("exam", "Examination"),
        ("bloods", "Blood tests"),
        (stage if stage in ("refer", "manage") else "end", last),
    ]
    return {"steps": [_step(code, text, stage, open_steps) for code, text in steps], "emergency": False}


def _step(code: str, text: str, stage: str, open_steps: set[str]) -> dict[str, str]:
    if code == stage:
        return {"text": text, "state": "current"}
    if code == "red_flags":
        return {"text": text, "state": "todo" if open_steps & set(RED_FLAG_STEPS) else "done"}
    if code == "exam" and "complete_exam" not in open_steps:
        return {"text": text, "state": "done"}
    if code == "bloods" and not open_steps & BLOOD_STEPS:
        return {"text": text, "state": "done"}
    return {"text": text, "state": "todo"}


BLOOD_STEPS = frozenset({"order_glucose_test", "order_b12", "order_mma", "order_active_b12", "confirm_diabetes"})


@register.filter
def state_words(state: str) -> str:
    return {"current": "current stage", "done": "done", "todo": "to do"}.get(state, "")


@register.simple_tag
def widget(field: BoundField, extra_class: str = "") -> str:
    """A field's input with its Bootstrap class; Django adds aria-invalid and aria-describedby when it has errors."""
    attrs = field.field.widget.attrs
    base = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    classes = [base, attrs.get("class", ""), extra_class, "is-invalid" if field.errors else ""]
    return field.as_widget(attrs={"class": " ".join(c for c in classes if c)})


@register.inclusion_tag("partials/field_errors.html")
def field_errors(field: BoundField) -> dict[str, Any]:
    """A field's errors, with the id its input's aria-describedby points at."""
    return {"field": field}


@register.inclusion_tag("partials/bare_field.html")
def bare_field(field: BoundField, hide_label: bool = True) -> dict[str, Any]:
    """A field without crispy's wrapper (exam grid, lab rows): label, input and errors."""
    return {"field": field, "hide_label": hide_label}


@register.inclusion_tag("partials/error_summary.html")
def error_summary(form: forms.BaseForm | forms.BaseFormSet, summary_id: str) -> dict[str, Any]:
    """Every error of a form or formset, linked to its field, for the top of the section."""
    errors: list[dict[str, Any]]
    if isinstance(form, forms.BaseFormSet):
        errors = [{"message": e} for e in form.non_form_errors()]
        for number, row in enumerate(form.forms, start=1):
            errors += _form_errors(row, f"Result {number}, ")
    else:
        errors = _form_errors(form, "")
    return {"errors": errors, "id": summary_id}


def _form_errors(form: forms.BaseForm, prefix: str) -> list[dict[str, Any]]:
    if not form.is_bound and not form.errors:
        return []
    errors: list[dict[str, Any]] = [{"message": e, "label": prefix.rstrip(", ")} for e in form.non_field_errors()]
    for name in form.errors:
        if name == "__all__" or name not in form.fields:
            continue
        bound = form[name]
        multiple = isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
        href = f"{bound.auto_id}_0" if multiple else bound.id_for_label
        errors += [{"href": href, "label": f"{prefix}{bound.label}", "message": e} for e in bound.errors]
    return errors


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    """``{{ mapping|get_item:key }}``: a dictionary value by a variable key."""
    return (mapping or {}).get(key)


@register.filter
def identifier_label(identifier: str) -> str:
    """ "NHS number" for an identifier that passes the NHS number's Modulus 11 check, else "Identifier"."""
    return "NHS number" if nhs_number(identifier) else "Identifier"


@register.filter
def identifier_display(identifier: str) -> str:
    """An NHS number in its usual 3-3-4 grouping (943 476 5919); any other identifier as recorded."""
    number = nhs_number(identifier)
    return f"{number[:3]} {number[3:6]} {number[6:]}" if number else identifier
