"""The clinical rules of ruleset 2026.11, one small function each, run in the order of RULES.

Each rule reads the derived facts and asks the Outcome for steps, causes and findings; merging (each step once, at its
highest urgency) happens there. A rule's docstring starts with its id and names its source (clinical-rules.md 8).
"""

from __future__ import annotations

from collections.abc import Callable

from workup.rules import text
from workup.rules.build import Outcome
from workup.rules.facts import BLOODS_PATTERNS, SIDES, Facts, describe
from workup.rules.thresholds import (
    ABI_CRITICAL_BELOW,
    ABI_PAD_MAX,
    ALCOHOL_LIKELY_FROM,
    ALCOHOL_POSSIBLE_ABOVE,
    CIDP_DURATION_FROM,
    EMERGENCY_ONSET_BELOW,
    SUBACUTE_DURATION_BELOW,
)
from workup.rules.vocab import AREAS, CHEMOTHERAPY, CNS_HISTORY, PATTERN
from workup.rules.vocab import SIDES as SIDE_LABELS

URGENT = "urgent"
NCS_EMG = ("ncs", "emg")
Rule = Callable[[Facts, Outcome], None]
# Labels as they read mid-sentence, looked up once here rather than per case.
AREA_WORDS = {code: words.lower() for code, words in AREAS}
SIDE_WORDS = {code: words.lower() for code, words in SIDE_LABELS}
PATTERN_WORDS = dict(PATTERN)
CNS_WORDS = {code: words.lower() for code, words in CNS_HISTORY}
CHEMOTHERAPY_WORDS = dict(CHEMOTHERAPY)


def _weeks(f: Facts) -> float:
    return f.case.duration_weeks if f.case.duration_weeks is not None else 0.0


def _lab_finding(f: Facts, out: Outcome, test: str, rule: str) -> None:
    reading = f.latest.get(test)
    if reading is not None:
        out.finding(f"lab_{test}", describe(reading), rule)


def _listing(items: tuple[str, ...] | list[str]) -> str:
    return ", ".join(items)


# --- D1, P1: what the exam and the presentation show -------------------------------------------------------------


def d1_exam_facts(f: Facts, out: Outcome) -> None:
    """D1: UMN signs, weakness, hyporeflexia, LOPS and non-compressible ABI (clinical reference section 3)."""
    if f.umn_signs:
        out.finding("umn_signs", f"Upper motor neuron signs: {_listing(f.umn_signs)}", "D1")
    if f.objective_weakness:
        out.finding("objective_weakness", f"Weakness on examination: {_listing(f.objective_weakness)}", "D1")
    elif f.weakness:
        out.finding("weakness_reported", "Weakness reported by the patient (normal power on examination)", "D1")
    if f.hyporeflexia:
        out.finding("hyporeflexia", "Reflexes reduced or absent (ankle reflexes on both sides, all 0 or 1)", "D1")
    if f.lops:
        out.finding("lops", f"Loss of protective sensation (monofilament), {' and '.join(f.lops)} foot", "D1")
    if f.noncompressible:
        out.finding(
            "abi_noncompressible",
            f"ABI above 1.40 ({' and '.join(f.noncompressible)}): arteries not compressible",
            "D1",
        )


def p1_pattern(f: Facts, out: Outcome) -> None:
    """P1: the distribution of the numbness, first match wins (clinical reference section 3)."""
    areas = ", ".join(words for code, words in AREA_WORDS.items() if code in f.case.areas)
    sides = SIDE_WORDS.get(f.case.sides or "", "sides not recorded")
    out.finding("pattern", f"{PATTERN_WORDS[f.pattern]} pattern: {sides}; {areas}", "P1")


# --- G1, B1: the blood results ------------------------------------------------------------------------------------


