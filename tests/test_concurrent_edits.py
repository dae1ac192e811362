"""Concurrent edits lose nothing: random interleavings of two users' saves keep every acknowledged value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workup import merge
from workup.models import LabResult, Workup
from workup.services.workups import RowEdit, SectionConflict, save_labs, save_section

pytestmark = pytest.mark.django_db

HISTORY = ("alcohol_units_per_week", "family_history_neuropathy", "diabetes")
VALUES: dict[str, list[Any]] = {
    "alcohol_units_per_week": [None, 2.0, 14.0, 30.0],
    "family_history_neuropathy": [None, True, False],
    "diabetes": ["", "known", "none"],
}


@dataclass
class View:
    """What one user's open page shows: the history section and the blood results, as loaded."""

    version: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    rows: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)


def load(workup: Workup) -> View:
    fresh = Workup.objects.get(pk=workup.pk)
    rows = [(lab.pk, merge.lab_digest(vars(lab)), merge.lab_values(vars(lab))) for lab in fresh.labs.order_by("pk")]
    return View(fresh.history_version, {n: getattr(fresh, n) for n in HISTORY}, rows)


def glucose(value: str) -> dict[str, Any]:
    return {
        "test": "fasting_glucose",
        "comparator": "",
        "value": Decimal(value),
        "text_value": "",
        "unit": "mmol/L",
        "collected_on": date(2026, 11, 2),
        "reference_low": None,
        "reference_high": None,
    }


ops = st.lists(
    st.one_of(
        st.tuples(st.just("load"), st.integers(0, 1)),
        st.tuples(st.just("field"), st.integers(0, 1), st.sampled_from(HISTORY), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("add"), st.integers(0, 1), st.sampled_from(["5.0", "6.1", "7.2"])),
        st.tuples(st.just("edit"), st.integers(0, 1), st.integers(0, 3), st.sampled_from(["5.5", "8.0"])),
        st.tuples(st.just("remove"), st.integers(0, 1), st.integers(0, 3)),
    ),
    min_size=2,
    max_size=14,
)


