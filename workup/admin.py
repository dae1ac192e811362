"""Django admin for the platform operator (superusers). Clinic staff use the app's own screens.

Signed means signed here too: issued letters and audit events are read-only and cannot be deleted by anyone,
every change to a clinical record made here is written to the app's audit trail, and a member of staff given
admin access (not the operator) sees only their own clinic.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from workup.forms.hygiene import VisibleTextMixin
from workup.forms.login import AdminLoginForm
from workup.models import ApiToken, AuditEvent, Clinic, LabResult, Letter, Patient, ReceivingService, User, Workup
from workup.services import audit

admin.site.login_form = AdminLoginForm

# How each model reaches its clinic: the admin's lists and choices are filtered along these paths.
CLINIC_OF: dict[type[models.Model], str] = {
    Clinic: "pk",
    User: "clinic",
    Patient: "clinic",
    Workup: "patient__clinic",
    Letter: "workup__patient__clinic",
    LabResult: "workup__patient__clinic",
    ApiToken: "user__clinic",
    AuditEvent: "clinic",
    ReceivingService: "clinic",
}
MAX_INLINE_ROWS = 60


def is_operator(request: HttpRequest) -> bool:
    """The platform operator: an active superuser. Everyone else is limited to their clinic."""
    return bool(request.user.is_active and request.user.is_superuser)


def clinic_scoped(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` as the user may see it in the admin: everything for the operator, else their clinic's rows."""
    if is_operator(request):
        return queryset
    clinic_id = getattr(request.user, "clinic_id", None)
    if clinic_id is None:
        return queryset.none()
    return queryset.filter(**{CLINIC_OF[queryset.model]: clinic_id})


class VisibleTextAdminForm(VisibleTextMixin, forms.ModelForm):
    """Admin forms refuse invisible and direction-changing characters too (clinic names print on letters)."""


class ClinicScopedAdmin(admin.ModelAdmin):
    """Lists, choices and filters limited to the user's clinic unless the user is the operator."""

    form = VisibleTextAdminForm

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return clinic_scoped(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.related_model
        if related in CLINIC_OF and "queryset" not in kwargs:
            kwargs["queryset"] = clinic_scoped(request, related._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)
        return filters if is_operator(request) else [f for f in filters if "clinic" not in str(f)]


def record(request: HttpRequest, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> None:
    """Write an admin action on ``obj`` to the app's audit trail, like the same action on a screen."""
    user: Any = request.user
    if isinstance(obj, LabResult):
        audit.record(
            user=user,
            action=action,
            obj=obj.workup,
            request=request,
            changes=changes,
            object_type="labresult",
            object_id=str(obj.pk),
        )
    elif isinstance(obj, Patient) and action == "delete":
        # No link to the row being deleted: the audit trail's protection would refuse the deletion.
        audit.record(
            user=user,
            action=action,
            request=request,
            object_type="patient",
            object_id=str(obj.pk),
            clinic_id=obj.clinic_id,
        )
    elif isinstance(obj, Patient | Workup | Letter):
        audit.record(user=user, action=action, obj=obj, request=request, changes=changes)
    else:
        clinic_id = obj.pk if isinstance(obj, Clinic) else getattr(obj, "clinic_id", None)
        audit.record(
            user=user,
            action=action,
            request=request,
            changes=changes,
            object_type=type(obj).__name__.lower(),
            object_id=str(obj.pk),
            clinic_id=clinic_id,
        )


def form_changes(form: forms.BaseForm) -> dict[str, list[Any]]:
    """What the admin form changed, as {field: [before, after]} (related objects by primary key)."""
    before = {name: _plain(form.initial.get(name)) for name in form.changed_data}
    after = {name: _plain(form.cleaned_data.get(name)) for name in form.changed_data}
    return audit.diff(before, after)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple) and not isinstance(value, str):
        return [_plain(v) for v in value]
    return value


class AuditedAdmin(ClinicScopedAdmin):
    """Every save and deletion here, including inline rows, is written to the audit trail."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(request, "change" if change else "create", obj, form_changes(form))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(request, "delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            record(request, "delete", obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        doomed = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        for obj in doomed:
            record(request, "delete", obj)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record(request, "create", obj)
        changed_forms = {f.instance.pk: f for f in formset.forms if f.instance.pk is not None}
        for obj, _fields in formset.changed_objects:
            record(request, "change", obj, form_changes(changed_forms[obj.pk]))


@admin.register(Clinic)
class ClinicAdmin(AuditedAdmin):
    list_display = ("name", "phone", "email")


@admin.register(ReceivingService)
class ReceivingServiceAdmin(AuditedAdmin):
    """The clinic's directory of receiving services: where letters are addressed."""

    list_display = ("service", "department", "organisation", "ers_service_name", "is_default")
    list_filter = ("service", "clinic")
    search_fields = ("organisation", "department", "ers_service_name")


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "clinic", "role", "is_active")
    list_filter = ("clinic", "role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Clinic", {"fields": ("clinic", "role", "is_clinician", "job_title", "registration_number", "phone")}),
    )
    # Only the operator grants admin access, permissions or another clinic; nobody grants themselves a role.
    OPERATOR_ONLY: ClassVar[tuple[str, ...]] = ("is_superuser", "is_staff", "groups", "user_permissions", "clinic")
    NOT_ON_ONESELF: ClassVar[tuple[str, ...]] = ("role", "is_clinician", "is_active")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return clinic_scoped(request, super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [*super().get_readonly_fields(request, obj)]
        if not is_operator(request):
            fields += self.OPERATOR_ONLY
            if obj is not None and obj.pk == request.user.pk:
                fields += self.NOT_ON_ONESELF
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change and not is_operator(request):
            obj.clinic_id = getattr(request.user, "clinic_id", None)
        super().save_model(request, obj, form, change)
        changes = {k: v for k, v in form_changes(form).items() if "password" not in k}
        record(request, "change" if change else "create", obj, changes)


@admin.register(Patient)
class PatientAdmin(AuditedAdmin):
    list_display = ("family_name", "given_name", "date_of_birth", "identifier", "clinic")
    list_filter = ("clinic",)
    search_fields = ("family_name", "given_name", "identifier")


class LabResultInline(admin.TabularInline):
    model = LabResult
    extra = 0
    max_num = MAX_INLINE_ROWS

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("absolute_max", MAX_INLINE_ROWS)
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)


