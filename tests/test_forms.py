"""Form input hygiene: clinician-worded errors, vocabulary order, and where an engine problem is shown."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from django import forms

from workup.forms import (
    ExamForm,
    HistoryForm,
    LabRowForm,
    PatientForm,
    PresentationForm,
    attach_error,
    lab_formset,
    problem_target,
)
from workup.forms.problems import ProblemTarget
from workup.forms.worklist import parse_date
from workup.models import Patient, Workup
from workup.rules import vocab

TODAY = date(2026, 11, 21)


def presentation_form(**fields: Any) -> PresentationForm:
    data = {
        "version": "0",
        "onset": "gradual",
        "duration_weeks": "6",
        "course": "stable",
        "sides": "both",
        "areas": ["toes"],
    } | fields
    return PresentationForm({f"presentation-{k}": v for k, v in data.items()}, instance=Workup())


def lab_row(**fields: Any) -> LabRowForm:
    data = {"test": "hba1c", "value": "6.1", "unit": "%", "collected_on": "2026-11-20"} | fields
    return LabRowForm({f"x-{k}": v for k, v in data.items()}, prefix="x", today=TODAY)


# Presentation


def test_ticked_lists_are_stored_in_vocabulary_order() -> None:
    form = presentation_form(areas=["sole", "toes"], symptoms=["burning", "numbness"])
    assert form.is_valid()
    assert form.section_data()["areas"] == ["toes", "sole"]
    assert form.section_data()["symptoms"] == ["numbness", "burning"]


def test_no_red_flag_box_ticked_is_stored_as_not_asked() -> None:
    form = presentation_form()
    assert form.is_valid() and form.section_data()["red_flags"] is None


def test_none_of_these_is_stored_as_asked_and_none() -> None:
    form = presentation_form(red_flags_none="on")
    assert form.is_valid() and form.section_data()["red_flags"] == []


def test_none_of_these_with_a_red_flag_is_a_contradiction() -> None:
    form = presentation_form(red_flags_none="on", red_flags=["saddle_numbness"])
    assert not form.is_valid()
    assert "contradict" in form.errors["red_flags_none"][0]


def test_none_of_these_is_ticked_when_the_answer_was_none() -> None:
    assert PresentationForm(instance=Workup(red_flags=[]))["red_flags_none"].value() is True
    assert not PresentationForm(instance=Workup(red_flags=None))["red_flags_none"].value()


def test_notes_check_is_kept_while_the_notes_are_unchanged() -> None:
    stored = Workup(notes="Says no saddle numbness.", notes_checked=True)
    form = presentation_form_for(stored, notes="Says no saddle numbness.", notes_checked="on")
    assert form.is_valid() and form.section_data()["notes_checked"] is True


def test_notes_check_resets_when_the_notes_change() -> None:
    stored = Workup(notes="Says no saddle numbness.", notes_checked=True)
    form = presentation_form_for(stored, notes="Now reports bladder retention.", notes_checked="on")
    assert form.is_valid() and form.section_data()["notes_checked"] is False


def test_notes_checked_while_writing_them_counts_for_what_was_written() -> None:
    form = presentation_form_for(Workup(), notes="Bowels normal.", notes_checked="on")
    assert form.is_valid() and form.section_data()["notes_checked"] is True


def test_notes_check_without_notes_is_not_stored() -> None:
    form = presentation_form(notes_checked="on")
    assert form.is_valid() and form.section_data()["notes_checked"] is False


def test_notes_over_2000_characters_are_refused_and_line_ends_count_once() -> None:
    assert not presentation_form(notes="x" * 2001).is_valid()
    form = presentation_form(notes="ab\r\n" * 500)  # 2,000 characters as the browser sends them, 1,499 stored
    assert form.is_valid() and "\r" not in form.section_data()["notes"]


def presentation_form_for(workup: Workup, **fields: Any) -> PresentationForm:
    data = {"version": "0", "onset": "gradual", "duration_weeks": "6", "course": "stable", "sides": "both"}
    data |= {"areas": ["toes"], "red_flags_none": "on"} | fields
    return PresentationForm({f"presentation-{k}": v for k, v in data.items()}, instance=workup)


def test_red_flag_alone_is_enough_to_save() -> None:
    form = PresentationForm(
        {"presentation-version": "0", "presentation-red_flags": ["saddle_numbness"]}, instance=Workup()
    )
    assert form.is_valid(), form.errors
    assert form.section_data()["areas"] is None and form.section_data()["onset"] == ""


def test_form_carries_the_version_it_was_opened_at() -> None:
    workup = Workup(presentation_version=4)
    assert PresentationForm(instance=workup)["version"].value() == 4


# Examination


def exam_form(**fields: Any) -> ExamForm:
    return ExamForm({"exam-version": "0"} | {f"exam-{k}": v for k, v in fields.items()}, instance=Workup())


def test_exam_scales_are_stored_as_numbers_and_blank_cells_as_not_recorded() -> None:
    form = exam_form(ankle_reflex_left="0", power_ankle_dorsiflexion_right="4", abi_left="0.85")
    assert form.is_valid(), form.errors
    data = form.section_data()
    assert data["ankle_reflex_left"] == 0 and data["power_ankle_dorsiflexion_right"] == 4
    assert data["ankle_reflex_right"] is None and data["vibration_left"] == ""
    assert data["abi_left"] == Decimal("0.85")


def test_exam_grid_rows_follow_the_examination_order() -> None:
    rows = ExamForm(instance=Workup()).grid()
    assert [r["item"] for r in rows][:4] == ["ankle_reflex", "knee_reflex", "plantar_response", "monofilament"]
    assert rows[0]["sides"][0].label == "Ankle reflex (NINDS 0-4), left"


def test_monofilament_needs_both_counts() -> None:
    form = exam_form(monofilament_tested_left="4")
    assert not form.is_valid()
    assert form.errors["monofilament_felt_left"] == ["Enter how many of the 4 sites were felt on the left foot."]


# Blood results


def test_censored_result_is_written_as_the_contract_writes_it() -> None:
    form = lab_row(test="b12", comparator="<", value="150", unit="ng/L")
    assert form.is_valid(), form.errors
    assert form.case_value() == "<150"
    assert form.row()["comparator"] == "<" and form.row()["value"] == Decimal("150")


def test_exact_result_is_a_number() -> None:
    form = lab_row(value="6.50")
    assert form.is_valid() and form.case_value() == 6.5


def test_impossible_value_is_refused_in_clinician_words() -> None:
    form = lab_row(test="fasting_glucose", value="5000", unit="mg/dL")
    assert not form.is_valid()
    assert "5000 mg/dL is not a possible fasting glucose" in form.errors["value"][0]


def test_unit_is_never_guessed() -> None:
    form = lab_row(unit="")
    assert not form.is_valid()
    assert form.errors["unit"] == ["Choose the unit the lab reported: HbA1c is reported in mmol/mol or %."]


def test_collected_today_is_fine_tomorrow_is_not() -> None:
    assert lab_row(collected_on=TODAY.isoformat()).is_valid()
    tomorrow = lab_row(collected_on=(TODAY + timedelta(days=1)).isoformat())
    assert not tomorrow.is_valid() and "is in the future" in tomorrow.errors["collected_on"][0]


def test_spep_row_stores_its_text_and_no_unit() -> None:
    form = lab_row(test="spep", value="", unit="", spep_result="normal")
    assert form.is_valid(), form.errors
    assert form.row() | {} == form.row() and form.row()["text_value"] == "normal" and form.row()["unit"] == ""
    assert form.case_value() == "normal"


def test_engine_value_problem_on_spep_row_is_shown_on_its_result_list() -> None:
    form = lab_row(test="spep", spep_result="normal", value="", unit="")
    assert form.field_for("value") == "spep_result"
    assert lab_row().field_for("value") == "value"


def test_formset_keeps_filled_rows_in_order_and_drops_blank_and_removed() -> None:
    data = {
        "labs-TOTAL_FORMS": "4",
        "labs-INITIAL_FORMS": "2",
        "labs-MIN_NUM_FORMS": "0",
        "labs-MAX_NUM_FORMS": "60",
        "labs-0-test": "b12",
        "labs-0-value": "300",
        "labs-0-unit": "ng/L",
        "labs-1-test": "hba1c",
        "labs-1-value": "6",
        "labs-1-unit": "%",
        "labs-1-DELETE": "on",
        "labs-3-test": "tsh",
        "labs-3-value": "2.1",
        "labs-3-unit": "mIU/L",
    }
    formset = lab_formset(data, today=TODAY)
    assert formset.is_valid(), formset.errors
    assert [row["test"] for row in formset.rows()] == ["b12", "tsh"]


# Patients


def test_patient_names_are_tidied(clinic: Any) -> None:
    data = {
        "given_name": "  Mary  Ann ",
        "family_name": "Smith",
        "date_of_birth": "1970-01-01",
        "sex": "female",
        "identifier": " 123  456 ",
    }
    form = PatientForm(data, clinic_id=clinic.pk, today=TODAY)
    assert form.is_valid(), form.errors
    assert form.patient_data()["given_name"] == "Mary Ann" and form.patient_data()["identifier"] == "123 456"


# Where an engine problem goes


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("presentation.onset", ProblemTarget("presentation", None, "onset")),
        ("presentation.areas[2]", ProblemTarget("presentation", None, "areas")),
        ("history.alcohol_units_per_week", ProblemTarget("history", None, "alcohol_units_per_week")),
        ("exam.ankle_reflex.left", ProblemTarget("exam", None, "ankle_reflex_left")),
        ("exam.monofilament.left", ProblemTarget("exam", None, "monofilament_felt_left")),
        ("exam.monofilament.right.sites_tested", ProblemTarget("exam", None, "monofilament_tested_right")),
        ("exam.romberg", ProblemTarget("exam", None, "romberg")),
        ("exam", ProblemTarget("exam", None, None)),
        ("labs[1].value", ProblemTarget("labs", 1, "value")),
        ("labs[0].reference_range.low", ProblemTarget("labs", 0, "reference_low")),
        ("labs[3]", ProblemTarget("labs", 3, None)),
        ("patient.age_years", ProblemTarget("case", None, None)),
        ("as_of", ProblemTarget("case", None, None)),
    ],
)
def test_engine_paths_map_to_form_fields(path: str, target: ProblemTarget) -> None:
    assert problem_target(path) == target


def test_engine_problem_can_be_shown_on_an_unbound_form() -> None:
    form = ExamForm(instance=Workup())
    attach_error(form, "abi_left", "ABI unreadable")
    attach_error(form, "no_such_field", "something else")
    assert form["abi_left"].errors == ["ABI unreadable"]
    assert 'aria-describedby="id_exam-abi_left_error"' in str(form["abi_left"])
    assert form.non_field_errors() == ["something else"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/03/1961", date(1961, 3, 14)),
        ("14 Mar 1961", date(1961, 3, 14)),
        ("1961-03-14", date(1961, 3, 14)),
        ("Okafor", None),
    ],
)
def test_search_reads_uk_dates(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


# History


def history_form(sex: str = "female", **fields: Any) -> HistoryForm:
    data = {"version": "0"} | fields
    return HistoryForm({f"history-{k}": v for k, v in data.items()}, instance=Workup(patient=Patient(sex=sex)))


@pytest.mark.parametrize(("answer", "stored"), [("True", True), ("False", False), ("", None)])
def test_pregnancy_is_yes_no_or_not_asked(answer: str, stored: bool | None) -> None:
    form = history_form(pregnant=answer)
    assert form.is_valid() and form.section_data()["pregnant"] is stored


def test_pregnancy_is_not_asked_of_a_male_patient() -> None:
    form = history_form(sex="male", pregnant="True")
    assert "pregnant" not in form.fields
    assert form.is_valid() and form.section_data()["pregnant"] is None


@pytest.mark.parametrize(("answer", "stored"), [("True", True), ("False", False), ("", None)])
def test_family_history_is_yes_no_or_not_recorded(answer: str, stored: bool | None) -> None:
    form = history_form(family_history_neuropathy=answer)
    assert form.is_valid() and form.section_data()["family_history_neuropathy"] is stored


def choices_of(field: forms.Field) -> list[tuple[Any, Any]]:
    """A choice field's (value, label) pairs, as Django has normalised them."""
    assert isinstance(field, forms.ChoiceField)
    return list(cast(Iterable[tuple[Any, Any]], field.choices))


