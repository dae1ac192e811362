"""render_handout: the patient's copy as a PDF from the command line, as render_letter does for the letter."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def test_render_handout_writes_the_pdf_and_says_what_it_covers(workup: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "handout.pdf"
    call_command("render_handout", str(workup.pk), "--output", str(target), stdout=out)
    reader = PdfReader(target)
    assert "Margaret Okafor" in reader.pages[0].extract_text()
    assert f"{len(reader.pages)} pages, standard print" in out.getvalue()
    assert "When to get help" in out.getvalue()


def test_render_handout_large_print_runs_to_more_pages(workup: Any, tmp_path: Path) -> None:
    call_command("render_handout", str(workup.pk), "-o", str(tmp_path / "a.pdf"), stdout=io.StringIO())
    out = io.StringIO()
    call_command("render_handout", str(workup.pk), "-o", str(tmp_path / "b.pdf"), "--large-print", stdout=out)
    assert "large print" in out.getvalue()
    assert len(PdfReader(tmp_path / "b.pdf").pages) > len(PdfReader(tmp_path / "a.pdf").pages)


def test_render_handout_refuses_an_unknown_workup(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No workup"):
        call_command("render_handout", str(uuid.uuid4()), "-o", str(tmp_path / "x.pdf"))
