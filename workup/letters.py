"""The referral letter: what it says (built from the record and the engine's answer) and its PDF (WeasyPrint).

The letter only presents: every clinical statement on it comes from the recorded case or from the
engine's recommendation. WeasyPrint is imported on first render, not at start-up (it takes ~0.4 s).
"""

from __future__ import annotations

import functools
import mimetypes
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from workup import rules
from workup.rules import vocab
from workup.rules.thresholds import BAND_WORDS
from workup.rules.vocab import label
from workup.services.handouts import given_summary
from workup.services.workups import profiles

if TYPE_CHECKING:
    from workup.models import Clinic, LabResult, Letter, Patient, User, Workup

LETTERS_STATIC = Path(__file__).resolve().parent / "static" / "letters"
LETTER_CSS = LETTERS_STATIC / "letter.css"
# PDF/A-3b for the archive, with a tagged structure as well (docs/letter-format.md says why).
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}
PAPER_SIZES = {"A4": "A4", "letter": "letter"}
INDENT = re.compile(r"\n\s+")

# Requests a specialist is asked to arrange, and what each asks for in the question.
ARRANGE = {"ncs": "nerve conduction studies (NCS)", "emg": "electromyography (EMG)"}
ASK = {
    "brain_spine_assessment": "please assess for disease of the brain or spinal cord",
    "neurology_review": "please review",
    "genetic_assessment": "please advise on genetic testing",
    "assessment": "please assess and advise",
}
# What each service is asked when the engine's only request is an assessment: the question a colleague would write.
SERVICE_QUESTION = {
    "vascular": "please assess for peripheral arterial disease and advise on treatment",
    "haematology": "please assess and advise whether this explains the neuropathy",
    "diabetic_foot_service": "please see within 1 working day to assess and treat the foot",
    "foot_protection_service": "please take on the foot protection programme: assessment, education and footwear",
    "spinal": "please assess for nerve-root or cauda equina compression and advise on imaging",
    "podiatry": "please provide a biomechanical assessment, footwear advice and orthoses",
    "physiotherapy": "please assess and treat with back care and an exercise programme",
    "stroke_service": "please assess for a possible past transient ischaemic attack or minor stroke",
    "ms_team": "please assess for a possible relapse",
    "antenatal_diabetes_team": "please assess and manage possible gestational diabetes",
}
# The step that asks for each referral: refer_<service>, except where the contract names the step otherwise.
STEP_FOR_SERVICE = {code: f"refer_{code}" for code, _ in vocab.SERVICES} | {
    "emergency_department": "emergency_care",
    "ms_team": "contact_ms_team",
    "antenatal_diabetes_team": "refer_antenatal_diabetes",
}
REFERRAL_STEPS = frozenset(STEP_FOR_SERVICE.values())


class RenderError(Exception):
    """The letter could not be turned into a PDF."""


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    pages: int


@dataclass(frozen=True)
class LetterSource:
    """Everything a letter is built from: the letter's own fields, the record, and the engine's answer."""

    letter: Letter
    patient: Patient
    clinic: Clinic
    case: dict[str, Any]
    recommendation: dict[str, Any]
    referrer: User | None
    on: date
    amended: Letter | None = None


# --- Choosing the referral and wording the question ---------------------------------------------------------------


