"""End to end: a new patient's medicines and allergies recorded once, read by the workup, and a signed letter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.test_e2e_workup import log_in
from tests.factories import make_user, stored_bytes, typical_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clinician_user(db: Any) -> Any:
    from workup.models import Clinic

    call_command("loaddata", "medicines", verbosity=0)
    return make_user("clare_clinician", Clinic.objects.create(name="Riverside Surgery"), "clinician")


def _record_sections_as_typed_before(patient_page_url: str) -> None:
    """Presentation, history, exam and results of a complete workup (typing them is test_e2e_workup's business)."""
    from workup.cases import case_to_fields
    from workup.models import LabResult, Workup
    from workup.services.workups import reevaluate

    workup = Workup.objects.get()
    case = typical_case()
    case["history"].pop("b12_risks")  # metformin comes from the patient's record
    fields, labs = case_to_fields(case)
    Workup.objects.filter(pk=workup.pk).update(**fields)
    LabResult.objects.bulk_create([LabResult(workup=workup, **row) for row in labs])
    workup.refresh_from_db()
    reevaluate(workup)


def test_a_new_patient_to_a_signed_letter_with_medicines_and_allergies(
    page: Page, live_server: Any, clinician_user: Any, artifacts_dir: Path, console_errors: list[str]
) -> None:
    log_in(page, live_server.url, "clare_clinician")
    page.get_by_role("link", name="New patient").first.click()
    page.get_by_label("Given name").fill("Joan")
    page.get_by_label("Family name").fill("Adebayo")
    page.get_by_label("Date of birth").fill("1958-07-02")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("MRN or NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_text("NHS number 943 476 5919")).to_be_visible()
    expect(page.locator("#record-summary")).to_contain_text("Not asked")

    page.get_by_role("link", name="Edit the record").click()
    meds = page.locator("#record-medication")
    meds.get_by_label("Medicine").fill("Metformin")
    meds.get_by_label("Dose").fill("500 mg")
    meds.get_by_label("Frequency").fill("twice a day")
    meds.get_by_role("button", name="Add").click()
    expect(meds.locator(".record-rows")).to_contain_text("read as Metformin")
    allergies = page.locator("#record-allergy")
    allergies.get_by_label("Substance").fill("Penicillin")
    allergies.get_by_label("Reaction", exact=True).fill("Anaphylaxis")
    allergies.get_by_label("Severity").select_option("severe")
    allergies.get_by_role("button", name="Add").click()
    expect(allergies.locator(".record-rows")).to_contain_text("Penicillin")
    page.screenshot(path=str(artifacts_dir / "e2e-record-1366.png"), full_page=True)

    page.get_by_role("link", name="Patient page").click()
    page.get_by_role("button", name="Start a new workup").click()
    banner = page.locator(".patient-record-line")
    expect(banner).to_contain_text("Penicillin: Anaphylaxis, severe")
    expect(banner).to_contain_text("Metformin, 500 mg, twice a day")

    _record_sections_as_typed_before(page.url)
    page.reload()
    expect(page.locator("#section-history .patient-record-medicines")).to_contain_text("Metformin")
    prepare = page.locator("#recommendation .step-action button").first  # "Prepare the ... letter": one click
    expect(prepare).to_contain_text("Prepare the")
    prepare.click()
    page.get_by_label("I have read this letter and it is correct. Sign and issue it.").check()
    page.get_by_role("button", name="Sign and issue").click()
    expect(page.get_by_text("Signed and issued").first).to_be_visible()

    from workup.models import Letter

    letter = Letter.objects.get()
    assert letter.is_issued
    # The engine read metformin from the patient's record as a B12 risk (the workup itself holds none).
    assert letter.case is not None and "metformin" in letter.case["history"]["b12_risks"]
    # The signed letter names the medicines and the allergy from the patient's record.
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(page_.extract_text() for page_ in PdfReader(BytesIO(stored_bytes(letter.pdf))).pages)
    assert "Metformin" in text and "Penicillin" in text and "Anaphylaxis" in text
    assert not [e for e in console_errors if "Content Security Policy" in e]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_record_screens_fit_desktop_and_phone(
    page: Page, live_server: Any, clinician_user: Any, artifacts_dir: Path, width: int
) -> None:
    from datetime import date

    from workup.models import Patient
    from workup.services import record
    from workup.services.workups import create_workup

    patient = Patient.objects.create(
        clinic=clinician_user.clinic,
        given_name="Joan",
        family_name="Adebayo",
        date_of_birth=date(1958, 7, 2),
        sex="female",
        identifier="943 476 5919",
    )
    for kind, data in (
        ("medication", {"name": "Metformin", "dose": "500 mg", "frequency": "twice a day"}),
        ("allergy", {"substance": "Penicillin", "reaction": "Anaphylaxis", "severity": "severe"}),
    ):
        record.save_entry(user=clinician_user, patient=patient, kind=kind, data=data)
    workup = create_workup(user=clinician_user, patient=patient)
    page.set_viewport_size({"width": width, "height": 768 if width > 400 else 844})
    log_in(page, live_server.url, "clare_clinician")
    screens = {
        "record": f"/patients/{patient.pk}/record/",
        "patient": f"/patients/{patient.pk}/",
        "patient-edit": f"/patients/{patient.pk}/edit/",
        "workup": f"/workups/{workup.pk}/",
        "workup-close": f"/workups/{workup.pk}/close/",
    }
    for name, path in screens.items():
        page.goto(live_server.url + path)
        page.screenshot(path=str(artifacts_dir / f"record-{name}-{width}.png"), full_page=True)
        wide = page.evaluate(
            "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right >"
            " document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if name == "workup":
            # The exam grid at 390 px is issue 11's screen work on the flow branch; this branch's banner line must fit.
            assert not [w for w in wide if "patient" in w or "record" in w], wide
        else:
            assert overflow <= 0, f"{name} scrolls sideways at {width} px: {wide}"
