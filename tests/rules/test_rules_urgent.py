"""Section 4: the urgent rules U1-U10, each firing, not firing, and at its boundaries."""

from __future__ import annotations

import pytest

from tests.rules.casebuilder import causes, codes, lab, make_case, normal_bloods, referrals, run, step

HYPOREFLEXIC = {"ankle_reflex": {"left": 1, "right": 0}, "knee_reflex": {"left": 1, "right": 1}}


# --- U1: upper motor neuron signs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exam_update",
    [
        {"plantar_response": {"left": "extensor", "right": "flexor"}},
        {"plantar_response": {"left": "flexor", "right": "extensor"}},
        {"ankle_reflex": {"left": 3, "right": 2}},
        {"ankle_reflex": {"left": 2, "right": 4}},
        {"knee_reflex": {"left": 2, "right": 3}},
        {"knee_reflex": {"left": 2, "right": 4}},
        {"knee_reflex": {"left": 4, "right": 4}},
        {"ankle_reflex": {"left": 0, "right": 0}, "plantar_response": {"left": "extensor", "right": "extensor"}},
    ],
)
def test_u1_upper_motor_neuron_signs_refer_urgently_for_brain_and_spine(exam_update: dict[str, object]) -> None:
    rec = run(make_case(exam_update=exam_update, labs=normal_bloods()))
    neuro = step(rec, "refer_neurology")
    assert neuro["urgency"] == "urgent" and "brain_spine_assessment" in neuro["requests"] and "U1" in neuro["rules"]
    assert rec["pattern"] == "central" and rec["stage"] == "refer" and rec["urgency"] == "urgent"
    assert causes(rec)["cns_disorder"] == "possible"


@pytest.mark.parametrize(
    "exam_update",
    [{"ankle_reflex": {"left": 2, "right": 2}}, {"plantar_response": {"left": "equivocal", "right": "flexor"}}],
)
def test_u1_does_not_fire_on_normal_reflexes_or_an_equivocal_plantar(exam_update: dict[str, object]) -> None:
    rec = run(make_case(exam_update=exam_update, labs=normal_bloods()))
    assert rec["pattern"] != "central" and "cns_disorder" not in causes(rec)


@pytest.mark.parametrize("history", ["stroke", "multiple_sclerosis"])
def test_u1_cns_disorder_is_likely_with_a_stroke_or_ms_history(history: str) -> None:
    doc = make_case(history={"cns_history": [history]}, exam_update={"knee_reflex": {"left": 4, "right": 2}})
    rec = run(doc)
    assert causes(rec)["cns_disorder"] == "likely"
    assert [c["rules"] for c in rec["causes"] if c["code"] == "cns_disorder"] == [["U1"]]


# --- U2 / U6: weakness on examination ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "grade", "fires"),
    [
        ("power_ankle_dorsiflexion", 4, True),
        ("power_ankle_dorsiflexion", 5, False),
        ("power_ankle_dorsiflexion", 0, True),
        ("power_ankle_plantarflexion", 4, True),
        ("power_ankle_plantarflexion", 5, False),
    ],
)
def test_u2_mrc_4_or_less_refers_urgently_for_ncs_emg(item: str, grade: int, fires: bool) -> None:
    rec = run(make_case(exam_update={item: {"left": 5, "right": grade}}, labs=normal_bloods()))
    neuro = [s for s in rec["next_steps"] if s["code"] == "refer_neurology" and "U2" in s["rules"]]
    assert bool(neuro) is fires
    if fires:
        assert neuro[0]["urgency"] == "urgent" and neuro[0]["requests"][:2] == ["ncs", "emg"]


def test_u2_weakness_only_reported_by_the_patient_does_not_refer() -> None:
    rec = run(make_case(symptoms=("numbness", "weakness"), labs=normal_bloods()))
    assert rec["urgency"] == "routine"


def test_u6_radicular_pattern_with_weakness_goes_to_the_spinal_service_not_neurology() -> None:
    doc = make_case(symptoms=("radiating_leg_pain",), exam_update={"power_ankle_dorsiflexion": {"left": 4, "right": 5}})
    rec = run(doc)
    assert rec["pattern"] == "radicular"
    assert referrals(rec) == {"spinal": "urgent"}
    assert step(rec, "refer_spinal")["rules"] == ["U6"]
    assert causes(rec)["lumbar_radiculopathy"] == "likely"
    assert "back_posture_exercises" not in codes(rec)  # R1 is for radicular numbness without weakness


