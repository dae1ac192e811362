"""What the clinician read: a fingerprint of a letter preview, and what changed between a preview and now.

A letter is signed only if it would say what its preview said. The sign form carries a signed token holding the
fingerprint of the preview's source (the letter's own fields, the record, the section versions and the engine's
answer) and a short summary of it, so that a refusal can say what changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core import signing

from workup.letters import LetterSource, find_referral, key_findings
from workup.rules import vocab

SALT = "workup.letter-preview"
SECTIONS = ("patient", "presentation", "history", "exam", "labs")
SECTION_WORDS = {
    "patient": "Patient details",
    "presentation": "Presentation and red flags",
    "history": "History",
    "exam": "Examination",
    "labs": "Blood results",
}


@dataclass(frozen=True)
class Difference:
    """One thing a letter would now say differently from its preview."""

    what: str
    before: str
    now: str


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _referral(source: LetterSource) -> dict[str, Any]:
    letter = source.letter
    found = None if letter.discretion_reason else find_referral(source.recommendation, letter.service)
    return found or {"service": letter.service, "urgency": letter.urgency}


def summary(source: LetterSource) -> dict[str, Any]:
    """The parts of a letter a reader checks first, and one digest per record section."""
    referral = _referral(source)
    case = {k: v for k, v in source.case.items() if k != "as_of"}  # the day of reading is not the record
    patient = source.patient
    demographics = [patient.given_name, patient.family_name, str(patient.date_of_birth), patient.sex]
    return {
        "service": vocab.label(vocab.SERVICES, referral["service"]),
        "urgency": vocab.label(vocab.URGENCY, referral["urgency"]),
        "question": source.letter.question,
        "findings": key_findings(source.recommendation),
        "sections": {
            "patient": _digest([demographics, patient.identifier, case.get("patient")]),
            **{s: _digest(case.get(s)) for s in SECTIONS[1:]},
        },
    }


def fingerprint(source: LetterSource) -> str:
    """SHA-256 of everything the letter is built from, except the day it is read and who signs it."""
    letter, workup = source.letter, source.letter.workup
    content = {
        "letter": [letter.pk, letter.kind, letter.service, letter.urgency, letter.question, letter.free_text],
        "addendum": [letter.addendum_reason, source.amended.pk if source.amended else None],
        "discretion": letter.discretion_reason,
        "draft_version": letter.draft_version,
        "versions": [getattr(workup, f"{s}_version") for s in ("presentation", "history", "exam", "labs")],
        "summary": summary(source),
        "case": {k: v for k, v in source.case.items() if k != "as_of"},
        "recommendation": source.recommendation,
    }
    return _digest(content)


def token(source: LetterSource) -> str:
    """The signed token a sign form carries: the preview's fingerprint and its summary."""
    return signing.dumps({"sha": fingerprint(source), "seen": summary(source)}, salt=SALT, compress=True)


def changes(preview_token: str, source: LetterSource) -> list[Difference] | None:
    """None when ``source`` is what the preview showed; else what differs (never empty: a bad token says so)."""
    try:
        seen = signing.loads(preview_token, salt=SALT)
    except signing.BadSignature:
        return [Difference("Preview", "not recognised", "read the letter below again before signing")]
    if seen.get("sha") == fingerprint(source):
        return None
    return differences(seen.get("seen", {}), summary(source))


def differences(before: dict[str, Any], now: dict[str, Any]) -> list[Difference]:
    """What a reader would notice: urgency, service, question, findings, then each record section that changed."""
    found = [
        Difference(what, str(before.get(key, "")), str(now[key]))
        for key, what in (("urgency", "Urgency"), ("service", "Service"), ("question", "Question"))
        if before.get(key) != now[key]
    ]
    if before.get("findings") != now["findings"]:
        found.append(Difference("Findings", "; ".join(before.get("findings", [])), "; ".join(now["findings"])))
    old_sections = before.get("sections", {})
    for section in SECTIONS:
        if old_sections.get(section) != now["sections"][section]:
            found.append(Difference(SECTION_WORDS[section], "as previewed", "changed since"))
    return found or [Difference("Letter details", "as previewed", "changed since (text or version)")]
