"""Load the demo clinics, staff and patients, re-evaluate their workups, and print the logins.

Only records missing from the database are created: a demo record someone has edited keeps the edit (``make
demo-reset`` starts afresh). The medicines vocabulary is reference data and is always brought up to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from workup.models import LabResult, Patient, User, Workup
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
            call_command("loaddata", "medicines", verbosity=0)
            created = create_missing(settings.BASE_DIR / "fixtures" / "demo.json")
            for workup in Workup.objects.select_related("patient"):
                reevaluate(workup)
        self.stdout.write(f"Demo records created: {created} (existing ones left as they are).")
        self.stdout.write(
            f"Demo data: {Patient.objects.count()} patients, {Workup.objects.count()} workups, "
            f"{User.objects.count()} staff."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for user in User.objects.filter(clinic__isnull=False).select_related("clinic").order_by("clinic_id", "pk"):
            self.stdout.write(f"  {user.username:<18} {user.get_role_display():<22} {user.clinic}")


def create_missing(path: Path) -> int:
    """Save the fixture's records that are not in the database yet; return how many were created.

    A result belongs to its workup: the results of a workup that already exists are the users' to change, so one
    they deleted is not brought back.
    """
    existing_workups = set(Workup.objects.values_list("pk", flat=True))
    created, models = 0, set()
    with path.open(encoding="utf-8") as fixture:
        for item in serializers.deserialize("json", fixture):
            obj = item.object
            if isinstance(obj, LabResult) and obj.workup_id in existing_workups:
                continue
            if not type(obj)._default_manager.filter(pk=obj.pk).exists():
                item.save()
                created += 1
                models.add(type(obj))
    _reset_sequences(models)
    return created


def _reset_sequences(models: set[type[Model]]) -> None:
    # Rows saved with fixed keys leave PostgreSQL's id sequences behind (loaddata resets them the same way).
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
