"""Forms of the clinic administration screens: staff accounts and API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth.password_validation import validate_password

from workup.forms.hygiene import VisibleTextMixin
from workup.models import ReceivingService, Role, User


class StaffForm(VisibleTextMixin, forms.ModelForm):
    """Add a member of staff to the administrator's clinic, with a first password they are told to change."""

    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password.",
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "is_clinician",
            "job_title",
            "registration_number",
            "phone",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("username"), Column("password")),
            Row(Column("first_name"), Column("last_name")),
            Row(Column("role"), Column("is_clinician")),
            Row(Column("job_title"), Column("registration_number")),
            Row(Column("email"), Column("phone")),
            Submit("save", "Add member of staff"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            probe = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
            try:
                validate_password(data["password"], probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class StaffChangeForm(VisibleTextMixin, forms.ModelForm):
    """Change a colleague's role or deactivate their account (their data and audit trail stay)."""

    class Meta:
        model = User
        fields = ["role", "is_clinician", "job_title", "registration_number", "phone", "is_active"]
        labels = {"is_active": "Account active (untick to stop this person logging in)"}

    def __init__(self, *args: Any, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save changes"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk != self.acting_user.pk:
            return data
        if not data.get("is_active", True) or data.get("role") != Role.CLINIC_ADMIN:
            raise forms.ValidationError("You cannot deactivate yourself or remove your own administrator role.")
        if data.get("is_clinician") and not self.initial.get("is_clinician"):
            # Signing rights are granted by someone else: another administrator of the clinic, or the operator.
            self.add_error(
                "is_clinician",
                "You cannot give yourself signing rights: another administrator of your clinic, or the operator, "
                "must mark you as a clinician.",
            )
        return data


class TokenForm(VisibleTextMixin, forms.Form):
    name = forms.CharField(max_length=100, label="What is this token for?", help_text="e.g. Practice system link")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("create", "Create token"))


class CdsClientForm(VisibleTextMixin, forms.Form):
    """Register an EHR allowed to call the CDS Hooks service for the administrator's clinic."""

    name = forms.CharField(max_length=100, required=False, help_text="e.g. the EHR's product name")
    issuer = forms.CharField(max_length=300, help_text="The JWT 'iss' the EHR sends, e.g. https://ehr.example.org/")
    jwks = forms.CharField(
        label="Public JWK Set",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text='The EHR\'s public keys as JSON ({"keys": [...]}); never a private key or a shared secret.',
    )
    jku = forms.URLField(
        label="JWK Set URL",
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="Instead of the keys: the one https URL its tokens may name in 'jku'.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("register", "Register client"))

    def clean_jwks(self) -> dict[str, Any] | None:
        from workup.interop.cds_hooks.auth import jwks_from_text

        text = self.cleaned_data["jwks"].strip()
        if not text:
            return None
        try:
            return jwks_from_text(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Not a public JWK Set: {exc}.") from None

    def clean_jku(self) -> str:
        jku: str = self.cleaned_data["jku"]
        if jku and not jku.startswith("https://"):
            raise forms.ValidationError("The JWK Set URL must be https.")
        return jku

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("jwks") and not data.get("jku"):
            raise forms.ValidationError("Give the public JWK Set or its URL: the service needs the key.")
        return data


class ReceivingServiceForm(VisibleTextMixin, forms.ModelForm):
    """One entry of the clinic's directory of receiving services: where a letter to that service is addressed."""

    class Meta:
        model = ReceivingService
        fields = ["service", "organisation", "department", "address", "phone", "ers_service_name", "is_default"]
        widgets: ClassVar[dict[str, forms.Widget]] = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, submit: str = "Add to the directory", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("service"), Column("is_default")),
            Row(Column("organisation"), Column("department")),
            Row(Column("address"), Column("phone", "ers_service_name")),
            Submit("save", submit),
        )
