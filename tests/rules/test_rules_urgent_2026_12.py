"""2026.12 sections 1, 4, 5 and 7: Q1/Q2 (red flags asked), D1 brisk reflexes, U7, U11-U14, S1, S4, timeframes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.casebuilder import (
    causes,
    codes,
    finding_codes,
    lab,
    make_case,
    normal_bloods,
    problems,
    referrals,
    run,
    step,
)
from workup.rules.build import Outcome

# --- Q1: red flags never asked ----------------------------------------------------------------------------------------


def test_q1_red_flags_never_asked_are_asked_first() -> None:
    doc = make_case(labs=normal_bloods())
    del doc["presentation"]["red_flags"]
    rec = run(doc)
    ask = step(rec, "ask_red_flags")
    assert (ask["urgency"], ask["timeframe"], ask["rules"]) == ("urgent", "now", ["Q1"])
    assert rec["stage"] == "red_flags" and rec["urgency"] == "urgent"
    assert "safety_net" in codes(rec)


def test_q1_an_empty_list_means_asked_and_none() -> None:
    rec = run(make_case(labs=normal_bloods()))
    assert "ask_red_flags" not in codes(rec) and rec["stage"] != "red_flags"


def test_q1_sits_above_an_urgent_referral() -> None:
    doc = make_case(exam_update={"plantar_response": {"left": "extensor", "right": "flexor"}})
    del doc["presentation"]["red_flags"]
    rec = run(doc)
    assert rec["stage"] == "red_flags" and "refer_neurology" in codes(rec)


# --- Q2: notes that mention a red-flag word ---------------------------------------------------------------------------

# clinical-rules.md section 5, typed from the specification.
NOTE_WORDS = [
    "saddle",
    "perineal",
    "perianal",
    "incontinence",
    "incontinent",
    "retention",
    "catheter",
    "bladder",
    "bowel",
    "ascending",
    "paralysis",
    "breathless",
    "breathing",
    "swallowing",
    "dysphagia",
    "slurred",
    "droop",
    "pulseless",
    "gangrene",
    "sepsis",
    "breath",
    "sudden",
    "erectile",
    "anaesthesia",
    "anesthesia",
    "bowels",
]


def _with_notes(notes: str, checked: bool | None = None) -> dict[str, Any]:
    doc = make_case(labs=normal_bloods())
    doc["presentation"]["notes"] = notes
    if checked is not None:
        doc["presentation"]["notes_checked"] = checked
    return doc


@pytest.mark.parametrize("word", NOTE_WORDS)
def test_q2_each_listed_word_asks_for_a_red_flag_check_now(word: str) -> None:
    rec = run(_with_notes(f"Patient mentions {word} today."))
    check = step(rec, "check_red_flags")
    assert (check["urgency"], check["timeframe"], check["rules"]) == ("urgent", "now", ["Q2"])
    assert f"'{word}'" in check["text"]
    assert rec["stage"] == "red_flags"


@pytest.mark.parametrize("notes", ["BOWELS open", "Saddle Numbness?", "(bladder)", "no-saddle-issue"])
def test_q2_is_case_insensitive_and_reads_words_between_punctuation(notes: str) -> None:
    assert "check_red_flags" in codes(run(_with_notes(notes)))


@pytest.mark.parametrize("notes", ["bowelx", "saddles", "suddenly", "embreathing", "Tingling worse at night."])
def test_q2_reads_whole_words_only(notes: str) -> None:
    assert "check_red_flags" not in codes(run(_with_notes(notes)))


def test_q2_quotes_every_word_found() -> None:
    rec = run(_with_notes("No saddle numbness; bowels and bladder fine."))
    text = step(rec, "check_red_flags")["text"]
    for word in ("saddle", "bowels", "bladder"):
        assert f"'{word}'" in text


def test_q2_negations_are_not_parsed() -> None:
    assert "check_red_flags" in codes(run(_with_notes("No saddle numbness.")))


def test_q2_clears_when_a_clinician_records_the_notes_were_checked() -> None:
    rec = run(_with_notes("No saddle numbness.", checked=True))
    assert "check_red_flags" not in codes(rec) and rec["stage"] != "red_flags"
    assert "check_red_flags" in codes(run(_with_notes("No saddle numbness.", checked=False)))


# --- D1: brisk reflexes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", ["ankle_reflex", "knee_reflex"])
def test_d1_brisk_reflexes_on_both_sides_are_a_finding_not_an_umn_sign(item: str) -> None:
    rec = run(make_case(exam_update={item: {"left": 3, "right": 3}}, labs=normal_bloods()))
    assert rec["pattern"] == "length_dependent"
    assert "brisk_reflexes" in finding_codes(rec) and "umn_signs" not in finding_codes(rec)
    assert "cns_disorder" not in causes(rec)


@pytest.mark.parametrize(
    ("reflexes", "central"),
    [
        ({"left": 3, "right": 2}, True),
        ({"left": 3, "right": 0}, True),
        ({"left": 4, "right": 4}, True),
        ({"left": 4, "right": 3}, True),
        ({"left": 3}, False),  # the other side not recorded: not a difference
        ({"left": 3, "right": 3}, False),
    ],
)
def test_d1_a_one_sided_brisk_reflex_or_clonus_is_an_umn_sign(reflexes: dict[str, int], central: bool) -> None:
    rec = run(make_case(exam_update={"ankle_reflex": reflexes}, labs=normal_bloods()))
    assert (rec["pattern"] == "central") is central


# --- U7: an active foot problem that is not limb-threatening ------------------------------------------------------------


@pytest.mark.parametrize("found", [["ulcer"], ["spreading_infection"], ["hot_swollen_foot"], ["ulcer", "callus"]])
def test_u7_active_foot_refers_to_the_diabetic_foot_service_within_1_working_day(found: list[str]) -> None:
    rec = run(make_case(exam_update={"foot_inspection": found}, labs=normal_bloods()))
    foot = step(rec, "refer_diabetic_foot_service")
    assert (foot["urgency"], foot["timeframe"], foot["rules"]) == ("urgent", "within_1_working_day", ["U7"])
    assert [r["timeframe"] for r in rec["referrals"] if r["service"] == "diabetic_foot_service"] == [
        "within_1_working_day"
    ]
    assert rec["stage"] == "refer"
    assert ("charcot_foot" in causes(rec)) is ("hot_swollen_foot" in found)


def test_u7_charcot_foot_is_possible() -> None:
    rec = run(make_case(exam_update={"foot_inspection": ["hot_swollen_foot"]}, labs=normal_bloods()))
    assert causes(rec)["charcot_foot"] == "possible"


@pytest.mark.parametrize("found", [[], ["callus"], ["deformity"], ["fever_or_sepsis"]])
def test_u7_does_not_fire_without_an_active_problem(found: list[str]) -> None:
    rec = run(make_case(exam_update={"foot_inspection": found}, labs=normal_bloods()))
    assert "refer_diabetic_foot_service" not in codes(rec)


# --- U10 -------------------------------------------------------------------------------------------------------------


def test_u10_gradual_onset_never_goes_to_the_stroke_service() -> None:
    assert "refer_stroke_service" not in codes(run(make_case(onset="gradual", duration=3, labs=normal_bloods())))


# --- U11: bilateral sciatica -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sides", "areas", "symptoms", "fires"),
    [
        ("both", ("toes",), ("radiating_leg_pain",), True),
        ("both", ("back_of_leg", "toes"), (), True),
        ("left", ("toes",), ("radiating_leg_pain",), False),
        ("both", ("toes",), ("back_pain",), False),
    ],
)
def test_u11_bilateral_sciatica_is_screened_for_cauda_equina_today(
    sides: str, areas: tuple[str, ...], symptoms: tuple[str, ...], fires: bool
) -> None:
    rec = run(make_case(sides=sides, areas=areas, symptoms=symptoms))
    assert ("assess_cauda_equina_today" in codes(rec)) is fires
    if fires:
        screen = step(rec, "assess_cauda_equina_today")
        assert (screen["urgency"], screen["timeframe"], screen["rules"]) == ("urgent", "same_day", ["U11"])
        assert causes(rec)["cauda_equina"] == "possible"
        assert rec["stage"] == "manage"  # U11 does not by itself move the stage
        assert "perianal" in screen["text"]


def test_u11_straight_leg_raise_alone_on_both_sides_is_radicular_but_not_sciatica() -> None:
    rec = run(make_case(exam_update={"straight_leg_raise": {"left": "positive", "right": "positive"}}))
    assert rec["pattern"] == "radicular" and "assess_cauda_equina_today" not in codes(rec)


# --- U12: critical glucose ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "value", "unit", "fires"),
    [
        ("random_glucose", 24.9, "mmol/L", False),
        ("random_glucose", 25.0, "mmol/L", True),
        ("fasting_glucose", 25.0, "mmol/L", True),
        ("ogtt_2h", 25.0, "mmol/L", True),
        ("random_glucose", 449, "mg/dL", False),
        ("random_glucose", 450, "mg/dL", True),
        ("fasting_glucose", 450, "mg/dL", True),
        ("ogtt_2h", 449, "mg/dL", False),
        ("random_glucose", ">25", "mmol/L", True),
        ("random_glucose", ">450", "mg/dL", True),
        ("random_glucose", "<30", "mmol/L", False),
        ("random_glucose", ">24", "mmol/L", False),
        ("hba1c", 15, "%", False),  # not a glucose
    ],
)
def test_u12_latest_glucose_at_the_critical_line_is_assessed_today(
    test: str, value: float | str, unit: str, fires: bool
) -> None:
    rec = run(make_case(labs=[lab(test, value, unit), lab("b12", 420)]))
    assert ("assess_hyperglycaemia_today" in codes(rec)) is fires
    if fires:
        check = step(rec, "assess_hyperglycaemia_today")
        assert (check["urgency"], check["timeframe"], check["rules"]) == ("urgent", "same_day", ["U12"])
        assert "ketones" in check["text"]


def test_u12_only_the_latest_result_counts() -> None:
    labs = [lab("random_glucose", 30, "mmol/L", on="2026-01-01"), lab("random_glucose", 9, "mmol/L"), lab("b12", 420)]
    assert "assess_hyperglycaemia_today" not in codes(run(make_case(labs=labs)))


def test_u12_does_not_move_the_stage() -> None:
    rec = run(make_case(labs=[lab("random_glucose", 26, "mmol/L"), lab("b12", 420)]))
    assert rec["stage"] != "refer" or any(r["service"] != "neurology" for r in rec["referrals"])
    assert rec["urgency"] == "urgent"


# --- U13: nitrous oxide -----------------------------------------------------------------------------------------------


def test_u13_nitrous_oxide_stops_it_and_treats_b12_the_same_day() -> None:
    rec = run(make_case(history={"b12_risks": ["nitrous_oxide"]}, labs=[lab("hba1c", 5.3), lab("b12", 420)]))
    stop = step(rec, "stop_nitrous_oxide")
    assert (stop["urgency"], stop["timeframe"], stop["rules"]) == ("urgent", "same_day", ["U13"])
    treat = step(rec, "treat_b12_deficiency")
    assert (treat["urgency"], treat["timeframe"]) == ("urgent", "same_day")
    assert "hydroxocobalamin" in treat["text"] and "folic acid" in treat["text"]
    assert causes(rec)["b12_deficiency"] == "likely"
    assert "refer_neurology" not in codes(rec)


@pytest.mark.parametrize(
    ("symptoms", "exam", "refers"),
    [
        (("numbness", "imbalance"), {}, True),
        (("numbness",), {"romberg": "positive"}, True),
        (("numbness",), {"proprioception": {"left": "impaired", "right": "normal"}}, True),
        (("numbness",), {"power_ankle_dorsiflexion": {"left": 4, "right": 5}}, True),
        (("numbness", "weakness"), {}, False),  # reported weakness is not weakness on examination
        (("numbness",), {"romberg": "negative"}, False),
    ],
)
def test_u13_refers_to_neurology_when_the_cord_may_be_involved(
    symptoms: tuple[str, ...], exam: dict[str, Any], refers: bool
) -> None:
    doc = make_case(symptoms=symptoms, history={"b12_risks": ["nitrous_oxide"]}, exam_update=exam)
    rec = run(doc)
    neuro = [s for s in rec["next_steps"] if s["code"] == "refer_neurology" and "U13" in s["rules"]]
    assert bool(neuro) is refers
    if refers:
        assert neuro[0]["urgency"] == "urgent" and "neurology_review" in neuro[0]["requests"]
        assert rec["stage"] == "refer"


# --- U14: known MS with new symptoms -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("course", "weeks", "fires"),
    [
        ("worsening", 3.9, True),
        ("relapsing", 0, True),
        ("worsening", 4.0, False),
        ("relapsing", 4.0, False),
        ("stable", 1, False),
        ("improving", 1, False),
    ],
)
def test_u14_known_ms_worsening_under_4_weeks_goes_to_the_ms_team(course: str, weeks: float, fires: bool) -> None:
    # Sensory only and one foot, so that E6 (rapid symmetrical weakness) stays out of it.
    doc = make_case(sides="left", course=course, duration=weeks, history={"cns_history": ["multiple_sclerosis"]})
    rec = run(doc)
    assert ("contact_ms_team" in codes(rec)) is fires
    if fires:
        ms = step(rec, "contact_ms_team")
        assert (ms["urgency"], ms["timeframe"], ms["rules"]) == ("urgent", "within_1_working_day", ["U14"])
        assert referrals(rec)["ms_team"] == "urgent" and rec["stage"] == "refer"
        # C11 does not refer to neurology for this workup (nor list its cause); F2 still asks for nerve studies.
        assert step(rec, "refer_neurology")["rules"] == ["F2"]
        assert "cns_disorder" not in causes(rec)


def test_u14_stroke_history_is_not_ms() -> None:
    doc = make_case(sides="left", course="worsening", duration=2, history={"cns_history": ["stroke"]})
    assert "contact_ms_team" not in codes(run(doc))


def test_u14_stops_n1_and_c11_in_a_length_dependent_workup() -> None:
    history = {"cns_history": ["multiple_sclerosis"]}
    rec = run(make_case(course="relapsing", duration=2, history=history, labs=normal_bloods()))
    assert "contact_ms_team" in codes(rec)
    assert "refer_neurology" not in codes(rec)
    assert not {"order_spep", "order_ogtt", "order_tsh"} & set(codes(rec))
    # Without U14 both refer.
    rec = run(make_case(course="relapsing", duration=4, history=history, labs=normal_bloods()))
    assert set(step(rec, "refer_neurology")["rules"]) == {"C11", "N1"}


def test_u14_leaves_urgent_neurology_from_section_4() -> None:
    doc = make_case(
        course="relapsing",
        duration=2,
        history={"cns_history": ["multiple_sclerosis"]},
        exam_update={"plantar_response": {"left": "extensor", "right": "flexor"}},
    )
    rec = run(doc)
    assert "contact_ms_team" in codes(rec) and step(rec, "refer_neurology")["rules"] == ["U1"]


# --- S1: foot inspection when diabetes is known or found ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "labs", "asked"),
    [
        ({"diabetes": "known"}, [lab("b12", 420)], True),
        ({}, [lab("hba1c", 6.5), lab("b12", 420)], True),  # found: likely
        ({}, [lab("hba1c", 6.5), lab("fasting_glucose", 130), lab("b12", 420)], True),  # found: confirmed
        ({}, [lab("hba1c", 6.0), lab("b12", 420)], False),  # prediabetes is not diabetes
        ({}, normal_bloods(), False),
    ],
)
def test_s1_lists_foot_inspection_when_diabetes_is_known_or_found(
    history: dict[str, Any], labs: list[dict[str, Any]], asked: bool
) -> None:
    rec = run(make_case(history=history, labs=labs))
    items = step(rec, "complete_exam")["items"] if "complete_exam" in codes(rec) else []
    assert items == (["foot_inspection"] if asked else [])


def test_s1_foot_inspection_comes_last_in_the_fixed_order() -> None:
    rec = run(make_case(history={"diabetes": "known"}, exam={"ankle_reflex": {"left": 2, "right": 2}}))
    assert step(rec, "complete_exam")["items"][-2:] == ["pedal_pulses", "foot_inspection"]


def test_s1_an_empty_foot_inspection_means_inspected_nothing_found() -> None:
    rec = run(make_case(history={"diabetes": "known"}, exam_update={"foot_inspection": []}, labs=[lab("b12", 420)]))
    assert "complete_exam" not in codes(rec)


# --- S4: safety net --------------------------------------------------------------------------------------------------


def test_s4_every_recommendation_that_is_not_an_emergency_has_a_routine_safety_net() -> None:
    rec = run(make_case(labs=normal_bloods()))
    net = step(rec, "safety_net")
    assert (net["urgency"], net["timeframe"], net["rules"]) == ("routine", "routine", ["S4"])
    assert "999" in net["text"] or "emergency" in net["text"]
    assert "safety_net" not in codes(run(make_case(red_flags=("saddle_numbness",))))


# --- section 7: timeframes of merged steps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asks",
    [
        [("urgent", "within_1_working_day"), ("urgent", None)],
        [("urgent", None), ("urgent", "within_1_working_day")],
        [("routine", None), ("urgent", "same_day"), ("urgent", "within_7_days")],
        [("urgent", "within_7_days"), ("routine", "within_6_to_8_weeks"), ("urgent", "same_day")],
    ],
)
def test_a_merged_step_keeps_the_shortest_timeframe_and_the_highest_urgency(asks: list[tuple[str, str | None]]) -> None:
    out = Outcome()
    for i, (urgency, timeframe) in enumerate(asks):
        out.step("refer_neurology", f"U{i + 1}", "why", urgency=urgency, timeframe=timeframe)
    order = ["now", "same_day", "within_1_working_day", "within_7_days", "within_2_weeks"]
    # An urgent step without its own timeframe is within 2 weeks (section 7).
    given = [t if t else ("within_2_weeks" if u == "urgent" else "routine") for u, t in asks]
    expected = min((t for t in given if t in order), key=order.index)
    merged = out.steps["refer_neurology"]
    assert (merged.urgency, merged.timeframe) == ("urgent", expected)
    assert merged.rules == [f"U{i + 1}" for i in range(len(asks))]


def test_urgent_and_routine_neurology_merge_with_the_urgent_timeframe() -> None:
    rec = run(make_case(exam_update={"power_ankle_dorsiflexion": {"left": 4, "right": 5}}, labs=normal_bloods()))
    neuro = step(rec, "refer_neurology")
    assert neuro["rules"] == ["U2", "N1"]
    assert (neuro["urgency"], neuro["timeframe"]) == ("urgent", "within_2_weeks")
    [ref] = [r for r in rec["referrals"] if r["service"] == "neurology"]
    assert ref["timeframe"] == "within_2_weeks"


def test_every_routine_step_without_its_own_timeframe_is_routine() -> None:
    rec = run(make_case(labs=normal_bloods()))
    assert {s["timeframe"] for s in rec["next_steps"]} == {"routine"}


def test_the_recommendation_names_its_profiles() -> None:
    assert run(make_case())["profiles"] == {"b12": "nice_ng239", "glycaemia": "ada_2025"}
    assert run(make_case(), glycaemia_profile="nice_ph38")["profiles"] == {
        "b12": "nice_ng239",
        "glycaemia": "nice_ph38",
    }


def test_an_unknown_profile_is_a_configuration_error_not_a_fallback() -> None:
    with pytest.raises(ValueError, match="profile"):
        run(make_case(), glycaemia_profile="who_1999")


def test_notes_are_read_only_by_q2() -> None:
    doc = make_case(labs=normal_bloods())
    doc["presentation"]["notes"] = "x" * 2000
    assert run(doc)["stage"] == run(make_case(labs=normal_bloods()))["stage"]
    doc["presentation"]["notes"] = "x" * 2001
    assert "presentation.notes" in problems(doc)
