"""Load the demo clinics, staff and patients (idempotent), re-evaluate their workups, and print the logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from workup.models import Patient, User, Workup
from workup.services.workups import reevaluate

DEMO_PASSWORD = "workup-demo-2026"  # noqa: S105 - published demo credentials, also in README


class Command(BaseCommand):
    help = "Load fixtures/demo.json (safe to run twice) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="load even with DEBUG off (a test deployment, never a real one)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            # DEBUG off means production: demo accounts with a published password must not appear there by mistake.
            raise CommandError(
                "DEBUG is off, so this looks like a production database: the demo accounts' password is public. "
                "Nothing was loaded. Use DEBUG=1 for a demo, or --force for a throwaway test deployment."
            )
        with transaction.atomic():
            call_command("loaddata", "demo", verbosity=0)
            for workup in Workup.objects.select_related("patient"):
                reevaluate(workup)
        self.stdout.write(
            f"Demo data: {Patient.objects.count()} patients, {Workup.objects.count()} workups, "
            f"{User.objects.count()} staff."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for user in User.objects.filter(clinic__isnull=False).select_related("clinic").order_by("clinic_id", "pk"):
            self.stdout.write(f"  {user.username:<18} {user.get_role_display():<22} {user.clinic}")