def g1_glucose_status(f: Facts, out: Outcome) -> None:
    """G1: diabetes confirmed, likely or prediabetes from history and results (ADA Standards of Care 2025, s2)."""
    for test in ("hba1c", "fasting_glucose", "ogtt_2h", "random_glucose"):
        _lab_finding(f, out, test, "G1")
    g = f.glucose
    if g.status:
        out.finding("glucose_status", f"{g.status.capitalize()} {g.certainty}: {'; '.join(g.evidence)}", "G1")
    if g.status == "diabetes" and g.certainty == "likely":
        out.step(
            "confirm_diabetes",
            "G1",
            f"a single diabetes-range result ({'; '.join(g.evidence)}) needs a second to confirm diabetes",
        )


def b1_b12_status(f: Facts, out: Outcome) -> None:
    """B1: B12 status; MMA asked for when B12 is indeterminate or nitrous oxide is used (NICE NG239)."""
    for test in ("b12", "active_b12", "mma", "homocysteine"):
        _lab_finding(f, out, test, "B1")
    b = f.b12
    if b.certainty:
        out.finding("b12_status", f"B12 deficiency {b.certainty}: {'; '.join(b.evidence)}", "B1")
    if b.order_mma:
        out.step("order_mma", "B1", f"B12 status unsettled: {'; '.join(b.evidence)}")


# --- Section 4: urgent -----------------------------------------------------------------------------------------


def u1_upper_motor_neuron_signs(f: Facts, out: Outcome) -> None:
    """U1: UMN signs (brisk reflexes, extensor plantar): urgent brain and spine assessment (NICE NG127)."""
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
    if c.course in ("worsening", "relapsing") and _weeks(f) >= CIDP_DURATION_FROM and f.weakness and f.hyporeflexia:
        evidence = [f"{c.course} over {_fmt_weeks(_weeks(f))}", "weakness", "reduced or absent reflexes"]
        out.step("refer_neurology", "U3", f"possible CIDP: {', '.join(evidence)}", urgency=URGENT, requests=NCS_EMG)
        out.cause("cidp", "possible", ("U3",), evidence)


def u4_subacute_spread(f: Facts, out: Outcome) -> None:
    """U4: length-dependent numbness worsening for under 26 weeks, above the ankle or in the hands (NICE NG127)."""
    spread = [AREA_WORDS[a] for a in ("above_ankle", "hands") if a in f.case.areas]
    if (
        f.case.course == "worsening"
        and _weeks(f) < SUBACUTE_DURATION_BELOW
        and f.pattern == "length_dependent"
        and spread
    ):
        why = f"numbness spreading ({' and '.join(spread)}) and worsening over {_fmt_weeks(_weeks(f))}"
        out.step("refer_neurology", "U4", why, urgency=URGENT, requests=NCS_EMG)


def u5_paraprotein(f: Facts, out: Outcome) -> None:
    """U5: paraprotein on serum electrophoresis: urgent neurology and haematology (AAN practice parameter 2009)."""
    _lab_finding(f, out, "spep", "U5")
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


def u7_foot_ulcer(f: Facts, out: Outcome) -> None:
    """U7: ulcer or infection on foot inspection: diabetic foot service within a working day (NICE NG19; ADA s12)."""
    if f.case.foot_inspection == "ulcer_or_infection":
        out.step("refer_diabetic_foot_service", "U7", "ulcer or infection on foot inspection", urgency=URGENT)


def u8_critical_abi(f: Facts, out: Outcome) -> None:
    """U8: a valid ABI below 0.50: urgent vascular referral, PAD confirmed (2016 AHA/ACC PAD guideline)."""
    low = [f"ABI {v:.2f} ({side})" for side, v in f.valid_abi if v < ABI_CRITICAL_BELOW]
    if low:
        out.step("refer_vascular", "U8", f"severely reduced ankle-brachial index: {_listing(low)}", urgency=URGENT)
        out.cause("pad", "confirmed", ("U8",), low)


def u9_treat_b12(f: Facts, out: Outcome) -> None:
    """U9: confirmed B12 deficiency with neuropathy: start treatment promptly (NICE NG239; protocol: chronic)."""
    if f.b12.certainty == "confirmed":
        why = f"B12 deficiency confirmed with nerve symptoms ({'; '.join(f.b12.evidence)})"
        out.step("treat_b12_deficiency", "U9", why, urgency=URGENT)


