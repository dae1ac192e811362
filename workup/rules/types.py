"""The recommendation's types: workup-recommendation/1 (contract/recommendation.schema.json) as TypedDicts."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Finding(TypedDict):
    code: str
    text: str
    rules: list[str]


class Cause(TypedDict):
    code: str
    certainty: str
    rules: list[str]
    evidence: list[str]


class NextStep(TypedDict):
    code: str
    urgency: str
    timeframe: str
    text: str
    why: str
    rules: list[str]
    source: str
    items: NotRequired[list[str]]
    requests: NotRequired[list[str]]


class Referral(TypedDict):
    service: str
    urgency: str
    timeframe: str
    requests: list[str]
    reason: str


class Profiles(TypedDict):
    b12: str
    glycaemia: str


class Recommendation(TypedDict):
    schema: str
    ruleset: str
    urgency: str
    stage: str
    pattern: str
    profiles: Profiles
    findings: list[Finding]
    causes: list[Cause]
    next_steps: list[NextStep]
    referrals: list[Referral]
    warnings: list[str]
