"""The clinical rules of ruleset 2026.12, one small function each, held in explicit ordered lists of Rule records.

Each record names the rule's id, its function, its sources (clinical-rules.md 8) and how it moves the stage; the stage
logic, the sources of every step and the tests' list of rule ids are derived from these lists, never kept by hand.
Each rule reads the derived facts and asks the Outcome for steps, causes and findings; merging (each step once, at its
highest urgency and shortest timeframe) happens there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from workup.rules import emergency, text
from workup.rules import sources as src
from workup.rules.build import Outcome
from workup.rules.emergency import Seen
from workup.rules.facts import BLOODS_PATTERNS, SIDES, Facts, at_least, describe
from workup.rules.labs import duration, fmt
from workup.rules.thresholds import limit
from workup.rules.vocab import AREAS, CAUSES, CHEMOTHERAPY, CNS_HISTORY, FOOT_HISTORY, PATTERN, RED_FLAG_NOTE_WORDS
from workup.rules.vocab import SIDES as SIDE_LABELS

T = TypeVar("T")
URGENT = "urgent"
NCS_EMG = ("ncs", "emg")
# Labels as they read mid-sentence, looked up once here rather than per case.
AREA_WORDS = {code: words.lower() for code, words in AREAS}
SIDE_WORDS = {code: words.lower() for code, words in SIDE_LABELS}
PATTERN_WORDS = dict(PATTERN)
CNS_WORDS = {code: words.lower() for code, words in CNS_HISTORY}
CHEMOTHERAPY_WORDS = dict(CHEMOTHERAPY)
CAUSE_WORDS = dict(CAUSES)
FOOT_HISTORY_WORDS = {code: words.lower() for code, words in FOOT_HISTORY}
NOTE_WORDS = re.compile(r"\b(" + "|".join(RED_FLAG_NOTE_WORDS) + r")\b", re.IGNORECASE)
NEUROTOXIC = ("isoniazid", "nitrofurantoin", "metronidazole", "amiodarone", "colchicine", "phenytoin")


@dataclass(frozen=True, slots=True)
class Rule(Generic[T]):
    """One rule: its id, what it runs, the documents it follows, and how it moves the stage.

    ``refers`` is "now" for the rules whose referral moves the stage to refer at once (section 4), "neurology" for
    the section 6 rules whose neurology referral does once the earlier stages are done; ``children`` marks the rules
    that still apply under 16 (A1).
    """

    id: str
    run: Callable[[T, Outcome], None]
    sources: tuple[str, ...]
    refers: str = ""
    children: bool = False


def _weeks(f: Facts) -> float:
    return f.case.duration_weeks if f.case.duration_weeks is not None else 0.0


def _fmt_weeks(weeks: float) -> str:
    return duration(weeks)


def _lab_findings(f: Facts, out: Outcome, tests: tuple[str, ...], rule: str) -> None:
    latest = f.latest
    for test in tests:
        if test in latest:
            out.finding(f"lab_{test}", describe(latest[test]), rule)


def _listing(items: tuple[str, ...] | list[str]) -> str:
    return ", ".join(items)


# --- D1, P1: what the exam and the presentation show -------------------------------------------------------------


def d1_exam_facts(f: Facts, out: Outcome) -> None:
    """D1: UMN signs, brisk reflexes, weakness, hyporeflexia, LOPS, ischaemia, ataxia (clinical reference 3)."""
    if f.umn_signs:
        out.finding("umn_signs", f"Upper motor neuron signs: {_listing(f.umn_signs)}", "D1")
    if f.brisk_reflexes:
        out.finding(
            "brisk_reflexes",
            f"Brisk reflexes on both sides, not on their own a sign: {_listing(f.brisk_reflexes)}",
            "D1",
        )
    if f.objective_weakness:
        out.finding("objective_weakness", f"Weakness on examination: {_listing(f.objective_weakness)}", "D1")
    elif f.weakness:
        out.finding("weakness_reported", "Weakness reported by the patient (normal power on examination)", "D1")
    if f.hyporeflexia:
        out.finding("hyporeflexia", "Reflexes reduced or absent (both ankle reflexes, every recorded reflex low)", "D1")
    if f.lops:
        out.finding("lops", f"Loss of protective sensation (monofilament), {' and '.join(f.lops)} foot", "D1")
    if f.limb_ischaemia:
        out.finding("limb_ischaemia", f"Signs of limb ischaemia: {_listing(f.limb_ischaemia)}", "D1")
    if f.sensory_ataxia:
        out.finding("sensory_ataxia", f"Sensory ataxia: {_listing(f.sensory_ataxia)}", "D1")
    if f.noncompressible:
        out.finding(
            "abi_noncompressible",
            f"ABI above {limit('abi_compressible_max'):.2f} ({' and '.join(f.noncompressible)}): arteries not "
            "compressible",
            "D1",
        )


def p1_pattern(f: Facts, out: Outcome) -> None:
    """P1: the distribution of the numbness, first match wins (clinical reference section 3)."""
    areas = ", ".join(words for code, words in AREA_WORDS.items() if code in f.case.areas)
    sides = SIDE_WORDS.get(f.case.sides or "", "sides not recorded")
    out.finding("pattern", f"{PATTERN_WORDS[f.pattern]} pattern: {sides}; {areas}", "P1")


# --- G1, B1: the blood results ------------------------------------------------------------------------------------


def g1_glucose_status(f: Facts, out: Outcome) -> None:
    """G1: diabetes confirmed, likely or prediabetes from history and results (ADA 2025 s2; NICE PH38 profile)."""
    _lab_findings(f, out, ("hba1c", "fasting_glucose", "ogtt_2h", "random_glucose"), "G1")
    g = f.glucose
    if g.status:
        out.finding("glucose_status", f"{g.status.capitalize()} {g.certainty}: {'; '.join(g.evidence)}", "G1")
    if g.status == "diabetes" and g.certainty == "likely":
        why = f"a single diabetes-range result ({'; '.join(g.evidence)}) needs a second to confirm diabetes"
        out.step("confirm_diabetes", "G1", why, text=text.confirm_diabetes_text(g.repeat))


def b1_b12_status(f: Facts, out: Outcome) -> None:
    """B1: B12 status; MMA when indeterminate or with nitrous oxide; active B12 in pregnancy (NICE NG239; RCEM)."""
    _lab_findings(f, out, ("b12", "active_b12", "mma", "homocysteine"), "B1")
    b = f.b12
    if b.certainty:
        out.finding("b12_status", f"B12 deficiency {b.certainty}: {'; '.join(b.evidence)}", "B1")
    if b.order_mma:
        out.step("order_mma", "B1", f"B12 status unsettled: {'; '.join(b.evidence)}")
    if b.order_active_b12:
        out.step("order_active_b12", "B1", f"pregnancy: {'; '.join(b.evidence)}")


# --- Q1, Q2: red flags asked, not assumed --------------------------------------------------------------------------


def q1_ask_red_flags(f: Facts, out: Outcome) -> None:
    """Q1: red flags never asked: ask them before anything else (protocol: red flags first)."""
    if f.case.red_flags is None:
        out.step("ask_red_flags", "Q1", "the red flags have not been asked", urgency=URGENT, timeframe="now")


def q2_check_notes(f: Facts, out: Outcome) -> None:
    """Q2: the notes mention a red-flag word and nobody has checked them (NICE NG127; GIRFT)."""
    if f.case.notes_checked or not f.case.notes:
        return
    words = list(dict.fromkeys(m.lower() for m in NOTE_WORDS.findall(f.case.notes)))
    if words:
        why = f"the notes mention {', '.join(words)}"
        out.step("check_red_flags", "Q2", why, urgency=URGENT, timeframe="now", text=text.check_notes_text(words))


# --- Section 4: urgent and same-day ---------------------------------------------------------------------------------


def u1_upper_motor_neuron_signs(f: Facts, out: Outcome) -> None:
    """U1: UMN signs (extensor plantar, clonus, asymmetric brisk reflex): brain and spine assessment (NICE NG127)."""
    if not f.umn_signs:
        return
    why = f"upper motor neuron signs ({_listing(f.umn_signs)}) point to the brain or spinal cord"
    out.step("refer_neurology", "U1", why, urgency=URGENT, requests=("brain_spine_assessment",))
    history = [f"history of {words}" for code, words in CNS_WORDS.items() if code in f.case.cns_history]
    out.cause("cns_disorder", "likely" if history else "possible", ("U1",), [*f.umn_signs, *history])


def u2_objective_weakness(f: Facts, out: Outcome) -> None:
    """U2: weakness on examination, not radicular: urgent NCS/EMG (EAN/PNS 2021; Tayside, SA Health criteria)."""
    if f.objective_weakness and f.pattern != "radicular":
        why = f"weakness on examination ({_listing(f.objective_weakness)}): the neuropathy is not sensory only"
        out.step("refer_neurology", "U2", why, urgency=URGENT, requests=NCS_EMG)


def u3_suspected_cidp(f: Facts, out: Outcome) -> None:
    """U3: worsening or relapsing for 8 weeks or more with weakness and hyporeflexia: possible CIDP (EAN/PNS 2021)."""
    c = f.case
    course = c.course in ("worsening", "relapsing")
    if course and _weeks(f) >= limit("cidp_duration_from") and f.weakness and f.hyporeflexia:
        evidence = [f"{c.course} over {_fmt_weeks(_weeks(f))}", "weakness", "reduced or absent reflexes"]
        out.step("refer_neurology", "U3", f"possible CIDP: {', '.join(evidence)}", urgency=URGENT, requests=NCS_EMG)
        out.cause("cidp", "possible", ("U3",), evidence)


def u4_subacute_spread(f: Facts, out: Outcome) -> None:
    """U4: length-dependent numbness worsening for under 26 weeks, above the ankle or in the hands (NICE NG127)."""
    spread = [AREA_WORDS[a] for a in ("above_ankle", "hands") if a in f.case.areas]
    if (
        f.case.course == "worsening"
        and _weeks(f) < limit("subacute_duration_below")
        and f.pattern == "length_dependent"
        and spread
    ):
        why = f"numbness spreading ({' and '.join(spread)}) and worsening over {_fmt_weeks(_weeks(f))}"
        out.step("refer_neurology", "U4", why, urgency=URGENT, requests=NCS_EMG)


def u5_paraprotein(f: Facts, out: Outcome) -> None:
    """U5: paraprotein on serum electrophoresis: urgent neurology and haematology (AAN practice parameter 2009)."""
    _lab_findings(f, out, ("spep",), "U5")
    if f.band("spep") == "paraprotein":
        why = "paraprotein on serum protein electrophoresis"
        out.step("refer_neurology", "U5", why, urgency=URGENT, requests=NCS_EMG)
        out.step("refer_haematology", "U5", why, urgency=URGENT)
        out.cause("paraproteinaemic_neuropathy", "likely", ("U5",), [describe(f.latest["spep"])])


def u6_radicular_weakness(f: Facts, out: Outcome) -> None:
    """U6: radicular pattern with weakness on examination: urgent spinal referral (NICE NG59; Choosing Wisely)."""
    if f.objective_weakness and f.pattern == "radicular":
        why = f"nerve-root pattern with weakness on examination ({_listing(f.objective_weakness)})"
        out.step("refer_spinal", "U6", why, urgency=URGENT)
        out.cause("lumbar_radiculopathy", "likely", ("U6",), ["nerve-root pattern", *f.objective_weakness])


def u7_active_foot(f: Facts, out: Outcome) -> None:
    """U7: an active foot problem that is not limb-threatening: foot service within 1 working day (NICE NG19)."""
    found = [w for w in ("ulcer", "spreading_infection", "hot_swollen_foot") if w in (f.case.foot_inspection or ())]
    if found:
        why = f"active foot problem on inspection: {_listing([w.replace('_', ' ') for w in found])}"
        out.step("refer_diabetic_foot_service", "U7", why, urgency=URGENT, timeframe="within_1_working_day")
        if "hot_swollen_foot" in found:
            out.cause("charcot_foot", "possible", ("U7",), ["hot, swollen foot"])


def u8_critical_abi(f: Facts, out: Outcome) -> None:
    """U8: a valid ABI below 0.50: urgent vascular referral, PAD confirmed (2016 AHA/ACC PAD guideline)."""
    low = [f"ABI {v:.2f} ({side})" for side, v in f.valid_abi if v < limit("abi_critical_below")]
    if low:
        out.step("refer_vascular", "U8", f"severely reduced ankle-brachial index: {_listing(low)}", urgency=URGENT)
        out.cause("pad", "confirmed", ("U8",), low)


def u9_treat_b12(f: Facts, out: Outcome) -> None:
    """U9: B12 deficiency confirmed (or likely with nitrous oxide): treat today (NICE NG239; BNF; protocol)."""
    b = f.b12
    if b.certainty == "confirmed" or (b.certainty == "likely" and f.nitrous_oxide):
        why = f"B12 deficiency {b.certainty} with nerve symptoms ({'; '.join(b.evidence)})"
        out.step("treat_b12_deficiency", "U9", why, urgency=URGENT, timeframe="same_day")
        out.cause("b12_deficiency", b.certainty, ("U9",), b.evidence)


def u10_past_sudden_onset(f: Facts, out: Outcome) -> None:
    """U10: sudden onset a week or more ago: stroke service within 7 days (national stroke guideline 2023)."""
    if f.case.onset == "sudden" and _weeks(f) >= limit("emergency_onset_below"):
        why = f"sudden onset {_fmt_weeks(_weeks(f))} ago: a possible past TIA or minor stroke, not yet assessed"
        out.step("refer_stroke_service", "U10", why, urgency=URGENT, timeframe="within_7_days")
        out.cause("stroke", "possible", ("U10",), [f"sudden onset {_fmt_weeks(_weeks(f))} ago"])


def u11_bilateral_sciatica(f: Facts, out: Outcome) -> None:
    """U11: nerve-root pattern in both legs (bilateral sciatica): cauda equina screen today (NICE CKS; GIRFT)."""
    c = f.case
    if (
        f.pattern == "radicular"
        and c.sides == "both"
        and ("radiating_leg_pain" in c.symptoms or "back_of_leg" in c.areas)
    ):
        why = "nerve-root symptoms in both legs (bilateral sciatica)"
        out.step("assess_cauda_equina_today", "U11", why, urgency=URGENT, timeframe="same_day")
        out.cause("cauda_equina", "possible", ("U11",), ["bilateral sciatica"])


def u12_critical_glucose(f: Facts, out: Outcome) -> None:
    """U12: a latest glucose at the critical line: assess today for DKA or HHS (JBDS; laboratory critical results)."""
    line = "glucose_critical_child" if f.child else "glucose_critical"
    high = [
        describe(f.latest[t])
        for t in ("fasting_glucose", "random_glucose", "ogtt_2h")
        if t in f.latest and at_least(f.latest[t].lab, f"{line}_mmol", f"{line}_mg")
    ]
    if high:
        why = f"critically high glucose ({'; '.join(high)})"
        out.step("assess_hyperglycaemia_today", "U12", why, urgency=URGENT, timeframe="same_day")


def u13_nitrous_oxide(f: Facts, out: Outcome) -> None:
    """U13: nitrous oxide: stop it, treat B12 at once, neurology when the cord is involved (RCEM 2024)."""
    if not f.nitrous_oxide:
        return
    out.step("stop_nitrous_oxide", "U13", "recreational nitrous oxide use", urgency=URGENT, timeframe="same_day")
    cord = [*f.sensory_ataxia, *f.objective_weakness]
    if cord:
        why = f"nitrous oxide use with {_listing(cord)}: possible myeloneuropathy"
        out.step("refer_neurology", "U13", why, urgency=URGENT, requests=("neurology_review",))


def u14_ms_relapse(f: Facts, out: Outcome) -> None:
    """U14: known MS with new or worsening symptoms under 4 weeks: the MS team within 1 working day (NICE NG220)."""
    c = f.case
    if (
        "multiple_sclerosis" in c.cns_history
        and c.course in ("worsening", "relapsing")
        and _weeks(f) < limit("ms_relapse_below")
    ):
        why = f"known multiple sclerosis, {c.course} over {_fmt_weeks(_weeks(f))}: possible relapse"
        out.step("contact_ms_team", "U14", why, urgency=URGENT, timeframe="within_1_working_day")


# --- Section 5: the early stages -----------------------------------------------------------------------------------


def s1_complete_exam(f: Facts, out: Outcome) -> None:
    """S1: core exam items not recorded (protocol: chronic foot numbness, examination before tests)."""
    if f.missing_exam:
        why = "the core examination is needed before tests and referrals can be judged"
        out.step("complete_exam", "S1", why, items=list(f.missing_exam))


def s2_order_glucose(f: Facts, out: Outcome) -> None:
    """S2: no glucose result that counts, for a pattern that needs bloods (protocol: chronic foot numbness)."""
    if f.pattern in BLOODS_PATTERNS and not f.glucose.requirement_met and not out.has("confirm_diabetes"):
        out.step("order_glucose_test", "S2", "no diabetes test yet: diabetes is the commonest cause of neuropathy")


def s3_order_b12(f: Facts, out: Outcome) -> None:
    """S3: no B12 result, for a pattern that needs bloods (protocol: chronic foot numbness)."""
    if f.pattern in BLOODS_PATTERNS and not f.b12.tested:
        out.step("order_b12", "S3", "no vitamin B12 result yet: deficiency damages nerves and is treatable")


def s4_safety_net(f: Facts, out: Outcome) -> None:
    """S4: every recommendation that is not an emergency tells the patient when to seek help (NICE NG127)."""
    out.step("safety_net", "S4", "the patient needs to know which symptoms mean help at once")


# --- A1, A2: children and pregnancy ----------------------------------------------------------------------------------


def a1_children(f: Facts, out: Outcome) -> None:
    """A1: under 16: the rules are written for adults; refer to paediatrics (NICE NG127 under-16s; NG239)."""
    if not f.child:
        return
    urgent = f.case.course == "worsening" or bool(f.objective_weakness)
    why = f"aged {f.case.age_years}: these rules are written for adults" + (
        ", and the numbness is worsening or there is weakness" if urgent else ""
    )
    if urgent:
        out.step("refer_paediatrics", "A1", why, urgency=URGENT, timeframe="within_2_weeks")
    else:
        out.step("refer_paediatrics", "A1", why)
    out.warn(f"patient.age_years: the rules are written for people aged {fmt(limit('adult_age_from'))} and over")


def a2_gestational_diabetes(f: Facts, out: Outcome) -> None:
    """A2: pregnancy with fasting or two-hour glucose at the NG3 lines: antenatal diabetes team (NICE NG3)."""
    found = f.glucose.gestational
    if found:
        why = f"pregnancy with {'; '.join(found)}: possible gestational diabetes"
        out.step("refer_antenatal_diabetes", "A2", why, urgency=URGENT, timeframe="within_1_working_day")
        out.cause("gestational_diabetes", "possible", ("A2",), found)


# --- Section 6: causes and routine steps --------------------------------------------------------------------------


def c1_diabetes(f: Facts, out: Outcome) -> None:
    """C1: diabetes confirmed or likely: glycaemic control and foot protection (ADA Standards of Care 2025, s2)."""
    g = f.glucose
    if g.status == "diabetes" and g.certainty:
        out.cause("diabetes", g.certainty, ("G1", "C1"), g.evidence)
        out.step("manage_glycaemia", "C1", f"diabetes {g.certainty}")
        out.step("foot_protection", "C1", "diabetes: feet at risk")


def c2_prediabetes(f: Facts, out: Outcome) -> None:
    """C2: prediabetes range: glycaemic control (ADA Standards of Care 2025, section 2)."""
    g = f.glucose
    if g.status == "prediabetes":
        out.cause("prediabetes", "possible", ("G1", "C2"), g.evidence)
        out.step("manage_glycaemia", "C2", f"prediabetes range ({'; '.join(g.evidence)})")


def c3_b12_deficiency(f: Facts, out: Outcome) -> None:
    """C3: B12 deficiency as B1 found it (NICE NG239)."""
    if f.b12.certainty:
        out.cause("b12_deficiency", f.b12.certainty, ("B1", "C3"), f.b12.evidence)


def c4_alcohol(f: Facts, out: Outcome) -> None:
    """C4: above the low-risk limit; likely from 35: dependence, thiamine, no sudden stop (UK CMO; NICE CG100)."""
    units = f.case.alcohol_units_per_week
    if units is None:
        return
    evidence = f"{fmt(units)} units of alcohol a week"
    heavy = units >= limit("alcohol_likely_from")
    if units > limit("alcohol_possible_above"):
        out.cause("alcohol", "likely" if heavy else "possible", ("C4",), [evidence])
    pregnant = f.case.pregnant
    if heavy:
        why = f"{evidence}: harmful or dependent drinking is possible" + (" in pregnancy" if pregnant else "")
        dependence = text.PREGNANCY_DEPENDENCE if pregnant else None
        urgency, timeframe = (URGENT, "within_2_weeks") if pregnant else ("routine", None)
        out.step("assess_alcohol_dependence", "C4", why, urgency=urgency, timeframe=timeframe, text=dependence)
        out.step("start_thiamine", "C4", why)
    elif pregnant and units > 0:
        out.step("reduce_alcohol", "C4", f"{evidence} in pregnancy", text=text.PREGNANCY_ALCOHOL)
    elif units > limit("alcohol_possible_above"):
        out.step("reduce_alcohol", "C4", f"{evidence}, above the low-risk limit")


def c5_chemotherapy(f: Facts, out: Outcome) -> None:
    """C5: a neurotoxic chemotherapy agent, likely when the timing fits (protocol: chronic foot numbness)."""
    if not f.case.chemotherapy:
        return
    agents = [words for code, words in CHEMOTHERAPY_WORDS.items() if code in f.case.chemotherapy]
    months = f.case.chemotherapy_ended_months_ago
    likely = chemotherapy_fits(f)
    if months is None:
        timing = "when it ended is not recorded"
        out.warn("history.chemotherapy_ended_months_ago: record when the chemotherapy ended to judge whether it fits")
    elif months == 0:
        timing = "ongoing"
    else:
        timing = f"ended {fmt(months)} months ago" + ("" if likely else ", too long before the numbness began")
    evidence = f"chemotherapy: {_listing(agents)} ({timing})"
    out.cause("chemotherapy", "likely" if likely else "possible", ("C5",), [evidence])
    if likely:
        out.step("review_neurotoxic_drugs", "C5", evidence)


def c6_hypothyroidism(f: Facts, out: Outcome) -> None:
    """C6: raised TSH: check thyroid function before blaming the nerves (NICE NG127; local NHS pathways)."""
    _lab_findings(f, out, ("tsh",), "C6")
    if f.band("tsh") == "raised":
        out.cause("hypothyroidism", "possible", ("C6",), [describe(f.latest["tsh"])])
        out.step("check_thyroid_function", "C6", describe(f.latest["tsh"]))


def c7_folate(f: Facts, out: Outcome) -> None:
    """C7: low folate: folic acid, only once B12 is excluded or treated (laboratory intervals; NICE CKS)."""
    _lab_findings(f, out, ("folate",), "C7")
    if f.band("folate") == "low":
        out.cause("folate_deficiency", "possible", ("C7",), [describe(f.latest["folate"])])
        out.step("treat_folate_deficiency", "C7", describe(f.latest["folate"]))


def c8_renal(f: Facts, out: Outcome) -> None:
    """C8: eGFR below 30 (NICE NG127; local NHS neuropathy pathways)."""
    _lab_findings(f, out, ("egfr",), "C8")
    if f.band("egfr") == "severely_reduced":
        out.cause("renal", "possible", ("C8",), [describe(f.latest["egfr"])])


def c9_possible_pad(f: Facts, out: Outcome) -> None:
    """C9: weak pulses or claudication without a valid ABI: measure it (protocol: bottom of foot; AHA/ACC 2016)."""
    pulses = [
        f"pedal pulses {v} ({side})"
        for side, v in zip(SIDES, f.case.exam["pedal_pulses"], strict=True)
        if v in ("reduced", "absent")
    ]
    signs = pulses + (["calf pain on walking (claudication)"] if "claudication" in f.case.symptoms else [])
    if signs and not f.valid_abi:
        out.cause("pad", "possible", ("C9",), signs)
        abi_text = text.NONCOMPRESSIBLE_ABI_TEXT if f.noncompressible else None
        out.step("order_abi", "C9", f"possible arterial disease: {_listing(signs)}", text=abi_text)


def c10_pad_on_abi(f: Facts, out: Outcome) -> None:
    """C10: a valid ABI from 0.50 to 0.90: PAD confirmed, routine vascular referral (2016 AHA/ACC PAD guideline)."""
    if any(v < limit("abi_critical_below") for _, v in f.valid_abi):
        return  # U8 has referred urgently
    low = [f"ABI {v:.2f} ({side})" for side, v in f.valid_abi if v <= limit("abi_pad_max")]
    if low:
        out.cause("pad", "confirmed", ("C10",), low)
        out.step("refer_vascular", "C10", f"ankle-brachial index in the arterial-disease range: {_listing(low)}")


def c11_known_cns_disorder(f: Facts, out: Outcome) -> None:
    """C11: stroke or MS history, no UMN signs: manage with neurology (protocol: numbness in the bottom of the foot)."""
    if not f.case.cns_history:
        return
    history = [words for code, words in CNS_WORDS.items() if code in f.case.cns_history]
    if not history or f.umn_signs or out.has("contact_ms_team"):
        return
    out.cause("cns_disorder", "possible", ("C11",), [f"history of {h}" for h in history])
    if f.exam_complete:  # diagnostic referrals wait for the exam
        why = f"history of {' and '.join(history)}: manage the numbness together with the neurologist"
        out.step("refer_neurology", "C11", why, requests=("neurology_review",))


def c12_protect_insensate_feet(f: Facts, out: Outcome) -> None:
    """C12: loss of protective sensation: foot protection (NICE NG19; ADA Standards of Care 2025, s12)."""
    if f.lops:
        out.step("foot_protection", "C12", f"loss of protective sensation ({' and '.join(f.lops)} foot)")


def c13_neuropathic_pain(f: Facts, out: Outcome) -> None:
    """C13: burning or shooting pain: non-opioid neuropathic-pain medicines, with cautions (NICE CG173; MHRA)."""
    pain = [w for w in ("burning", "shooting_pain") if w in f.case.symptoms]
    if not pain:
        return
    cautions = [
        caution
        for caution, applies in (
            ("kidneys", f.band("egfr") in ("reduced", "severely_reduced")),
            ("pregnancy", f.case.pregnant),
            ("falls", f.case.age_years is not None and f.case.age_years >= limit("falls_risk_age_from")),
        )
        if applies
    ]
    why = " and ".join(w.replace("_", " ") for w in pain) + " pain"
    out.step("neuropathic_pain_treatment", "C13", why, text=text.pain_text(cautions))


def c14_medicines(f: Facts, out: Outcome) -> None:
    """C14: medicines that can harm nerves; metformin with eGFR below 30 (BNF; WHO; FSA and TGA on vitamin B6)."""
    if not f.case.medications and "metformin" not in f.case.b12_risks:
        return
    named = [m for m in (*NEUROTOXIC, "vitamin_b6_supplement") if m in f.case.medications]
    if named:
        out.cause("drug_induced_neuropathy", "possible", ("C14",), [m.replace("_", " ") for m in named])
    points = [p for p in medicine_points(f) if p != "b6_high"]
    if points:
        why = "taking " + _listing([p.replace("_", " ") for p in points])
        out.step("review_medicines", "C14", why, text=text.medicines_text(medicine_points(f)))


def medicine_points(f: Facts) -> list[str]:
    """C14 and C17: every point of the one medicines review, in order, so both rules ask for the same text."""
    meds = f.case.medications
    metformin = ("metformin" in meds or "metformin" in f.case.b12_risks) and f.band("egfr") == "severely_reduced"
    points = [m for m in ("isoniazid", "vitamin_b6_supplement", *NEUROTOXIC[1:]) if m in meds]
    return points + (["metformin"] if metformin else []) + (["b6_high"] if f.band("vitamin_b6") == "high" else [])


def c15_hereditary(f: Facts, out: Outcome) -> None:
    """C15: family history or high arches on both feet: hereditary neuropathy, genetic assessment (AAN 2009)."""
    signs = ["family history of neuropathy"] if f.case.family_history_neuropathy else []
    if f.case.exam["foot_posture"] == ("supinated", "supinated"):
        signs.append("high arches on both feet")
    if not signs:
        return
    out.cause("hereditary_neuropathy", "possible", ("C15",), signs)
    if f.exam_complete:
        why = f"features of a hereditary neuropathy: {_listing(signs)}"
        out.step("refer_neurology", "C15", why, requests=(*NCS_EMG, "genetic_assessment"))


def c16_healthy_lifestyle(f: Facts, out: Outcome) -> None:
    """C16: a length-dependent neuropathy: diet and aerobic exercise (protocol: numbness in the bottom of the foot)."""
    if f.pattern == "length_dependent":
        out.step("healthy_lifestyle", "C16", "length-dependent neuropathy: nerve and vascular health")


_C17_TESTS = frozenset({"vitamin_b6", "copper", "calcium_adjusted", "magnesium"})
_C17 = (
    ("vitamin_b6", "low", "b6_deficiency"),
    ("vitamin_b6", "high", "b6_toxicity"),
    ("copper", "low", "copper_deficiency"),
    ("calcium_adjusted", "low", "hypocalcaemia"),
    ("magnesium", "low", "hypomagnesaemia"),
)


def c17_minerals_and_b6(f: Facts, out: Outcome) -> None:
    """C17: vitamin B6, copper, calcium and magnesium out of the lab's range (protocol: bottom of foot; AAN)."""
    if not _C17_TESTS.intersection(f.latest):
        return
    _lab_findings(f, out, ("vitamin_b6", "copper", "calcium_adjusted", "magnesium"), "C17")
    for test, band, cause in _C17:
        if f.band(test) == band:
            out.cause(cause, "possible", ("C17",), [describe(f.latest[test])])
    if f.band("vitamin_b6") == "high":
        review = text.medicines_text(medicine_points(f))
        out.step("review_medicines", "C17", describe(f.latest["vitamin_b6"]), text=review)
    if f.band("copper") == "low":
        out.step("refer_haematology", "C17", describe(f.latest["copper"]))


