"""One case in, one recommendation out: validation, the emergency rules on whatever could be read, then the rest."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from workup.rules import emergency, rules
from workup.rules.build import recommendation
from workup.rules.case import CaseError
from workup.rules.facts import derive, pattern, umn_signs
from workup.rules.labs import profile_scales
from workup.rules.thresholds import DEFAULT_B12_PROFILE, DEFAULT_GLYCAEMIA_PROFILE
from workup.rules.types import Profiles, Recommendation
from workup.rules.validate import validate


def evaluate(
    doc: object,
    *,
    today: date | None = None,
    b12_profile: str = DEFAULT_B12_PROFILE,
    glycaemia_profile: str = DEFAULT_GLYCAEMIA_PROFILE,
) -> Recommendation:
    """Evaluate a workup-case/1 document; CaseError names every problem unless the case calls for emergency care.

    An unknown profile name is a deployment error (ValueError), never a silent fallback.
    """
    scales = profile_scales(b12_profile, glycaemia_profile)
    profiles: Profiles = {"b12": b12_profile, "glycaemia": glycaemia_profile}
    case, errors, warnings = validate(doc, today=today or date.today())
    urgent = rules.run_emergency(emergency.seen(case))
    if urgent.steps:
        # The pattern comes from whatever could be read; fields with errors were left empty, so it may be undetermined.
        return recommendation(
            urgent,
            stage="emergency",
            pattern=pattern(case, bool(umn_signs(case))),
            warnings=[str(p) for p in errors] + warnings,
            profiles=profiles,
            sources=rules.SOURCES,
        )
    if errors:
        raise CaseError(errors)
    facts, banding_warnings = derive(case, scales)
    out = rules.run(facts)
    return recommendation(
        out,
        stage=rules.stage(facts, out),
        pattern=facts.pattern,
        warnings=warnings + banding_warnings + out.warnings,
        profiles=profiles,
        sources=rules.SOURCES,
    )


def counting_results(
    doc: object,
    *,
    today: date | None = None,
    b12_profile: str = DEFAULT_B12_PROFILE,
    glycaemia_profile: str = DEFAULT_GLYCAEMIA_PROFILE,
) -> dict[str, int]:
    """For each test, the index in ``labs`` of the result the rules read (section 2: latest; same date, the worst)."""
    case, _, _ = validate(doc, today=today or date.today())
    facts, _ = derive(case, profile_scales(b12_profile, glycaemia_profile))
    return {test: reading.lab.index for test, reading in facts.latest.items()}


def calls_for_emergency(doc: object, *, today: date | None = None) -> bool:
    """Whether the case, read as far as it can be, meets an emergency rule (section 3), whatever else is wrong."""
    case, _, _ = validate(doc, today=today or date.today())
    return bool(rules.run_emergency(emergency.seen(case)).steps)


def dumps(rec: Recommendation | Mapping[str, Any]) -> str:
    """Write a recommendation as JSON: key order as built (the contract's), so the same case gives the same bytes."""
    return json.dumps(rec, indent=2, ensure_ascii=False)
