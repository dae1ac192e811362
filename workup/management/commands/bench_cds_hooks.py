"""python manage.py bench_cds_hooks : median and p95 time of a patient-view call with full prefetch, in-process."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workup.interop.cds_hooks.sample import InProcessEhr
from workup.models import Workup

TARGET_P95_MS = 50.0


class Command(BaseCommand):
    help = "Time CDS Hooks patient-view calls with every prefetch item (JWT, mapping, engine, cards, writes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        workup = (
            Workup.objects.filter(labs__isnull=False)
            .select_related("patient", "patient__clinic")
            .order_by("created_at")
            .first()
        )
        if workup is None:
            raise CommandError("No workup with results: run `python manage.py load_demo` first.")
        ehr = InProcessEhr(workup)
        try:
            for _ in range(5):  # warm-up: imports, first queries
                ehr.patient_view(workup)
            times = []
            for _ in range(max(options["calls"], 20)):
                start = time.perf_counter()
                response = ehr.patient_view(workup)
                times.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"The call answered {response.status_code}: {response.content[:300]!r}")
        finally:
            ehr.close()
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        verdict = "within" if p95 < TARGET_P95_MS else "OVER"
        self.stdout.write(
            f"patient-view, full prefetch ({workup.labs.count()} results), {len(times)} calls in-process: "
            f"median {median:.1f} ms, p95 {p95:.1f} ms ({verdict} the {TARGET_P95_MS:.0f} ms target)"
        )