# --- D2, N1, F1, F2, R1: risk and the pattern ------------------------------------------------------------------------


def d2_diabetic_foot_risk(f: Facts, out: Outcome) -> None:
    """D2: the NICE NG19 risk class with its review interval and foot protection referral (NICE NG19)."""
    if not (f.diabetes_known_or_found and f.exam_complete):
        return
    if out.has("refer_diabetic_foot_service"):
        out.finding("foot_risk", "Diabetic foot risk: active problem (referred to the foot service)", "D2")
        return
    risk, factors = foot_risk(f)
    shown = _listing(factors) or "no risk factors"
    out.finding("foot_risk", f"Diabetic foot risk: {risk} ({shown})", "D2")
    why = f"{risk} risk of diabetic foot problems ({shown})"
    out.step("foot_review", "D2", why, text=text.foot_review_text(risk))
    if risk == "high":
        out.step("refer_foot_protection_service", "D2", why, urgency=URGENT, timeframe="within_2_to_4_weeks")
    elif risk == "moderate":
        out.step("refer_foot_protection_service", "D2", why, timeframe="within_6_to_8_weeks")


def foot_risk(f: Facts) -> tuple[str, list[str]]:
    """D2: the risk class (high, moderate, low) and the factors found, first match wins."""
    found = f.case.foot_inspection or frozenset()
    history = [FOOT_HISTORY_WORDS[h] for h in FOOT_HISTORY_WORDS if h in f.case.foot_history]
    neuropathy, ischaemia = bool(f.lops), bool(f.limb_ischaemia)
    callus, deformity = "callus" in found, "deformity" in found
    factors = [
        *history,
        *(["neuropathy (loss of protective sensation)"] if neuropathy else []),
        *(["limb ischaemia"] if ischaemia else []),
        *(["deformity"] if deformity else []),
        *(["callus"] if callus else []),
    ]
    if history or (neuropathy and ischaemia) or ((neuropathy or ischaemia) and (callus or deformity)):
        return "high", factors
    if deformity or neuropathy or ischaemia:
        return "moderate", factors
    return "low", factors


