"""The clinical rules engine (ruleset 2026.12): pure Python, never imports Django.

    from workup.rules import evaluate, validate, RULESET, CaseError, Problem, dumps

evaluate(case_dict, today=...) returns the workup-recommendation/1 dict or raises CaseError(problems); a case whose red
flags call for emergency care gets the emergency recommendation even when invalid (its problems become warnings).
validate() returns (case, errors, warnings) where the warnings are about the input (unusual values, ABI above 1.40);
evaluate() adds the warnings of censored values that span bands.

For forms, screens and the letter: UNITS (units each test accepts, the form default first), check_lab_value() (errors
and warnings for one field), convert_for_display() (the value in the test's other units), loinc_for(), and band(),
whose names per test are, least to most abnormal (thresholds.SEVERITY):
    fasting_glucose, hba1c, ogtt_2h: normal, prediabetes, diabetes
    random_glucose: below_diabetes_range, diabetes
    b12, active_b12: normal, indeterminate, deficient (named B12 profile, default nice_ng239)
    mma, homocysteine, tsh: normal, raised;  folate: normal, low
    egfr: normal, reduced, severely_reduced;  spep: normal, paraprotein
    vitamin_b6: normal, not_interpreted, low, high;  copper: normal, not_interpreted, low
    calcium_adjusted, magnesium: normal, low
A censored value that spans bands gets the middle band where the test has one, otherwise the first (not abnormal).
"""

from __future__ import annotations

from workup.rules.case import Case, CaseError, Problem
from workup.rules.engine import calls_for_emergency, counting_results, dumps, evaluate
from workup.rules.labs import band, check_lab_value
from workup.rules.thresholds import (
    B12_PROFILES,
    DEFAULT_B12_PROFILE,
    DEFAULT_GLYCAEMIA_PROFILE,
    GLYCAEMIA_PROFILES,
    RULESET,
)
from workup.rules.types import Recommendation
from workup.rules.units import UNITS, convert_for_display, loinc_for
from workup.rules.validate import validate

__all__ = [
    "B12_PROFILES",
    "DEFAULT_B12_PROFILE",
    "DEFAULT_GLYCAEMIA_PROFILE",
    "GLYCAEMIA_PROFILES",
    "RULESET",
    "UNITS",
    "Case",
    "CaseError",
    "Problem",
    "Recommendation",
    "band",
    "calls_for_emergency",
    "check_lab_value",
    "convert_for_display",
    "counting_results",
    "dumps",
    "evaluate",
    "loinc_for",
    "validate",
]