def referral_options(recommendation: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The recommendation's referrals, most urgent first, neurology first among equals."""
    if not recommendation:
        return []
    ranked = enumerate(recommendation.get("referrals", []))
    order = sorted(ranked, key=lambda ir: (_urgency_rank(ir[1]["urgency"]), ir[1]["service"] != "neurology", ir[0]))
    return [referral for _, referral in order]


def _urgency_rank(urgency: str) -> int:
    return {"emergency": 0, "urgent": 1, "routine": 2}.get(urgency, 3)


def find_referral(recommendation: dict[str, Any] | None, service: str) -> dict[str, Any] | None:
    """The recommendation's referral to ``service``, or None when the engine does not recommend one."""
    return next((r for r in referral_options(recommendation) if r["service"] == service), None)


def timeframe_words(urgency: str, timeframe: str | None) -> str:
    """How soon, in words: 'Urgent, within 2 weeks', 'Emergency, now', 'Routine'."""
    when = label(vocab.TIMEFRAMES, timeframe) if timeframe else ""
    level = label(vocab.URGENCY, urgency)
    if not when or timeframe == "routine" or when.lower() == level.lower():
        return level
    return f"{level}, {when[:1].lower()}{when[1:]}"


def letter_kind(referral: dict[str, Any]) -> str:
    """An emergency gets a one-page handover instead of a referral letter."""
    emergency = referral["urgency"] == "emergency" or referral["service"] == "emergency_department"
    return "emergency" if emergency else "referral"


def default_question(referral: dict[str, Any], recommendation: dict[str, Any]) -> str:
    """The question for the specialist, worded from the engine's reason and requests (the user may edit it)."""
    reason = referral.get("reason", "").strip().rstrip(".") or label(vocab.SERVICES, referral["service"])
    if letter_kind(referral) == "emergency":
        causes = [cause_noun(c["code"]) for c in recommendation.get("causes", [])]
        suspected = f"suspected {_join(causes)}" if causes else reason
        return f"{_sentence(suspected)}: please assess now."
    arrange = [ARRANGE[r] for r in referral.get("requests", []) if r in ARRANGE]
    asks = ([f"please arrange {_join(arrange)}"] if arrange else []) + [
        ASK[r] for r in referral.get("requests", []) if r in ASK and r != "assessment"
    ]
    fallback = SERVICE_QUESTION.get(referral["service"], ASK["assessment"])
    return f"{_sentence(reason)}: {'; '.join(asks or [fallback])}."


PROPER_NOUN_CAUSES = frozenset({"guillain_barre"})


def cause_noun(code: str) -> str:
    """A cause as written mid-sentence: 'cauda equina syndrome', but 'Guillain-Barre syndrome' and 'CIDP'."""
    text = label(vocab.CAUSES, code)
    if code in PROPER_NOUN_CAUSES or text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- What the letter says --------------------------------------------------------------------------------------------


def build_context(source: LetterSource) -> dict[str, Any]:
    """Everything the letter templates print, in the order they print it."""
    letter, rec, case = source.letter, source.recommendation, source.case
    # A referral at the clinician's discretion keeps their service and urgency, whatever the engine suggests.
    referral = (None if letter.discretion_reason else find_referral(rec, letter.service)) or {
        "service": letter.service,
        "urgency": letter.urgency,
        "requests": [],
        "reason": "",
    }
    step = next((s for s in rec.get("next_steps", []) if s["code"] == STEP_FOR_SERVICE.get(letter.service)), None)
    record = patient_record(source)
    pending = pending_tests(rec)
    presentation = presentation_rows(case.get("presentation", {}))
    return {
        "letter": letter,
        "draft": not letter.is_issued,
        "handouts_given": given_summary(letter.workup),  # the patient's own copy, if given: "Information and advice"
        "chain_reference": chain_reference(letter.reference),
        "amended": source.amended,
        "amended_issued": _date(source.amended.signed_at) if source.amended else "",
        "date": _date(source.on),
        "clinic": _clinic(source.clinic),
        "addressee": addressee(letter, referral),
        "patient": _patient(source.patient, source.on),
        "referrer": _referrer(source.referrer, source.clinic),
        "signature": _signature(letter, source.referrer),
        "service": label(vocab.SERVICES, referral["service"]),
        "urgency": referral["urgency"],
        "urgency_label": label(vocab.URGENCY, referral["urgency"]),
        "urgency_when": timeframe_words(referral["urgency"], referral.get("timeframe")),
        "urgency_reason": reason_unless_asked(referral.get("reason", ""), letter.question),
        "question": letter.question,
        "free_text": letter.free_text,
        "presentation": pair_rows(presentation),
        "presentation_no_flags": pair_rows([row for row in presentation if row[0] != RED_FLAGS_HEADING]),
        "history": pair_rows(history_rows(case.get("history", {}), patient=case.get("patient", {}))),
        "problems": record.problems,
        "medications": record.medications,
        "record_scope": record.medications_scope,
        "allergies": record.allergies,
        "social": pair_rows(social_rows(case.get("history", {}), record)),
        "exam": exam_rows(case.get("exam", {})),
        "exam_missing": exam_missing(case.get("exam", {})),
        "exam_compact": compact_exam_rows(case.get("exam", {})),
        "labs": lab_rows(case.get("labs", []), extras=paraprotein_details(source)),
        "findings": key_findings(rec),
        "causes": cause_rows(rec.get("causes", [])),
        "done": done_rows(case, record),
        "pending": pending,
        "primary_care": primary_care_rows(rec),
        "other_referrals": _other_referrals(rec, referral),
        "specialist": specialist_request(source, referral, record, pending),
        "information_given": information_given(rec),
        "distribution": distribution(source, referral),
        "warnings": rec.get("warnings", []),
        "ruleset": rec.get("ruleset", ""),
        "emergency": emergency_facts(source, record) if letter_kind(referral) == "emergency" else None,
        "history_compact": pair_rows(
            compact_rows(history_rows(case.get("history", {}), patient=case.get("patient", {})))
        ),
        "red_flags_present": [label(vocab.RED_FLAGS, f) for f in case.get("presentation", {}).get("red_flags") or []],
        "discretion": (
            {"reason": letter.discretion_reason, "suggested": suggested_text(rec)} if letter.discretion_reason else None
        ),
        "step_source": step.get("source", "") if step else "",
    }


def suggested_text(rec: dict[str, Any]) -> str:
    """What the decision support suggested, in one sentence: its referrals, or its stage and first next step."""
    referrals = [
        f"{label(vocab.SERVICES, r['service']).lower()} ({label(vocab.URGENCY, r['urgency']).lower()})"
        for r in referral_options(rec)
    ]
    if referrals:
        return f"The decision support suggested a referral to {_join(referrals)}."
    stage = label(vocab.STAGE, rec["stage"]).lower() if rec.get("stage") else "not worked out"
    steps = rec.get("next_steps") or []
    first = f"; its next step was: {steps[0]['text'].rstrip('.')}" if steps else ""
    return f"The decision support suggested no referral (stage: {stage}){first}."


def reason_unless_asked(reason: str, question: str) -> str:
    """The engine's reason for the referral, unless the question already states it (the reason is said once)."""
    core = reason.strip().rstrip(".")
    if not core or core.lower() in question.lower():
        return ""
    return _sentence(core) + "."


def chain_reference(reference: str) -> str:
    """The reference shared by a letter and its addenda (addenda are stored as ``<chain>-v<n>``)."""
    head, sep, tail = reference.rpartition("-v")
    return head if sep and tail.isdigit() else reference


def _date(day: date | datetime | None) -> str:
    """Day, month name and year: never ambiguous between UK and US readers."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    return f"{day.day} {day:%b %Y}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _clinic(clinic: Clinic) -> dict[str, Any]:
    return {"name": clinic.name, "address": _lines(clinic.address), "phone": clinic.phone, "email": clinic.email}


def _patient(patient: Patient, on: date) -> dict[str, Any]:
    return {
        "name": f"{patient.given_name} {patient.family_name.upper()}",
        "date_of_birth": _date(patient.date_of_birth),
        "age": patient.age_on(on),
        "sex": label(vocab.SEX, patient.sex),
        "identifier": patient.identifier,
        "identifier_label": "NHS number" if _is_nhs_number(patient.identifier) else "Identifier",
        "address": _lines(patient.address),
        "phone": patient.phone,
        "gp_practice": patient.gp_practice,
    }


def _is_nhs_number(identifier: str) -> bool:
    from workup.interop.fhir.document import nhs_number  # the FHIR document imports this module

    return nhs_number(identifier) is not None


def _referrer(user: User | None, clinic: Clinic) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "name": user.display_name(),
        "role": user.job_title or user.get_role_display(),
        "registration": user.registration_number,
        "phone": user.phone or clinic.phone,
        "email": user.email or clinic.email,
    }


def _signature(letter: Letter, referrer: User | None) -> dict[str, Any] | None:
    if not letter.is_issued or letter.signed_at is None:
        return None
    local = timezone.localtime(letter.signed_at)
    return {"name": referrer.display_name() if referrer else "", "at": f"{_date(local)} {local:%H:%M}"}


def _values(choices: vocab.Choices, codes: list[str] | None, *, none: str = "Asked: none") -> str:
    if codes is None:
        return "Not recorded"
    return ", ".join(label(choices, c) for c in codes) or none


def duration_text(weeks: float | None) -> str:
    """Weeks as the clinician recorded them, with months or years for a reader who thinks in those."""
    if weeks is None:
        return "Not recorded"
    if weeks < 1:
        return f"{round(weeks * 7)} days"
    text = f"{_number(weeks)} week{'s' if weeks != 1 else ''}"
    if weeks >= 104:
        return f"{text} (about {_number(round(weeks / 52.18, 1))} years)"
    if weeks >= 9:
        return f"{text} (about {round(weeks / 4.345)} months)"
    return text


def presentation_rows(p: dict[str, Any]) -> list[tuple[str, str]]:
    """History of the presenting complaint, one (heading, text) row per item."""
    return [
        ("Onset", label(vocab.ONSET, p["onset"]) if p.get("onset") else "Not recorded"),
        ("Duration", duration_text(p.get("duration_weeks"))),
        ("Course", label(vocab.COURSE, p["course"]) if p.get("course") else "Not recorded"),
        ("Sides", label(vocab.SIDES, p["sides"]) if p.get("sides") else "Not recorded"),
        ("Areas", _values(vocab.AREAS, p.get("areas"))),
        ("Symptoms", _values(vocab.SYMPTOMS, p.get("symptoms"))),
        (RED_FLAGS_HEADING, red_flags_text(p.get("red_flags"))),
        *notes_rows(p),
    ]


RED_FLAGS_HEADING = "Red flags"


def notes_rows(p: dict[str, Any]) -> list[tuple[str, str]]:
    """The clinician's notes, and whether they were checked for red flags (only when there are notes)."""
    if not p.get("notes"):
        return []
    checked = "checked for red flags" if p.get("notes_checked") else "not yet checked for red flags"
    return [(f"Notes ({checked})", p["notes"])]


SHORT_TEXT = 34


def pair_rows(items: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Two short items to a table row, a long one on its own row: the letter stays short without losing anything."""
    rows: list[list[tuple[str, str]]] = []
    for item in items:
        short = len(item[1]) <= SHORT_TEXT
        if short and rows and len(rows[-1]) == 1 and len(rows[-1][0][1]) <= SHORT_TEXT:
            rows[-1].append(item)
        else:
            rows.append([item])
    return rows


def red_flags_text(flags: list[str] | None) -> str:
    """Red flags present, or the full list asked about and absent (an empty list means asked, none present)."""
    if flags is None:
        return "Not recorded"
    if flags:
        return "PRESENT: " + _values(vocab.RED_FLAGS, flags)
    return "Asked about and absent: " + ", ".join(text[:1].lower() + text[1:] for _, text in vocab.RED_FLAGS)


def history_rows(h: dict[str, Any], *, patient: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """Relevant past history, one (heading, text) row per item; pregnancy only when it was asked."""
    pregnant = (patient or {}).get("pregnant")
    return [
        *([("Pregnant", _yes_no(pregnant))] if pregnant is not None else []),
        ("Diabetes", label(vocab.DIABETES, h["diabetes"]) if h.get("diabetes") else "Not recorded"),
        ("Chemotherapy", chemotherapy_text(h)),
        ("B12 risk factors", _values(vocab.B12_RISKS, h.get("b12_risks"))),
        ("Brain or spinal cord", _values(vocab.CNS_HISTORY, h.get("cns_history"))),
        ("Spine", _values(vocab.SPINE_HISTORY, h.get("spine_history"))),
        ("Foot history", _values(vocab.FOOT_HISTORY, h.get("foot_history"))),
    ]


def compact_rows(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The recorded rows, and one row naming every item not recorded (the one-page handover has no room for more)."""
    missing = [heading for heading, text in rows if text == "Not recorded"]
    kept = [(heading, text) for heading, text in rows if text != "Not recorded"]
    return kept + ([("Not recorded", "; ".join(missing))] if missing else [])


def _yes_no(answer: bool | None) -> str:
    return "Not recorded" if answer is None else "Yes" if answer else "No"


def chemotherapy_text(h: dict[str, Any]) -> str:
    """The agents, and when the last dose was: 'Platinum (cisplatin, ...); last dose 3 months ago'."""
    agents = _values(vocab.CHEMOTHERAPY, h.get("chemotherapy"))
    months = h.get("chemotherapy_ended_months_ago")
    if months is None or not h.get("chemotherapy"):
        return agents
    when = "ongoing" if months == 0 else f"last dose {_number(months)} month{'s' if months != 1 else ''} ago"
    return f"{agents}; {when}"


EXAM_VALUE_CHOICES: dict[str, vocab.Choices] = {
    "ankle_reflex": vocab.REFLEX,
    "knee_reflex": vocab.REFLEX,
    "plantar_response": vocab.PLANTAR,
    "vibration": vocab.GRADED_SENSE,
    "pinprick": vocab.GRADED_SENSE,
    "proprioception": vocab.PROPRIOCEPTION,
    "power_ankle_dorsiflexion": vocab.MRC,
    "power_ankle_plantarflexion": vocab.MRC,
    "pedal_pulses": vocab.PULSES,
    "tinel_tarsal_tunnel": vocab.SIGN,
    "straight_leg_raise": vocab.SIGN,
    "foot_posture": vocab.FOOT_POSTURE,
    "romberg": vocab.ROMBERG,
    "foot_inspection": vocab.FOOT_INSPECTION,
}
SINGLE_EXAM_ITEMS = ("romberg", "foot_inspection")


def exam_value(item: str, value: Any) -> str:
    """One recorded finding in words: '0 absent', '2 of 4 sites felt', '0.95'."""
    if value is None:
        return "Not recorded"
    if item == "monofilament":
        tested, felt = value.get("sites_tested"), value.get("sites_felt")
        return f"{felt if felt is not None else '?'} of {tested if tested is not None else '?'} sites felt"
    if item == "abi":
        return f"{float(value):.2f}"
    if item == "foot_inspection":
        return foot_inspection_text(value)
    return label(EXAM_VALUE_CHOICES[item], str(value))


def foot_inspection_text(findings: list[str] | str) -> str:
    """The findings of a foot inspection, or that it found nothing (a 2026.11 string is read as the list it meant)."""
    if isinstance(findings, str):
        findings = list(vocab.FOOT_INSPECTION_2026_11.get(findings, (findings,)))
    return _values(vocab.FOOT_INSPECTION, findings, none="Inspected: nothing found")


def exam_rows(exam: dict[str, Any]) -> list[dict[str, Any]]:
    """The examination as a left/right table; single findings (Romberg, inspection) span both columns."""
    rows = [
        {
            "label": vocab.EXAM_LABELS[item],
            "left": exam_value(item, exam[item].get("left")),
            "right": exam_value(item, exam[item].get("right")),
            "both": None,
        }
        for item in vocab.SIDED_EXAM_ITEMS
        if item in exam
    ]
    rows += [{"label": vocab.EXAM_LABELS[i], "both": exam_value(i, exam[i])} for i in SINGLE_EXAM_ITEMS if i in exam]
    return rows


EXAM_SHORT = {
    "ankle_reflex": "Ankle reflex",
    "knee_reflex": "Knee reflex",
    "plantar_response": "Plantar",
    "monofilament": "Monofilament felt",
    "vibration": "Vibration",
    "pinprick": "Pinprick",
    "proprioception": "Proprioception",
    "power_ankle_dorsiflexion": "Dorsiflexion power",
    "power_ankle_plantarflexion": "Plantarflexion power",
    "pedal_pulses": "Pedal pulses",
    "abi": "ABI",
    "tinel_tarsal_tunnel": "Tinel, tarsal tunnel",
    "straight_leg_raise": "Straight-leg raise",
    "foot_posture": "Foot posture",
    "romberg": "Romberg",
    "foot_inspection": "Foot inspection",
}


def compact_value(item: str, value: Any) -> str:
    """A finding in as few words as a handover needs: '0', '2/4', 'Flexor'."""
    if value is None:
        return "–"
    if item == "monofilament":
        return f"{value.get('sites_felt', '?')}/{value.get('sites_tested', '?')}"
    if item in ("ankle_reflex", "knee_reflex", "power_ankle_dorsiflexion", "power_ankle_plantarflexion"):
        return str(value)
    if item == "foot_inspection":
        return foot_inspection_text(value)
    return exam_value(item, value).split(" (")[0]


def compact_exam_rows(exam: dict[str, Any]) -> list[list[dict[str, str]]]:
    """The examination two findings to a row (label, left, right), for the one-page emergency handover."""
    cells = [
        {
            "label": EXAM_SHORT[i],
            "left": compact_value(i, exam[i].get("left")),
            "right": compact_value(i, exam[i].get("right")),
        }
        for i in vocab.SIDED_EXAM_ITEMS
        if i in exam
    ] + [
        {"label": EXAM_SHORT[i], "left": compact_value(i, exam[i]), "right": ""} for i in SINGLE_EXAM_ITEMS if i in exam
    ]
    return [cells[n : n + 2] for n in range(0, len(cells), 2)]


def exam_missing(exam: dict[str, Any]) -> list[str]:
    """Examination items not recorded, so the reader knows they were not done rather than normal."""
    items = (*vocab.SIDED_EXAM_ITEMS, *SINGLE_EXAM_ITEMS)
    return [vocab.EXAM_LABELS[i] for i in items if i not in exam]


LAB_ORDER = {code: i for i, (code, _) in enumerate(vocab.LAB_TESTS)}


def lab_rows(labs: list[dict[str, Any]], *, extras: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """Investigations: the lab's value, unit and range, the same result in other units, the flag and the date."""
    order = sorted(
        range(len(labs)), key=lambda i: (LAB_ORDER.get(labs[i]["test"], 99), _neg_date(labs[i].get("collected_on")))
    )
    return [lab_row(labs[i]) | {"detail": (extras or {}).get(i, "")} for i in order]


def _neg_date(iso: str | None) -> int:
    return -date.fromisoformat(iso).toordinal() if iso else 0


def lab_row(row: dict[str, Any]) -> dict[str, Any]:
    """One result as the letter prints it."""
    test, value, unit = row["test"], row["value"], row.get("unit", "")
    reference = row.get("reference_range") or {}
    return {
        "test": label(vocab.LAB_TESTS, test),
        "loinc": rules.loinc_for(test, unit) or "",
        "value": label(vocab.SPEP_VALUES, value) if test == "spep" else _number(value),
        "unit": unit,
        "other_units": [f"{_comparator(value)}{_number(v)} {u}" for v, u in _converted(test, value, unit)],
        "reference": reference_text(reference),
        "flag": _flag(test, value, unit, reference),
        "collected_on": _date(date.fromisoformat(row["collected_on"])) if row.get("collected_on") else "Not recorded",
    }


def _comparator(value: Any) -> str:
    return value[0] if isinstance(value, str) and value[:1] in "<>" else ""


def _converted(test: str, value: Any, unit: str) -> list[tuple[float, str]]:
    try:
        number = float(value[1:]) if _comparator(value) else float(value)
    except (TypeError, ValueError):
        return []  # spep's text, or a value the engine rejected (an emergency letter still goes out)
    return rules.convert_for_display(test, number, unit)


def _flag(test: str, value: Any, unit: str, reference: dict[str, Any]) -> str:
    try:
        band = rules.band(test, value, unit, reference or None, **profiles())
    except ValueError:
        return "Not read: check value and unit"  # only an emergency letter is written from an invalid case
    word = BAND_WORDS.get(band, band.replace("_", " "))
    return word[:1].upper() + word[1:]


def reference_text(reference: dict[str, Any]) -> str:
    """The lab's own reference range; the app never substitutes a default range."""
    low, high = reference.get("low"), reference.get("high")
    if low is not None and high is not None:
        return f"{_number(low)}–{_number(high)}"
    if low is not None:
        return f"≥ {_number(low)}"
    if high is not None:
        return f"≤ {_number(high)}"
    return "Not given by lab"


def _number(value: Any) -> str:
    """A number as people write it: 8.1, 65, 0.95, 1180; a censored '<150' stays as written."""
    if isinstance(value, str):
        return value
    number = float(value)
    if number.is_integer():
        return str(int(number))
    digits = 0 if abs(number) >= 100 else 1 if abs(number) >= 10 else 2
    text = f"{number:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def key_findings(rec: dict[str, Any]) -> list[str]:
    """The engine's findings, less those the letter already shows (each result's flag, each cause's evidence)."""
    return [
        _one_date_format(f["text"])
        for f in rec.get("findings", [])
        if not f["code"].startswith(("lab_", "red_flag_"))
        and not f["code"].endswith("_status")
        and f["code"] not in ("inconclusive", "foot_risk")
    ]


def cause_rows(causes: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Suspected causes with the engine's certainty and the findings behind each."""
    return [
        {
            "cause": label(vocab.CAUSES, c["code"]),
            "certainty": label(vocab.CERTAINTY, c["certainty"]),
            "evidence": _one_date_format("; ".join(c.get("evidence", []))),
        }
        for c in causes
    ]


def primary_care_rows(rec: dict[str, Any]) -> list[dict[str, str]]:
    """What the engine advises doing in primary care (not a referral, a test to follow or the safety net)."""
    return [
        {
            "text": _one_date_format(s["text"]),
            "why": _one_date_format(s.get("why", "")),
            "urgency": label(vocab.URGENCY, s["urgency"]),
            "when": timeframe_words(s["urgency"], s.get("timeframe")),
        }
        for s in rec.get("next_steps", [])
        if s["code"] not in NOT_PRIMARY_CARE
    ]


def _other_referrals(rec: dict[str, Any], referral: dict[str, Any]) -> list[str]:
    return [
        f"{label(vocab.SERVICES, r['service'])} ({timeframe_words(r['urgency'], r.get('timeframe')).lower()})"
        for r in referral_options(rec)
        if r["service"] != referral["service"]
    ]


# --- The record: medicines, allergies, problems, social history ------------------------------------------------------


@dataclass(frozen=True)
class PatientRecord:
    """What the patient's record holds for the letter; a list is None when it was never recorded."""

    medications: list[str] | None = None
    medications_scope: str = ""
    allergies: list[str] | None = None  # [] means recorded as no known allergies
    problems: list[str] | None = None
    smoking: str | None = None
    occupation: str | None = None
    family_history: bool | None = None
    started: tuple[str, ...] = ()  # treatments recorded as started during this workup


def patient_record(source: LetterSource) -> PatientRecord:
    """The patient's record as the letter prints it; medicines fall back to those the workup history names."""
    from workup.services import record  # imports the models, which import the vocabulary this module uses

    patient = source.patient
    meds, allergies = record.medications_for(patient), record.allergies_for(patient)
    problems, social = record.problems_for(patient), record.social_history_for(patient)
    started_from = (
        timezone.localtime(source.letter.workup.created_at).date() if source.letter.workup.created_at else None
    )
    return PatientRecord(
        **(_history_medicines(source.case) if meds.not_asked else {"medications": [_medicine(m) for m in meds.items]}),
        allergies=None if allergies.not_asked else [a.text() for a in allergies.items],
        problems=None if problems.not_asked else [p.text() for p in problems.items],
        smoking=social.smoking if social.smoking_status else None,
        occupation=social.occupation or None,
        family_history=social.family_history_neuropathy,
        started=tuple(
            _medicine(m) for m in meds.items if started_from and m.started_on and m.started_on >= started_from
        ),
    )


def _medicine(item: Any) -> str:
    """One medicine: name, dose, frequency, and since when (the letter's date format)."""
    parts = [p for p in (item.name, item.dose, item.frequency) if p]
    return ", ".join(parts + ([f"since {_date(item.started_on)}"] if item.started_on else []))


def _history_medicines(case: dict[str, Any]) -> dict[str, Any]:
    """Without a medication record: the medicines the workup history names, said to be only those."""
    history = case.get("history", {})
    codes, risks = history.get("medications"), history.get("b12_risks") or []
    named = [*(codes or []), *(c for c in B12_RISK_MEDICINES if c in risks and c not in (codes or []))]
    return {
        "medications": None
        if codes is None and not named
        else [label(vocab.MEDICATIONS, c).split(" (")[0] for c in named],
        "medications_scope": "Medicines that can affect the nerves, from the workup history (no medication list)",
    }


B12_RISK_MEDICINES = ("metformin", "proton_pump_inhibitor")  # medicines the B12 risk factors also record
ANTICOAGULANTS = (
    "warfarin",
    "acenocoumarol",
    "phenindione",
    "apixaban",
    "rivaroxaban",
    "edoxaban",
    "dabigatran",
    "heparin",
    "enoxaparin",
    "dalteparin",
    "tinzaparin",
    "fondaparinux",
)
ANTIPLATELETS = ("aspirin", "clopidogrel", "prasugrel", "ticagrelor", "dipyridamole")
STATINS = ("statin",)


def medicines_of(record: PatientRecord, words: tuple[str, ...]) -> str:
    """The listed medicines of one kind, or that the list holds none, or that there is no list."""
    if record.medications is None:
        return "Not recorded"
    found = [m for m in record.medications if any(w in m.lower() for w in words)]
    if found:
        return "; ".join(found)
    return "Not on the medicines recorded" if record.medications_scope else "Not on the medication list"


def list_text(items: list[str] | None, *, empty: str) -> str:
    """A recorded list as text: 'Not recorded' when never recorded, ``empty`` when recorded as empty."""
    if items is None:
        return "Not recorded"
    return "; ".join(items) or empty


def _first_known(*answers: bool | None) -> bool | None:
    return next((a for a in answers if a is not None), None)


def social_rows(h: dict[str, Any], record: PatientRecord) -> list[tuple[str, str]]:
    """Family and social history: family history of neuropathy, alcohol, smoking, occupation."""
    alcohol = h.get("alcohol_units_per_week")
    return [
        (
            "Family history of neuropathy",
            _yes_no(_first_known(record.family_history, h.get("family_history_neuropathy"))),
        ),
        ("Alcohol", f"{_number(alcohol)} units a week" if alcohol is not None else "Not recorded"),
        ("Smoking", record.smoking or "Not recorded"),
        ("Occupation", record.occupation or "Not recorded"),
    ]


# --- Done, pending, and what the specialist is asked -----------------------------------------------------------------

# The engine's steps that ask for a test, as the specialist reads them under "requested, results to follow".
PENDING_TESTS = {
    "order_glucose_test": "HbA1c or fasting plasma glucose",
    "confirm_diabetes": "Repeat HbA1c or fasting glucose to confirm diabetes",
    "order_b12": "Serum vitamin B12",
    "order_active_b12": "Active B12 (holotranscobalamin)",
    "order_mma": "Methylmalonic acid (MMA)",
    "order_ogtt": "75 g oral glucose tolerance test (OGTT), 2-hour glucose",
    "order_spep": "Serum protein electrophoresis with immunofixation",
    "order_tsh": "Thyroid function: thyroid-stimulating hormone (TSH)",
    "check_thyroid_function": "Thyroid function: free thyroxine (free T4)",
    "order_copper": "Serum copper, caeruloplasmin and zinc",
    "order_b6": "Vitamin B6 (pyridoxal phosphate)",
    "order_abi": "Ankle-brachial index, both legs",
}
NOT_PRIMARY_CARE = REFERRAL_STEPS | frozenset(PENDING_TESTS) | {"safety_net"}


def pending_tests(rec: dict[str, Any]) -> list[str]:
    """Tests the recommendation asks for that have no result yet: requested, results to follow."""
    return [PENDING_TESTS[s["code"]] for s in rec.get("next_steps", []) if s["code"] in PENDING_TESTS]


def done_rows(case: dict[str, Any], record: PatientRecord) -> list[str]:
    """Only what the record shows was done: the examination recorded, tests resulted, treatment recorded as started."""
    rows = ["Examination of the feet and legs (findings above)"] if case.get("exam") else []
    resulted = [r for r in case.get("labs", []) if r.get("value") not in (None, "")]
    if resulted:
        rows.append("Blood tests resulted: " + "; ".join(_resulted(r) for r in resulted))
    rows += [f"Treatment started: {t}" for t in record.started]
    return rows


def _resulted(row: dict[str, Any]) -> str:
    when = _date(date.fromisoformat(row["collected_on"])) if row.get("collected_on") else "date not recorded"
    return f"{label(vocab.LAB_TESTS, row['test'])} ({when})"


def information_given(rec: dict[str, Any]) -> str:
    """The safety-net advice the recommendation asks the referrer to give (the letter says it was advised)."""
    step = next((s for s in rec.get("next_steps", []) if s["code"] == "safety_net"), None)
    if step is None:
        return ""
    return _sentence(step["text"].removeprefix("Safety-net advice for the patient: "))


def distribution(source: LetterSource, referral: dict[str, Any]) -> list[str]:
    """Who receives the letter: the addressee, the patient, the GP practice if it is not the sender, the record."""
    to = str(source.letter.addressee) if source.letter.addressee else label(vocab.SERVICES, referral["service"])
    gp = source.patient.gp_practice
    return [
        f"{to} (original)",
        "The patient (copy)",
        *([f"{gp}, registered GP practice (copy)"] if gp and gp != source.clinic.name else []),
        f"{source.clinic.name} record",
    ]


def addressee(letter: Letter, referral: dict[str, Any]) -> dict[str, Any]:
    """The receiving service from the clinic's directory, or the service's name when none is chosen."""
    chosen = letter.addressee
    if chosen is None:
        return {"name": label(vocab.SERVICES, referral["service"]), "lines": [], "ers": "", "phone": ""}
    return {
        "name": chosen.department or label(vocab.SERVICES, chosen.service),
        "lines": [chosen.organisation, *_lines(chosen.address)],
        "ers": chosen.ers_service_name,
        "phone": chosen.phone,
    }


def _sided(exam: dict[str, Any], item: str) -> str:
    """A left/right finding in one line: 'Left 1.05, right 0.95'."""
    if item not in exam:
        return "Not recorded"
    left, right = (_mid(exam_value(item, exam[item].get(side))) for side in ("left", "right"))
    return f"Left {left}, right {right}"


def _symptom(p: dict[str, Any], code: str) -> str:
    if p.get("symptoms") is None:
        return "Not recorded"
    return "Reported" if code in p["symptoms"] else "Not reported"


def _flag_answer(p: dict[str, Any], code: str) -> str:
    flags = p.get("red_flags")
    if flags is None:
        return "Not asked"
    return "PRESENT" if code in flags else "Asked: absent"


def _finding(rec: dict[str, Any], code: str, prefix: str = "") -> str:
    text = next((f["text"] for f in rec.get("findings", []) if f["code"] == code), "")
    return _sentence(_one_date_format(text.removeprefix(prefix))) if text else "Not assessed"


def _time_course(p: dict[str, Any]) -> str:
    onset = label(vocab.ONSET, p["onset"]) if p.get("onset") else "Onset not recorded"
    course = label(vocab.COURSE, p["course"]).lower() if p.get("course") else "course not recorded"
    return f"{onset} onset, {duration_text(p.get('duration_weeks'))}, {course}"


def _labs_text(case: dict[str, Any], tests: tuple[str, ...]) -> str:
    rows = [lab_row(r) for r in case.get("labs", []) if r["test"] in tests]
    return "; ".join(
        f"{r['test']} {r['value']} {r['unit']}".strip() + ("" if r["flag"] == r["value"] else f", {_mid(r['flag'])}")
        for r in rows
    )


def _mid(text: str) -> str:
    """Words mid-sentence: 'Reduced (CKD G3)' -> 'reduced (CKD G3)'."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def specialist_request(
    source: LetterSource, referral: dict[str, Any], record: PatientRecord, pending: list[str]
) -> dict[str, Any]:
    """What this service is asked to do, and the facts it triages on (clinical-reference section 5)."""
    service, rec, case = referral["service"], source.recommendation, source.case
    p, exam = case.get("presentation", {}), case.get("exam", {})
    asks = [label(vocab.REQUESTS, r) for r in referral.get("requests", []) if r != "assessment"]
    asks += SERVICE_ASKS.get(service, [])
    facts: list[tuple[str, str]] = []
    if service == "neurology":
        ncs = {"ncs", "emg"} <= set(referral.get("requests", []))
        facts = [
            ("Pattern", label(vocab.PATTERN, rec["pattern"]) if rec.get("pattern") else "Not assessed"),
            ("Time course", _time_course(p)),
            ("Nerve conduction studies and electromyography", "Requested" if ncs else "Not requested: please advise"),
            ("Blood tests done", _labs_text(case, LAB_CODES) or "None resulted"),
            ("Blood tests to follow", "; ".join(pending) or "Nothing outstanding"),
        ]
    elif service == "vascular":
        facts = [
            ("Ankle-brachial index", _sided(exam, "abi")),
            ("Pedal pulses", _sided(exam, "pedal_pulses")),
            ("Claudication", _symptom(p, "claudication")),
            ("Smoking", record.smoking or "Not recorded"),
            ("Statin", medicines_of(record, STATINS)),
            ("Antiplatelet", medicines_of(record, ANTIPLATELETS)),
        ]
    elif service == "haematology":
        facts = haematology_facts(source)
    elif service in ("diabetic_foot_service", "foot_protection_service"):
        facts = [
            (
                "Foot inspection",
                exam_value("foot_inspection", exam["foot_inspection"]) if "foot_inspection" in exam else "Not recorded",
            ),
            ("Pedal pulses", _sided(exam, "pedal_pulses")),
            ("Ankle-brachial index", _sided(exam, "abi")),
            ("Monofilament", _sided(exam, "monofilament")),
            ("Foot risk class", _finding(rec, "foot_risk", "Diabetic foot risk: ")),
            ("Foot history", _values(vocab.FOOT_HISTORY, case.get("history", {}).get("foot_history"))),
        ]
    elif service == "spinal":
        facts = [
            ("Weakness: onset and progression", _time_course(p)),
            ("Power, ankle dorsiflexion", _sided(exam, "power_ankle_dorsiflexion")),
            ("Power, ankle plantarflexion", _sided(exam, "power_ankle_plantarflexion")),
            ("Bladder or bowel dysfunction", _flag_answer(p, "bladder_or_bowel_dysfunction")),
            ("Saddle numbness", _flag_answer(p, "saddle_numbness")),
            ("Straight-leg raise", _sided(exam, "straight_leg_raise")),
        ]
    elif service in ("podiatry", "physiotherapy"):
        items = ("foot_posture", "tinel_tarsal_tunnel") if service == "podiatry" else ("straight_leg_raise",)
        facts = [(vocab.EXAM_LABELS[i], _sided(exam, i)) for i in items]
        facts.append(
            ("Back pain", _symptom(p, "back_pain"))
            if service == "physiotherapy"
            else ("Areas numb", _values(vocab.AREAS, p.get("areas")))
        )
    elif service in ("stroke_service", "ms_team"):
        facts = [
            (
                "Known brain or spinal cord condition",
                _values(vocab.CNS_HISTORY, case.get("history", {}).get("cns_history")),
            ),
            ("Time course", _time_course(p)),
            ("Face, arm or speech symptoms", _flag_answer(p, "face_arm_speech_symptoms")),
            ("Plantar response", _sided(exam, "plantar_response")),
        ]
    elif service == "antenatal_diabetes_team":
        facts = [
            ("Pregnant", _yes_no(case.get("patient", {}).get("pregnant"))),
            ("Glucose tests", _labs_text(case, GLUCOSE_TESTS) or "None resulted"),
        ]
    elif service == "paediatrics":
        facts = [("Age", f"{source.patient.age_on(source.on)} years"), ("Time course", _time_course(p))]
    return {
        "asks": asks or ["Assessment and advice"],
        "facts": facts,
        "when": timeframe_words(referral["urgency"], referral.get("timeframe")),
    }


LAB_CODES = tuple(code for code, _ in vocab.LAB_TESTS)
GLUCOSE_TESTS = ("fasting_glucose", "random_glucose", "ogtt_2h", "hba1c")
SERVICE_ASKS: dict[str, list[str]] = {
    "vascular": ["Assessment for peripheral arterial disease and advice on secondary prevention and revascularisation"],
    "haematology": ["Assessment of the paraprotein (or blood finding) and whether it explains the neuropathy"],
    "diabetic_foot_service": ["Assessment and treatment of the active foot problem", "To be seen within 1 working day"],
    "foot_protection_service": ["Foot protection: assessment, education, footwear and regular review"],
    "spinal": ["Assessment for nerve-root or cauda equina compression, and advice on imaging"],
    "podiatry": ["Biomechanical assessment", "Footwear advice and orthoses (conservative care first)"],
    "physiotherapy": ["Assessment and treatment: back care and an exercise programme for nerve-root pain"],
    "stroke_service": [
        "Assessment by a stroke specialist (TIA clinic) for a possible past transient ischaemic attack "
        "(TIA) or minor stroke"
    ],
    "ms_team": ["Assessment of a possible multiple sclerosis relapse, and treatment if needed"],
    "paediatrics": ["Assessment by a paediatrician: the adult pathway does not apply"],
    "antenatal_diabetes_team": ["Assessment and management of possible gestational diabetes"],
}


def haematology_facts(source: LetterSource) -> list[tuple[str, str]]:
    """Electrophoresis as recorded: paraprotein type and concentration, immunofixation, free light chains."""
    rows: list[tuple[str, str]] = []
    for lab in source.letter.workup.labs.all():
        if lab.test != "spep":
            continue
        when = _date(lab.collected_on) if lab.collected_on else "date not recorded"
        rows += [
            (f"Electrophoresis ({when})", paraprotein_text(lab) or label(vocab.SPEP_VALUES, lab.text_value)),
            ("Immunofixation", lab.immunofixation or "Not recorded"),
            ("Free light chains", light_chains_text(lab) or "Not recorded"),
        ]
    for test in ("egfr", "calcium_adjusted"):
        text = _labs_text(source.case, (test,))
        if text:
            rows.append((label(vocab.LAB_TESTS, test), text.removeprefix(label(vocab.LAB_TESTS, test)).strip()))
    return rows or [("Electrophoresis", "Not recorded")]


def paraprotein_text(lab: LabResult) -> str:
    """'Paraprotein detected: IgG kappa, 12 g/L' (what was recorded of it)."""
    if lab.text_value != "paraprotein":
        return ""
    parts = [
        p
        for p in (
            lab.paraprotein_type,
            f"{_number(lab.paraprotein_g_l)} g/L" if lab.paraprotein_g_l is not None else "",
        )
        if p
    ]
    return "Paraprotein detected" + (f": {', '.join(parts)}" if parts else ", type and concentration not recorded")


def light_chains_text(lab: LabResult) -> str:
    """'kappa 45 mg/L, lambda 12 mg/L (ratio 3.75)' when recorded."""
    kappa, lam = lab.kappa_flc_mg_l, lab.lambda_flc_mg_l
    parts = [f"{name} {_number(v)} mg/L" for name, v in (("kappa", kappa), ("lambda", lam)) if v is not None]
    if kappa is not None and lam:
        parts[-1] += f" (kappa/lambda ratio {float(kappa) / float(lam):.2f})"
    return ", ".join(parts)


def paraprotein_details(source: LetterSource) -> dict[int, str]:
    """The recorded electrophoresis detail of each result, by its position in the case's lab list."""
    labs = list(source.letter.workup.labs.all()) if source.letter.workup_id else []
    if len(labs) != len(source.case.get("labs", [])):
        return {}
    details = {}
    for i, lab in enumerate(labs):
        text = "; ".join(
            t
            for t in (
                paraprotein_text(lab).removeprefix("Paraprotein detected: "),
                f"immunofixation: {lab.immunofixation}" if lab.immunofixation else "",
                f"free light chains: {light_chains_text(lab)}" if light_chains_text(lab) else "",
            )
            if t and not t.startswith("Paraprotein detected")
        )
        if text:
            details[i] = text
    return details


# --- The emergency handover ------------------------------------------------------------------------------------------


def emergency_facts(source: LetterSource, record: PatientRecord) -> dict[str, Any]:
    """What the receiving team needs first: alerts, onset, observations, what to rule out, what was done."""
    workup, case = source.letter.workup, source.case
    return {
        "anticoagulants": medicines_of(record, ANTICOAGULANTS),
        "antiplatelets": medicines_of(record, ANTIPLATELETS),
        "onset": onset_text(workup, case.get("presentation", {})),
        "observations": observation_rows(workup),
        "observations_at": _datetime(workup.observations_at),
        "rule_out": rule_out(source.recommendation),
        "done": done_before_transfer(case, workup, record),
    }


def _datetime(when: datetime | None) -> str:
    if when is None:
        return ""
    local = timezone.localtime(when)
    return f"{_date(local)} at {local:%H:%M}"


def onset_text(workup: Workup, p: dict[str, Any]) -> str:
    """When it started: the recorded date and time, else what the presentation says."""
    kind = label(vocab.ONSET, p["onset"]) if p.get("onset") else ""
    if workup.symptom_onset_at:
        return f"{_datetime(workup.symptom_onset_at)}" + (f" ({kind.lower()} onset)" if kind else "")
    duration = duration_text(p.get("duration_weeks"))
    known = f"{kind} onset, {duration} ago" if kind and p.get("duration_weeks") is not None else ""
    return "Date and time not recorded" + (f"; {known}" if known else "")


OBSERVATIONS = (
    ("pulse_bpm", "Pulse", "{}/min"),
    ("systolic_bp", "Blood pressure", "{} mmHg"),
    ("temperature_c", "Temperature", "{} °C"),
    ("oxygen_saturation", "Oxygen saturation", "{}%"),
    ("respiratory_rate", "Respiratory rate", "{}/min"),
    ("capillary_glucose", "Capillary glucose", "{} mmol/L"),
)


def observation_rows(workup: Workup) -> list[tuple[str, str]]:
    """The observations recorded, as the receiving team reads them (blood pressure as systolic/diastolic)."""
    rows = []
    for field, heading, unit in OBSERVATIONS:
        value = getattr(workup, field)
        if value is None:
            continue
        shown = _number(value)
        if field == "systolic_bp":
            shown = f"{shown}/{_number(workup.diastolic_bp) if workup.diastolic_bp is not None else '?'}"
        rows.append((heading, unit.format(shown)))
    return rows


def rule_out(rec: dict[str, Any]) -> list[str]:
    """What the receiving team must rule out: the engine's words for each suspected emergency cause."""
    step = next((s for s in rec.get("next_steps", []) if s["code"] == "emergency_care"), None)
    if step is None or "Rule out: " not in step["text"]:
        return []
    return [_sentence(item) for item in step["text"].split("Rule out: ", 1)[1].split("; ")]


def done_before_transfer(case: dict[str, Any], workup: Workup, record: PatientRecord) -> list[str]:
    """What was done before transfer, from the record only (the results themselves are printed above)."""
    observed = workup.observations_at or observation_rows(workup)
    resulted = [r for r in case.get("labs", []) if r.get("value") not in (None, "")]
    return [
        *(
            ["Observations" + (f" at {_datetime(workup.observations_at)}" if workup.observations_at else "")]
            if observed
            else []
        ),
        *(["Examination (findings above)"] if case.get("exam") else []),
        *([f"Blood tests: {len(resulted)} resulted (above)"] if resulted else []),
        *(f"Treatment started: {t}" for t in record.started),
    ]


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _one_date_format(text: str) -> str:
    """Engine text with its ISO dates written as the letter writes dates: 2026-10-28 -> 28 Oct 2026."""
    return ISO_DATE.sub(lambda m: _date(date(int(m[1]), int(m[2]), int(m[3]))), text)


# --- HTML and PDF ----------------------------------------------------------------------------------------------------


def template_for(letter: Letter) -> str:
    return "letters/emergency.html" if letter.kind == "emergency" else "letters/letter.html"


def render_html(context: dict[str, Any]) -> str:
    """The whole letter as an HTML document for WeasyPrint."""
    html = render_to_string("letters/document.html", {**context, "body_template": template_for(context["letter"])})
    # Template indentation means nothing in HTML but costs the parser time on every letter.
    return INDENT.sub("\n", html)


def render_pdf(
    html: str,
    *,
    url_fetcher: Any = None,
    attachments: dict[str, str] | None = None,
    timestamp: datetime | None = None,
) -> RenderedPdf:
    """HTML -> PDF/A-3b with the cached stylesheet, fonts embedded; raise RenderError if WeasyPrint fails.

    Every date in the file is ``timestamp`` (the letter's own time), so the same letter renders to the same bytes.
    """
    renderer = _renderer(settings.LETTER_PAPER)
    when = (timestamp or FIXED_EPOCH).astimezone(UTC).replace(tzinfo=None)
    try:
        document = renderer.html(html, url_fetcher=url_fetcher).render(
            stylesheets=renderer.stylesheets, font_config=renderer.font_config, cache=renderer.images, **PDF_OPTIONS
        )
        document.metadata.created = document.metadata.modified = f"{when:%Y-%m-%dT%H:%M:%S}Z"
        pdf = document.write_pdf(attachments=renderer.attachments(attachments or {}, when=when), **PDF_OPTIONS)
    except Exception as exc:
        raise RenderError(f"The PDF could not be produced ({type(exc).__name__}: {exc}).") from exc
    return RenderedPdf(pdf=pdf, pages=len(document.pages))


def render_letter(source: LetterSource) -> RenderedPdf:
    """The letter from its source, as a PDF that carries the recommendation it presents as an attachment.

    An emergency handover is one page, always: a record too full for it is set again in the tight style.
    """
    context = build_context(source)
    attachments = {"workup-recommendation.json": rules.dumps(cast(rules.Recommendation, source.recommendation))}
    timestamp = letter_timestamp(source)
    rendered = render_pdf(render_html(context), attachments=attachments, timestamp=timestamp)
    if rendered.pages > 1 and source.letter.kind == "emergency":
        context["tight"] = True
        rendered = render_pdf(render_html(context), attachments=attachments, timestamp=timestamp)
    return rendered


FIXED_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def letter_timestamp(source: LetterSource) -> datetime:
    """The letter's own time: signed, else last saved, else the start of the letter's date (never the clock)."""
    letter = source.letter
    return letter.signed_at or letter.updated_at or datetime.combine(source.on, time(0), UTC)


class _Renderer:
    """WeasyPrint objects built once per process and paper size: fonts, stylesheets, the URL fetcher."""

    def __init__(self, paper: str) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.fetcher = static_only_fetcher()
        self.font_config = FontConfiguration()
        self.images: dict[str, Any] = {}  # the draft watermark, parsed once
        self.stylesheets = [
            weasyprint.CSS(filename=str(LETTER_CSS), url_fetcher=self.fetcher, font_config=self.font_config),
            weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}", font_config=self.font_config),
        ]
        self._html = weasyprint.HTML
        self._attachment = weasyprint.Attachment

    def attachments(self, files: dict[str, str], *, when: datetime) -> list[Any]:
        # PDF/A-3 allows embedded files: the machine-readable data the letter was built from.
        return [
            self._attachment(
                string=text,
                name=name,
                relationship="Data",
                url_fetcher=self.fetcher,
                description="The decision-support recommendation this letter presents",
                created=when,
                modified=when,
            )
            for name, text in files.items()
        ]

    def html(self, html: str, *, url_fetcher: Any = None) -> Any:
        return self._html(string=html, base_url=LETTERS_STATIC.as_uri() + "/", url_fetcher=url_fetcher or self.fetcher)


@functools.cache
def _renderer(paper: str) -> _Renderer:
    return _Renderer(paper)


def static_path(url: str) -> Path | None:
    """The file a URL names if it is one of the letter's own static files, else None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(LETTERS_STATIC) or not path.is_file():
        return None
    return path


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve the letter's own static files from disk; refuse everything else (no network, no other files)."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = static_path(url)
            if path is None:
                raise ValueError(f"refused to fetch {url[:80]!r}: a letter only uses its own static files")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher


def static_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher limited to the letter's static files."""
    return _fetcher_class()()