def explained(f: Facts) -> bool:
    """N1: diabetes confirmed, B12 deficiency confirmed (likely with nitrous oxide), chemotherapy or alcohol likely."""
    units = f.case.alcohol_units_per_week
    return (
        (f.glucose.status == "diabetes" and f.glucose.certainty == "confirmed")
        or f.b12.certainty == "confirmed"
        or (f.b12.certainty == "likely" and f.nitrous_oxide)
        or chemotherapy_fits(f)
        or (units is not None and units >= limit("alcohol_likely_from"))
    )


def chemotherapy_fits(f: Facts) -> bool:
    """C5: an agent given, ongoing or ended within the window, or the numbness began within the window after it."""
    months = f.case.chemotherapy_ended_months_ago
    if not f.case.chemotherapy or months is None:
        return False
    window = limit("chemotherapy_window")
    return months <= window or _weeks(f) >= limit("weeks_per_month") * (months - window)


def n1_inconclusive_workup(f: Facts, out: Outcome) -> None:
    """N1: exam and first-line bloods done, nothing explains it: NCS/EMG and second-line bloods (protocol; AAN)."""
    if f.pattern not in ("length_dependent", "undetermined") or explained(f) or out.has("contact_ms_team"):
        return
    if not (f.exam_complete and f.glucose.requirement_met and f.b12.requirement_met):
        return  # the referral waits for the exam and both blood requirements
    found = [f"{CAUSE_WORDS[c.code].lower()} {c.certainty}" for c in out.causes.values()]
    unexplained = f"causes found do not explain it ({_listing(found)})" if found else "no cause found"
    out.finding("inconclusive", f"Examination and first-line bloods done; {unexplained}", "N1")
    why = f"initial workup inconclusive after examination and first-line bloods: {unexplained}"
    out.step("refer_neurology", "N1", why, requests=NCS_EMG)
    second = "second-line blood test to send with the neurology referral"
    if "spep" not in f.latest:
        out.step("order_spep", "N1", second)
    if "ogtt_2h" not in f.latest and f.glucose.status != "diabetes":
        out.step("order_ogtt", "N1", second)
    if "tsh" not in f.latest:
        out.step("order_tsh", "N1", second)
    ataxia = bool(f.sensory_ataxia) and not f.b12.deficient
    if "copper" not in f.latest and ("gastric_surgery" in f.case.b12_risks or ataxia):
        out.step("order_copper", "N1", f"{second}: gastric surgery or sensory ataxia without B12 deficiency")
    b6_drugs = {"isoniazid", "vitamin_b6_supplement"} & f.case.medications
    if "vitamin_b6" not in f.latest and b6_drugs:
        out.step("order_b6", "N1", f"{second}: taking {_listing(sorted(d.replace('_', ' ') for d in b6_drugs))}")


