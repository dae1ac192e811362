"""python manage.py bench_import : median time to read a 20-result HL7 v2 ORU^R01 message (parse, map, validate)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from workup.interop.fhir.labs import preview
from workup.models import Workup

# (OBX-3 code^text^LN, value type, value, unit, range): twenty real-shaped results, cycled from these.
RESULTS = (
    ("4548-4^HbA1c^LN", "NM", "6.1", "%", "4.0-6.0"),
    ("59261-8^HbA1c IFCC^LN", "NM", "43", "mmol/mol", "20-41"),
    ("14749-6^Glucose^LN", "NM", "6.2", "mmol/L", "3.5-11.0"),
    ("1558-6^Fasting glucose^LN", "NM", "95", "mg/dL", "70-99"),
    ("2132-9^Vitamin B12^LN", "NM", "350", "ng/L", "180-900"),
    ("14685-2^Vitamin B12^LN", "SN", "<^100", "pmol/L", ">= 150"),
    ("72160-5^Active B12^LN", "NM", "45", "pmol/L", ">= 37.5"),
    ("2284-8^Folate^LN", "NM", "6.5", "ug/L", "3.9-26.8"),
    ("3016-3^TSH^LN", "NM", "2.1", "m[IU]/L", "0.27-4.2"),
    ("33914-3^eGFR MDRD^LN", "SN", ">^90", "mL/min/{1.73_m2}", ">= 60"),
)


def oru(patient: Any, results: int = 20) -> str:
    """An ORU^R01 for ``patient`` with ``results`` OBX segments."""
    born = patient.date_of_birth.strftime("%Y%m%d")
    lines = [
        "MSH|^~\\&|LAB|PATHOLOGY|WORKUP|CLINIC|20261102103000||ORU^R01^ORU_R01|BENCH0001|P|2.5.1",
        f"PID|1||{patient.identifier}^^^LOCAL^MR||{patient.family_name.upper()}^{patient.given_name.upper()}||{born}",
        "OBR|1||LAB1|BLOODS^Bloods|||20261102090000",
    ]
    for i in range(results):
        code, kind, value, unit, reference = RESULTS[i % len(RESULTS)]
        lines.append(f"OBX|{i + 1}|{kind}|{code}||{value}|{unit}^{unit}^UCUM|{reference}||||F|||20261102090000")
    return "\r".join(lines)


class Command(BaseCommand):
    help = "Read a 20-result ORU^R01 against a demo workup (no database write) and print the median seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30, help="timed runs after one warm-up (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        workup = Workup.objects.select_related("patient").order_by("created_at").first()
        if workup is None:
            raise CommandError("No workup: load the demo first (python manage.py load_demo).")
        message, today = oru(workup.patient), timezone.localdate()
        result = preview(workup, message, today=today)  # warm-up: imports, hl7apy's tables
        seconds = []
        for _ in range(max(1, options["repeat"])):
            start = time.perf_counter()
            preview(workup, message, today=today)
            seconds.append(time.perf_counter() - start)
        recognised = sum(r.recognised for r in result.rows)
        self.stdout.write(
            f"{statistics.median(seconds):.3f} s median to import a {len(result.rows)}-result ORU^R01 "
            f"({recognised} recognised; parse, map and validate, no database write)"
        )
