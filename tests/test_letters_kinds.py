"""Every kind of letter, read as its receiving service reads it (issue 12): the headings, the record's data under
each, and none of the app's internals (rule ids, enum codes, ruleset numbers in the body, "None" for a list never
recorded, tests claimed done without a result). Page images go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.factories import make_workup, stored_bytes, typical_case
from tests.letter_kinds import KINDS
from workup import letters
from workup.models import Letter, Patient, ReceivingService, Workup
from workup.rules import vocab
from workup.services import letters as services

pytestmark = pytest.mark.django_db

REFERRAL_HEADINGS = (
    "TO ",
    "PATIENT",
    "REFERRER",
    "REASON FOR REFERRAL AND QUESTION",
    "HISTORY OF THE PRESENTING COMPLAINT",
    "RELEVANT PAST HISTORY AND PROBLEMS",
    "MEDICATIONS",
    "ALLERGIES AND ADVERSE REACTIONS",
    "FAMILY AND SOCIAL HISTORY",
    "EXAMINATION",
    "RESULTS",
    "ASSESSMENT",
    "WHAT HAS BEEN DONE",
    "REQUESTED, RESULTS TO FOLLOW",
    "REQUESTED OF ",
    "INFORMATION GIVEN TO THE PATIENT",
    "Electronically signed",
    "Distribution:",
)
EMERGENCY_HEADINGS = (
    "ALERTS",
    "Anticoagulants",
    "Antiplatelets",
    "Allergies",
    "S SITUATION",
    "Onset:",
    "Observations",
    "B BACKGROUND",
    "A ASSESSMENT",
    "R RECOMMENDATION",
    "Please rule out:",
    "Done before transfer:",
    "Electronically signed",
    "Distribution:",
)
# Clinical names that look like rule ids to the pattern below.
NOT_RULE_IDS = re.compile(r"\b(B12|B6|CKD G3|T4)\b")
RULE_ID = re.compile(r"\b[EUSCQNFRDPGBA]\d{1,2}\b")


def _choices(value: object) -> tuple[tuple[str, str], ...]:
    """A vocabulary's (code, label) pairs, or () for anything else in the module."""
    if isinstance(value, tuple) and all(isinstance(c, tuple) and len(c) == 2 for c in value):
        return value
    return ()


ENUM_CODES = sorted({code for name in dir(vocab) if name.isupper() for code, _ in _choices(getattr(vocab, name))})
SNAKE_CODES = [c for c in ENUM_CODES if "_" in c]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("-\n", "-")).strip()