def test_medicines_and_foot_history_offer_the_whole_vocabulary_in_its_order() -> None:
    form = history_form(medications=["statin", "isoniazid"], foot_history=["renal_replacement_therapy"])
    assert choices_of(form.fields["medications"]) == list(vocab.MEDICATIONS)
    assert choices_of(form.fields["foot_history"]) == list(vocab.FOOT_HISTORY)
    assert form.is_valid()
    assert form.section_data()["medications"] == ["isoniazid", "statin"]
    assert form.section_data()["foot_history"] == ["renal_replacement_therapy"]


def test_months_since_chemotherapy_need_an_agent() -> None:
    form = history_form(chemotherapy_ended_months_ago="3")
    assert not form.is_valid()
    assert "Tick the chemotherapy agent first" in form.errors["chemotherapy_ended_months_ago"][0]


@pytest.mark.parametrize(("months", "ok"), [("0", True), ("600", True), ("600.5", False), ("-1", False)])
def test_months_since_chemotherapy_are_0_ongoing_to_600(months: str, ok: bool) -> None:
    form = history_form(chemotherapy=["taxane"], chemotherapy_ended_months_ago=months)
    assert form.is_valid() is ok, form.errors


def test_shooting_pain_is_offered_with_the_symptoms() -> None:
    symptoms = PresentationForm(instance=Workup()).fields["symptoms"]
    assert ("shooting_pain", vocab.label(vocab.SYMPTOMS, "shooting_pain")) in choices_of(symptoms)


