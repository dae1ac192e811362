"""The referral letter's content and its PDF: what a specialist reads, on every page, safely rendered."""

from __future__ import annotations

import io
import json
import re
import socket
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from tests.factories import stored_bytes, variant
from workup import letters, rules
from workup.models import LabResult, Letter, Workup
from workup.services import letters as services

pytestmark = pytest.mark.django_db


def squash(text: str) -> str:
    """Text as one line: PDF line breaks (and breaks after a hyphen) become single spaces / nothing."""
    return re.sub(r"\s+", " ", text.replace("-\n", "-")).strip()


def pdf_pages(data: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def draft(workup: Workup, clinician: Any) -> Letter:
    return services.create_draft(user=clinician, workup=workup, service="neurology")


@pytest.fixture
def issued(draft: Letter, clinician: Any) -> Letter:
    return services.issue(user=clinician, letter=draft)


@pytest.fixture
def issued_pages(issued: Letter) -> list[str]:
    return pdf_pages(stored_bytes(issued.pdf))


# Choosing the referral and wording the question (no PDF needed)


def test_referrals_are_ordered_most_urgent_first_and_neurology_first_among_equals() -> None:
    rec = {
        "referrals": [
            {"service": "podiatry", "urgency": "routine", "requests": ["assessment"], "reason": ""},
            {"service": "haematology", "urgency": "urgent", "requests": ["assessment"], "reason": ""},
            {"service": "neurology", "urgency": "urgent", "requests": ["ncs", "emg"], "reason": ""},
        ]
    }
    assert [r["service"] for r in letters.referral_options(rec)] == ["neurology", "haematology", "podiatry"]


def test_no_recommendation_means_no_referral_to_offer() -> None:
    assert letters.referral_options(None) == []
    assert letters.find_referral({"referrals": []}, "neurology") is None


def test_question_for_ncs_and_emg_asks_to_arrange_both() -> None:
    referral = {
        "service": "neurology",
        "urgency": "routine",
        "requests": ["ncs", "emg"],
        "reason": "cause of length-dependent sensory neuropathy not found after first-line bloods.",
    }
    question = letters.default_question(referral, {"causes": []})
    assert question == (
        "Cause of length-dependent sensory neuropathy not found after first-line bloods: "
        "please arrange nerve conduction studies (NCS) and electromyography (EMG)."
    )


def test_question_for_an_assessment_names_what_the_service_is_asked() -> None:
    referral = {"service": "podiatry", "urgency": "routine", "requests": ["assessment"], "reason": "Focal numbness."}
    assert letters.default_question(referral, {}) == (
        "Focal numbness: please provide a biomechanical assessment, footwear advice and orthoses."
    )
    referral |= {"service": "paediatrics"}
    assert letters.default_question(referral, {}) == "Focal numbness: please assess and advise."


def test_emergency_question_names_the_suspected_cause() -> None:
    referral = {"service": "emergency_department", "urgency": "emergency", "requests": ["assessment"], "reason": "x"}
    rec = {"causes": [{"code": "cauda_equina", "certainty": "possible", "rules": ["E4"], "evidence": []}]}
    assert letters.default_question(referral, rec) == "Suspected cauda equina syndrome: please assess now."
    assert letters.letter_kind(referral) == "emergency"


@pytest.mark.parametrize(
    ("weeks", "text"),
    [
        (0.5, "4 days"),
        (1, "1 week"),
        (6, "6 weeks"),
        (30, "30 weeks (about 7 months)"),
        (156, "156 weeks (about 3 years)"),
        (None, "Not recorded"),
    ],
)
def test_duration_is_given_in_weeks_with_months_or_years_alongside(weeks: float | None, text: str) -> None:
    assert letters.duration_text(weeks) == text


def test_red_flags_asked_and_absent_are_listed_by_name() -> None:
    text = letters.red_flags_text([])
    assert text.startswith("Asked about and absent: sudden severe numbness")
    assert "saddle (perineal) numbness" in text
    assert letters.red_flags_text(None) == "Not recorded"
    assert letters.red_flags_text(["saddle_numbness"]) == "PRESENT: Saddle (perineal) numbness"


def test_reference_range_is_the_labs_own_and_never_a_default() -> None:
    assert letters.reference_text({"low": 4, "high": 6}) == "4–6"
    assert letters.reference_text({"high": 0.4}) == "≤ 0.4"
    assert letters.reference_text({}) == "Not given by lab"


def test_lab_row_shows_the_result_in_the_other_unit_system_and_its_flag() -> None:
    row = letters.lab_row({"test": "hba1c", "value": 8.1, "unit": "%", "collected_on": "2026-11-02"})
    assert row["other_units"] == ["65 mmol/mol"]
    assert row["flag"] == "Diabetes range"
    assert row["loinc"] == "4548-4"
    assert row["collected_on"] == "2 Nov 2026"


def test_censored_result_keeps_its_comparator_in_every_unit() -> None:
    row = letters.lab_row({"test": "b12", "value": "<150", "unit": "ng/L"})
    assert row["value"] == "<150"
    assert row["other_units"] == ["<150 pg/mL", "<111 pmol/L"]
    assert row["collected_on"] == "Not recorded"


def test_addendum_references_share_the_chain_reference() -> None:
    assert letters.chain_reference("WU-20261121-ABC123") == "WU-20261121-ABC123"
    assert letters.chain_reference("WU-20261121-ABC123-v2") == "WU-20261121-ABC123"


def test_short_items_share_a_row_and_long_ones_get_their_own() -> None:
    rows = letters.pair_rows([("Onset", "Gradual"), ("Duration", "6 weeks"), ("Areas", "x" * 60), ("Course", "Stable")])
    assert [len(r) for r in rows] == [2, 1, 1]


# The PDF a specialist receives


def test_patient_identifiers_are_on_every_page(issued: Letter, issued_pages: list[str]) -> None:
    assert issued.pages == len(issued_pages) >= 2
    for text in issued_pages:
        assert "Margaret OKAFOR" in text
        assert "14 Mar 1961" in text
        assert "943 476 5919" in text


def test_letter_carries_the_full_patient_and_referrer_details(issued_pages: list[str]) -> None:
    first = issued_pages[0]
    for expected in (
        "Riverside Surgery",
        "1 River Road, Leeds LS1 1AA",
        "0113 496 0000",
        "age 65",
        "Female",
        "12 Mill Lane, Leeds LS6 2AB",
        "07700 900123",
        "Claire Tester",
        "General practitioner",
        "GMC 7654321",
        "0113 496 0001",
    ):
        assert expected in first


def test_letter_asks_the_question_at_the_urgency_the_engine_recommends(draft: Letter, issued_pages: list[str]) -> None:
    text = " ".join(issued_pages)
    assert "REASON FOR REFERRAL AND QUESTION" in text
    assert squash(draft.question) in text
    assert "URGENT, WITHIN 2 WEEKS" in text
    assert text.count("Weakness on examination: ankle plantarflexion") == 1  # the reason, stated once
    assert "U2" not in text


def test_letter_lists_each_lab_with_value_unit_range_flag_and_date(issued_pages: list[str]) -> None:
    text = " ".join(issued_pages)
    assert "HbA1c LOINC 4548-4 8.1 % 65 mmol/mol 4–6 Diabetes range 2 Nov 2026" in text
    assert (
        "Vitamin B12 (total) LOINC 2132-9 <150 ng/L <150 pg/mL, <111 pmol/L Not given by lab Deficient 2 Nov 2026"
        in text
    )
    assert "Serum protein electrophoresis LOINC 49275-1 Normal" in text
    assert "20 Oct 2026" in text


def test_letter_has_the_examination_as_a_left_right_table(issued_pages: list[str]) -> None:
    text = " ".join(issued_pages)
    assert "Examination Left Right" in text
    assert "Ankle reflex (NINDS 0-4) 0 absent 1 reduced" in text
    assert "10-g monofilament (sites felt / tested) 2 of 4 sites felt 4 of 4 sites felt" in text
    assert "Power, ankle plantarflexion (MRC 0-5) 5 normal 4 against resistance" in text
    assert "Romberg Negative" in text


def test_letter_has_history_causes_advice_and_requests(issued_pages: list[str]) -> None:
    text = " ".join(issued_pages)
    assert "Duration 30 weeks (about 7 months)" in text
    assert "Asked about and absent: sudden severe numbness" in text
    assert "Diabetes Known diabetes" in text
    assert "B12 risk factors Metformin" in text
    assert "MEDICATIONS Metformin" in text
    assert "Vitamin B12 deficiency Confirmed" in text
    assert "hydroxocobalamin 1 mg intramuscularly" in text
    assert "REQUESTED OF NEUROLOGY Nerve conduction studies Electromyography" in text


def test_footer_gives_page_x_of_y_reference_version_and_ruleset(issued: Letter, issued_pages: list[str]) -> None:
    total = len(issued_pages)
    for number, text in enumerate(issued_pages, start=1):
        assert f"Page {number} of {total}" in text
        assert (
            f"Ref {issued.reference} · version 1 · Signed and issued · Decision support ruleset {rules.RULESET}" in text
        )
        assert text.count("ruleset") == 1


def test_signed_letter_names_the_signer_and_is_not_marked_draft(issued_pages: list[str]) -> None:
    text = " ".join(issued_pages)
    assert "Electronically signed: Claire Tester, General practitioner (GMC 7654321)" in text
    assert "DRAFT" not in text


def test_draft_pdf_is_marked_draft_on_every_page(draft: Letter) -> None:
    pages = pdf_pages(services.draft_pdf(draft).pdf)
    assert all("DRAFT – NOT SIGNED" in text for text in pages)
    assert "Electronically signed" not in " ".join(pages)


def test_free_text_is_printed_as_text_never_as_markup(draft: Letter) -> None:
    draft.free_text = 'Lives alone.\n<img src="http://tracker.example/x.png"> <b>bold</b>'
    text = " ".join(pdf_pages(services.draft_pdf(draft).pdf))
    assert 'Lives alone. <img src="http://tracker.example/x.png"> <b>bold</b>' in text


def test_pdf_is_a4_by_default_and_us_letter_by_setting(draft: Letter, settings: Any) -> None:
    box = PdfReader(io.BytesIO(services.draft_pdf(draft).pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    settings.LETTER_PAPER = "letter"
    box = PdfReader(io.BytesIO(services.draft_pdf(draft).pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_pdf_embeds_its_fonts_and_declares_pdf_a_3b_with_tags(issued: Letter) -> None:
    reader = PdfReader(io.BytesIO(stored_bytes(issued.pdf)))
    resources = cast(DictionaryObject, reader.pages[0]["/Resources"])
    fonts = [f.get_object() for f in cast(DictionaryObject, resources["/Font"]).values()]
    assert fonts
    for font in fonts:
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        )
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
        assert "DejaVu" in str(font["/BaseFont"])
    root = cast(DictionaryObject, reader.trailer["/Root"])
    metadata = cast(StreamObject, root["/Metadata"].get_object()).get_data().decode()
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata
    assert "/StructTreeRoot" in root
    assert reader.metadata is not None and reader.metadata.title == f"Referral letter {issued.reference} version 1"


def test_pdf_carries_the_recommendation_it_presents(issued: Letter) -> None:
    attached = PdfReader(io.BytesIO(stored_bytes(issued.pdf))).attachments["workup-recommendation.json"][0]
    assert json.loads(attached) == issued.recommendation


def test_emergency_gets_a_one_page_sbar_handover(workup: Workup, clinician: Any) -> None:
    emergency = variant(workup, lambda c: c["presentation"].update(red_flags=["bladder_or_bowel_dysfunction"]))
    letter = services.create_draft(user=clinician, workup=emergency, service="emergency_department")
    assert letter.kind == "emergency"
    pages = pdf_pages(stored_bytes(services.issue(user=clinician, letter=letter).pdf))
    assert len(pages) == 1
    text = pages[0]
    assert "Emergency handover: emergency department EMERGENCY" in text
    for heading in ("S SITUATION", "B BACKGROUND", "A ASSESSMENT", "R RECOMMENDATION"):
        assert heading in text
    assert "Suspected cauda equina syndrome: please assess now." in text
    assert "Red flags present: New bladder or bowel dysfunction." in text
    assert "Please rule out: Cauda equina syndrome (emergency MRI of the lumbosacral spine" in text
    assert "call 999" not in text


def test_second_referral_can_be_written_to_its_own_service(workup: Workup, clinician: Any) -> None:
    paraprotein = variant(
        workup, lambda c: next(r for r in c["labs"] if r["test"] == "spep").update(value="paraprotein")
    )
    letter = services.create_draft(user=clinician, workup=paraprotein, service="haematology")
    text = " ".join(pdf_pages(services.draft_pdf(letter).pdf))
    assert "Referral to Haematology" in text
    assert "Also referred: Neurology (urgent, within 2 weeks);" in text
    assert "Paraproteinaemic neuropathy Likely" in text


# Rendering safety


def test_fetcher_serves_the_letters_static_files_only() -> None:
    fetcher = letters.static_only_fetcher()
    assert b"@page" in fetcher(letters.LETTER_CSS.as_uri()).read()
    for url in (
        "http://tracker.example/x.png",
        "https://example.org/font.woff",
        "data:text/plain,hello",
        Path("/etc/passwd").as_uri(),
        (letters.LETTERS_STATIC / ".." / ".." / "settings.py").as_uri(),
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher(url)


def test_rendering_markup_that_points_outside_makes_no_network_request(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    fetcher = letters.static_only_fetcher()
    real_fetch = fetcher.fetch

    def spy(url: str, headers: Any = None) -> Any:
        seen.append(url)
        return real_fetch(url, headers)

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the letter tried to open a network connection")

    monkeypatch.setattr(fetcher, "fetch", spy)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<html><body><p>x</p><img src="http://tracker.example/x.png">'
        '<link rel="stylesheet" href="https://cdn.example/a.css"></body></html>'
    )
    rendered = letters.render_pdf(html, url_fetcher=fetcher)
    assert rendered.pages == 1
    assert "http://tracker.example/x.png" in seen
    assert "https://cdn.example/a.css" in seen


def test_emergency_handover_goes_out_even_from_a_barely_recorded_or_invalid_case(patient: Any, clinician: Any) -> None:
    workup = Workup.objects.create(
        patient=patient, created_by=clinician, updated_by=clinician, red_flags=["saddle_numbness"]
    )
    LabResult.objects.create(workup=workup, test="hba1c", value=8, unit="mg/dL")  # a unit HbA1c is never in
    letter = services.create_draft(user=clinician, workup=workup, service="emergency_department")
    pages = pdf_pages(stored_bytes(services.issue(user=clinician, letter=letter).pdf))
    assert len(pages) == 1
    assert "No examination recorded." in pages[0]
    assert "HbA1c 8 mg/dL 4–6" not in pages[0] and "Not read: check value and unit" in pages[0]
    assert "Duration Not recorded" in pages[0]
