"""The letter commands: render the current draft to a file; time the demo letters."""

from __future__ import annotations

import io
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from tests.factories import stored_bytes
from workup.letters import find_referral
from workup.models import Letter, User, Workup
from workup.services import letters as services
from workup.services.workups import evaluate_workup

pytestmark = pytest.mark.django_db


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))


def test_render_letter_writes_the_current_draft(workup: Workup, intake: Any, tmp_path: Path) -> None:
    letter = services.create_draft(user=intake, workup=workup, service="neurology")
    services.update_draft(user=intake, letter=letter, question="Please assess for CIDP.", free_text="", draft_version=0)
    output = tmp_path / "letter.pdf"
    message = run("render_letter", str(workup.pk), "--output", str(output))
    assert f"draft {letter.reference} v1" in message
    text = pdf_text(output)
    assert "Please assess for CIDP." in text
    assert "DRAFT – NOT SIGNED" in text


def test_render_letter_without_a_draft_renders_the_recommended_one_unsaved(workup: Workup, tmp_path: Path) -> None:
    output = tmp_path / "letter.pdf"
    message = run("render_letter", str(workup.pk), "-o", str(output))
    assert "referral to neurology (urgent), not saved." in message
    assert "Referral to Neurology" in pdf_text(output)
    assert not Letter.objects.exists()


def test_render_letter_refuses_an_unknown_workup(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No workup"):
        run("render_letter", str(uuid.uuid4()), "--output", str(tmp_path / "x.pdf"))


def test_render_letter_refuses_a_service_without_a_referral(workup: Workup, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not lead to a referral to podiatry"):
        run("render_letter", str(workup.pk), "--output", str(tmp_path / "x.pdf"), "--service", "podiatry")


def test_bench_letter_prints_the_median_and_pages(workup: Workup) -> None:
    line = run("bench_letter", "--repeat", "2").strip()
    assert re.fullmatch(r"\d+\.\d{3} s median per letter, 3 pages, \d+\.\d{2}x bare WeasyPrint on the same HTML", line)


def test_bench_letter_without_workups_says_to_load_the_demo(db: Any) -> None:
    with pytest.raises(CommandError, match="make demo"):
        run("bench_letter")


# The demo data (fixtures/demo.json): its letters must keep rendering


@pytest.fixture
def demo(db: Any) -> None:
    call_command("load_demo", "--force", stdout=io.StringIO())  # the suite runs with DEBUG off


def test_every_demo_workup_with_a_referral_renders_its_letter(demo: None) -> None:
    rendered = []
    for workup in Workup.objects.select_related("patient__clinic").order_by("created_at"):
        try:
            letter = services.unsaved_draft(workup)
        except services.NoReferral:
            continue
        pdf = services.draft_pdf(letter)
        rendered.append((letter.service, pdf.pages))
        assert (letter.kind == "emergency") == (pdf.pages == 1)
    assert {"emergency_department", "neurology"} <= {service for service, _ in rendered}


def test_bench_letter_on_the_demo(demo: None) -> None:
    line = run("bench_letter", "--repeat", "1").strip()
    match = re.fullmatch(
        r"\d+\.\d{3} s median per letter, \d pages, (\d+\.\d{2})x bare WeasyPrint on the same HTML", line
    )
    assert match, line


def test_page_one_of_a_signed_demo_letter_as_an_image(demo: None, artifacts_dir: Path, tmp_path: Path) -> None:
    """Writes test-artifacts/demo-letter-page-1.png (and page 2) for a person to look at."""
    workup = next(
        w
        for w in Workup.objects.order_by("created_at")
        if find_referral(evaluate_workup(w).recommendation, "neurology") is not None
    )
    clinician = User.objects.get(username="clinician")
    letter = services.issue(
        user=clinician, letter=services.create_draft(user=clinician, workup=workup, service="neurology")
    )
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(stored_bytes(letter.pdf))
    prefix = artifacts_dir / "demo-letter-page"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf), str(prefix)], check=True)
    assert (artifacts_dir / "demo-letter-page-1.png").stat().st_size > 20_000  # text and ruled tables, not blank
    text = pdf_text(pdf)
    assert workup.patient.identifier in text and "Electronically signed" in text