def _local_sign(f: Facts) -> tuple[str, str] | None:
    """F1: the cause and evidence of a local sign on the numb foot, or None."""
    side = f.case.sides or ""
    index = SIDES.index(side)
    if f.case.exam["tinel_tarsal_tunnel"][index] == "positive":
        return "tarsal_tunnel", f"Tinel positive at the {side} tarsal tunnel"
    if f.case.exam["foot_posture"][index] == "overpronated":
        return "plantar_nerve_compression", f"{side} foot overpronated"
    return None


def f1_focal_local_sign(f: Facts, out: Outcome) -> None:
    """F1: one foot, with Tinel at the tarsal tunnel or overpronation: conservative care (protocol: bottom of foot)."""
    sign = _local_sign(f) if f.pattern == "focal" else None
    if sign:
        cause, evidence = sign
        out.cause(cause, "likely", ("F1",), [evidence])
        why = f"numbness of one foot with a local sign ({evidence})"
        out.step("foot_posture_exercises", "F1", why)
        out.step("refer_podiatry", "F1", f"{why}: conservative care first")


def f2_focal_without_sign(f: Facts, out: Outcome) -> None:
    """F2: one foot, no local sign: a single-nerve lesion needs NCS/EMG (clinical reference section 3)."""
    if f.pattern == "focal" and _local_sign(f) is None and f.exam_complete:
        why = "numbness of one foot without a local sign: a single-nerve lesion needs nerve conduction studies"
        out.step("refer_neurology", "F2", why, requests=NCS_EMG)


