"""The engine's recommendation -> CDS Hooks cards (spec "Card Attributes"). No database, no request: a pure mapping.

One decision per card, most urgent first: an emergency is one `critical` card and nothing else; unanswered red flags
are one `warning` card that asks them (and nothing routine is offered before they are answered); an urgent step or
referral is a `warning` card; the next routine step is an `info` card. A case the EHR's data cannot fill is one `info`
card saying what to record: never a reassurance.
"""

from __future__ import annotations

import re
import textwrap
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workup.interop.cds_hooks import orders
from workup.rules import RULESET, vocab

SUMMARY_MAX = 139  # spec "Card Attributes": summary is a "<140-character" sentence
OVERRIDE_SYSTEM = "urn:workup:cds-hooks:override-reason"
OVERRIDE_REASONS: tuple[tuple[str, str], ...] = (
    ("already-done", "Already done or arranged elsewhere"),
    ("patient-declined", "Patient declined"),
    ("not-relevant", "Not relevant: no foot numbness now"),
    ("clinical-judgement", "Clinical judgement (please add a comment)"),
)
# Steps that are advice for every workup rather than a next step: shown in the detail, never as the card's summary.
BACKGROUND_STEPS = frozenset({"safety_net", "healthy_lifestyle", "foot_protection"})
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


@dataclass(frozen=True)
class Setting:
    """What the cards need besides the recommendation: who, where to open the workup, what the EHR's data gave."""

    subject: str  # "Patient/<id>" as the client names the patient
    requester: str | None
    link: dict[str, str]  # spec "Link": label, url, type
    source_url: str
    read: tuple[str, ...] = ()  # Markdown lines about the EHR's data (escaped by the caller)
    drafted: frozenset[str] = field(default_factory=frozenset)  # tests and services already being ordered


def md(text: str) -> str:
    """Text from outside (the EHR) made literal in Markdown: no link, image, HTML or emphasis can be injected."""
    return MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def summary(text: str) -> str:
    """One sentence under 140 characters (cut at a word, marked with an ellipsis)."""
    return textwrap.shorten(" ".join(text.split()), width=SUMMARY_MAX, placeholder="…")


def cards_for(rec: dict[str, Any], setting: Setting) -> list[dict[str, Any]]:
    """The cards for one evaluated case, most urgent first."""
    if rec["urgency"] == "emergency":
        return [emergency_card(rec, setting)]
    if rec["stage"] == "red_flags":
        return [red_flags_card(rec, setting)]
    out = []
    urgent = [s for s in rec["next_steps"] if s["urgency"] == "urgent"]
    if urgent:
        out.append(action_card("warning", urgent, rec, setting))
    routine = [s for s in rec["next_steps"] if s["urgency"] == "routine" and s["code"] not in BACKGROUND_STEPS]
    if routine:
        out.append(action_card("info", routine, rec, setting))
    return out or [action_card("info", rec["next_steps"], rec, setting)]


def emergency_card(rec: dict[str, Any], setting: Setting) -> dict[str, Any]:
    """One critical card: what to do now, the emergency referral as the only suggestion."""
    referral = next((r for r in rec["referrals"] if r["urgency"] == "emergency"), None)
    step = next(s for s in rec["next_steps"] if s["urgency"] == "emergency")
    causes = [f"{c['certainty'].title()} {_lower_first(vocab.label(vocab.CAUSES, c['code']))}" for c in rec["causes"]]
    what = " or ".join([causes[0], *[c.split(" ", 1)[1] for c in causes[1:2]]]) if causes else "Emergency"
    where = vocab.label(vocab.SERVICES, referral["service"]).lower() if referral else "emergency department"
    lines = [f"**Do now:** {step['text']}", "", f"**Why:** {referral['reason'] if referral else step['why']}"]
    return _card(
        "critical",
        f"{what}: send to the {where} now",
        lines + _trailer([step], rec, setting),
        suggestions=_referral_suggestions([referral] if referral else [], setting),
        setting=setting,
        source=step["source"],
    )


def red_flags_card(rec: dict[str, Any], setting: Setting) -> dict[str, Any]:
    """The red-flag questions are unanswered (or the notes name one): ask them before anything routine."""
    steps = [s for s in rec["next_steps"] if s["code"] in ("ask_red_flags", "check_red_flags")] or rec["next_steps"][:1]
    flags = [f"- {label}" for _, label in vocab.RED_FLAGS]
    lines = [
        f"**Ask now:** {steps[0]['text']}",
        "",
        f"**Why:** {steps[0]['why']}",
        "",
        "Any one of these is an emergency (send to the emergency department now):",
        *flags,
        "",
        "Record the answers in Workup, including when none is present; the workup continues from there.",
    ]
    return _card(
        "warning",
        f"Foot numbness: {_lower_first(steps[0]['text'])}",
        lines + _trailer(steps, rec, setting),
        suggestions=[],
        setting=setting,
        source=steps[0]["source"],
    )


