"""Every number the rules use, in one versioned table: value, unit, source and ruleset (clinical-rules.md 2026.11).

A threshold changes only together with RULESET. Lab bands are decision thresholds per reported unit (never converted
before comparing); the B12 bands come from a named profile so a deployment can choose another published one by adding
a row to B12_PROFILES, without touching a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workup.rules.units import TO_CANONICAL

RULESET = "2026.11"

ADA_2025 = "ADA Standards of Care 2025, section 2"
NICE_NG239 = "NICE NG239 Vitamin B12 deficiency in over 16s (2024)"
LAB_LIMITS = "laboratory reference limits (clinical-reference.md 2.4-2.6)"
NICE_NG127 = "NICE NG127 Suspected neurological conditions; local NHS neuropathy pathways"
AHA_PAD = "2016 AHA/ACC guideline on lower-extremity PAD"
PLAUSIBILITY_SOURCE = "clinical-reference.md 2.10 (engineering judgement, needs clinical sign-off)"


@dataclass(frozen=True, slots=True)
class Threshold:
    """One decision threshold."""

    value: float
    unit: str
    source: str
    ruleset: str = RULESET


@dataclass(frozen=True, slots=True)
class Edge:
    """The border between two neighbouring bands; ``upper`` says which band the border value itself falls in."""

    threshold: Threshold
    upper: bool
    value: float = field(init=False)  # threshold.value, copied so banding reads one attribute

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", self.threshold.value)


@dataclass(frozen=True, slots=True)
class Scale:
    """How one test reported in one unit is banded: the bands from low values to high, and the edges between."""

    bands: tuple[str, ...]
    edges: tuple[Edge, ...]


def _scale(bands: tuple[str, ...], unit: str, source: str, *edges: tuple[float, bool]) -> Scale:
    return Scale(bands, tuple(Edge(Threshold(value, unit, source), upper) for value, upper in edges))


# Band names, least to most abnormal. The first is what a result counts as when it says nothing abnormal.
GLUCOSE_BANDS = ("normal", "prediabetes", "diabetes")
SEVERITY: dict[str, tuple[str, ...]] = {
    "fasting_glucose": GLUCOSE_BANDS,
    "hba1c": GLUCOSE_BANDS,
    "ogtt_2h": GLUCOSE_BANDS,
    "random_glucose": ("below_diabetes_range", "diabetes"),
    "b12": ("normal", "indeterminate", "deficient"),
    "active_b12": ("normal", "indeterminate", "deficient"),
    "mma": ("normal", "raised"),
    "homocysteine": ("normal", "raised"),
    "folate": ("normal", "low"),
    "tsh": ("normal", "raised"),
    "egfr": ("not_severely_reduced", "severely_reduced"),
    "spep": ("normal", "paraprotein"),
}
MIDDLE_BAND: dict[str, str] = {
    "fasting_glucose": "prediabetes",
    "hba1c": "prediabetes",
    "ogtt_2h": "prediabetes",
    "b12": "indeterminate",
    "active_b12": "indeterminate",
}
BAND_WORDS: dict[str, str] = {
    "normal": "normal",
    "prediabetes": "prediabetes range",
    "diabetes": "diabetes range",
    "below_diabetes_range": "below the diabetes range",
    "indeterminate": "indeterminate",
    "deficient": "deficient",
    "raised": "raised",
    "low": "low",
    "not_severely_reduced": "not severely reduced",
    "severely_reduced": "severely reduced",
    "paraprotein": "paraprotein detected",
}

_UP, _DOWN = True, False
# Glucose and HbA1c: ADA bands, each unit's own published figures (so 126 mg/dL and 7.0 mmol/L are both diabetes).
SCALES: dict[tuple[str, str], Scale] = {
    ("fasting_glucose", "mg/dL"): _scale(GLUCOSE_BANDS, "mg/dL", ADA_2025, (100, _UP), (126, _UP)),
    ("fasting_glucose", "mmol/L"): _scale(GLUCOSE_BANDS, "mmol/L", ADA_2025, (5.6, _UP), (7.0, _UP)),
    ("hba1c", "%"): _scale(GLUCOSE_BANDS, "%", ADA_2025, (5.7, _UP), (6.5, _UP)),
    ("hba1c", "mmol/mol"): _scale(GLUCOSE_BANDS, "mmol/mol", ADA_2025, (39, _UP), (48, _UP)),
    ("ogtt_2h", "mg/dL"): _scale(GLUCOSE_BANDS, "mg/dL", ADA_2025, (140, _UP), (200, _UP)),
    ("ogtt_2h", "mmol/L"): _scale(GLUCOSE_BANDS, "mmol/L", ADA_2025, (7.8, _UP), (11.1, _UP)),
    ("random_glucose", "mg/dL"): _scale(SEVERITY["random_glucose"], "mg/dL", ADA_2025, (200, _UP)),
    ("random_glucose", "mmol/L"): _scale(SEVERITY["random_glucose"], "mmol/L", ADA_2025, (11.1, _UP)),
    ("egfr", "mL/min/1.73m2"): _scale(
        ("severely_reduced", "not_severely_reduced"), "mL/min/1.73m2", NICE_NG127, (30, _UP)
    ),
}

# Tests whose default limit gives way to the reporting lab's own range: which end of the range, and the default.
RANGE_LIMITS: dict[str, tuple[str, dict[str, Threshold]]] = {
    "mma": ("high", {"umol/L": Threshold(0.40, "umol/L", LAB_LIMITS), "nmol/L": Threshold(400, "nmol/L", LAB_LIMITS)}),
    "homocysteine": ("high", {"umol/L": Threshold(15, "umol/L", LAB_LIMITS)}),
    "folate": ("low", {u: Threshold(v, u, LAB_LIMITS) for u, v in (("ng/mL", 4.0), ("ug/L", 4.0), ("nmol/L", 9.1))}),
    "tsh": ("high", {u: Threshold(4.5, u, LAB_LIMITS) for u in ("mIU/L", "uIU/mL")}),
}


def range_scale(test: str, unit: str, limit: float, source: str) -> Scale:
    """Build the two-band scale of a range-limited test: raised above a high limit, low below a low limit."""
    end, _ = RANGE_LIMITS[test]
    if end == "high":
        return _scale(("normal", "raised"), unit, source, (limit, _DOWN))
    return _scale(("low", "normal"), unit, source, (limit, _UP))


B12_BANDS = ("deficient", "indeterminate", "normal")
# Named B12 profiles. To offer another published profile, add an entry here (and name it in the deployment's
# setting): no rule reads a B12 figure directly.
B12_PROFILES: dict[str, dict[tuple[str, str], Scale]] = {
    "nice_ng239": {
        ("b12", "pg/mL"): _scale(B12_BANDS, "pg/mL", NICE_NG239, (180, _UP), (350, _DOWN)),
        ("b12", "ng/L"): _scale(B12_BANDS, "ng/L", NICE_NG239, (180, _UP), (350, _DOWN)),
        ("b12", "pmol/L"): _scale(B12_BANDS, "pmol/L", NICE_NG239, (133, _UP), (258, _DOWN)),
        ("active_b12", "pmol/L"): _scale(B12_BANDS, "pmol/L", NICE_NG239, (25, _UP), (70, _DOWN)),
    },
}
DEFAULT_B12_PROFILE = "nice_ng239"

# Thresholds of the clinical rules that are not lab bands.
LIMITS: dict[str, Threshold] = {
    "alcohol_possible_above": Threshold(14, "units/week", "UK Chief Medical Officers' low-risk drinking guidelines"),
    "alcohol_likely_from": Threshold(35, "units/week", "UK Chief Medical Officers' drinking guidelines (higher risk)"),
    "emergency_onset_below": Threshold(1, "weeks", NICE_NG127),
    "cidp_duration_from": Threshold(8, "weeks", "EAN/PNS 2021 guideline on CIDP"),
    "subacute_duration_below": Threshold(26, "weeks", NICE_NG127),
    "abi_critical_below": Threshold(0.50, "ratio", AHA_PAD),
    "abi_pad_max": Threshold(0.90, "ratio", AHA_PAD),
    "abi_compressible_max": Threshold(1.40, "ratio", AHA_PAD),
    "mrc_weak_max": Threshold(4, "MRC grade", "MRC muscle power scale (clinical-reference.md 3.2)"),
    "reflex_brisk_from": Threshold(3, "NINDS grade", "NINDS myotatic reflex scale (clinical-reference.md 3.1)"),
    "reflex_reduced_max": Threshold(1, "NINDS grade", "NINDS myotatic reflex scale (clinical-reference.md 3.1)"),
}
ALCOHOL_POSSIBLE_ABOVE = LIMITS["alcohol_possible_above"].value
ALCOHOL_LIKELY_FROM = LIMITS["alcohol_likely_from"].value
EMERGENCY_ONSET_BELOW = LIMITS["emergency_onset_below"].value
CIDP_DURATION_FROM = LIMITS["cidp_duration_from"].value
SUBACUTE_DURATION_BELOW = LIMITS["subacute_duration_below"].value
ABI_CRITICAL_BELOW = LIMITS["abi_critical_below"].value
ABI_PAD_MAX = LIMITS["abi_pad_max"].value
ABI_COMPRESSIBLE_MAX = LIMITS["abi_compressible_max"].value
MRC_WEAK_MAX = LIMITS["mrc_weak_max"].value
REFLEX_BRISK_FROM = LIMITS["reflex_brisk_from"].value
REFLEX_REDUCED_MAX = LIMITS["reflex_reduced_max"].value


@dataclass(frozen=True, slots=True)
class Plausible:
    """Input limits for one test in one unit: outside hard is rejected, outside soft is accepted with a warning."""

    hard_low: float
    hard_high: float
    soft_low: float | None
    soft_high: float | None
    source: str = PLAUSIBILITY_SOURCE
    ruleset: str = RULESET


# clinical-reference.md 2.10, as (test group, unit with its own row) -> (hard low, hard high, soft low, soft high).
_OWN_ROWS: dict[tuple[str, str], tuple[float, float, float | None, float | None]] = {
    ("glucose", "mg/dL"): (10, 2000, 40, 600),
    ("glucose", "mmol/L"): (0.5, 111, 2.2, 33.3),
    ("hba1c", "%"): (3, 20, 4, 15),
    ("hba1c", "mmol/mol"): (9, 195, 20, 140),
    ("b12", "pg/mL"): (20, 20000, 100, 2000),
    ("b12", "ng/L"): (20, 20000, 100, 2000),
    ("b12", "pmol/L"): (15, 15000, 74, 1476),
    ("active_b12", "pmol/L"): (1, 1000, None, 200),
    ("mma", "umol/L"): (0.01, 1000, None, 5),
    ("homocysteine", "umol/L"): (1, 500, None, 50),
    ("folate", "ng/mL"): (0.3, 100, None, 24),
    ("tsh", "mIU/L"): (0.001, 1000, 0.1, 20),
    ("egfr", "mL/min/1.73m2"): (1, 250, 15, None),
}
_GROUP = {"fasting_glucose": "glucose", "random_glucose": "glucose", "ogtt_2h": "glucose"}
ABI_SOFT_LOW = 0.3


def _converted_row(test: str, unit: str) -> tuple[float, float, float | None, float | None]:
    """Take a unit without its own 2.10 row from the test's row, converting the same quantities."""
    group = _GROUP.get(test, test)
    base_unit = next(u for (g, u) in _OWN_ROWS if g == group)
    scale, offset = TO_CANONICAL[test][unit]
    base_scale, base_offset = TO_CANONICAL[test][base_unit]

    def conv(v: float | None) -> float | None:
        return None if v is None else (v * base_scale + base_offset - offset) / scale

    hard_low, hard_high, soft_low, soft_high = (conv(v) for v in _OWN_ROWS[(group, base_unit)])
    assert hard_low is not None and hard_high is not None  # every row has hard limits
    return hard_low, hard_high, soft_low, soft_high


def _plausibility_table() -> dict[tuple[str, str], Plausible]:
    table = {}
    for test, units in TO_CANONICAL.items():
        for unit in units:
            row = _OWN_ROWS.get((_GROUP.get(test, test), unit)) or _converted_row(test, unit)
            table[(test, unit)] = Plausible(*row)
    return table


PLAUSIBLE: dict[tuple[str, str], Plausible] = _plausibility_table()
