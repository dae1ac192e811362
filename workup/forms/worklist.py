"""Worklist search (posted, kept in the session: no patient data in URLs) and filters (in the query string)."""

from __future__ import annotations

import re
from datetime import date, datetime

from django import forms
from django.db.models import Q, QuerySet

from workup.forms.hygiene import VisibleTextMixin
from workup.forms.patients import normalise_identifier
from workup.models import Letter, Patient, Workup
from workup.rules import vocab
from workup.services.referrals import awaiting_reply

NOT_STARTED = "not_started"
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y")


class SearchForm(VisibleTextMixin, forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search by name, identifier or date of birth",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "autocomplete": "off",
                "placeholder": "e.g. Okafor, 943 476 5919 or 14/03/1961",
            }
        ),
    )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


class WorklistFilterForm(forms.Form):
    stage = forms.ChoiceField(
        required=False,
        choices=[("", "Any stage"), (NOT_STARTED, "Not started"), *vocab.STAGE],
        label="Stage",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    urgency = forms.ChoiceField(
        required=False,
        choices=[("", "Any urgency"), *vocab.URGENCY],
        label="Urgency",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    awaiting = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=3650,
        label="Awaiting reply for more than (days)",
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric", "placeholder": "e.g. 28"}),
    )
    state = forms.ChoiceField(
        required=False,
        choices=[("", "Open workups"), ("closed", "Closed workups"), ("all", "Open and closed")],
        label="Show",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def filtered(self, workups: QuerySet[Workup]) -> QuerySet[Workup]:
        """``workups`` narrowed to the chosen stage, urgency, referrals awaiting a reply, and open or closed ones
        (invalid choices ignored; closed workups only when asked for)."""
        if not self.is_valid():
            return workups.filter(closed_as="")
        state = self.cleaned_data["state"]
        if state != "all":
            workups = workups.filter(closed_as="") if not state else workups.exclude(closed_as="")
        days = self.cleaned_data.get("awaiting")
        if days is not None:
            waiting = awaiting_reply(Letter.objects.all(), days=days)
            workups = workups.filter(pk__in=waiting.values("workup_id"))
        stage, urgency = self.cleaned_data["stage"], self.cleaned_data["urgency"]
        if stage:
            workups = workups.filter(stage="" if stage == NOT_STARTED else stage)
        if urgency:
            workups = workups.filter(urgency=urgency)
        return workups

    def query_string(self) -> str:
        """The active filters as a query string (without the page)."""
        if not self.is_valid():
            return ""
        return "&".join(f"{k}={v}" for k, v in self.cleaned_data.items() if v not in (None, ""))


def parse_date(text: str) -> date | None:
    """A date of birth typed in any of the usual UK forms, or None."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def patient_matches(term: str, prefix: str = "") -> Q:
    """Q matching patients (or, with prefix="patient__", workups) by date of birth, identifier or every name word."""
    born = parse_date(term)
    if born is not None:
        return Q(**{f"{prefix}date_of_birth": born})
    query = Q(**{f"{prefix}identifier__icontains": term})
    bare = normalise_identifier(term)
    if re.fullmatch(r"[0-9A-Z]{3,}", bare) and any(ch.isdigit() for ch in bare):
        # 9434765919 finds 943 476 5919 and the other way round.
        query |= Q(**{f"{prefix}identifier__iregex": r"[ -]?".join(re.escape(ch) for ch in bare)})
    names = Q()
    for word in term.replace(",", " ").split():
        names &= Q(**{f"{prefix}given_name__icontains": word}) | Q(**{f"{prefix}family_name__icontains": word})
    return query | names


def search_patients(patients: QuerySet[Patient], term: str) -> QuerySet[Patient]:
    """Patients matching a search term."""
    return patients.filter(patient_matches(term)) if term else patients.none()
