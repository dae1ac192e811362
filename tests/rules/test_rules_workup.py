"""Sections 1, 2, 5 and 6: pattern, early stages, glucose and B12 status, causes, N1, F1/F2, R1 and the stage."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.casebuilder import (
    NORMAL_EXAM,
    causes,
    codes,
    finding_codes,
    lab,
    make_case,
    normal_bloods,
    referrals,
    run,
    step,
)

# --- P1: pattern --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sides", "areas", "symptoms", "pattern"),
    [
        ("both", ("toes", "sole"), (), "length_dependent"),
        ("both", ("whole_foot", "above_ankle", "hands"), (), "length_dependent"),
        ("both", ("toes", "top_of_foot", "outer_foot", "inner_shin"), (), "length_dependent"),
        ("both", ("above_ankle",), (), "undetermined"),
        ("both", ("toes", "back_of_leg"), (), "radicular"),
        ("both", ("toes",), ("radiating_leg_pain",), "radicular"),
        ("left", ("toes", "sole"), (), "focal"),
        ("right", ("whole_foot",), (), "focal"),
        # 2026.12: a root area on one side is radicular only with back pain (or leg pain, back of leg, a positive
        # straight-leg raise); without them it is focal, like any other one-sided presentation.
        ("left", ("sole", "inner_shin"), (), "focal"),
        ("right", ("top_of_foot",), (), "focal"),
        ("left", ("outer_foot",), (), "focal"),
        ("left", ("sole", "inner_shin"), ("back_pain",), "radicular"),
        ("right", ("top_of_foot",), ("back_pain",), "radicular"),
        ("left", ("outer_foot",), ("back_pain",), "radicular"),
        ("left", ("toes",), ("back_pain",), "focal"),
        ("both", ("top_of_foot", "toes"), ("back_pain",), "length_dependent"),
        ("left", ("toes", "above_ankle"), (), "focal"),
        ("right", ("hands",), (), "focal"),
    ],
)
def test_p1_pattern_first_match_wins(
    sides: str, areas: tuple[str, ...], symptoms: tuple[str, ...], pattern: str
) -> None:
    assert run(make_case(sides=sides, areas=areas, symptoms=symptoms))["pattern"] == pattern


def test_p1_upper_motor_neuron_signs_make_any_pattern_central() -> None:
    doc = make_case(
        sides="left", symptoms=("radiating_leg_pain",), exam_update={"ankle_reflex": {"left": 3, "right": 2}}
    )
    assert run(doc)["pattern"] == "central"


def test_findings_name_the_pattern_with_rule_p1() -> None:
    rec = run(make_case())
    assert rec["findings"][0] == {"code": "pattern", "text": rec["findings"][0]["text"], "rules": ["P1"]}


# --- S1: the core exam ------------------------------------------------------------------------------------------------


def test_s1_lists_missing_core_items_in_the_fixed_order() -> None:
    exam = {"ankle_reflex": {"left": 1, "right": 1}, "vibration": {"left": "reduced", "right": "reduced"}}
    rec = run(make_case(exam=exam))
    assert step(rec, "complete_exam")["items"] == [
        "knee_reflex",
        "plantar_response",
        "monofilament",
        "power_ankle_dorsiflexion",
        "pedal_pulses",
    ]
    assert rec["stage"] == "exam"


def test_s1_an_item_needs_both_sides() -> None:
    rec = run(make_case(exam_update={"pedal_pulses": {"left": "present"}}, labs=normal_bloods()))
    assert step(rec, "complete_exam")["items"] == ["pedal_pulses"]


def test_s1_without_any_exam_lists_every_core_item() -> None:
    rec = run(make_case(exam={}))
    assert len(step(rec, "complete_exam")["items"]) == 7


def test_s1_does_not_fire_on_a_complete_exam() -> None:
    assert "complete_exam" not in codes(run(make_case(labs=normal_bloods())))


# --- S2, S3 and the bloods stage -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labs", "history", "wanted"),
    [
        ([], {}, {"order_glucose_test", "order_b12"}),
        ([lab("hba1c", 5.3)], {}, {"order_b12"}),
        ([lab("b12", 420)], {}, {"order_glucose_test"}),
        ([lab("b12", 420)], {"diabetes": "known"}, set()),
        ([lab("b12", 420), lab("random_glucose", 150)], {}, {"order_glucose_test"}),
        ([lab("b12", 420), lab("random_glucose", 200)], {}, {"confirm_diabetes"}),
        ([lab("active_b12", 80), lab("fasting_glucose", 90)], {}, set()),
        ([lab("ogtt_2h", 120), lab("b12", 420)], {}, set()),
    ],
)
def test_s2_s3_order_the_first_line_bloods_that_are_missing(
    labs: list[dict[str, Any]], history: dict[str, Any], wanted: set[str]
) -> None:
    rec = run(make_case(labs=labs, history=history))
    asked = {c for c in codes(rec) if c in {"order_glucose_test", "order_b12", "confirm_diabetes"}}
    assert asked == wanted


@pytest.mark.parametrize(
    ("sides", "areas", "symptoms"), [("left", ("sole",), ()), ("both", ("toes",), ("radiating_leg_pain",))]
)
def test_s2_s3_bloods_are_not_required_for_focal_or_radicular_patterns(
    sides: str, areas: tuple[str, ...], symptoms: tuple[str, ...]
) -> None:
    rec = run(make_case(sides=sides, areas=areas, symptoms=symptoms))
    assert not {"order_glucose_test", "order_b12"} & set(codes(rec))
    assert rec["stage"] != "bloods"


def test_s2_s3_central_pattern_still_asks_for_bloods() -> None:
    rec = run(make_case(exam_update={"knee_reflex": {"left": 3, "right": 2}}))
    assert rec["pattern"] == "central"
    assert {"order_glucose_test", "order_b12"} <= set(codes(rec))
    assert rec["stage"] == "refer"  # U1 comes first


def test_stage_is_bloods_when_first_line_bloods_are_missing_after_a_complete_exam() -> None:
    rec = run(make_case())
    assert rec["stage"] == "bloods" and rec["urgency"] == "routine"
    assert "refer_neurology" not in codes(rec)


def test_stage_exam_comes_before_bloods() -> None:
    assert run(make_case(exam={}))["stage"] == "exam"


def test_stage_is_manage_when_the_cause_is_found_and_nothing_is_open() -> None:
    # Known diabetes makes foot inspection a core item (S1); nothing found is a low foot risk, reviewed yearly (D2).
    rec = run(make_case(history={"diabetes": "known"}, exam_update={"foot_inspection": []}, labs=[lab("b12", 420)]))
    assert rec["stage"] == "manage" and referrals(rec) == {}


def test_known_diabetes_without_foot_inspection_stays_at_the_exam_stage() -> None:
    rec = run(make_case(history={"diabetes": "known"}, labs=[lab("b12", 420)]))
    assert rec["stage"] == "exam" and step(rec, "complete_exam")["items"] == ["foot_inspection"]


# --- G1 / C1 / C2: glucose status ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labs", "history", "expected"),
    [
        ([], {"diabetes": "known"}, ("diabetes", "confirmed")),
        ([lab("hba1c", 6.5)], {}, ("diabetes", "likely")),
        ([lab("hba1c", 48, "mmol/mol")], {}, ("diabetes", "likely")),
        ([lab("hba1c", 47, "mmol/mol")], {}, ("prediabetes", "possible")),
        ([lab("hba1c", 6.5), lab("fasting_glucose", 7.0, "mmol/L")], {}, ("diabetes", "confirmed")),
        ([lab("fasting_glucose", 126), lab("ogtt_2h", 11.1, "mmol/L")], {}, ("diabetes", "confirmed")),
        ([lab("hba1c", 7.0, on="2026-06-01"), lab("hba1c", 6.8, on="2026-10-01")], {}, ("diabetes", "confirmed")),
        ([lab("hba1c", 7.0, on="2026-06-01"), lab("hba1c", 6.0, on="2026-10-01")], {}, ("prediabetes", "possible")),
        ([lab("hba1c", 5.0, on="2026-06-01"), lab("hba1c", 6.8, on="2026-10-01")], {}, ("diabetes", "likely")),
        ([lab("random_glucose", 200)], {}, ("diabetes", "likely")),
        ([lab("random_glucose", 11.1, "mmol/L"), lab("hba1c", 6.6)], {}, ("diabetes", "likely")),
        ([lab("random_glucose", 199)], {}, None),
        ([lab("fasting_glucose", 100)], {}, ("prediabetes", "possible")),
        ([lab("fasting_glucose", 99)], {}, None),
        ([lab("ogtt_2h", 140)], {}, ("prediabetes", "possible")),
    ],
)
def test_g1_glucose_status(
    labs: list[dict[str, Any]], history: dict[str, Any], expected: tuple[str, str] | None
) -> None:
    rec = run(make_case(labs=[*labs, lab("b12", 420)], history=history))
    found = {k: v for k, v in causes(rec).items() if k in ("diabetes", "prediabetes")}
    assert found == (dict([expected]) if expected else {})


def test_g1_one_diabetes_range_result_asks_for_confirmation() -> None:
    rec = run(make_case(labs=[lab("hba1c", 6.5), lab("b12", 420)]))
    assert step(rec, "confirm_diabetes")["rules"] == ["G1"]
    assert {"manage_glycaemia", "foot_protection"} <= set(codes(rec))


def test_c1_diabetes_brings_glycaemic_care_and_foot_protection() -> None:
    rec = run(make_case(history={"diabetes": "known"}, labs=[lab("b12", 420)]))
    assert step(rec, "manage_glycaemia")["rules"] == ["C1"]
    assert step(rec, "foot_protection")["rules"] == ["C1"]
    assert [c["rules"] for c in rec["causes"]] == [["G1", "C1"]]
    assert "confirm_diabetes" not in codes(rec)


def test_c2_prediabetes_brings_glycaemic_care_only() -> None:
    rec = run(make_case(labs=[lab("hba1c", 6.0), lab("b12", 420)]))
    assert step(rec, "manage_glycaemia")["rules"] == ["C2"]
    assert "foot_protection" not in codes(rec)


def test_latest_result_counts_and_undated_is_the_oldest() -> None:
    labs = [lab("hba1c", 8.0, on=None), lab("hba1c", 5.0, on="2025-01-01"), lab("b12", 420)]
    assert "diabetes" not in causes(run(make_case(labs=labs)))


def test_same_date_the_most_abnormal_counts() -> None:
    labs = [lab("hba1c", 5.0), lab("hba1c", 6.6), lab("b12", 420)]
    assert causes(run(make_case(labs=labs)))["diabetes"] == "likely"  # the latest two are 6.6 and 5.0: not twice


def test_one_test_twice_means_its_latest_two_results() -> None:
    labs = [lab("hba1c", 6.6, on="2026-01-01"), lab("hba1c", 6.9, on="2026-03-01"), lab("hba1c", 7.1), lab("b12", 420)]
    assert causes(run(make_case(labs=labs)))["diabetes"] == "confirmed"


# --- B1 / C3 / U9: B12 status -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labs", "history", "certainty", "order_mma"),
    [
        ([lab("b12", 179)], {}, "confirmed", False),
        ([lab("b12", 132, "pmol/L")], {}, "confirmed", False),
        ([lab("active_b12", 24)], {}, "confirmed", False),
        ([lab("b12", 180)], {}, "possible", True),
        ([lab("b12", 350, "ng/L")], {}, "possible", True),
        ([lab("b12", 351)], {}, None, False),
        ([lab("b12", 250), lab("homocysteine", 20)], {}, "likely", True),
        ([lab("b12", 250), lab("homocysteine", 12)], {}, "possible", True),
        ([lab("b12", 250), lab("mma", 0.5)], {}, "confirmed", False),
        ([lab("b12", 250), lab("mma", 0.5), lab("egfr", 29)], {}, "likely", False),
        ([lab("b12", 250), lab("mma", 0.5), lab("egfr", 30)], {}, "confirmed", False),
        ([lab("b12", 250), lab("mma", 0.3)], {}, None, False),
        ([lab("b12", 250), lab("mma", 0.3), lab("homocysteine", 40)], {}, None, False),  # MMA decides
        ([lab("b12", 250), lab("mma", 300, "nmol/L", reference_range={"high": 271})], {}, "confirmed", False),
        # 2026.12 nitrous oxide: at least likely whatever the serum B12; confirmed by a deficient B12 or a raised MMA
        # (without MMA, homocysteine); order_mma while neither MMA nor homocysteine has been measured.
        ([lab("b12", 420)], {"b12_risks": ["nitrous_oxide"]}, "likely", True),
        ([], {"b12_risks": ["nitrous_oxide"]}, "likely", True),
        ([lab("b12", 420), lab("mma", 0.6)], {"b12_risks": ["nitrous_oxide"]}, "confirmed", False),
        ([lab("b12", 420), lab("homocysteine", 20)], {"b12_risks": ["nitrous_oxide"]}, "confirmed", False),
        ([lab("b12", 420), lab("homocysteine", 10)], {"b12_risks": ["nitrous_oxide"]}, "likely", False),
        ([lab("b12", 420), lab("mma", 0.3)], {"b12_risks": ["nitrous_oxide"]}, "likely", False),
        (
            [lab("b12", 420), lab("mma", 0.3), lab("homocysteine", 20)],
            {"b12_risks": ["nitrous_oxide"]},
            "likely",
            False,
        ),
        ([lab("b12", 150)], {"b12_risks": ["nitrous_oxide"]}, "confirmed", True),
        ([lab("b12", 250), lab("mma", 0.5), lab("egfr", 29)], {"b12_risks": ["nitrous_oxide"]}, "confirmed", False),
        ([lab("b12", 420), lab("mma", 0.6)], {}, None, False),  # MMA without nitrous oxide or an indeterminate B12
    ],
)
def test_b1_b12_status(
    labs: list[dict[str, Any]], history: dict[str, Any], certainty: str | None, order_mma: bool
) -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), *labs], history=history))
    assert causes(rec).get("b12_deficiency") == certainty
    assert ("order_mma" in codes(rec)) is order_mma
    nitrous = "nitrous_oxide" in history.get("b12_risks", [])
    treated = certainty == "confirmed" or (certainty == "likely" and nitrous)
    assert ("treat_b12_deficiency" in codes(rec)) is treated


def test_b1_order_mma_is_listed_for_any_pattern() -> None:
    rec = run(make_case(sides="left", areas=("sole",), labs=[lab("b12", 250)]))
    assert rec["pattern"] == "focal" and step(rec, "order_mma")["rules"] == ["B1"]
    assert rec["stage"] != "bloods"  # the bloods stage is for the patterns that need bloods


def test_b1_indeterminate_without_mma_puts_the_stage_at_bloods() -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab("b12", 250)]))
    assert rec["stage"] == "bloods"


def test_b1_later_of_b12_and_active_b12_counts() -> None:
    labs = [lab("hba1c", 5.3), lab("b12", 150, on="2026-01-01"), lab("active_b12", 80, on="2026-10-01")]
    assert "b12_deficiency" not in causes(run(make_case(labs=labs)))
    labs = [lab("hba1c", 5.3), lab("b12", 150, on="2026-10-01"), lab("active_b12", 80, on="2026-01-01")]
    assert causes(run(make_case(labs=labs)))["b12_deficiency"] == "confirmed"


@pytest.mark.parametrize("on", ["2026-10-01", None])
def test_b1_same_date_or_both_undated_the_more_abnormal_counts(on: str | None) -> None:
    labs = [lab("hba1c", 5.3), lab("b12", 420, on=on), lab("active_b12", 20, on=on)]
    assert causes(run(make_case(labs=labs)))["b12_deficiency"] == "confirmed"


def test_b1_dated_result_beats_an_undated_one() -> None:
    labs = [lab("hba1c", 5.3), lab("b12", 420, on="2020-01-01"), lab("active_b12", 20, on=None)]
    assert "b12_deficiency" not in causes(run(make_case(labs=labs)))


def test_censored_b12_below_200_counts_as_indeterminate_with_a_warning() -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab("b12", "<200", "pg/mL")]))
    assert causes(rec)["b12_deficiency"] == "possible" and "order_mma" in codes(rec)
    assert len(rec["warnings"]) == 1


# --- C4-C13 -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "certainty"),
    [(14, None), (14.5, "possible"), (15, "possible"), (34, "possible"), (35, "likely"), (80, "likely")],
)
def test_c4_alcohol_over_14_units_is_possible_and_likely_from_35(units: float, certainty: str | None) -> None:
    rec = run(make_case(history={"alcohol_units_per_week": units}, labs=normal_bloods()))
    assert causes(rec).get("alcohol") == certainty
    # 2026.12: from 35 units dependence is assessed and thiamine started, instead of advice to cut down.
    assert ("reduce_alcohol" in codes(rec)) is (certainty == "possible")
    assert ("assess_alcohol_dependence" in codes(rec)) is (certainty == "likely")
    assert ("start_thiamine" in codes(rec)) is (certainty == "likely")


def test_c5_ongoing_chemotherapy_is_likely_and_asks_for_a_drug_review() -> None:
    history = {"chemotherapy": ["platinum", "taxane"], "chemotherapy_ended_months_ago": 0}
    rec = run(make_case(history=history, labs=normal_bloods()))
    assert causes(rec)["chemotherapy"] == "likely"
    assert step(rec, "review_neurotoxic_drugs")["rules"] == ["C5"]


def test_c5_chemotherapy_without_an_end_date_is_possible_with_a_warning() -> None:
    rec = run(make_case(history={"chemotherapy": ["platinum", "taxane"]}, labs=normal_bloods()))
    assert causes(rec)["chemotherapy"] == "possible"
    assert "review_neurotoxic_drugs" not in codes(rec)
    assert any(w.startswith("history.chemotherapy_ended_months_ago") for w in rec["warnings"])


@pytest.mark.parametrize(
    ("row", "cause"),
    [(lab("tsh", 4.6), "hypothyroidism"), (lab("folate", 3.9), "folate_deficiency"), (lab("egfr", 29), "renal")],
)
def test_c6_c7_c8_abnormal_results_name_a_possible_cause(row: dict[str, Any], cause: str) -> None:
    rec = run(make_case(labs=[*normal_bloods(), row]))
    assert causes(rec)[cause] == "possible"


@pytest.mark.parametrize("row", [lab("tsh", 4.5), lab("folate", 4.0), lab("egfr", 30)])
def test_c6_c7_c8_results_at_the_limit_name_no_cause(row: dict[str, Any]) -> None:
    assert causes(run(make_case(labs=[*normal_bloods(), row]))) == {}


@pytest.mark.parametrize(
    ("pulses", "symptoms", "abi", "fires"),
    [
        ({"left": "reduced", "right": "present"}, (), None, True),
        ({"left": "present", "right": "absent"}, (), None, True),
        ({"left": "present", "right": "present"}, ("claudication",), None, True),
        ({"left": "present", "right": "present"}, (), None, False),
        ({"left": "absent", "right": "absent"}, (), {"left": 1.1}, False),
        ({"left": "absent", "right": "absent"}, (), {"left": 1.5, "right": 1.6}, True),
    ],
)
def test_c9_weak_pulses_or_claudication_without_a_valid_abi_ask_for_one(
    pulses: dict[str, str], symptoms: tuple[str, ...], abi: dict[str, float] | None, fires: bool
) -> None:
    update: dict[str, Any] = {"pedal_pulses": pulses} | ({"abi": abi} if abi else {})
    rec = run(make_case(symptoms=symptoms, exam_update=update, labs=normal_bloods()))
    assert ("order_abi" in codes(rec)) is fires
    if fires:
        assert causes(rec)["pad"] == "possible"


def test_c9_non_compressible_ankle_arteries_ask_for_a_toe_brachial_index() -> None:
    update = {"pedal_pulses": {"left": "absent", "right": "absent"}, "abi": {"left": 1.5}}
    rec = run(make_case(exam_update=update, labs=normal_bloods()))
    assert "toe-brachial" in step(rec, "order_abi")["text"]
    assert any("above 1.40" in w for w in rec["warnings"])


def test_c10_abi_in_the_pad_range_refers_to_vascular_routinely() -> None:
    rec = run(make_case(exam_update={"abi": {"left": 0.8, "right": 0.95}}, labs=normal_bloods()))
    assert step(rec, "refer_vascular")["urgency"] == "routine"
    assert causes(rec)["pad"] == "confirmed"


@pytest.mark.parametrize("history", [["stroke"], ["multiple_sclerosis"]])
def test_c11_known_cns_disorder_without_umn_signs_is_reviewed_by_neurology(history: list[str]) -> None:
    doc = make_case(
        history={"cns_history": history, "diabetes": "known"},
        exam_update={"foot_inspection": []},
        labs=[lab("b12", 420)],
    )
    rec = run(doc)
    neuro = step(rec, "refer_neurology")
    assert neuro["rules"] == ["C11"] and neuro["requests"] == ["neurology_review"] and neuro["urgency"] == "routine"
    assert causes(rec)["cns_disorder"] == "possible"
    assert rec["stage"] == "refer"  # applies whatever else explains the numbness


def test_c11_referral_waits_for_the_exam_but_the_cause_is_listed() -> None:
    rec = run(make_case(history={"cns_history": ["stroke"]}, exam={}))
    assert "refer_neurology" not in codes(rec)
    assert causes(rec)["cns_disorder"] == "possible"
    assert rec["stage"] == "exam"


def test_c12_loss_of_protective_sensation_brings_foot_protection() -> None:
    mono = {"left": {"sites_tested": 4, "sites_felt": 3}, "right": {"sites_tested": 4, "sites_felt": 4}}
    rec = run(make_case(exam_update={"monofilament": mono}, labs=normal_bloods()))
    assert step(rec, "foot_protection")["rules"] == ["C12"]
    assert "lops" in finding_codes(rec)


def test_c12_all_sites_felt_is_not_lops() -> None:
    assert "foot_protection" not in codes(run(make_case(labs=normal_bloods())))


def test_c1_and_c12_merge_into_one_foot_protection_step() -> None:
    mono = {"left": {"sites_tested": 10, "sites_felt": 2}, "right": {"sites_tested": 10, "sites_felt": 2}}
    rec = run(make_case(history={"diabetes": "known"}, exam_update={"monofilament": mono}, labs=[lab("b12", 420)]))
    assert step(rec, "foot_protection")["rules"] == ["C1", "C12"]


def test_c13_burning_pain_suggests_non_opioid_neuropathic_pain_treatment() -> None:
    rec = run(make_case(symptoms=("burning",), labs=normal_bloods()))
    assert step(rec, "neuropathic_pain_treatment")["rules"] == ["C13"]


# --- N1: the inconclusive workup --------------------------------------------------------------------------------------------


def test_n1_complete_exam_and_bloods_with_no_cause_refer_for_ncs_emg_with_second_line_bloods() -> None:
    rec = run(make_case(labs=normal_bloods()))
    assert rec["stage"] == "refer" and referrals(rec) == {"neurology": "routine"}
    assert step(rec, "refer_neurology")["requests"] == ["ncs", "emg"]
    for code in ("order_spep", "order_ogtt", "order_tsh"):
        assert step(rec, code)["rules"] == ["N1"]


def test_n1_second_line_bloods_already_done_are_not_ordered_again() -> None:
    rec = run(make_case(labs=[*normal_bloods(), lab("spep", "normal"), lab("tsh", 2.0), lab("ogtt_2h", 120)]))
    assert "refer_neurology" in codes(rec)
    assert not {"order_spep", "order_ogtt", "order_tsh"} & set(codes(rec))


@pytest.mark.parametrize(
    ("history", "labs"),
    [
        ({"diabetes": "known"}, [lab("b12", 420)]),
        ({}, [lab("hba1c", 6.7), lab("b12", 420)]),
        ({}, [lab("hba1c", 5.3), lab("b12", 150)]),
        ({"chemotherapy": ["vinca_alkaloid"], "chemotherapy_ended_months_ago": 0}, normal_bloods()),
        ({"b12_risks": ["nitrous_oxide"]}, [*normal_bloods(), lab("homocysteine", 10)]),
        ({"alcohol_units_per_week": 35}, normal_bloods()),
    ],
)
def test_n1_an_explained_numbness_is_not_referred(history: dict[str, Any], labs: list[dict[str, Any]]) -> None:
    rec = run(make_case(history=history, labs=labs))
    assert "refer_neurology" not in codes(rec)


@pytest.mark.parametrize(
    ("history", "labs"),
    [
        ({"alcohol_units_per_week": 34}, normal_bloods()),
        ({}, [lab("hba1c", 6.0), lab("b12", 420)]),
        ({}, [lab("hba1c", 5.3), lab("b12", 420), lab("tsh", 8.0)]),
    ],
)
def test_n1_possible_causes_do_not_explain_the_numbness(history: dict[str, Any], labs: list[dict[str, Any]]) -> None:
    rec = run(make_case(history=history, labs=labs))
    assert step(rec, "refer_neurology")["rules"] == ["N1"]


def test_n1_no_ogtt_when_glucose_status_is_diabetes() -> None:
    exam = {"power_ankle_dorsiflexion": {"left": 4, "right": 4}}
    rec = run(make_case(labs=[lab("hba1c", 6.7), lab("b12", 420)], exam_update=exam))
    assert "order_ogtt" not in codes(rec)


def test_n1_waits_for_the_exam() -> None:
    rec = run(make_case(exam_update={"pedal_pulses": {"left": "present"}}, labs=normal_bloods()))
    assert "refer_neurology" not in codes(rec) and rec["stage"] == "exam"


def test_n1_waits_for_an_mma_when_b12_is_indeterminate() -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab("b12", 300)]))
    assert "refer_neurology" not in codes(rec)
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab("b12", 300), lab("mma", 0.2)]))
    assert "refer_neurology" in codes(rec)


def test_n1_nitrous_oxide_makes_b12_deficiency_likely_which_explains_the_numbness() -> None:
    # 2026.12: with nitrous oxide B12 deficiency is at least likely, which explains it: treated, not referred.
    history = {"b12_risks": ["nitrous_oxide"]}
    for labs in (normal_bloods(), [*normal_bloods(), lab("homocysteine", 10)]):
        rec = run(make_case(history=history, labs=labs))
        assert "refer_neurology" not in codes(rec)
        assert "treat_b12_deficiency" in codes(rec)
    assert "order_mma" in codes(run(make_case(history=history, labs=normal_bloods())))


def test_n1_applies_to_the_undetermined_pattern() -> None:
    rec = run(make_case(areas=("above_ankle",), labs=normal_bloods()))
    assert rec["pattern"] == "undetermined" and step(rec, "refer_neurology")["rules"] == ["N1"]


# --- F1 / F2: one foot ---------------------------------------------------------------------------------------------------


def test_f1_tinel_on_the_numb_side_is_likely_tarsal_tunnel_with_conservative_care() -> None:
    rec = run(make_case(sides="left", exam_update={"tinel_tarsal_tunnel": {"left": "positive", "right": "negative"}}))
    assert causes(rec) == {"tarsal_tunnel": "likely"}
    assert referrals(rec) == {"podiatry": "routine"}
    assert {"foot_posture_exercises", "refer_podiatry"} <= set(codes(rec))
    assert rec["stage"] == "manage"


def test_f1_overpronation_on_the_numb_side_is_likely_plantar_nerve_compression() -> None:
    rec = run(make_case(sides="right", areas=("sole",), exam_update={"foot_posture": {"right": "overpronated"}}))
    assert causes(rec) == {"plantar_nerve_compression": "likely"}


def test_f1_tinel_takes_precedence_over_posture() -> None:
    update = {"tinel_tarsal_tunnel": {"right": "positive"}, "foot_posture": {"right": "overpronated"}}
    assert causes(run(make_case(sides="right", exam_update=update))) == {"tarsal_tunnel": "likely"}


def test_f2_a_sign_on_the_other_foot_does_not_count() -> None:
    rec = run(make_case(sides="right", exam_update={"tinel_tarsal_tunnel": {"left": "positive", "right": "negative"}}))
    assert step(rec, "refer_neurology")["rules"] == ["F2"]
    assert rec["stage"] == "refer" and referrals(rec) == {"neurology": "routine"}


def test_f2_waits_for_the_exam() -> None:
    rec = run(make_case(sides="left", exam={"tinel_tarsal_tunnel": {"left": "negative"}}))
    assert "refer_neurology" not in codes(rec) and rec["stage"] == "exam"


# --- R1: nerve root ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symptoms", "slr", "certainty"),
    [
        (("radiating_leg_pain",), None, "possible"),
        (("radiating_leg_pain", "back_pain"), None, "likely"),
        (("radiating_leg_pain",), {"left": "positive"}, "likely"),
        (("radiating_leg_pain",), {"left": "negative", "right": "negative"}, "possible"),
    ],
)
def test_r1_radicular_numbness_without_weakness_gets_back_care_and_physiotherapy(
    symptoms: tuple[str, ...], slr: dict[str, str] | None, certainty: str
) -> None:
    # One side: bilateral sciatica would add U11's cauda equina screen (tested with U11).
    rec = run(make_case(sides="left", symptoms=symptoms, exam_update={"straight_leg_raise": slr} if slr else {}))
    assert rec["pattern"] == "radicular"
    assert causes(rec) == {"lumbar_radiculopathy": certainty}
    assert referrals(rec) == {"physiotherapy": "routine"}
    assert "back_posture_exercises" in codes(rec)
    assert "refer_neurology" not in codes(rec) and "refer_spinal" not in codes(rec)


def test_results_given_for_focal_and_radicular_patterns_still_count() -> None:
    rec = run(make_case(sides="left", labs=[lab("hba1c", 7.0), lab("b12", 100)]))
    assert causes(rec)["diabetes"] == "likely" and causes(rec)["b12_deficiency"] == "confirmed"


def test_complete_exam_fixture_is_complete() -> None:
    assert set(NORMAL_EXAM) >= {
        "ankle_reflex",
        "knee_reflex",
        "plantar_response",
        "monofilament",
        "vibration",
        "power_ankle_dorsiflexion",
        "pedal_pulses",
    }


# --- lab boundaries through the rules, in every accepted unit -----------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "unit", "value", "cause"),
    [
        ("hba1c", "%", 6.4, "prediabetes"),
        ("hba1c", "%", 6.5, "diabetes"),
        ("hba1c", "mmol/mol", 47, "prediabetes"),
        ("hba1c", "mmol/mol", 48, "diabetes"),
        ("hba1c", "%", 5.6, None),
        ("hba1c", "mmol/mol", 38, None),
        ("fasting_glucose", "mg/dL", 125, "prediabetes"),
        ("fasting_glucose", "mg/dL", 126, "diabetes"),
        ("fasting_glucose", "mmol/L", 6.9, "prediabetes"),
        ("fasting_glucose", "mmol/L", 7.0, "diabetes"),
        ("ogtt_2h", "mg/dL", 139, None),
        ("ogtt_2h", "mg/dL", 140, "prediabetes"),
        ("ogtt_2h", "mg/dL", 199, "prediabetes"),
        ("ogtt_2h", "mg/dL", 200, "diabetes"),
        ("ogtt_2h", "mmol/L", 7.7, None),
        ("ogtt_2h", "mmol/L", 7.8, "prediabetes"),
        ("ogtt_2h", "mmol/L", 11.0, "prediabetes"),
        ("ogtt_2h", "mmol/L", 11.1, "diabetes"),
        ("random_glucose", "mg/dL", 199, None),
        ("random_glucose", "mg/dL", 200, "diabetes"),
        ("random_glucose", "mmol/L", 11.0, None),
        ("random_glucose", "mmol/L", 11.1, "diabetes"),
    ],
)
def test_glucose_boundaries_through_g1(test: str, unit: str, value: float, cause: str | None) -> None:
    rec = run(make_case(labs=[lab(test, value, unit), lab("b12", 420)]))
    found = [c for c in causes(rec) if c in ("diabetes", "prediabetes")]
    assert found == ([cause] if cause else [])


@pytest.mark.parametrize(
    ("test", "unit", "value", "certainty"),
    [
        ("b12", "pg/mL", 179, "confirmed"),
        ("b12", "pg/mL", 180, "possible"),
        ("b12", "pg/mL", 350, "possible"),
        ("b12", "pg/mL", 351, None),
        ("b12", "ng/L", 179, "confirmed"),
        ("b12", "ng/L", 180, "possible"),
        ("b12", "ng/L", 350, "possible"),
        ("b12", "ng/L", 351, None),
        ("b12", "pmol/L", 132, "confirmed"),
        ("b12", "pmol/L", 133, "possible"),
        ("b12", "pmol/L", 258, "possible"),
        ("b12", "pmol/L", 259, None),
        ("active_b12", "pmol/L", 24, "confirmed"),
        ("active_b12", "pmol/L", 25, "possible"),
        ("active_b12", "pmol/L", 70, "possible"),
        ("active_b12", "pmol/L", 71, None),
    ],
)
def test_b12_boundaries_through_b1(test: str, unit: str, value: float, certainty: str | None) -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab(test, value, unit)]))
    assert causes(rec).get("b12_deficiency") == certainty


@pytest.mark.parametrize(
    ("value", "unit", "raised"),
    [(0.40, "umol/L", False), (0.41, "umol/L", True), (400, "nmol/L", False), (401, "nmol/L", True)],
)
def test_mma_boundaries_decide_an_indeterminate_b12(value: float, unit: str, raised: bool) -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab("b12", 250), lab("mma", value, unit)]))
    assert causes(rec).get("b12_deficiency") == ("confirmed" if raised else None)
