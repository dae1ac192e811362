"""python manage.py cds_hooks_demo : send a patient-view hook built from each demo workup and print the cards."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workup.interop.cds_hooks.sample import InProcessEhr
from workup.models import Workup


class Command(BaseCommand):
    help = "Send a CDS Hooks patient-view request from the demo data through the service (in-process); print the cards."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", default="Riverside Surgery", help="the demo clinic whose workups are sent")
        parser.add_argument("--force", action="store_true", help="run with DEBUG off (a throwaway deployment)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("The demo writes cards and audit events: run it with DEBUG=1, or --force.")
        workups = list(
            Workup.objects.filter(patient__clinic__name=options["clinic"])
            .select_related("patient", "patient__clinic")
            .order_by("patient__family_name")
        )
        if not workups:
            raise CommandError(f"No workups in {options['clinic']!r}: run `python manage.py load_demo` first.")
        ehr = InProcessEhr(workups[0])
        try:
            for workup in workups:
                self._show(workup, ehr.patient_view(workup))
        finally:
            ehr.close()

    def _show(self, workup: Workup, response: Any) -> None:
        patient = workup.patient
        self.stdout.write(
            f"\n== {patient.given_name} {patient.family_name} ({patient.identifier}): HTTP {response.status_code}"
        )
        for card in response.json().get("cards", []):
            self.stdout.write(f"  [{card['indicator']}] {card['summary']}")
            for suggestion in card.get("suggestions", []):
                self.stdout.write(f"      suggests: {suggestion['label']}")
            self.stdout.write(f"      link: {card['links'][0]['url']}")
