"""Giving the patient's copy: print view or PDF, normal or large print."""

from __future__ import annotations

from django import forms


class GiveHandoutForm(forms.Form):
    output = forms.ChoiceField(choices=(("print", "Print view"), ("pdf", "PDF")))
    large_print = forms.BooleanField(required=False, label="Large print (16 pt)")
