"""Clinic administration (staff accounts, the audit trail) and each user's own account (password, API tokens)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse_lazy
from django.views.decorators.http import require_POST

from workup.access import AuthedRequest, admin_required, member_required
from workup.forms_clinic import ReceivingServiceForm, StaffChangeForm, StaffForm, TokenForm
from workup.models import ApiToken, AuditEvent, ReceivingService, User
from workup.services import audit
from workup.services import letters as letter_services
from workup.services.tokens import create_token, revoke


def _staff_of(request: AuthedRequest) -> QuerySet[User]:
    return User.objects.filter(clinic=request.user.clinic).order_by("-is_active", "last_name", "first_name")


@admin_required
def staff(request: AuthedRequest) -> HttpResponse:
    """List the clinic's staff and add a new member."""
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.clinic_id = request.user.clinic_id
        user.set_password(form.cleaned_data["password"])
        user.save()
        audit.record(
            user=request.user,
            action="create",
            request=request,
            object_type="user",
            object_id=str(user.pk),
            changes={"username": [None, user.username], "role": [None, user.role]},
        )
        messages.success(request, f"{user.get_full_name()} can now log in as {user.username}.")
        return redirect("clinic_staff")
    return render(request, "clinic/staff.html", {"staff": _staff_of(request), "form": form})


@admin_required
def staff_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    """Change a colleague's role or deactivate them."""
    member = get_object_or_404(_staff_of(request), pk=user_id)
    before = {f: getattr(member, f) for f in StaffChangeForm.Meta.fields}
    form = StaffChangeForm(request.POST or None, instance=member, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        changes = audit.diff(before, {f: getattr(member, f) for f in StaffChangeForm.Meta.fields})
        audit.record(
            user=request.user,
            action="change",
            request=request,
            object_type="user",
            object_id=str(member.pk),
            changes=changes,
        )
        messages.success(request, f"Saved {member.get_full_name()}.")
        return redirect("clinic_staff")
    return render(request, "clinic/staff_edit.html", {"member": member, "form": form})


@admin_required
def directory(request: AuthedRequest) -> HttpResponse:
    """The clinic's directory of receiving services (letters are addressed from it); add an entry."""
    form = ReceivingServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = letter_services.save_receiving_service(user=request.user, entry=form.instance, request=request)
        messages.success(request, f"Added {entry} to the directory.")
        return redirect("clinic_directory")
    entries = letter_services.directory(request.user.clinic_id or 0)
    return render(request, "clinic/directory.html", {"entries": entries, "form": form})


@admin_required
def directory_edit(request: AuthedRequest, entry_id: int) -> HttpResponse:
    """Change an entry of the clinic's directory."""
    entry = get_object_or_404(ReceivingService, pk=entry_id, clinic_id=request.user.clinic_id)
    before = {f: getattr(entry, f) for f in letter_services.DIRECTORY_FIELDS}
    form = ReceivingServiceForm(request.POST or None, instance=entry, submit="Save")
    if request.method == "POST" and form.is_valid():
        letter_services.save_receiving_service(user=request.user, entry=form.instance, request=request, before=before)
        messages.success(request, f"Saved {entry}.")
        return redirect("clinic_directory")
    return render(request, "clinic/directory_edit.html", {"entry": entry, "form": form})


@admin_required
def audit_trail(request: AuthedRequest) -> HttpResponse:
    """The clinic's audit trail, newest first; read-only."""
    events = AuditEvent.objects.filter(clinic=request.user.clinic).select_related("patient")
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "clinic/audit.html", {"page": page, "action": action, "actions": AuditEvent.Action.choices})


@member_required
def tokens(request: AuthedRequest) -> HttpResponse:
    """The user's own API tokens: create one (shown once) or revoke one."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        token, new_key = create_token(user=request.user, name=form.cleaned_data["name"])
        audit.record(
            user=request.user,
            action="create",
            request=request,
            object_type="api_token",
            object_id=str(token.pk),
        )
        form = TokenForm()
    mine = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "clinic/tokens.html", {"tokens": mine, "form": form, "new_key": new_key})


@member_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    revoke(token=token)
    audit.record(
        user=request.user,
        action="change",
        request=request,
        object_type="api_token",
        object_id=str(token.pk),
        changes={"revoked": [False, True]},
    )
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("account_tokens")


class PasswordChange(auth_views.PasswordChangeView):
    """Change password; every other session of this user ends (Django checks the session's password hash)."""

    template_name = "clinic/password.html"
    success_url = reverse_lazy("worklist")

    request: AuthedRequest

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(
            user=self.request.user,
            action="change",
            request=self.request,
            object_type="password",
            object_id=str(self.request.user.pk),
        )
        messages.success(self.request, "Password changed. You have been logged out everywhere else.")
        return response


urlpatterns = [
    path("staff/", staff, name="clinic_staff"),
    path("staff/<int:user_id>/", staff_edit, name="clinic_staff_edit"),
    path("directory/", directory, name="clinic_directory"),
    path("directory/<int:entry_id>/", directory_edit, name="clinic_directory_edit"),
    path("audit/", audit_trail, name="clinic_audit"),
    path("account/password/", member_required(PasswordChange.as_view()), name="account_password"),
    path("account/tokens/", tokens, name="account_tokens"),
    path("account/tokens/<int:token_id>/revoke/", token_revoke, name="account_token_revoke"),
]