# --- U3: suspected CIDP ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("course", "weeks", "symptoms", "reflexes", "fires"),
    [
        ("worsening", 8, ("weakness",), HYPOREFLEXIC, True),
        ("relapsing", 8, ("weakness",), HYPOREFLEXIC, True),
        ("worsening", 7.9, ("weakness",), HYPOREFLEXIC, False),
        ("stable", 52, ("weakness",), HYPOREFLEXIC, False),
        ("improving", 52, ("weakness",), HYPOREFLEXIC, False),
        ("worsening", 52, ("numbness",), HYPOREFLEXIC, False),
        ("worsening", 52, ("weakness",), {"ankle_reflex": {"left": 1, "right": 1}, "knee_reflex": {"left": 2}}, False),
        ("worsening", 52, ("weakness",), {"ankle_reflex": {"left": 0}, "knee_reflex": {"left": 0, "right": 0}}, False),
        ("worsening", 52, ("weakness",), {"ankle_reflex": {"left": 0, "right": 1}, "knee_reflex": {}}, True),
    ],
)
def test_u3_worsening_or_relapsing_8_weeks_with_weakness_and_hyporeflexia_is_possible_cidp(
    course: str, weeks: float, symptoms: tuple[str, ...], reflexes: dict[str, object], fires: bool
) -> None:
    rec = run(make_case(course=course, duration=weeks, symptoms=symptoms, exam_update=reflexes, labs=normal_bloods()))
    assert ("cidp" in causes(rec)) is fires
    if fires:
        assert causes(rec)["cidp"] == "possible"
        neuro = step(rec, "refer_neurology")
        assert neuro["urgency"] == "urgent" and "U3" in neuro["rules"] and {"ncs", "emg"} <= set(neuro["requests"])


def test_u3_objective_weakness_counts_as_weakness() -> None:
    exam = HYPOREFLEXIC | {"power_ankle_plantarflexion": {"left": 4, "right": 4}}
    rec = run(make_case(course="worsening", duration=12, exam_update=exam))
    assert step(rec, "refer_neurology")["rules"] == ["U2", "U3"]


# --- U4: subacute, spreading length-dependent numbness ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("course", "weeks", "areas", "fires"),
    [
        ("worsening", 25.9, ("toes", "sole", "above_ankle"), True),
        ("worsening", 26, ("toes", "sole", "above_ankle"), False),
        ("worsening", 4, ("toes", "hands"), True),
        ("worsening", 4, ("toes", "sole"), False),
        ("stable", 4, ("toes", "hands"), False),
        ("relapsing", 4, ("toes", "hands"), False),
    ],
)
def test_u4_length_dependent_numbness_worsening_under_26_weeks_above_the_ankle_or_in_the_hands(
    course: str, weeks: float, areas: tuple[str, ...], fires: bool
) -> None:
    rec = run(make_case(course=course, duration=weeks, areas=areas, labs=normal_bloods()))
    assert rec["pattern"] == "length_dependent"
    fired = [s for s in rec["next_steps"] if "U4" in s["rules"]]
    assert bool(fired) is fires
    if fires:
        assert fired[0]["code"] == "refer_neurology" and fired[0]["urgency"] == "urgent"


def test_u4_needs_a_length_dependent_pattern() -> None:
    rec = run(make_case(sides="left", course="worsening", duration=4, areas=("toes", "above_ankle")))
    assert rec["pattern"] == "focal"  # 2026.12 P1: any one-sided presentation that is not radicular
    assert not [s for s in rec["next_steps"] if "U4" in s["rules"]]


# --- U5: paraprotein -------------------------------------------------------------------------------------------------


def test_u5_paraprotein_refers_urgently_to_neurology_and_haematology() -> None:
    rec = run(make_case(labs=[*normal_bloods(), lab("spep", "paraprotein")]))
    assert referrals(rec) == {"neurology": "urgent", "haematology": "urgent"}
    assert causes(rec)["paraproteinaemic_neuropathy"] == "likely"
    assert step(rec, "refer_haematology")["requests"] == ["assessment"]
    assert {"ncs", "emg"} <= set(step(rec, "refer_neurology")["requests"])
    assert rec["stage"] == "refer"


def test_u5_a_later_normal_spep_replaces_an_older_paraprotein() -> None:
    labs = [*normal_bloods(), lab("spep", "paraprotein", on="2026-01-01"), lab("spep", "normal", on="2026-10-01")]
    rec = run(make_case(labs=labs))
    assert "paraproteinaemic_neuropathy" not in causes(rec)


def test_u5_normal_spep_does_not_fire() -> None:
    assert "refer_haematology" not in codes(run(make_case(labs=[*normal_bloods(), lab("spep", "normal")])))


