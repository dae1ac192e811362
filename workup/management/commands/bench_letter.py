"""python manage.py bench_letter : median time to render a letter (context, HTML and PDF) after one warm-up, and its
ratio to bare WeasyPrint rendering the same HTML (nothing cached, no attachment), measured in the same run."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workup import letters as rendering
from workup.letters import LetterSource
from workup.models import Workup
from workup.services import letters as services

MAX_WORKUPS = 40


class Command(BaseCommand):
    help = (
        "Render the demo letters (one per workup that leads to a referral, never saved) repeatedly after one "
        "warm-up, and print '<S> s median per letter, <P> pages, <R>x bare WeasyPrint on the same HTML'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=10, help="timed rounds over all the letters (default 10)")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = self._sources()
        for source in sources:  # warm-up: imports, fonts, stylesheet, templates
            rendering.render_letter(source)
        htmls = [rendering.render_html(rendering.build_context(source)) for source in sources]
        for html in htmls:
            bare_weasyprint(html)
        seconds, bare, pages = [], [], []
        for _ in range(max(1, options["repeat"])):
            for source, html in zip(sources, htmls, strict=True):
                start = time.perf_counter()
                rendered = rendering.render_letter(source)
                seconds.append(time.perf_counter() - start)
                pages.append(rendered.pages)
                start = time.perf_counter()
                bare_weasyprint(html)
                bare.append(time.perf_counter() - start)
        median = statistics.median(seconds)
        self.stdout.write(
            f"{median:.3f} s median per letter, {statistics.median(pages):g} pages, "
            f"{median / statistics.median(bare):.2f}x bare WeasyPrint on the same HTML"
        )

    def _sources(self) -> list[LetterSource]:
        workups = list(
            Workup.objects.select_related("patient__clinic")
            .prefetch_related("labs")
            .order_by("created_at")[:MAX_WORKUPS]
        )
        if not workups:
            raise CommandError(
                "No workups in the database, so no letters to render. Load the demo first: "
                "`make demo` (or `python manage.py migrate && python manage.py load_demo`)."
            )
        sources = []
        for workup in workups:
            try:
                sources.append(services.draft_source(services.unsaved_draft(workup)))
            except services.LetterError:
                continue  # this workup leads to no referral (yet): it has no letter
        if not sources:
            raise CommandError(
                f"None of the {len(workups)} workups leads to a referral, so there is no letter to render. "
                "Load the demo (`make demo` or `python manage.py load_demo`), whose workups reach every stage."
            )
        return sources


def bare_weasyprint(html: str) -> bytes:
    """The baseline: WeasyPrint's own HTML-to-PDF on the letter's HTML, stylesheet and PDF/A options, nothing cached."""
    import weasyprint

    base = rendering.LETTERS_STATIC.as_uri() + "/"
    css = [
        weasyprint.CSS(filename=str(rendering.LETTER_CSS)),
        weasyprint.CSS(string=f"@page {{ size: {rendering.PAPER_SIZES[settings.LETTER_PAPER]}; }}"),
    ]
    pdf: bytes = weasyprint.HTML(string=html, base_url=base).write_pdf(stylesheets=css, **rendering.PDF_OPTIONS)
    return pdf