def u10_past_sudden_onset(f: Facts, out: Outcome) -> None:
    """U10: sudden onset a week or more ago: urgent assessment of a possible past stroke (NICE NG128)."""
    if f.case.onset == "sudden" and _weeks(f) >= EMERGENCY_ONSET_BELOW:
        why = f"sudden onset {_fmt_weeks(_weeks(f))} ago: a vascular event that has not been assessed"
        out.step("refer_neurology", "U10", why, urgency=URGENT, requests=("brain_spine_assessment",))
        out.cause("stroke", "possible", ("U10",), [f"sudden onset {_fmt_weeks(_weeks(f))} ago"])


def _fmt_weeks(weeks: float) -> str:
    shown = f"{weeks:g}"
    return f"{shown} week" if shown == "1" else f"{shown} weeks"


# --- Section 5: the early stages -----------------------------------------------------------------------------------


def s1_complete_exam(f: Facts, out: Outcome) -> None:
    """S1: core exam items not recorded on both sides (protocol: chronic foot numbness, examination first)."""
    if f.missing_exam:
        why = "the core examination is needed before tests and referrals can be judged"
        out.step("complete_exam", "S1", why, items=list(f.missing_exam))


def s2_order_glucose(f: Facts, out: Outcome) -> None:
    """S2: no glucose result that counts, for a pattern that needs bloods (protocol: chronic foot numbness)."""
    if f.pattern in BLOODS_PATTERNS and not f.glucose.requirement_met:
        out.step("order_glucose_test", "S2", "no diabetes test yet: diabetes is the commonest cause of neuropathy")


def s3_order_b12(f: Facts, out: Outcome) -> None:
    """S3: no B12 result, for a pattern that needs bloods (protocol: chronic foot numbness)."""
    if f.pattern in BLOODS_PATTERNS and not f.b12.tested:
        out.step("order_b12", "S3", "no vitamin B12 result yet: deficiency damages nerves and is treatable")


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
    """C4: more than 14 units a week; likely from 35 (UK CMO low-risk drinking guidelines)."""
    units = f.case.alcohol_units_per_week
    if units is not None and units > ALCOHOL_POSSIBLE_ABOVE:
        evidence = f"{units:g} units of alcohol a week"
        out.cause("alcohol", "likely" if units >= ALCOHOL_LIKELY_FROM else "possible", ("C4",), [evidence])
        out.step("reduce_alcohol", "C4", f"{evidence}, above the low-risk limit of 14")


def c5_chemotherapy(f: Facts, out: Outcome) -> None:
    """C5: a neurotoxic chemotherapy agent (protocol: chronic foot numbness)."""
    agents = [words for code, words in CHEMOTHERAPY_WORDS.items() if code in f.case.chemotherapy]
    if agents:
        evidence = f"chemotherapy: {_listing(agents)}"
        out.cause("chemotherapy", "likely", ("C5",), [evidence])
        out.step("review_neurotoxic_drugs", "C5", evidence)


def c6_hypothyroidism(f: Facts, out: Outcome) -> None:
    """C6: raised TSH (NICE NG127; local NHS neuropathy pathways)."""
    _lab_finding(f, out, "tsh", "C6")
    if f.band("tsh") == "raised":
        out.cause("hypothyroidism", "possible", ("C6",), [describe(f.latest["tsh"])])


def c7_folate(f: Facts, out: Outcome) -> None:
    """C7: low folate (laboratory folate reference intervals)."""
    _lab_finding(f, out, "folate", "C7")
    if f.band("folate") == "low":
        out.cause("folate_deficiency", "possible", ("C7",), [describe(f.latest["folate"])])


def c8_renal(f: Facts, out: Outcome) -> None:
    """C8: eGFR below 30 (NICE NG127; local NHS neuropathy pathways)."""
    _lab_finding(f, out, "egfr", "C8")
    if f.band("egfr") == "severely_reduced":
        out.cause("renal", "possible", ("C8",), [describe(f.latest["egfr"])])


