"""The database side of `make loadtest` / `make faulttest`: seed the load's users and workups, count each page's SQL
queries, and check afterwards that every acknowledged write is stored exactly once and nothing is half-written.

Runs in the driver's process against the deployment's database (DATABASE_URL and the other settings come from
.ci/prod-check). The checks compare plain data (what the clients were told, what the database holds), so they read
the database once and then only count.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HISTORY_FIELD = "alcohol_units_per_week"  # the history field each section save writes a unique value into
MARKER_TEST = "fasting_glucose"  # lab row 0 of every seeded workup: each lab save writes a unique value into it
SEED_LABS = [  # normal results, so the unique values written by the load never change the recommendation
    {"test": MARKER_TEST, "value": 5.1, "unit": "mmol/L", "reference_range": {"low": 3.5, "high": 5.5}},
    {"test": "hba1c", "value": 36, "unit": "mmol/mol", "reference_range": {"low": 20, "high": 41}},
    {"test": "b12", "value": 520, "unit": "ng/L", "reference_range": {"low": 180, "high": 900}},
]


def setup_django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workup.settings")
    import django

    django.setup()


@dataclass(frozen=True)
class LoadUser:
    username: str
    clinic: int
    can_sign: bool


@dataclass
class Seed:
    """What the load works on: its users, each clinic's workups, and the objects of the single-endpoint phases."""

    password: str
    users: list[LoadUser]
    workups: dict[int, list[str]]  # clinic -> workup ids the simulated users share
    few_results: str  # workup ids of the page-growth comparison
    many_results: str
    results_in_many: int
    saves: str  # a workup the section- and lab-save phases write to
    preview: str  # a draft letter
    to_sign: list[str]  # drafts the signing phase signs, one each
    versions: dict[str, dict[str, int]] = field(default_factory=dict)  # workup -> section -> version when seeded


