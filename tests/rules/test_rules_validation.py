"""Reading a case: every problem reported at once, each with its path; warnings for unusual but possible values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.rules.casebuilder import AS_OF, lab, make_case, problems, run
from workup.rules import CaseError, Problem, validate


def test_a_valid_case_has_no_problems() -> None:
    case, errors, warnings = validate(make_case(labs=[lab("hba1c", 5.3)]), today=AS_OF)
    assert errors == [] and warnings == []
    assert case.sides == "both" and case.labs[0].value == 5.3


def test_every_problem_is_reported_not_just_the_first() -> None:
    doc = make_case(labs=[lab("fasting_glucose", 5000), lab("b12", 300, unit="mmol")])
    doc["presentation"]["course"] = "worse"
    doc["exam"]["ankle_reflexes"] = {"left": 2}
    found = problems(doc)
    assert set(found) == {"labs[0].value", "labs[1].unit", "presentation.course", "exam"}


def test_unknown_key_is_reported_at_its_parents_path() -> None:
    doc = make_case()
    doc["exam"]["ankle_reflexes"] = {"left": 2, "right": 2}
    assert problems(doc) == {"exam": "unknown key 'ankle_reflexes' (did you mean 'ankle_reflex'?)"}


@pytest.mark.parametrize(
    ("where", "expected_path"),
    [
        ((), "case"),
        (("patient",), "patient"),
        (("presentation",), "presentation"),
        (("exam", "abi"), "exam.abi"),
        (("exam", "monofilament", "left"), "exam.monofilament.left"),
    ],
)
def test_unknown_keys_are_errors_at_every_level(where: tuple[str, ...], expected_path: str) -> None:
    doc = make_case(exam_update={"abi": {"left": 1.0}})
    target: Any = doc
    for key in where:
        target = target[key]
    target["zz"] = 1
    assert "unknown key 'zz'" in problems(doc)[expected_path]


def test_unknown_key_in_a_lab_is_reported_at_the_lab() -> None:
    assert "unknown key 'flag'" in problems(make_case(labs=[lab("tsh", 2.0, flag="H")]))["labs[0]"]


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("patient.age_years", 60.5, "whole number"),
        ("patient.age_years", "60", "whole number"),
        ("patient.age_years", True, "whole number"),
        ("patient.age_years", 121, "out of range"),
        ("patient.sex", "F", "not one of"),
        ("presentation.duration_weeks", True, "must be a number, not true"),
        ("presentation.duration_weeks", -1, "out of range"),
        ("presentation.duration_weeks", "30", "must be a number"),
        ("presentation.onset", None, "not one of"),
        ("history.alcohol_units_per_week", False, "must be a number, not false"),
        ("history.alcohol_units_per_week", 501, "out of range"),
        ("history.diabetes", "yes", "not one of"),
        ("exam.ankle_reflex.left", 2.5, "whole number"),
        ("exam.ankle_reflex.left", 5, "out of range"),
        ("exam.power_ankle_dorsiflexion.right", 6, "out of range"),
        ("exam.power_ankle_dorsiflexion.right", True, "whole number"),
        ("exam.abi.left", 3.5, "out of range"),
        ("exam.abi.left", "0.9", "must be a number"),
        ("exam.plantar_response.left", "upgoing", "not one of"),
        ("exam.romberg", "yes", "not one of"),
    ],
)
def test_type_and_range_errors_name_the_field(path: str, value: object, words: str) -> None:
    doc = make_case()
    *parents, key = path.split(".")
    target: Any = doc
    for part in parents:
        target = target.setdefault(part, {})
    target[key] = value
    found = problems(doc)
    assert words in found[path], found


def test_integral_float_is_accepted_where_an_integer_is_required() -> None:
    # JSON Schema counts 2.0 as an integer; the contract's schema is the reference.
    doc = make_case(exam_update={"ankle_reflex": {"left": 2.0, "right": 2}})
    assert run(doc)["urgency"] == "routine"


@pytest.mark.parametrize("key", ["onset", "duration_weeks", "course", "sides", "areas"])
def test_missing_required_presentation_fields_are_named(key: str) -> None:
    doc = make_case()
    del doc["presentation"][key]
    assert problems(doc)[f"presentation.{key}"] == "is required"


def test_missing_patient_and_presentation_are_named() -> None:
    assert problems({"schema": "workup-case/1"}) == {"patient": "is required", "presentation": "is required"}


def test_missing_age_is_named() -> None:
    doc = make_case()
    del doc["patient"]["age_years"]
    assert problems(doc) == {"patient.age_years": "is required"}


@pytest.mark.parametrize("doc", [[], "case", 3, None])
def test_a_document_that_is_not_an_object_is_one_problem(doc: object) -> None:
    assert list(problems(doc)) == ["case"]


def test_wrong_schema_name_is_an_error() -> None:
    doc = make_case()
    doc["schema"] = "workup-case/2"
    assert "workup-case/1" in problems(doc)["schema"]


def test_unknown_area_is_named_by_its_index() -> None:
    doc = make_case(areas=("toes", "sole", "ankle"))
    assert "'ankle' is not one of" in problems(doc)["presentation.areas[2]"]


def test_repeated_list_item_is_an_error() -> None:
    doc = make_case(areas=("toes", "sole", "toes"))
    assert problems(doc) == {"presentation.areas[2]": "repeats 'toes'"}


def test_empty_areas_is_an_error() -> None:
    assert "at least one" in problems(make_case(areas=()))["presentation.areas"]


def test_sites_felt_above_sites_tested_is_an_error() -> None:
    doc = make_case(
        exam_update={
            "monofilament": {
                "left": {"sites_tested": 3, "sites_felt": 5},
                "right": {"sites_tested": 4, "sites_felt": 4},
            }
        }
    )
    assert problems(doc) == {"exam.monofilament.left.sites_felt": "5 sites felt is more than the 3 sites tested"}


def test_monofilament_side_needs_both_counts() -> None:
    doc = make_case(exam_update={"monofilament": {"left": {"sites_tested": 3}}})
    assert problems(doc) == {"exam.monofilament.left.sites_felt": "is required"}


# --- labs ------------------------------------------------------------------------------------------------------------


def test_impossible_glucose_is_rejected_with_its_path_and_value() -> None:
    found = problems(make_case(labs=[lab("fasting_glucose", 5000, "mg/dL")]))
    assert found == {"labs[0].value": "5000 mg/dL is not a possible fasting glucose (possible range 10 to 2000 mg/dL)"}


@pytest.mark.parametrize(
    ("row", "path", "words"),
    [
        (lab("hba1c", 6.1, "mg/dL"), "labs[0].unit", "'mg/dL' is not a unit for HbA1c"),
        (lab("b12", 300, "pmol"), "labs[0].unit", "not a unit"),
        ({"test": "tsh", "value": 2.0}, "labs[0].unit", "a unit is required"),
        ({"test": "tsh", "value": 2.0, "unit": ""}, "labs[0].unit", "a unit is required"),
        (lab("spep", "normal", unit=None) | {"unit": "g/L"}, "labs[0].unit", "takes no unit"),
        (lab("spep", "abnormal"), "labs[0].value", "'normal' or 'paraprotein'"),
        (lab("b12", "<=200"), "labs[0].value", "'<x' or '>x'"),
        (lab("b12", "200 pg/mL"), "labs[0].value", "is not a number"),
        (lab("b12", "300"), "labs[0].value", "is not a number"),
        (lab("b12", True), "labs[0].value", "must be a number, not true"),
        (lab("b12", None), "labs[0].value", "must be a number, not null"),
        (lab("b12", "<10"), "labs[0].value", "is not a possible"),
        ({"test": "zinc", "value": 80, "unit": "ug/dL"}, "labs[0].test", "not a lab test"),
        ({"value": 1, "unit": "%"}, "labs[0].test", "is required"),
        ({"test": "hba1c", "unit": "%"}, "labs[0].value", "is required"),
        (lab("hba1c", 6.0, on="2026-11-22"), "labs[0].collected_on", "after the case date 2026-11-21"),
        (lab("hba1c", 6.0, on="02/11/2026"), "labs[0].collected_on", "YYYY-MM-DD"),
        (lab("hba1c", 6.0, on="2026-02-30"), "labs[0].collected_on", "YYYY-MM-DD"),
        (lab("tsh", 2.0, reference_range={"low": 4.5, "high": 0.3}), "labs[0].reference_range", "above the high"),
        (lab("tsh", 2.0, reference_range={"upper": 4.5}), "labs[0].reference_range", "unknown key 'upper'"),
        (lab("tsh", 2.0, reference_range={"high": "4.5"}), "labs[0].reference_range.high", "must be a number"),
        ("hba1c 6.0", "labs[0]", "must be an object"),
    ],
)
def test_lab_problems_are_named(row: Any, path: str, words: str) -> None:
    found = problems(make_case(labs=[row]))
    assert words in found.get(path, ""), found


def test_a_lab_with_an_unknown_test_still_has_its_other_fields_checked_but_not_its_unit() -> None:
    row = {"test": "zinc", "value": [1], "unit": "furlongs", "collected_on": "2027-01-01"}
    found = problems(make_case(labs=[row]))
    assert set(found) == {"labs[0].test", "labs[0].value", "labs[0].collected_on"}


def test_an_unknown_test_is_the_only_problem_of_an_otherwise_readable_row() -> None:
    # clinical-rules.md 9: the unit of an unknown test cannot be judged, so only the test is reported.
    found = problems(make_case(labs=[{"test": "zinc", "value": 80, "unit": "g/L"}]))
    assert list(found) == ["labs[0].test"]


def test_labs_must_be_a_list() -> None:
    doc = make_case()
    doc["labs"] = {"test": "hba1c"}
    assert "must be a list" in problems(doc)["labs"]


def test_micro_sign_unit_is_accepted() -> None:
    case, errors, _ = validate(make_case(labs=[lab("mma", 0.3, "µmol/L")]), today=AS_OF)
    assert errors == [] and case.labs[0].unit == "umol/L"


def test_collected_on_the_case_date_is_accepted_and_the_day_after_is_not() -> None:
    assert run(make_case(labs=[lab("hba1c", 5.0, on="2026-11-21")]))
    assert "labs[0].collected_on" in problems(make_case(labs=[lab("hba1c", 5.0, on="2026-11-22")]))


def test_without_as_of_today_is_the_case_date() -> None:
    doc = make_case(labs=[lab("hba1c", 5.0, on="2026-12-01")], as_of=None)
    with pytest.raises(CaseError):
        run(doc, today=date(2026, 11, 30))
    assert run(doc, today=date(2026, 12, 1))["pattern"] == "length_dependent"


def test_as_of_in_the_case_wins_over_today() -> None:
    doc = make_case(labs=[lab("hba1c", 5.0, on="2026-12-01")], as_of=date(2026, 12, 5))
    assert run(doc, today=date(2026, 11, 1))


def test_bad_as_of_is_an_error() -> None:
    doc = make_case()
    doc["as_of"] = "yesterday"
    assert "YYYY-MM-DD" in problems(doc)["as_of"]


def test_python_values_from_the_database_are_accepted() -> None:
    doc = make_case(labs=[lab("hba1c", Decimal("6.5"), on=None) | {"collected_on": date(2026, 11, 1)}])
    doc["presentation"]["duration_weeks"] = Decimal("30")
    rec = run(doc)
    assert {c["code"]: c["certainty"] for c in rec["causes"]}["diabetes"] == "likely"


def test_nan_is_not_a_number() -> None:
    doc = make_case()
    doc["presentation"]["duration_weeks"] = float("nan")
    assert "must be a number" in problems(doc)["presentation.duration_weeks"]


# --- warnings -------------------------------------------------------------------------------------------------------


def test_unusual_lab_value_is_a_warning_with_its_path() -> None:
    rec = run(make_case(labs=[lab("fasting_glucose", 700, "mg/dL")]))
    assert rec["warnings"] == [
        "labs[0].value: 700 mg/dL is outside the usual range for fasting glucose "
        "(40 to 600 mg/dL): check the value and unit"
    ]


@pytest.mark.parametrize(("abi", "warned"), [(1.40, False), (1.41, True), (0.3, False), (0.29, True)])
def test_abi_above_1_40_or_below_0_3_is_a_warning(abi: float, warned: bool) -> None:
    rec = run(make_case(exam_update={"abi": {"left": abi}}))
    assert bool([w for w in rec["warnings"] if w.startswith("exam.abi.left")]) is warned


def test_censored_value_spanning_bands_is_a_warning_asking_for_the_exact_value() -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab("b12", "<200", "pg/mL")]))
    assert len(rec["warnings"]) == 1
    assert rec["warnings"][0].startswith("labs[1].value:") and "exact value" in rec["warnings"][0]


def test_decidable_censored_value_gives_no_banding_warning() -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab("b12", ">2000", "pg/mL")]))
    assert rec["warnings"] == []


def test_validate_returns_the_case_the_errors_and_the_warnings() -> None:
    doc = make_case(labs=[lab("fasting_glucose", 5000), lab("b12", 2500)])
    case, errors, warnings = validate(doc, today=AS_OF)
    assert errors == [Problem("labs[0].value", errors[0].message)]
    assert len(warnings) == 1 and warnings[0].startswith("labs[1].value")
    assert [x.index for x in case.labs] == [1]


def test_case_error_lists_every_problem_as_path_colon_message() -> None:
    with pytest.raises(CaseError) as caught:
        run(make_case(labs=[lab("fasting_glucose", 5000), lab("b12", 300, "mmol")]))
    assert str(caught.value).splitlines() == [str(p) for p in caught.value.problems]
    assert str(caught.value.problems[0]).startswith("labs[0].value: 5000 mg/dL")