def c9_possible_pad(f: Facts, out: Outcome) -> None:
    """C9: weak pulses or claudication without a valid ABI: measure it (protocol: bottom of foot; AHA/ACC 2016)."""
    pulses = [
        f"pedal pulses {v} ({side})"
        for side, v in zip(SIDES, f.case.sided("pedal_pulses"), strict=True)
        if v in ("reduced", "absent")
    ]
    signs = pulses + (["calf pain on walking (claudication)"] if "claudication" in f.case.symptoms else [])
    if signs and not f.valid_abi:
        out.cause("pad", "possible", ("C9",), signs)
        abi_text = text.NONCOMPRESSIBLE_ABI_TEXT if f.noncompressible else None
        out.step("order_abi", "C9", f"possible arterial disease: {_listing(signs)}", text=abi_text)


def c10_pad_on_abi(f: Facts, out: Outcome) -> None:
    """C10: a valid ABI from 0.50 to 0.90: PAD confirmed, routine vascular referral (2016 AHA/ACC PAD guideline)."""
    if any(v < ABI_CRITICAL_BELOW for _, v in f.valid_abi):
        return  # U8 has referred urgently
    low = [f"ABI {v:.2f} ({side})" for side, v in f.valid_abi if v <= ABI_PAD_MAX]
    if low:
        out.cause("pad", "confirmed", ("C10",), low)
        out.step("refer_vascular", "C10", f"ankle-brachial index in the arterial-disease range: {_listing(low)}")


def c11_known_cns_disorder(f: Facts, out: Outcome) -> None:
    """C11: stroke or MS history, no UMN signs: manage with neurology (protocol: numbness in the bottom of the foot)."""
    history = [words for code, words in CNS_WORDS.items() if code in f.case.cns_history]
    if not history or f.umn_signs:
        return
    out.cause("cns_disorder", "possible", ("C11",), [f"history of {h}" for h in history])
    if f.exam_complete:  # diagnostic referrals wait for the exam
        why = f"history of {' and '.join(history)}: manage the numbness together with the neurologist"
        out.step("refer_neurology", "C11", why, requests=("neurology_review",))


def c12_protect_insensate_feet(f: Facts, out: Outcome) -> None:
    """C12: loss of protective sensation: foot protection (NICE NG19; ADA Standards of Care 2025, s12)."""
    if f.lops:
        out.step("foot_protection", "C12", f"loss of protective sensation ({' and '.join(f.lops)} foot)")


def c13_burning_pain(f: Facts, out: Outcome) -> None:
    """C13: burning pain: non-opioid neuropathic-pain treatment (protocol: chronic foot numbness)."""
    if "burning" in f.case.symptoms:
        out.step("neuropathic_pain_treatment", "C13", "burning pain")


# --- N1, F1, F2, R1: the pattern decides ------------------------------------------------------------------------------


def explained(f: Facts) -> bool:
    """N1: diabetes (confirmed/likely), confirmed B12 deficiency, chemotherapy or likely alcohol explain numbness."""
    units = f.case.alcohol_units_per_week
    return (
        f.glucose.status == "diabetes"
        or f.b12.certainty == "confirmed"
        or bool(f.case.chemotherapy)
        or (units is not None and units >= ALCOHOL_LIKELY_FROM)
    )


def n1_inconclusive_workup(f: Facts, out: Outcome) -> None:
    """N1: exam and first-line bloods done, nothing explains it: NCS/EMG and second-line bloods (protocol; AAN)."""
    if f.pattern not in ("length_dependent", "undetermined") or explained(f):
        return
    if not (f.exam_complete and f.glucose.requirement_met and f.b12.requirement_met):
        return  # the referral waits for the exam and both blood requirements
    out.finding("inconclusive", "Examination and first-line bloods done; nothing found explains the numbness", "N1")
    out.step(
        "refer_neurology",
        "N1",
        "initial workup inconclusive: no cause found after examination and first-line bloods",
        requests=NCS_EMG,
    )
    why = "second-line blood test to send with the neurology referral"
    if "spep" not in f.latest:
        out.step("order_spep", "N1", why)
    if "ogtt_2h" not in f.latest and f.glucose.status != "diabetes":
        out.step("order_ogtt", "N1", why)
    if "tsh" not in f.latest:
        out.step("order_tsh", "N1", why)