def seed(*, users_per_clinic: int, workups_per_clinic: int, to_sign: int, many_results: int) -> Seed:
    """Create the load's staff, patients and workups (copies of a demo workup that leads to a referral)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from workup.management.commands.load_demo import DEMO_PASSWORD
    from workup.models import Clinic, User

    clinics = list(Clinic.objects.order_by("pk")[:2])
    assert len(clinics) == 2, "the demo data (load_demo) has two clinics"
    template = _referral_case()
    hashed = make_password(DEMO_PASSWORD)  # hashed once: the deliberately slow hasher would take seconds for 20
    users: list[LoadUser] = []
    workups: dict[int, list[str]] = {}
    with transaction.atomic():
        for clinic in clinics:
            for n in range(users_per_clinic):
                can_sign = n % 10 < 7  # seven clinicians to three intake staff
                username = f"load-{clinic.pk}-{n + 1:02d}"
                role = "clinician" if can_sign else "intake"
                User.objects.create(username=username, password=hashed, clinic=clinic, role=role, first_name="Load")
                users.append(LoadUser(username, clinic.pk, can_sign))
            workups[clinic.pk] = [_copy(template, clinic, f"{n:03d}") for n in range(workups_per_clinic)]
        home = clinics[0]
        many = _copy(template, home, "many", extra_results=many_results - len(SEED_LABS))
        found = Seed(
            password=DEMO_PASSWORD,
            users=users,
            workups=workups,
            few_results=_copy(template, home, "few"),
            many_results=many,
            results_in_many=many_results,
            saves=_copy(template, home, "saves"),
            preview=_draft(_copy(template, home, "preview")),
            to_sign=[_draft(_copy(template, home, f"sign{n:02d}")) for n in range(to_sign)],
        )
    found.versions = section_versions(w for ws in [*workups.values(), [found.saves]] for w in ws)
    return found


def _referral_case() -> dict[str, Any]:
    """A demo workup's case that leads to a referral, with the seed's own normal results."""
    from workup.cases import workup_to_case
    from workup.models import Workup

    for workup in Workup.objects.filter(stage="refer").order_by("pk"):
        case = workup_to_case(workup)
        case["labs"] = [{**lab, "collected_on": _days_ago(7).isoformat()} for lab in SEED_LABS]
        return case
    raise SystemExit("loadtest: no demo workup leads to a referral (run load_demo first)")


def _days_ago(days: int) -> date:
    from django.utils import timezone

    return timezone.localdate() - timedelta(days=days)


def _copy(case: dict[str, Any], clinic: Any, name: str, *, extra_results: int = 0) -> str:
    from workup.cases import case_to_fields
    from workup.models import LabResult, Patient, User, Workup
    from workup.services.workups import reevaluate

    author = User.objects.filter(clinic=clinic).order_by("pk").first()
    patient = Patient.objects.create(
        clinic=clinic,
        given_name="Load",
        family_name=f"Test {name}",
        date_of_birth=date(1961, 3, 14),
        sex="female",
        identifier=f"LOAD-{name}",
    )
    fields, rows_of_case = case_to_fields(case)
    labs = [{k: v for k, v in row.items() if k != "position"} for row in rows_of_case]
    workup = Workup.objects.create(patient=patient, created_by=author, updated_by=author, **fields)
    rows = [LabResult(workup=workup, position=i, **row) for i, row in enumerate(labs)]
    older = [  # earlier results of the same tests: the page lists them all, the engine reads the latest
        LabResult(workup=workup, position=len(rows) + i, **{**labs[i % len(labs)], "collected_on": _days_ago(60 + i)})
        for i in range(extra_results)
    ]
    LabResult.objects.bulk_create(rows + older)
    reevaluate(workup)
    return str(workup.pk)


def _draft(workup_id: str) -> str:
    from workup.letters import referral_options
    from workup.models import User, Workup
    from workup.services import letters
    from workup.services.workups import evaluate_workup

    workup = Workup.objects.select_related("patient").get(pk=workup_id)
    options = referral_options(evaluate_workup(workup).recommendation)
    assert options, f"loadtest: the seeded workup {workup_id} leads to no referral"
    author = User.objects.filter(clinic_id=workup.patient.clinic_id, role="clinician").order_by("pk").first()
    assert author is not None
    return str(letters.create_draft(user=author, workup=workup, service=options[0]["service"]).pk)


def section_versions(workup_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    from workup.models import Workup

    rows = Workup.objects.filter(pk__in=list(workup_ids)).values_list("pk", "history_version", "labs_version")
    return {str(pk): {"history": history, "labs": labs} for pk, history, labs in rows}


def query_counts(username: str, host: str, paths: dict[str, str]) -> dict[str, int]:
    """SQL queries of one GET of each page, in this process (the second request: the session is warm)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from workup.models import User

    client = Client(HTTP_HOST=host, headers={"X-Forwarded-Proto": "https"})
    client.force_login(User.objects.get(username=username))
    counts = {}
    for name, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        counts[name] = len(captured.captured_queries) if status == 200 else -1
    return counts


# What the clients were told, and the checks against what the database holds.


@dataclass(frozen=True)
class Write:
    """One write a simulated user sent, and what it was told: acked, refused (409 or a refusal), or unknown."""

    kind: str  # history, labs, draft, sign, addendum
    target: str  # the workup or letter written to
    outcome: str  # acked, refused, unknown (no answer, or a server error)
    marker: str = ""  # the unique value a history or lab save wrote
    version: int = -1  # the version the save was based on
    result: str = ""  # the letter a draft or an addendum created


@dataclass
class Stored:
    """What the database holds for the checks, read once after the run."""

    versions: dict[str, dict[str, int]]
    markers: dict[str, Counter[tuple[str, str]]]  # kind -> (workup, marker) -> audit events that stored it
    final: dict[str, dict[str, str]]  # kind -> workup -> the marker stored now
    lab_rows: dict[str, list[int]]  # workup -> positions of its results
    letters: list[dict[str, Any]]
    sign_events: Counter[str]  # letter -> "sign" audit events


