"""Section 3: red flags stop the workflow, read before anything else so a typo can never hide an emergency."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.casebuilder import causes, codes, lab, make_case, problems, run

RED_FLAG_RULES = [
    ("sudden_severe_numbness", "E1", "stroke"),
    ("face_arm_speech_symptoms", "E1", "stroke"),
    ("rapidly_progressive_weakness", "E2", "guillain_barre"),
    ("breathing_or_swallowing_difficulty", "E3", "guillain_barre"),
    ("bladder_or_bowel_dysfunction", "E4", "cauda_equina"),
    ("saddle_numbness", "E4", "cauda_equina"),
    ("cold_pale_pulseless_foot", "E5", "acute_limb_ischaemia"),
]


def assert_emergency(rec: dict[str, Any]) -> None:
    assert rec["urgency"] == "emergency" and rec["stage"] == "emergency"
    assert codes(rec) == ["emergency_care"]
    [ref] = rec["referrals"]
    assert ref["service"] == "emergency_department" and ref["urgency"] == "emergency"
    assert ref["requests"] == ["assessment"]
    assert rec["next_steps"][0]["urgency"] == "emergency"
    assert all(c["certainty"] == "possible" for c in rec["causes"])


@pytest.mark.parametrize(("flag", "rule", "cause"), RED_FLAG_RULES)
def test_each_red_flag_sends_the_patient_to_the_emergency_department(flag: str, rule: str, cause: str) -> None:
    rec = run(make_case(red_flags=(flag,)))
    assert_emergency(rec)
    assert causes(rec) == {cause: "possible"}
    assert rec["next_steps"][0]["rules"] == [rule]
    assert rec["causes"][0]["rules"] == [rule]


def test_nothing_else_is_suggested_in_an_emergency() -> None:
    doc = make_case(
        red_flags=("saddle_numbness",),
        symptoms=("burning",),
        history={"diabetes": "known"},
        exam_update={"ankle_reflex": {"left": 4, "right": 4}},
        labs=[lab("b12", 100)],
    )
    rec = run(doc)
    assert_emergency(rec)
    assert causes(rec) == {"cauda_equina": "possible"}


def test_several_red_flags_give_one_emergency_step_with_all_their_rules() -> None:
    rec = run(
        make_case(
            red_flags=(
                "rapidly_progressive_weakness",
                "breathing_or_swallowing_difficulty",
                "bladder_or_bowel_dysfunction",
            )
        )
    )
    assert_emergency(rec)
    assert rec["next_steps"][0]["rules"] == ["E2", "E3", "E4"]
    assert causes(rec) == {"guillain_barre": "possible", "cauda_equina": "possible"}
    assert [c["rules"] for c in rec["causes"]] == [["E2", "E3"], ["E4"]]


def test_the_emergency_referral_reason_is_built_from_the_why() -> None:
    rec = run(make_case(red_flags=("cold_pale_pulseless_foot",)))
    why = rec["next_steps"][0]["why"]
    assert rec["referrals"][0]["reason"].lower().startswith(why.lower()[:20])
    assert "limb ischaemia" in why


@pytest.mark.parametrize(("weeks", "emergency"), [(0, True), (0.9, True), (0.99, True), (1, False), (2, False)])
def test_sudden_onset_under_a_week_is_an_emergency(weeks: float, emergency: bool) -> None:
    rec = run(make_case(onset="sudden", duration=weeks))
    assert (rec["stage"] == "emergency") is emergency
    if emergency:
        assert_emergency(rec)
        assert rec["next_steps"][0]["rules"] == ["E1"]
        assert causes(rec) == {"stroke": "possible"}


def test_gradual_onset_under_a_week_is_not_an_emergency() -> None:
    assert run(make_case(onset="gradual", duration=0.5))["stage"] != "emergency"


def test_red_flag_wins_over_invalid_fields_which_become_warnings() -> None:
    doc = make_case(red_flags=("bladder_or_bowel_dysfunction",), labs=[lab("fasting_glucose", 5000)])
    doc["exam"]["ankle_reflexes"] = {"left": 0}
    rec = run(doc)
    assert_emergency(rec)
    assert any(w.startswith("labs[0].value: 5000 mg/dL") for w in rec["warnings"])
    assert "exam: unknown key 'ankle_reflexes' (did you mean 'ankle_reflex'?)" in rec["warnings"]


def test_pattern_is_worked_out_from_what_could_be_read() -> None:
    doc = make_case(
        red_flags=("saddle_numbness",), exam_update={"plantar_response": {"left": "extensor", "right": "up"}}
    )
    doc["presentation"]["course"] = "worse"
    rec = run(doc)
    assert_emergency(rec)
    assert rec["pattern"] == "central"


def test_areas_that_could_not_all_be_read_never_make_a_length_dependent_pattern() -> None:
    doc = make_case(red_flags=("saddle_numbness",), areas=("toes", "knee"))
    rec = run(doc)
    assert rec["pattern"] == "undetermined"
    assert any(w.startswith("presentation.areas[1]") for w in rec["warnings"])


def test_pattern_is_undetermined_when_nothing_else_could_be_read() -> None:
    rec = run({"presentation": {"red_flags": ["saddle_numbness"]}})
    assert_emergency(rec)
    assert rec["pattern"] == "undetermined"
    assert "patient: is required" in rec["warnings"]


@pytest.mark.parametrize("flag", ["Saddle numbness", "saddle-numbness", " SADDLE_NUMBNESS ", "saddle_numbnes"])
def test_a_misspelt_red_flag_still_calls_for_emergency_care(flag: str) -> None:
    rec = run(make_case(red_flags=(flag,)))
    assert_emergency(rec)
    assert causes(rec) == {"cauda_equina": "possible"}
    assert any(w.startswith("presentation.red_flags[0]") for w in rec["warnings"])


def test_red_flags_written_as_a_single_string_still_call_for_emergency_care() -> None:
    doc = make_case()
    doc["presentation"]["red_flags"] = "rapidly_progressive_weakness"
    rec = run(doc)
    assert_emergency(rec)
    assert any(w.startswith("presentation.red_flags:") and "read as a list of one" in w for w in rec["warnings"]), rec[
        "warnings"
    ]


def test_an_unknown_entry_that_is_no_red_flag_is_an_error() -> None:
    assert "presentation.red_flags[0]" in problems(make_case(red_flags=("chest_pain",)))


def test_a_known_red_flag_beside_an_unknown_entry_is_still_an_emergency() -> None:
    rec = run(make_case(red_flags=("chest_pain", "saddle_numbness")))
    assert_emergency(rec)


def test_sudden_onset_with_an_unreadable_duration_is_not_guessed() -> None:
    doc = make_case(onset="sudden")
    doc["presentation"]["duration_weeks"] = "3 days"
    assert "presentation.duration_weeks" in problems(doc)


def test_sudden_onset_with_a_negative_duration_counts_as_under_a_week() -> None:
    # -1 weeks is invalid, but it is less than one week: the conservative reading is the emergency one.
    rec = run(make_case(onset="sudden", duration=-1))
    assert_emergency(rec)
    assert any(w.startswith("presentation.duration_weeks") for w in rec["warnings"])


def test_red_flag_findings_name_the_flag() -> None:
    rec = run(make_case(red_flags=("face_arm_speech_symptoms",)))
    assert any(f["code"] == "red_flag_face_arm_speech_symptoms" and f["rules"] == ["E1"] for f in rec["findings"])
