"""python manage.py evaluate CASE.json|- : the recommendation as JSON, or one line per problem and exit 2."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from workup import rules

EXIT_INVALID = 2
EXIT_INTERNAL = 1


def _plain(text: str) -> str:
    """Problem lines are read by scripts too: no terminal colours."""
    return text


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # pure engine: no models, no database
    help = "Evaluate a workup-case/1 document (a file, or - for standard input) and print the recommendation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", help="path to the case JSON, or - to read standard input")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the date to judge the case on when it has no as_of (YYYY-MM-DD; default today)",
        )
        parser.add_argument(
            "--b12-profile",
            default=settings.B12_PROFILE,
            choices=sorted(rules.B12_PROFILES),
            help="the named B12 threshold profile",
        )
        parser.add_argument(
            "--glycaemia-profile",
            default=settings.GLYCAEMIA_PROFILE,
            choices=sorted(rules.GLYCAEMIA_PROFILES),
            help="the named glycaemia threshold profile (default from WORKUP_GLYCAEMIA_PROFILE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        doc = self._load(options["case"])
        try:
            rec = rules.evaluate(
                doc,
                today=options["today"],
                b12_profile=options["b12_profile"],
                glycaemia_profile=options["glycaemia_profile"],
            )
        except rules.CaseError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{problem.path}: {problem.message}", style_func=_plain)
            raise SystemExit(EXIT_INVALID) from None
        except Exception as exc:  # a bug in the engine: one line for the user, never a traceback
            self.stderr.write(f"internal error in the rules engine, please report it: {exc!r}", style_func=_plain)
            raise SystemExit(EXIT_INTERNAL) from None
        self.stdout.write(rules.dumps(rec))

    def _load(self, source: str) -> object:
        """Read and parse the case; an unreadable file or bad JSON is one clear line and exit 2."""
        try:
            raw = sys.stdin.read() if source == "-" else _read(source)
        except (OSError, UnicodeDecodeError) as exc:
            self._fail(f"{source}: cannot read the case: {exc}")
        try:
            return json.loads(raw)
        except (ValueError, RecursionError) as exc:
            self._fail(f"{'standard input' if source == '-' else source}: not valid JSON: {exc}")

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(message, style_func=_plain)
        raise SystemExit(EXIT_INVALID)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()