def r1_radicular(f: Facts, out: Outcome) -> None:
    """R1: nerve-root pattern, no weakness: back care and physiotherapy, no routine imaging (protocol; NICE NG59)."""
    if f.pattern != "radicular" or f.objective_weakness:
        return
    signs = [
        f"straight-leg raise positive ({s})"
        for s, v in zip(SIDES, f.case.exam["straight_leg_raise"], strict=True)
        if v == "positive"
    ]
    signs += ["back pain"] if "back_pain" in f.case.symptoms else []
    evidence = ["nerve-root pattern", *signs]
    out.cause("lumbar_radiculopathy", "likely" if signs else "possible", ("R1",), evidence)
    why = f"{_listing(evidence)}, without weakness"
    out.step("back_posture_exercises", "R1", why)
    out.step("refer_physiotherapy", "R1", why)


# --- The lists ------------------------------------------------------------------------------------------------------

# Emergencies (section 3) read the case before its other problems are judged. E1's onset condition runs last: it
# counts only when no other emergency rule fired.
EMERGENCY_RULES: tuple[Rule[Seen], ...] = (
    Rule("E1", emergency.e1_stroke, (src.PROTOCOL_CHRONIC, src.NICE_NG127)),
    Rule("E2", emergency.e2_rapid_weakness, (src.PROTOCOL_CHRONIC, src.GBS)),
    Rule("E3", emergency.e3_breathing, (src.PROTOCOL_CHRONIC, src.GBS)),
    Rule("E4", emergency.e4_cauda_equina, (src.PROTOCOL_CHRONIC, src.CES)),
    Rule("E5", emergency.e5_limb_ischaemia, (src.PAD,)),
    Rule("E6", emergency.e6_rapid_symmetrical_weakness, (src.NICE_NG127, src.GBS)),
    Rule("E7", emergency.e7_bilateral_deficit, (src.CES, src.NICE_NG127)),
    Rule("E8", emergency.e8_limb_threatening_foot, (src.FOOT,)),
    Rule("E1", emergency.e1_sudden_onset, (src.PROTOCOL_CHRONIC, src.NICE_NG127)),
)

