"""2026.12 sections 2 and 6: the nice_ph38 profile, confirm_diabetes, B1 nitrous oxide, C5, C13-C17 and N1."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.casebuilder import causes, codes, lab, make_case, normal_bloods, referrals, run, step, warnings_at
from workup.rules import band

# --- G1: the nice_ph38 glycaemia profile -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "value", "unit", "ph38", "ada"),
    [
        ("fasting_glucose", 5.4, "mmol/L", "normal", "normal"),
        ("fasting_glucose", 5.5, "mmol/L", "prediabetes", "normal"),
        ("fasting_glucose", 5.6, "mmol/L", "prediabetes", "prediabetes"),
        ("fasting_glucose", 98, "mg/dL", "normal", "normal"),
        ("fasting_glucose", 99, "mg/dL", "prediabetes", "normal"),
        ("fasting_glucose", 6.9, "mmol/L", "prediabetes", "prediabetes"),
        ("fasting_glucose", 7.0, "mmol/L", "diabetes", "diabetes"),
        ("fasting_glucose", 126, "mg/dL", "diabetes", "diabetes"),
        ("hba1c", 41, "mmol/mol", "normal", "prediabetes"),
        ("hba1c", 42, "mmol/mol", "prediabetes", "prediabetes"),
        ("hba1c", 38, "mmol/mol", "normal", "normal"),
        ("hba1c", 48, "mmol/mol", "diabetes", "diabetes"),
        ("hba1c", 5.9, "%", "normal", "prediabetes"),
        ("hba1c", 6.0, "%", "prediabetes", "prediabetes"),
        ("hba1c", 6.5, "%", "diabetes", "diabetes"),
        ("ogtt_2h", 7.8, "mmol/L", "prediabetes", "prediabetes"),  # not profiled
    ],
)
def test_g1_nice_ph38_moves_only_the_lower_edge_of_the_middle_band(
    test: str, value: float, unit: str, ph38: str, ada: str
) -> None:
    doc = make_case(labs=[lab(test, value, unit), lab("b12", 420)])
    for profile, expected in (("nice_ph38", ph38), ("ada_2025", ada)):
        rec = run(doc, glycaemia_profile=profile)
        found = {c: v for c, v in causes(rec).items() if c in ("diabetes", "prediabetes")}
        wanted = {} if expected == "normal" else {expected: "possible" if expected == "prediabetes" else "likely"}
        assert found == wanted, profile
        assert rec["profiles"]["glycaemia"] == profile
        assert band(test, value, unit, glycaemia_profile=profile) == expected


# --- G1: confirm_diabetes names the high test ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "words", "not_words"),
    [
        (lab("hba1c", 6.5), ["HbA1c"], ["fasting"]),
        (lab("fasting_glucose", 7.0, "mmol/L"), ["fasting glucose"], ["HbA1c"]),
        (lab("ogtt_2h", 11.1, "mmol/L"), ["OGTT"], ["HbA1c"]),
        (lab("random_glucose", 11.1, "mmol/L"), ["HbA1c", "fasting glucose"], []),
    ],
)
def test_g1_confirm_diabetes_names_the_test_to_repeat(
    row: dict[str, Any], words: list[str], not_words: list[str]
) -> None:
    rec = run(make_case(labs=[row, lab("b12", 420)]))
    text = step(rec, "confirm_diabetes")["text"]
    for word in words:
        assert word in text, text
    for word in not_words:
        assert word not in text, text
    assert causes(rec)["diabetes"] == "likely"


def test_g1_a_likely_diabetes_leaves_the_glucose_requirement_unmet_so_n1_waits() -> None:
    rec = run(make_case(exam_update={"foot_inspection": []}, labs=[lab("hba1c", 6.6), lab("b12", 420)]))
    assert "refer_neurology" not in codes(rec) and rec["stage"] == "bloods"


def test_g1_a_repeat_of_the_high_test_below_the_line_follows_the_latest_results() -> None:
    labs = [lab("hba1c", 6.6, on="2026-09-01"), lab("hba1c", 5.2, on="2026-11-01"), lab("b12", 420)]
    rec = run(make_case(labs=labs))
    assert "diabetes" not in causes(rec) and "confirm_diabetes" not in codes(rec)
    assert step(rec, "refer_neurology")["rules"] == ["N1"]


# --- B1 / U9 / U13: nitrous oxide -------------------------------------------------------------------------------------

NITROUS = {"b12_risks": ["nitrous_oxide"]}


@pytest.mark.parametrize(
    ("labs", "certainty", "order_mma"),
    [
        ([lab("b12", 420)], "likely", True),
        ([lab("b12", 420), lab("mma", 0.3)], "likely", False),
        ([lab("b12", 420), lab("mma", 0.6)], "confirmed", False),
        ([lab("b12", 250), lab("mma", 0.6), lab("egfr", 29)], "confirmed", False),  # eGFR < 30 still confirmed
        ([lab("b12", 250), lab("mma", 0.6), lab("egfr", 29)], "confirmed", False),
    ],
)
def test_b1_nitrous_oxide_is_at_least_likely_whatever_the_serum_b12(
    labs: list[dict[str, Any]], certainty: str, order_mma: bool
) -> None:
    rec = run(make_case(history=NITROUS, labs=[lab("hba1c", 5.0), *labs]))
    assert causes(rec)["b12_deficiency"] == certainty
    assert ("order_mma" in codes(rec)) is order_mma
    treat = step(rec, "treat_b12_deficiency")
    assert (treat["urgency"], treat["timeframe"], treat["rules"]) == ("urgent", "same_day", ["U9"])


def test_b1_without_nitrous_oxide_egfr_below_30_leaves_a_raised_mma_likely() -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.0), lab("b12", 250), lab("mma", 0.6), lab("egfr", 29)]))
    assert causes(rec)["b12_deficiency"] == "likely"


# --- C5: chemotherapy timing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "weeks", "certainty"),
    [
        (0, 30, "likely"),  # ongoing
        (6, 0.5, "likely"),
        (6, 520, "likely"),
        (7, 4.4, "likely"),  # began within 6 months of the last dose: 4.4 >= 4.345 x 1
        (7, 4.3, "possible"),
        (12, 26.1, "likely"),  # 4.345 x 6 = 26.07 weeks
        (12, 26, "possible"),
        (12, 20, "possible"),
        (120, 400, "possible"),
    ],
)
def test_c5_chemotherapy_is_likely_only_when_the_timing_fits(months: float, weeks: float, certainty: str) -> None:
    history = {"chemotherapy": ["taxane"], "chemotherapy_ended_months_ago": months}
    rec = run(make_case(duration=weeks, history=history, labs=normal_bloods()))
    assert causes(rec)["chemotherapy"] == certainty
    assert ("review_neurotoxic_drugs" in codes(rec)) is (certainty == "likely")
    # A likely chemotherapy cause explains the numbness (no N1); a possible one does not.
    assert ("refer_neurology" in codes(rec)) is (certainty == "possible")
    assert not warnings_at(rec, "history.chemotherapy_ended_months_ago")


# --- C13: neuropathic pain and its cautions ------------------------------------------------------------------------------


@pytest.mark.parametrize("symptom", ["burning", "shooting_pain"])
def test_c13_burning_or_shooting_pain_offers_nice_cg173_medicines(symptom: str) -> None:
    text = step(run(make_case(symptoms=(symptom,), labs=normal_bloods())), "neuropathic_pain_treatment")["text"]
    for drug in ("amitriptyline", "duloxetine", "gabapentin", "pregabalin"):
        assert drug in text


def test_c13_does_not_fire_without_pain() -> None:
    assert "neuropathic_pain_treatment" not in codes(run(make_case(symptoms=("numbness", "tingling"))))


@pytest.mark.parametrize(("egfr", "cautioned"), [(59, True), (30, True), (29, True), (60, False)])
def test_c13_reduced_egfr_reduces_gabapentinoid_doses(egfr: float, cautioned: bool) -> None:
    rec = run(make_case(symptoms=("burning",), labs=[*normal_bloods(), lab("egfr", egfr)]))
    assert ("reduce gabapentinoid doses" in step(rec, "neuropathic_pain_treatment")["text"]) is cautioned


@pytest.mark.parametrize(("age", "cautioned"), [(64, False), (65, True), (90, True)])
def test_c13_falls_risk_from_age_65(age: int, cautioned: bool) -> None:
    doc = make_case(symptoms=("shooting_pain",), labs=normal_bloods())
    doc["patient"]["age_years"] = age
    assert ("falls risk" in step(run(doc), "neuropathic_pain_treatment")["text"]) is cautioned


# --- C14: medicines that harm nerves ----------------------------------------------------------------------------------

POINTS = {
    "isoniazid": "pyridoxine",
    "vitamin_b6_supplement": "stop doses above 10 mg a day",
    "nitrofurantoin": "weigh stopping or switching",
    "metronidazole": "weigh stopping or switching",
    "amiodarone": "weigh stopping or switching",
    "colchicine": "weigh stopping or switching",
    "phenytoin": "weigh stopping or switching",
}


@pytest.mark.parametrize(("drug", "point"), list(POINTS.items()))
def test_c14_each_neurotoxic_medicine_is_named_with_its_point(drug: str, point: str) -> None:
    rec = run(make_case(history={"medications": [drug]}, labs=normal_bloods()))
    review = step(rec, "review_medicines")
    assert review["rules"] == ["C14"] and review["urgency"] == "routine"
    name = "vitamin b6" if drug == "vitamin_b6_supplement" else drug
    assert name in review["text"].lower() and point in review["text"], review["text"]
    assert causes(rec)["drug_induced_neuropathy"] == "possible"


def test_c14_several_medicines_each_keep_their_point() -> None:
    rec = run(make_case(history={"medications": ["isoniazid", "amiodarone"]}, labs=normal_bloods()))
    text = step(rec, "review_medicines")["text"]
    assert "pyridoxine" in text and "amiodarone" in text.lower() and "weigh stopping" in text


@pytest.mark.parametrize("where", ["medications", "b12_risks"])
@pytest.mark.parametrize(("egfr", "fires"), [(29, True), (29.9, True), (30, False), (60, False)])
def test_c14_metformin_with_egfr_below_30_is_contraindicated(where: str, egfr: float, fires: bool) -> None:
    rec = run(make_case(history={where: ["metformin"]}, labs=[*normal_bloods(), lab("egfr", egfr)]))
    assert ("review_medicines" in codes(rec)) is fires
    if fires:
        assert "contraindicated" in step(rec, "review_medicines")["text"]
    assert "drug_induced_neuropathy" not in causes(rec)  # not for metformin alone


@pytest.mark.parametrize("drug", ["statin", "proton_pump_inhibitor", "h2_receptor_antagonist"])
def test_c14_other_medicines_are_not_reviewed(drug: str) -> None:
    rec = run(make_case(history={"medications": [drug]}, labs=normal_bloods()))
    assert "review_medicines" not in codes(rec) and "drug_induced_neuropathy" not in causes(rec)


# --- C15: hereditary features ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "posture", "fires"),
    [
        ({"family_history_neuropathy": True}, None, True),
        ({"family_history_neuropathy": False}, None, False),
        ({}, {"left": "supinated", "right": "supinated"}, True),
        ({}, {"left": "supinated", "right": "neutral"}, False),
    ],
)
def test_c15_family_history_or_high_arches_on_both_feet_ask_for_genetic_assessment(
    history: dict[str, Any], posture: dict[str, str] | None, fires: bool
) -> None:
    exam = {"foot_posture": posture} if posture else {}
    # Known diabetes explains the numbness: C15 applies whatever else explains it.
    doc = make_case(history={"diabetes": "known", **history}, exam_update={**exam, "foot_inspection": []})
    rec = run(doc | {"labs": [lab("b12", 420)]})
    assert ("hereditary_neuropathy" in causes(rec)) is fires
    if fires:
        neuro = step(rec, "refer_neurology")
        assert neuro["rules"] == ["C15"] and neuro["urgency"] == "routine"
        assert neuro["requests"] == ["ncs", "emg", "genetic_assessment"]
        assert rec["stage"] == "refer"
    else:
        assert "refer_neurology" not in codes(rec)


def test_c15_referral_waits_for_the_exam_but_the_cause_is_listed() -> None:
    rec = run(make_case(history={"family_history_neuropathy": True}, exam={}))
    assert causes(rec)["hereditary_neuropathy"] == "possible" and "refer_neurology" not in codes(rec)


# --- C16 ---------------------------------------------------------------------------------------------------------------


def test_c16_length_dependent_pattern_gets_diet_and_exercise_advice() -> None:
    rec = run(make_case(labs=normal_bloods()))
    advice = step(rec, "healthy_lifestyle")
    assert advice["rules"] == ["C16"] and "exercise" in advice["text"] and "sugar" in advice["text"]
    assert "healthy_lifestyle" not in codes(run(make_case(sides="left")))


# --- C17: vitamin B6, copper, calcium, magnesium -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "cause"),
    [
        (lab("vitamin_b6", 19, reference_range={"low": 20, "high": 125}), "b6_deficiency"),
        (lab("vitamin_b6", 126, reference_range={"low": 20, "high": 125}), "b6_toxicity"),
        (lab("vitamin_b6", 4.9, "ug/L", reference_range={"low": 5, "high": 30}), "b6_deficiency"),
        (lab("copper", 10.9, reference_range={"low": 11, "high": 22}), "copper_deficiency"),
        (lab("copper", 69, "ug/dL", reference_range={"low": 70, "high": 140}), "copper_deficiency"),
        (lab("calcium_adjusted", 2.19), "hypocalcaemia"),
        (lab("calcium_adjusted", 8.81, "mg/dL"), "hypocalcaemia"),
        (lab("calcium_adjusted", 2.29, reference_range={"low": 2.30, "high": 2.55}), "hypocalcaemia"),
        (lab("calcium_adjusted", 2.19, reference_range={"high": 2.5}), "hypocalcaemia"),  # default low stands
        (lab("magnesium", 0.69), "hypomagnesaemia"),
        (lab("magnesium", 1.70, "mg/dL"), "hypomagnesaemia"),
        (lab("magnesium", 0.74, reference_range={"low": 0.75}), "hypomagnesaemia"),
    ],
)
def test_c17_each_cause_fires_outside_the_range(row: dict[str, Any], cause: str) -> None:
    rec = run(make_case(labs=[*normal_bloods(), row]))
    assert causes(rec)[cause] == "possible"
    assert [c["rules"] for c in rec["causes"] if c["code"] == cause] == [["C17"]]


@pytest.mark.parametrize(
    "row",
    [
        lab("vitamin_b6", 20, reference_range={"low": 20, "high": 125}),
        lab("vitamin_b6", 125, reference_range={"low": 20, "high": 125}),
        lab("copper", 11, reference_range={"low": 11, "high": 22}),
        lab("copper", 30, reference_range={"low": 11, "high": 22}),  # high copper is not a cause here
        lab("calcium_adjusted", 2.20),
        lab("calcium_adjusted", 2.9),
        lab("calcium_adjusted", 8.82, "mg/dL"),
        lab("calcium_adjusted", 2.15, reference_range={"low": 2.10, "high": 2.50}),
        lab("magnesium", 0.70),
        lab("magnesium", 1.71, "mg/dL"),
        lab("magnesium", 0.65, reference_range={"low": 0.6}),
    ],
)
def test_c17_no_cause_within_the_range(row: dict[str, Any]) -> None:
    found = set(causes(run(make_case(labs=[*normal_bloods(), row]))))
    assert not found & {"b6_deficiency", "b6_toxicity", "copper_deficiency", "hypocalcaemia", "hypomagnesaemia"}


@pytest.mark.parametrize(
    "row", [lab("vitamin_b6", 5), lab("vitamin_b6", 900), lab("copper", 2), lab("copper", 5, "ug/dL")]
)
def test_c17_b6_and_copper_without_the_labs_range_are_recorded_not_interpreted(row: dict[str, Any]) -> None:
    rec = run(make_case(labs=[*normal_bloods(), row]))
    assert not set(causes(rec)) & {"b6_deficiency", "b6_toxicity", "copper_deficiency"}
    assert any("range" in w for w in warnings_at(rec, "labs[2].reference_range")), rec["warnings"]
    assert band(row["test"], row["value"], row["unit"]) == "not_interpreted"


def test_c17_high_b6_asks_to_stop_supplements() -> None:
    rec = run(make_case(labs=[*normal_bloods(), lab("vitamin_b6", 300, reference_range={"low": 20, "high": 125})]))
    review = step(rec, "review_medicines")
    assert review["rules"] == ["C17"] and "stop B6 supplements" in review["text"]


def test_c17_low_copper_refers_to_haematology_routinely() -> None:
    rec = run(make_case(labs=[*normal_bloods(), lab("copper", 8, reference_range={"low": 11, "high": 22})]))
    haem = step(rec, "refer_haematology")
    assert (haem["urgency"], haem["rules"], haem["requests"]) == ("routine", ["C17"], ["assessment"])
    assert "zinc" in haem["text"] and "copper" in haem["text"]


# --- N1: second-line bloods and its words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "symptoms", "labs", "wanted", "unwanted"),
    [
        ({"b12_risks": ["gastric_surgery"]}, ("numbness",), [], {"order_copper"}, {"order_b6"}),
        ({}, ("numbness", "imbalance"), [], {"order_copper"}, set()),
        ({}, ("numbness",), [], set(), {"order_copper", "order_b6"}),
        ({}, ("numbness", "imbalance"), [lab("copper", 15, reference_range={"low": 11})], set(), {"order_copper"}),
        ({"medications": ["isoniazid"]}, ("numbness",), [], {"order_b6"}, set()),
        ({"medications": ["vitamin_b6_supplement"]}, ("numbness",), [], {"order_b6"}, set()),
        ({"medications": ["vitamin_b6_supplement"]}, ("numbness",), [lab("vitamin_b6", 50)], set(), {"order_b6"}),
        ({"medications": ["amiodarone"]}, ("numbness",), [], set(), {"order_b6"}),
    ],
)
def test_n1_second_line_bloods_include_copper_and_b6_where_they_apply(
    history: dict[str, Any], symptoms: tuple[str, ...], labs: list[dict[str, Any]], wanted: set[str], unwanted: set[str]
) -> None:
    # Stable for 30 weeks, so imbalance is not an emergency (E6 is under a week).
    rec = run(make_case(history=history, symptoms=symptoms, labs=[*normal_bloods(), *labs]))
    assert "N1" in step(rec, "refer_neurology")["rules"]
    assert wanted <= set(codes(rec)) and not unwanted & set(codes(rec))
    for code in wanted:
        assert step(rec, code)["rules"] == ["N1"]


def test_n1_copper_for_sensory_ataxia_with_an_indeterminate_b12_settled_by_mma() -> None:
    labs = [lab("hba1c", 5.0), lab("b12", 250), lab("mma", 0.2)]
    rec = run(make_case(exam_update={"romberg": "positive"}, labs=labs))
    assert "order_copper" in codes(rec)


def test_n1_reason_lists_the_causes_that_do_not_explain_it() -> None:
    labs = [lab("hba1c", 6.0), lab("b12", 420), lab("tsh", 8.0)]
    rec = run(make_case(labs=labs))
    [ref] = [r for r in rec["referrals"] if r["service"] == "neurology"]
    reason = ref["reason"].lower()
    assert "prediabetes" in reason and "hypothyroidism" in reason
    assert "no cause found" not in reason
    [finding] = [f for f in rec["findings"] if f["code"] == "inconclusive"]
    assert "no cause found" not in finding["text"].lower() and "prediabetes" in finding["text"].lower()


def test_n1_without_any_cause_says_none_was_found() -> None:
    rec = run(make_case(labs=normal_bloods()))
    assert rec["causes"] == []
    [ref] = [r for r in rec["referrals"] if r["service"] == "neurology"]
    assert "no cause" in ref["reason"].lower()


def test_n1_refers_routinely_for_ncs_emg() -> None:
    rec = run(make_case(labs=normal_bloods()))
    assert referrals(rec) == {"neurology": "routine"}
    assert step(rec, "refer_neurology")["timeframe"] == "routine"
