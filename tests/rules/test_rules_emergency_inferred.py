"""Section 3 (2026.12): emergencies inferred from the findings (E6, E7, E8), the onset conditions of E1 and E5, and
red flags read leniently (3.1) so that a synonym or a typo never hides an emergency, whatever else is invalid."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.casebuilder import assert_emergency, causes, codes, lab, make_case, problems, run, warnings_at

WEAK_BOTH = {"power_ankle_dorsiflexion": {"left": 4, "right": 4}}
WEAK_LEFT = {"power_ankle_dorsiflexion": {"left": 4, "right": 5}, "power_ankle_plantarflexion": {"left": 5, "right": 5}}


def _emergency_rules(rec: dict[str, Any]) -> list[str]:
    return rec["next_steps"][0]["rules"] if codes(rec) == ["emergency_care"] else []


# --- E6: rapidly progressive symmetrical weakness (GBS) -----------------------------------------------------------


@pytest.mark.parametrize(("weeks", "fires"), [(0, True), (3.9, True), (3.99, True), (4.0, False), (6, False)])
def test_e6_reported_weakness_worsening_in_both_feet_under_4_weeks(weeks: float, fires: bool) -> None:
    rec = run(make_case(course="worsening", duration=weeks, symptoms=("numbness", "weakness")))
    assert ("E6" in _emergency_rules(rec)) is fires
    if fires:
        assert_emergency(rec, "guillain_barre")
    else:
        assert rec["stage"] != "emergency"


@pytest.mark.parametrize(("weeks", "fires"), [(3.9, True), (4.0, False)])
def test_e6_weakness_on_examination_counts_without_the_symptom_being_ticked(weeks: float, fires: bool) -> None:
    rec = run(make_case(course="worsening", duration=weeks, exam_update=WEAK_BOTH))
    assert ("E6" in _emergency_rules(rec)) is fires


@pytest.mark.parametrize(("weeks", "fires"), [(0.5, True), (0.9, True), (1.0, False), (2, False)])
def test_e6_imbalance_worsening_in_both_feet_under_1_week(weeks: float, fires: bool) -> None:
    rec = run(make_case(course="worsening", duration=weeks, symptoms=("numbness", "imbalance")))
    assert ("E6" in _emergency_rules(rec)) is fires
    if fires:
        assert_emergency(rec, "guillain_barre")


@pytest.mark.parametrize(
    ("course", "sides", "areas"),
    [
        ("stable", "both", ("toes",)),
        ("improving", "both", ("toes",)),
        ("relapsing", "both", ("toes",)),
        ("worsening", "left", ("toes",)),
        ("worsening", "right", ("sole",)),
    ],
)
def test_e6_needs_a_worsening_course_in_both_feet(course: str, sides: str, areas: tuple[str, ...]) -> None:
    rec = run(make_case(course=course, sides=sides, areas=areas, duration=1, symptoms=("weakness", "imbalance")))
    assert "E6" not in _emergency_rules(rec)


def test_e6_without_weakness_or_imbalance_is_not_an_emergency() -> None:
    rec = run(make_case(course="worsening", duration=0.5, symptoms=("numbness", "tingling")))
    assert rec["stage"] != "emergency"


# --- E7: bilateral deficit with leg pain (cauda equina) ---------------------------------------------------------------


@pytest.mark.parametrize(("weeks", "fires"), [(0.5, True), (1.9, True), (1.99, True), (2.0, False), (3, False)])
def test_e7_leg_pain_with_weakness_in_both_legs_under_2_weeks(weeks: float, fires: bool) -> None:
    rec = run(make_case(duration=weeks, symptoms=("radiating_leg_pain",), exam_update=WEAK_BOTH))
    assert ("E7" in _emergency_rules(rec)) is fires
    if fires:
        assert_emergency(rec, "cauda_equina")
        assert "cauda equina" in rec["next_steps"][0]["text"].lower()
        assert "stroke" not in rec["next_steps"][0]["text"].lower()


def test_e7_weakness_of_different_movements_on_each_side_is_bilateral() -> None:
    exam = {"power_ankle_dorsiflexion": {"left": 4, "right": 5}, "power_ankle_plantarflexion": {"left": 5, "right": 3}}
    rec = run(make_case(duration=1, symptoms=("radiating_leg_pain",), exam_update=exam))
    assert "E7" in _emergency_rules(rec)


def test_e7_one_sided_weakness_is_not_a_bilateral_deficit() -> None:
    rec = run(make_case(duration=1, symptoms=("radiating_leg_pain",), exam_update=WEAK_LEFT))
    assert rec["stage"] != "emergency"
    assert step_rules(rec, "refer_spinal") == ["U6"]


def test_e7_reported_weakness_alone_is_not_a_deficit_on_examination() -> None:
    rec = run(make_case(duration=1, symptoms=("radiating_leg_pain", "weakness")))
    assert rec["stage"] != "emergency"


def test_e7_needs_leg_pain_and_both_sides() -> None:
    assert run(make_case(duration=1, symptoms=("numbness",), exam_update=WEAK_BOTH))["stage"] != "emergency"
    rec = run(make_case(sides="left", duration=1, symptoms=("radiating_leg_pain",), exam_update=WEAK_BOTH))
    assert rec["stage"] != "emergency"


def step_rules(rec: dict[str, Any], code: str) -> list[str]:
    return next(s["rules"] for s in rec["next_steps"] if s["code"] == code)


# --- E8: limb-threatening foot --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("found", "exam", "fires"),
    [
        (["gangrene"], {}, True),
        (["deep_infection"], {}, True),
        (["ulcer", "fever_or_sepsis"], {}, True),
        (["spreading_infection", "fever_or_sepsis"], {}, True),
        (["fever_or_sepsis"], {}, False),
        (["ulcer"], {}, False),
        (["spreading_infection"], {}, False),
        (["ulcer"], {"pedal_pulses": {"left": "absent", "right": "present"}}, True),
        (["ulcer"], {"pedal_pulses": {"left": "present", "right": "absent"}}, True),
        (["ulcer"], {"pedal_pulses": {"left": "reduced", "right": "reduced"}}, False),
        (["ulcer"], {"abi": {"left": 0.89, "right": 1.1}}, True),
        (["ulcer"], {"abi": {"left": 0.90, "right": 1.1}}, False),
        (["ulcer"], {"abi": {"left": 1.41, "right": 1.1}}, False),  # non-compressible: says nothing
        (["ulcer"], {"abi": {"left": 1.41, "right": 1.5}}, False),
        (["spreading_infection"], {"pedal_pulses": {"left": "absent", "right": "absent"}}, False),
        (["callus", "deformity"], {}, False),
        ([], {"pedal_pulses": {"left": "absent", "right": "absent"}}, False),
    ],
)
def test_e8_limb_threatening_foot_on_each_combination(found: list[str], exam: dict[str, Any], fires: bool) -> None:
    rec = run(make_case(exam_update={"foot_inspection": found, **exam}))
    assert ("E8" in _emergency_rules(rec)) is fires
    if fires:
        assert_emergency(rec, "limb_threatening_foot")
    else:
        assert rec["stage"] != "emergency"


# --- E1 and E5: the onset conditions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "cause", "rule"),
    [
        ({"red_flags": ("saddle_numbness",)}, "cauda_equina", "E4"),
        ({"red_flags": ("rapidly_progressive_weakness",)}, "guillain_barre", "E2"),
        ({"course": "worsening", "symptoms": ("weakness",)}, "guillain_barre", "E6"),
        ({"symptoms": ("radiating_leg_pain",), "exam_update": WEAK_BOTH}, "cauda_equina", "E7"),
        ({"exam_update": {"foot_inspection": ["gangrene"]}}, "limb_threatening_foot", "E8"),
    ],
)
def test_e1_sudden_onset_names_stroke_only_when_no_other_emergency_rule_fires(
    extra: dict[str, Any], cause: str, rule: str
) -> None:
    rec = run(make_case(onset="sudden", duration=0.5, **extra))
    assert_emergency(rec, cause)
    assert _emergency_rules(rec) == [rule]
    assert "stroke" not in rec["next_steps"][0]["text"].lower()


def test_e1_red_flag_still_names_stroke_beside_another_emergency() -> None:
    rec = run(make_case(onset="sudden", duration=0.5, red_flags=("sudden_severe_numbness", "saddle_numbness")))
    assert causes(rec) == {"stroke": "possible", "cauda_equina": "possible"}


def test_e1_sudden_onset_alone_is_stroke() -> None:
    rec = run(make_case(onset="sudden", duration=0.5))
    assert_emergency(rec, "stroke")
    assert _emergency_rules(rec) == ["E1"]


@pytest.mark.parametrize(
    ("sides", "pulses", "cause"),
    [
        ("left", {"left": "absent", "right": "present"}, "acute_limb_ischaemia"),
        ("right", {"left": "present", "right": "absent"}, "acute_limb_ischaemia"),
        ("both", {"left": "present", "right": "absent"}, "acute_limb_ischaemia"),
        ("left", {"left": "present", "right": "absent"}, "stroke"),  # absent on the side without symptoms
        ("left", {"left": "reduced", "right": "present"}, "stroke"),
    ],
)
def test_e5_sudden_onset_with_absent_pulses_on_a_numb_side_is_limb_ischaemia(
    sides: str, pulses: dict[str, str], cause: str
) -> None:
    rec = run(make_case(onset="sudden", duration=0.5, sides=sides, exam_update={"pedal_pulses": pulses}))
    assert_emergency(rec, cause)
    assert _emergency_rules(rec) == (["E5"] if cause == "acute_limb_ischaemia" else ["E1"])


def test_e5_onset_condition_needs_under_a_week() -> None:
    rec = run(make_case(onset="sudden", duration=1, sides="left", exam_update={"pedal_pulses": {"left": "absent"}}))
    assert rec["stage"] != "emergency"


# --- 3.1: inferred emergencies on whatever could be read --------------------------------------------------------------


def _break_other_fields(doc: dict[str, Any]) -> dict[str, Any]:
    doc["labs"] = [lab("fasting_glucose", 5000)]
    doc["exam"]["ankle_reflexes"] = {"left": 0}
    doc["patient"]["age_years"] = "sixty"
    return doc


@pytest.mark.parametrize(
    ("kwargs", "cause"),
    [
        ({"course": "worsening", "duration": 2, "symptoms": ("weakness",)}, "guillain_barre"),
        ({"duration": 1, "symptoms": ("radiating_leg_pain",), "exam_update": WEAK_BOTH}, "cauda_equina"),
        ({"exam_update": {"foot_inspection": ["deep_infection"]}}, "limb_threatening_foot"),
    ],
)
def test_inferred_emergencies_hold_whatever_else_is_invalid(kwargs: dict[str, Any], cause: str) -> None:
    rec = run(_break_other_fields(make_case(**kwargs)))
    assert_emergency(rec, cause)
    for path in ("labs[0].value", "exam", "patient.age_years"):
        assert warnings_at(rec, path), (path, rec["warnings"])


def test_a_misspelt_course_still_reads_as_worsening_for_e6() -> None:
    doc = make_case(duration=2, symptoms=("weakness",))
    doc["presentation"]["course"] = "Worsening"
    rec = run(doc)
    assert_emergency(rec, "guillain_barre")
    assert warnings_at(rec, "presentation.course")


# --- 3.1: synonyms and misspellings of every red flag -----------------------------------------------------------------

# clinical-rules.md 3.1, typed here from the specification (not read from the engine's vocabulary).
SYNONYMS = {
    "saddle_numbness": ["saddle anaesthesia", "saddle anesthesia", "perineal numbness", "perianal numbness"],
    "bladder_or_bowel_dysfunction": [
        "urinary retention",
        "urinary incontinence",
        "faecal incontinence",
        "fecal incontinence",
        "bowel incontinence",
        "loss of bladder control",
        "loss of bowel control",
    ],
    "breathing_or_swallowing_difficulty": [
        "difficulty breathing",
        "shortness of breath",
        "difficulty swallowing",
        "dysphagia",
    ],
    "face_arm_speech_symptoms": ["facial droop", "slurred speech", "arm weakness"],
    "rapidly_progressive_weakness": ["rapid weakness", "rapidly spreading weakness", "ascending weakness"],
    "sudden_severe_numbness": ["sudden numbness"],
    "cold_pale_pulseless_foot": ["cold foot", "pulseless foot", "white foot"],
}
FLAG_CAUSE = {
    "saddle_numbness": "cauda_equina",
    "bladder_or_bowel_dysfunction": "cauda_equina",
    "breathing_or_swallowing_difficulty": "guillain_barre",
    "face_arm_speech_symptoms": "stroke",
    "rapidly_progressive_weakness": "guillain_barre",
    "sudden_severe_numbness": "stroke",
    "cold_pale_pulseless_foot": "acute_limb_ischaemia",
}


def _misspell(code: str) -> str:
    words = code.replace("_", " ")
    middle = len(words) // 2
    return words[:middle] + words[middle + 1 :]  # one letter (or space) dropped from the middle


READINGS = [(synonym, code) for code, synonyms in SYNONYMS.items() for synonym in synonyms]
READINGS += [
    (synonym.upper().replace(" ", "-"), code) for code, synonyms in SYNONYMS.items() for synonym in synonyms[:1]
]
READINGS += [(_misspell(code), code) for code in SYNONYMS]
READINGS += [(_misspell(synonym), code) for code, synonyms in SYNONYMS.items() for synonym in synonyms[:1]]


@pytest.mark.parametrize(("written", "code"), READINGS)
def test_each_synonym_and_misspelling_gives_the_emergency_with_a_warning_even_when_the_case_is_invalid(
    written: str, code: str
) -> None:
    rec = run(_break_other_fields(make_case(red_flags=(written,))))
    assert_emergency(rec, FLAG_CAUSE[code])
    [warning] = warnings_at(rec, "presentation.red_flags[0]")
    assert repr(written) in warning and repr(code) in warning, warning


def test_every_flag_code_has_a_synonym_row() -> None:
    from workup.rules.vocab import RED_FLAGS

    assert set(SYNONYMS) == {code for code, _ in RED_FLAGS}


def test_an_exact_code_gives_no_reading_warning() -> None:
    rec = run(make_case(red_flags=("saddle_numbness",)))
    assert warnings_at(rec, "presentation.red_flags[0]") == []


def test_an_unknown_red_flag_alone_is_an_error_at_its_own_path() -> None:
    found = problems(make_case(red_flags=("chest_pain", "headache")))
    assert "unknown red flag 'headache'" in found["presentation.red_flags[1]"]
    assert "unknown red flag 'chest_pain'" in found["presentation.red_flags[0]"]
    assert "presentation.red_flags" not in found


def test_an_unknown_entry_beside_a_synonym_is_a_warning_and_the_emergency_stands() -> None:
    rec = run(make_case(red_flags=("perineal numbness", "headache")))
    assert_emergency(rec, "cauda_equina")
    assert any("headache" in w for w in warnings_at(rec, "presentation.red_flags[1]"))


def test_a_bare_string_synonym_is_read_as_a_list_of_one() -> None:
    doc = make_case()
    doc["presentation"]["red_flags"] = "urinary retention"
    rec = run(doc)
    assert_emergency(rec, "cauda_equina")
    assert any("list of one" in w for w in warnings_at(rec, "presentation.red_flags"))


def test_a_word_that_is_not_close_to_any_flag_is_not_read_as_one() -> None:
    # 'numbness' alone is far from every code and synonym: no emergency, an error.
    assert "presentation.red_flags[0]" in problems(make_case(red_flags=("numbness",)))
