"""One case in, one recommendation out: red flags first, then validation, derived facts and the rules."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from workup.rules import emergency, rules
from workup.rules.build import recommendation
from workup.rules.case import Case, CaseError
from workup.rules.facts import derive, pattern, umn_signs
from workup.rules.thresholds import B12_PROFILES, DEFAULT_B12_PROFILE, Scale
from workup.rules.validate import Alarm, read_alarm, validate


def profile(name: str) -> dict[tuple[str, str], Scale]:
    """Return the named B12 profile; an unknown name is a deployment error, not a case problem."""
    try:
        return B12_PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown B12 profile {name!r}; known: {', '.join(B12_PROFILES)}") from None


def evaluate(doc: object, *, today: date | None = None, b12_profile: str = DEFAULT_B12_PROFILE) -> dict[str, Any]:
    """Evaluate a workup-case/1 document; CaseError names every problem unless red flags call for emergency care."""
    scales = profile(b12_profile)
    alarm = read_alarm(doc)
    case, errors, warnings = validate(doc, today=today or date.today())
    if alarm:
        return _emergency(alarm, case, [str(p) for p in errors] + warnings)
    if errors:
        raise CaseError(errors)
    facts, banding_warnings = derive(case, scales)
    out = rules.run(facts)
    return recommendation(
        out, stage=rules.stage(facts, out), pattern=facts.pattern, warnings=warnings + banding_warnings
    )


def _emergency(alarm: Alarm, case: Case, warnings: list[str]) -> dict[str, Any]:
    # The pattern comes from whatever could be read; fields with errors were left empty, so it may be undetermined.
    out = emergency.run(alarm)
    return recommendation(out, stage="emergency", pattern=pattern(case, bool(umn_signs(case))), warnings=warnings)


def dumps(rec: dict[str, Any]) -> str:
    """Write a recommendation as JSON: key order as built (the contract's), so the same case gives the same bytes."""
    return json.dumps(rec, indent=2, ensure_ascii=False)
