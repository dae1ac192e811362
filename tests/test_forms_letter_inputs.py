"""The inputs issue 12 adds for the letters: observations on the presentation form, electrophoresis detail on a
lab row, and the receiving service chosen for a letter."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from workup.forms.labs import lab_formset
from workup.forms.sections import PresentationForm
from workup.models import Workup


def emergency_form(**extra: str) -> PresentationForm:
    data = {"version": "0", "red_flags": ["saddle_numbness"], **extra}
    return PresentationForm({f"presentation-{k}": v for k, v in data.items()}, instance=Workup())


def test_observations_are_saved_with_a_red_flag() -> None:
    form = emergency_form(
        symptom_onset_at="2026-12-06T14:30",
        observations_at="2026-12-07T09:05",
        pulse_bpm="92",
        systolic_bp="138",
        diastolic_bp="84",
        temperature_c="37.8",
        oxygen_saturation="97",
        respiratory_rate="18",
        capillary_glucose="7.2",
    )
    assert form.is_valid(), form.errors
    data = form.section_data()
    assert (data["pulse_bpm"], data["systolic_bp"], data["diastolic_bp"], data["oxygen_saturation"]) == (
        92,
        138,
        84,
        97,
    )
    assert data["symptom_onset_at"].hour == 14


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pulse_bpm", "400"),
        ("temperature_c", "51"),
        ("oxygen_saturation", "101"),
        ("respiratory_rate", "0"),
        ("capillary_glucose", "200"),
        ("symptom_onset_at", "2099-01-01T00:00"),
    ],
)
def test_implausible_observations_are_refused(field: str, value: str) -> None:
    form = emergency_form(**{field: value})
    assert not form.is_valid() and field in form.errors


def test_blood_pressure_needs_both_numbers_the_systolic_higher() -> None:
    assert "diastolic_bp" in emergency_form(systolic_bp="140").errors
    assert "diastolic_bp" in emergency_form(systolic_bp="80", diastolic_bp="120").errors


def lab_rows(**row: str) -> Any:
    data = {"labs-TOTAL_FORMS": "1", "labs-INITIAL_FORMS": "0", "labs-MIN_NUM_FORMS": "0", "labs-MAX_NUM_FORMS": "60"}
    data |= {f"labs-0-{k}": v for k, v in row.items()}
    return lab_formset(data, today=date(2026, 12, 7))


def test_an_electrophoresis_row_keeps_the_paraprotein_detail() -> None:
    formset = lab_rows(
        test="spep",
        spep_result="paraprotein",
        paraprotein_type=" IgG kappa ",
        paraprotein_g_l="12.5",
        immunofixation="IgG kappa band",
        kappa_flc_mg_l="45",
        lambda_flc_mg_l="12",
    )
    assert formset.is_valid(), formset.errors
    row = formset.rows()[0]
    assert row["paraprotein_type"] == "IgG kappa" and str(row["paraprotein_g_l"]) == "12.5"
    assert (row["immunofixation"], str(row["kappa_flc_mg_l"]), str(row["lambda_flc_mg_l"])) == (
        "IgG kappa band",
        "45",
        "12",
    )


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"test": "spep", "spep_result": "normal", "paraprotein_type": "IgG kappa"}, "paraprotein_type"),
        ({"test": "spep", "spep_result": "paraprotein", "paraprotein_g_l": "1200"}, "paraprotein_g_l"),
        ({"test": "hba1c", "value": "48", "unit": "mmol/mol", "kappa_flc_mg_l": "20"}, "kappa_flc_mg_l"),
    ],
)
def test_paraprotein_detail_only_where_it_belongs(row: dict[str, str], field: str) -> None:
    formset = lab_rows(**row)
    assert not formset.is_valid() and field in formset.forms[0].errors
