"""Lab banding in the reported unit, censored values, plausibility limits, display conversions and LOINC codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workup.rules import UNITS, band, check_lab_value, convert_for_display, loinc_for
from workup.rules.thresholds import PLAUSIBLE, SCALES

BOUNDARIES = [
    # HbA1c (ADA): 5.7 and 6.5 %, 39 and 48 mmol/mol
    ("hba1c", "%", 5.6, "normal"),
    ("hba1c", "%", 5.7, "prediabetes"),
    ("hba1c", "%", 6.4, "prediabetes"),
    ("hba1c", "%", 6.45, "prediabetes"),
    ("hba1c", "%", 6.5, "diabetes"),
    ("hba1c", "mmol/mol", 38, "normal"),
    ("hba1c", "mmol/mol", 39, "prediabetes"),
    ("hba1c", "mmol/mol", 47, "prediabetes"),
    ("hba1c", "mmol/mol", 48, "diabetes"),
    # Fasting glucose: 100/126 mg/dL, 5.6/7.0 mmol/L (126 mg/dL = 6.99 mmol/L: never convert before comparing)
    ("fasting_glucose", "mg/dL", 99, "normal"),
    ("fasting_glucose", "mg/dL", 100, "prediabetes"),
    ("fasting_glucose", "mg/dL", 125, "prediabetes"),
    ("fasting_glucose", "mg/dL", 125.5, "prediabetes"),
    ("fasting_glucose", "mg/dL", 126, "diabetes"),
    ("fasting_glucose", "mmol/L", 5.5, "normal"),
    ("fasting_glucose", "mmol/L", 5.6, "prediabetes"),
    ("fasting_glucose", "mmol/L", 6.9, "prediabetes"),
    ("fasting_glucose", "mmol/L", 6.95, "prediabetes"),
    ("fasting_glucose", "mmol/L", 7.0, "diabetes"),
    # OGTT 2 h: 140/200 mg/dL, 7.8/11.1 mmol/L
    ("ogtt_2h", "mg/dL", 139, "normal"),
    ("ogtt_2h", "mg/dL", 140, "prediabetes"),
    ("ogtt_2h", "mg/dL", 199, "prediabetes"),
    ("ogtt_2h", "mg/dL", 200, "diabetes"),
    ("ogtt_2h", "mmol/L", 7.7, "normal"),
    ("ogtt_2h", "mmol/L", 7.8, "prediabetes"),
    ("ogtt_2h", "mmol/L", 11.0, "prediabetes"),
    ("ogtt_2h", "mmol/L", 11.1, "diabetes"),
    # Random glucose: only the diabetes line means anything
    ("random_glucose", "mg/dL", 199, "below_diabetes_range"),
    ("random_glucose", "mg/dL", 200, "diabetes"),
    ("random_glucose", "mmol/L", 11.0, "below_diabetes_range"),
    ("random_glucose", "mmol/L", 11.1, "diabetes"),
    # B12 (NICE NG239): <180 deficient, 180-350 indeterminate, >350 normal (ng/L = pg/mL); 133/258 pmol/L
    ("b12", "pg/mL", 179, "deficient"),
    ("b12", "pg/mL", 180, "indeterminate"),
    ("b12", "pg/mL", 350, "indeterminate"),
    ("b12", "pg/mL", 351, "normal"),
    ("b12", "ng/L", 179, "deficient"),
    ("b12", "ng/L", 180, "indeterminate"),
    ("b12", "ng/L", 350, "indeterminate"),
    ("b12", "ng/L", 351, "normal"),
    ("b12", "pmol/L", 132, "deficient"),
    ("b12", "pmol/L", 133, "indeterminate"),
    ("b12", "pmol/L", 258, "indeterminate"),
    ("b12", "pmol/L", 259, "normal"),
    ("active_b12", "pmol/L", 24, "deficient"),
    ("active_b12", "pmol/L", 25, "indeterminate"),
    ("active_b12", "pmol/L", 70, "indeterminate"),
    ("active_b12", "pmol/L", 71, "normal"),
    # Default lab limits where the result carries no reference range
    ("mma", "umol/L", 0.40, "normal"),
    ("mma", "umol/L", 0.41, "raised"),
    ("mma", "nmol/L", 400, "normal"),
    ("mma", "nmol/L", 401, "raised"),
    ("homocysteine", "umol/L", 15, "normal"),
    ("homocysteine", "umol/L", 15.1, "raised"),
    ("folate", "ng/mL", 4.0, "normal"),
    ("folate", "ng/mL", 3.9, "low"),
    ("folate", "ug/L", 4.0, "normal"),
    ("folate", "ug/L", 3.9, "low"),
    ("folate", "nmol/L", 9.1, "normal"),
    ("folate", "nmol/L", 9.0, "low"),
    ("tsh", "mIU/L", 4.5, "normal"),
    ("tsh", "mIU/L", 4.6, "raised"),
    ("tsh", "uIU/mL", 4.5, "normal"),
    ("tsh", "uIU/mL", 4.6, "raised"),
    ("egfr", "mL/min/1.73m2", 29, "severely_reduced"),
    ("egfr", "mL/min/1.73m2", 29.9, "severely_reduced"),
    ("egfr", "mL/min/1.73m2", 30, "reduced"),
    ("egfr", "mL/min/1.73m2", 59, "reduced"),
    ("egfr", "mL/min/1.73m2", 59.9, "reduced"),
    ("egfr", "mL/min/1.73m2", 60, "normal"),
]


@pytest.mark.parametrize(("test", "unit", "value", "expected"), BOUNDARIES)
def test_each_boundary_is_banded_in_the_reported_unit(test: str, unit: str, value: float, expected: str) -> None:
    assert band(test, value, unit) == expected


def test_hba1c_6_4_percent_is_prediabetes() -> None:
    assert band("hba1c", 6.4, "%") == "prediabetes"


def test_fasting_glucose_126_mg_dl_is_diabetes_although_it_converts_to_6_99_mmol_l() -> None:
    assert band("fasting_glucose", 126, "mg/dL") == "diabetes"
    assert band("fasting_glucose", 6.99, "mmol/L") == "prediabetes"


@pytest.mark.parametrize("value", [7, Decimal("7.0"), 7.0])
def test_decimal_and_int_values_band_like_floats(value: object) -> None:
    assert band("fasting_glucose", value, "mmol/L") == "diabetes"


def test_micro_sign_spelling_is_the_same_unit() -> None:
    assert band("mma", 0.5, "µmol/L") == "raised"


@pytest.mark.parametrize(
    ("test", "unit", "value", "reference_range", "expected"),
    [
        ("mma", "nmol/L", 280, {"low": 73, "high": 271}, "raised"),
        ("mma", "nmol/L", 271, {"low": 73, "high": 271}, "normal"),
        ("homocysteine", "umol/L", 14, {"low": 5, "high": 13.9}, "raised"),
        ("folate", "ng/mL", 5.8, {"low": 5.9, "high": 24}, "low"),
        ("folate", "ng/mL", 5.9, {"low": 5.9}, "normal"),
        ("tsh", "mIU/L", 4.3, {"low": 0.3, "high": 4.2}, "raised"),
        ("tsh", "mIU/L", 4.3, {"low": 0.3}, "normal"),  # no upper limit given: the default 4.5 stands
    ],
)
def test_the_labs_own_limit_replaces_the_default(
    test: str, unit: str, value: float, reference_range: dict[str, float], expected: str
) -> None:
    assert band(test, value, unit, reference_range) == expected


@pytest.mark.parametrize(
    ("test", "unit", "value", "reference_range", "expected"),
    [
        ("hba1c", "%", 6.2, {"low": 4.0, "high": 6.0}, "prediabetes"),
        ("b12", "pg/mL", 200, {"low": 145, "high": 914}, "indeterminate"),
        ("fasting_glucose", "mg/dL", 105, {"low": 70, "high": 110}, "prediabetes"),
    ],
)
def test_decision_thresholds_ignore_the_labs_reference_range(
    test: str, unit: str, value: float, reference_range: dict[str, float], expected: str
) -> None:
    assert band(test, value, unit, reference_range) == expected


@pytest.mark.parametrize(
    ("test", "unit", "value", "expected"),
    [
        ("b12", "pg/mL", ">2000", "normal"),
        ("b12", "pg/mL", ">350", "normal"),
        ("b12", "pg/mL", "<100", "deficient"),
        ("b12", "pg/mL", "<180", "deficient"),
        ("b12", "pg/mL", "<200", "indeterminate"),  # spans deficient and indeterminate: middle band
        ("b12", "pg/mL", "<400", "indeterminate"),  # spans all three
        ("b12", "pg/mL", ">300", "indeterminate"),
        ("hba1c", "%", "<7.0", "prediabetes"),
        ("hba1c", "%", "<5.0", "normal"),
        ("hba1c", "%", "<6.5", "prediabetes"),
        ("fasting_glucose", "mg/dL", ">130", "diabetes"),
        ("fasting_glucose", "mg/dL", ">120", "prediabetes"),
        ("tsh", "mIU/L", "<5", "normal"),  # no middle band: counts as not abnormal
        ("tsh", "mIU/L", ">4.5", "raised"),
        ("egfr", "mL/min/1.73m2", ">90", "normal"),
        ("egfr", "mL/min/1.73m2", ">60", "normal"),
        ("egfr", "mL/min/1.73m2", "<40", "reduced"),  # spans severely reduced and reduced: the middle band
        ("egfr", "mL/min/1.73m2", "<70", "reduced"),  # spans all three
        ("egfr", "mL/min/1.73m2", ">40", "reduced"),  # spans reduced and normal
        ("egfr", "mL/min/1.73m2", "<15", "severely_reduced"),
        ("mma", "umol/L", ">0.5", "raised"),
        ("random_glucose", "mg/dL", "<250", "below_diabetes_range"),
        ("active_b12", "pmol/L", "< 20", "deficient"),
    ],
)
def test_censored_value_takes_the_band_of_its_whole_range_or_the_middle(
    test: str, unit: str, value: str, expected: str
) -> None:
    assert band(test, value, unit) == expected


def test_spep_is_banded_by_its_text() -> None:
    assert band("spep", "paraprotein", "") == "paraprotein"
    assert band("spep", "normal", "") == "normal"


@pytest.mark.parametrize(
    ("test", "value", "unit"), [("b12", "<=200", "pg/mL"), ("hba1c", 6.0, "mmol"), ("nope", 1, "%"), ("spep", 1, "")]
)
def test_band_refuses_what_it_cannot_read(test: str, value: object, unit: str) -> None:
    with pytest.raises(ValueError):
        band(test, value, unit)


def test_another_b12_profile_can_be_chosen_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from workup.rules import thresholds

    bath = {
        ("b12", "ng/L"): thresholds._scale(thresholds.B12_BANDS, "ng/L", "RUH Bath", (145, True), (180, True)),
    }
    monkeypatch.setitem(thresholds.B12_PROFILES, "ruh_bath", bath)
    assert band("b12", 170, "ng/L", b12_profile="ruh_bath") == "indeterminate"
    assert band("b12", 170, "ng/L") == "deficient"


# --- plausibility --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "unit", "value"),
    [
        ("fasting_glucose", "mg/dL", 5000),
        ("fasting_glucose", "mg/dL", 9),
        ("fasting_glucose", "mg/dL", 2001),
        ("fasting_glucose", "mmol/L", 0.4),
        ("fasting_glucose", "mmol/L", 112),
        ("ogtt_2h", "mmol/L", 120),
        ("random_glucose", "mg/dL", 0),
        ("hba1c", "%", 2.9),
        ("hba1c", "%", 48),  # mmol/mol entered as %
        ("hba1c", "mmol/mol", 196),
        ("b12", "pg/mL", 19),
        ("b12", "ng/L", 20001),
        ("b12", "pmol/L", 14),
        ("active_b12", "pmol/L", 1001),
        ("mma", "umol/L", 0.009),
        ("mma", "nmol/L", 9),  # 0.01 umol/L converted
        ("homocysteine", "umol/L", 501),
        ("folate", "ng/mL", 101),
        ("folate", "nmol/L", 227),  # 100 ng/mL converted is 226.6
        ("tsh", "uIU/mL", 1001),
        ("egfr", "mL/min/1.73m2", 0.5),
    ],
)
def test_impossible_values_are_errors_in_every_unit(test: str, unit: str, value: float) -> None:
    errors, warnings = check_lab_value(test, value, unit)
    assert len(errors) == 1 and "is not a possible" in errors[0]
    assert warnings == []


@pytest.mark.parametrize(
    ("test", "unit", "value"),
    [
        ("fasting_glucose", "mg/dL", 10),
        ("fasting_glucose", "mg/dL", 39),
        ("fasting_glucose", "mg/dL", 700),
        ("fasting_glucose", "mmol/L", 2.1),
        ("fasting_glucose", "mmol/L", 40),
        ("hba1c", "%", 16),
        ("hba1c", "mmol/mol", 19),
        ("b12", "pg/mL", 2500),
        ("b12", "pmol/L", 1500),
        ("active_b12", "pmol/L", 250),
        ("mma", "nmol/L", 6000),
        ("folate", "nmol/L", 60),
        ("tsh", "mIU/L", 0.05),
        ("egfr", "mL/min/1.73m2", 10),
    ],
)
def test_unusual_values_are_accepted_with_a_warning(test: str, unit: str, value: float) -> None:
    errors, warnings = check_lab_value(test, value, unit)
    assert errors == []
    assert len(warnings) == 1 and "check the value and unit" in warnings[0]


@pytest.mark.parametrize(
    ("test", "unit", "value"),
    [("fasting_glucose", "mg/dL", 40), ("fasting_glucose", "mg/dL", 600), ("b12", "pmol/L", 74)],
)
def test_soft_limits_themselves_are_usual(test: str, unit: str, value: float) -> None:
    assert check_lab_value(test, value, unit) == ([], [])


def test_impossible_glucose_message_is_in_clinician_words() -> None:
    errors, _ = check_lab_value("fasting_glucose", 5000, "mg/dL")
    assert errors[0].startswith("5000 mg/dL is not a possible fasting glucose")


@pytest.mark.parametrize(
    ("test", "value", "unit", "words"),
    [
        ("fasting_glucose", 6.0, "mmol", "not a unit for fasting glucose"),
        ("fasting_glucose", 6.0, "", "a unit is required"),
        ("spep", "normal", "g/L", "takes no unit"),
        ("spep", "abnormal", "", "'normal' or 'paraprotein'"),
        ("b12", "<=200", "pg/mL", "is not a number"),
        ("b12", True, "pg/mL", "must be a number, not true"),
        ("tsh", float("nan"), "mIU/L", "not a finite number"),
        ("hba1c", None, "%", "must be a number, not null"),
    ],
)
def test_check_lab_value_explains_unreadable_input(test: str, value: object, unit: str, words: str) -> None:
    errors, _ = check_lab_value(test, value, unit)
    assert any(words in e for e in errors), errors


def test_converted_plausibility_rows_use_the_same_quantities() -> None:
    assert PLAUSIBLE[("mma", "nmol/L")].hard_low == pytest.approx(10)
    assert PLAUSIBLE[("folate", "nmol/L")].soft_high == pytest.approx(24 * 2.266)
    assert PLAUSIBLE[("b12", "pmol/L")].soft_low == 74  # its own row in clinical-reference 2.10


# No LOINC code was verified for these (clinical-reference.md 4.1): left out on purpose rather than guessed.
WITHOUT_LOINC = {"vitamin_b6", "calcium_adjusted", "magnesium"}


def test_every_accepted_unit_has_plausibility_limits_and_a_loinc_code_except_the_unverified_three() -> None:
    missing = set()
    for test, units in UNITS.items():
        for unit in units:
            assert (test, unit) in PLAUSIBLE
            if not loinc_for(test, unit):
                missing.add(test)
    assert missing == WITHOUT_LOINC


def test_every_threshold_carries_unit_source_and_ruleset() -> None:
    for (_, unit), scale in SCALES.items():
        for edge in scale.edges:
            assert edge.threshold.unit == unit and edge.threshold.source and edge.threshold.ruleset == "2026.12"


# --- display conversions and codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "value", "unit", "expected"),
    [
        ("fasting_glucose", 7.0, "mmol/L", [(126, "mg/dL")]),
        ("fasting_glucose", 126, "mg/dL", [(7.0, "mmol/L")]),
        ("b12", 300, "pg/mL", [(300, "ng/L"), (221, "pmol/L")]),
        ("b12", Decimal("133"), "pmol/L", [(180, "ng/L"), (180, "pg/mL")]),
        ("hba1c", 6.5, "%", [(48, "mmol/mol")]),
        ("hba1c", 53, "mmol/mol", [(7.0, "%")]),
        ("mma", 0.4, "umol/L", [(400, "nmol/L")]),
        ("folate", 4.0, "ng/mL", [(4.0, "ug/L"), (9.1, "nmol/L")]),
        ("tsh", 2.5, "µIU/mL", [(2.5, "mIU/L")]),
        ("egfr", 45, "mL/min/1.73m2", []),
        ("spep", 1, "", []),
    ],
)
def test_convert_for_display_gives_the_other_units_rounded(
    test: str, value: float, unit: str, expected: list[tuple[float, str]]
) -> None:
    assert convert_for_display(test, value, unit) == expected


def test_display_rounding_gives_whole_numbers_as_int() -> None:
    [(value, _)] = convert_for_display("fasting_glucose", 7.0, "mmol/L")
    assert isinstance(value, int)


@pytest.mark.parametrize(
    ("test", "unit", "code"),
    [
        ("fasting_glucose", "mg/dL", "1558-6"),
        ("fasting_glucose", "mmol/L", "14771-0"),
        ("random_glucose", "mg/dL", "2345-7"),
        ("ogtt_2h", "mmol/L", "14995-5"),
        ("hba1c", "%", "4548-4"),
        ("hba1c", "mmol/mol", "59261-8"),
        ("b12", "ng/L", "2132-9"),
        ("b12", "pmol/L", "14685-2"),
        ("mma", "nmol/L", "13964-2"),
        ("homocysteine", "µmol/L", "13965-9"),
        ("folate", "nmol/L", "14732-2"),
        ("tsh", "uIU/mL", "3016-3"),
        ("egfr", "mL/min/1.73m2", "98979-8"),
        ("spep", "", "49275-1"),
    ],
)
def test_loinc_codes_follow_the_test_and_unit(test: str, unit: str, code: str) -> None:
    assert loinc_for(test, unit) == code


def test_loinc_for_an_unknown_pair_is_empty() -> None:
    assert loinc_for("hba1c", "mg/dL") == ""