# --- U7, U8: foot and arteries ---------------------------------------------------------------------------------------


def test_u7_foot_ulcer_refers_to_the_diabetic_foot_service_urgently() -> None:
    rec = run(make_case(exam_update={"foot_inspection": "ulcer_or_infection"}, labs=normal_bloods()))
    assert referrals(rec)["diabetic_foot_service"] == "urgent"
    assert step(rec, "refer_diabetic_foot_service")["rules"] == ["U7"]
    assert rec["stage"] == "refer"


def test_u7_normal_foot_inspection_does_not_fire() -> None:
    rec = run(make_case(exam_update={"foot_inspection": "normal"}, labs=normal_bloods()))
    assert "diabetic_foot_service" not in referrals(rec)


@pytest.mark.parametrize(
    ("abi", "vascular", "pad"),
    [
        (0.49, "urgent", "confirmed"),
        (0.50, "routine", "confirmed"),
        (0.90, "routine", "confirmed"),
        (0.91, None, None),
        (1.40, None, None),
        (1.41, None, None),
        (0.0, "urgent", "confirmed"),
    ],
)
def test_u8_and_c10_abi_bands(abi: float, vascular: str | None, pad: str | None) -> None:
    rec = run(make_case(exam_update={"abi": {"left": abi, "right": 1.1}}, labs=normal_bloods()))
    assert referrals(rec).get("vascular") == vascular
    assert causes(rec).get("pad") == pad


def test_u8_wins_over_c10_when_the_two_legs_differ() -> None:
    rec = run(make_case(exam_update={"abi": {"left": 0.45, "right": 0.8}}))
    assert step(rec, "refer_vascular")["rules"] == ["U8"]
    assert [c["rules"] for c in rec["causes"] if c["code"] == "pad"] == [["U8"]]


# --- U9, U10 ---------------------------------------------------------------------------------------------------------


def test_u9_confirmed_b12_deficiency_is_treated_urgently_without_a_referral_stage() -> None:
    rec = run(make_case(labs=[lab("hba1c", 5.3), lab("b12", 179)]))
    treat = step(rec, "treat_b12_deficiency")
    assert treat["urgency"] == "urgent" and treat["rules"] == ["U9"]
    assert rec["urgency"] == "urgent" and rec["stage"] == "manage"
    assert causes(rec)["b12_deficiency"] == "confirmed"


@pytest.mark.parametrize(("weeks", "fires"), [(1, True), (52, True), (0.99, False)])
def test_u10_sudden_onset_a_week_or_more_ago_goes_to_the_stroke_service_within_7_days(
    weeks: float, fires: bool
) -> None:
    rec = run(make_case(onset="sudden", duration=weeks, labs=normal_bloods()))
    if fires:
        stroke = step(rec, "refer_stroke_service")
        assert (stroke["urgency"], stroke["timeframe"], stroke["rules"]) == ("urgent", "within_7_days", ["U10"])
        assert referrals(rec)["stroke_service"] == "urgent"
        assert not [s for s in rec["next_steps"] if "U10" in s["rules"] and s["code"] == "refer_neurology"]
        assert causes(rec)["stroke"] == "possible" and rec["stage"] == "refer"
    else:
        assert rec["stage"] == "emergency"


# --- merging ---------------------------------------------------------------------------------------------------------


def test_two_rules_asking_for_neurology_give_one_step_with_the_union_of_requests() -> None:
    exam = {"knee_reflex": {"left": 3, "right": 2}, "power_ankle_dorsiflexion": {"left": 4, "right": 4}}
    rec = run(make_case(exam_update=exam, labs=normal_bloods()))
    assert codes(rec).count("refer_neurology") == 1
    neuro = step(rec, "refer_neurology")
    assert neuro["rules"] == ["U1", "U2"]
    assert neuro["requests"] == ["ncs", "emg", "brain_spine_assessment"]
    [ref] = [r for r in rec["referrals"] if r["service"] == "neurology"]
    assert ref["requests"] == neuro["requests"] and ref["urgency"] == "urgent"


def test_urgent_and_routine_neurology_merge_at_the_higher_urgency() -> None:
    rec = run(make_case(exam_update={"power_ankle_dorsiflexion": {"left": 4, "right": 5}}, labs=normal_bloods()))
    neuro = step(rec, "refer_neurology")
    assert neuro["rules"] == ["U2", "N1"] and neuro["urgency"] == "urgent"
    assert {"order_spep", "order_ogtt", "order_tsh"} <= set(codes(rec))
