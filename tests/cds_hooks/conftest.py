"""Fixtures of the CDS Hooks tests; the request builders they share live in tests.cds_hooks.builders."""

from tests.cds_hooks.builders import call, cds_client, private_key

__all__ = ["call", "cds_client", "private_key"]
