"""Derived facts (D1), the pattern (P1), the counting lab results, glucose status (G1) and B12 status (B1).

clinical-rules.md sections 1 and 2. Everything here is read once per case; the rules only look things up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workup.rules.case import NOT_RECORDED, Case, Lab
from workup.rules.labs import Reading, fmt, noun, read
from workup.rules.thresholds import BAND_WORDS, Profile, limit
from workup.rules.vocab import LAB_TESTS

SIDES = ("left", "right")
FOOT_AREAS = frozenset({"toes", "sole", "whole_foot"})
LENGTH_DEPENDENT_AREAS = FOOT_AREAS | {"above_ankle", "hands", "top_of_foot", "outer_foot", "inner_shin"}
ROOT_AREAS = frozenset({"inner_shin", "top_of_foot", "outer_foot"})
CORE_EXAM = (
    "ankle_reflex",
    "knee_reflex",
    "plantar_response",
    "monofilament",
    "vibration",
    "power_ankle_dorsiflexion",
    "pedal_pulses",
)
BLOODS_PATTERNS = frozenset({"length_dependent", "undetermined", "central"})
DIAGNOSTIC_GLUCOSE = ("fasting_glucose", "hba1c", "ogtt_2h")
_OLDEST = date.min
_LAB_LABELS = dict(LAB_TESTS)  # sentence-initial names: "Fasting glucose", "eGFR", "HbA1c"
_REFLEXES = (("ankle_reflex", "ankle"), ("knee_reflex", "knee"))
_POWER = (("power_ankle_dorsiflexion", "dorsiflexion"), ("power_ankle_plantarflexion", "plantarflexion"))


@dataclass(slots=True)
class Glucose:
    """G1: ``status`` diabetes / prediabetes / None, its certainty, the tests to repeat, and the requirement."""

    status: str | None
    certainty: str | None
    evidence: tuple[str, ...]
    requirement_met: bool
    repeat: tuple[str, ...] = ()
    gestational: tuple[str, ...] = ()


@dataclass(slots=True)
class B12:
    """B1: certainty of B12 deficiency (None: no B12 cause), the tests asked for, and the B12 requirement."""

    certainty: str | None
    order_mma: bool
    order_active_b12: bool
    requirement_met: bool
    tested: bool
    deficient: bool
    evidence: tuple[str, ...]


@dataclass(slots=True)
class Facts:
    """What the rules read: D1 facts (with the findings behind them), P1 pattern, counting results, G1 and B1."""

    case: Case
    pattern: str
    umn_signs: tuple[str, ...]
    brisk_reflexes: tuple[str, ...]
    objective_weakness: tuple[str, ...]
    weakness: bool
    hyporeflexia: bool
    lops: tuple[str, ...]
    valid_abi: tuple[tuple[str, float], ...]
    noncompressible: tuple[str, ...]
    limb_ischaemia: tuple[str, ...]
    sensory_ataxia: tuple[str, ...]
    missing_exam: tuple[str, ...]
    latest: dict[str, Reading]
    glucose: Glucose
    b12: B12

    @property
    def exam_complete(self) -> bool:
        return not self.missing_exam

    @property
    def diabetes_known_or_found(self) -> bool:
        return self.glucose.status == "diabetes"

    @property
    def child(self) -> bool:
        age = self.case.age_years
        return age is not None and age < limit("adult_age_from")

    @property
    def nitrous_oxide(self) -> bool:
        return "nitrous_oxide" in self.case.b12_risks

    def band(self, test: str) -> str | None:
        """Return the band of the counting result of ``test``, or None without one."""
        reading = self.latest.get(test)
        return reading.band if reading else None


def derive(case: Case, profile: Profile) -> tuple[Facts, list[str]]:
    """Work out every derived fact of a valid case; the warnings are about results that could not be banded."""
    by_test = _readings(case.labs, profile)
    latest = {test: results[0] for test, results in by_test.items()}
    umn = umn_signs(case)
    weak = objective_weakness(case)
    abi = case.exam["abi"]
    glucose = glucose_status(case, by_test)
    diabetic = glucose.status == "diabetes"
    facts = Facts(
        case=case,
        pattern=pattern(case, bool(umn)),
        umn_signs=umn,
        brisk_reflexes=() if umn else brisk_reflexes(case),
        objective_weakness=weak,
        weakness=bool(weak) or "weakness" in case.symptoms,
        hyporeflexia=hyporeflexia(case),
        lops=lops(case),
        valid_abi=tuple(
            (s, v) for s, v in zip(SIDES, abi, strict=True) if v is not None and v <= limit("abi_compressible_max")
        ),
        noncompressible=tuple(
            s for s, v in zip(SIDES, abi, strict=True) if v is not None and v > limit("abi_compressible_max")
        ),
        limb_ischaemia=limb_ischaemia(case),
        sensory_ataxia=sensory_ataxia(case),
        missing_exam=missing_exam(case, diabetic),
        latest=latest,
        glucose=glucose,
        b12=b12_status(case, latest),
    )
    odd = [r for results in by_test.values() for r in results if r.undecidable or r.band == "not_interpreted"]
    if not odd:
        return facts, []
    odd.sort(key=_index)
    warnings = [censored_warning(r) for r in odd if r.undecidable]
    return facts, warnings + [range_warning(r) for r in odd if r.band == "not_interpreted"]


def _index(reading: Reading) -> int:
    return reading.lab.index


def _readings(labs: tuple[Lab, ...], profile: Profile) -> dict[str, list[Reading]]:
    # Latest first: a result without a date is the oldest; on the same date the most abnormal comes first.
    by_test: dict[str, list[Reading]] = {}
    for lab in labs:
        by_test.setdefault(lab.test, []).append(read(lab, profile))
    for results in by_test.values():
        if len(results) > 1:
            results.sort(key=lambda r: (r.lab.collected_on or _OLDEST, r.rank), reverse=True)
    return by_test


def describe(reading: Reading) -> str:
    """Say what a result was and how it counts: 'HbA1c 8.1 % (2026-11-02): diabetes range'."""
    if reading.said:
        return reading.said
    lab = reading.lab
    when = f" ({lab.collected_on.isoformat()})" if lab.collected_on else ""
    if lab.test == "spep":
        reading.said = f"serum protein electrophoresis {BAND_WORDS[reading.band]}{when}"
        return reading.said
    counts = (
        f"counts as {BAND_WORDS[reading.band]} until the exact value is known"
        if reading.undecidable
        else BAND_WORDS[reading.band]
    )
    reading.said = f"{_lab_name(lab.test)} {lab.censor}{fmt(lab.value)} {lab.unit}{when}: {counts}"
    return reading.said


def _lab_name(test: str) -> str:
    return _LAB_LABELS.get(test, test)


def censored_warning(reading: Reading) -> str:
    lab = reading.lab
    return (
        f"{lab.path}.value: {noun(lab.test)} '{lab.censor}{fmt(lab.value)}' {lab.unit} spans more than one band; "
        f"it counts as {BAND_WORDS[reading.band]} here: ask the lab for the exact value"
    )


def range_warning(reading: Reading) -> str:
    lab = reading.lab
    return (
        f"{lab.path}.reference_range: {noun(lab.test)} is read against the laboratory's own range; without it "
        "the result is recorded but not interpreted: add the range from the report"
    )


def umn_signs(case: Case) -> tuple[str, ...]:
    """D1: extensor plantars, clonus (4), or a brisk (3) reflex whose other side is recorded and not brisk."""
    exam = case.exam
    brisk = limit("reflex_brisk")
    if "extensor" not in exam["plantar_response"] and not any(
        v is not None and v >= brisk for item, _ in _REFLEXES for v in exam[item]
    ):
        return ()
    signs = [
        f"extensor plantar response ({side})"
        for side, v in zip(SIDES, case.exam["plantar_response"], strict=True)
        if v == "extensor"
    ]
    for item, name in _REFLEXES:
        left, right = case.exam[item]
        for side, v, other in (("left", left, right), ("right", right, left)):
            if v is None:
                continue
            if v >= limit("reflex_clonus"):
                signs.append(f"{name} reflex graded {v}, clonus ({side})")
            elif v >= limit("reflex_brisk") and other is not None and other <= limit("reflex_normal_max"):
                signs.append(f"{name} reflex graded {v} on the {side} only (the other side {other})")
    return tuple(signs)


def brisk_reflexes(case: Case) -> tuple[str, ...]:
    """D1: reflexes brisk (3) on both sides, which alone are not an upper motor neuron sign."""
    return tuple(
        f"{name} reflexes graded {left} on both sides"
        for item, name in _REFLEXES
        for left, right in (case.exam[item],)
        if left is not None and left == right == limit("reflex_brisk")
    )


def objective_weakness(case: Case) -> tuple[str, ...]:
    """D1: MRC power 4 or less in ankle dorsiflexion or plantarflexion, described."""
    weak_max = limit("mrc_weak_max")
    exam = case.exam
    if not any(v is not None and v <= weak_max for item, _ in _POWER for v in exam[item]):
        return ()
    weak = []
    for item, name in _POWER:
        weak += [
            f"ankle {name} MRC {v} ({side})"
            for side, v in zip(SIDES, case.exam[item], strict=True)
            if v is not None and v <= limit("mrc_weak_max")
        ]
    return tuple(weak)


def bilateral_weakness(case: Case) -> bool:
    """D1: objective weakness on the left and on the right (either movement on each side)."""
    weak = [
        any(v is not None and v <= limit("mrc_weak_max") for v in (case.exam[item][i] for item, _ in _POWER))
        for i in (0, 1)
    ]
    return all(weak)


def hyporeflexia(case: Case) -> bool:
    """D1: both ankle reflexes recorded, and every recorded ankle and knee reflex 0 or 1."""
    ankle, knee = case.exam["ankle_reflex"], case.exam["knee_reflex"]
    if None in ankle:
        return False
    return all(v <= limit("reflex_reduced_max") for v in (*ankle, *knee) if v is not None)


def lops(case: Case) -> tuple[str, ...]:
    """D1: the feet where fewer monofilament sites were felt than tested."""
    return tuple(side for side, v in zip(SIDES, case.exam["monofilament"], strict=True) if v and v[1] < v[0])


def limb_ischaemia(case: Case) -> tuple[str, ...]:
    """D1: pedal pulses absent, or a valid ABI below the ischaemia line, on either side."""
    exam = case.exam
    if "absent" not in exam["pedal_pulses"] and exam["abi"] == NOT_RECORDED:
        return ()
    signs = [
        f"pedal pulses absent ({s})" for s, v in zip(SIDES, case.exam["pedal_pulses"], strict=True) if v == "absent"
    ]
    signs += [
        f"ABI {v:.2f} ({s})"
        for s, v in zip(SIDES, case.exam["abi"], strict=True)
        if v is not None and v < limit("abi_ischaemia_below")
    ]
    return tuple(signs)


def sensory_ataxia(case: Case) -> tuple[str, ...]:
    """D1: imbalance reported, Romberg positive, or proprioception impaired on either side."""
    signs = ["imbalance"] if "imbalance" in case.symptoms else []
    signs += ["Romberg positive"] if case.romberg == "positive" else []
    signs += [
        f"proprioception impaired ({s})"
        for s, v in zip(SIDES, case.exam["proprioception"], strict=True)
        if v == "impaired"
    ]
    return tuple(signs)


def missing_exam(case: Case, diabetic: bool) -> tuple[str, ...]:
    """S1: core items not recorded on both sides; foot inspection too when diabetes is known or found."""
    missing = tuple(item for item in CORE_EXAM if None in case.exam[item])
    if (diabetic or case.diabetes == "known") and case.foot_inspection is None:
        missing += ("foot_inspection",)
    return missing


def pattern(case: Case, umn: bool) -> str:
    """P1: the first matching pattern; areas that could not be fully read never satisfy an 'every area' test."""
    if umn:
        return "central"
    areas, one_side = case.areas, case.sides in SIDES
    if (
        "radiating_leg_pain" in case.symptoms
        or "back_of_leg" in areas
        or "positive" in case.exam["straight_leg_raise"]
        or (one_side and areas & ROOT_AREAS and "back_pain" in case.symptoms)
    ):
        return "radicular"
    if one_side:
        return "focal"
    readable = bool(areas) and "presentation.areas" not in case.unread
    if case.sides == "both" and readable and areas & FOOT_AREAS and areas <= LENGTH_DEPENDENT_AREAS:
        return "length_dependent"
    return "undetermined"


def at_least(lab: Lab, mmol: str, mg: str) -> bool:
    """Whether every value the result allows is at or above the named limit of its unit (mmol/L or mg/dL)."""
    line = limit(mmol if lab.unit == "mmol/L" else mg)
    if lab.censor == "<":
        return False
    return lab.value >= line


_GLUCOSE_TESTS = frozenset({*DIAGNOSTIC_GLUCOSE, "random_glucose"})


def glucose_status(case: Case, by_test: dict[str, list[Reading]]) -> Glucose:
    """G1 (and A2): two diabetes-range results confirm, one is likely; pregnancy reads fasting and OGTT by NG3."""
    if case.diabetes != "known" and not _GLUCOSE_TESTS.intersection(by_test):
        return _NO_GLUCOSE
    counted = ("hba1c",) if case.pregnant else DIAGNOSTIC_GLUCOSE
    latest = {t: by_test[t][0] for t in (*counted, "random_glucose") if t in by_test}
    diabetic = [r for r in latest.values() if r.band == "diabetes"]
    evidence = tuple(describe(r) for r in diabetic)
    gestational = _gestational(case, by_test)
    met = case.diabetes == "known" or (any(t in by_test for t in DIAGNOSTIC_GLUCOSE) and not diabetic)
    if case.diabetes == "known":
        return Glucose("diabetes", "confirmed", ("known diabetes", *evidence), True, gestational=gestational)
    twice = [t for t in counted if len(by_test.get(t, ())) > 1 and all(r.band == "diabetes" for r in by_test[t][:2])]
    if twice or sum(1 for r in diabetic if r.lab.test in counted) >= 2:
        evidence = tuple(dict.fromkeys(tuple(describe(r) for t in twice for r in by_test[t][:2]) + evidence))
        return Glucose("diabetes", "confirmed", evidence, True, gestational=gestational)
    if diabetic:
        repeat = tuple(r.lab.test for r in diabetic)
        return Glucose("diabetes", "likely", evidence, False, repeat, gestational)
    pre = tuple(describe(r) for r in latest.values() if r.band == "prediabetes")
    if pre:
        return Glucose("prediabetes", "possible", pre, met, gestational=gestational)
    return Glucose(None, None, (), met, gestational=gestational)


def _gestational(case: Case, by_test: dict[str, list[Reading]]) -> tuple[str, ...]:
    if not case.pregnant:
        return ()
    lines = (("fasting_glucose", "gestational_fasting"), ("ogtt_2h", "gestational_ogtt"))
    return tuple(
        describe(by_test[test][0])
        for test, name in lines
        if test in by_test and at_least(by_test[test][0].lab, f"{name}_mmol", f"{name}_mg")
    )


_B12_TESTS = frozenset({"b12", "active_b12", "mma", "homocysteine"})


def b12_reading(latest: dict[str, Reading], pregnant: bool = False) -> Reading | None:
    """The B12 result that counts: the later of b12 and active_b12 (same date: the worse); in pregnancy active B12."""
    if pregnant and "active_b12" in latest:
        return latest["active_b12"]
    candidates = [latest[t] for t in ("b12", "active_b12") if t in latest]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r.lab.collected_on or _OLDEST, r.rank))


def b12_status(case: Case, latest: dict[str, Reading]) -> B12:
    """B1: deficient confirms; indeterminate asks for MMA, which decides; nitrous oxide; active B12 in pregnancy."""
    if not _B12_TESTS.intersection(latest) and "nitrous_oxide" not in case.b12_risks:
        return _NO_B12
    b12, mma, hcy = b12_reading(latest, case.pregnant), latest.get("mma"), latest.get("homocysteine")
    nitrous = "nitrous_oxide" in case.b12_risks
    evidence = [describe(r) for r in (b12, mma, hcy) if r is not None]
    deficient = b12 is not None and b12.band == "deficient"
    pregnancy_total = case.pregnant and b12 is not None and b12.lab.test == "b12" and b12.band != "normal"
    order_active = pregnancy_total
    certainty: str | None
    if pregnancy_total:
        certainty, order_mma = "possible", False
        evidence.append("pregnancy: total B12 falls in pregnancy, so active B12 decides")
    else:
        certainty, order_mma = _b12_certainty(b12, mma, hcy, latest.get("egfr"))
    met = b12 is not None and not pregnancy_total and (b12.band != "indeterminate" or mma is not None)
    if nitrous:
        functional = (mma.band if mma else hcy.band if hcy else None) == "raised"
        certainty = "confirmed" if deficient or functional else _stronger(certainty, "likely")
        evidence.append("recreational nitrous oxide use (serum B12 can look normal)")
        order_mma = order_mma or (mma is None and hcy is None)
        met = b12 is not None and (mma is not None or hcy is not None)
    if certainty == "likely" and b12 is not None and b12.band == "indeterminate" and mma and mma.band == "raised":
        evidence.append(f"eGFR below {fmt(limit('egfr_severe_below'))}: kidney failure also raises MMA")
    shown = tuple(evidence) if certainty or order_mma or order_active else ()
    return B12(certainty, order_mma, order_active, met, b12 is not None, deficient, shown)


def _b12_certainty(
    b12: Reading | None, mma: Reading | None, hcy: Reading | None, egfr: Reading | None
) -> tuple[str | None, bool]:
    if b12 is None or b12.band == "normal":
        return None, False
    if b12.band == "deficient":
        return "confirmed", False
    if mma is not None:  # an MMA result decides; homocysteine counts only without one
        if mma.band != "raised":
            return None, False
        return ("likely" if egfr is not None and egfr.band == "severely_reduced" else "confirmed"), False
    return ("likely" if hcy is not None and hcy.band == "raised" else "possible"), True


_CERTAINTY_RANK = {"possible": 0, "likely": 1, "confirmed": 2}


def _stronger(current: str | None, other: str) -> str:
    if current is None or _CERTAINTY_RANK[other] > _CERTAINTY_RANK[current]:
        return other
    return current


# The answers when a case has no result of the kind (most cases lack some): built once.
_NO_GLUCOSE = Glucose(None, None, (), False)
_NO_B12 = B12(None, False, False, False, False, False, ())
