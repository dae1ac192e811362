"""Build the workup page: the section forms, saved results with conversions, and the engine's answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from workup import rules
from workup.access import AuthedRequest
from workup.forms import (
    SECTION_FORMS,
    BaseLabFormSet,
    SectionForm,
    VersionForm,
    attach_error,
    lab_formset,
    problem_target,
)
from workup.forms.labs import TEST_LABELS, LabRowForm, unit_label
from workup.models import LabResult, Workup
from workup.rules import vocab
from workup.rules.thresholds import BAND_WORDS
from workup.services import record
from workup.services.workups import Evaluation, SectionConflict, evaluate_workup, profiles, refresh_summary

TITLES = {
    "presentation": "Presentation and red flags",
    "history": "History",
    "exam": "Examination",
    "labs": "Blood results",
}
# The first band of each test says nothing abnormal (engine's SEVERITY order); everything else is flagged.
NOT_FLAGGED = {"normal", "below_diabetes_range", "not_interpreted"}


def render_workup_page(
    request: AuthedRequest,
    workup: Workup,
    *,
    may_sign: bool,
    bound: dict[str, SectionForm] | None = None,
    formset: BaseLabFormSet | None = None,
    labs_version: VersionForm | None = None,
    stale: dict[str, dict[str, Any]] | None = None,
) -> HttpResponse:
    """Render the workup page; ``bound`` forms and ``formset`` carry what the user typed, errors included."""
    today = timezone.localdate()
    labs = list(workup.labs.all())
    evaluation = evaluate_workup(workup, labs=labs, today=today)
    if workup.ruleset not in (rules.RULESET, ""):
        refresh_summary(workup, evaluation)  # saved under an older ruleset: the worklist's summary follows this one
    bound = bound or {}
    section_forms = {s: bound.get(s) or cls(instance=workup) for s, cls in SECTION_FORMS.items()}
    labs_unbound = formset is None
    if formset is None:
        formset = lab_formset(today=today, labs=labs)
    recorded = recorded_sections(workup, labs)
    unplaced = _place_problems(evaluation, recorded, section_forms, formset if labs_unbound else None, set(bound))
    for form in formset.forms:
        form.reading = lab_reading(_row_values(form))
    rec = evaluation.recommendation
    section_messages, general_messages = _split_messages(request)
    allergies = record.allergies_for(workup.patient)
    context = {
        "workup": workup,
        "patient": workup.patient,
        "banner_patient": workup.patient,
        "today": today,
        "forms": section_forms,
        "formset": formset,
        "labs_version": labs_version or VersionForm(prefix="labs", initial={"version": workup.labs_version}),
        "evaluation": evaluation,
        "rec": rec,
        "emergency": bool(rec and rec["stage"] == "emergency"),
        "unplaced_problems": unplaced,
        "stale": stale or {},
        "recorded": recorded,
        "titles": TITLES,
        "section_messages": section_messages,
        "general_messages": general_messages,
        "may_sign": may_sign,
        "lab_units_json": json.dumps(
            {test: [[u, unit_label(u)] for u in units] for test, units in rules.UNITS.items()}
        ),
        "missing_exam": _missing_exam(rec),
        "record_medications": record.medications_for(workup.patient),
        "record_allergies": allergies,
        "allergies": [] if allergies.not_asked else allergies.words(),
        "record_family_history": workup.patient.family_history_neuropathy,
        "earlier_labs": earlier_results(workup),
        "trends": lab_trends(evaluation.case, labs, today=today),
    }
    return render(request, "workup/workup_detail.html", context)


@dataclass(frozen=True)
class TrendPoint:
    """One result of a repeated test, as the trend shows it."""

    value: str
    collected_on: date | None
    counts: bool  # the result the decision support read for this test


def lab_trends(case: dict[str, Any], labs: list[LabResult], *, today: date) -> list[tuple[str, list[TrendPoint]]]:
    """Tests with more than one result: each result, latest first, and which one the engine read (its own choice)."""
    counting = rules.counting_results(case, today=today, **profiles())
    by_test: dict[str, list[tuple[int, LabResult]]] = {}
    for index, lab in enumerate(labs):
        by_test.setdefault(lab.test, []).append((index, lab))
    trends = []
    for test, rows in by_test.items():
        if len(rows) < 2:
            continue
        rows.sort(key=lambda row: row[1].collected_on or date.min, reverse=True)
        points = [TrendPoint(_shown(lab), lab.collected_on, counting.get(test) == index) for index, lab in rows]
        trends.append((vocab.label(vocab.LAB_TESTS, test), points))
    return trends


def _shown(lab: LabResult) -> str:
    return f"{lab.display_value()} {lab.unit}".strip()


def earlier_results(workup: Workup) -> list[tuple[str, str]]:
    """The latest result of each test from the patient's earlier workups, with its date: shown, never copied."""
    earlier = LabResult.objects.filter(workup__patient_id=workup.patient_id, workup__created_at__lt=workup.created_at)
    earlier = earlier.exclude(workup__closed_as="entered_in_error").order_by(
        F("collected_on").desc(nulls_last=True), "-created_at"
    )
    latest: dict[str, LabResult] = {}
    for lab in earlier:
        latest.setdefault(lab.test, lab)
    return [(TEST_LABELS[test], _lab_words(lab)) for test, lab in latest.items()]