def _local_sign(f: Facts) -> tuple[str, str] | None:
    """F1: the cause and evidence of a local sign on the numb foot, or None."""
    side = f.case.sides or ""
    index = SIDES.index(side)
    if f.case.sided("tinel_tarsal_tunnel")[index] == "positive":
        return "tarsal_tunnel", f"Tinel positive at the {side} tarsal tunnel"
    if f.case.sided("foot_posture")[index] == "overpronated":
        return "plantar_nerve_compression", f"{side} foot overpronated"
    return None


def f1_focal_local_sign(f: Facts, out: Outcome) -> None:
    """F1: one foot, with Tinel at the tarsal tunnel or overpronation: conservative care (protocol: bottom of foot)."""
    sign = _local_sign(f) if f.pattern == "focal" else None
    if sign:
        cause, evidence = sign
        out.cause(cause, "likely", ("F1",), [evidence])
        out.step("foot_posture_exercises", "F1", f"numbness of one foot with a local sign ({evidence})")
        out.step(
            "refer_podiatry", "F1", f"numbness of one foot with a local sign ({evidence}): conservative care first"
        )


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
        for s, v in zip(SIDES, f.case.sided("straight_leg_raise"), strict=True)
        if v == "positive"
    ]
    signs += ["back pain"] if "back_pain" in f.case.symptoms else []
    evidence = ["nerve-root pattern", *signs]
    out.cause("lumbar_radiculopathy", "likely" if signs else "possible", ("R1",), evidence)
    why = f"{_listing(evidence)}, without weakness"
    out.step("back_posture_exercises", "R1", why)
    out.step("refer_physiotherapy", "R1", why)


# The rules, in the order they run. Emergency rules (E1-E5) are in emergency.py: they run before validation.
RULES: tuple[Rule, ...] = (
    p1_pattern,
    d1_exam_facts,
    g1_glucose_status,
    b1_b12_status,
    u1_upper_motor_neuron_signs,
    u2_objective_weakness,
    u3_suspected_cidp,
    u4_subacute_spread,
    u5_paraprotein,
    u6_radicular_weakness,
    u7_foot_ulcer,
    u8_critical_abi,
    u9_treat_b12,
    u10_past_sudden_onset,
    s1_complete_exam,
    s2_order_glucose,
    s3_order_b12,
    c1_diabetes,
    c2_prediabetes,
    c3_b12_deficiency,
    c4_alcohol,
    c5_chemotherapy,
    c6_hypothyroidism,
    c7_folate,
    c8_renal,
    c9_possible_pad,
    c10_pad_on_abi,
    c11_known_cns_disorder,
    c12_protect_insensate_feet,
    c13_burning_pain,
    n1_inconclusive_workup,
    f1_focal_local_sign,
    f2_focal_without_sign,
    r1_radicular,
)

REFER_NOW = frozenset({"U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U10"})
ROUTINE_NEUROLOGY = frozenset({"N1", "F2", "C11"})


def stage(f: Facts, out: Outcome) -> str:
    """Name the earliest step still open (clinical-rules.md section 5), first match wins."""
    if REFER_NOW.intersection(out.fired):
        return "refer"
    if out.has("complete_exam"):
        return "exam"
    if f.pattern in BLOODS_PATTERNS and any(out.has(s) for s in ("order_glucose_test", "order_b12", "order_mma")):
        return "bloods"
    neurology = out.steps.get("refer_neurology")
    if neurology is not None and ROUTINE_NEUROLOGY.intersection(neurology.rules):
        return "refer"
    return "manage"


def run(f: Facts) -> Outcome:
    """Run every rule in order on the facts of one case."""
    out = Outcome()
    for rule in RULES:
        rule(f, out)
    return out
