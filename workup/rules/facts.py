"""Derived facts (D1), the pattern (P1), the counting lab results, glucose status (G1) and B12 status (B1).

clinical-rules.md sections 1 and 2. Everything here is read once per case; the rules only look things up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workup.rules.case import Case, Lab
from workup.rules.labs import Reading, fmt, noun, read
from workup.rules.thresholds import (
    ABI_COMPRESSIBLE_MAX,
    BAND_WORDS,
    MRC_WEAK_MAX,
    REFLEX_BRISK_FROM,
    REFLEX_REDUCED_MAX,
    Scale,
)
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


@dataclass(frozen=True, slots=True)
class Glucose:
    """G1: ``status`` diabetes / prediabetes / None, its certainty, and whether the glucose requirement is met."""

    status: str | None
    certainty: str | None
    evidence: tuple[str, ...]
    requirement_met: bool


@dataclass(frozen=True, slots=True)
class B12:
    """B1: certainty of B12 deficiency (None: no B12 cause), whether MMA is asked for, and the B12 requirement."""

    certainty: str | None
    order_mma: bool
    requirement_met: bool
    tested: bool
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read: D1 facts (with the findings behind them), P1 pattern, counting results, G1 and B1."""

    case: Case
    pattern: str
    umn_signs: tuple[str, ...]
    objective_weakness: tuple[str, ...]
    weakness: bool
    hyporeflexia: bool
    lops: tuple[str, ...]
    valid_abi: tuple[tuple[str, float], ...]
    noncompressible: tuple[str, ...]
    missing_exam: tuple[str, ...]
    latest: dict[str, Reading]
    glucose: Glucose
    b12: B12

    @property
    def exam_complete(self) -> bool:
        return not self.missing_exam

    def band(self, test: str) -> str | None:
        """Return the band of the counting result of ``test``, or None without one."""
        reading = self.latest.get(test)
        return reading.band if reading else None


def derive(case: Case, profile: dict[tuple[str, str], Scale]) -> tuple[Facts, list[str]]:
    """Work out every derived fact of a valid case; the warnings are about censored values that span bands."""
    by_test = _readings(case.labs, profile)
    latest = {test: results[0] for test, results in by_test.items()}
    umn = umn_signs(case)
    weak = objective_weakness(case)
    facts = Facts(
        case=case,
        pattern=pattern(case, bool(umn)),
        umn_signs=umn,
        objective_weakness=weak,
        weakness=bool(weak) or "weakness" in case.symptoms,
        hyporeflexia=hyporeflexia(case),
        lops=lops(case),
        valid_abi=tuple(
            (s, v) for s, v in zip(SIDES, case.sided("abi"), strict=True) if v is not None and v <= ABI_COMPRESSIBLE_MAX
        ),
        noncompressible=tuple(
            s for s, v in zip(SIDES, case.sided("abi"), strict=True) if v is not None and v > ABI_COMPRESSIBLE_MAX
        ),
        missing_exam=tuple(item for item in CORE_EXAM if None in case.sided(item)),
        latest=latest,
        glucose=glucose_status(case, by_test),
        b12=b12_status(case, latest),
    )
    spanning = sorted((r for results in by_test.values() for r in results if r.undecidable), key=lambda r: r.lab.index)
    return facts, [censored_warning(r) for r in spanning]


def _readings(labs: tuple[Lab, ...], profile: dict[tuple[str, str], Scale]) -> dict[str, list[Reading]]:
    # Latest first: a result without a date is the oldest; on the same date the most abnormal comes first.
    by_test: dict[str, list[Reading]] = {}
    for lab in labs:
        by_test.setdefault(lab.test, []).append(read(lab, profile))
    for results in by_test.values():
        results.sort(key=lambda r: (r.lab.collected_on or _OLDEST, r.rank), reverse=True)
    return by_test


def describe(reading: Reading) -> str:
    """Say what a result was and how it counts: 'HbA1c 8.1 % (2026-11-02): diabetes range'."""
    lab = reading.lab
    if lab.test == "spep":
        value = f"serum protein electrophoresis {BAND_WORDS[reading.band]}"
        return value + (f" ({lab.collected_on.isoformat()})" if lab.collected_on else "")
    shown = f"{lab.censor}{fmt(lab.value)} {lab.unit}"
    when = f" ({lab.collected_on.isoformat()})" if lab.collected_on else ""
    counts = (
        f"counts as {BAND_WORDS[reading.band]} until the exact value is known"
        if reading.undecidable
        else BAND_WORDS[reading.band]
    )
    return f"{_lab_name(lab.test)} {shown}{when}: {counts}"


def _lab_name(test: str) -> str:
    return _LAB_LABELS.get(test, test)


def censored_warning(reading: Reading) -> str:
    lab = reading.lab
    return (
        f"{lab.path}.value: {noun(lab.test)} '{lab.censor}{fmt(lab.value)}' {lab.unit} spans more than one band; "
        f"it counts as {BAND_WORDS[reading.band]} here: ask the lab for the exact value"
    )


def umn_signs(case: Case) -> tuple[str, ...]:
    """D1: extensor plantar responses and brisk (3) or clonic (4) ankle or knee reflexes, described."""
    signs = [
        f"extensor plantar response ({side})"
        for side, v in zip(SIDES, case.sided("plantar_response"), strict=True)
        if v == "extensor"
    ]
    for item, name in (("ankle_reflex", "ankle"), ("knee_reflex", "knee")):
        signs += [
            f"{name} reflex graded {v} ({side})"
            for side, v in zip(SIDES, case.sided(item), strict=True)
            if v is not None and v >= REFLEX_BRISK_FROM
        ]
    return tuple(signs)


