"""End to end: two users saving blood results at once both keep theirs; new patient to signed letter, counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_e2e_workup import (
    fill_exam,
    fill_presentation,
    fill_result,
    log_in,
    register_patient_and_start_workup,
)
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(db: Any) -> tuple[Any, Any]:
    from workup.models import Clinic

    clinic = Clinic.objects.create(name="Riverside Surgery")
    return make_user("ingrid_intake", clinic, "intake"), make_user("claire_clinician", clinic, "clinician")


def test_two_users_save_blood_results_at_once_and_both_are_kept(
    browser: Browser, live_server: Any, team: Any, artifacts_dir: Path
) -> None:
    from workup.models import LabResult

    first_context, second_context = browser.new_context(), browser.new_context()
    first, second = first_context.new_page(), second_context.new_page()
    log_in(first, live_server.url, "ingrid_intake")
    register_patient_and_start_workup(first)
    fill_presentation(first)
    fill_exam(first)
    workup_url = first.url.split("#")[0]
    log_in(second, live_server.url, "claire_clinician")
    second.goto(workup_url)  # both pages now show no results

    fill_result(first, 0, "folate", "2.1", "ug/L")
    first.get_by_role("button", name="Save blood results").click()
    expect(first.locator("#section-labs .section-saved")).to_be_visible()

    fill_result(second, 0, "b12", "150", "ng/L", comparator="<")  # on a page opened before the folate was saved
    second.get_by_role("button", name="Save blood results").click()
    expect(second.locator("#section-labs .section-saved")).to_be_visible()
    labs = second.locator("#section-labs")
    expect(labs.locator(".lab-row")).to_have_count(3)  # folate, B12 and a blank row for the next result
    second.screenshot(path=str(artifacts_dir / "e2e-two-users-results.png"), full_page=True)
    assert sorted(LabResult.objects.values_list("test", flat=True)) == ["b12", "folate"]
    first_context.close()
    second_context.close()


class Counter:
    """Counts what a user does: clicks, form submissions and page loads they trigger."""

    def __init__(self, page: Page) -> None:
        self.page, self.actions = page, 0

    def click(self, locator: Any) -> None:
        self.actions += 1
        locator.click()

    def fill(self, locator: Any, value: str) -> None:
        self.actions += 1
        locator.fill(value)

    def select(self, locator: Any, value: Any = None, **kw: Any) -> None:
        self.actions += 1
        locator.select_option(value, **kw)

    def check(self, locator: Any) -> None:
        self.actions += 1
        locator.check()


def test_new_patient_to_signed_letter_with_screens_at_1366_and_390(
    page: Page, live_server: Any, team: Any, artifacts_dir: Path
) -> None:
    """The whole path a GP walks, counted; each screen photographed at a desktop and a phone width."""
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server.url, "claire_clinician")
    c = Counter(page)
    c.click(page.get_by_role("link", name="New patient").first)
    c.fill(page.get_by_label("Given name"), "Joan")
    c.fill(page.get_by_label("Family name"), "Adebayo")
    c.fill(page.get_by_label("Date of birth"), "1958-07-02")
    c.select(page.get_by_label("Sex"), "female")
    c.fill(page.get_by_label("MRN or NHS number"), "485 777 3456")
    c.click(page.get_by_role("button", name="Register patient"))
    c.click(page.get_by_role("button", name="Start a new workup"))
    section = page.locator("#section-presentation")
    for name in ("Gradual", "Stable", "Both feet", "Toes", "Sole", "Burning pain", "None of these (asked)"):
        c.check(section.get_by_label(name))
    c.fill(section.get_by_label("Duration (weeks)"), "30")
    c.click(section.get_by_role("button", name="Save presentation"))
    expect(page.locator("#section-presentation .section-saved")).to_be_visible()
    grid = page.locator("#section-exam")
    for side in ("left", "right"):
        c.select(grid.get_by_label(f"Ankle reflex (NINDS 0-4), {side}"), label="0 absent")
        c.select(grid.get_by_label(f"Knee reflex (NINDS 0-4), {side}"), label="2 normal")
        c.select(grid.get_by_label(f"Plantar response, {side}"), label="Flexor (down)")
        c.fill(grid.get_by_label(f"Monofilament sites felt, {side}"), "2")
        c.fill(grid.get_by_label(f"Monofilament sites tested, {side}"), "4")
        c.select(grid.get_by_label(f"Vibration (128 Hz), {side}"), label="Reduced")
        c.select(
            grid.get_by_label(f"Power, ankle dorsiflexion (MRC 0-5), {side}"),
            label="4 against resistance" if side == "left" else "5 normal",
        )
        c.select(grid.get_by_label(f"Pedal pulses, {side}"), label="Present")
    c.click(grid.get_by_role("button", name="Save examination"))
    expect(page.locator("#section-exam .section-saved")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "flow-1366-workup-exam-saved.png"))

    prepare = page.locator("#recommendation .step-action button").first
    expect(prepare).to_contain_text("Prepare the")
    page.goto(page.url.split("#")[0])
    box = prepare.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 768, "the primary action is below the fold"
    page.screenshot(path=str(artifacts_dir / "flow-1366-workup-top.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#section-exam").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "flow-390-exam-grid.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "something is wider than the phone"
    page.set_viewport_size({"width": 1366, "height": 768})

    c.click(prepare)
    expect(page.get_by_role("heading", name="Sign and issue")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "flow-1366-letter-draft.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "flow-390-letter-draft.png"))
    page.set_viewport_size({"width": 1366, "height": 768})
    c.check(page.get_by_label("I have read this letter and it is correct. Sign and issue it."))
    c.click(page.get_by_role("button", name="Sign and issue"))
    expect(page.get_by_text("Signed and issued. The PDF is stored")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "flow-1366-letter-issued.png"), full_page=True)
    with page.expect_download() as download:
        c.click(page.get_by_role("link", name="Download signed PDF"))
    assert download.value.suggested_filename.endswith("-v1.pdf")
    (artifacts_dir / "flow-action-count.txt").write_text(f"{c.actions}\n")
    assert c.actions <= 50

    page.goto(f"{live_server.url}/")
    expect(page.locator(".referral-line").first).to_contain_text("not sent yet")
    page.screenshot(path=str(artifacts_dir / "flow-1366-worklist.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "flow-390-worklist.png"))