def recorded_sections(workup: Workup, labs: list[LabResult]) -> dict[str, bool]:
    """Which sections hold anything yet (saved through a form, or loaded from a fixture or the API)."""
    recorded = {
        section: any(_has_value(workup, name) for name in cls.Meta.fields) for section, cls in SECTION_FORMS.items()
    }
    return {**recorded, "labs": bool(labs) or workup.labs_version > 0}


def _has_value(workup: Workup, name: str) -> bool:
    value = getattr(workup, name)
    if name == "notes_checked":
        return bool(value)  # its default, unticked, records nothing
    return value not in (None, "")


def _place_problems(
    evaluation: Evaluation,
    recorded: dict[str, bool],
    section_forms: dict[str, SectionForm],
    formset: BaseLabFormSet | None,
    bound: set[str],
) -> list[tuple[str, str]]:
    """Show each problem in the saved record beside its field; return (section title, message) for the rest."""
    unplaced: list[tuple[str, str]] = []
    for problem in evaluation.problems:
        target = problem_target(problem.path)
        if target.section in bound or (target.section == "labs" and formset is None):
            continue  # the user's own entries are on screen, with their own errors
        if target.section in section_forms and recorded[target.section]:
            attach_error(section_forms[target.section], target.field, problem.message)
        elif formset is not None and target.section == "labs" and target.row is not None and target.row < len(formset):
            form = formset.forms[target.row]
            attach_error(form, form.field_for(target.field), problem.message)
        else:
            unplaced.append((TITLES.get(target.section, "Patient record"), problem.message))
    return unplaced


def _split_messages(request: AuthedRequest) -> tuple[dict[str, list[Any]], list[Any]]:
    """Messages about one section are shown in that section; the rest at the top of the page."""
    by_section: dict[str, list[Any]] = {}
    general: list[Any] = []
    for message in messages.get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t in TITLES), None) if message.extra_tags else None
        if tag:
            by_section.setdefault(tag, []).append(message)
        else:
            general.append(message)
    return by_section, general


def _missing_exam(rec: dict[str, Any] | None) -> list[str]:
    steps: list[dict[str, Any]] = (rec or {}).get("next_steps", [])
    items: list[str] = next((step.get("items", []) for step in steps if step["code"] == "complete_exam"), [])
    return [vocab.EXAM_LABELS.get(item, item) for item in items]


def _row_values(form: LabRowForm) -> dict[str, Any] | None:
    if not form.is_bound:
        return dict(form.initial) or None
    if form.is_valid() and not form.is_blank:
        return dict(form.cleaned_data)
    return None


