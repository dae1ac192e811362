"""Lab results: reading a value and unit, plausibility, and banding in the reported unit (clinical-rules.md 2)."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workup.rules.case import Lab
from workup.rules.thresholds import (
    B12_PROFILES,
    DEFAULT_B12_PROFILE,
    DEFAULT_GLYCAEMIA_PROFILE,
    GLYCAEMIA_PROFILES,
    MIDDLE_BAND,
    PLAUSIBLE,
    RANGE_LIMITS,
    SCALES,
    SEVERITY,
    Profile,
    Scale,
    range_scale,
)
from workup.rules.units import normalise_unit
from workup.rules.vocab import LAB_TESTS, LAB_UNITS, SPEP_VALUES, codes

TESTS = codes(LAB_TESTS)
SPEP = codes(SPEP_VALUES)
# '<' or '>', optional spaces, then a decimal number in ASCII digits (clinical-rules.md 9): '<200.' and '<=200' are not.
_CENSORED = re.compile(r"([<>]) *([0-9]+(?:\.[0-9]+)?)")
MISSING: Any = object()  # a key that is absent, as opposed to present and null
RANK: dict[str, dict[str, int]] = {test: {b: i for i, b in enumerate(bands)} for test, bands in SEVERITY.items()}
_RANGE_DEFAULTS: dict[tuple[str, str], Scale] = {
    (test, unit): range_scale(
        test,
        unit,
        limits["low"].value if "low" in limits else None,
        limits["high"].value if "high" in limits else None,
        next(iter(limits.values())).source,
    )
    for test, (_, by_unit) in RANGE_LIMITS.items()
    for unit, limits in by_unit.items()
}
# Mid-sentence names: "fasting glucose", but acronyms such as HbA1c, TSH and OGTT keep their capitals.
_NOUNS = {t: lab if any(c.isupper() for c in lab.split()[0][1:]) else lab[0].lower() + lab[1:] for t, lab in LAB_TESTS}


def noun(test: str) -> str:
    """Name a test as a clinician writes it mid-sentence ("fasting glucose", "HbA1c")."""
    return _NOUNS.get(test, test)


def fmt(value: float) -> str:
    """Write a number the way it was most likely typed: 7 not 7.0, 6.45 not 6.4500000001."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def duration(weeks: float) -> str:
    """Say a duration as a clinician would: '3 days' under a week, '1 week', '8 weeks', '2.5 weeks'."""
    if weeks < 1:
        days = max(1, round(weeks * DAYS_PER_WEEK))
        return "1 day" if days == 1 else f"{days} days"
    shown = fmt(weeks)
    return "1 week" if weeks == 1 else f"{shown} weeks"


DAYS_PER_WEEK = 7  # a calendar fact, not a clinical threshold


def as_number(value: object) -> float | None:
    """Return a JSON number (int, float or Decimal, never bool, never NaN/inf) as float, else None."""
    kind = type(value)
    if kind is float:  # the common case first: plain JSON numbers
        number: float = value  # type: ignore[assignment]
    elif isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    else:
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            return None
    return number if math.isfinite(number) else None


