"""Random workup cases for the benchmark and the property-based tests: valid ones, and invalid mutations of them.

Values are drawn near the decision thresholds as often as away from them, so the rules' edges get exercised.
Not for clinical use; the randomness is a plain seeded PRNG (reproducible), never for anything secret.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from workup.rules import vocab
from workup.rules.thresholds import (
    B12_PROFILES,
    DEFAULT_B12_PROFILE,
    DEFAULT_GLYCAEMIA_PROFILE,
    GLYCAEMIA_PROFILES,
    PLAUSIBLE,
    RANGE_LIMITS,
    SCALES,
)

AS_OF = date(2026, 11, 21)
_NOTES = (
    "Tingling worse at night.",
    "Saddle sore after cycling; no saddle numbness.",
    "Some difficulty swallowing last week.",
    "Works on his feet all day.",
    "Bowels normal.",
)
_SIDES = ("left", "right")
_WEEKS = (0.5, 1, 2, 4, 7.9, 8, 12, 25.9, 26, 30, 52, 104, 520)
_ALCOHOL = (0, 2, 10, 14, 14.5, 15, 20, 34, 35, 50, 120)


def _codes(choices: vocab.Choices) -> list[str]:
    return [code for code, _ in choices]


def _subset(rng: random.Random, items: list[str], p: float = 0.3) -> list[str]:
    return [item for item in items if rng.random() < p]


def random_case(rng: random.Random, *, as_of: date = AS_OF, red_flags: bool = False) -> dict[str, Any]:
    """Build a valid workup-case/1 document; with ``red_flags`` it always names at least one red flag."""
    case: dict[str, Any] = {
        "schema": "workup-case/1",
        "as_of": as_of.isoformat(),
        "patient": {"age_years": rng.randint(18, 95) if rng.random() < 0.95 else rng.randint(2, 17)},
        "presentation": _presentation(rng, red_flags),
    }
    if rng.random() < 0.8:
        case["patient"]["sex"] = rng.choice(_codes(vocab.SEX))
        if case["patient"]["sex"] == "female" and rng.random() < 0.15:
            case["patient"]["pregnant"] = rng.random() < 0.5
    if rng.random() < 0.8:
        case["history"] = _history(rng)
    if rng.random() < 0.9:
        case["exam"] = _exam(rng)
    if rng.random() < 0.85:
        case["labs"] = [random_lab(rng, as_of) for _ in range(rng.randint(0, 7))]
    return case


def _presentation(rng: random.Random, red_flags: bool) -> dict[str, Any]:
    sides = rng.choices(_codes(vocab.SIDES), weights=(6, 2, 2))[0]
    areas = _subset(rng, ["toes", "sole", "whole_foot"], 0.6) + _subset(rng, _codes(vocab.AREAS)[3:], 0.15)
    presentation: dict[str, Any] = {
        "onset": rng.choices(["gradual", "sudden"], weights=(9, 1))[0],
        "duration_weeks": rng.choice(_WEEKS) if rng.random() < 0.7 else round(rng.uniform(0, 400), 1),
        "course": rng.choice(_codes(vocab.COURSE)),
        "sides": sides,
        "areas": areas or [rng.choice(_codes(vocab.AREAS))],
    }
    if rng.random() < 0.8:
        presentation["symptoms"] = _subset(rng, _codes(vocab.SYMPTOMS), 0.25)
    flags = _subset(rng, _codes(vocab.RED_FLAGS), 0.3) if red_flags else []
    if red_flags and not flags:
        flags = [rng.choice(_codes(vocab.RED_FLAGS))]
    if flags or rng.random() < 0.8:
        presentation["red_flags"] = flags
    if rng.random() < 0.2:
        presentation["notes"] = rng.choice(_NOTES)
        if rng.random() < 0.5:
            presentation["notes_checked"] = rng.random() < 0.7
    return presentation


def _history(rng: random.Random) -> dict[str, Any]:
    history: dict[str, Any] = {}
    if rng.random() < 0.7:
        history["diabetes"] = rng.choices(["known", "not_known"], weights=(3, 7))[0]
    if rng.random() < 0.7:
        history["alcohol_units_per_week"] = rng.choice(_ALCOHOL)
    for key, choices, p in (
        ("chemotherapy", vocab.CHEMOTHERAPY, 0.05),
        ("b12_risks", vocab.B12_RISKS, 0.12),
        ("cns_history", vocab.CNS_HISTORY, 0.08),
        ("spine_history", vocab.SPINE_HISTORY, 0.1),
        ("medications", vocab.MEDICATIONS, 0.08),
        ("foot_history", vocab.FOOT_HISTORY, 0.08),
    ):
        if rng.random() < 0.5:
            history[key] = _subset(rng, _codes(choices), p)
    if history.get("chemotherapy") and rng.random() < 0.8:
        history["chemotherapy_ended_months_ago"] = rng.choice((0, 3, 6, 7, 12, 24, 120))
    if rng.random() < 0.3:
        history["family_history_neuropathy"] = rng.random() < 0.2
    return history


def _both(rng: random.Random, draw: Callable[[], Any]) -> dict[str, Any]:
    return {side: draw() for side in _SIDES if rng.random() < 0.96}


def _exam(rng: random.Random) -> dict[str, Any]:
    def reflex() -> int:
        return rng.choices(range(5), weights=(6, 6, 14, 0.6, 0.3))[0]

    def power() -> int:
        return rng.choices(range(6), weights=(0.3, 0.3, 0.3, 0.5, 1, 30))[0]

    def mono() -> dict[str, int]:
        tested = rng.choice((3, 4, 10))
        return {"sites_tested": tested, "sites_felt": rng.randint(max(0, tested - 3), tested)}

    sided: dict[str, Callable[[], Any]] = {
        "ankle_reflex": reflex,
        "knee_reflex": reflex,
        "plantar_response": lambda: rng.choices(_codes(vocab.PLANTAR), weights=(40, 1, 2))[0],
        "monofilament": mono,
        "vibration": lambda: rng.choice(_codes(vocab.GRADED_SENSE)),
        "pinprick": lambda: rng.choice(_codes(vocab.GRADED_SENSE)),
        "proprioception": lambda: rng.choice(_codes(vocab.PROPRIOCEPTION)),
        "power_ankle_dorsiflexion": power,
        "power_ankle_plantarflexion": power,
        "pedal_pulses": lambda: rng.choices(_codes(vocab.PULSES), weights=(8, 1, 1))[0],
        "abi": lambda: rng.choice((0.3, 0.49, 0.5, 0.7, 0.9, 0.91, 1.1, 1.4, 1.41, 1.8)),
        "tinel_tarsal_tunnel": lambda: rng.choice(_codes(vocab.SIGN)),
        "straight_leg_raise": lambda: rng.choice(_codes(vocab.SIGN)),
        "foot_posture": lambda: rng.choice(_codes(vocab.FOOT_POSTURE)),
    }
    exam: dict[str, Any] = {item: _both(rng, draw) for item, draw in sided.items() if rng.random() < 0.88}
    if rng.random() < 0.5:
        exam["romberg"] = rng.choice(_codes(vocab.ROMBERG))
    if rng.random() < 0.6:
        exam["foot_inspection"] = _subset(rng, _codes(vocab.FOOT_INSPECTION), 0.06)
    return exam


_PROFILED = {**B12_PROFILES[DEFAULT_B12_PROFILE], **GLYCAEMIA_PROFILES[DEFAULT_GLYCAEMIA_PROFILE]}


def _edges(test: str, unit: str) -> list[float]:
    scale = _PROFILED.get((test, unit)) or SCALES.get((test, unit))
    if scale is not None:
        return [e.value for e in scale.edges]
    defaults = [t.value for t in RANGE_LIMITS[test][1].get(unit, {}).values()]
    if defaults:
        return defaults
    limits = PLAUSIBLE[(test, unit)]  # read only against the lab's range: a value in the middle of the usual range
    high = limits.soft_high if limits.soft_high is not None else limits.hard_high
    return [round((limits.soft_low or limits.hard_low) + high) / 2]


def random_value(rng: random.Random, test: str, unit: str) -> float | str:
    """A plausible value of ``test`` in ``unit``: near a threshold, anywhere in range, or censored."""
    limits = PLAUSIBLE[(test, unit)]
    low = limits.soft_low if limits.soft_low is not None else limits.hard_low
    high = limits.soft_high if limits.soft_high is not None else min(limits.hard_high, low * 50 + 100)
    edge = rng.choice(_edges(test, unit))
    step = 1.0 if edge >= 20 else 0.1 if edge >= 1 else 0.01
    draw = rng.random()
    if draw < 0.5:
        value = edge + rng.choice((-step, 0, step))
    elif draw < 0.9:
        value = rng.uniform(low, high)
    else:
        bound = _round(rng.uniform(low, high), step)
        return f"{rng.choice('<>')}{min(max(bound, limits.hard_low), limits.hard_high)}"
    rounded = _round(min(max(value, limits.hard_low), limits.hard_high), step)
    return min(max(rounded, limits.hard_low), limits.hard_high)  # rounding must not leave the possible range


def _round(value: float, step: float) -> float:
    places = 0 if step >= 1 else 1 if step >= 0.1 else 2
    rounded = round(value, places)
    return int(rounded) if places == 0 else rounded


def random_lab(rng: random.Random, as_of: date = AS_OF) -> dict[str, Any]:
    """A valid lab result dated no later than ``as_of`` (sometimes undated)."""
    test = rng.choice(_codes(vocab.LAB_TESTS))
    lab: dict[str, Any] = {"test": test}
    if test == "spep":
        lab["value"] = rng.choices(["normal", "paraprotein"], weights=(8, 2))[0]
    else:
        lab["unit"] = rng.choice(vocab.LAB_UNITS[test])
        lab["value"] = random_value(rng, test, lab["unit"])
    if rng.random() < 0.85:
        lab["collected_on"] = (as_of - timedelta(days=rng.randint(0, 400))).isoformat()
    if test in RANGE_LIMITS and rng.random() < 0.3:
        edge = _edges(test, lab["unit"])[0]
        lab["reference_range"] = {"low": round(edge * 0.2, 3), "high": round(edge * 1.1, 3)}
    return lab


# --- invalid mutations: each returns the paths the problems must name ---------------------------------------------

Mutation = Callable[[random.Random, dict[str, Any]], list[str]]


def _add_lab(rng: random.Random, case: dict[str, Any], test: str | None = None) -> int:
    test = test or rng.choice([t for t in _codes(vocab.LAB_TESTS) if t != "spep"])
    unit = vocab.LAB_UNITS[test][0]
    case.setdefault("labs", []).append({"test": test, "unit": unit, "value": random_value(rng, test, unit)})
    return len(case["labs"]) - 1


def _lab_index(rng: random.Random, case: dict[str, Any]) -> int:
    labs = case.get("labs")
    if not labs or rng.random() < 0.3:
        return _add_lab(rng, case)
    return rng.randrange(len(labs))


def _unknown_key(rng: random.Random, case: dict[str, Any]) -> list[str]:
    where = rng.choice(["", "patient", "presentation", "history", "exam", "lab"])
    if where == "lab":
        i = _lab_index(rng, case)
        case["labs"][i]["flag"] = "H"
        return [f"labs[{i}]"]
    target = case if not where else case.setdefault(where, {})
    target["ankle_reflexes" if where == "exam" else "zz_typo"] = 1
    return [where or "case"]


def _wrong_type(rng: random.Random, case: dict[str, Any]) -> list[str]:
    options = [
        ("patient", "age_years", "sixty"),
        ("patient", "age_years", 61.5),
        ("presentation", "duration_weeks", True),
        ("presentation", "sides", ["both"]),
        ("history", "alcohol_units_per_week", False),
        ("presentation", "course", "worse"),
        ("history", "diabetes", None),
    ]
    section, key, value = rng.choice(options)
    case.setdefault(section, {})[key] = value
    return [f"{section}.{key}"]


def _exam_value(rng: random.Random, case: dict[str, Any]) -> list[str]:
    item, side, value = rng.choice(
        [
            ("ankle_reflex", "left", 2.5),
            ("knee_reflex", "right", 5),
            ("abi", "left", 3.5),
            ("power_ankle_dorsiflexion", "right", 6),
            ("power_ankle_plantarflexion", "left", True),
            ("plantar_response", "left", "upgoing"),
            ("abi", "right", "0.9"),
        ]
    )
    case.setdefault("exam", {}).setdefault(item, {})[side] = value
    return [f"exam.{item}.{side}"]


def _monofilament(rng: random.Random, case: dict[str, Any]) -> list[str]:
    side = rng.choice(_SIDES)
    case.setdefault("exam", {}).setdefault("monofilament", {})[side] = {"sites_tested": 3, "sites_felt": 5}
    return [f"exam.monofilament.{side}"]


def _bad_unit(rng: random.Random, case: dict[str, Any]) -> list[str]:
    i = _lab_index(rng, case)
    lab = case["labs"][i]
    if lab["test"] == "spep":
        lab["unit"] = "g/L"
    elif rng.random() < 0.5:
        lab["unit"] = "mmol"
    else:
        lab.pop("unit", None)
    return [f"labs[{i}].unit"]


def _impossible_value(rng: random.Random, case: dict[str, Any]) -> list[str]:
    i = _add_lab(rng, case, rng.choice(["fasting_glucose", "hba1c", "b12", "tsh", "egfr"]))
    lab = case["labs"][i]
    lab["value"] = PLAUSIBLE[(lab["test"], lab["unit"])].hard_high * 3
    return [f"labs[{i}].value"]


def _malformed_value(rng: random.Random, case: dict[str, Any]) -> list[str]:
    i = _lab_index(rng, case)
    case["labs"][i]["value"] = rng.choice(["<=5", "about 7", "7,2", True, None, "positive"])
    return [f"labs[{i}].value"]


def _future_date(rng: random.Random, case: dict[str, Any]) -> list[str]:
    i = _lab_index(rng, case)
    as_of = date.fromisoformat(case.get("as_of", AS_OF.isoformat()))
    case["labs"][i]["collected_on"] = (as_of + timedelta(days=rng.randint(1, 60))).isoformat()
    return [f"labs[{i}].collected_on"]


def _missing_required(rng: random.Random, case: dict[str, Any]) -> list[str]:
    key = rng.choice(["onset", "duration_weeks", "course", "sides", "areas"])
    case["presentation"].pop(key, None)
    return [f"presentation.{key}"]


def _repeated_area(rng: random.Random, case: dict[str, Any]) -> list[str]:
    areas = case["presentation"].setdefault("areas", ["toes"])
    areas.append(areas[0])
    return [f"presentation.areas[{len(areas) - 1}]"]


# Applied in this order, so a later mutation never undoes an earlier one (a removed key is not re-added).
MUTATIONS: tuple[Mutation, ...] = (
    _missing_required,
    _unknown_key,
    _wrong_type,
    _exam_value,
    _monofilament,
    _bad_unit,
    _impossible_value,
    _malformed_value,
    _future_date,
    _repeated_area,
)


def mutate(rng: random.Random, case: dict[str, Any], count: int = 1) -> tuple[dict[str, Any], list[str]]:
    """Return an invalid copy of ``case`` and the paths its problems must name (``count`` mutations)."""
    broken = copy.deepcopy(case)
    paths: list[str] = []
    for index in sorted(rng.sample(range(len(MUTATIONS)), count)):
        mutation = MUTATIONS[index]
        paths += mutation(rng, broken)
    return broken, paths


def bench_cases(count: int, seed: int) -> list[dict[str, Any]]:
    """A benchmark mix: about 80% valid cases, 10% with red flags, 10% invalid."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, nothing secret
    cases = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.1:
            cases.append(mutate(rng, random_case(rng), rng.randint(1, 3))[0])
        else:
            cases.append(random_case(rng, red_flags=draw < 0.2))
    return cases
