"""Forms of the letter screens: choose the referral, edit the draft, sign it, start an addendum."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from workup.forms.hygiene import VisibleTextMixin
from workup.models import Letter, ReceivingService
from workup.rules import vocab
from workup.services.letters import FREE_TEXT_MAX, QUESTION_MAX
from workup.services.referrals import REPLY_MAX_BYTES


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
    # The signed token of the preview on screen (workup.previews): signing refuses a letter that reads otherwise.
    preview = forms.CharField(max_length=4000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("confirm"), "draft_version", "preview", submit="Sign and issue", css="btn-success")


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


REASON_MAX = 1000


def _reason(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}), help_text=help_text
    )


class ReferAnywayForm(VisibleTextMixin, forms.Form):
    """A referral the decision support did not suggest (or not at this urgency): the clinician's call, with why."""

    service = forms.ChoiceField(label="Service", choices=[("", "Choose a service"), *vocab.SERVICES])
    urgency = forms.ChoiceField(label="Urgency", choices=[("", "Choose"), *vocab.URGENCY])
    reason = _reason(
        "Why you are referring",
        "Printed in the letter beside what the decision support suggested, and kept in the audit trail.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "anyway")
        super().__init__(*args, **kwargs)
        self.helper = _helper("service", "urgency", "reason", submit="Refer anyway", css="btn-outline-primary")


class DeclineForm(VisibleTextMixin, forms.Form):
    """Decline a suggested referral, with the reason, recorded on the workup."""

    service = forms.ChoiceField(label="Suggested referral", widget=forms.RadioSelect)
    reason = _reason("Why you are not referring", "Recorded on the workup and in the audit trail.")

    def __init__(self, *args: Any, referrals: list[dict[str, Any]], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "decline")
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r["service"], referral_label(r)) for r in referrals]
        self.urgencies = {r["service"]: r["urgency"] for r in referrals}
        self.helper = _helper("service", "reason", submit="Decline this referral", css="btn-outline-danger")


class SentForm(VisibleTextMixin, forms.Form):
    """How and when the signed letter went to the service."""

    via = forms.ChoiceField(label="Sent by", choices=Letter.SentVia.choices, widget=forms.RadioSelect)
    reference = forms.CharField(
        label="UBRN, address or note",
        max_length=200,
        required=False,
        help_text="The e-RS Unique Booking Reference Number, the email address, or who took it.",
    )
    sent_on = forms.DateField(label="Sent on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "sent")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("sent_on", timezone.localdate())
        self.helper = _helper("via", "reference", "sent_on", submit="Record as sent")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("via") == Letter.SentVia.ERS and not re.fullmatch(
            r"\d{12}", (data.get("reference") or "").replace(" ", "")
        ):
            self.add_error("reference", "Enter the 12-digit UBRN the e-Referral Service gave.")
        sent_on = data.get("sent_on")
        if sent_on and sent_on > timezone.localdate():
            self.add_error("sent_on", "That date is in the future.")
        return data

    def sent_at(self) -> datetime:
        day: date = self.cleaned_data["sent_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time(12)))


class BookedForm(VisibleTextMixin, forms.Form):
    note = forms.CharField(
        label="Appointment or acknowledgement",
        max_length=300,
        required=False,
        help_text="e.g. 'Clinic 14 Jan, Dr Shah' or 'Acknowledged by email'.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "booked")
        super().__init__(*args, **kwargs)
        self.helper = _helper("note", submit="Record as acknowledged or booked")


class ReplyForm(forms.Form):
    """The specialist's reply, as a PDF of at most 10 MB."""

    reply = forms.FileField(label="Specialist's reply (PDF, at most 10 MB)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "reply")
        super().__init__(*args, **kwargs)
        self.fields["reply"].widget.attrs["accept"] = "application/pdf,.pdf"
        self.helper = _helper("reply", submit="Attach the reply")

    def clean_reply(self) -> Any:
        upload = self.cleaned_data["reply"]
        if upload.size > REPLY_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB: attach a smaller PDF.")
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError("This file is not a PDF: attach the reply as a PDF.")
        return upload


class CancelForm(VisibleTextMixin, forms.Form):
    reason = _reason("Why the referral is cancelled", "Kept with the letter and in the audit trail.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "cancel")
        super().__init__(*args, **kwargs)
        self.helper = _helper("reason", submit="Cancel the referral", css="btn-outline-danger")
