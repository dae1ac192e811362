"""Writes of the CDS Hooks service: the cards it issued, the feedback on them, registered clients; all audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from workup.models import CdsCard, CdsClient, CdsFeedback, Clinic, User, Workup
from workup.services import audit


def _client_name(client: CdsClient) -> str:
    return f"cds:{client.issuer}"[:150]


@transaction.atomic
def issue_cards(
    *,
    client: CdsClient,
    service: str,
    hook_instance: str,
    cards: list[dict[str, Any]],
    workup: Workup | None,
    request: HttpRequest | None,
) -> None:
    """Keep each card (in the client's clinic) so feedback can name it, and audit the call as an evaluation."""
    CdsCard.objects.bulk_create(
        CdsCard(
            uuid=uuid.UUID(card["uuid"]),
            clinic_id=client.clinic_id,
            client=client,
            service=service,
            hook_instance=hook_instance[:100],
            indicator=card["indicator"],
            summary=card["summary"][:140],
            suggestions=[s["uuid"] for s in card.get("suggestions", [])],
            workup=workup,
        )
        for card in cards
    )
    audit.record(
        user=None,
        username=_client_name(client),
        action="evaluate",
        obj=workup,
        request=request,
        object_type="cds_hook",
        object_id=service,
        clinic_id=client.clinic_id,
        changes={"cards": [[c["indicator"], c["summary"]] for c in cards]},
    )


class FeedbackError(ValueError):
    """Feedback that names a card this client's clinic was never given, or a suggestion the card did not have."""


@transaction.atomic
def record_feedback(
    *, client: CdsClient, service: str, items: list[dict[str, Any]], request: HttpRequest | None
) -> list[CdsFeedback]:
    """Store each feedback item on its card (the client's clinic only) and write it to the audit trail."""
    cards = {
        str(c.uuid): c
        for c in CdsCard.objects.filter(clinic_id=client.clinic_id, service=service).filter(
            uuid__in=[_uuid(i["card"]) for i in items]
        )
    }
    stored = []
    for index, item in enumerate(items):
        card = cards.get(str(_uuid(item["card"])))
        if card is None:
            raise FeedbackError(
                f"feedback[{index}].card: no card {item['card']} was issued by {service} to this clinic"
            )
        accepted = [s["id"] for s in item.get("acceptedSuggestions", [])]
        unknown = [s for s in accepted if s not in card.suggestions]
        if unknown:
            raise FeedbackError(f"feedback[{index}].acceptedSuggestions: the card has no suggestion {unknown[0]}")
        reason = item.get("overrideReason") or {}
        row = CdsFeedback.objects.create(
            card=card,
            clinic_id=client.clinic_id,
            outcome=item["outcome"],
            accepted_suggestions=accepted,
            override_reason=reason.get("reason"),
            user_comment=reason.get("userComment", ""),
            outcome_at=item["outcomeTimestamp"],
        )
        audit.record(
            user=None,
            username=_client_name(client),
            action="cds_feedback",
            obj=card.workup,
            request=request,
            object_type="cds_card",
            object_id=str(card.uuid),
            clinic_id=client.clinic_id,
            changes=_changes(card, row),
        )
        stored.append(row)
    return stored


def _changes(card: CdsCard, row: CdsFeedback) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {
        "card": [None, f"{card.indicator}: {card.summary}"],
        "outcome": [None, row.outcome],
    }
    if row.accepted_suggestions:
        changes["accepted_suggestions"] = [None, row.accepted_suggestions]
    if row.override_reason:
        reason = row.override_reason
        changes["override_reason"] = [None, reason.get("display") or reason.get("code")]
    if row.user_comment:
        changes["user_comment"] = [None, row.user_comment]
    return changes


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@transaction.atomic
def register_client(
    *,
    clinic: Clinic,
    issuer: str,
    jwks: dict[str, Any] | None,
    jku: str = "",
    name: str = "",
    user: User | None = None,
    request: HttpRequest | None = None,
) -> CdsClient:
    """Register (or replace the keys of) an EHR allowed to call the service for ``clinic``; audited.

    An issuer belongs to one clinic: registering another clinic's issuer is refused (ValueError), never moved.
    """
    if CdsClient.objects.filter(issuer=issuer).exclude(clinic=clinic).exists():
        raise ValueError(f"The issuer {issuer} is registered for another clinic.")
    client, created = CdsClient.objects.update_or_create(
        issuer=issuer, defaults={"clinic": clinic, "jwks": jwks, "jku": jku, "name": name, "active": True}
    )
    audit.record(
        user=user,
        username="" if user else "manage.py cds_client",
        action="create" if created else "change",
        request=request,
        object_type="cds_client",
        object_id=str(client.pk),
        clinic_id=clinic.pk,
        changes={"issuer": [None, issuer], "jku": [None, jku], "keys": [None, len((jwks or {}).get("keys", []))]},
    )
    return client


@transaction.atomic
def deactivate_client(*, client: CdsClient, user: User | None = None, request: HttpRequest | None = None) -> None:
    """Stop accepting the client's tokens (its cards and feedback stay)."""
    client.active = False
    client.save(update_fields=["active"])
    audit.record(
        user=user,
        username="" if user else "manage.py cds_client",
        action="change",
        request=request,
        object_type="cds_client",
        object_id=str(client.pk),
        clinic_id=client.clinic_id,
        changes={"active": [True, False]},
    )


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 UTC timestamp (spec "Feedback": outcomeTimestamp), else None."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None
