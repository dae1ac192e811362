"""Section 3: red flags stop the workflow. These rules read only what read_alarm could read, before validation."""

from __future__ import annotations

from collections.abc import Callable

from workup.rules.build import Outcome
from workup.rules.validate import Alarm
from workup.rules.vocab import RED_FLAGS

EmergencyRule = Callable[[Alarm, Outcome], None]
FLAG_WORDS = {code: words.lower() for code, words in RED_FLAGS}
_CAUSE_WORDS = {
    "stroke": "possible stroke",
    "guillain_barre": "possible Guillain-Barre syndrome",
    "cauda_equina": "possible cauda equina syndrome",
    "acute_limb_ischaemia": "possible acute limb ischaemia",
}


def _emergency(out: Outcome, rule: str, cause: str, flags: tuple[str, ...], extra: tuple[str, ...] = ()) -> None:
    reasons = [FLAG_WORDS[f] for f in flags] + list(extra)
    if not reasons:
        return
    for flag in flags:
        out.finding(f"red_flag_{flag}", f"Red flag: {FLAG_WORDS[flag]}", rule)
    out.step("emergency_care", rule, f"{', '.join(reasons)}: {_CAUSE_WORDS[cause]}", urgency="emergency")
    out.cause(cause, "possible", (rule,), reasons)


def _flags(alarm: Alarm, *wanted: str) -> tuple[str, ...]:
    return tuple(f for f in alarm.red_flags if f in wanted)


def e1_stroke(alarm: Alarm, out: Outcome) -> None:
    """E1: sudden severe numbness, face/arm/speech symptoms, or sudden onset under a week (NICE NG127; protocol)."""
    onset = ("sudden onset less than a week ago",) if alarm.sudden_recent else ()
    _emergency(out, "E1", "stroke", _flags(alarm, "sudden_severe_numbness", "face_arm_speech_symptoms"), onset)


def e2_rapid_weakness(alarm: Alarm, out: Outcome) -> None:
    """E2: rapidly progressive weakness: possible Guillain-Barre syndrome (Leonhard et al. 2019; protocol)."""
    _emergency(out, "E2", "guillain_barre", _flags(alarm, "rapidly_progressive_weakness"))


def e3_breathing(alarm: Alarm, out: Outcome) -> None:
    """E3: difficulty breathing or swallowing: possible Guillain-Barre syndrome (Leonhard et al. 2019; protocol)."""
    _emergency(out, "E3", "guillain_barre", _flags(alarm, "breathing_or_swallowing_difficulty"))


def e4_cauda_equina(alarm: Alarm, out: Outcome) -> None:
    """E4: bladder or bowel dysfunction, saddle numbness: possible cauda equina (BMJ Best Practice; GIRFT 2023)."""
    _emergency(out, "E4", "cauda_equina", _flags(alarm, "bladder_or_bowel_dysfunction", "saddle_numbness"))


def e5_limb_ischaemia(alarm: Alarm, out: Outcome) -> None:
    """E5: cold, pale, pulseless foot: possible acute limb ischaemia (2016 AHA/ACC PAD guideline)."""
    _emergency(out, "E5", "acute_limb_ischaemia", _flags(alarm, "cold_pale_pulseless_foot"))


EMERGENCY_RULES: tuple[EmergencyRule, ...] = (
    e1_stroke,
    e2_rapid_weakness,
    e3_breathing,
    e4_cauda_equina,
    e5_limb_ischaemia,
)


def run(alarm: Alarm) -> Outcome:
    """Run every emergency rule on what the red-flag check read."""
    out = Outcome()
    for rule in EMERGENCY_RULES:
        rule(alarm, out)
    return out