def pdf_text(data: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def save_pages(pdf: bytes, name: str, folder: Path) -> list[Path]:
    """Page images at 60 dpi (pdftoppm), for a person to look at."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = folder / f"letter-{name}.pdf"
    source.write_bytes(pdf)
    for old in folder.glob(f"letter-{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(folder / f"letter-{name}")], check=True)
    return sorted(folder.glob(f"letter-{name}-*.png"))


def assert_plain_words(text: str) -> None:
    """No rule ids, enum codes, ruleset outside the footer line, or None for an unrecorded list."""
    assert not RULE_ID.findall(NOT_RULE_IDS.sub("", text)), RULE_ID.findall(NOT_RULE_IDS.sub("", text))
    assert not [code for code in SNAKE_CODES if re.search(rf"\b{code}\b", text)]
    assert text.count("ruleset") == text.count("Decision support ruleset ")
    assert not re.search(r"\bNone\b", text)
    assert "have been done" not in text


@pytest.fixture
def directory(clinic: Any) -> dict[str, ReceivingService]:
    """One receiving service per service in the clinic's directory."""
    return {
        code: ReceivingService.objects.create(
            clinic=clinic,
            service=code,
            organisation="Leeds Teaching Hospitals NHS Trust",
            department=name,
            address="Great George Street\nLeeds LS1 3EX",
            ers_service_name=f"{name} - Leeds - LTHT",
            is_default=True,
        )
        for code, name in vocab.SERVICES
    }


def kind_workup(kind: str, patient: Patient, clinician: Any) -> Workup:
    case = typical_case()
    KINDS[kind](case)
    if kind == "paediatrics":
        patient = Patient.objects.create(
            clinic=patient.clinic,
            given_name="Sam",
            family_name="Child",
            date_of_birth=date(2014, 5, 1),
            sex="male",
            identifier="RXX 12345",
        )
    workup = make_workup(patient, clinician, case)
    if kind == "emergency_department":
        Workup.objects.filter(pk=workup.pk).update(pulse_bpm=92, systolic_bp=138, diastolic_bp=84, oxygen_saturation=97)
        workup.refresh_from_db()
    return workup


def issue_kind(kind: str, patient: Patient, clinician: Any) -> Letter:
    workup = kind_workup(kind, patient, clinician)
    draft = services.create_draft(user=clinician, workup=workup, service=kind)
    return services.issue(user=clinician, letter=draft)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_letter_kind_has_every_heading_with_the_records_data_in_plain_words(
    kind: str, patient: Patient, clinician: Any, directory: dict[str, ReceivingService], artifacts_dir: Path
) -> None:
    letter = issue_kind(kind, patient, clinician)
    pdf = stored_bytes(letter.pdf)
    pages = pdf_text(pdf)
    text = " ".join(pages)
    assert save_pages(pdf, kind, artifacts_dir)
    for heading in EMERGENCY_HEADINGS if kind == "emergency_department" else REFERRAL_HEADINGS:
        assert heading in text, heading
    # The record's data under its heading.
    assert directory[kind].department in text and "Leeds Teaching Hospitals NHS Trust" in text
    assert squash(letter.question) in text
    assert "0113 496 0001" in text  # the referrer's direct line
    assert "Not recorded" in text  # no allergy record yet: never "None"
    if kind != "paediatrics":
        assert "NHS number 943 476 5919" in text
        assert "Metformin" in text  # the medicine the history records
    assert_plain_words(text)
    for page in pages:  # the one provenance line, in the footer of every page
        assert page.count("Decision support ruleset 2026.12") == 1
    if kind == "emergency_department":
        assert len(pages) == 1
        assert "call 999" not in text and "no tests or letters first" not in text
        assert "Emergency MRI of the lumbosacral spine" in text.replace("emergency MRI", "Emergency MRI")
        assert "Pulse 92/min; Blood pressure 138/84 mmHg; Oxygen saturation 97%" in text
    else:
        assert "REQUESTED OF " + letter.get_service_display().upper() in text


def test_an_addendum_has_every_heading_and_says_what_it_corrects(
    workup: Workup, clinician: Any, directory: dict[str, ReceivingService], artifacts_dir: Path
) -> None:
    issued = services.issue(
        user=clinician, letter=services.create_draft(user=clinician, workup=workup, service="neurology")
    )
    addendum = services.create_addendum(user=clinician, letter=issued, reason="HbA1c corrected by the laboratory.")
    signed = services.issue(user=clinician, letter=addendum)
    text = " ".join(pdf_text(stored_bytes(signed.pdf)))
    assert save_pages(stored_bytes(signed.pdf), "addendum", artifacts_dir)
    for heading in ("ADDENDUM TO VERSION 1", *REFERRAL_HEADINGS):
        assert heading in text, heading
    assert "HbA1c corrected by the laboratory." in text
    assert signed.addressee == directory["neurology"]
    assert_plain_words(text)


def test_an_override_referral_letter_says_the_clinician_decided_and_what_was_suggested(
    workup: Workup, clinician: Any, directory: dict[str, ReceivingService], artifacts_dir: Path
) -> None:
    # The typical workup is not referred to vascular surgery: the clinician refers anyway, with a reason.
    draft = services.create_draft(
        user=clinician,
        workup=workup,
        service="vascular",
        urgency="routine",
        discretion_reason="Rest pain at night; wants a vascular opinion.",
    )
    signed = services.issue(user=clinician, letter=draft)
    text = " ".join(pdf_text(stored_bytes(signed.pdf)))
    assert save_pages(stored_bytes(signed.pdf), "override", artifacts_dir)
    for heading in REFERRAL_HEADINGS:
        assert heading in text, heading
    assert "Referred at the clinician's discretion" in text
    assert "Rest pain at night; wants a vascular opinion." in text
    assert "decision support suggested" in text.lower()
    assert_plain_words(text)


def test_a_letter_with_tests_outstanding_lists_them_to_follow_and_claims_none_done(
    patient: Patient, clinician: Any
) -> None:
    case = typical_case()
    case["history"] |= {"diabetes": "not_known", "b12_risks": [], "spine_history": []}
    case["exam"]["power_ankle_plantarflexion"] = {"left": 5, "right": 5}
    case["labs"] = [
        {"test": "hba1c", "value": 36, "unit": "mmol/mol", "collected_on": "2026-10-28"},
        {"test": "b12", "value": 520, "unit": "ng/L", "collected_on": "2026-10-28"},
    ]
    workup = make_workup(patient, clinician, case)
    text = " ".join(
        pdf_text(services.draft_pdf(services.create_draft(user=clinician, workup=workup, service="neurology")).pdf)
    )
    section = text.split("REQUESTED, RESULTS TO FOLLOW")[1]
    for pending in (
        "Serum protein electrophoresis with immunofixation: requested, results to follow",
        "Thyroid function: thyroid-stimulating hormone (TSH): requested, results to follow",
    ):
        assert pending in section
    assert "Blood tests resulted: HbA1c (28 Oct 2026); Vitamin B12 (total) (28 Oct 2026)" in text
    assert "Serum protein electrophoresis (" not in text.split("WHAT HAS BEEN DONE")[1].split("REQUESTED")[0]


def test_a_letter_with_no_results_says_so_and_claims_no_tests_done(patient: Patient, clinician: Any) -> None:
    case = typical_case()
    case["labs"] = []
    case["presentation"]["red_flags"] = ["saddle_numbness"]
    workup = make_workup(patient, clinician, case)
    text = " ".join(
        pdf_text(
            services.draft_pdf(services.create_draft(user=clinician, workup=workup, service="emergency_department")).pdf
        )
    )
    assert "Blood tests resulted" not in text
    assert "Done before transfer: Examination (findings above)." in text


def test_haematology_letter_gives_paraprotein_type_concentration_and_light_chains(
    patient: Patient, clinician: Any
) -> None:
    workup = kind_workup("haematology", patient, clinician)
    workup.labs.filter(test="spep").update(
        paraprotein_type="IgM kappa",
        paraprotein_g_l=12,
        immunofixation="IgM kappa band",
        kappa_flc_mg_l=45,
        lambda_flc_mg_l=12,
    )
    text = " ".join(
        pdf_text(services.draft_pdf(services.create_draft(user=clinician, workup=workup, service="haematology")).pdf)
    )
    assert "Paraprotein detected: IgM kappa, 12 g/L" in text
    assert "Immunofixation IgM kappa band" in text
    assert "kappa 45 mg/L, lambda 12 mg/L (kappa/lambda ratio 3.75)" in text
    assert "eGFR 48 mL/min/1.73m2 (reduced (ckd g3))" not in text  # flags keep their capitals
    assert "Reduced (CKD G3)" in text and "Not severely reduced" not in text


def test_vascular_letter_reads_the_statin_from_the_medicine_list(patient: Patient, clinician: Any) -> None:
    workup = kind_workup("vascular", patient, clinician)
    text = " ".join(
        pdf_text(services.draft_pdf(services.create_draft(user=clinician, workup=workup, service="vascular")).pdf)
    )
    assert "Ankle-brachial index Left 0.45, right 0.95" in text and "Claudication" in text
    assert "Claudication Reported" in text
    assert "Statin Statin" in text
    assert "Smoking Not recorded" in text


def test_the_identifier_is_labelled_nhs_number_only_when_it_validates(
    patient: Patient, clinician: Any, workup: Workup
) -> None:
    draft = services.create_draft(user=clinician, workup=workup, service="neurology")
    assert letters.build_context(services.draft_source(draft))["patient"]["identifier_label"] == "NHS number"
    Patient.objects.filter(pk=patient.pk).update(identifier="943 476 5918")
    draft.workup.patient.refresh_from_db()
    assert letters.build_context(services.draft_source(draft))["patient"]["identifier_label"] == "Identifier"


def test_the_same_draft_renders_to_the_same_bytes(workup: Workup, clinician: Any) -> None:
    draft = services.create_draft(user=clinician, workup=workup, service="neurology")
    assert services.draft_pdf(draft).pdf == services.draft_pdf(draft).pdf


def test_the_fullest_demo_case_as_an_emergency_handover_fits_one_page(
    clinician: Any, artifacts_dir: Path, django_db_blocker: Any
) -> None:
    from django.core.management import call_command

    call_command("loaddata", "demo", verbosity=0)
    fullest = max(
        Workup.objects.all(), key=lambda w: (w.labs.count(), sum(v not in (None, "", []) for v in vars(w).values()))
    )
    edit = fullest.pk
    Workup.objects.filter(pk=edit).update(
        red_flags=["bladder_or_bowel_dysfunction", "saddle_numbness", "rapidly_progressive_weakness"],
        notes="Fell at home this morning; unable to pass urine since last night. Lives alone.",
        pulse_bpm=104,
        systolic_bp=168,
        diastolic_bp=96,
        temperature_c=37.9,
        oxygen_saturation=94,
        respiratory_rate=22,
        capillary_glucose=11.4,
    )
    workup = Workup.objects.get(pk=edit)
    author = workup.created_by
    author.job_title, author.registration_number, author.phone = "General practitioner", "GMC 7654321", "0113 496 0001"
    author.save()
    draft = services.create_draft(user=author, workup=workup, service="emergency_department")
    draft.free_text = "Wife is with him. Last ate at 07:00."
    rendered = services.issue(user=author, letter=draft)
    assert save_pages(stored_bytes(rendered.pdf), "emergency-fullest", artifacts_dir)
    assert rendered.pages == 1


@pytest.fixture
def recorded(patient: Patient) -> Patient:
    """The patient's record filled in: medicines (one started during the workup), an allergy, problems, social."""
    from workup.models import Allergy, Medication, Problem

    Medication.objects.create(
        patient=patient, name="Warfarin", dose="3 mg", frequency="once daily", started_on=date(2019, 4, 1)
    )
    Medication.objects.create(patient=patient, name="Atorvastatin", dose="20 mg", frequency="at night")
    Medication.objects.create(patient=patient, name="Clopidogrel", dose="75 mg", frequency="once daily")
    Medication.objects.create(
        patient=patient, name="Hydroxocobalamin", dose="1 mg", frequency="alternate days", started_on=date.today()
    )
    Allergy.objects.create(patient=patient, substance="Penicillin", reaction="rash", severity="moderate")
    Problem.objects.create(patient=patient, description="Atrial fibrillation", since_year=2019)
    Patient.objects.filter(pk=patient.pk).update(
        medications_status="recorded", allergies_status="recorded", smoking_status="current", occupation="Bus driver"
    )
    patient.refresh_from_db()
    return patient


def test_the_letter_prints_the_patients_record(recorded: Patient, clinician: Any) -> None:
    workup = kind_workup("vascular", recorded, clinician)
    text = " ".join(
        pdf_text(services.draft_pdf(services.create_draft(user=clinician, workup=workup, service="vascular")).pdf)
    )
    assert "MEDICATIONS" in text and "Warfarin, 3 mg, once daily, since 1 Apr 2019" in text
    assert "ALLERGIES AND ADVERSE REACTIONS Penicillin: rash, moderate" in text
    assert "Problem list Atrial fibrillation (since 2019)" in text
    assert "Smoking Current smoker" in text and "Occupation Bus driver" in text
    assert "Statin Atorvastatin, 20 mg, at night" in text
    assert "Antiplatelet Clopidogrel, 75 mg, once daily" in text
    assert "Treatment started: Hydroxocobalamin, 1 mg, alternate days" in text
    assert_plain_words(text)


def test_no_known_allergies_only_when_recorded_so(patient: Patient, clinician: Any, workup: Workup) -> None:
    draft = services.create_draft(user=clinician, workup=workup, service="neurology")
    assert "ALLERGIES AND ADVERSE REACTIONS Not recorded." in " ".join(pdf_text(services.draft_pdf(draft).pdf))
    Patient.objects.filter(pk=patient.pk).update(allergies_status="none_known")
    draft.workup.patient.refresh_from_db()
    assert "ALLERGIES AND ADVERSE REACTIONS No known allergies." in " ".join(pdf_text(services.draft_pdf(draft).pdf))


def test_the_handover_puts_anticoagulants_antiplatelets_and_allergies_first(recorded: Patient, clinician: Any) -> None:
    workup = kind_workup("emergency_department", recorded, clinician)
    draft = services.create_draft(user=clinician, workup=workup, service="emergency_department")
    text = pdf_text(services.draft_pdf(draft).pdf)[0]
    alerts = text.index("ALERTS")
    assert alerts < text.index("SITUATION")
    assert "Anticoagulants: Warfarin, 3 mg, once daily, since 1 Apr 2019" in text
    assert "Antiplatelets: Clopidogrel, 75 mg, once daily" in text
    assert "Allergies: Penicillin: rash, moderate" in text
