"""Section 3: emergencies stop the workflow. These rules read whatever fields of the case could be read, before the
case's other problems are judged: a typo must never hide an emergency (clinical-rules.md 3.1)."""

from __future__ import annotations

from dataclasses import dataclass

from workup.rules import text
from workup.rules.build import Outcome
from workup.rules.case import Case
from workup.rules.facts import SIDES, bilateral_weakness, limb_ischaemia, objective_weakness
from workup.rules.labs import duration
from workup.rules.thresholds import limit
from workup.rules.vocab import RED_FLAGS

FLAG_WORDS = {code: words.lower() for code, words in RED_FLAGS}
_CAUSE_WORDS = {
    "stroke": "possible stroke",
    "guillain_barre": "possible Guillain-Barre syndrome",
    "cauda_equina": "possible cauda equina syndrome",
    "acute_limb_ischaemia": "possible acute limb ischaemia",
    "limb_threatening_foot": "a limb-threatening foot problem",
}


@dataclass(slots=True)
class Seen:
    """What the emergency rules read from a case that may be invalid (the rest they read from the case itself)."""

    case: Case
    weeks: float | None
    sudden_recent: bool
    flags: frozenset[str]

    @property
    def weakness(self) -> bool:
        return bool(objective_weakness(self.case)) or "weakness" in self.case.symptoms


def seen(case: Case) -> Seen:
    """Read the facts the emergency rules need from whatever could be read."""
    weeks = case.duration_weeks
    sudden = case.onset == "sudden" and weeks is not None and weeks < limit("emergency_onset_below")
    return Seen(case, weeks, sudden, case.red_flags or frozenset())


def possible(s: Seen) -> bool:
    """Whether any emergency rule could fire: red flags, a recent sudden onset, a worsening course in both feet (E6,
    E7) or a foot finding (E8). Most cases have none, and then no emergency rule needs to run."""
    case = s.case
    if s.flags or s.sudden_recent or case.foot_inspection:
        return True
    return case.sides == "both" and (case.course == "worsening" or "radiating_leg_pain" in case.symptoms)


def _emergency(out: Outcome, rule: str, cause: str, flags: tuple[str, ...], extra: tuple[str, ...] = ()) -> None:
    reasons = [FLAG_WORDS[f] for f in flags] + list(extra)
    if not reasons:
        return
    for flag in flags:
        out.finding(f"red_flag_{flag}", f"Red flag: {FLAG_WORDS[flag]}", rule)
    out.step("emergency_care", rule, f"{', '.join(reasons)}: {_CAUSE_WORDS[cause]}", urgency="emergency")
    out.cause(cause, "possible", (rule,), reasons)


def _flags(s: Seen, *wanted: str) -> tuple[str, ...]:
    flags = s.flags
    return tuple(f for f in wanted if f in flags) if flags else ()


def _weeks(s: Seen) -> str:
    return duration(s.weeks or 0)


def e1_stroke(s: Seen, out: Outcome) -> None:
    """E1: sudden severe numbness or face/arm/speech symptoms: possible stroke (NICE NG127; protocol)."""
    _emergency(out, "E1", "stroke", _flags(s, "sudden_severe_numbness", "face_arm_speech_symptoms"))


def e1_sudden_onset(s: Seen, out: Outcome) -> None:
    """E1: a sudden onset under a week counts as stroke only when no other emergency rule explains it (NICE NG127)."""
    if s.sudden_recent and not out.steps:
        _emergency(out, "E1", "stroke", (), ("sudden onset less than a week ago",))


def e2_rapid_weakness(s: Seen, out: Outcome) -> None:
    """E2: rapidly progressive weakness: possible Guillain-Barre syndrome (Leonhard et al. 2019; protocol)."""
    _emergency(out, "E2", "guillain_barre", _flags(s, "rapidly_progressive_weakness"))


def e3_breathing(s: Seen, out: Outcome) -> None:
    """E3: difficulty breathing or swallowing: possible Guillain-Barre syndrome (Leonhard et al. 2019; protocol)."""
    _emergency(out, "E3", "guillain_barre", _flags(s, "breathing_or_swallowing_difficulty"))


def e4_cauda_equina(s: Seen, out: Outcome) -> None:
    """E4: bladder or bowel dysfunction, saddle numbness: possible cauda equina (GIRFT 2023; NICE NG127)."""
    _emergency(out, "E4", "cauda_equina", _flags(s, "bladder_or_bowel_dysfunction", "saddle_numbness"))


def e5_limb_ischaemia(s: Seen, out: Outcome) -> None:
    """E5: a cold, pale, pulseless foot, or a sudden onset under a week with absent pulses on a numb side (AHA/ACC)."""
    case = s.case
    numb_sides = SIDES if case.sides == "both" else (case.sides,)
    absent = [
        f"sudden onset less than a week ago with pedal pulses absent ({side})"
        for side, pulse in zip(SIDES, case.exam["pedal_pulses"], strict=True)
        if s.sudden_recent and pulse == "absent" and side in numb_sides
    ]
    _emergency(out, "E5", "acute_limb_ischaemia", _flags(s, "cold_pale_pulseless_foot"), tuple(absent))


def e6_rapid_symmetrical_weakness(s: Seen, out: Outcome) -> None:
    """E6: worsening in both feet with weakness under 4 weeks, or imbalance under a week (NICE NG127; GBS)."""
    case = s.case
    if case.course != "worsening" or case.sides != "both" or s.weeks is None:
        return
    if s.weeks < limit("gbs_weakness_below") and s.weakness:
        shown = ", ".join(objective_weakness(case)) or "weakness reported"
        _emergency(out, "E6", "guillain_barre", (), (f"symmetrical weakness worsening over {_weeks(s)} ({shown})",))
    elif "imbalance" in case.symptoms and s.weeks < limit("gbs_imbalance_below"):
        _emergency(out, "E6", "guillain_barre", (), (f"numbness with imbalance worsening over {_weeks(s)}",))


def e7_bilateral_deficit(s: Seen, out: Outcome) -> None:
    """E7: leg pain with weakness on examination in both legs, new within 2 weeks: cauda equina (GIRFT 2023)."""
    case = s.case
    if (
        "radiating_leg_pain" in case.symptoms
        and case.sides == "both"
        and bilateral_weakness(case)
        and s.weeks is not None
        and s.weeks < limit("ces_deficit_below")
    ):
        deficit = ", ".join(objective_weakness(case))
        _emergency(
            out, "E7", "cauda_equina", (), (f"leg pain with weakness in both legs over {_weeks(s)} ({deficit})",)
        )


def e8_limb_threatening_foot(s: Seen, out: Outcome) -> None:
    """E8: gangrene, deep infection, or an ulcer or spreading infection with sepsis or ischaemia (NICE NG19)."""
    found = s.case.foot_inspection
    if not found:
        return
    reasons = [f for f in ("gangrene", "deep_infection") if f in found]
    if found & {"ulcer", "spreading_infection"} and "fever_or_sepsis" in found:
        reasons.append("ulcer or spreading infection with fever or sepsis")
    ischaemia = limb_ischaemia(s.case) if "ulcer" in found else ()
    if ischaemia:
        reasons.append(f"ulcer with limb ischaemia ({', '.join(ischaemia)})")
    words = [r.replace("_", " ") for r in reasons]
    _emergency(out, "E8", "limb_threatening_foot", (), tuple(words))


def finish(out: Outcome) -> None:
    """Say in the one emergency step what the receiving team must rule out."""
    step = out.steps.get("emergency_care")
    if step is not None:
        step.text = text.emergency_text(list(out.causes))