# Everything else, in the order it runs: facts, asking, urgent, early stages, causes, then what the pattern decides.
RULES: tuple[Rule[Facts], ...] = (
    Rule("P1", p1_pattern, (src.EXAM_SCALES,), children=True),
    Rule("D1", d1_exam_facts, (src.EXAM_SCALES,), children=True),
    Rule("G1", g1_glucose_status, (src.ADA,)),
    Rule("B1", b1_b12_status, (src.B12, src.NITROUS, src.PREGNANCY)),
    Rule("Q1", q1_ask_red_flags, (src.PROTOCOL_CHRONIC,), children=True),
    Rule("Q2", q2_check_notes, (src.NICE_NG127, src.CES), children=True),
    Rule("U1", u1_upper_motor_neuron_signs, (src.NICE_NG127,), refers="now"),
    Rule("U2", u2_objective_weakness, (src.CIDP,), refers="now"),
    Rule("U3", u3_suspected_cidp, (src.CIDP,), refers="now"),
    Rule("U4", u4_subacute_spread, (src.NICE_NG127,), refers="now"),
    Rule("U5", u5_paraprotein, (src.AAN,), refers="now"),
    Rule("U6", u6_radicular_weakness, (src.BACK,), refers="now"),
    Rule("U7", u7_active_foot, (src.FOOT,), refers="now"),
    Rule("U8", u8_critical_abi, (src.PAD,), refers="now"),
    Rule("U9", u9_treat_b12, (src.B12, src.PROTOCOL_CHRONIC), children=True),
    Rule("U10", u10_past_sudden_onset, (src.STROKE,), refers="now"),
    Rule("U11", u11_bilateral_sciatica, (src.CES, src.NICE_NG127)),
    Rule("U12", u12_critical_glucose, (src.JBDS,), children=True),
    Rule("U13", u13_nitrous_oxide, (src.NITROUS,), refers="now", children=True),
    Rule("U14", u14_ms_relapse, (src.MS,), refers="now"),
    Rule("S1", s1_complete_exam, (src.PROTOCOL_CHRONIC,)),
    Rule("S2", s2_order_glucose, (src.PROTOCOL_CHRONIC,)),
    Rule("S3", s3_order_b12, (src.PROTOCOL_CHRONIC,)),
    Rule("A2", a2_gestational_diabetes, (src.PREGNANCY,)),
    Rule("C1", c1_diabetes, (src.ADA,)),
    Rule("C2", c2_prediabetes, (src.ADA,)),
    Rule("C3", c3_b12_deficiency, (src.B12,)),
    Rule("C4", c4_alcohol, (src.ALCOHOL,)),
    Rule("C5", c5_chemotherapy, (src.PROTOCOL_CHRONIC,)),
    Rule("C6", c6_hypothyroidism, (src.NICE_NG127,)),
    Rule("C7", c7_folate, (src.FOLATE, src.B12)),
    Rule("C8", c8_renal, (src.NICE_NG127,)),
    Rule("C9", c9_possible_pad, (src.PROTOCOL_SOLE, src.PAD)),
    Rule("C10", c10_pad_on_abi, (src.PROTOCOL_SOLE, src.PAD)),
    Rule("C11", c11_known_cns_disorder, (src.PROTOCOL_SOLE,), refers="neurology"),
    Rule("C12", c12_protect_insensate_feet, (src.FOOT,)),
    Rule("C13", c13_neuropathic_pain, (src.PROTOCOL_CHRONIC, src.PAIN)),
    Rule("C14", c14_medicines, (src.MEDICINES,)),
    Rule("C15", c15_hereditary, (src.AAN_GENETIC,), refers="neurology"),
    Rule("C16", c16_healthy_lifestyle, (src.PROTOCOL_SOLE,)),
    Rule("C17", c17_minerals_and_b6, (src.PROTOCOL_SOLE, src.AAN)),
    Rule("D2", d2_diabetic_foot_risk, (src.FOOT,)),
    Rule("N1", n1_inconclusive_workup, (src.PROTOCOL_CHRONIC, src.AAN), refers="neurology"),
    Rule("F1", f1_focal_local_sign, (src.PROTOCOL_SOLE,)),
    Rule("F2", f2_focal_without_sign, (src.EXAM_SCALES,), refers="neurology"),
    Rule("R1", r1_radicular, (src.PROTOCOL_SOLE, src.BACK)),
    Rule("A1", a1_children, (src.CHILDREN,), children=True),
    Rule("S4", s4_safety_net, (src.NICE_NG127, src.PROTOCOL_CHRONIC), children=True),
)
CHILD_RULES = tuple(rule for rule in RULES if rule.children)
_ALL_RULES: tuple[Rule[Seen] | Rule[Facts], ...] = (*EMERGENCY_RULES, *RULES)
RULE_IDS: tuple[str, ...] = tuple(dict.fromkeys(rule.id for rule in _ALL_RULES))
SOURCES: dict[str, tuple[str, ...]] = {}
for _rule in _ALL_RULES:
    SOURCES[_rule.id] = tuple(dict.fromkeys((*SOURCES.get(_rule.id, ()), *_rule.sources)))