# Foot inspection


def test_foot_inspection_nothing_ticked_is_not_inspected() -> None:
    form = exam_form()
    assert form.is_valid() and form.section_data()["foot_inspection"] is None


def test_foot_inspection_nothing_found_is_an_empty_list() -> None:
    form = exam_form(foot_inspection_none="on")
    assert form.is_valid() and form.section_data()["foot_inspection"] == []


def test_foot_inspection_findings_are_stored_in_vocabulary_order() -> None:
    form = exam_form(foot_inspection=["fever_or_sepsis", "ulcer"])
    assert form.is_valid() and form.section_data()["foot_inspection"] == ["ulcer", "fever_or_sepsis"]


def test_foot_inspection_nothing_found_with_a_finding_is_a_contradiction() -> None:
    form = exam_form(foot_inspection=["callus"], foot_inspection_none="on")
    assert not form.is_valid() and "contradict" in form.errors["foot_inspection_none"][0]


def test_foot_inspection_form_shows_what_was_stored() -> None:
    assert ExamForm(instance=Workup(foot_inspection=[]))["foot_inspection_none"].value() is True
    found = ExamForm(instance=Workup(foot_inspection=["gangrene"]))
    assert found["foot_inspection"].value() == ["gangrene"] and not found["foot_inspection_none"].value()
