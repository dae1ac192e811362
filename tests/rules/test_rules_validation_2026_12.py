"""clinical-rules.md section 9 and the contract's "bad input" (2026.12): each settled point at its own path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.casebuilder import lab, make_case, problems, run, warnings_at


def test_reference_range_low_above_high_is_an_error_at_the_range() -> None:
    found = problems(make_case(labs=[lab("tsh", 2.0, reference_range={"low": 4.5, "high": 0.3})]))
    assert list(found) == ["labs[0].reference_range"]


def test_a_missing_required_key_is_named_at_its_own_path() -> None:
    doc = make_case()
    del doc["presentation"]["onset"]
    assert problems(doc) == {"presentation.onset": "is required"}


def test_sites_felt_above_sites_tested_is_named_at_sites_felt() -> None:
    mono = {"left": {"sites_tested": 4, "sites_felt": 4}, "right": {"sites_tested": 3, "sites_felt": 4}}
    assert list(problems(make_case(exam_update={"monofilament": mono}))) == ["exam.monofilament.right.sites_felt"]


@pytest.mark.parametrize(
    ("section", "key", "items", "path"),
    [
        ("presentation", "areas", ["toes", "sole", "toes"], "presentation.areas[2]"),
        ("presentation", "symptoms", ["numbness", "numbness"], "presentation.symptoms[1]"),
        ("history", "medications", ["isoniazid", "statin", "isoniazid"], "history.medications[2]"),
        ("exam", "foot_inspection", ["callus", "callus"], "exam.foot_inspection[1]"),
    ],
)
def test_a_repeated_list_item_is_named_at_the_repeat(section: str, key: str, items: list[str], path: str) -> None:
    doc = make_case()
    doc.setdefault(section, {})[key] = items
    assert list(problems(doc)) == [path]


@pytest.mark.parametrize("value", ["<200", "< 200", ">2000", "<0.5", ">  350"])
def test_censored_syntax_that_is_accepted(value: str) -> None:
    unit = "umol/L" if value == "<0.5" else "pg/mL"
    test = "mma" if value == "<0.5" else "b12"
    run(make_case(labs=[lab("hba1c", 5.0), lab(test, value, unit)]))


@pytest.mark.parametrize(
    "value", ["<200.", "<=200", "<\uff12\uff10\uff10", "<", "200<", "<+200", "<2e2", "<-5", "<<200"]
)
def test_censored_syntax_that_is_rejected(value: str) -> None:
    found = problems(make_case(labs=[lab("b12", value)]))
    assert list(found) == ["labs[0].value"]


@pytest.mark.parametrize(
    ("value", "error"),
    [(">2000", False), (">2001", True), ("<10", False), ("<9", True), ("<9.99", True)],
)
def test_a_censored_bound_is_checked_against_the_hard_limit_as_a_number(value: str, error: bool) -> None:
    doc = make_case(labs=[lab("fasting_glucose", value, "mg/dL"), lab("b12", 420)])
    if error:
        assert list(problems(doc)) == ["labs[0].value"]
    else:
        rec = run(doc)
        assert warnings_at(rec, "labs[0].value")  # the bound is outside the soft range (40-600 mg/dL)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("presentation.duration_weeks", float("nan")),
        ("presentation.duration_weeks", float("inf")),
        ("presentation.duration_weeks", 10**400),
        ("patient.age_years", float("nan")),
        ("patient.age_years", 10**400),
        ("history.alcohol_units_per_week", float("-inf")),
        ("history.chemotherapy_ended_months_ago", float("nan")),
        ("exam.abi.left", float("nan")),
        ("exam.ankle_reflex.right", 10**400),
    ],
)
def test_nan_infinity_and_huge_numbers_are_errors_at_their_own_path(path: str, value: object) -> None:
    doc = make_case(history={"chemotherapy": ["taxane"]})
    *parents, key = path.split(".")
    target: Any = doc
    for part in parents:
        target = target.setdefault(part, {})
    target[key] = value
    assert path in problems(doc)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**400])
def test_nan_infinity_and_huge_lab_values_are_errors_never_banded(value: object) -> None:
    assert list(problems(make_case(labs=[lab("hba1c", value)]))) == ["labs[0].value"]


@pytest.mark.parametrize("value", [float("nan"), 10**400])
def test_nan_and_huge_reference_limits_are_errors(value: object) -> None:
    found = problems(make_case(labs=[lab("tsh", 2.0, reference_range={"high": value})]))
    assert "labs[0].reference_range.high" in found


@pytest.mark.parametrize(("unit", "ok"), [(None, True), ("", True), ("g/L", False), ("null", False)])
def test_spep_unit_is_absent_or_empty(unit: str | None, ok: bool) -> None:
    row: dict[str, Any] = {"test": "spep", "value": "normal"}
    if unit == "null":
        row["unit"] = None
    elif unit is not None:
        row["unit"] = unit
    doc = make_case(labs=[row])
    if ok:
        run(doc)
    else:
        assert list(problems(doc)) == ["labs[0].unit"]


@pytest.mark.parametrize(("length", "ok"), [(2000, True), (2001, False)])
def test_notes_are_at_most_2000_characters(length: int, ok: bool) -> None:
    doc = make_case()
    doc["presentation"]["notes"] = "a" * length
    if ok:
        run(doc)
    else:
        assert list(problems(doc)) == ["presentation.notes"]


@pytest.mark.parametrize("value", ["yes", 1, None, "true"])
def test_notes_checked_must_be_a_boolean(value: object) -> None:
    doc = make_case()
    doc["presentation"]["notes_checked"] = value
    assert list(problems(doc)) == ["presentation.notes_checked"]


@pytest.mark.parametrize("value", [5, ["notes"]])
def test_notes_must_be_text(value: object) -> None:
    doc = make_case()
    doc["presentation"]["notes"] = value
    assert list(problems(doc)) == ["presentation.notes"]


@pytest.mark.parametrize(
    ("months", "ok"), [(0, True), (600, True), (300.5, True), (-1, False), (601, False), ("6", False)]
)
def test_chemotherapy_ended_months_ago_is_0_to_600(months: object, ok: bool) -> None:
    doc = make_case(history={"chemotherapy": ["taxane"], "chemotherapy_ended_months_ago": months})
    if ok:
        run(doc)
    else:
        assert list(problems(doc)) == ["history.chemotherapy_ended_months_ago"]


@pytest.mark.parametrize(
    "history", [{"chemotherapy_ended_months_ago": 3}, {"chemotherapy": [], "chemotherapy_ended_months_ago": 3}]
)
def test_chemotherapy_ended_months_ago_without_an_agent_is_an_error(history: dict[str, Any]) -> None:
    assert list(problems(make_case(history=history))) == ["history.chemotherapy_ended_months_ago"]


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (["ulcer", "blister"], "exam.foot_inspection[1]"),
        (["Ulcer"], "exam.foot_inspection[0]"),
        ("ulcer", "exam.foot_inspection"),
        ({"ulcer": True}, "exam.foot_inspection"),
    ],
)
def test_foot_inspection_is_a_list_of_known_findings(value: object, path: str) -> None:
    assert path in problems(make_case(exam_update={"foot_inspection": value}))


@pytest.mark.parametrize(
    ("old", "new_found", "referred"), [("normal", [], False), ("ulcer_or_infection", ["ulcer"], True)]
)
def test_foot_inspection_2026_11_strings_are_read_with_a_warning(
    old: str, new_found: list[str], referred: bool
) -> None:
    rec = run(make_case(exam_update={"foot_inspection": old}, labs=[lab("hba1c", 5.0), lab("b12", 420)]))
    [warning] = warnings_at(rec, "exam.foot_inspection")
    assert repr(old) in warning and str(new_found) in warning
    assert ("refer_diabetic_foot_service" in [s["code"] for s in rec["next_steps"]]) is referred


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("patient", "pregnant", "yes"),
        ("history", "family_history_neuropathy", 1),
        ("history", "medications", ["aspirin"]),
        ("history", "foot_history", ["previous_fracture"]),
        ("presentation", "symptoms", ["stabbing"]),
    ],
)
def test_new_fields_reject_what_they_cannot_hold(section: str, key: str, value: object) -> None:
    doc = make_case()
    doc.setdefault(section, {})[key] = value
    found = problems(doc)
    assert any(p.startswith(f"{section}.{key}") for p in found), found


@pytest.mark.parametrize("test", ["vitamin_b6", "copper", "calcium_adjusted", "magnesium"])
def test_new_lab_tests_reject_a_unit_from_another_test(test: str) -> None:
    assert list(problems(make_case(labs=[lab(test, 1.0, "pg/mL")]))) == ["labs[0].unit"]
