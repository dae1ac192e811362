"""Blood results: one row per result, the unit chosen from those the test accepts, never guessed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from workup import merge, rules
from workup.forms.hygiene import VisibleTextMixin
from workup.models import LabResult
from workup.rules import vocab
from workup.services.workups import RowEdit

# How units read on screen; the stored code is the contract's ASCII spelling.
UNIT_LABELS: dict[str, str] = {
    "umol/L": "µmol/L",
    "ug/L": "µg/L",
    "uIU/mL": "µIU/mL",
    "mL/min/1.73m2": "mL/min/1.73 m²",
}
ALL_UNITS: tuple[str, ...] = tuple(dict.fromkeys(u for units in vocab.LAB_UNITS.values() for u in units))
TEST_LABELS = dict(vocab.LAB_TESTS)
MAX_RESULTS = 60  # more than any workup needs; a posted TOTAL_FORMS past it is refused before rows are built
ROW_FIELDS = ("test", "comparator", "value", "spep_result", "unit", "collected_on", "reference_low", "reference_high")
# Electrophoresis detail a haematologist triages on: printed on the letter, not read by the engine.
SPEP_DETAIL = ("paraprotein_type", "paraprotein_g_l", "immunofixation", "kappa_flc_mg_l", "lambda_flc_mg_l")
PARAPROTEIN_MAX_G_L = Decimal(150)  # above any paraprotein seen in practice: a typo (mg/L for g/L)
LIGHT_CHAIN_MAX_MG_L = Decimal(100000)


def noun(test: str) -> str:
    """A test named mid-sentence: "fasting glucose", but "HbA1c" and "TSH" keep their capitals."""
    name = TEST_LABELS[test]
    first_word = name.split()[0]
    return name if any(ch.isupper() for ch in first_word[1:]) else name[0].lower() + name[1:]


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit)


def units_in_words(test: str) -> str:
    """ "mmol/L or mg/dL": the units ``test`` accepts, as a clinician reads them."""
    names = [unit_label(u) for u in rules.UNITS[test]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _decimal(label: str, what: str) -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        max_digits=16,
        decimal_places=6,
        label=label,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": f"Enter the {what} as a number, e.g. 7.2.",
            "max_decimal_places": f"Enter the {what} with at most 6 decimal places.",
            "max_digits": f"That {what} has too many digits.",
            "max_whole_digits": f"That {what} has too many digits.",
        },
    )


class LabRowForm(VisibleTextMixin, forms.Form):
    """One result as the lab reported it."""

    test = forms.ChoiceField(choices=[("", "Choose a test"), *vocab.LAB_TESTS], required=False, label="Test")
    comparator = forms.ChoiceField(
        choices=(("", "="), ("<", "<"), (">", ">")),
        required=False,
        label="Equal to, below (<) or above (>)",
    )
    value = _decimal("Result", "result")
    spep_result = forms.ChoiceField(choices=[("", "Choose"), *vocab.SPEP_VALUES], required=False, label="SPEP result")
    unit = forms.ChoiceField(
        choices=[("", "—"), *((u, unit_label(u)) for u in ALL_UNITS)], required=False, label="Unit"
    )
    collected_on = forms.DateField(
        required=False,
        label="Collected",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date the sample was taken."},
    )
    reference_low = _decimal("Lab range, low", "lower limit")
    reference_high = _decimal("Lab range, high", "upper limit")
    # Which stored result the row shows, and a digest of how it read: a save changes only what the user changed.
    row_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    seen = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    paraprotein_type = forms.CharField(
        required=False, max_length=40, label="Paraprotein type", help_text="e.g. IgG kappa (SPEP only)"
    )
    paraprotein_g_l = _decimal("Paraprotein (g/L)", "paraprotein concentration")
    immunofixation = forms.CharField(required=False, max_length=200, label="Immunofixation", help_text="SPEP only")
    kappa_flc_mg_l = _decimal("Free kappa light chains (mg/L)", "kappa light chains")
    lambda_flc_mg_l = _decimal("Free lambda light chains (mg/L)", "lambda light chains")
    reading: dict[str, Any] | None = None  # what the page shows beside a saved result (views.workup_page)
    is_extra = True  # a blank row offered for a new result (BaseLabFormSet marks the stored ones)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["test"].widget.attrs["class"] = "lab-test"
        self.fields["unit"].widget.attrs["class"] = "lab-unit"

    @property
    def is_blank(self) -> bool:
        """Nothing typed in the row: it is skipped, not an error."""
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in (*ROW_FIELDS, *SPEP_DETAIL) if name != "comparator")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.is_blank or data.get("DELETE"):
            return data
        test = data.get("test")
        if not test:
            if "test" not in self.errors:
                self.add_error("test", "Choose which test this result is for.")
        elif test == "spep":
            self._clean_spep(data)
            self._clean_spep_detail(data)
        else:
            self._clean_measured(data, test)
            for name in SPEP_DETAIL:
                if data.get(name) not in (None, ""):
                    self.add_error(
                        name, "Paraprotein, immunofixation and light chains belong to an electrophoresis row."
                    )
        self._clean_dates_and_range(data)
        return data

    def _clean_spep(self, data: dict[str, Any]) -> None:
        if not data.get("spep_result"):
            self.add_error("spep_result", "Choose the electrophoresis result: normal or paraprotein detected.")
        if data.get("value") is not None:
            self.add_error("value", "Serum protein electrophoresis has no number: choose the result instead.")
        if data.get("unit"):
            self.add_error("unit", "Serum protein electrophoresis has no unit: leave the unit empty.")
        if data.get("comparator"):
            self.add_error("comparator", "Serum protein electrophoresis has no < or >.")
        if data.get("reference_low") is not None or data.get("reference_high") is not None:
            self.add_error("reference_high", "Serum protein electrophoresis has no reference range.")

    def _clean_spep_detail(self, data: dict[str, Any]) -> None:
        """Paraprotein type and amount only with a paraprotein; amounts within what a lab reports."""
        if data.get("spep_result") != "paraprotein":
            for name in ("paraprotein_type", "paraprotein_g_l"):
                if data.get(name) not in (None, ""):
                    self.add_error(name, "Record the paraprotein only when electrophoresis detected one.")
        limits = {
            "paraprotein_g_l": (PARAPROTEIN_MAX_G_L, "g/L"),
            "kappa_flc_mg_l": (LIGHT_CHAIN_MAX_MG_L, "mg/L"),
            "lambda_flc_mg_l": (LIGHT_CHAIN_MAX_MG_L, "mg/L"),
        }
        for name, (most, unit) in limits.items():
            value = data.get(name)
            if value is not None and not 0 <= value <= most:
                self.add_error(name, f"Enter a value from 0 to {most} {unit}: check the unit the lab reported.")

    def _clean_measured(self, data: dict[str, Any], test: str) -> None:
        name, unit, value = noun(test), data.get("unit"), data.get("value")
        if data.get("spep_result"):
            self.add_error("spep_result", f"{TEST_LABELS[test]} is a number, not an electrophoresis result.")
        if value is None and "value" not in self.errors:
            self.add_error("value", f"Enter the {name} result.")
        if not unit:
            self.add_error("unit", f"Choose the unit the lab reported: {name} is reported in {units_in_words(test)}.")
        elif unit not in rules.UNITS[test]:
            self.add_error("unit", f"{unit_label(unit)} is not a unit for {name}: choose {units_in_words(test)}.")
        elif value is not None:
            errors, _ = rules.check_lab_value(test, self.case_value(), unit)
            for message in errors:
                self.add_error("value", message)

    def _clean_dates_and_range(self, data: dict[str, Any]) -> None:
        collected = data.get("collected_on")
        if collected and collected > self.today:
            self.add_error(
                "collected_on", f"{collected:%d %b %Y} is in the future: enter the date the sample was taken."
            )
        low, high = data.get("reference_low"), data.get("reference_high")
        if low is not None and high is not None and low > high:
            self.add_error("reference_high", "The upper limit is below the lower limit: check the lab's range.")

    def case_value(self) -> Any:
        """The value as the contract writes it: a number, "<x" / ">x" when censored, the text for SPEP."""
        data = self.cleaned_data
        if data.get("test") == "spep":
            return data.get("spep_result")
        value: Decimal = data["value"]
        number = int(value) if value == value.to_integral_value() else float(value)
        return f"{data['comparator']}{_plain(value)}" if data.get("comparator") else number

    def row(self) -> dict[str, Any]:
        """LabResult field values for services.replace_labs."""
        data = self.cleaned_data
        spep = data["test"] == "spep"
        return {
            "test": data["test"],
            "comparator": "" if spep else data.get("comparator", ""),
            "value": None if spep else data.get("value"),
            "text_value": data.get("spep_result", "") if spep else "",
            "unit": "" if spep else data.get("unit", ""),
            "collected_on": data.get("collected_on"),
            "reference_low": data.get("reference_low"),
            "reference_high": data.get("reference_high"),
            **{
                name: data.get(name) if spep else None
                for name in ("paraprotein_g_l", "kappa_flc_mg_l", "lambda_flc_mg_l")
            },
            **{name: (data.get(name) or "").strip() if spep else "" for name in ("paraprotein_type", "immunofixation")},
        }

    def field_for(self, contract_field: str | None) -> str | None:
        """The form field that shows a problem the engine found in this row's ``contract_field``."""
        if contract_field == "value" and self._current("test") == "spep":
            return "spep_result"
        return contract_field

    def _current(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _tidy(value: Decimal | None) -> Decimal | None:
    """7.000000 -> 7 and 0.400000 -> 0.4, without an exponent, for the input box."""
    return None if value is None else Decimal(_plain(value))


class BaseLabFormSet(forms.BaseFormSet):
    """The blood results; blank rows are skipped and rows ticked Remove are dropped."""

    default_error_messages = {
        "too_many_forms": f"At most {MAX_RESULTS} results can be saved for one workup: remove some rows.",
        "missing_management_form": "The results form was incomplete: reload the page and enter the results again.",
    }

    def _construct_form(self, i: int, **kwargs: Any) -> LabRowForm:
        form: LabRowForm = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        form.is_extra = i >= self.initial_form_count()
        return form

    def kept_forms(self) -> list[LabRowForm]:
        """The rows to store, in order (valid formset only)."""
        return [f for f in self.forms if not f.is_blank and not self._should_delete_form(f)]  # type: ignore[attr-defined]

    def rows(self) -> list[dict[str, Any]]:
        return [f.row() for f in self.kept_forms()]

    def edits(self) -> list[RowEdit]:
        """The rows as services.save_labs reads them: kept rows, and the stored rows the user ticked Remove."""
        edits = [
            RowEdit(values=f.row(), row_id=f.cleaned_data.get("row_id"), seen=f.cleaned_data.get("seen") or "")
            for f in self.kept_forms()
        ]
        for form in self.forms:
            row_id = form.cleaned_data.get("row_id")
            if row_id and self._should_delete_form(form):  # type: ignore[attr-defined]
                edits.append(RowEdit(values={}, row_id=row_id, seen=form.cleaned_data.get("seen") or "", remove=True))
        return edits


LabFormSet = forms.formset_factory(
    LabRowForm,
    formset=BaseLabFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_RESULTS,
    validate_max=True,
    absolute_max=MAX_RESULTS,
)


def lab_formset(data: Any = None, *, today: date, labs: list[LabResult] | None = None) -> BaseLabFormSet:
    """The blood-results formset: bound to what was posted, or showing ``labs`` (plus blank rows for new ones)."""
    if data is not None:
        return LabFormSet(data, prefix="labs", form_kwargs={"today": today})  # type: ignore[return-value]
    formset = LabFormSet(prefix="labs", initial=[lab_initial(lab) for lab in labs or []], form_kwargs={"today": today})
    formset.extra = 1 if labs else 2
    return formset  # type: ignore[return-value]


def lab_initial(lab: LabResult) -> dict[str, Any]:
    """A stored result as the initial values of its row."""
    return {
        "row_id": lab.pk,
        "seen": merge.lab_digest({name: getattr(lab, name) for name in merge.LAB_FIELDS}),
        "test": lab.test,
        "comparator": lab.comparator,
        "value": _tidy(lab.value),
        "spep_result": lab.text_value,
        "unit": lab.unit,
        "collected_on": lab.collected_on,
        "reference_low": _tidy(lab.reference_low),
        "reference_high": _tidy(lab.reference_high),
        "paraprotein_type": lab.paraprotein_type,
        "paraprotein_g_l": _tidy(lab.paraprotein_g_l),
        "immunofixation": lab.immunofixation,
        "kappa_flc_mg_l": _tidy(lab.kappa_flc_mg_l),
        "lambda_flc_mg_l": _tidy(lab.lambda_flc_mg_l),
    }
