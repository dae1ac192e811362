"""Template helpers for the letters: the workup page's letters panel."""

from __future__ import annotations

from django import template

from workup.letters import chain_reference, referral_options
from workup.models import Letter, ReferralDecision, Workup
from workup.rules import vocab
from workup.services import referrals

register = template.Library()


@register.simple_tag
def workup_letters(workup: Workup) -> list[Letter]:
    """The workup's letters in one query, without their PDFs: newest chain first, versions in order."""
    letters = referrals.mark_superseded(
        list(
            Letter.objects.filter(workup=workup)
            .defer("pdf", "fhir_document", "reply_pdf", "recommendation", "case", "question", "free_text")
            .order_by("-created_at")
        )
    )
    first_seen: dict[str, int] = {}
    for letter in letters:
        first_seen.setdefault(chain_reference(letter.reference), len(first_seen))
    return sorted(letters, key=lambda x: (first_seen[chain_reference(x.reference)], x.version))


@register.simple_tag
def letter_referrals(evaluation: object) -> list[dict[str, object]]:
    """The referrals a letter can be written for, most urgent first."""
    return referral_options(getattr(evaluation, "recommendation", None))


@register.filter
def chain_ref(letter: Letter) -> str:
    return chain_reference(letter.reference)


@register.filter(name="vocab")
def vocab_label(code: str, vocabulary: str) -> str:
    """``{{ "refer"|vocab:"STAGE" }}`` -> "Referral"."""
    return vocab.label(getattr(vocab, vocabulary), code) if code else ""


@register.filter
def referral_state(letter: Letter) -> str:
    """'sent 2 Dec, awaiting booking'."""
    return referrals.state_text(letter)


@register.filter
def referral_headline(letter: Letter) -> str:
    """'Neurology urgent: sent 2 Dec, awaiting booking'."""
    return referrals.headline(letter)


@register.simple_tag
def workup_decisions(workup: Workup) -> list[ReferralDecision]:
    """Referrals the clinician declined, newest first."""
    return list(workup.referral_decisions.select_related("decided_by"))
