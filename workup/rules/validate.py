"""Reading a workup-case/1 document: every problem with its path, not just the first (hand-written, no jsonschema).

Like Django's password validation, every check runs and every failure is collected. What could be read is kept, so
the red-flag path can still work out a pattern from a case that is otherwise invalid.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from workup.rules import vocab
from workup.rules.case import NO_EXAM, Case, Lab, Problem
from workup.rules.labs import _CENSORED, MISSING, TESTS, as_number, fmt, parse_unit, parse_value, plausibility, show
from workup.rules.thresholds import PLAUSIBLE, limit

ROOT = "case"  # the path an unknown top-level key is reported at
SCHEMA = "workup-case/1"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Invalid:
    """Marks a value that failed its check (None is a value a case may hold)."""


INVALID: Any = _Invalid()


class Reader:
    """Collects the problems and warnings of one document, and the fields that could not be fully read."""

    __slots__ = ("as_of", "errors", "unread", "warnings")

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.errors: list[Problem] = []
        self.warnings: list[str] = []
        self.unread: set[str] = set()

    def error(self, path: str, message: str) -> Any:
        self.errors.append(Problem(path or ROOT, message))
        return INVALID

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(f"{path}: {message}")


Check = Callable[[Any, str, Reader], Any]


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def unknown_key(key: object, known: Iterable[str]) -> str:
    """Name an unknown key, with the nearest known one when the key looks like a typo."""
    close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.75)
    return f"unknown key {str(key)!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def read_object(raw: Any, path: str, fields: dict[str, Check], r: Reader, required: tuple[str, ...] = ()) -> Any:
    """Check an object's keys and run each field's check; return the readable values (INVALID if not an object)."""
    if not isinstance(raw, dict):
        return r.error(path, f"must be an object with named fields, not {show(raw)}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        check = fields.get(key)
        if check is None:
            r.error(path, unknown_key(key, fields))
            continue
        quick = _QUICK.get(check)
        got = quick(value) if quick is not None else INVALID
        if got is INVALID:  # not plainly valid: the full check, which names the problem by its path
            got = check(value, f"{path}.{key}" if path else key, r)
        if got is not INVALID:
            out[key] = got
    for key in required:
        if key not in raw:
            r.error(join(path, key), "is required")
    return out


# Quick checks: for a plainly valid value, the value as the full check would return it, else INVALID (then the full
# check runs and names the problem). They only make the common case cheap; they never decide an error.
_QUICK: dict[Check, Callable[[Any], Any]] = {}


# For checks whose valid values are a small set (enums, small whole numbers): (their class, the set), so a sided
# item can be judged with two membership tests instead of two calls.
_VALUES: dict[Check, tuple[type, frozenset[Any]]] = {}


def _quick(check: Check, quick: Callable[[Any], Any]) -> Check:
    _QUICK[check] = quick
    return check


def normalise(text: str) -> str:
    """Fold letter case, spaces, hyphens and underscores: ' Sudden-Onset ' -> 'sudden_onset'."""
    return _SEPARATORS.sub("_", text.strip().lower()).strip("_")


_SEPARATORS = re.compile(r"[\s\-_]+")


def enum(choices: vocab.Choices) -> Check:
    allowed = vocab.codes(choices)
    listing = ", ".join(code for code, _ in choices)

    def check(value: Any, path: str, r: Reader) -> Any:
        if isinstance(value, str) and value in allowed:
            return value
        r.error(path, f"{show(value)} is not one of: {listing}")
        # Still an error, but the emergency rules may read it: a typo in letter case must never hide an emergency.
        near = normalise(value) if isinstance(value, str) else None
        return near if near in allowed else INVALID

    _VALUES[check] = (str, allowed)
    return _quick(check, lambda v: v if v.__class__ is str and v in allowed else INVALID)


def enum_list(choices: vocab.Choices, *, min_items: int = 0) -> Check:
    allowed = vocab.codes(choices)
    listing = ", ".join(code for code, _ in choices)

    def check(value: Any, path: str, r: Reader) -> Any:
        if not isinstance(value, list):
            r.unread.add(path)
            return r.error(path, f"must be a list, not {show(value)}")
        if len(value) < min_items:
            r.unread.add(path)
            r.error(path, "must name at least one")
        seen: set[str] = set()
        for i, item in enumerate(value):
            if not (isinstance(item, str) and item in allowed):
                r.unread.add(path)
                r.error(f"{path}[{i}]", f"{show(item)} is not one of: {listing}")
                near = normalise(item) if isinstance(item, str) else None
                if near in allowed:  # kept for the emergency rules only: the error stops the normal path
                    seen.add(near)
            elif item in seen:
                r.error(f"{path}[{i}]", f"repeats {item!r}")
            else:
                seen.add(item)
        return frozenset(seen)

    def quick(value: Any) -> Any:
        if value.__class__ is not list or len(value) < min_items:
            return INVALID
        try:
            items = frozenset(value)
        except TypeError:  # an unhashable item: the full check names it
            return INVALID
        return items if len(items) == len(value) and items <= allowed else INVALID

    return _quick(check, quick)


_PLAIN_NUMBERS = (int, float)


def boolean(value: Any, path: str, r: Reader) -> Any:
    return value if isinstance(value, bool) else r.error(path, f"must be true or false, not {show(value)}")


_quick(boolean, lambda v: v if v.__class__ is bool else INVALID)


def text(max_chars: int) -> Check:
    def check(value: Any, path: str, r: Reader) -> Any:
        if not isinstance(value, str):
            return r.error(path, f"must be text, not {show(value)}")
        if len(value) > max_chars:
            return r.error(path, f"is {len(value)} characters long; at most {max_chars} are read")
        return value

    return _quick(check, lambda v: v if v.__class__ is str and len(v) <= max_chars else INVALID)


def number(low: float, high: float) -> Check:
    def check(value: Any, path: str, r: Reader) -> Any:
        n = as_number(value)
        if n is None:
            return r.error(path, f"must be a number, not {show(value)}")
        if n < low or n > high:
            r.error(path, f"{fmt(n)} is out of range ({fmt(low)} to {fmt(high)})")
            # Kept for the emergency rules only (a sudden onset with a negative duration is still under a week).
        return n

    def quick(value: Any) -> Any:
        # Compared as numbers first: NaN and infinities fail, and an int too large for a float never reaches float().
        if value.__class__ in _PLAIN_NUMBERS and -1e300 < value < 1e300 and low <= value <= high:
            return float(value)
        return INVALID

    return _quick(check, quick)


def integer(low: int, high: int) -> Check:
    def check(value: Any, path: str, r: Reader) -> Any:
        n = as_number(value)
        if n is None or n != int(n):
            return r.error(path, f"must be a whole number from {low} to {high}, not {show(value)}")
        if n < low or n > high:
            return r.error(path, f"{fmt(n)} is out of range ({low} to {high})")
        return int(n)

    _VALUES[check] = (int, frozenset(range(low, high + 1)))
    return _quick(check, lambda v: v if v.__class__ is int and low <= v <= high else INVALID)


def const(expected: str) -> Check:
    def check(value: Any, path: str, r: Reader) -> Any:
        return value if value == expected else r.error(path, f"must be {expected!r}, not {show(value)}")

    return _quick(check, lambda v: v if v.__class__ is str and v == expected else INVALID)


def parse_date(value: Any) -> date | None:
    """Return a YYYY-MM-DD string (or a date) as a date, else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _iso_date(value)
    return None


