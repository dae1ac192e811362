"""What a letter says under ruleset 2026.12: timeframes in words, the new services, history and findings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from tests.factories import SHARED, variant
from workup import letters, rules
from workup.models import Letter, Workup
from workup.rules import vocab
from workup.services import letters as services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("urgency", "timeframe", "words"),
    [
        ("urgent", "within_2_weeks", "Urgent, within 2 weeks"),
        ("urgent", "within_1_working_day", "Urgent, within 1 working day"),
        ("urgent", "same_day", "Urgent, today"),
        ("emergency", "now", "Emergency, now"),
        ("routine", "routine", "Routine"),
        ("routine", "within_6_to_8_weeks", "Routine, within 6 to 8 weeks"),
        ("routine", None, "Routine"),
    ],
)
def test_timeframe_in_words(urgency: str, timeframe: str | None, words: str) -> None:
    assert letters.timeframe_words(urgency, timeframe) == words


def test_every_service_has_the_step_the_contract_names() -> None:
    schema = json.loads((SHARED / "contract" / "recommendation.schema.json").read_text())
    step_codes = set(schema["properties"]["next_steps"]["items"]["properties"]["code"]["enum"])
    assert set(letters.STEP_FOR_SERVICE) == vocab.codes(vocab.SERVICES)
    assert set(letters.STEP_FOR_SERVICE.values()) <= step_codes
    assert letters.STEP_FOR_SERVICE["ms_team"] == "contact_ms_team"
    assert letters.STEP_FOR_SERVICE["antenatal_diabetes_team"] == "refer_antenatal_diabetes"


def test_referral_steps_are_not_listed_as_primary_care() -> None:
    rec = {
        "next_steps": [
            {"code": "contact_ms_team", "urgency": "urgent", "timeframe": "within_1_working_day", "text": "MS"},
            {"code": "treat_b12_deficiency", "urgency": "urgent", "timeframe": "same_day", "text": "B12", "why": "x"},
        ]
    }
    assert [(r["text"], r["when"]) for r in letters.primary_care_rows(rec)] == [("B12", "Urgent, today")]


def test_history_rows_carry_the_2026_12_history() -> None:
    rows = dict(
        letters.history_rows(
            {
                "chemotherapy": ["taxane"],
                "chemotherapy_ended_months_ago": 3,
                "medications": ["isoniazid"],
                "family_history_neuropathy": False,
                "foot_history": ["previous_amputation"],
            },
            patient={"age_years": 30, "sex": "female", "pregnant": True},
        )
    )
    assert rows["Pregnant"] == "Yes"
    assert rows["Chemotherapy"] == "Taxane (paclitaxel, docetaxel); last dose 3 months ago"
    assert rows["Foot history"] == "Previous amputation"
    assert "Pregnant" not in dict(letters.history_rows({}, patient={"sex": "female"}))
    assert dict(letters.history_rows({}))["Foot history"] == "Not recorded"
    assert (
        "ongoing"
        in dict(letters.history_rows({"chemotherapy": ["other"], "chemotherapy_ended_months_ago": 0}))["Chemotherapy"]
    )


def test_notes_are_printed_with_whether_they_were_checked() -> None:
    rows = dict(letters.presentation_rows({"notes": "No saddle numbness.", "notes_checked": True}))
    assert rows["Notes (checked for red flags)"] == "No saddle numbness."
    assert "Notes (not yet checked for red flags)" in dict(letters.presentation_rows({"notes": "x"}))
    assert not [h for h, _ in letters.presentation_rows({}) if h.startswith("Notes")]


@pytest.mark.parametrize(
    ("findings", "text"),
    [([], "Inspected: nothing found"), (["callus", "ulcer"], "Callus, Ulcer"), ("normal", "Inspected: nothing found")],
)
def test_foot_inspection_is_printed_as_its_findings(findings: Any, text: str) -> None:
    assert letters.exam_value("foot_inspection", findings) == text
    assert letters.compact_value("foot_inspection", findings) == text


def test_referral_letter_gives_the_timeframe_in_words(workup: Workup, clinician: Any) -> None:
    draft = services.create_draft(user=clinician, workup=workup, service="neurology")
    context = letters.build_context(services.draft_source(draft))
    referral = letters.find_referral(services.draft_source(draft).recommendation, "neurology")
    assert referral is not None
    assert context["urgency_when"] == letters.timeframe_words(referral["urgency"], referral["timeframe"])
    assert context["urgency_when"].lower() in letters.render_html(context).lower()


def test_emergency_handover_for_a_cauda_equina_picture_never_says_stroke(workup: Workup, clinician: Any) -> None:
    def bilateral_sciatica_with_weakness(case: dict[str, Any]) -> None:
        case["presentation"] |= {"duration_weeks": 1, "symptoms": ["back_pain", "radiating_leg_pain"]}
        case["exam"]["power_ankle_dorsiflexion"] = {"left": 3, "right": 4}

    picture = variant(workup, bilateral_sciatica_with_weakness)
    draft = services.create_draft(user=clinician, workup=picture, service="emergency_department")
    html = re.sub(r"\s+", " ", letters.render_html(letters.build_context(services.draft_source(draft))))
    assert draft.kind == "emergency"
    assert "Suspected</strong>" in html and "Cauda equina syndrome (possible)" in html
    assert "stroke" not in html.lower()
    assert draft.question == "Suspected cauda equina syndrome: please assess now."


def test_issued_letter_says_which_ruleset_it_was_signed_under(workup: Workup, clinician: Any, login: Any) -> None:
    issued = services.issue(
        user=clinician, letter=services.create_draft(user=clinician, workup=workup, service="neurology")
    )
    Letter.objects.filter(pk=issued.pk).update(ruleset="2026.11")
    page = re.sub(r"\s+", " ", login(clinician).get(reverse("letter_detail", args=[issued.pk])).content.decode())
    assert "Signed under decision-support ruleset <strong>2026.11</strong>" in page
    assert f"now read under ruleset {rules.RULESET}" in page
