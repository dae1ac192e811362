"""FHIR R4: the signed letter as a document Bundle out, lab results (FHIR or HL7 v2) in.

document.py builds the Bundle, checks.py validates it offline, labs.py reads results, views.py serves /fhir/r4/.
"""

from __future__ import annotations

from typing import Any

from workup.interop.fhir.checks import problems
from workup.interop.fhir.document import Pdf, as_transaction, build_document, dumps
from workup.letters import LetterSource

FHIR_JSON = "application/fhir+json; charset=utf-8"


class DocumentError(Exception):
    """The document could not be built, or failed validation: nothing is stored."""


def document_bytes(source: LetterSource, pdf: Pdf) -> bytes:
    """The letter's document Bundle as bytes, validated; raise DocumentError naming every problem."""
    try:
        bundle = build_document(source, pdf)
    except (KeyError, ValueError, TypeError) as exc:
        raise DocumentError(f"The FHIR document could not be built ({type(exc).__name__}: {exc}).") from exc
    found = problems(bundle)
    if found:
        raise DocumentError("The FHIR document failed validation: " + "; ".join(found[:5]))
    return dumps(bundle)


def capability_statement() -> dict[str, Any]:
    """What /fhir/r4/ offers: read of a letter's document Bundle (and its transaction form), nothing else."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-01",
        "publisher": "Workup",
        "kind": "instance",
        "software": {"name": "Workup"},
        "implementation": {"description": "Workup referral documents (FHIR R4 document Bundles of signed letters)"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Authenticate as for the Workup API: 'Authorization: Bearer <token>' or a logged-in session. "
                    "Bundle/<letter id> is the stored document of a signed letter, byte-identical on every read; "
                    "?_format=transaction gives the same resources as a transaction of conditional creates."
                ),
                "security": {"description": "Per-user API tokens; results are limited to the user's clinic."},
                "resource": [
                    {
                        "type": "Bundle",
                        "interaction": [{"code": "read"}],
                        "searchParam": [],
                    }
                ],
            }
        ],
    }


__all__ = [
    "FHIR_JSON",
    "DocumentError",
    "Pdf",
    "as_transaction",
    "build_document",
    "capability_statement",
    "document_bytes",
    "dumps",
    "problems",
]
