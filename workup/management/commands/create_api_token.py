"""Create an API token for a user and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workup.models import User
from workup.services.tokens import create_token


class Command(BaseCommand):
    help = "Create a per-user API token (printed once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API client", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {options['username']!r}.") from None
        _, key = create_token(user=user, name=options["name"])
        self.stdout.write(key)