def objective_weakness(case: Case) -> tuple[str, ...]:
    """D1: MRC power 4 or less in ankle dorsiflexion or plantarflexion, described."""
    weak = []
    for item, name in (("power_ankle_dorsiflexion", "dorsiflexion"), ("power_ankle_plantarflexion", "plantarflexion")):
        weak += [
            f"ankle {name} MRC {v} ({side})"
            for side, v in zip(SIDES, case.sided(item), strict=True)
            if v is not None and v <= MRC_WEAK_MAX
        ]
    return tuple(weak)


def hyporeflexia(case: Case) -> bool:
    """D1: both ankle reflexes recorded, and every recorded ankle and knee reflex 0 or 1."""
    ankle, knee = case.sided("ankle_reflex"), case.sided("knee_reflex")
    if None in ankle:
        return False
    return all(v <= REFLEX_REDUCED_MAX for v in (*ankle, *knee) if v is not None)


def lops(case: Case) -> tuple[str, ...]:
    """D1: the feet where fewer monofilament sites were felt than tested."""
    return tuple(side for side, v in zip(SIDES, case.sided("monofilament"), strict=True) if v and v[1] < v[0])


def pattern(case: Case, umn: bool) -> str:
    """P1: the first matching pattern; areas that could not be fully read never satisfy an 'every area' test."""
    if umn:
        return "central"
    areas, one_side = case.areas, case.sides in SIDES
    if "radiating_leg_pain" in case.symptoms or "back_of_leg" in areas or (one_side and areas & ROOT_AREAS):
        return "radicular"
    readable = bool(areas) and "presentation.areas" not in case.unread
    if one_side and readable and areas <= FOOT_AREAS:
        return "focal"
    if case.sides == "both" and readable and areas & FOOT_AREAS and areas <= LENGTH_DEPENDENT_AREAS:
        return "length_dependent"
    return "undetermined"


def glucose_status(case: Case, by_test: dict[str, list[Reading]]) -> Glucose:
    """G1: known diabetes or two diabetes-range results confirm; one is likely; a prediabetes result is possible."""
    latest = {t: by_test[t][0] for t in (*DIAGNOSTIC_GLUCOSE, "random_glucose") if t in by_test}
    diabetic = [r for r in latest.values() if r.band == "diabetes"]
    evidence = tuple(describe(r) for r in diabetic)
    random_diabetic = "random_glucose" in latest and latest["random_glucose"].band == "diabetes"
    met = case.diabetes == "known" or any(t in by_test for t in DIAGNOSTIC_GLUCOSE) or random_diabetic
    if case.diabetes == "known":
        return Glucose("diabetes", "confirmed", ("known diabetes", *evidence), met)
    twice = [
        t
        for t in DIAGNOSTIC_GLUCOSE
        if t in by_test and len(by_test[t]) > 1 and all(r.band == "diabetes" for r in by_test[t][:2])
    ]
    if twice:
        evidence = tuple(describe(r) for t in twice for r in by_test[t][:2]) + evidence
    if twice or sum(1 for r in diabetic if r.lab.test in DIAGNOSTIC_GLUCOSE) >= 2:
        return Glucose("diabetes", "confirmed", _unique(evidence), met)
    if diabetic:
        return Glucose("diabetes", "likely", evidence, met)
    pre = tuple(describe(r) for r in latest.values() if r.band == "prediabetes")
    return Glucose("prediabetes", "possible", pre, met) if pre else Glucose(None, None, (), met)


def b12_reading(latest: dict[str, Reading]) -> Reading | None:
    """The B12 result that counts: the later of b12 and active_b12; on the same date (or both undated) the worse."""
    candidates = [latest[t] for t in ("b12", "active_b12") if t in latest]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r.lab.collected_on or _OLDEST, r.rank))


def b12_status(case: Case, latest: dict[str, Reading]) -> B12:
    """B1: deficient confirms; indeterminate asks for MMA, which decides; nitrous oxide asks for MMA regardless."""
    b12, mma, hcy = b12_reading(latest), latest.get("mma"), latest.get("homocysteine")
    nitrous = "nitrous_oxide" in case.b12_risks
    evidence = [describe(r) for r in (b12, mma, hcy) if r is not None]
    certainty, order_mma = _b12_certainty(b12, mma, hcy, latest.get("egfr"))
    deficient = b12 is not None and b12.band == "deficient"
    if nitrous and not deficient:
        evidence.append("recreational nitrous oxide use (serum B12 can look normal)")
        if mma is None and hcy is None:
            order_mma = True
        elif (mma.band if mma else hcy.band if hcy else None) == "raised":
            certainty = _stronger(certainty, "likely")
    met = (
        b12 is not None
        and (b12.band != "indeterminate" or mma is not None)
        and (not nitrous or deficient or mma is not None or hcy is not None)
    )
    if certainty == "likely" and b12 is not None and b12.band == "indeterminate" and mma and mma.band == "raised":
        evidence.append("eGFR below 30: kidney failure also raises MMA")
    return B12(certainty, order_mma, met, b12 is not None, tuple(evidence) if certainty or order_mma else ())


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


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