def read_stored(workup_ids: list[str]) -> Stored:
    from django.db import connection

    from workup.cases import lab_to_case
    from workup.models import AuditEvent, LabResult, Letter, Workup

    connection.close()  # after a database restart, this process's connection is gone
    markers: dict[str, Counter[tuple[str, str]]] = {"history": Counter(), "labs": Counter()}
    changes = AuditEvent.objects.filter(action="change", object_type="workup", object_id__in=workup_ids)
    for workup_id, change in changes.values_list("object_id", "changes"):
        if HISTORY_FIELD in (change or {}):
            markers["history"][(workup_id, marker(change[HISTORY_FIELD][1]))] += 1
        if "labs" in (change or {}):
            # Results are rows (a save adds, edits or removes rows; a clash adds the user's row beside the other's):
            # a save stored a marker when the marker is in the rows after it and was not before.
            before, after = change["labs"]
            for value in _lab_markers(after or []) - _lab_markers(before or []):
                markers["labs"][(workup_id, value)] += 1
    final: dict[str, dict[str, str]] = {"history": {}, "labs": {}}
    for pk, value in Workup.objects.filter(pk__in=workup_ids).values_list("pk", HISTORY_FIELD):
        final["history"][str(pk)] = marker(value)
    lab_rows: dict[str, list[int]] = defaultdict(list)
    for lab in LabResult.objects.filter(workup_id__in=workup_ids).order_by("position", "pk"):
        lab_rows[str(lab.workup_id)].append(lab.position)
        here = _lab_marker([lab_to_case(lab)])
        if here:  # the markers a workup holds now, newest last (rows are added at the end)
            final["labs"][str(lab.workup_id)] = here
    fields = ("pk", "reference", "version", "amends_id", "status", "pdf", "pdf_sha256", "pages")
    letters = [dict(zip(fields, row, strict=True)) for row in Letter.objects.values_list(*fields)]
    signs = AuditEvent.objects.filter(action="sign", object_type="letter").values_list("object_id", flat=True)
    return Stored(section_versions(workup_ids), markers, final, dict(lab_rows), letters, Counter(signs))


def marker(value: Any) -> str:
    """A written value as the check compares it: 1.0010 and 1.001 are the same write."""
    return "" if value is None else f"{float(value):.6f}"


def _lab_markers(rows: list[dict[str, Any]]) -> set[str]:
    return {marker(row["value"]) for row in rows if row.get("test") == MARKER_TEST and row.get("value") is not None}


def _lab_marker(rows: list[dict[str, Any]]) -> str:
    return marker(rows[0]["value"]) if rows and rows[0].get("test") == MARKER_TEST else ""


@dataclass
class Check:
    name: str
    problems: list[str]
    summary: str

    @property
    def ok(self) -> bool:
        return not self.problems


def run_checks(writes: list[Write], downloads: list[tuple[str, str]], seeded: Seed, stored: Stored) -> list[Check]:
    """Every check of the run: each write kind, the letter chains, the stored PDFs and the downloaded ones."""
    checks = [check_saves(kind, writes, seeded.versions, stored) for kind in ("history", "labs")]
    checks.append(check_lab_rows(stored, {w.target for w in writes if w.kind == "labs"}, len(SEED_LABS)))
    checks.append(check_letter_writes(writes, stored))
    checks.append(check_chains(stored.letters))
    checks.append(check_pdfs(stored.letters, stored.sign_events, downloads))
    return checks


def check_saves(kind: str, writes: list[Write], initial: dict[str, dict[str, int]], stored: Stored) -> Check:
    """Acknowledged saves stored exactly once, refused ones not at all, and the version counted every stored one."""
    mine = [w for w in writes if w.kind == kind]
    found = stored.markers[kind]
    problems = []
    for w in mine:
        times = found[(w.target, w.marker)]
        if (w.outcome == "acked" and times != 1) or (w.outcome == "refused" and times) or times > 1:
            problems.append(f"{kind} save {w.marker} on {w.target} ({w.outcome}) is stored {times} times")
    sent = {(w.target, w.marker) for w in mine}
    problems += [f"{kind} value {m} on {t} was stored but never sent" for (t, m) in found if (t, m) not in sent]
    for workup, before in initial.items():
        stored_saves = sorted((w.version, w.marker) for w in mine if w.target == workup and found[(workup, w.marker)])
        counted = stored.versions[workup][kind] - before[kind]
        if counted != len(stored_saves):
            problems.append(f"{workup}: {kind} version moved {counted} times for {len(stored_saves)} stored saves")
        # Lab results are rows kept side by side on a clash, so only a section holds one value to compare.
        if kind == "history" and stored_saves and stored.final[kind].get(workup) != stored_saves[-1][1]:
            problems.append(f"{workup}: {kind} holds {stored.final[kind].get(workup)}, not the last save's value")
    acked = sum(w.outcome == "acked" for w in mine)
    summary = (
        f"{acked} acknowledged, each stored exactly once; {sum(w.outcome == 'refused' for w in mine)} refused as "
        f"stale (409), none stored; {sum(w.outcome == 'unknown' for w in mine)} without an answer, none twice"
    )
    return Check(f"{kind} saves", problems, summary)


