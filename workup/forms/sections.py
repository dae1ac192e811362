"""One form per workup section: presentation and red flags, history, examination. Each carries its version counter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Layout, Row
from django import forms
from django.db import models
from django.utils import timezone

from workup import merge
from workup.cases import EXAM_FIELDS, HISTORY_FIELDS, PATIENT_FIELDS, PRESENTATION_FIELDS, SIDED_SIMPLE, SIDES
from workup.forms.hygiene import VisibleTextMixin
from workup.models import CHEMOTHERAPY_MONTHS_MAX, NOTES_MAX, Workup
from workup.rules import vocab

NOT_RECORDED = ("", "—")


class PlainNumberInput(forms.NumberInput):
    """A number box that shows 30 rather than 30.0."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, float):
            return format(value, "f").rstrip("0").rstrip(".")
        return super().format_value(value)


class VersionForm(forms.Form):
    """The version of a section the user opened; a save against an older version is refused, never applied."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def checkbox_group(choices: vocab.Choices, label: str, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, required=False, label=label, help_text=help_text, widget=forms.CheckboxSelectMultiple
    )


def yes_no(label: str, not_recorded: str, help_text: str = "") -> forms.TypedChoiceField:
    """A yes / no question whose third answer, "not asked", is stored as None and left out of the case."""
    return forms.TypedChoiceField(
        choices=[("", not_recorded), ("True", "Yes"), ("False", "No")],
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        label=label,
        help_text=help_text,
        widget=forms.RadioSelect,
    )


def in_vocab_order(values: list[str], choices: vocab.Choices) -> list[str]:
    """Ticked codes in the order the vocabulary lists them, so the stored list never depends on the browser."""
    chosen = set(values)
    return [code for code, _ in choices if code in chosen]


class SectionForm(VisibleTextMixin, forms.ModelForm):
    """A workup section: the model fields it saves plus the hidden version counter of that section."""

    section: ClassVar[str]
    title: ClassVar[str]
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # Signed digests of the values shown (workup.merge): a save over someone else's changes only what this user did.
    seen = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
    list_fields: ClassVar[dict[str, vocab.Choices]] = {}

    class Meta:
        model = Workup
        fields: ClassVar[list[str]] = []

    def __init__(self, data: Any = None, *, instance: Workup, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.section)
        initial = kwargs.setdefault("initial", {})
        initial["version"] = getattr(instance, f"{self.section}_version")
        initial["seen"] = merge.seen_token({name: getattr(instance, name) for name in self.Meta.fields})
        super().__init__(data, instance=instance, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.template = "workup/fields/section_form.html"  # errors go in the section's summary instead
        self.helper.layout = self.layout()

    def layout(self) -> Layout:
        return Layout(*self.Meta.fields, "version")

    def _post_clean(self) -> None:
        # Saving goes through services.save_section with section_data(); the instance is never touched here.
        return

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name, choices in self.list_fields.items():
            if name in data:
                data[name] = in_vocab_order(data[name], choices)
        return data

    def section_data(self) -> dict[str, Any]:
        """The validated values of this section's model fields, ready for services.save_section."""
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}

    @property
    def version_value(self) -> int:
        return int(self.cleaned_data["version"])

    @property
    def seen_values(self) -> dict[str, str] | None:
        return merge.read_seen(self.cleaned_data.get("seen") or "")

    def keep_theirs(self) -> frozenset[str]:
        """The fields where the user, shown a conflict, chose the value someone else saved."""
        return frozenset(n for n in self.Meta.fields if self.data.get(f"{self.prefix}-keep-{n}") == "theirs")

    def unresolved(self) -> list[str]:
        """Conflicting fields (listed by the conflict panel) the user has not chosen yours or theirs for."""
        listed = [n for n in str(self.data.get(f"{self.prefix}-conflicts", "")).split(",") if n in self.Meta.fields]
        return [n for n in listed if self.data.get(f"{self.prefix}-keep-{n}") not in ("mine", "theirs")]


# Stored on the workup for the emergency handover; not part of the engine's case. Limits are the models' validators.
OBSERVATION_FIELDS = (
    "symptom_onset_at",
    "observations_at",
    "pulse_bpm",
    "systolic_bp",
    "diastolic_bp",
    "temperature_c",
    "oxygen_saturation",
    "respiratory_rate",
    "capillary_glucose",
)


