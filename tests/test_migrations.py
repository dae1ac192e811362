"""Migration 0003 turns stored 2026.11 answers into what they meant under ruleset 2026.12, and back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("workup", "0002_letter_issued_has_pdf")]
AFTER = [("workup", "0003_ruleset_2026_12_inputs")]


@pytest.fixture
def migrator(transactional_db: Any) -> Iterator[Any]:
    """Move the database to a migration and return the models as they were there; back to the latest afterwards."""

    def migrate(target: list[tuple[str, str]]) -> Any:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target)
        return executor.loader.project_state(target).apps

    yield migrate
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_workups(apps: Any) -> dict[str, Any]:
    clinic = apps.get_model("workup", "Clinic").objects.create(name="Riverside")
    user = apps.get_model("workup", "User").objects.create(username="clare", clinic=clinic)
    patient = apps.get_model("workup", "Patient").objects.create(
        clinic=clinic, given_name="A", family_name="B", date_of_birth="1960-01-01", sex="female", identifier="1"
    )
    Workup = apps.get_model("workup", "Workup")
    rows = {
        "normal, no flags ticked": {"foot_inspection": "normal", "red_flags": []},
        "ulcer, a flag": {"foot_inspection": "ulcer_or_infection", "red_flags": ["saddle_numbness"]},
        "not inspected, never saved": {"foot_inspection": "", "red_flags": None},
    }
    return {name: Workup.objects.create(patient=patient, created_by=user, **v).pk for name, v in rows.items()}


def test_0002_reads_old_foot_inspections_and_unticked_red_flags_as_2026_12_says(migrator: Any, capsys: Any) -> None:
    ids = _old_workups(migrator(BEFORE))
    Workup = migrator(AFTER).get_model("workup", "Workup")
    stored = {name: Workup.objects.get(pk=pk) for name, pk in ids.items()}

    assert stored["normal, no flags ticked"].foot_inspection == []  # inspected, nothing found
    assert stored["ulcer, a flag"].foot_inspection == ["ulcer"]
    assert stored["not inspected, never saved"].foot_inspection is None
    # The old form saved [] for unticked boxes: that was never an answer, so the engine must ask (Q1).
    assert stored["normal, no flags ticked"].red_flags is None
    assert stored["ulcer, a flag"].red_flags == ["saddle_numbness"]
    assert stored["not inspected, never saved"].red_flags is None
    assert "2 foot inspections, 1 red flags never asked" in capsys.readouterr().out


def test_0002_new_fields_start_not_recorded(migrator: Any) -> None:
    ids = _old_workups(migrator(BEFORE))
    workup = migrator(AFTER).get_model("workup", "Workup").objects.get(pk=ids["normal, no flags ticked"])
    assert (workup.notes, workup.notes_checked, workup.pregnant) == ("", False, None)
    assert workup.medications is None and workup.foot_history is None
    assert workup.family_history_neuropathy is None and workup.chemotherapy_ended_months_ago is None


def test_0002_reverses_to_the_nearest_2026_11_foot_inspection(migrator: Any) -> None:
    migrator(BEFORE)
    apps = migrator(AFTER)
    clinic = apps.get_model("workup", "Clinic").objects.create(name="Riverside")
    user = apps.get_model("workup", "User").objects.create(username="clare", clinic=clinic)
    patient = apps.get_model("workup", "Patient").objects.create(
        clinic=clinic, given_name="A", family_name="B", date_of_birth="1960-01-01", sex="female", identifier="1"
    )
    Workup = apps.get_model("workup", "Workup")
    findings = {"nothing": [], "callus": ["callus", "deformity"], "gangrene": ["gangrene"], "none": None}
    ids = {
        k: Workup.objects.create(patient=patient, created_by=user, foot_inspection=v).pk for k, v in findings.items()
    }

    Old = migrator(BEFORE).get_model("workup", "Workup")
    assert {k: Old.objects.get(pk=pk).foot_inspection for k, pk in ids.items()} == {
        "nothing": "normal",
        "callus": "normal",
        "gangrene": "ulcer_or_infection",
        "none": "",
    }


BEFORE_0006 = [("workup", "0008_patient_record")]
AFTER_0006 = [("workup", "0009_history_not_asked")]


def test_0006_reads_unticked_history_lists_as_not_asked(migrator: Any, capsys: Any) -> None:
    apps = migrator(BEFORE_0006)
    clinic = apps.get_model("workup", "Clinic").objects.create(name="Riverside")
    user = apps.get_model("workup", "User").objects.create(username="clare", clinic=clinic)
    patient = apps.get_model("workup", "Patient").objects.create(
        clinic=clinic, given_name="A", family_name="B", date_of_birth="1960-01-01", sex="female", identifier="1"
    )
    Workup = apps.get_model("workup", "Workup")
    saved_unticked = Workup.objects.create(
        patient=patient,
        created_by=user,
        chemotherapy=[],
        b12_risks=["metformin"],
        medications=[],
        cns_history=[],
        spine_history=["disc_herniation"],
        foot_history=[],
        red_flags=[],
    )
    never_saved = Workup.objects.create(patient=patient, created_by=user)

    New = migrator(AFTER_0006).get_model("workup", "Workup")
    w = New.objects.get(pk=saved_unticked.pk)
    # The old form saved [] for every unticked list: never an answer, so now "not asked".
    assert (w.chemotherapy, w.medications, w.cns_history, w.foot_history) == (None, None, None, None)
    assert w.b12_risks == ["metformin"] and w.spine_history == ["disc_herniation"]
    assert w.red_flags == []  # answered explicitly since 0003: not this migration's to change
    assert New.objects.get(pk=never_saved.pk).b12_risks is None
    assert "1 chemotherapy, 1 medications, 1 cns_history, 1 foot_history" in capsys.readouterr().out


def test_0006_reverses_without_inventing_answers(migrator: Any) -> None:
    migrator(AFTER_0006)
    Old = migrator(BEFORE_0006).get_model("workup", "Workup")
    assert Old.objects.count() == 0  # reversible: the schema is unchanged and None stays None
