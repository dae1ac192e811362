"""Template helpers for the patient's copy: the handouts given from a workup, for its page."""

from __future__ import annotations

from django import template

from workup.models import HandoutGiven, Workup
from workup.services import handouts

register = template.Library()


@register.simple_tag
def workup_handouts(workup: Workup) -> list[HandoutGiven]:
    """The handouts given from this workup, newest first, in one query."""
    return handouts.given(workup)