class PresentationForm(SectionForm):
    section = "presentation"
    title = "Presentation and red flags"
    list_fields = {"red_flags": vocab.RED_FLAGS, "areas": vocab.AREAS, "symptoms": vocab.SYMPTOMS}

    red_flags = checkbox_group(
        vocab.RED_FLAGS,
        "Red flags: ask about these first",
        "Any one of these means emergency care now, not a routine workup.",
    )
    red_flags_none = forms.BooleanField(
        required=False,
        label="None of these (asked)",
        help_text="Tick only when you have asked about every red flag. Nothing ticked means not asked yet.",
    )
    onset = forms.ChoiceField(choices=vocab.ONSET, required=False, widget=forms.RadioSelect, label="Onset")
    duration_weeks = forms.FloatField(
        required=False,
        label="Duration (weeks)",
        help_text="Since it began. Days as a fraction: 3 days = 0.4 weeks.",
        widget=PlainNumberInput(attrs={"step": "any", "min": 0, "max": 5200, "inputmode": "decimal"}),
        error_messages={"invalid": "Enter the duration as a number of weeks, e.g. 6 or 0.5."},
    )
    course = forms.ChoiceField(choices=vocab.COURSE, required=False, widget=forms.RadioSelect, label="Course")
    sides = forms.ChoiceField(choices=vocab.SIDES, required=False, widget=forms.RadioSelect, label="Which foot")
    areas = checkbox_group(vocab.AREAS, "Where is it numb?")
    symptoms = checkbox_group(vocab.SYMPTOMS, "Symptoms")
    notes = forms.CharField(
        required=False,
        max_length=NOTES_MAX,
        label="Notes",
        help_text=f"Anything else the patient said, in your words (up to {NOTES_MAX:,} characters). "
        "Words that may mean a red flag (saddle, bladder, ascending...) ask for a check.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTES_MAX}),
        error_messages={"max_length": f"Keep the notes to {NOTES_MAX:,} characters (they have %(show_value)d)."},
    )
    notes_checked = forms.BooleanField(
        required=False,
        label="I have checked these notes for red flags",
        help_text="Asked and examined for anything the notes mention, and recorded any red flag above. "
        "Unticks itself when the notes change, so new notes are checked again.",
    )

    class Meta:
        model = Workup
        fields = [*PRESENTATION_FIELDS, *OBSERVATION_FIELDS]
        widgets: ClassVar[dict[str, forms.Widget]] = {
            name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            for name in ("symptom_onset_at", "observations_at")
        }

    def __init__(self, data: Any = None, *, instance: Workup, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["red_flags_none"] = instance.red_flags == []
        super().__init__(data, instance=instance, **kwargs)
        for name in OBSERVATION_FIELDS:  # the model's plausibility limits, checked here (the instance is not cleaned)
            model_field = Workup._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            self.fields[name].validators += model_field.validators

    def layout(self) -> Layout:
        return Layout(
            Div(
                Field("red_flags", css_class="red-flag"),
                Field("red_flags_none", wrapper_class="red-flags-none border-top pt-2"),
                css_class="red-flags border border-danger rounded px-3 pt-2 mb-3",
                css_id="red-flags",
            ),
            Row(
                Column(Field("onset"), css_class="col-sm-4"),
                Column(Field("course"), css_class="col-sm-4"),
                Column(Field("sides"), css_class="col-sm-4"),
            ),
            Row(Column(Field("duration_weeks", css_class="duration"), css_class="col-sm-6 col-md-4")),
            Row(
                Column(Field("areas", wrapper_class="check-columns"), css_class="col-md-6"),
                Column(Field("symptoms"), css_class="col-md-6"),
            ),
            Div(Field("notes"), Field("notes_checked"), css_class="notes", css_id="presentation-notes"),
            Div(
                HTML('<p class="fw-semibold mb-1">For an emergency handover: onset and observations, if taken</p>'),
                Row(*(Column(Field(name), css_class="col-sm-6 col-md-4") for name in OBSERVATION_FIELDS)),
                css_class="observations border-top pt-2",
                css_id="presentation-observations",
            ),
            "version",
        )

    def clean_symptom_onset_at(self) -> Any:
        when = self.cleaned_data.get("symptom_onset_at")
        if when and when > timezone.now():
            raise forms.ValidationError("The onset is in the future: enter when the symptoms started.")
        return when

    def clean_observations_at(self) -> Any:
        when = self.cleaned_data.get("observations_at")
        if when and when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("That time is in the future: enter when the observations were taken.")
        return when

    def clean_notes(self) -> str:
        return "\n".join(self.cleaned_data["notes"].splitlines()).strip()  # browsers send CRLF; count each once

    def clean_duration_weeks(self) -> float | None:
        weeks = self.cleaned_data["duration_weeks"]
        if weeks is not None and weeks < 0:
            raise forms.ValidationError("The duration cannot be negative: enter the weeks since it began.")
        if weeks is not None and weeks > 5200:
            raise forms.ValidationError(f"{weeks:g} weeks is more than a lifetime: enter the weeks since it began.")
        return weeks

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_blood_pressure(data)
        self._clean_red_flags_answer(data)
        self._clean_notes_checked(data)
        # A red flag is saved at once, whatever else is missing: the patient needs emergency care, not a full form.
        if data.get("red_flags"):
            if not data.get("areas"):
                data["areas"] = None
            return data
        required = {
            "onset": "Say whether it began suddenly or gradually.",
            "duration_weeks": "Enter how many weeks it has lasted.",
            "course": "Say whether it is worsening, stable, improving or relapsing.",
            "sides": "Say which foot is affected.",
            "areas": "Tick at least one area that is numb.",
        }
        for name, message in required.items():
            if name not in self.errors and data.get(name) in (None, "", []):
                self.add_error(name, message)
        return data

    def _clean_blood_pressure(self, data: dict[str, Any]) -> None:
        """Both numbers of a blood pressure, the systolic above the diastolic."""
        systolic, diastolic = data.get("systolic_bp"), data.get("diastolic_bp")
        if (systolic is None) != (diastolic is None):
            missing = "diastolic_bp" if diastolic is None else "systolic_bp"
            if missing not in self.errors:
                self.add_error(missing, "Enter both numbers of the blood pressure (systolic / diastolic).")
        elif systolic is not None and diastolic is not None and diastolic >= systolic:
            self.add_error("diastolic_bp", "The diastolic pressure must be below the systolic: check the reading.")

    def _clean_red_flags_answer(self, data: dict[str, Any]) -> None:
        """No box ticked: not asked (None). "None of these": asked, none ([]). Both at once is a contradiction."""
        if data.get("red_flags") and data.get("red_flags_none"):
            self.add_error(
                "red_flags_none", 'Untick "None of these" or the red flags ticked above: they contradict each other.'
            )
        elif not data.get("red_flags"):
            data["red_flags"] = [] if data.get("red_flags_none") else None

    def _clean_notes_checked(self, data: dict[str, Any]) -> None:
        """A check covers the notes it was made on: new or changed notes must be checked again."""
        notes = data.get("notes") or ""
        changed = notes != (self.instance.notes or "")
        if not notes or (changed and self.instance.notes_checked):
            data["notes_checked"] = False


# History lists answered with "None of these (asked)": until then they are not asked (None), never "none" ([]).
ASKED_LISTS = ("chemotherapy", "b12_risks", "medications", "cns_history", "spine_history", "foot_history")


def none_of_these() -> forms.BooleanField:
    # One note under the section explains it, rather than the same help text under six lists.
    return forms.BooleanField(required=False, label="None of these (asked)")


class HistoryForm(SectionForm):
    section = "history"
    title = "History"
    list_fields = {
        "chemotherapy": vocab.CHEMOTHERAPY,
        "b12_risks": vocab.B12_RISKS,
        "medications": vocab.MEDICATIONS,
        "cns_history": vocab.CNS_HISTORY,
        "spine_history": vocab.SPINE_HISTORY,
        "foot_history": vocab.FOOT_HISTORY,
    }

    pregnant = yes_no("Pregnant", "Not asked", "Pregnancy changes the glucose, B12, alcohol and pain advice.")
    diabetes = forms.ChoiceField(
        choices=[("", "Not asked"), *vocab.DIABETES], required=False, widget=forms.RadioSelect, label="Diabetes"
    )
    alcohol_units_per_week = forms.FloatField(
        required=False,
        label="Alcohol (UK units per week)",
        help_text="14 units is the low-risk limit. A pint of beer is about 2 units.",
        widget=PlainNumberInput(attrs={"step": "any", "min": 0, "max": 500, "inputmode": "decimal"}),
        error_messages={"invalid": "Enter the units per week as a number, e.g. 10."},
    )
    chemotherapy = checkbox_group(vocab.CHEMOTHERAPY, "Chemotherapy, past or current")
    chemotherapy_ended_months_ago = forms.FloatField(
        required=False,
        label="Months since the last chemotherapy dose",
        help_text="0 if it is still going on. Only with a chemotherapy agent ticked above.",
        widget=PlainNumberInput(
            attrs={"step": "any", "min": 0, "max": CHEMOTHERAPY_MONTHS_MAX, "inputmode": "decimal"}
        ),
        error_messages={"invalid": "Enter the months since the last dose as a number, e.g. 3 (0 if ongoing)."},
    )
    b12_risks = checkbox_group(vocab.B12_RISKS, "B12 risks")
    medications = checkbox_group(vocab.MEDICATIONS, "Current medicines")
    cns_history = checkbox_group(vocab.CNS_HISTORY, "Brain or spinal cord history")
    spine_history = checkbox_group(vocab.SPINE_HISTORY, "Spine history")
    family_history_neuropathy = yes_no("Family history of neuropathy", "Not recorded")
    foot_history = checkbox_group(vocab.FOOT_HISTORY, "Foot history")

    class Meta:
        model = Workup
        fields = [*PATIENT_FIELDS, *HISTORY_FIELDS]

    def __init__(self, data: Any = None, *, instance: Workup, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        for name in ASKED_LISTS:
            initial[f"{name}_none"] = getattr(instance, name) == []
        super().__init__(data, instance=instance, **kwargs)
        for name in ASKED_LISTS:
            self.fields[f"{name}_none"] = none_of_these()
        if not self.asks_pregnancy:
            del self.fields["pregnant"]
            self.helper.layout = self.layout()

    @property
    def asks_pregnancy(self) -> bool:
        """Pregnancy is not asked of a patient recorded as male."""
        return self.instance.patient.sex != "male"

    def layout(self) -> Layout:
        first = [Column(Field("pregnant"), css_class="col-sm-4")] if "pregnant" in self.fields else []
        return Layout(
            Row(
                *first,
                Column(Field("diabetes"), css_class="col-sm-4"),
                Column(Field("alcohol_units_per_week"), css_class="col-sm-4"),
            ),
            Row(
                Column(
                    Field("chemotherapy"),
                    _none_box("chemotherapy"),
                    Field("chemotherapy_ended_months_ago"),
                    css_class="col-md-6",
                ),
                Column(Field("b12_risks"), _none_box("b12_risks"), css_class="col-md-6"),
            ),
            Row(
                Column(
                    Field("medications", wrapper_class="check-columns"), _none_box("medications"), css_class="col-md-6"
                ),
                Column(
                    Field("foot_history"),
                    _none_box("foot_history"),
                    Field("family_history_neuropathy"),
                    css_class="col-md-6",
                ),
            ),
            Row(
                Column(Field("cns_history"), _none_box("cns_history"), css_class="col-sm-6"),
                Column(Field("spine_history"), _none_box("spine_history"), css_class="col-sm-6"),
            ),
            HTML(
                '<p class="small text-body-secondary">A list with nothing ticked is saved as "not asked"; tick '
                '"None of these (asked)" to record that you asked and the answer was none. Medicines on the '
                "patient's record count in every workup.</p>"
            ),
            "version",
        )

    def section_data(self) -> dict[str, Any]:
        data = super().section_data()
        if not self.asks_pregnancy:
            data["pregnant"] = None
        return data

    def clean_chemotherapy_ended_months_ago(self) -> float | None:
        months = self.cleaned_data["chemotherapy_ended_months_ago"]
        if months is not None and not 0 <= months <= CHEMOTHERAPY_MONTHS_MAX:
            raise forms.ValidationError(
                f"{months:g} months is not possible: enter 0 (ongoing) to {CHEMOTHERAPY_MONTHS_MAX} months."
            )
        return months

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ASKED_LISTS:
            self._clean_asked_list(data, name)
        months = data.get("chemotherapy_ended_months_ago")
        if months is not None and not data.get("chemotherapy") and "chemotherapy" not in self.errors:
            self.add_error(
                "chemotherapy_ended_months_ago",
                "Tick the chemotherapy agent first: the months since the last dose only count with an agent.",
            )
        return data

    def _clean_asked_list(self, data: dict[str, Any], name: str) -> None:
        """No box ticked: not asked (None). "None of these": asked, none ([]). Both at once is a contradiction."""
        if data.get(name) and data.get(f"{name}_none"):
            self.add_error(
                f"{name}_none", 'Untick "None of these" or the boxes ticked above: they contradict each other.'
            )
        elif not data.get(name) and name not in self.errors:
            data[name] = [] if data.get(f"{name}_none") else None

    def clean_alcohol_units_per_week(self) -> float | None:
        units = self.cleaned_data["alcohol_units_per_week"]
        if units is not None and units < 0:
            raise forms.ValidationError("Alcohol units cannot be negative: enter 0 for none.")
        if units is not None and units > 500:
            raise forms.ValidationError(f"{units:g} units a week is not possible: check the figure (0 to 500).")
        return units


def _none_box(name: str) -> Field:
    return Field(f"{name}_none", wrapper_class="list-none border-top pt-1")


def _scale_choice(choices: vocab.Choices, label: str, scale: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=[NOT_RECORDED, *choices],
        coerce=int,
        empty_value=None,
        required=False,
        label=label,
        error_messages={"invalid_choice": f"Choose a grade on the {scale} scale."},
    )


def _choice(choices: vocab.Choices, label: str) -> forms.ChoiceField:
    return forms.ChoiceField(choices=[NOT_RECORDED, *choices], required=False, label=label)


def _count(label: str, low: int) -> forms.IntegerField:
    return forms.IntegerField(
        required=False,
        label=label,
        widget=forms.NumberInput(attrs={"min": low, "max": 10, "inputmode": "numeric", "class": "mono"}),
        error_messages={"invalid": "Enter a whole number of sites."},
    )


SIDED_CHOICES: dict[str, vocab.Choices] = {
    "plantar_response": vocab.PLANTAR,
    "vibration": vocab.GRADED_SENSE,
    "pinprick": vocab.GRADED_SENSE,
    "proprioception": vocab.PROPRIOCEPTION,
    "pedal_pulses": vocab.PULSES,
    "tinel_tarsal_tunnel": vocab.SIGN,
    "straight_leg_raise": vocab.SIGN,
    "foot_posture": vocab.FOOT_POSTURE,
}
SCALES: dict[str, tuple[vocab.Choices, str]] = {
    "ankle_reflex": (vocab.REFLEX, "NINDS 0-4"),
    "knee_reflex": (vocab.REFLEX, "NINDS 0-4"),
    "power_ankle_dorsiflexion": (vocab.MRC, "MRC 0-5"),
    "power_ankle_plantarflexion": (vocab.MRC, "MRC 0-5"),
}


def _exam_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for item in SIDED_SIMPLE:
        for side in SIDES:
            label = f"{vocab.EXAM_LABELS[item]}, {side}"
            if item in SCALES:
                fields[f"{item}_{side}"] = _scale_choice(SCALES[item][0], label, SCALES[item][1])
            elif item == "abi":
                fields[f"abi_{side}"] = forms.DecimalField(
                    required=False,
                    max_digits=4,
                    decimal_places=2,
                    label=label,
                    widget=forms.NumberInput(attrs={"step": "0.01", "min": 0, "max": 3, "inputmode": "decimal"}),
                    error_messages={
                        "invalid": "Enter the ABI as a number such as 0.95.",
                        "max_decimal_places": "Enter the ABI to two decimal places, e.g. 0.95.",
                        "max_digits": "Enter the ABI as a number from 0.00 to 3.00.",
                    },
                )
            else:
                fields[f"{item}_{side}"] = _choice(SIDED_CHOICES[item], label)
    for side in SIDES:
        fields[f"monofilament_felt_{side}"] = _count(f"Monofilament sites felt, {side}", 0)
        fields[f"monofilament_tested_{side}"] = _count(f"Monofilament sites tested, {side}", 1)
    fields["romberg"] = _choice(vocab.ROMBERG, vocab.EXAM_LABELS["romberg"])
    fields["foot_inspection"] = checkbox_group(vocab.FOOT_INSPECTION, "Foot inspection findings")
    fields["foot_inspection_none"] = forms.BooleanField(required=False, label="Inspected: nothing found")
    return fields


class ExamForm(SectionForm):
    """The examination as a left/right grid (templates/workup/sections/exam.html lays it out)."""

    section = "exam"
    title = "Examination"
    list_fields = {"foot_inspection": vocab.FOOT_INSPECTION}

    class Meta:
        model = Workup
        fields = list(EXAM_FIELDS)

    def __init__(self, data: Any = None, *, instance: Workup, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["foot_inspection_none"] = instance.foot_inspection == []
        super().__init__(data, instance=instance, **kwargs)
        self.fields.update(_exam_fields())

    def grid(self) -> list[dict[str, Any]]:
        """Rows of the examination grid: the item's label and its left and right bound fields."""
        rows: list[dict[str, Any]] = []
        for item in vocab.SIDED_EXAM_ITEMS:
            if item == "monofilament":
                sides = [(self[f"monofilament_felt_{s}"], self[f"monofilament_tested_{s}"]) for s in SIDES]
                rows.append({"item": item, "label": vocab.EXAM_LABELS[item], "monofilament": sides})
            else:
                rows.append(
                    {"item": item, "label": vocab.EXAM_LABELS[item], "sides": [self[f"{item}_{s}"] for s in SIDES]}
                )
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for side in SIDES:
            self._check_monofilament(data, side)
            self._check_abi(data, f"abi_{side}")
        self._check_foot_inspection(data)
        return data

    def _check_foot_inspection(self, data: dict[str, Any]) -> None:
        """No box ticked: not inspected (None). "Nothing found": inspected, [] . Both at once is a contradiction."""
        if data.get("foot_inspection") and data.get("foot_inspection_none"):
            self.add_error(
                "foot_inspection_none",
                'Untick "Inspected: nothing found" or the findings ticked: they contradict each other.',
            )
        elif not data.get("foot_inspection") and "foot_inspection" not in self.errors:
            data["foot_inspection"] = [] if data.get("foot_inspection_none") else None

    def _check_monofilament(self, data: dict[str, Any], side: str) -> None:
        felt_name, tested_name = f"monofilament_felt_{side}", f"monofilament_tested_{side}"
        felt, tested = data.get(felt_name), data.get(tested_name)
        if felt_name in self.errors or tested_name in self.errors:
            return
        if tested is not None and not 1 <= tested <= 10:
            self.add_error(tested_name, f"{tested} sites tested: test from 1 to 10 sites on a foot.")
        elif felt is not None and not 0 <= felt <= 10:
            self.add_error(felt_name, f"{felt} sites felt: enter 0 to 10.")
        elif felt is not None and tested is None:
            self.add_error(tested_name, f"Enter how many sites were tested on the {side} foot.")
        elif tested is not None and felt is None:
            self.add_error(felt_name, f"Enter how many of the {tested} sites were felt on the {side} foot.")
        elif felt is not None and tested is not None and felt > tested:
            self.add_error(felt_name, f"{felt} sites felt is more than the {tested} sites tested on the {side} foot.")

    def _check_abi(self, data: dict[str, Any], name: str) -> None:
        abi = data.get(name)
        if name not in self.errors and abi is not None and not 0 <= abi <= 3:
            self.add_error(name, f"An ABI of {abi.normalize():f} is not possible: enter a value from 0.00 to 3.00.")


SECTION_FORMS: dict[str, type[SectionForm]] = {
    "presentation": PresentationForm,
    "history": HistoryForm,
    "exam": ExamForm,
}
