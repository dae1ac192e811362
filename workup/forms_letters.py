"""Forms of the letter screens: choose the referral, edit the draft, sign it, start an addendum."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.db.models import QuerySet

from workup.forms.hygiene import VisibleTextMixin
from workup.models import ReceivingService
from workup.rules import vocab
from workup.services.letters import FREE_TEXT_MAX, QUESTION_MAX


def _helper(*fields: Any, submit: str, css: str = "btn-primary") -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields)
    if submit:
        helper.layout.append(Submit("submit", submit, css_class=css))
    return helper


class NewLetterForm(VisibleTextMixin, forms.Form):
    """Which of the engine's referrals the letter is for (most urgent first), and to whom it goes."""

    service = forms.ChoiceField(label="Referral", widget=forms.RadioSelect)
    addressee = forms.ModelChoiceField(
        queryset=ReceivingService.objects.none(),
        required=False,
        label="Send to",
        empty_label="The clinic's default for the service",
        help_text="From your clinic's directory of receiving services; it must provide the service chosen above.",
    )

    def __init__(
        self,
        *args: Any,
        referrals: list[dict[str, Any]],
        directory: QuerySet[ReceivingService] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r["service"], referral_label(r)) for r in referrals]
        if referrals:
            self.initial.setdefault("service", referrals[0]["service"])
        addressee = self.fields["addressee"]
        assert isinstance(addressee, forms.ModelChoiceField)
        addressee.queryset = directory if directory is not None else ReceivingService.objects.none()
        addressee.label_from_instance = _directory_label  # type: ignore[method-assign,assignment]
        self.helper = _helper("service", "addressee", submit="Prepare the letter")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("addressee")
        if chosen is not None and chosen.service != data.get("service"):
            self.add_error(
                "addressee",
                f"{chosen} does not take {vocab.label(vocab.SERVICES, data.get('service', ''))} "
                "referrals: choose one that does, or the default.",
            )
        return data


def _directory_label(obj: ReceivingService) -> str:
    return f"{obj.get_service_display()}: {obj}"


def referral_label(referral: dict[str, Any]) -> str:
    """'Neurology (urgent): reason' for the referral chooser."""
    service = vocab.label(vocab.SERVICES, referral["service"])
    urgency = vocab.label(vocab.URGENCY, referral["urgency"]).lower()
    return f"{service} ({urgency}): {referral.get('reason', '')}".rstrip(": ")


class DraftForm(VisibleTextMixin, forms.Form):
    """The only parts of a letter a person writes: the question for the specialist and free text."""

    question = forms.CharField(
        label="Question for the specialist",
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Prefilled from the recommendation; say exactly what you are asking the specialist to do.",
    )
    free_text = forms.CharField(
        label="Additional information (optional)",
        max_length=FREE_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Anything the record does not hold: medications, social context, the patient's concerns.",
    )
    draft_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("question", "free_text", "draft_version", submit="Save draft")


class SignForm(VisibleTextMixin, forms.Form):
    """The clinician confirms they have read the letter they are about to sign."""

    confirm = forms.BooleanField(
        label="I have read this letter and it is correct. Sign and issue it.",
        error_messages={"required": "Tick the box to confirm you have read the letter."},
    )
    draft_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("confirm"), "draft_version", submit="Sign and issue", css="btn-success")


class AddendumForm(VisibleTextMixin, forms.Form):
    """Why the issued letter needs correcting; printed at the top of the addendum."""

    reason = forms.CharField(
        label="Reason for the addendum",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on the addendum, e.g. 'HbA1c result corrected by the laboratory'.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("reason", submit="Start the addendum")
