"""The patient's own copy: the advice table, plain words, and each demo workup's handout as the patient reads it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import textstat
from django.core.management import call_command
from pypdf import PdfReader

from workup import handouts
from workup.handouts import ADVICE, CAUSE_WORDS, PATTERN_WORDS, RED_FLAG_WORDS, Advice
from workup.models import Workup
from workup.rules import sources, vocab
from workup.rules.text import fill
from workup.rules.thresholds import LIMITS, RULESET, Threshold

FIXTURE_DAY = date(2026, 11, 21)
TARSAL_TUNNEL = "309cb325-8a00-5f62-8bb6-fe01586cf383"  # Priya Shah: focal, Tinel positive
RADICULAR = "9c9cae15-eeaf-5cd9-b21d-fd1917b06ea1"  # Gareth Evans: sciatica without weakness
EMERGENCY = "506bf4ea-faaf-51c1-8da5-c0c102b1beb6"  # Derek Holloway: saddle numbness, bladder
DIABETIC = "ccfb5c89-4e36-50f2-854d-f29e72bdc0ba"  # Margaret Okafor: diabetic neuropathy, burning
DEMO_WORKUPS = (
    "ccfb5c89-4e36-50f2-854d-f29e72bdc0ba",
    "506bf4ea-faaf-51c1-8da5-c0c102b1beb6",
    "99fec275-d8a4-52ad-b554-6f6809e1fa30",
    "91f09370-7c36-589c-a386-dc5e111a68af",
    "0d051cc0-41e0-5541-949a-b7264afc088b",
    "7f003a04-3af8-598f-bd70-c84d7fb8c480",
    "309cb325-8a00-5f62-8bb6-fe01586cf383",
    "9c9cae15-eeaf-5cd9-b21d-fd1917b06ea1",
    "4156d5f3-6eca-5c66-bf7e-eb3f09237532",
    "2575e656-9301-58aa-afe4-7bed8fbe8f13",
    "ca8e661b-fc93-533c-a902-752eaad430c7",
    "88f11b9a-898f-5b96-8297-4279c2c780a1",
)
FOOT_POSTURE_TITLES = {a.title for a in ADVICE["foot_posture_exercises"]} - {handouts.GLIDE.title}
BACK_POSTURE_TITLES = {a.title for a in ADVICE["back_posture_exercises"]} - {handouts.GLIDE.title}
RULE_ID = re.compile(r"\b[EUSCQNFRDPGBA]\d+\b")
VITAMINS = {"B12", "B6"}  # vitamin names, not rule ids
SNAKE_CASE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
TYPED_NUMBER = re.compile(r"(?<![\w.{])\d")  # a digit not inside a word (B12) or a {placeholder}
READING_EASE_MIN = 60


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def font_sizes(pdf: bytes) -> set[float]:
    sizes: set[float] = set()

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            sizes.add(round(size * tm[3] * cm[3], 1))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def demo(db: Any) -> None:
    call_command("loaddata", "demo", verbosity=0)


def handout_for(workup_id: str, *, large_print: bool = False) -> handouts.Handout:
    workup = Workup.objects.select_related("patient__clinic").get(pk=workup_id)
    handout = handouts.for_workup(workup, large_print=large_print, today=FIXTURE_DAY)
    assert handout is not None, "every demo workup is a valid case"
    return handout


def rendered(workup_id: str, *, large_print: bool = False) -> tuple[handouts.Handout, bytes, list[str]]:
    handout = handout_for(workup_id, large_print=large_print)
    pdf = handouts.render_pdf(handout).pdf
    return handout, pdf, pages_text(pdf)


# --- The advice table ------------------------------------------------------------------------------------------------


def test_every_patient_relevant_step_code_has_an_entry() -> None:
    assert handouts.patient_steps() - set(ADVICE) == set()
    assert set(ADVICE) <= handouts.patient_steps()


def test_every_entry_names_the_documents_it_follows() -> None:
    known = {value for name, value in vars(sources).items() if name.isupper() and isinstance(value, str)}
    for advice in handouts.all_entries():
        assert advice.source, advice.key
        rest = advice.source
        for document in sorted(known, key=len, reverse=True):
            rest = rest.replace(document, "")
        assert not rest.replace(";", "").strip(), (advice.key, rest)


def test_every_exercise_has_its_steps_dose_stop_rule_and_own_drawing() -> None:
    for advice in (*ADVICE["foot_posture_exercises"], *ADVICE["back_posture_exercises"]):
        assert advice.steps and advice.dose and advice.drawing, advice.key
        assert handouts.STOP_IF_WORSE in advice.cautions, advice.key


@pytest.mark.parametrize("name", sorted(p.name for p in handouts.HANDOUTS_STATIC.glob("*.svg")))
def test_drawings_are_line_drawings_that_fetch_nothing(name: str) -> None:
    text = (handouts.HANDOUTS_STATIC / name).read_text()
    ET.fromstring(text)  # noqa: S314 - well-formed; our own file in the repository
    assert "href" not in text and "http://www.w3.org/2000/svg" in text and "<image" not in text
    assert "url(" not in text and "<text" not in text


def test_every_drawing_named_in_the_table_exists() -> None:
    for advice in handouts.all_entries():
        if advice.drawing:
            assert (handouts.HANDOUTS_STATIC / advice.drawing).is_file(), advice.drawing


def test_no_number_is_typed_into_the_advice() -> None:
    """Holds, repetitions and intervals come from the threshold table, so they match the clinician's text."""
    pool = [a for group in ADVICE.values() for a in group] + list(handouts.REQUEST_ADVICE.values())
    for advice in pool:
        for text in (advice.title, *advice.steps, advice.dose, *advice.cautions):
            assert not TYPED_NUMBER.search(text), (advice.key, text)
    for template in handouts.FOOT_INTERVALS.values():
        assert not TYPED_NUMBER.search(template)