def check_lab_rows(stored: Stored, workups: set[str], rows: int) -> Check:
    """Lab saves keep every row: no duplicate or missing position, and never fewer rows than were seeded."""
    problems = []
    for w in sorted(workups):
        positions = stored.lab_rows.get(w, [])
        if positions != list(range(len(positions))) or len(positions) < rows:
            problems.append(f"{w}: result positions {positions}")
    return Check("lab rows", problems, f"{len(workups)} workups written, none lost a result (at least {rows} each)")


def check_letter_writes(writes: list[Write], stored: Stored) -> Check:
    """Acknowledged drafts, signatures and addenda are all there, each as it was acknowledged."""
    letters = {str(row["pk"]): row for row in stored.letters}
    problems = []
    counts: Counter[str] = Counter()
    for w in writes:
        if w.kind not in ("draft", "sign", "addendum") or w.outcome != "acked":
            continue
        counts[w.kind] += 1
        letter = letters.get(w.result or w.target)
        if letter is None:
            problems.append(f"acknowledged {w.kind} {w.result or w.target} is missing")
        elif w.kind == "sign" and letter["status"] != "issued":
            problems.append(f"acknowledged signature of {w.target} but the letter is {letter['status']}")
        elif w.kind == "addendum":
            amended = letters.get(w.target)
            if str(letter["amends_id"]) != w.target or amended is None or letter["version"] != amended["version"] + 1:
                problems.append(f"addendum {w.result} does not follow {w.target}")
    summary = (
        f"{counts['draft']} drafts, {counts['sign']} signatures, {counts['addendum']} addenda acknowledged, all stored"
    )
    return Check("letter writes", problems, summary)


def check_chains(letters: list[dict[str, Any]]) -> Check:
    """Each letter's versions run 1..n without a gap, each amends the one before, and only the last may be a draft."""
    chains: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in letters:
        chains[row["reference"].rsplit("-v", 1)[0] if row["version"] > 1 else row["reference"]].append(row)
    problems = []
    for reference, rows in chains.items():
        rows.sort(key=lambda r: r["version"])
        if [r["version"] for r in rows] != list(range(1, len(rows) + 1)):
            problems.append(f"{reference}: versions {[r['version'] for r in rows]}")
            continue
        for before, after in pairwise(rows):
            if after["amends_id"] != before["pk"] or after["reference"] != f"{reference}-v{after['version']}":
                problems.append(f"{reference} v{after['version']} does not amend v{before['version']}")
        if any(r["status"] != "issued" for r in rows[:-1]):
            problems.append(f"{reference}: a version before the last is still a draft")
    longest = max((len(rows) for rows in chains.values()), default=0)
    return Check("letter versions", problems, f"{len(chains)} letters, up to {longest} versions, all contiguous")


def check_pdfs(letters: list[dict[str, Any]], sign_events: Counter[str], downloads: list[tuple[str, str]]) -> Check:
    """Issued means a PDF matching its SHA-256 and one signature event; a draft has neither; downloads match."""
    problems = []
    issued = {}
    for row in letters:
        pk, data = str(row["pk"]), bytes(row["pdf"]) if row["pdf"] is not None else None
        if row["status"] == "issued":
            issued[pk] = row["pdf_sha256"]
            if not data or not data.startswith(b"%PDF-") or hashlib.sha256(data).hexdigest() != row["pdf_sha256"]:
                problems.append(f"issued letter {pk}: the stored PDF does not match its SHA-256")
            if sign_events[pk] != 1:
                problems.append(f"issued letter {pk} has {sign_events[pk]} signature events")
        elif data is not None or row["pdf_sha256"] or sign_events[pk]:
            problems.append(f"draft {pk} carries a PDF, a hash or a signature event (half-issued)")
    bad = [pk for pk, digest in downloads if issued.get(pk) != digest]
    problems += [f"a download of {pk} does not match the stored SHA-256" for pk in bad]
    summary = f"{len(issued)} issued PDFs match their SHA-256; {len(downloads)} downloads match the stored bytes"
    return Check("stored PDFs", problems, summary)
