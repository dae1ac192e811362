"""End to end in headless Chromium: intake staff record a workup and see what to do next; a red flag stops it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def intake_user(db: Any) -> Any:
    from workup.models import Clinic

    return make_user("ingrid_intake", Clinic.objects.create(name="Riverside Surgery"), "intake")


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()


def register_patient_and_start_workup(page: Page) -> None:
    page.get_by_role("link", name="New patient").first.click()
    page.get_by_label("Given name").fill("Joan")
    page.get_by_label("Family name").fill("Adebayo")
    page.get_by_label("Date of birth").fill("1958-07-02")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("MRN or NHS number").fill("485 777 3456")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", name="ADEBAYO, Joan")).to_be_visible()
    page.get_by_role("button", name="Start a new workup").click()
    expect(page.get_by_text("Record the presentation and red flags first")).to_be_visible()


def fill_presentation(page: Page) -> None:
    section = page.locator("#section-presentation")
    section.get_by_label("Gradual").check()
    section.get_by_label("Duration (weeks)").fill("30")
    section.get_by_label("Stable").check()
    section.get_by_label("Both feet").check()
    section.get_by_label("Toes").check()
    section.get_by_label("Sole").check()
    section.get_by_label("Burning pain").check()
    section.get_by_label("None of these (asked)").check()
    section.get_by_role("button", name="Save presentation").click()
    expect(page.locator("#section-presentation .section-saved")).to_contain_text("Presentation and red flags saved")


def fill_exam(page: Page) -> None:
    grid = page.locator("#section-exam")
    for side in ("left", "right"):
        grid.get_by_label(f"Ankle reflex (NINDS 0-4), {side}").select_option(label="1 reduced")
        grid.get_by_label(f"Knee reflex (NINDS 0-4), {side}").select_option(label="2 normal")
        grid.get_by_label(f"Plantar response, {side}").select_option(label="Flexor (down)")
        grid.get_by_label(f"Monofilament sites felt, {side}").fill("2")
        grid.get_by_label(f"Monofilament sites tested, {side}").fill("4")
        grid.get_by_label(f"Vibration (128 Hz), {side}").select_option(label="Reduced")
        grid.get_by_label(f"Power, ankle dorsiflexion (MRC 0-5), {side}").select_option(label="5 normal")
        grid.get_by_label(f"Pedal pulses, {side}").select_option(label="Present")
    grid.get_by_role("button", name="Save examination").click()
    expect(page.locator("#section-exam .section-saved")).to_contain_text("Examination saved")


def fill_result(page: Page, row: int, test: str, value: str, unit: str, *, comparator: str = "") -> None:
    collected = (date.today() - timedelta(days=2)).isoformat()
    page.locator(f"#id_labs-{row}-test").select_option(test)
    if comparator:
        page.locator(f"#id_labs-{row}-comparator").select_option(comparator)
    page.locator(f"#id_labs-{row}-value").fill(value)
    page.locator(f"#id_labs-{row}-unit").select_option(unit)
    page.locator(f"#id_labs-{row}-collected_on").fill(collected)


def top(locator: Locator) -> float:
    """Where the element starts on the page (it must be laid out)."""
    box = locator.bounding_box()
    assert box is not None
    return box["y"]


def wait_until_scrolled_to(page: Page, element_id: str) -> None:
    """Bootstrap scrolls smoothly to the anchor (wait_for_function would need 'unsafe-eval', which CSP forbids)."""
    for _ in range(50):
        if abs(page.evaluate(f"document.getElementById('{element_id}').getBoundingClientRect().top")) < 2:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the page did not land on #{element_id}")


def test_intake_records_a_workup_and_sees_the_next_steps(
    page: Page, live_server: Any, intake_user: Any, artifacts_dir: Path, console_errors: list[str]
) -> None:
    log_in(page, live_server.url, "ingrid_intake")
    register_patient_and_start_workup(page)
    fill_presentation(page)
    expect(page.locator("#recommendation")).to_contain_text("Missing from the examination")
    fill_exam(page)
    expect(page.locator("#recommendation .stage-steps li.current")).to_contain_text("Blood tests")

    unit = page.locator("#id_labs-0-unit")
    page.locator("#id_labs-0-test").select_option("hba1c")
    expect(unit.locator("option")).to_have_text(["—", "mmol/mol", "%"])  # only the units HbA1c is reported in
    fill_result(page, 0, "fasting_glucose", "7.0", "mmol/L")
    fill_result(page, 1, "b12", "150", "ng/L", comparator="<")
    page.get_by_role("button", name="Save blood results").click()

    labs = page.locator("#section-labs")
    expect(labs.locator(".section-saved")).to_be_visible()
    expect(labs).to_contain_text("= 126 mg/dL")
    expect(labs).to_contain_text("Diabetes range")
    recommendation = page.locator("#recommendation")
    expect(recommendation.locator(".next-step").first).to_be_visible()
    expect(recommendation).to_contain_text("Vitamin B12 deficiency")
    expect(recommendation).to_contain_text("Why:")
    expect(recommendation).to_contain_text("Source:")
    wait_until_scrolled_to(page, "section-labs")  # the page lands on the results just saved
    page.screenshot(path=str(artifacts_dir / "e2e-workup-labs-saved.png"))
    page.goto(page.url.split("#")[0])
    page.screenshot(path=str(artifacts_dir / "e2e-workup-next-steps.png"))
    page.screenshot(path=str(artifacts_dir / "e2e-workup-full-page.png"), full_page=True)
    page.set_viewport_size({"width": 820, "height": 1180})
    page.screenshot(path=str(artifacts_dir / "e2e-workup-next-steps-tablet.png"))
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_ticking_a_red_flag_shows_the_emergency_instruction_at_once(
    page: Page, live_server: Any, intake_user: Any, artifacts_dir: Path, console_errors: list[str]
) -> None:
    log_in(page, live_server.url, "ingrid_intake")
    register_patient_and_start_workup(page)

    preview = page.locator("#redflag-preview")
    expect(preview).to_be_hidden()
    page.get_by_label("New bladder or bowel dysfunction").check()
    expect(preview).to_be_visible()  # before anything is saved
    expect(preview).to_contain_text("Call 999 or send the patient to the emergency department now")
    expect(preview).to_contain_text("New bladder or bowel dysfunction")
    page.screenshot(path=str(artifacts_dir / "e2e-red-flag-ticked.png"))

    page.get_by_role("button", name="Save presentation").click()
    banner = page.locator("#emergency")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Emergency department")
    expect(banner).to_contain_text("Cauda equina syndrome")
    assert top(banner) < top(page.locator("#section-presentation"))
    expect(page.locator("#routine-stopped")).to_be_visible()
    expect(page.locator("#section-history")).to_be_hidden()  # folded away with the routine sections
    page.screenshot(path=str(artifacts_dir / "e2e-red-flag-saved.png"))
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_saving_one_section_asks_before_losing_unsaved_changes_in_another(
    page: Page, live_server: Any, intake_user: Any
) -> None:
    log_in(page, live_server.url, "ingrid_intake")
    register_patient_and_start_workup(page)
    page.get_by_label("Alcohol (UK units per week)").fill("12")
    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.get_by_role("button", name="Save examination").click()
    assert questions and "Unsaved changes in History will be lost" in questions[0]
    expect(page.get_by_label("Alcohol (UK units per week)")).to_have_value("12")  # still there, nothing submitted


def test_two_weeks_of_worsening_weakness_in_both_feet_is_an_emergency_without_any_red_flag_ticked(
    page: Page, live_server: Any, intake_user: Any, artifacts_dir: Path, console_errors: list[str]
) -> None:
    """Rapidly progressive symmetrical weakness (rule E6) is found from the findings, not from a ticked box."""
    log_in(page, live_server.url, "ingrid_intake")
    register_patient_and_start_workup(page)
    section = page.locator("#section-presentation")
    section.get_by_label("Gradual").check()
    section.get_by_label("Duration (weeks)").fill("2")
    section.get_by_label("Worsening").check()
    section.get_by_label("Both feet").check()
    section.get_by_label("Toes").check()
    section.get_by_label("Whole foot").check()
    section.get_by_label("Numbness", exact=True).check()
    section.get_by_label("Weakness", exact=True).check()
    section.get_by_label("None of these (asked)").check()  # asked about every red flag: none present
    expect(page.locator("#redflag-preview")).to_be_hidden()
    section.get_by_role("button", name="Save presentation").click()

    banner = page.locator("#emergency")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Emergency: stop the routine workup")
    expect(banner).to_contain_text("Emergency department")
    expect(banner).to_contain_text("Guillain-Barre syndrome")
    expect(banner.locator(".timeframe")).to_have_text("Now")
    assert top(banner) < top(page.locator("#section-presentation"))
    expect(page.locator("#routine-stopped")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "e2e-symmetrical-weakness-emergency.png"))
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_red_flags_never_asked_are_asked_before_anything_else(
    page: Page, live_server: Any, intake_user: Any, artifacts_dir: Path
) -> None:
    log_in(page, live_server.url, "ingrid_intake")
    register_patient_and_start_workup(page)
    section = page.locator("#section-presentation")
    section.get_by_label("Gradual").check()
    section.get_by_label("Duration (weeks)").fill("30")
    section.get_by_label("Stable").check()
    section.get_by_label("Both feet").check()
    section.get_by_label("Toes").check()
    section.get_by_role("button", name="Save presentation").click()

    question = page.locator("#red-flag-question")
    expect(question).to_contain_text("Red flags not asked yet")
    expect(page.locator("#recommendation .stage-steps li.current")).to_contain_text("Red flags")
    question.get_by_role("link", name="Record red flags").click()
    wait_until_scrolled_to(page, "red-flags")
    page.locator("#red-flags").get_by_label("None of these (asked)").check()
    section.get_by_role("button", name="Save presentation").click()
    expect(page.locator("#red-flag-question")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "e2e-red-flags-answered.png"))
