"""The patient's record: medicines, allergies, problems, social history; closing a workup; copying the last one."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms

from workup.forms.hygiene import VisibleTextMixin
from workup.models import Allergy, Medication, Patient, Problem, Smoking
from workup.services.workups import CLOSE_AS


def _helper(*rows: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*rows)
    return helper


def _tidy(text: str) -> str:
    return " ".join(text.split())


class MedicationForm(VisibleTextMixin, forms.ModelForm):
    """One medicine: the name as prescribed (from the list, or free text), dose, frequency and dates."""

    class Meta:
        model = Medication
        fields = ["name", "dose", "frequency", "started_on", "stopped_on"]
        labels = {"name": "Medicine", "started_on": "Started", "stopped_on": "Stopped"}
        help_texts = {
            "name": "Choose from the list so the decision support reads it (metformin, omeprazole, ...); "
            "any other medicine can be typed.",
            "stopped_on": "Leave empty while the patient still takes it.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"list": "medicine-terms", "autocomplete": "off"}),
            "dose": forms.TextInput(attrs={"placeholder": "e.g. 500 mg"}),
            "frequency": forms.TextInput(attrs={"placeholder": "e.g. twice a day"}),
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "stopped_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {"name": {"required": "Enter the medicine's name."}}

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = _helper(
            Row(Column("name", css_class="col-md-12")),
            Row(Column("dose", css_class="col-sm-6"), Column("frequency", css_class="col-sm-6")),
            Row(Column("started_on", css_class="col-sm-6"), Column("stopped_on", css_class="col-sm-6")),
        )

    def clean_name(self) -> str:
        return _tidy(self.cleaned_data["name"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        started, stopped = data.get("started_on"), data.get("stopped_on")
        for name in ("started_on", "stopped_on"):
            if data.get(name) and data[name] > self.today:
                self.add_error(name, "This date is in the future: enter the date it happened.")
        if started and stopped and stopped < started:
            self.add_error("stopped_on", "It cannot stop before it started: check the dates.")
        return data

    def _post_clean(self) -> None:
        return  # saved through services.record.save_entry

    def entry_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AllergyForm(VisibleTextMixin, forms.ModelForm):
    class Meta:
        model = Allergy
        fields = ["substance", "reaction", "severity", "kind"]
        labels = {"kind": "Type"}
        widgets = {
            "reaction": forms.TextInput(attrs={"placeholder": "e.g. rash, anaphylaxis"}),
            "kind": forms.RadioSelect,
        }
        error_messages = {"substance": {"required": "Enter the substance (medicine, food or other)."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["severity"].widget.choices = [("", "Not recorded"), *Allergy.Severity.choices]
        self.helper = _helper(
            Row(Column("substance", css_class="col-sm-6"), Column("reaction", css_class="col-sm-6")),
            Row(Column("severity", css_class="col-sm-6"), Column(Field("kind"), css_class="col-sm-6")),
        )

    def clean_substance(self) -> str:
        return _tidy(self.cleaned_data["substance"])

    def _post_clean(self) -> None:
        return

    def entry_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProblemForm(VisibleTextMixin, forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["description", "since_year", "resolved"]
        labels = {"description": "Problem", "since_year": "Since (year)", "resolved": "Resolved"}
        widgets = {
            "description": forms.TextInput(attrs={"placeholder": "e.g. hypothyroidism"}),
            "since_year": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1900}),
        }
        error_messages = {
            "description": {"required": "Describe the problem."},
            "since_year": {"invalid": "Enter the year as four digits, e.g. 2019."},
        }

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = _helper(
            Row(
                Column("description", css_class="col-md-6"),
                Column("since_year", css_class="col-6 col-md-3"),
                Column(Field("resolved", wrapper_class="mt-4 pt-2"), css_class="col-6 col-md-3"),
            )
        )

    def clean_description(self) -> str:
        return _tidy(self.cleaned_data["description"])

    def clean_since_year(self) -> int | None:
        year = self.cleaned_data["since_year"]
        if year is not None and not 1900 <= year <= self.today.year:
            raise forms.ValidationError(f"Enter a year from 1900 to {self.today.year}.")
        return year

    def _post_clean(self) -> None:
        return

    def entry_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SocialHistoryForm(VisibleTextMixin, forms.ModelForm):
    """Smoking, occupation and family history of neuropathy: each "not asked" until answered."""

    smoking_status = forms.ChoiceField(
        choices=[("", "Not asked"), *Smoking.choices], required=False, widget=forms.RadioSelect, label="Smoking"
    )
    family_history_neuropathy = forms.TypedChoiceField(
        choices=[("", "Not asked"), ("True", "Yes"), ("False", "No")],
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        label="Family history of neuropathy",
        help_text="Read by every workup of this patient unless the workup records its own answer.",
    )

    class Meta:
        model = Patient
        fields = ["smoking_status", "occupation", "family_history_neuropathy"]
        help_texts = {"occupation": "Work with solvents, heavy metals or vibrating tools matters here."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Row(
                Column("smoking_status", css_class="col-md-4"),
                Column("family_history_neuropathy", css_class="col-md-4"),
                Column("occupation", css_class="col-md-4"),
            )
        )

    def clean_occupation(self) -> str:
        return _tidy(self.cleaned_data["occupation"])

    def _post_clean(self) -> None:
        return

    def social_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CloseWorkupForm(VisibleTextMixin, forms.Form):
    closed_as = forms.ChoiceField(
        choices=[(c, c.replace("_", " ").capitalize()) for c in CLOSE_AS],
        widget=forms.RadioSelect,
        label="Close as",
        error_messages={"required": "Choose completed or entered in error."},
    )
    reason = forms.CharField(
        max_length=500,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
        help_text="Kept in the record and the audit trail.",
        error_messages={"required": "Give the reason for closing this workup."},
    )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class NewWorkupForm(forms.Form):
    copy_previous = forms.BooleanField(required=False)
