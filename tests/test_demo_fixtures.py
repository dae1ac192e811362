"""The demo data loads on an empty database, twice without duplicates, and reaches every stage and pattern."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from workup.models import Clinic, LabResult, Patient, User, Workup
from workup.rules import vocab
from workup.services.workups import evaluate_workup

pytestmark = pytest.mark.django_db
FIXTURE_DAY = date(2026, 11, 21)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Clinic, User, Patient, Workup, LabResult))


def test_loaddata_works_on_an_empty_database() -> None:
    call_command("loaddata", "demo", verbosity=0)
    assert counts()[:4] == (2, 6, 13, 13)


def test_load_demo_twice_creates_nothing_twice(settings: Any) -> None:
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first
    assert "clinician" in out.getvalue() and "workup-demo-2026" in out.getvalue()


def test_load_demo_refuses_to_run_with_debug_off(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", stdout=StringIO())
    assert counts() == (0, 0, 0, 0, 0)


def test_load_demo_with_force_loads_with_debug_off(settings: Any) -> None:
    settings.DEBUG = False
    call_command("load_demo", "--force", stdout=StringIO())
    assert User.objects.filter(username="clinician").exists()


def test_demo_workups_reach_every_stage_and_pattern() -> None:
    call_command("loaddata", "demo", verbosity=0)
    riverside = Workup.objects.filter(patient__clinic__name="Riverside Surgery").select_related("patient")
    recs = [evaluate_workup(w, today=FIXTURE_DAY).recommendation for w in riverside]
    assert all(recs), "every demo workup is a valid case"
    assert {r["stage"] for r in recs if r} == vocab.codes(vocab.STAGE)
    assert {r["pattern"] for r in recs if r} == vocab.codes(vocab.PATTERN)


def test_stored_summaries_match_the_engine() -> None:
    """The worklist reads cached urgency/stage; the fixture's cache must be what the engine says."""
    call_command("loaddata", "demo", verbosity=0)
    for w in Workup.objects.select_related("patient"):
        rec: dict[str, Any] = evaluate_workup(w, today=FIXTURE_DAY).recommendation or {}
        assert (w.urgency, w.stage, w.pattern) == (rec["urgency"], rec["stage"], rec["pattern"]), w.patient


def test_demo_logins_work_and_belong_to_their_clinics(client: Any) -> None:
    call_command("loaddata", "demo", verbosity=0)
    for username in ("intake", "clinician", "admin", "hilltop-clinician"):
        response = client.post("/login/", {"username": username, "password": "workup-demo-2026"})
        assert response.status_code == 302, username
        client.post("/logout/")
    hilltop = User.objects.filter(username__startswith="hilltop")
    assert set(hilltop.values_list("clinic__name", flat=True)) == {"Hilltop Practice"}


def test_the_fixture_is_what_make_demo_fixture_writes() -> None:
    """fixtures/demo.json is generated: a hand edit, or a demo case changed without regenerating, fails here."""
    import json

    from workup.management.commands.make_demo_fixture import FIXTURE, fixture_rows

    assert json.loads(FIXTURE.read_text()) == json.loads(json.dumps(fixture_rows()))


def test_load_demo_again_keeps_a_users_edits(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    edited = Workup.objects.exclude(diabetes="").first()
    assert edited is not None
    Workup.objects.filter(pk=edited.pk).update(diabetes="not_known" if edited.diabetes == "known" else "known")
    Patient.objects.filter(pk=edited.patient_id).update(occupation="Edited by a user")
    out = StringIO()
    call_command("load_demo", stdout=out)
    again = Workup.objects.get(pk=edited.pk)
    assert again.diabetes != edited.diabetes
    assert Patient.objects.get(pk=edited.patient_id).occupation == "Edited by a user"
    assert "Demo records created: 0" in out.getvalue()


def test_load_demo_does_not_bring_back_a_result_a_user_deleted(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    lab = LabResult.objects.first()
    assert lab is not None
    lab_id = lab.pk
    lab.delete()
    call_command("load_demo", stdout=StringIO())
    assert not LabResult.objects.filter(pk=lab_id).exists()


def test_load_demo_creates_a_missing_demo_patient_with_everything_it_holds(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    workup = Workup.objects.filter(labs__isnull=False).distinct().first()
    assert workup is not None
    patient_id, labs = workup.patient_id, workup.labs.count()
    workup.labs.all().delete()
    Workup.objects.filter(pk=workup.pk).delete()
    Patient.objects.filter(pk=patient_id).delete()
    call_command("load_demo", stdout=StringIO())
    assert Workup.objects.get(pk=workup.pk).labs.count() == labs


def test_load_demo_loads_the_medicines_vocabulary(settings: Any) -> None:
    from workup.models import MedicineTerm

    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    assert MedicineTerm.objects.filter(name="Metformin", engine_code="metformin").exists()


def test_after_load_demo_new_records_get_fresh_keys(settings: Any) -> None:
    """PostgreSQL's id sequences move past the demo's fixed keys, so the first real user does not collide."""
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    clinic = Clinic.objects.first()
    User.objects.create(username="operator", clinic=clinic)
    assert User.objects.count() == 7
