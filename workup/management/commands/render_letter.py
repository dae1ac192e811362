"""python manage.py render_letter WORKUP_UUID --output FILE.pdf : the workup's current draft letter as a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workup.models import Workup
from workup.services import letters as services


class Command(BaseCommand):
    help = (
        "Render the workup's current draft letter (the most recently changed one) to a PDF, marked DRAFT. "
        "Without a saved draft, render the letter the recommendation leads to, without saving it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workup", type=UUID, help="the workup's id (a UUID)")
        parser.add_argument("--output", "-o", type=Path, required=True, help="where to write the PDF")
        parser.add_argument("--service", help="without a saved draft: the referral to write (default: most urgent)")

    def handle(self, *args: Any, **options: Any) -> None:
        workup = Workup.objects.select_related("patient__clinic").filter(pk=options["workup"]).first()
        if workup is None:
            raise CommandError(f"No workup {options['workup']}.")
        try:
            letter = services.current_draft(workup, service=options["service"])
            rendered = services.draft_pdf(letter)
        except services.LetterError as exc:
            raise CommandError(str(exc)) from exc
        options["output"].write_bytes(rendered.pdf)
        what = "not saved" if letter._state.adding else f"draft {letter.reference} v{letter.version}"
        self.stdout.write(
            f"Wrote {options['output']}: {rendered.pages} page{'s' if rendered.pages != 1 else ''}, "
            f"{letter.get_kind_display().lower()} to {letter.get_service_display().lower()} "
            f"({letter.get_urgency_display().lower()}), {what}."
        )
