"""python manage.py cds_client add|list|remove : the EHRs allowed to call the CDS Hooks service, per clinic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workup.interop.cds_hooks.auth import jwks_from_text
from workup.models import CdsClient, Clinic
from workup.services.cds_hooks import deactivate_client, register_client


class Command(BaseCommand):
    help = "Register, list or remove the CDS Hooks clients (JWT issuers and their keys) of a clinic."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register an issuer for a clinic (or replace its keys)")
        add.add_argument("--clinic", required=True, help="the clinic's name, exactly as in the admin")
        add.add_argument("--issuer", required=True, help="the JWT 'iss' the EHR sends")
        add.add_argument("--jwks-file", type=Path, help="the EHR's public JWK Set (JSON)")
        add.add_argument("--jku", default="", help="the one JWK Set URL its tokens may name instead")
        add.add_argument("--name", default="", help="a name for people (e.g. the EHR's product)")
        sub.add_parser("list", help="every registered issuer, its clinic and state")
        remove = sub.add_parser("remove", help="stop accepting an issuer's tokens")
        remove.add_argument("--issuer", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        clinic = Clinic.objects.filter(name=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic named {options['clinic']!r}.")
        if not options["jwks_file"] and not options["jku"]:
            raise CommandError("Give --jwks-file or --jku: the service needs the key that signs the EHR's tokens.")
        jwks = None
        if options["jwks_file"]:
            try:
                jwks = jwks_from_text(options["jwks_file"].read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"{options['jwks_file']}: {exc}") from None
        if options["jku"] and not options["jku"].startswith("https://"):
            raise CommandError("--jku must be an https:// URL.")
        try:
            client = register_client(
                clinic=clinic, issuer=options["issuer"], jwks=jwks, jku=options["jku"], name=options["name"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        keys = len((client.jwks or {}).get("keys", []))
        self.stdout.write(f"{client.issuer} may call the CDS Hooks service for {clinic.name} ({keys} key(s)).")

    def _list(self, options: dict[str, Any]) -> None:
        for client in CdsClient.objects.select_related("clinic"):
            state = "active" if client.active else "removed"
            self.stdout.write(f"{client.issuer}\t{client.clinic.name}\t{state}\t{client.name}")

    def _remove(self, options: dict[str, Any]) -> None:
        client = CdsClient.objects.filter(issuer=options["issuer"], active=True).first()
        if client is None:
            raise CommandError(f"No active client with issuer {options['issuer']!r}.")
        deactivate_client(client=client)
        self.stdout.write(f"{client.issuer} can no longer call the service.")