def action_card(indicator: str, steps: list[dict[str, Any]], rec: dict[str, Any], setting: Setting) -> dict[str, Any]:
    """The steps of one urgency, the first as the summary; their orders and referrals as suggestions."""
    first = steps[0]
    urgency = "routine" if indicator == "info" else "urgent"
    referrals = [r for r in rec["referrals"] if r["urgency"] == urgency]
    lines = [f"**Next:** {first['text']}", "", f"**Why:** {first['why']}"]
    if len(steps) > 1:
        lines += ["", "**Also:**", *(f"- {s['text']} ({_timeframe(s)}): {s['why']}" for s in steps[1:])]
    suggestions = _order_suggestions(steps, setting) + _referral_suggestions(referrals, setting)
    prefix = "Foot numbness" if indicator == "info" else "Urgent"
    return _card(
        indicator,
        f"{prefix}: {_lower_first(first['text'])}",
        lines + _trailer(steps, rec, setting),
        suggestions=suggestions,
        setting=setting,
        source=first["source"],
    )


def record_card(missing: Iterable[str], setting: Setting) -> dict[str, Any]:
    """The case cannot be judged from the EHR's data: say what to record, red flags first; no advice, no reassurance."""
    lines = [
        "Workup has no presentation and examination for this patient, so it gives **no advice yet**: "
        "this is not a reassurance.",
        "",
        "**Record in Workup:**",
        "1. The red-flag questions, asked now (any one is an emergency): "
        + "; ".join(label.lower() for _, label in vocab.RED_FLAGS)
        + ".",
        "2. The presentation: onset, duration, course, which feet and which areas.",
        "3. The examination of both feet: "
        + ", ".join(vocab.EXAM_LABELS.get(i, i).lower() for i in vocab.SIDED_EXAM_ITEMS[:6])
        + ".",
    ]
    details = list(missing)
    if details:
        lines += ["", "**Not yet recorded:** " + "; ".join(md(d) for d in details)]
    return _card(
        "info",
        "Foot numbness: ask the red-flag questions, then record the presentation and examination in Workup",
        lines + _read(setting),
        suggestions=[],
        setting=setting,
        source="Workup process: red flags first, then history and examination, then bloods, then referral",
    )


def _card(
    indicator: str,
    text: str,
    lines: list[str],
    *,
    suggestions: list[dict[str, Any]],
    setting: Setting,
    source: str,
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": summary(text),
        "indicator": indicator,
        "detail": "\n".join(lines),
        "source": {"label": summary(f"Workup {RULESET}: {source.split(';')[0]}"), "url": setting.source_url},
        "links": [dict(setting.link)],
        "overrideReasons": [
            {"system": OVERRIDE_SYSTEM, "code": code, "display": display} for code, display in OVERRIDE_REASONS
        ],
    }
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = "any"  # spec: required with suggestions; each order stands alone
    return card


def _order_suggestions(steps: list[dict[str, Any]], setting: Setting) -> list[dict[str, Any]]:
    out = []
    for step in steps:
        if step["code"] in setting.drafted:
            continue  # already being ordered in this session (order-select)
        resource = orders.order(step, subject=setting.subject, requester=setting.requester)
        if resource is not None:
            out.append(_suggestion(step["text"], [resource]))
    return out


def _referral_suggestions(referrals: list[dict[str, Any]], setting: Setting) -> list[dict[str, Any]]:
    out = []
    for ref in referrals:
        if ref["service"] in setting.drafted:
            continue
        resources = orders.referral(ref, subject=setting.subject, requester=setting.requester)
        if resources:
            service = vocab.label(vocab.SERVICES, ref["service"]).lower()
            out.append(_suggestion(f"Refer to {service} ({_timeframe(ref).lower()})", resources))
    return out


def _suggestion(label: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    actions = [
        {"type": "create", "description": f"Order: {_text(r)}", "resource": r} for r in resources
    ]  # spec "Action": create with a new resource
    return {"label": summary(label), "uuid": str(uuid.uuid4()), "isRecommended": True, "actions": actions}


def _text(resource: dict[str, Any]) -> str:
    return str(resource["code"].get("text") or resource["code"]["coding"][0]["display"])


def _trailer(steps: list[dict[str, Any]], rec: dict[str, Any], setting: Setting) -> list[str]:
    sources = list(dict.fromkeys(s["source"] for s in steps))
    lines = ["", "**Source:** " + "; ".join(sources), ""]
    lines.append(f"Pattern: {vocab.label(vocab.PATTERN, rec['pattern']).lower()}. Ruleset {rec['ruleset']}.")
    if rec.get("warnings"):
        lines += ["", "**Check:**", *(f"- {md(w)}" for w in rec["warnings"][:5])]
    return lines + _read(setting)


def _read(setting: Setting) -> list[str]:
    return ["", "**From the EHR:**", *setting.read] if setting.read else []


def _timeframe(item: dict[str, Any]) -> str:
    return vocab.label(vocab.TIMEFRAMES, item.get("timeframe", "routine"))


def _lower_first(text: str) -> str:
    word = text.split(" ", 1)[0]
    return text if any(ch.isupper() for ch in word[1:]) else text[:1].lower() + text[1:]