def _iso_date(value: str) -> date | None:
    # Cases repeat a few dates (every result of one blood draw): parse each spelling once.
    if value in _DATES:
        return _DATES[value]
    if len(_DATES) > _DATES_KEPT:
        _DATES.clear()
    parsed = None
    if _DATE.fullmatch(value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
    _DATES[value] = parsed
    return parsed


_DATES: dict[str, date | None] = {}
_DATES_KEPT = 4096


def a_date(value: Any, path: str, r: Reader) -> Any:
    parsed = parse_date(value)
    return parsed if parsed else r.error(path, f"{show(value)} is not a date written YYYY-MM-DD")


_quick(a_date, lambda v: (_iso_date(v) or INVALID) if v.__class__ is str else INVALID)


def sided(inner: Check) -> Check:
    fields = {"left": inner, "right": inner}

    def check(value: Any, path: str, r: Reader) -> Any:
        got = read_object(value, path, fields, r)
        return INVALID if got is INVALID else (got.get("left"), got.get("right"))

    inner_quick = _QUICK.get(inner)
    kind, values = _VALUES.get(inner, (None, frozenset()))

    def quick(value: Any) -> Any:
        if inner_quick is None or value.__class__ is not dict:
            return INVALID
        if len(value) == 2 and "left" in value and "right" in value:  # the common case: both sides recorded
            left, right = value["left"], value["right"]
            if left.__class__ is kind and right.__class__ is kind and left in values and right in values:
                return (left, right)
            left, right = inner_quick(left), inner_quick(right)
            left, right = inner_quick(value["left"]), inner_quick(value["right"])
        elif value.keys() <= _SIDE_KEYS:
            left = inner_quick(value["left"]) if "left" in value else None
            right = inner_quick(value["right"]) if "right" in value else None
        else:
            return INVALID
        return INVALID if left is INVALID or right is INVALID else (left, right)

    return _quick(check, quick)


_SIDE_KEYS = frozenset({"left", "right"})


_MONOFILAMENT = {"sites_tested": integer(1, 10), "sites_felt": integer(0, 10)}


def monofilament_side(value: Any, path: str, r: Reader) -> Any:
    got = read_object(value, path, _MONOFILAMENT, r, required=("sites_tested", "sites_felt"))
    if got is INVALID or len(got) < 2:
        return INVALID
    tested, felt = got["sites_tested"], got["sites_felt"]
    if felt > tested:
        return r.error(join(path, "sites_felt"), f"{felt} sites felt is more than the {tested} sites tested")
    return (tested, felt)


def _quick_monofilament(value: Any) -> Any:
    if value.__class__ is not dict or len(value) != len(_MONOFILAMENT) or not value.keys() <= _MONOFILAMENT.keys():
        return INVALID
    tested, felt = value["sites_tested"], value["sites_felt"]
    if tested.__class__ is int and felt.__class__ is int and 1 <= tested <= 10 and 0 <= felt <= tested:
        return (tested, felt)
    return INVALID


_quick(monofilament_side, _quick_monofilament)


_ABI_NUMBER = number(0, 3)


def abi_side(value: Any, path: str, r: Reader) -> Any:
    n = _ABI_NUMBER(value, path, r)
    if n is INVALID:
        return INVALID
    if n > limit("abi_compressible_max"):
        r.warn(
            path,
            f"ABI {fmt(n)} is above {limit('abi_compressible_max'):.2f}: the ankle arteries are not compressible, "
            "so it says nothing about arterial disease (a toe-brachial index can)",
        )
    elif n < limit("abi_soft_low"):
        r.warn(path, f"ABI {fmt(n)} is unusually low (below {fmt(limit('abi_soft_low'))}): check the value")
    return n


def _quick_abi(value: Any) -> Any:
    if value.__class__ in _PLAIN_NUMBERS and limit("abi_soft_low") <= value <= limit("abi_compressible_max"):
        return float(value)
    return INVALID


_quick(abi_side, _quick_abi)


def red_flags(value: Any, path: str, r: Reader) -> Any:
    """Read red flags leniently (clinical-rules.md 3.1): every reading that is not an exact code says what it read."""
    if isinstance(value, str):
        r.warn(path, f"a single red flag written as text, {show(value)}, was read as a list of one")
        items: list[tuple[str, Any]] = [(path, value)]
    elif isinstance(value, list):
        items = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
    else:
        return r.error(path, f"must be a list of red flags, not {show(value)}")
    found: list[str] = []
    unknown: list[tuple[str, Any]] = []
    for where, item in items:
        code, exact = read_flag(item)
        if code is None:
            unknown.append((where, item))
        elif code in found:
            r.warn(where, f"{show(item)} repeats red flag {code!r}")
        else:
            if not exact:
                r.warn(where, f"{show(item)} was read as the red flag {code!r} ({_FLAG_LABELS[code]})")
            found.append(code)
    for where, item in unknown:
        message = f"unknown red flag {show(item)}"
        if found:  # the case is an emergency whatever this entry meant
            r.warn(where, f"{message}: not read")
        else:
            r.error(where, f"{message}; known: {', '.join(_FLAG_LABELS)}")
    return frozenset(found)


def _quick_red_flags(value: Any) -> Any:
    if value.__class__ is not list:
        return INVALID
    try:
        flags = frozenset(value)
    except TypeError:
        return INVALID
    return flags if len(flags) == len(value) and flags <= _FLAG_SET else INVALID


_quick(red_flags, _quick_red_flags)


def read_flag(item: object) -> tuple[str | None, bool]:
    """Return (the red flag an entry names, whether it named it exactly); (None, False) when it names none."""
    if not isinstance(item, str):
        return None, False
    if item in _FLAG_LABELS:
        return item, True
    return _near_flag(item), False


@functools.lru_cache(maxsize=1024)
def _near_flag(item: str) -> str | None:
    # Letter case, spaces, hyphens and underscores are ignored; then a synonym or a near-misspelling (difflib ratio,
    # the higher of its two orders) of a code or synonym counts as that flag.
    words = normalise(item).replace("_", " ")
    best, best_ratio = None, limit("similarity_min")
    for candidate, code in _FLAG_WORDS:
        if words == candidate:
            return code
        ratio = max(
            difflib.SequenceMatcher(None, words, candidate).ratio(),
            difflib.SequenceMatcher(None, candidate, words).ratio(),
        )
        if ratio >= best_ratio and (best is None or ratio > best_ratio):
            best, best_ratio = code, ratio
    return best


_FLAG_LABELS = dict(vocab.RED_FLAGS)
_FLAG_SET = frozenset(_FLAG_LABELS)
_FLAG_WORDS: tuple[tuple[str, str], ...] = tuple(
    (words, code) for code in _FLAG_LABELS for words in (code.replace("_", " "), *vocab.RED_FLAG_SYNONYMS.get(code, ()))
)


def foot_inspection(value: Any, path: str, r: Reader) -> Any:
    """A list of findings ([] = nothing found); the 2026.11 single strings are read as the list they meant."""
    if isinstance(value, str) and value in vocab.FOOT_INSPECTION_2026_11:
        meant = list(vocab.FOOT_INSPECTION_2026_11[value])
        r.warn(path, f"{show(value)} is the 2026.11 form of foot inspection; read as {meant}")
        return frozenset(meant)
    return _FOOT_FINDINGS(value, path, r)


_FOOT_FINDINGS = enum_list(vocab.FOOT_INSPECTION)
_quick(foot_inspection, _QUICK[_FOOT_FINDINGS])


PATIENT = {"age_years": integer(0, 120), "sex": enum(vocab.SEX), "pregnant": boolean}
PRESENTATION = {
    "onset": enum(vocab.ONSET),
    "duration_weeks": number(0, 5200),
    "course": enum(vocab.COURSE),
    "sides": enum(vocab.SIDES),
    "areas": enum_list(vocab.AREAS, min_items=1),
    "symptoms": enum_list(vocab.SYMPTOMS),
    "red_flags": red_flags,
    "notes": text(int(limit("notes_max_chars"))),
    "notes_checked": boolean,
}
HISTORY = {
    "diabetes": enum(vocab.DIABETES),
    "alcohol_units_per_week": number(0, 500),
    "chemotherapy": enum_list(vocab.CHEMOTHERAPY),
    "chemotherapy_ended_months_ago": number(0, limit("chemotherapy_months_max")),
    "b12_risks": enum_list(vocab.B12_RISKS),
    "medications": enum_list(vocab.MEDICATIONS),
    "cns_history": enum_list(vocab.CNS_HISTORY),
    "spine_history": enum_list(vocab.SPINE_HISTORY),
    "family_history_neuropathy": boolean,
    "foot_history": enum_list(vocab.FOOT_HISTORY),
}
EXAM = {
    "ankle_reflex": sided(integer(0, 4)),
    "knee_reflex": sided(integer(0, 4)),
    "plantar_response": sided(enum(vocab.PLANTAR)),
    "monofilament": sided(monofilament_side),
    "vibration": sided(enum(vocab.GRADED_SENSE)),
    "pinprick": sided(enum(vocab.GRADED_SENSE)),
    "proprioception": sided(enum(vocab.PROPRIOCEPTION)),
    "power_ankle_dorsiflexion": sided(integer(0, 5)),
    "power_ankle_plantarflexion": sided(integer(0, 5)),
    "romberg": enum(vocab.ROMBERG),
    "pedal_pulses": sided(enum(vocab.PULSES)),
    "abi": sided(abi_side),
    "tinel_tarsal_tunnel": sided(enum(vocab.SIGN)),
    "straight_leg_raise": sided(enum(vocab.SIGN)),
    "foot_posture": sided(enum(vocab.FOOT_POSTURE)),
    "foot_inspection": foot_inspection,
}
_SINGLE_EXAM = ("romberg", "foot_inspection")
_REFERENCE_RANGE = {"low": number(float("-inf"), float("inf")), "high": number(float("-inf"), float("inf"))}
_LAB_KEYS = ("test", "value", "unit", "collected_on", "reference_range")
_TEST_LIST = ", ".join(code for code, _ in vocab.LAB_TESTS)


def read_labs(value: Any, path: str, r: Reader) -> Any:
    if not isinstance(value, list):
        return r.error(path, f"must be a list of results, not {show(value)}")
    labs = (_quick_lab(item, i, r.as_of) or read_lab(item, i, r) for i, item in enumerate(value))
    return tuple(lab for lab in labs if lab is not None)


def _quick_lab(item: Any, index: int, as_of: date) -> Lab | None:
    """A plainly valid result (known test and unit, a usual value or censored bound, past date, a well-formed range)
    without the checks' paths and messages; anything else (None) goes through read_lab, which names every problem."""
    if item.__class__ is not dict or not item.keys() <= _LAB_KEY_SET:
        return None
    test, unit, value = item.get("test"), item.get("unit", ""), item.get("value")
    if test.__class__ is not str or unit.__class__ is not str:
        return None
    collected = None
    if "collected_on" in item:
        when = item["collected_on"]
        collected = _iso_date(when) if when.__class__ is str else None
        if collected is None or collected > as_of:
            return None
    if test == "spep":
        plain = unit == "" and value.__class__ is str and value in _SPEP_TEXT
        return Lab(index, test, "", 0.0, "", value, collected) if plain else None
    limits = _USUAL.get((test, unit))
    if limits is None:
        return None
    censor = ""
    if value.__class__ is str:
        match = _CENSORED.fullmatch(value)
        if match is None:
            return None
        censor, value = match.group(1), float(match.group(2))
    if value.__class__ not in _PLAIN_NUMBERS or not limits[0] <= value <= limits[1]:
        return None
    low = high = None
    if "reference_range" in item:
        ref = item["reference_range"]
        if ref.__class__ is not dict or not ref.keys() <= _RANGE_KEYS:
            return None
        low, high = ref.get("low"), ref.get("high")
        if not (_plain_or_none(low) and _plain_or_none(high)) or (low is not None and high is not None and low > high):
            return None
    return Lab(index, test, unit, float(value), censor, "", collected, low, high)


def _plain_or_none(value: Any) -> bool:
    if value.__class__ is int:
        return bool(-_FLOAT_MAX < value < _FLOAT_MAX)  # a whole number too large for a float is an error (section 9)
    return value is None or (value.__class__ is float and math.isfinite(value))


_FLOAT_MAX = 1e308


_LAB_KEY_SET = frozenset(_LAB_KEYS)
_RANGE_KEYS = frozenset({"low", "high"})
_SPEP_TEXT = frozenset(code for code, _ in vocab.SPEP_VALUES)


def _usual_range(test: str, unit: str) -> tuple[float, float]:
    p = PLAUSIBLE[(test, unit)]
    low = p.soft_low if p.soft_low is not None else p.hard_low
    high = p.soft_high if p.soft_high is not None else p.hard_high
    return low, high


# (test, unit as the contract spells it) -> the values accepted without a warning.
_USUAL: dict[tuple[str, str], tuple[float, float]] = {key: _usual_range(*key) for key in PLAUSIBLE}


def read_lab(item: Any, index: int, r: Reader) -> Lab | None:
    """Check one result: test, unit for that test, value (number, censored or spep text), date, reference range."""
    path = f"labs[{index}]"
    if not isinstance(item, dict):
        r.error(path, f"must be an object with test, value and unit, not {show(item)}")
        return None
    for key in item:
        if key not in _LAB_KEYS:
            r.error(path, unknown_key(key, _LAB_KEYS))
    errors_before = len(r.errors)
    test = _lab_test(item, path, r)
    collected = _collected_on(item.get("collected_on"), f"{path}.collected_on", r) if "collected_on" in item else None
    low, high = _reference_range(item, path, r)
    if test is None:
        _untyped_value(item, path, r)
        return None
    unit, unit_error = parse_unit(test, item.get("unit", MISSING))
    if unit_error:
        r.error(f"{path}.unit", unit_error)
    if "value" not in item:
        r.error(f"{path}.value", "is required")
        return None
    value, censor, text, value_error = parse_value(test, item["value"])
    if value_error:
        r.error(f"{path}.value", value_error)
    elif not unit_error and test != "spep":
        _check_plausible(test, unit, value, censor, f"{path}.value", r)
    if len(r.errors) > errors_before:
        return None
    return Lab(index, test, unit, value, censor, text, collected, low, high)


def _lab_test(item: dict[str, Any], path: str, r: Reader) -> str | None:
    if "test" not in item:
        r.error(f"{path}.test", "is required")
        return None
    test = item["test"]
    if isinstance(test, str) and test in TESTS:
        return test
    r.error(f"{path}.test", f"{show(test)} is not a lab test this workup knows: one of {_TEST_LIST}")
    return None


def _untyped_value(item: dict[str, Any], path: str, r: Reader) -> None:
    # Without a known test the value cannot be judged, but it must still be a number or text.
    if "value" not in item:
        r.error(f"{path}.value", "is required")
    elif as_number(item["value"]) is None and not isinstance(item["value"], str):
        r.error(f"{path}.value", f"must be a number or text, not {show(item['value'])}")


def _check_plausible(test: str, unit: str, value: float, censor: str, path: str, r: Reader) -> None:
    error, warning = plausibility(test, unit, value, censor)
    if error:
        r.error(path, error)
    elif warning:
        r.warn(path, warning)


def _collected_on(value: Any, path: str, r: Reader) -> date | None:
    when = parse_date(value)
    if when is None:
        r.error(path, f"{show(value)} is not a date written YYYY-MM-DD")
    elif when > r.as_of:
        r.error(
            path,
            f"{when.isoformat()} is after the case date {r.as_of.isoformat()}: a result cannot be "
            "collected in the future",
        )
        return None
    return when


def _reference_range(item: dict[str, Any], path: str, r: Reader) -> tuple[float | None, float | None]:
    if "reference_range" not in item:
        return None, None
    where = f"{path}.reference_range"
    got = read_object(item["reference_range"], where, _REFERENCE_RANGE, r)
    if got is INVALID:
        return None, None
    low, high = got.get("low"), got.get("high")
    if low is not None and high is not None and low > high:
        r.error(where, f"the low limit {fmt(low)} is above the high limit {fmt(high)}")
    return low, high


TOP = {
    "schema": const(SCHEMA),
    "as_of": a_date,
    "patient": lambda v, p, r: read_object(v, p, PATIENT, r, required=("age_years",)),
    "presentation": lambda v, p, r: read_object(
        v, p, PRESENTATION, r, required=("onset", "duration_weeks", "course", "sides", "areas")
    ),
    "history": lambda v, p, r: _history(v, p, r),
    "exam": lambda v, p, r: read_object(v, p, EXAM, r),
    "labs": read_labs,
}


def _history(value: Any, path: str, r: Reader) -> Any:
    got = read_object(value, path, HISTORY, r)
    if got is INVALID or "chemotherapy_ended_months_ago" not in got or got.get("chemotherapy"):
        return got
    if "chemotherapy" not in value or isinstance(value["chemotherapy"], list):  # agents read, and none given
        r.error(join(path, "chemotherapy_ended_months_ago"), "is given without a chemotherapy agent")
    return got


def validate(doc: object, *, today: date) -> tuple[Case, list[Problem], list[str]]:
    """Read a case: (the case as far as it could be read, every error with its path, warnings)."""
    as_of = parse_date(doc.get("as_of")) if isinstance(doc, dict) else None
    r = Reader(as_of or today)
    if not isinstance(doc, dict):
        r.error(ROOT, f"must be a JSON object (a {SCHEMA} document), not {show(doc)}")
        return Case(as_of=r.as_of, unread=frozenset({"presentation.areas"})), r.errors, r.warnings
    top = read_object(doc, "", TOP, r, required=("patient", "presentation"))
    return _case(r, top), r.errors, r.warnings


def _section(top: dict[str, Any], name: str) -> dict[str, Any]:
    value = top.get(name)
    return value if isinstance(value, dict) else {}


def _case(r: Reader, top: dict[str, Any]) -> Case:
    patient, presentation = _section(top, "patient"), _section(top, "presentation")
    history, exam = _section(top, "history"), _section(top, "exam")
    if "areas" not in presentation:
        r.unread.add("presentation.areas")
    empty: frozenset[str] = frozenset()
    return Case(
        as_of=r.as_of,
        age_years=patient.get("age_years"),
        sex=patient.get("sex"),
        pregnant=patient.get("pregnant") is True,
        onset=presentation.get("onset"),
        duration_weeks=presentation.get("duration_weeks"),
        course=presentation.get("course"),
        sides=presentation.get("sides"),
        areas=presentation.get("areas", empty),
        symptoms=presentation.get("symptoms", empty),
        red_flags=presentation.get("red_flags"),
        notes=presentation.get("notes", ""),
        notes_checked=presentation.get("notes_checked") is True,
        diabetes=history.get("diabetes"),
        alcohol_units_per_week=history.get("alcohol_units_per_week"),
        chemotherapy=history.get("chemotherapy", empty),
        chemotherapy_ended_months_ago=history.get("chemotherapy_ended_months_ago"),
        b12_risks=history.get("b12_risks", empty),
        medications=history.get("medications", empty),
        cns_history=history.get("cns_history", empty),
        spine_history=history.get("spine_history", empty),
        family_history_neuropathy=history.get("family_history_neuropathy") is True,
        foot_history=history.get("foot_history", empty),
        exam={**NO_EXAM, **{k: v for k, v in exam.items() if k not in _SINGLE_EXAM}},
        romberg=exam.get("romberg"),
        foot_inspection=exam.get("foot_inspection"),
        labs=top.get("labs", ()),
        unread=frozenset(r.unread),
    )
