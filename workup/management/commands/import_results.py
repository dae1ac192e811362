"""python manage.py import_results WORKUP_UUID FILE [--commit] : read a FHIR or HL7 v2 results file into a workup."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from workup.interop.fhir.labs import ImportError_, preview
from workup.models import Workup
from workup.services.lab_import import commit_import
from workup.services.workups import RoutineStopped, StaleSection


class Command(BaseCommand):
    help = (
        "Read a FHIR JSON (Observation, DiagnosticReport, Bundle) or HL7 v2 ORU^R01 file against the workup and "
        "print one line per result: 'recognised <test> <value> <unit> <date>' or 'refused: <reason>'. "
        "Nothing is saved without --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workup", type=UUID, help="the workup's id (a UUID)")
        parser.add_argument("file", type=Path, help="the results message")
        parser.add_argument("--commit", action="store_true", help="save the recognised, new results")

    def handle(self, *args: Any, **options: Any) -> None:
        workup = Workup.objects.select_related("patient__clinic").filter(pk=options["workup"]).first()
        if workup is None:
            raise CommandError(f"No workup {options['workup']}.")
        try:
            result = preview(workup, options["file"].read_bytes(), today=timezone.localdate())
        except (OSError, ImportError_) as exc:
            raise CommandError(str(exc)) from exc
        for line in result.lines():
            self.stdout.write(line)
        if result.patient_problem:
            raise CommandError("Nothing imported: the message is for another patient.")
        if not options["commit"]:
            self.stdout.write(f"{len(result.to_save)} to save; nothing saved (add --commit to save).")
            return
        try:
            added = commit_import(user=None, workup=workup, preview=result)
        except (StaleSection, RoutineStopped) as exc:
            raise CommandError(f"Nothing imported: the workup's results cannot be changed now ({exc}).") from exc
        self.stdout.write(f"Saved {added} result{'s' if added != 1 else ''}.")
