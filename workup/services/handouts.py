"""Patient handouts given: recorded on the workup and in the audit trail, and listed in the referral letter."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from workup.models import HandoutGiven, User, Workup
from workup.services import audit


@transaction.atomic
def record_given(
    *,
    user: User,
    workup: Workup,
    items: list[str],
    large_print: bool,
    ruleset: str,
    request: HttpRequest | None = None,
) -> HandoutGiven:
    """Note on the workup that the patient was given their handout, and audit it."""
    given = HandoutGiven.objects.create(
        workup=workup, given_by=user, items=items, large_print=large_print, ruleset=ruleset
    )
    audit.record(
        user=user,
        action="create",
        obj=workup,
        request=request,
        object_type="handout",
        object_id=str(given.pk),
        changes={"items": [None, items], "large_print": [None, large_print]},
    )
    return given


def given(workup: Workup) -> list[HandoutGiven]:
    """The handouts given from this workup, newest first."""
    return list(HandoutGiven.objects.filter(workup=workup).select_related("given_by"))


def given_summary(workup: Workup) -> list[str]:
    """What the patient was given, one line per handout, oldest first: for the letter's 'Information and advice'."""
    lines = []
    for handout in reversed(given(workup)):
        day = timezone.localtime(handout.given_at).date()
        large = " (large print)" if handout.large_print else ""
        lines.append(f"Patient handout{large} given on {day.day} {day:%b %Y}: {'; '.join(handout.items)}.")
    return lines
