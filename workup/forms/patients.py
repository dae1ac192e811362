"""Registering a patient, with duplicate detection on the identifier and on name plus date of birth."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower, Replace, Upper

from workup.forms.hygiene import VisibleTextMixin
from workup.models import Patient
from workup.rules import vocab

OLDEST_YEARS = 120


def normalise_identifier(identifier: str) -> str:
    """The identifier as compared for duplicates: no spaces or hyphens, upper case (943 476 5919 = 9434765919)."""
    return "".join(ch for ch in identifier if ch not in " -").upper()


def same_identifier(patients: QuerySet[Patient], identifier: str) -> QuerySet[Patient]:
    """Patients whose identifier matches ``identifier`` once spaces, hyphens and case are ignored."""
    bare = Replace(Replace(Upper("identifier"), Value(" "), Value("")), Value("-"), Value(""))
    return patients.annotate(bare_identifier=bare).filter(bare_identifier=normalise_identifier(identifier))


def same_name_and_birth(patients: QuerySet[Patient], given: str, family: str, born: date) -> QuerySet[Patient]:
    """Patients with the same names (case ignored) and date of birth."""
    return patients.annotate(g=Lower("given_name"), f=Lower("family_name")).filter(
        g=given.strip().lower(), f=family.strip().lower(), date_of_birth=born
    )


class PatientForm(VisibleTextMixin, forms.ModelForm):
    """A new patient in the user's clinic; refuses a known identifier and asks before a same-name-and-birth twin."""

    sex = forms.ChoiceField(
        choices=[("", "Choose"), *vocab.SEX],
        label="Sex",
        error_messages={"required": "Choose the patient's sex as recorded."},
    )
    confirm_different = forms.BooleanField(
        required=False,
        label="I have checked: this is a different person with the same name and date of birth",
    )

    class Meta:
        model = Patient
        fields = ["given_name", "family_name", "date_of_birth", "sex", "identifier", "address", "phone", "gp_practice"]
        labels = {"given_name": "Given name", "family_name": "Family name", "identifier": "MRN or NHS number"}
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"identifier": "Unique within the clinic."}
        error_messages = {
            "given_name": {"required": "Enter the patient's given name."},
            "family_name": {"required": "Enter the patient's family name."},
            "date_of_birth": {"required": "Enter the date of birth.", "invalid": "Enter the date of birth as a date."},
            "identifier": {"required": "Enter the MRN or NHS number."},
        }

    def __init__(self, data: Any = None, *, clinic_id: int | None, today: date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.editing = self.instance.pk is not None
        self.clinic_id, self.today = clinic_id, today
        self.identifier_twins: list[Patient] = []
        self.name_twins: list[Patient] = []
        for name in ("given_name", "family_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        fields: list[Any] = [
            Row(Column("given_name", css_class="col-md-6"), Column("family_name", css_class="col-md-6")),
            Row(
                Column("date_of_birth", css_class="col-md-4"),
                Column("sex", css_class="col-md-4"),
                Column("identifier", css_class="col-md-4"),
            ),
            "address",
            Row(Column("phone", css_class="col-md-6"), Column("gp_practice", css_class="col-md-6")),
        ]
        if self.name_twins or self.data.get(self.add_prefix("confirm_different")):
            fields.append(Field("confirm_different", wrapper_class="alert alert-warning py-2"))
        helper.layout = Layout(*fields)
        return helper

    def clean_given_name(self) -> str:
        return " ".join(self.cleaned_data["given_name"].split())

    def clean_family_name(self) -> str:
        return " ".join(self.cleaned_data["family_name"].split())

    def clean_identifier(self) -> str:
        identifier = " ".join(self.cleaned_data["identifier"].split())
        self.identifier_twins = list(same_identifier(self._clinic_patients(), identifier)[:3])
        if self.identifier_twins:
            raise forms.ValidationError(
                "A patient with this identifier is already registered in this clinic: open their record below "
                "instead of registering them again."
            )
        return identifier

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError(f"{born:%d %b %Y} is in the future: enter the date of birth.")
        if self.today.year - born.year > OLDEST_YEARS:
            raise forms.ValidationError(
                f"{born:%d %b %Y} would make the patient older than {OLDEST_YEARS}: check the year."
            )
        return born

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        given, family, born = data.get("given_name"), data.get("family_name"), data.get("date_of_birth")
        unchanged = self.editing and not {"given_name", "family_name", "date_of_birth"} & set(self.changed_data)
        if given and family and born and not self.identifier_twins and not unchanged:
            self.name_twins = list(same_name_and_birth(self._clinic_patients(), given, family, born)[:5])
            if self.name_twins and not data.get("confirm_different"):
                self.add_error(
                    "confirm_different",
                    "A patient with this name and date of birth is already registered (listed above). Open their "
                    "record, or tick this box if this is a different person.",
                )
        return data

    def _post_clean(self) -> None:
        # Uniqueness is checked above with clinician wording; the database constraint still guards a race.
        return

    def patient_data(self) -> dict[str, Any]:
        """The validated fields to store on the new patient."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _clinic_patients(self) -> QuerySet[Patient]:
        if self.clinic_id is None:
            return Patient.objects.none()
        others = Patient.objects.filter(clinic_id=self.clinic_id)
        return others.exclude(pk=self.instance.pk) if self.editing else others
