"""Every number the rules use, in one versioned table: value, unit, source and ruleset (clinical-rules.md 2026.12).

A threshold changes only together with RULESET. Lab bands are decision thresholds per reported unit (never converted
before comparing). The B12 and glycaemia bands come from named profiles so a deployment chooses a published profile
by name, without touching a rule. Texts, forms and validation read their numbers from here (``LIMITS``,
``PLAUSIBLE``); a test fails if a threshold's digits are typed into rule text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workup.rules.units import TO_CANONICAL

RULESET = "2026.12"

ADA_2025 = "ADA Standards of Care 2025, section 2"
NICE_PH38 = "NICE PH38 / NG28 non-diabetic hyperglycaemia"
NICE_NG239 = "NICE NG239 Vitamin B12 deficiency in over 16s (2024)"
NICE_NG3 = "NICE NG3 Diabetes in pregnancy"
NICE_NG19 = "NICE NG19 Diabetic foot problems"
LAB_LIMITS = "laboratory reference limits (clinical-reference.md 2.4-2.7)"
NICE_NG127 = "NICE NG127 Suspected neurological conditions; local NHS neuropathy pathways"
AHA_PAD = "2016 AHA/ACC guideline on lower-extremity PAD"
GIRFT_CES = "GIRFT national suspected cauda equina syndrome pathway (2023)"
JBDS = "Joint British Diabetes Societies DKA (2023) and HHS (2022) guidelines; laboratory critical-result practice"
BNF_B12 = "BNF hydroxocobalamin; NICE CKS anaemia (B12 and folate)"
CMO_ALCOHOL = "UK Chief Medical Officers' low-risk drinking guidelines"
FSA_B6 = "UK FSA upper level for vitamin B6; Australian TGA advice (2024)"
STROKE_GUIDELINE = "National clinical guideline for stroke (RCP/ICSWP 2023)"
NICE_NG220 = "NICE NG220 multiple sclerosis in adults; CG186"
SPEC_READING = "clinical-rules.md 2026.12 (this specification's reading; needs clinical sign-off)"
PLAUSIBILITY_SOURCE = "clinical-reference.md 2.10 (engineering judgement, needs clinical sign-off)"
PROTOCOL_SOLE = "Workup protocol: numbness in the bottom of the foot (self-care)"


@dataclass(frozen=True, slots=True)
class Threshold:
    """One number of the rules, with its unit and source."""

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
    "egfr": ("normal", "reduced", "severely_reduced"),
    "spep": ("normal", "paraprotein"),
    "vitamin_b6": ("normal", "not_interpreted", "low", "high"),
    "copper": ("normal", "not_interpreted", "low"),
    "calcium_adjusted": ("normal", "low"),
    "magnesium": ("normal", "low"),
}
MIDDLE_BAND: dict[str, str] = {
    "fasting_glucose": "prediabetes",
    "hba1c": "prediabetes",
    "ogtt_2h": "prediabetes",
    "b12": "indeterminate",
    "active_b12": "indeterminate",
    "egfr": "reduced",
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
    "high": "high",
    "reduced": "reduced (CKD G3)",
    "severely_reduced": "severely reduced",
    "paraprotein": "paraprotein detected",
    "not_interpreted": "recorded, not interpreted (no laboratory range)",
}

_UP, _DOWN = True, False
# Tests whose bands are the same in every profile: the OGTT and random glucose lines, and eGFR.
SCALES: dict[tuple[str, str], Scale] = {
    ("ogtt_2h", "mg/dL"): _scale(GLUCOSE_BANDS, "mg/dL", ADA_2025, (140, _UP), (200, _UP)),
    ("ogtt_2h", "mmol/L"): _scale(GLUCOSE_BANDS, "mmol/L", ADA_2025, (7.8, _UP), (11.1, _UP)),
    ("random_glucose", "mg/dL"): _scale(SEVERITY["random_glucose"], "mg/dL", ADA_2025, (200, _UP)),
    ("random_glucose", "mmol/L"): _scale(SEVERITY["random_glucose"], "mmol/L", ADA_2025, (11.1, _UP)),
    ("egfr", "mL/min/1.73m2"): _scale(
        ("severely_reduced", "reduced", "normal"), "mL/min/1.73m2", NICE_NG127, (30, _UP), (60, _UP)
    ),
}


def _glycaemia(source: str, fasting_mmol: float, fasting_mg: float, hba1c_pct: float, hba1c_mmol: float) -> Profile:
    # The diabetes lines are the same in every profile; only the lower edge of the middle band moves.
    return {
        ("fasting_glucose", "mg/dL"): _scale(GLUCOSE_BANDS, "mg/dL", source, (fasting_mg, _UP), (126, _UP)),
        ("fasting_glucose", "mmol/L"): _scale(GLUCOSE_BANDS, "mmol/L", source, (fasting_mmol, _UP), (7.0, _UP)),
        ("hba1c", "%"): _scale(GLUCOSE_BANDS, "%", source, (hba1c_pct, _UP), (6.5, _UP)),
        ("hba1c", "mmol/mol"): _scale(GLUCOSE_BANDS, "mmol/mol", source, (hba1c_mmol, _UP), (48, _UP)),
    }


Profile = dict[tuple[str, str], Scale]
B12_BANDS = ("deficient", "indeterminate", "normal")
# Named threshold profiles (clinical-rules.md 2). To offer another published profile, add an entry here and name it
# in the deployment's setting: no rule reads a profiled figure directly.
B12_PROFILES: dict[str, Profile] = {
    "nice_ng239": {
        ("b12", "pg/mL"): _scale(B12_BANDS, "pg/mL", NICE_NG239, (180, _UP), (350, _DOWN)),
        ("b12", "ng/L"): _scale(B12_BANDS, "ng/L", NICE_NG239, (180, _UP), (350, _DOWN)),
        ("b12", "pmol/L"): _scale(B12_BANDS, "pmol/L", NICE_NG239, (133, _UP), (258, _DOWN)),
        ("active_b12", "pmol/L"): _scale(B12_BANDS, "pmol/L", NICE_NG239, (25, _UP), (70, _DOWN)),
    },
}
GLYCAEMIA_PROFILES: dict[str, Profile] = {
    "ada_2025": _glycaemia(ADA_2025, 5.6, 100, 5.7, 39),
    "nice_ph38": _glycaemia(NICE_PH38, 5.5, 99, 6.0, 42),
}
DEFAULT_B12_PROFILE = "nice_ng239"
DEFAULT_GLYCAEMIA_PROFILE = "ada_2025"
PROFILE_KINDS: dict[str, dict[str, Profile]] = {"b12": B12_PROFILES, "glycaemia": GLYCAEMIA_PROFILES}

# Tests read against the reporting lab's own range: which ends count, and the default limits where the table has one.
# A test with no default (vitamin B6, copper) is recorded, not banded, without the lab's range.
RANGE_LIMITS: dict[str, tuple[tuple[str, ...], dict[str, dict[str, Threshold]]]] = {
    "mma": (
        ("high",),
        {
            "umol/L": {"high": Threshold(0.40, "umol/L", LAB_LIMITS)},
            "nmol/L": {"high": Threshold(400, "nmol/L", LAB_LIMITS)},
        },
    ),
    "homocysteine": (("high",), {"umol/L": {"high": Threshold(15, "umol/L", LAB_LIMITS)}}),
    "folate": (
        ("low",),
        {u: {"low": Threshold(v, u, LAB_LIMITS)} for u, v in (("ng/mL", 4.0), ("ug/L", 4.0), ("nmol/L", 9.1))},
    ),
    "tsh": (("high",), {u: {"high": Threshold(4.5, u, LAB_LIMITS)} for u in ("mIU/L", "uIU/mL")}),
    "vitamin_b6": (("low", "high"), {}),
    "copper": (("low",), {}),
    "calcium_adjusted": (
        ("low",),
        {
            "mmol/L": {"low": Threshold(2.20, "mmol/L", LAB_LIMITS), "high": Threshold(2.60, "mmol/L", LAB_LIMITS)},
            "mg/dL": {
                "low": Threshold(8.8176, "mg/dL", LAB_LIMITS),
                "high": Threshold(10.4208, "mg/dL", LAB_LIMITS),
            },
        },
    ),
    "magnesium": (
        ("low",),
        {
            "mmol/L": {"low": Threshold(0.70, "mmol/L", LAB_LIMITS), "high": Threshold(1.00, "mmol/L", LAB_LIMITS)},
            "mg/dL": {"low": Threshold(1.7017, "mg/dL", LAB_LIMITS), "high": Threshold(2.431, "mg/dL", LAB_LIMITS)},
        },
    ),
}


def range_scale(test: str, unit: str, low: float | None, high: float | None, source: str) -> Scale:
    """Build the scale of a range-read test from the limits it has: low below ``low``, raised/high above ``high``."""
    ends = RANGE_LIMITS[test][0]
    if ends == ("high",):
        return _scale(("normal", "raised"), unit, source, (high if high is not None else 0.0, _DOWN))
    bands, edges = ["normal"], []
    if low is not None:
        bands.insert(0, "low")
        edges.append((low, _UP))
    if "high" in ends and high is not None:
        bands.append("high")
        edges.append((high, _DOWN))
    return _scale(tuple(bands), unit, source, *edges)


def _t(value: float, unit: str, source: str) -> Threshold:
    return Threshold(value, unit, source)


# Every other number of the rules and of their texts. Names say what the number is; texts format them from here.
LIMITS: dict[str, Threshold] = {
    "alcohol_possible_above": _t(14, "units/week", CMO_ALCOHOL),
    "alcohol_likely_from": _t(35, "units/week", "UK CMO guidelines (higher risk); NICE CG100 and CG115"),
    "emergency_onset_below": _t(1, "weeks", NICE_NG127),
    "gbs_weakness_below": _t(4, "weeks", NICE_NG127),
    "gbs_imbalance_below": _t(1, "weeks", NICE_NG127),
    "ces_deficit_below": _t(2, "weeks", GIRFT_CES),
    "cidp_duration_from": _t(8, "weeks", "EAN/PNS 2021 guideline on CIDP"),
    "subacute_duration_below": _t(26, "weeks", NICE_NG127),
    "ms_relapse_below": _t(4, "weeks", NICE_NG220),
    "ms_treatment_within": _t(14, "days", NICE_NG220),
    "abi_critical_below": _t(0.50, "ratio", AHA_PAD),
    "abi_pad_max": _t(0.90, "ratio", AHA_PAD),
    "abi_ischaemia_below": _t(0.90, "ratio", NICE_NG19),
    "abi_compressible_max": _t(1.40, "ratio", AHA_PAD),
    "abi_soft_low": _t(0.3, "ratio", PLAUSIBILITY_SOURCE),
    "mrc_weak_max": _t(4, "MRC grade", "MRC muscle power scale (clinical-reference.md 3.2)"),
    "reflex_brisk": _t(3, "NINDS grade", "NINDS myotatic reflex scale (clinical-reference.md 3.1)"),
    "reflex_clonus": _t(4, "NINDS grade", "NINDS myotatic reflex scale (clinical-reference.md 3.1)"),
    "reflex_normal_max": _t(2, "NINDS grade", "NINDS myotatic reflex scale (clinical-reference.md 3.1)"),
    "reflex_reduced_max": _t(1, "NINDS grade", "NINDS myotatic reflex scale (clinical-reference.md 3.1)"),
    "glucose_critical_mmol": _t(25.0, "mmol/L", JBDS),
    "glucose_critical_mg": _t(450, "mg/dL", JBDS),
    "glucose_critical_child_mmol": _t(15.0, "mmol/L", JBDS),
    "glucose_critical_child_mg": _t(270, "mg/dL", JBDS),
    "ketones_admit_from": _t(3.0, "mmol/L", JBDS),
    "glucose_hhs_from": _t(30, "mmol/L", JBDS),
    "gestational_fasting_mmol": _t(5.6, "mmol/L", NICE_NG3),
    "gestational_fasting_mg": _t(101, "mg/dL", NICE_NG3),
    "gestational_ogtt_mmol": _t(7.8, "mmol/L", NICE_NG3),
    "gestational_ogtt_mg": _t(140, "mg/dL", NICE_NG3),
    "adult_age_from": _t(16, "years", "NICE NG127 (separate recommendations for under-16s); NICE NG239"),
    "falls_risk_age_from": _t(65, "years", "NICE CG173 neuropathic pain (cautions)"),
    "chemotherapy_window": _t(6, "months", SPEC_READING),
    "weeks_per_month": _t(4.345, "weeks/month", SPEC_READING),
    "chemotherapy_months_max": _t(600, "months", SPEC_READING),
    "egfr_severe_below": _t(30, "mL/min/1.73m2", NICE_NG127),
    "hydroxocobalamin_dose": _t(1, "mg", BNF_B12),
    "hydroxocobalamin_maintenance_every": _t(2, "months", BNF_B12),
    "b6_supplement_max": _t(10, "mg/day", FSA_B6),
    "stroke_assessment_within": _t(7, "days", STROKE_GUIDELINE),
    "foot_review_low_every": _t(1, "years", NICE_NG19),
    "foot_review_moderate_from": _t(3, "months", NICE_NG19),
    "foot_review_moderate_to": _t(6, "months", NICE_NG19),
    "foot_review_high_from": _t(1, "months", NICE_NG19),
    "foot_review_high_to": _t(2, "months", NICE_NG19),
    "calf_stretch_from": _t(1, "minutes", PROTOCOL_SOLE),
    "calf_stretch_to": _t(2, "minutes", PROTOCOL_SOLE),
    "nerve_glide_from": _t(10, "times", PROTOCOL_SOLE),
    "nerve_glide_to": _t(15, "times", PROTOCOL_SOLE),
    "notes_max_chars": _t(2000, "characters", "contract: presentation.notes"),
    "similarity_min": _t(0.85, "ratio", "clinical-rules.md 3.1 (difflib ratio of a red-flag reading)"),
}


_VALUES: dict[str, float] = {name: t.value for name, t in LIMITS.items()}
limit = _VALUES.__getitem__  # limit(name): the value of a named limit (a plain lookup: the rules call it often)


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
    ("copper", "ug/dL"): (5, 1000, 50, 250),
    ("copper", "umol/L"): (0.787, 157.4, 7.87, 39.35),
    ("vitamin_b6", "nmol/L"): (1, 10000, None, 500),
    ("vitamin_b6", "ug/L"): (0.247, 2470, None, 123.5),
    ("calcium_adjusted", "mmol/L"): (0.5, 6.0, 1.5, 3.5),
    ("calcium_adjusted", "mg/dL"): (2.004, 24.048, 6.012, 14.028),
    ("magnesium", "mmol/L"): (0.1, 5.0, 0.3, 2.0),
    ("magnesium", "mg/dL"): (0.2431, 12.155, 0.7293, 4.862),
}
_GROUP = {"fasting_glucose": "glucose", "random_glucose": "glucose", "ogtt_2h": "glucose"}


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