class Record:
    """The acknowledged values: each must still be stored unless someone who saw it changed or removed it."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.rows: dict[int, str] = {}

    def check(self, workup: Workup) -> None:
        fresh = Workup.objects.get(pk=workup.pk)
        for name, wanted in self.fields.items():
            assert merge.digest(getattr(fresh, name)) == wanted, name
        stored = {lab.pk: merge.lab_digest(vars(lab)) for lab in LabResult.objects.filter(workup=workup)}
        for row_id, wanted in self.rows.items():
            assert stored.get(row_id) == wanted, f"acknowledged result {row_id} lost"


def save_field(user: Any, workup: Workup, view: View, name: str, value: Any, take_mine: bool, record: Record) -> None:
    data = {**view.values, name: value}
    seen = {k: merge.digest(v) for k, v in view.values.items()}
    changed = merge.digest(value) != seen[name]  # setting what the page already showed changes nothing
    try:
        save_section(user=user, workup=workup, section="history", data=data, version=view.version, seen=seen)
    except SectionConflict as conflict:
        # The user is shown each clash and chooses; both choices are deliberate, neither is silent.
        keep = frozenset() if take_mine else frozenset(c.name for c in conflict.conflicts)
        current = Workup.objects.get(pk=workup.pk).history_version
        save_section(
            user=user, workup=workup, section="history", data=conflict.merged, version=current, keep_theirs=keep
        )
        if not take_mine:
            return
    if changed:
        record.fields[name] = merge.digest(value)


def save_rows(user: Any, workup: Workup, edit: RowEdit, record: Record) -> None:
    before = set(LabResult.objects.filter(workup=workup).values_list("pk", flat=True))
    current = {lab.pk: merge.lab_digest(vars(lab)) for lab in LabResult.objects.filter(workup=workup)}
    save_labs(user=user, workup=workup, rows=[edit])
    added = set(LabResult.objects.filter(workup=workup).values_list("pk", flat=True)) - before
    saw_current = edit.row_id in current and current[edit.row_id] == edit.seen
    if edit.remove:
        if saw_current and edit.row_id is not None:
            record.rows.pop(edit.row_id, None)  # removed by someone who saw exactly this value
        return
    if edit.row_id is not None and saw_current:
        record.rows[edit.row_id] = merge.lab_digest(edit.values)
    for row_id in added:
        record.rows[row_id] = merge.lab_digest(edit.values)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_interleaved_saves_of_two_users_never_lose_an_acknowledged_value(
    steps: list[tuple[Any, ...]], patient: Any, intake: Any, clinician: Any
) -> None:
    workup = Workup.objects.create(patient=patient, created_by=intake, updated_by=intake)
    users, record = (intake, clinician), Record()
    views = [load(workup), load(workup)]
    for step in steps:
        kind, who = step[0], step[1]
        user, view = users[who], views[who]
        if kind == "load":
            views[who] = load(workup)
        elif kind == "field":
            _, _, name, index, take_mine = step
            value = VALUES[name][index % len(VALUES[name])]
            save_field(user, workup, view, name, value, take_mine, record)
            views[who] = load(workup)  # the page reloads after a save
        elif kind == "add":
            save_rows(user, workup, RowEdit(values=glucose(step[2])), record)
            views[who] = load(workup)
        elif view.rows:
            row_id, seen, values = view.rows[step[2] % len(view.rows)]
            if kind == "edit":
                edit = RowEdit(values={**values, "value": Decimal(step[3])}, row_id=row_id, seen=seen)
            else:
                edit = RowEdit(values={}, row_id=row_id, seen=seen, remove=True)
            save_rows(user, workup, edit, record)
            views[who] = load(workup)
        record.check(workup)


# The section conflict on screen


def test_a_clashing_section_save_shows_yours_and_theirs_and_saves_the_choice(
    login: Any, intake: Any, clinician: Any, workup: Workup
) -> None:
    url = reverse("workup_section", args=[workup.pk, "history"])
    page = reverse("workup_detail", args=[workup.pk])
    mine = login(intake).get(page).context["forms"]["history"]
    data = {f"history-{k}": v for k, v in mine.initial.items() if v not in (None, "")}
    data |= {"history-alcohol_units_per_week": "20", "history-version": mine.initial["version"]}
    data |= {f"history-{n}": "" for n in ("pregnant",)}
    save_section(
        user=clinician,
        workup=workup,
        section="history",
        data={"alcohol_units_per_week": 10.0, "family_history_neuropathy": True},
        version=workup.history_version,
    )
    client = login(intake)
    response = client.post(url, data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Yours: <strong>20" in body and "Saved by Claire Tester at" in body
    assert Workup.objects.get(pk=workup.pk).family_history_neuropathy is True  # their other change is in
    form = response.context["forms"]["history"]
    resolved = {k: v for k, v in data.items()}
    resolved |= {
        "history-version": form.initial["version"],
        "history-seen": form.initial["seen"],
        "history-conflicts": "alcohol_units_per_week",
        "history-keep-alcohol_units_per_week": "theirs",
        "history-family_history_neuropathy": "True",
    }
    assert client.post(url, resolved).status_code == 302
    saved = Workup.objects.get(pk=workup.pk)
    assert (saved.alcohol_units_per_week, saved.family_history_neuropathy) == (10.0, True)


def test_a_conflict_without_a_choice_is_not_saved(login: Any, intake: Any, workup: Workup) -> None:
    url = reverse("workup_section", args=[workup.pk, "history"])
    form = login(intake).get(reverse("workup_detail", args=[workup.pk])).context["forms"]["history"]
    data = {f"history-{k}": v for k, v in form.initial.items() if v not in (None, "")}
    data |= {"history-conflicts": "alcohol_units_per_week", "history-alcohol_units_per_week": "40"}
    assert login(intake).post(url, data).status_code == 409
    assert Workup.objects.get(pk=workup.pk).alcohol_units_per_week == 2.5