def lab_reading(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """What to show beside a result: the value in the test's other units, its band, and any plausibility warning."""
    if not values or not values.get("test"):
        return None
    test, unit = values["test"], values.get("unit") or ""
    if test == "spep":
        value: Any = values.get("spep_result")
        converted: list[str] = []
        warnings: list[str] = []
    else:
        number: Decimal | None = values.get("value")
        if number is None or unit not in rules.UNITS[test]:
            return None
        comparator = values.get("comparator") or ""
        value = f"{comparator}{_plain(number)}" if comparator else float(number)
        converted = [
            f"{comparator}{_plain(Decimal(str(v)))} {unit_label(u)}"
            for v, u in rules.convert_for_display(test, number, unit)
        ]
        warnings = rules.check_lab_value(test, value, unit)[1]
    band = _band(test, value, unit, values)
    return {
        "converted": converted,
        "band": band,
        "band_words": _band_words(band),
        "flagged": band not in NOT_FLAGGED,
        "warnings": warnings,
    }


def _band(test: str, value: Any, unit: str, values: dict[str, Any]) -> str:
    limits = {k: float(values[f"reference_{k}"]) for k in ("low", "high") if values.get(f"reference_{k}") is not None}
    try:
        return rules.band(test, value, unit, limits or None, **profiles())
    except ValueError:
        return ""


def _band_words(band: str) -> str:
    return BAND_WORDS.get(band, band.replace("_", " "))


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def stale_notice(workup: Workup, section: str) -> dict[str, Any]:
    """Who saved ``section`` under the user and what is saved now, for the refused save's notice."""
    who = workup.updated_by
    at = timezone.localtime(workup.updated_at)
    message = (
        f"{who.display_name() if who else 'Someone else'} saved {TITLES[section].lower()} at {at:%H:%M}. Your "
        "entries are kept in the form below. Compare them with what is saved now and keep their entries where "
        "they are right: saving this form writes every field it shows."
    )
    return {"message": message, "rows": saved_summary(workup, section)}


def conflict_notice(form: SectionForm, conflict: SectionConflict) -> dict[str, Any]:
    """Field by field, the user's value and the stored one with who saved it when, for the user to choose."""
    rows = []
    for c in conflict.conflicts:
        field = form.fields[c.name]
        when = f"{timezone.localtime(c.saved_at):%d %b %H:%M}" if c.saved_at else "an unknown time"
        rows.append(
            {
                "name": c.name,
                "label": field.label,
                "yours": _field_words(field, c.yours) if c.yours not in (None, "") else "Not recorded",
                "theirs": _field_words(field, c.theirs) if c.theirs not in (None, "") else "Not recorded",
                "by": f"saved by {c.saved_by} at {when}",
            }
        )
    message = (
        "Someone else saved this section while you were editing. Their other changes are already in the form below, "
        "with yours; for each field you both changed, choose which value to keep, then save."
    )
    return {"message": message, "conflicts": rows, "names": ",".join(c.name for c in conflict.conflicts)}


def saved_summary(workup: Workup, section: str) -> list[tuple[str, str]]:
    """What is saved now in ``section``, as (label, value) pairs: shown when a save was refused as stale."""
    if section == "labs":
        return [(TEST_LABELS[lab.test], _lab_words(lab)) for lab in workup.labs.all()]
    form = SECTION_FORMS[section](instance=workup)
    pairs = []
    for name in form.Meta.fields:
        if name not in form.fields:
            continue  # a question not asked of this patient (pregnancy for a male patient)
        value = form[name].initial
        if value not in (None, ""):
            pairs.append((str(form.fields[name].label), _field_words(form.fields[name], value)))
    return pairs


def _field_words(field: forms.Field, value: Any) -> str:
    choices = {str(code): text for code, text in getattr(field, "choices", [])}
    if isinstance(value, list):
        return ", ".join(choices.get(str(v), str(v)) for v in value) or "None"
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, bool):
        return choices.get(str(value), "Yes" if value else "No")
    if isinstance(value, float):
        return f"{value:g}"
    return choices.get(str(value), str(value))


def _lab_words(lab: LabResult) -> str:
    when = f", collected {lab.collected_on:%d %b %Y}" if lab.collected_on else ""
    if lab.test == "spep":
        return vocab.label(vocab.SPEP_VALUES, lab.text_value) + when
    return f"{lab.display_value()} {unit_label(lab.unit)}{when}"
