"""Collect what the rules ask for, merge it (clinical-rules.md section 7) and write the recommendation.

Output order, fixed so the same case gives the same bytes: steps by urgency (emergency, urgent, routine), then by the
contract's step order (exam, bloods, referrals, management); referrals in the order of their steps; causes by
certainty (confirmed, likely, possible), then the contract's cause order; findings in the order the rules produced
them (rule list order); warnings in the order found (document order), each once.
"""

from __future__ import annotations

from collections.abc import Mapping

from workup.rules import text
from workup.rules.thresholds import RULESET
from workup.rules.types import Cause as CauseDoc
from workup.rules.types import NextStep, Profiles, Recommendation, Referral
from workup.rules.vocab import CAUSES, TIMEFRAMES

URGENCY_RANK = {"emergency": 0, "urgent": 1, "routine": 2}
CERTAINTY_RANK = {"confirmed": 0, "likely": 1, "possible": 2}
TIMEFRAME_RANK = {code: i for i, (code, _) in enumerate(TIMEFRAMES)}
DEFAULT_TIMEFRAME = {"emergency": "now", "urgent": "within_2_weeks", "routine": "routine"}
# The contract's step order (recommendation.schema.json): asking, examining, testing, referring, managing.
STEP_ORDER = {
    code: i
    for i, code in enumerate(
        (
            "emergency_care",
            "ask_red_flags",
            "check_red_flags",
            "complete_exam",
            "order_glucose_test",
            "order_b12",
            "order_active_b12",
            "order_mma",
            "order_ogtt",
            "order_spep",
            "order_tsh",
            "order_copper",
            "order_b6",
            "order_abi",
            "confirm_diabetes",
            "assess_cauda_equina_today",
            "assess_hyperglycaemia_today",
            "stop_nitrous_oxide",
            "refer_neurology",
            "refer_spinal",
            "refer_vascular",
            "refer_diabetic_foot_service",
            "refer_foot_protection_service",
            "refer_podiatry",
            "refer_physiotherapy",
            "refer_haematology",
            "refer_stroke_service",
            "contact_ms_team",
            "refer_paediatrics",
            "refer_antenatal_diabetes",
            "manage_glycaemia",
            "treat_b12_deficiency",
            "check_thyroid_function",
            "treat_folate_deficiency",
            "reduce_alcohol",
            "assess_alcohol_dependence",
            "start_thiamine",
            "review_neurotoxic_drugs",
            "review_medicines",
            "foot_review",
            "foot_protection",
            "foot_posture_exercises",
            "back_posture_exercises",
            "neuropathic_pain_treatment",
            "healthy_lifestyle",
            "safety_net",
        )
    )
}
CAUSE_ORDER = {code: i for i, (code, _) in enumerate(CAUSES)}


class Step:
    """One step as the rules ask for it so far: urgency, requests and rule ids merged."""

    __slots__ = ("code", "items", "requests", "rules", "text", "timeframe", "urgency", "whys")

    def __init__(self, code: str) -> None:
        self.code = code
        self.urgency = "routine"
        self.timeframe = "routine"
        self.requests: list[str] = []
        self.rules: list[str] = []
        self.whys: list[str] = []
        self.items: list[str] | None = None
        self.text: str | None = None


class Cause:
    __slots__ = ("certainty", "code", "evidence", "rules")

    def __init__(self, code: str, certainty: str) -> None:
        self.code = code
        self.certainty = certainty
        self.rules: list[str] = []
        self.evidence: list[str] = []