def test_doses_follow_the_threshold_table(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    by_key = {a.key: a for a in handouts.all_entries()}
    assert "Hold for 1 to 2 minutes" in by_key["calf_stretch"].dose
    assert "Do this 10 to 15 times" in by_key["nerve_glide"].dose
    monkeypatch.setitem(LIMITS, "calf_stretch_to", Threshold(3, "minutes", "a changed ruleset"))
    fill.cache_clear()  # texts are filled once per template; a changed table (a new ruleset) fills them afresh
    request.addfinalizer(fill.cache_clear)
    assert "Hold for 1 to 3 minutes" in {a.key: a for a in handouts.all_entries()}["calf_stretch"].dose


def test_foot_review_interval_is_the_engines() -> None:
    for risk, words in (("low", "once a year"), ("moderate", "every 3 to 6 months"), ("high", "every 1 to 2 months")):
        step = {"code": "foot_review", "text": handouts.engine_text.foot_review_text(risk), "urgency": "routine"}
        (advice,) = handouts.entries_for(step, {})
        assert words in advice.steps[0], risk


def test_every_red_flag_cause_and_pattern_has_patient_words() -> None:
    assert set(RED_FLAG_WORDS) == vocab.codes(vocab.RED_FLAGS)
    assert set(CAUSE_WORDS) == vocab.codes(vocab.CAUSES)
    assert set(PATTERN_WORDS) == vocab.codes(vocab.PATTERN)


@pytest.mark.parametrize("advice", handouts.all_entries(), ids=lambda a: a.key)
def test_each_entry_reads_easily(advice: Advice) -> None:
    """Flesch reading ease of 60 or more: plain English, about a reading age of 11."""
    assert textstat.flesch_reading_ease(advice.plain_text()) >= READING_EASE_MIN


def test_what_we_found_and_when_to_get_help_read_easily() -> None:
    found = " ".join([*PATTERN_WORDS.values(), *(f"It may be {w}. {why}" for w, why in CAUSE_WORDS.values())])
    help_text = " ".join([*RED_FLAG_WORDS.values(), *handouts.SEE_GP_WORDS])
    assert textstat.flesch_reading_ease(found) >= READING_EASE_MIN
    assert textstat.flesch_reading_ease(help_text) >= READING_EASE_MIN


def test_css_string_cannot_break_out_of_the_style_element() -> None:
    assert (
        handouts.css_string('Ann "O\'Neil" </style><script>') == '"Ann \\"O\'Neil\\" \\3c /style\\3e \\3c script\\3e "'
    )
    assert "\n" not in handouts.css_string("two\nlines")


# --- Each demo workup's handout --------------------------------------------------------------------------------------


@pytest.mark.parametrize("workup_id", DEMO_WORKUPS)
def test_each_demo_handout_renders_for_the_patient_alone(demo: None, workup_id: str) -> None:
    handout, pdf, pages = rendered(workup_id)
    assert pdf.startswith(b"%PDF") and pages
    for page in pages:  # name and date of birth on every page
        assert handout.patient_name in page and f"born {handout.date_of_birth}" in page
    text = flat("\n".join(pages))
    assert handout.clinic_name in text and "Given on" in text
    assert "999" in text  # the safety net is always there
    assert not {m for m in RULE_ID.findall(text)} - VITAMINS, "no rule ids"
    assert RULESET not in text and "ruleset" not in text.lower()
    assert not SNAKE_CASE.findall(text), "no internal codes"


@pytest.mark.parametrize("workup_id", sorted(set(DEMO_WORKUPS) - {EMERGENCY}))
def test_each_demo_handout_has_exactly_the_advice_that_applies(demo: None, workup_id: str) -> None:
    handout, _, pages = rendered(workup_id)
    text = flat("\n".join(pages))
    given = set(handout.titles())
    for advice in handouts.all_entries():
        assert (flat(advice.title) in text) == (advice.title in given), advice.title
    assert "When to get help" in text and handout.clinic_phone in text


def test_tarsal_tunnel_handout_has_the_foot_exercises_and_no_back_exercises(demo: None) -> None:
    _, _, pages = rendered(TARSAL_TUNNEL)
    text = flat("\n".join(pages))
    assert all(title in text for title in FOOT_POSTURE_TITLES)
    assert not any(title in text for title in BACK_POSTURE_TITLES)
    assert "Hold for 1 to 2 minutes" in text and "10 to 15 times" in text
    assert "Stop if the numbness or pain gets worse" in text
    assert "A foot specialist (podiatrist)" in text


def test_radicular_handout_has_the_back_exercises_and_no_foot_exercises(demo: None) -> None:
    _, _, pages = rendered(RADICULAR)
    text = flat("\n".join(pages))
    assert all(title in text for title in BACK_POSTURE_TITLES)
    assert not any(title in text for title in FOOT_POSTURE_TITLES)
    assert "Nerve glide" in text and "A physiotherapist" in text


def test_emergency_handout_says_only_go_now(demo: None) -> None:
    handout, _, pages = rendered(EMERGENCY)
    text = flat("\n".join(pages))
    assert handout.titles() == [handouts.GO_NOW.title]
    assert len(pages) == 1
    assert "Call 999 now" in text and "Do not drive yourself" in text
    for absent in ("What happens next", "What you can do at home", "What we found", "Nerve glide", "GP"):
        assert absent not in text
    assert "numb between your legs" in text  # the red flags recorded, in the patient's words


def test_diabetic_handout_gives_foot_care_diet_and_exercise(demo: None) -> None:
    _, _, pages = rendered(DIABETIC)
    text = flat("\n".join(pages))
    for title in (
        "Look after your feet every day",
        "Eat well for your nerves",
        "Keep active",
        "The foot protection team",
    ):
        assert title in text
    assert "every 3 to 6 months" in text
    assert "Your tests show diabetes." in text


def test_text_is_12_pt_or_more_and_16_pt_in_large_print(demo: None) -> None:
    _, standard, _ = rendered(DIABETIC)
    _, large, large_pages = rendered(DIABETIC, large_print=True)
    assert min(font_sizes(standard)) >= 12
    assert min(font_sizes(large)) >= 16
    assert len(large_pages) > len(pages_text(standard))


def test_page_one_of_two_handouts_as_png_for_a_person_to_look_at(demo: None, artifacts_dir: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    for name, workup_id in (("handout-tarsal-tunnel", TARSAL_TUNNEL), ("handout-emergency", EMERGENCY)):
        pdf_path = artifacts_dir / f"{name}.pdf"
        pdf_path.write_bytes(rendered(workup_id)[1])
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf_path, artifacts_dir / name],
            check=True,
        )
        assert (artifacts_dir / f"{name}.png").stat().st_size > 5000