REFER_NOW = frozenset(rule.id for rule in RULES if rule.refers == "now")
REFER_NEUROLOGY = frozenset(rule.id for rule in RULES if rule.refers == "neurology")
_RUNS = tuple(rule.run for rule in RULES)
_CHILD_RUNS = tuple(rule.run for rule in CHILD_RULES)
BLOOD_STEPS = ("order_glucose_test", "order_b12", "confirm_diabetes", "order_mma", "order_active_b12")


def stage(f: Facts, out: Outcome) -> str:
    """Name the earliest step still open (clinical-rules.md section 5), first match wins."""
    if out.has("ask_red_flags") or out.has("check_red_flags"):
        return "red_flags"
    referrals = (step for code, step in out.steps.items() if code in text.SERVICE)
    if f.child or any(REFER_NOW.intersection(step.rules) for step in referrals):
        return "refer"
    if out.has("complete_exam"):
        return "exam"
    if f.pattern in BLOODS_PATTERNS and any(out.has(s) for s in BLOOD_STEPS):
        return "bloods"
    neurology = out.steps.get("refer_neurology")
    if neurology is not None and REFER_NEUROLOGY.intersection(neurology.rules):
        return "refer"
    return "manage"


def run(f: Facts) -> Outcome:
    """Run every rule that applies, in order, on the facts of one case (A1: only the children's rules under 16)."""
    out = Outcome()
    for run_rule in _CHILD_RUNS if f.child else _RUNS:
        run_rule(f, out)
    return out


def run_emergency(s: Seen) -> Outcome:
    """Run the emergency rules on what could be read; the outcome has steps only when the patient must go now."""
    out = Outcome()
    if emergency.possible(s):
        for rule in EMERGENCY_RULES:
            rule.run(s, out)
        emergency.finish(out)
    return out
