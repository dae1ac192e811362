"""make loadtest / faulttest: the short modes run in make test, and their checks catch what they exist to catch.

The drivers (.ci/loadtest.py, .ci/load_client.py, .ci/load_db.py) run against a real deployment in make test; these
tests feed their checks and their form reader made-up answers, so a check that could never fail would show here.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / ".ci"))

from load_client import form_fields, percentile  # noqa: E402
from load_db import Stored, Write, check_chains, check_pdfs, check_saves  # noqa: E402

PAGE = b"""
<form method="post" action="/logout/"><input name="csrfmiddlewaretoken" value="other"></form>
<form method="post" action="/workups/w1/history/" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="radio" name="history-diabetes" value="" id="a">
  <input type="radio" name="history-diabetes" value="known" id="b" checked>
  <input type="number" name="history-alcohol_units_per_week" value="4" step="any">
  <input type="checkbox" name="history-b12_risks" value="metformin" checked>
  <input type="checkbox" name="history-b12_risks" value="vegan_diet">
  <input type="checkbox" name="history-b12_risks" value="nitrous_oxide" checked>
  <select name="history-course"><option value="">-</option><option value="stable" selected>Stable</option></select>
  <select name="history-side"><option value="">-</option><option value="left">Left</option></select>
  <textarea name="history-note">
Tom &amp; Jerry</textarea>
  <template><input name="labs-__prefix__-value" value=""></template>
  <button type="submit" name="save">Save</button>
</form>
"""


def test_make_test_runs_the_short_load_and_fault_modes() -> None:
    makefile = (REPO / "Makefile").read_text()
    test_target = re.search(r"^test:(.*)$", makefile, re.M)
    assert test_target and "loadtest-short" in test_target[1].split()
    short = re.search(r"^loadtest-short:.*\n\t(.*)$", makefile, re.M)
    assert short and "load fault --short" in short[1]


def test_a_form_is_read_as_a_browser_submits_it() -> None:
    assert form_fields(PAGE, "/workups/w1/history/") == [
        ("csrfmiddlewaretoken", "tok"),
        ("history-diabetes", "known"),
        ("history-alcohol_units_per_week", "4"),
        ("history-b12_risks", "metformin"),
        ("history-b12_risks", "nitrous_oxide"),
        ("history-course", "stable"),
        ("history-side", ""),
        ("history-note", "Tom & Jerry"),
    ]
    assert form_fields(PAGE, "/workups/w1/labs/") is None


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile([3.0], 0.95)) == (50.0, 95.0, 3.0)


def stored(markers: Counter[tuple[str, str]], version: int, final: str) -> Stored:
    return Stored(
        versions={"w1": {"history": version, "labs": 0}},
        markers={"history": markers, "labs": Counter()},
        final={"history": {"w1": final}, "labs": {}},
        lab_rows={},
        letters=[],
        sign_events=Counter(),
    )


def test_saves_check_passes_when_each_acknowledged_save_is_stored_once() -> None:
    writes = [Write("history", "w1", "acked", "1", 0), Write("history", "w1", "refused", "2", 0)]
    result = check_saves("history", writes, {"w1": {"history": 0}}, stored(Counter({("w1", "1"): 1}), 1, "1"))
    assert result.ok, result.problems


def test_saves_check_catches_lost_doubled_refused_and_uncounted_writes() -> None:
    writes = [
        Write("history", "w1", "acked", "1", 0),
        Write("history", "w1", "acked", "2", 1),
        Write("history", "w1", "refused", "3", 1),
    ]
    found = Counter({("w1", "2"): 2, ("w1", "3"): 1, ("w1", "9"): 1})
    problems = check_saves("history", writes, {"w1": {"history": 0}}, stored(found, 1, "2")).problems
    text = "\n".join(problems)
    assert "save 1 on w1 (acked) is stored 0 times" in text
    assert "save 2 on w1 (acked) is stored 2 times" in text
    assert "save 3 on w1 (refused) is stored 1 times" in text
    assert "value 9 on w1 was stored but never sent" in text
    assert "version moved 1 times for 2 stored saves" in text


def letter(pk: str, reference: str, version: int, amends: str | None, status: str = "issued") -> dict[str, object]:
    pdf = b"%PDF-1.7 " + pk.encode() if status == "issued" else None
    digest = hashlib.sha256(pdf).hexdigest() if pdf else ""
    return {"pk": pk, "reference": reference, "version": version, "amends_id": amends, "status": status, "pdf": pdf,
            "pdf_sha256": digest, "pages": 1}  # fmt: skip


def test_chain_check_catches_a_gap_and_a_draft_before_the_last_version() -> None:
    good = [letter("a", "WU-1", 1, None), letter("b", "WU-1-v2", 2, "a", "draft")]
    assert check_chains(good).ok
    gap = [letter("a", "WU-1", 1, None), letter("c", "WU-1-v3", 3, "a")]
    assert "WU-1: versions [1, 3]" in check_chains(gap).problems
    early_draft = [letter("a", "WU-1", 1, None, "draft"), letter("b", "WU-1-v2", 2, "a")]
    assert check_chains(early_draft).problems == ["WU-1: a version before the last is still a draft"]


def test_pdf_check_catches_a_changed_pdf_a_half_issued_draft_and_a_bad_download() -> None:
    issued, draft = letter("a", "WU-1", 1, None), letter("b", "WU-2", 1, None, "draft")
    assert check_pdfs([issued, draft], Counter({"a": 1}), [("a", str(issued["pdf_sha256"]))]).ok
    tampered = {**issued, "pdf": b"%PDF-1.7 changed"}
    half = {**draft, "pdf_sha256": "0" * 64}
    problems = check_pdfs([tampered, half], Counter({"a": 2}), [("a", "f" * 64)]).problems
    assert problems == [
        "issued letter a: the stored PDF does not match its SHA-256",
        "issued letter a has 2 signature events",
        "draft b carries a PDF, a hash or a signature event (half-issued)",
        "a download of a does not match the stored SHA-256",
    ]