def show(value: object) -> str:
    """Quote a bad input value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int) and abs(value) >= 10**15:
        return "a number too large to use"
    return str(value)


def parse_unit(test: str, raw: object) -> tuple[str, str | None]:
    """Return (unit in contract spelling, error message or None) for a result of ``test``."""
    if test == "spep":
        if raw is MISSING or raw == "":
            return "", None
        return "", "serum protein electrophoresis takes no unit (leave it out or empty)"
    if raw is MISSING or raw is None or raw == "":
        return "", f"a unit is required for {noun(test)} (one of {', '.join(LAB_UNITS[test])})"
    if not isinstance(raw, str):
        return "", f"must be a unit written as text, such as '{LAB_UNITS[test][0]}'"
    unit = normalise_unit(raw)
    if unit not in LAB_UNITS[test]:
        return "", f"{raw!r} is not a unit for {noun(test)} (use {' or '.join(LAB_UNITS[test])})"
    return unit, None


def parse_value(test: str, raw: object) -> tuple[float, str, str, str | None]:
    """Return (number or censored bound, censor "<"/">"/"", spep text, error message or None)."""
    if test == "spep":
        if isinstance(raw, str) and raw in SPEP:
            return 0.0, "", raw, None
        return 0.0, "", "", f"{show(raw)} is not a serum protein electrophoresis result (use 'normal' or 'paraprotein')"
    number = as_number(raw)
    if number is not None:
        return number, "", "", None
    if isinstance(raw, str):
        match = _CENSORED.fullmatch(raw)
        if match:
            return float(match.group(2)), match.group(1), "", None
        return 0.0, "", "", f"{raw!r} is not a number; a result beyond the lab's range is written '<x' or '>x'"
    if isinstance(raw, float | Decimal | int) and not isinstance(raw, bool):
        return 0.0, "", "", f"{show(raw)} is not a finite number"
    return 0.0, "", "", f"must be a number, not {show(raw)}"


def plausibility(test: str, unit: str, value: float, censor: str = "") -> tuple[str | None, str | None]:
    """Return (error when impossible, warning when unusual) for a value in a valid unit."""
    limits = PLAUSIBLE.get((test, unit))
    if limits is None:
        return None, None
    shown = f"'{censor}{fmt(value)}' {unit}" if censor else f"{fmt(value)} {unit}"
    if value < limits.hard_low or value > limits.hard_high:
        possible = f"{fmt_limit(limits.hard_low)} to {fmt_limit(limits.hard_high)} {unit}"
        return f"{shown} is not a possible {noun(test)} (possible range {possible})", None
    low, high = limits.soft_low, limits.soft_high
    if (low is not None and value < low) or (high is not None and value > high):
        usual = _usual(low, high, unit)
        return None, f"{shown} is outside the usual range for {noun(test)} ({usual}): check the value and unit"
    return None, None


def fmt_limit(value: float) -> str:
    """Write a plausibility limit (some are converted from another unit) to four significant figures."""
    return fmt(float(f"{value:.4g}"))


def _usual(low: float | None, high: float | None, unit: str) -> str:
    if low is None:
        return f"up to {fmt_limit(high or 0)} {unit}"
    if high is None:
        return f"from {fmt_limit(low)} {unit}"
    return f"{fmt_limit(low)} to {fmt_limit(high)} {unit}"


def check_lab_value(test: str, value: object, unit: object) -> tuple[list[str], list[str]]:
    """Check one result for a form field: (errors, warnings) in clinician words, e.g. an impossible glucose."""
    if test not in TESTS:
        return [f"{show(test)} is not a lab test this workup knows"], []
    unit_text, unit_error = parse_unit(test, MISSING if unit is None and test == "spep" else unit)
    number, censor, _, value_error = parse_value(test, value)
    errors = [e for e in (unit_error, value_error) if e]
    if errors or test == "spep":
        return errors, []
    error, warning = plausibility(test, unit_text, number, censor)
    return ([error] if error else []), ([warning] if warning else [])


@dataclass(slots=True)
class Reading:
    """A lab result with its band; ``undecidable`` when a censored value spans bands (it counts as ``band``)."""

    lab: Lab
    band: str
    rank: int
    undecidable: bool = False
    said: str = ""  # facts.describe's words, kept once worked out (a result is described by several rules)


def scale_for(test: str, unit: str, ref_low: float | None, ref_high: float | None, profile: Profile) -> Scale | None:
    """Choose the scale a result is banded on: the profiles, the lab's own limits where allowed, else the table.

    None for a test read only against the lab's range (vitamin B6, copper) when the lab gave no usable limit.
    """
    if (test, unit) in profile:
        return profile[(test, unit)]
    if test not in RANGE_LIMITS:
        return SCALES[(test, unit)]
    ends, defaults = RANGE_LIMITS[test]
    if ref_low is None and ref_high is None:
        return _RANGE_DEFAULTS.get((test, unit))
    limits = defaults.get(unit, {})
    low = ref_low if ref_low is not None else (limits["low"].value if "low" in limits else None)
    high = ref_high if ref_high is not None else (limits["high"].value if "high" in limits else None)
    if not any((low if end == "low" else high) is not None for end in ends):
        return None
    return range_scale(test, unit, low, high, "the reporting lab's reference range")


def band_index(scale: Scale, value: float) -> int:
    """Return the index of the band ``value`` falls in; every value falls in exactly one."""
    index = 0
    for edge in scale.edges:
        if value > edge.value or (value == edge.value and edge.upper):
            index += 1
        else:
            break
    return index


def read(lab: Lab, profile: Profile) -> Reading:
    """Band one result in the unit it was reported in."""
    ranks = RANK[lab.test]
    if lab.test == "spep":
        return Reading(lab, lab.text, ranks[lab.text])
    scale = scale_for(lab.test, lab.unit, lab.ref_low, lab.ref_high, profile)
    if scale is None:
        return Reading(lab, "not_interpreted", ranks["not_interpreted"])
    if not lab.censor:
        name = scale.bands[band_index(scale, lab.value)]
        return Reading(lab, name, ranks[name])
    return _read_censored(lab, scale, ranks)


def _read_censored(lab: Lab, scale: Scale, ranks: dict[str, int]) -> Reading:
    # The band every value of the open range falls in; a range across bands counts as the middle band if the test
    # has one, otherwise as not abnormal (clinical-rules.md 2, censored results).
    if lab.censor == "<":
        low, high = 0, sum(1 for e in scale.edges if e.value < lab.value)
    else:
        low, high = sum(1 for e in scale.edges if e.value <= lab.value), len(scale.edges)
    if low == high:
        name = scale.bands[low]
        return Reading(lab, name, ranks[name])
    name = MIDDLE_BAND.get(lab.test, SEVERITY[lab.test][0])
    return Reading(lab, name, ranks[name], undecidable=True)


@functools.lru_cache(maxsize=16)
def profile_scales(
    b12_profile: str = DEFAULT_B12_PROFILE, glycaemia_profile: str = DEFAULT_GLYCAEMIA_PROFILE
) -> Profile:
    """Return the scales of the named B12 and glycaemia profiles together; ValueError for an unknown name."""
    for kind, name, known in (("B12", b12_profile, B12_PROFILES), ("glycaemia", glycaemia_profile, GLYCAEMIA_PROFILES)):
        if name not in known:
            raise ValueError(f"unknown {kind} profile {name!r}; known: {', '.join(known)}")
    return {**B12_PROFILES[b12_profile], **GLYCAEMIA_PROFILES[glycaemia_profile]}


def band(
    test: str,
    value: Any,
    unit: str,
    reference_range: dict[str, Any] | None = None,
    *,
    b12_profile: str = DEFAULT_B12_PROFILE,
    glycaemia_profile: str = DEFAULT_GLYCAEMIA_PROFILE,
) -> str:
    """Return the band name of one result (see thresholds.SEVERITY for the names); ValueError if unreadable."""
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}")
    unit_text, unit_error = parse_unit(test, unit if test != "spep" else MISSING)
    number, censor, text, value_error = parse_value(test, value)
    if unit_error or value_error:
        raise ValueError(unit_error or value_error)
    ref = reference_range or {}
    lab = Lab(0, test, unit_text, number, censor, text, None, as_number(ref.get("low")), as_number(ref.get("high")))
    return read(lab, profile_scales(b12_profile, glycaemia_profile)).band
