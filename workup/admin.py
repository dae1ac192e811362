"""Django admin for the platform operator (superusers). Clinic staff use the app's own screens."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from workup.forms.login import AdminLoginForm
from workup.models import ApiToken, AuditEvent, Clinic, LabResult, Letter, Patient, User, Workup

admin.site.login_form = AdminLoginForm


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "email")


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "clinic", "role", "is_active")
    list_filter = ("clinic", "role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Clinic", {"fields": ("clinic", "role", "is_clinician", "job_title", "registration_number", "phone")}),
    )


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("family_name", "given_name", "date_of_birth", "identifier", "clinic")
    list_filter = ("clinic",)
    search_fields = ("family_name", "given_name", "identifier")


class LabResultInline(admin.TabularInline):
    model = LabResult
    extra = 0


@admin.register(Workup)
class WorkupAdmin(admin.ModelAdmin):
    list_display = ("patient", "urgency", "stage", "pattern", "updated_at")
    list_filter = ("urgency", "stage", "patient__clinic")
    inlines = [LabResultInline]


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ("reference", "version", "status", "service", "urgency", "signed_at")
    readonly_fields = ("pdf_sha256", "signed_by", "signed_at", "ruleset")

    def has_change_permission(self, request: HttpRequest, obj: Letter | None = None) -> bool:
        return obj is None or not obj.is_issued


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "revoked_at")
    readonly_fields = ("key_sha256", "prefix")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited or deleted."""

    list_display = ("at", "username", "action", "object_type", "object_id", "ip_address")
    list_filter = ("action", "clinic")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