class Outcome:
    """What the rules asked for, merged as it arrives: each step and cause once, at its most urgent or certain."""

    __slots__ = ("causes", "findings", "fired", "steps", "warnings")

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.steps: dict[str, Step] = {}
        self.causes: dict[str, Cause] = {}
        self.findings: dict[str, tuple[str, list[str]]] = {}
        self.fired: list[str] = []

    def _fire(self, rule: str) -> None:
        if rule not in self.fired:
            self.fired.append(rule)

    def step(
        self,
        code: str,
        rule: str,
        why: str,
        *,
        urgency: str = "routine",
        timeframe: str | None = None,
        requests: tuple[str, ...] = (),
        items: list[str] | None = None,
        text: str | None = None,
    ) -> None:
        """Ask for a step; asked twice, it keeps the higher urgency, the shortest timeframe, all requests and rules."""
        self._fire(rule)
        step = self.steps.get(code) or self.steps.setdefault(code, Step(code))
        if URGENCY_RANK[urgency] < URGENCY_RANK[step.urgency]:
            step.urgency = urgency
        asked = timeframe or DEFAULT_TIMEFRAME[urgency]
        if TIMEFRAME_RANK[asked] < TIMEFRAME_RANK[step.timeframe]:
            step.timeframe = asked
        step.requests += [r for r in requests if r not in step.requests]
        _add(step.rules, rule)
        _add(step.whys, why)
        step.items = items if items is not None else step.items
        step.text = step.text or text

    def cause(self, code: str, certainty: str, rules: tuple[str, ...], evidence: tuple[str, ...] | list[str]) -> None:
        """Name a cause; named twice, it keeps the stronger certainty and all rules and evidence."""
        for rule in rules:
            self._fire(rule)
        cause = self.causes.get(code) or self.causes.setdefault(code, Cause(code, certainty))
        if CERTAINTY_RANK[certainty] < CERTAINTY_RANK[cause.certainty]:
            cause.certainty = certainty
        for rule in rules:
            _add(cause.rules, rule)
        for item in evidence:
            _add(cause.evidence, item)

    def finding(self, code: str, words: str, rule: str) -> None:
        """Record a finding the rules read from the case."""
        words, rules = self.findings.get(code, (words, []))
        _add(rules, rule)
        self.findings[code] = (words, rules)

    def warn(self, warning: str) -> None:
        """Add a warning about the case that a rule found (a child, an unknown chemotherapy end date)."""
        self.warnings.append(warning)

    def has(self, code: str) -> bool:
        return code in self.steps

    def drop(self, code: str) -> None:
        """Withdraw a step another rule replaces (C4: dependence assessment instead of cutting down)."""
        self.steps.pop(code, None)


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def recommendation(
    out: Outcome,
    *,
    stage: str,
    pattern: str,
    warnings: list[str],
    profiles: Profiles,
    sources: Mapping[str, tuple[str, ...]],
) -> Recommendation:
    """Write the workup-recommendation/1 document, in the contract's key order."""
    steps = sorted(out.steps.values(), key=lambda s: (URGENCY_RANK[s.urgency], STEP_ORDER[s.code]))
    step_dicts = [_step(s, sources) for s in steps]
    return {
        "schema": "workup-recommendation/1",
        "ruleset": RULESET,
        "urgency": min((s.urgency for s in steps), key=URGENCY_RANK.__getitem__, default="routine"),
        "stage": stage,
        "pattern": pattern,
        "profiles": profiles,
        "findings": [{"code": c, "text": words, "rules": list(rules)} for c, (words, rules) in out.findings.items()],
        "causes": [_cause(c) for c in sorted(out.causes.values(), key=_cause_key)],
        "next_steps": step_dicts,
        "referrals": [_referral(d) for d in step_dicts if d["code"] in text.SERVICE],
        "warnings": list(dict.fromkeys(warnings)),
    }


def _cause_key(cause: Cause) -> tuple[int, int]:
    return CERTAINTY_RANK[cause.certainty], CAUSE_ORDER[cause.code]


def _cause(cause: Cause) -> CauseDoc:
    return {
        "code": cause.code,
        "certainty": cause.certainty,
        "rules": list(cause.rules),
        "evidence": list(cause.evidence),
    }


def _step(step: Step, sources: Mapping[str, tuple[str, ...]]) -> NextStep:
    out: NextStep = {
        "code": step.code,
        "urgency": step.urgency,
        "timeframe": step.timeframe,
        "text": _step_text(step),
        "why": "; ".join(step.whys),
        "rules": list(step.rules),
        "source": _source(tuple(step.rules), sources),
    }
    if step.items is not None:
        out["items"] = list(step.items)
    if step.code in text.SERVICE:
        out["requests"] = _requests(step)
    return out


_SOURCE_CACHE: dict[tuple[str, ...], str] = {}


def _source(rules: tuple[str, ...], sources: Mapping[str, tuple[str, ...]]) -> str:
    """Join the sources of a step's rules, each once, in rule order (the same few combinations recur: cached)."""
    joined = _SOURCE_CACHE.get(rules)
    if joined is None:
        joined = _SOURCE_CACHE[rules] = "; ".join(dict.fromkeys(s for rule in rules for s in sources[rule]))
    return joined


def _requests(step: Step) -> list[str]:
    # Neurology is asked for what the rules name; every other service (and the emergency department) for assessment.
    if step.code != "refer_neurology" or not step.requests:
        return ["assessment"]
    return sorted(step.requests, key=text.REQUEST_ORDER.__getitem__)


def _step_text(step: Step) -> str:
    if step.code == "refer_neurology":
        return text.neurology_text(_requests(step), step.urgency)
    if step.code == "complete_exam":
        return text.exam_text(step.items or [])
    if step.code == "refer_vascular":
        return text.vascular_text(step.urgency)
    if step.code == "refer_haematology":
        return "; ".join(text.HAEMATOLOGY_TEXT[r] for r in step.rules if r in text.HAEMATOLOGY_TEXT)
    return step.text or text.step_text(step.code)


def _referral(step: NextStep) -> Referral:
    return {
        "service": text.SERVICE[step["code"]],
        "urgency": step["urgency"],
        "timeframe": step["timeframe"],
        "requests": list(step.get("requests", ["assessment"])),
        "reason": text.sentence(step["why"]),
    }
