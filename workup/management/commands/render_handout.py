"""python manage.py render_handout WORKUP_UUID --output FILE.pdf [--large-print] : the patient's copy as a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workup import handouts
from workup.letters import RenderError
from workup.models import Workup


class Command(BaseCommand):
    help = "Render the patient's own copy of a workup (what happens next, self-care, when to get help) to a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workup", type=UUID, help="the workup's id (a UUID)")
        parser.add_argument("--output", "-o", type=Path, required=True, help="where to write the PDF")
        parser.add_argument("--large-print", action="store_true", help="16 pt text instead of 12 pt")

    def handle(self, *args: Any, **options: Any) -> None:
        workup = Workup.objects.select_related("patient__clinic").filter(pk=options["workup"]).first()
        if workup is None:
            raise CommandError(f"No workup {options['workup']}.")
        handout = handouts.for_workup(workup, large_print=options["large_print"])
        if handout is None:
            raise CommandError("The workup has problems to correct before the patient's copy can be made.")
        try:
            rendered = handouts.render_pdf(handout)
        except RenderError as exc:
            raise CommandError(str(exc)) from exc
        options["output"].write_bytes(rendered.pdf)
        size = "large print" if handout.large_print else "standard print"
        self.stdout.write(
            f"Wrote {options['output']}: {rendered.pages} page{'s' if rendered.pages != 1 else ''}, {size}, "
            f"covering: {'; '.join(handout.titles())}."
        )
