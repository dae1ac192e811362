"""Units: spelling, display conversions and LOINC codes. Conversions are for display only; rules compare in the
reported unit against that unit's own threshold (clinical-reference.md section 2)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from workup.rules.codes import export_loinc
from workup.rules.vocab import LAB_UNITS, UNIT_ALIASES

UNITS = LAB_UNITS

# value_in_canonical = value * scale + offset (clinical-rules.md section 2; clinical-reference.md 2.1-2.5).
# HbA1c is the only affine one: % = (mmol/mol + 23.5) / 10.93, the inverse of the IFCC master equation.
_GLUCOSE = {"mg/dL": (1.0, 0.0), "mmol/L": (18.016, 0.0)}
TO_CANONICAL: dict[str, dict[str, tuple[float, float]]] = {
    "fasting_glucose": _GLUCOSE,
    "random_glucose": _GLUCOSE,
    "ogtt_2h": _GLUCOSE,
    "hba1c": {"%": (1.0, 0.0), "mmol/mol": (1 / 10.93, 23.5 / 10.93)},
    "b12": {"pg/mL": (1.0, 0.0), "ng/L": (1.0, 0.0), "pmol/L": (1 / 0.738, 0.0)},
    "active_b12": {"pmol/L": (1.0, 0.0)},
    "mma": {"umol/L": (1.0, 0.0), "nmol/L": (0.001, 0.0)},
    "homocysteine": {"umol/L": (1.0, 0.0)},
    "folate": {"ng/mL": (1.0, 0.0), "ug/L": (1.0, 0.0), "nmol/L": (1 / 2.266, 0.0)},
    "tsh": {"mIU/L": (1.0, 0.0), "uIU/mL": (1.0, 0.0)},
    "egfr": {"mL/min/1.73m2": (1.0, 0.0)},
    "vitamin_b6": {"nmol/L": (1.0, 0.0), "ug/L": (1 / 0.247, 0.0)},
    "copper": {"ug/dL": (1.0, 0.0), "umol/L": (1 / 0.1574, 0.0)},
    "calcium_adjusted": {"mmol/L": (1.0, 0.0), "mg/dL": (1 / 4.008, 0.0)},
    "magnesium": {"mmol/L": (1.0, 0.0), "mg/dL": (1 / 2.431, 0.0)},
}

# Decimal places a clinician expects to read in each unit.
_DECIMALS: dict[str, int] = {
    "mg/dL": 0,
    "mmol/L": 1,
    "%": 1,
    "mmol/mol": 0,
    "pg/mL": 0,
    "ng/L": 0,
    "pmol/L": 0,
    "nmol/L": 0,
    "umol/L": 2,
    "ng/mL": 1,
    "ug/L": 1,
    "mIU/L": 2,
    "uIU/mL": 2,
    "mL/min/1.73m2": 0,
    "ug/dL": 0,
}
# Folate in nmol/L is read to one decimal (9.1 nmol/L is the default lower limit), unlike MMA in nmol/L.
_DECIMALS_BY_TEST: dict[tuple[str, str], int] = {
    ("folate", "nmol/L"): 1,
    ("homocysteine", "umol/L"): 1,
    ("copper", "umol/L"): 1,
    ("calcium_adjusted", "mmol/L"): 2,
    ("calcium_adjusted", "mg/dL"): 1,
    ("magnesium", "mg/dL"): 1,
    ("vitamin_b6", "nmol/L"): 0,
}

# LOINC by (test, unit): the reviewed codes table (codes.py) is the one home of every code and its source.
# active_b12 is holotranscobalamin, 72160-5 (it was total cobalamin, 14685-2, before issue 14). Vitamin B6, adjusted
# calcium and magnesium have no verified LOINC: loinc_for() answers "" for them rather than a guess.
LOINC: dict[tuple[str, str], str] = {key: code.code for key, code in export_loinc().items()}


def normalise_unit(unit: str) -> str:
    """Return the contract's ASCII spelling of ``unit`` (µmol/L -> umol/L); other spellings are left alone."""
    return UNIT_ALIASES.get(unit, unit)


def convert(test: str, value: float, unit: str, to: str) -> float:
    """Convert ``value`` of ``test`` from ``unit`` to ``to`` (display only); KeyError for a unit the test lacks."""
    scale, offset = TO_CANONICAL[test][normalise_unit(unit)]
    to_scale, to_offset = TO_CANONICAL[test][normalise_unit(to)]
    return (value * scale + offset - to_offset) / to_scale


def round_for_display(test: str, unit: str, value: float) -> float:
    """Round half up to the places clinicians read in ``unit``; whole numbers come back as int."""
    places = _DECIMALS_BY_TEST.get((test, unit), _DECIMALS.get(unit, 2))
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return int(rounded) if places == 0 else float(rounded)


def convert_for_display(test: str, value: Decimal | float, unit: str) -> list[tuple[float, str]]:
    """Return ``value`` in each of the test's other units, rounded for reading; [] for an unknown test or unit."""
    unit = normalise_unit(unit)
    if unit not in TO_CANONICAL.get(test, {}):
        return []
    return [
        (round_for_display(test, other, convert(test, float(value), unit, other)), other)
        for other in LAB_UNITS[test]
        if other != unit
    ]


def loinc_for(test: str, unit: str) -> str:
    """Return the LOINC code for ``test`` reported in ``unit``, or "" when the pair is not a contract unit."""
    return LOINC.get((test, normalise_unit(unit or "")), "")