@admin.register(Workup)
class WorkupAdmin(AuditedAdmin):
    list_display = ("patient", "urgency", "stage", "pattern", "updated_at")
    list_filter = ("urgency", "stage", "patient__clinic")
    inlines = [LabResultInline]


class LetterAdminForm(VisibleTextAdminForm):
    class Meta:
        model = Letter
        fields = ("question", "free_text", "addendum_reason")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if Letter.objects.filter(pk=self.instance.pk, signed_at__isnull=False).exists():
            raise forms.ValidationError("This letter has been signed and issued: it can no longer be changed.")
        return data


@admin.register(Letter)
class LetterAdmin(AuditedAdmin):
    """Letters are created and signed in the app; here a draft's wording can be corrected, an issued one only read."""

    form = LetterAdminForm
    list_display = ("reference", "version", "status", "service", "urgency", "signed_at")
    list_filter = ("status",)
    readonly_fields = (
        "workup",
        "reference",
        "version",
        "amends",
        "status",
        "kind",
        "service",
        "urgency",
        "created_by",
        "draft_version",
        "pdf_sha256",
        "pages",
        "signed_by",
        "signed_at",
        "recommendation",
        "case",
        "ruleset",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Letter | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_issued)

    def has_delete_permission(self, request: HttpRequest, obj: Letter | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_issued)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Only the wording of a draft, and only while it is still a draft in the database (it may have been
        # signed since the form was opened); a signature or preview opened before this edit no longer applies.
        wording = {name: getattr(obj, name) for name in LetterAdminForm.Meta.fields}
        updated = Letter.objects.filter(pk=obj.pk, status=Letter.Status.DRAFT).update(
            **wording, draft_version=F("draft_version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise PermissionDenied("This letter was signed and issued meanwhile: it cannot be changed.")
        record(request, "change", obj, form_changes(form))


@admin.register(ApiToken)
class ApiTokenAdmin(ClinicScopedAdmin):
    list_display = ("name", "user", "prefix", "created_at", "revoked_at")
    readonly_fields = ("key_sha256", "prefix")


@admin.register(AuditEvent)
class AuditEventAdmin(ClinicScopedAdmin):
    """Read-only: the audit trail is never edited or deleted, by anyone."""

    list_display = ("at", "username", "action", "object_type", "object_id", "ip_address")
    list_filter = ("action", "clinic")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
