"""Clinic administration (staff accounts, the audit trail) and each user's own account (password, API tokens)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse_lazy
from django.views.decorators.http import require_POST

from workup.access import AuthedRequest, admin_required, member_required
from workup.forms.clinic import CdsClientForm, ReceivingServiceForm, StaffChangeForm, StaffForm, TokenForm
from workup.models import ApiToken, AuditEvent, CdsClient, ReceivingService, User
from workup.services import letters as letter_services
from workup.services import staff as staff_services
from workup.services.cds_hooks import deactivate_client, register_client


def _staff_of(request: AuthedRequest) -> QuerySet[User]:
    return User.objects.filter(clinic=request.user.clinic).order_by("-is_active", "last_name", "first_name")


@admin_required
def staff(request: AuthedRequest) -> HttpResponse:
    """List the clinic's staff and add a new member."""
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        user = staff_services.add_member(
            admin=request.user, member=form.save(commit=False), password=password, request=request
        )
        messages.success(request, f"{user.get_full_name()} can now log in as {user.username}.")
        return redirect("clinic_staff")
    return render(request, "clinic/staff.html", {"staff": _staff_of(request), "form": form})


@admin_required
def staff_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    """Change a colleague's role or deactivate them."""
    member = get_object_or_404(_staff_of(request), pk=user_id)
    form = StaffChangeForm(request.POST or None, instance=member, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in StaffChangeForm.Meta.fields}
        staff_services.change_member(admin=request.user, member=member, values=values, request=request)
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
        _, new_key = staff_services.create_token(user=request.user, name=form.cleaned_data["name"], request=request)
        form = TokenForm()
    mine = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "clinic/tokens.html", {"tokens": mine, "form": form, "new_key": new_key})


@member_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    staff_services.revoke_token(user=request.user, token=token, request=request)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("account_tokens")


@admin_required
def cds_clients(request: AuthedRequest) -> HttpResponse:
    """The EHRs allowed to call the CDS Hooks service for this clinic: register one, or see who is registered."""
    form = CdsClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = register_client(
                clinic=request.user.clinic,  # type: ignore[arg-type]
                issuer=data["issuer"],
                jwks=data["jwks"],
                jku=data["jku"],
                name=data["name"],
                user=request.user,
                request=request,
            )
        except ValueError:
            form.add_error("issuer", "This issuer cannot be registered here: choose the issuer your EHR uses.")
        else:
            messages.success(request, f"{client.issuer} may now call the CDS Hooks service for this clinic.")
            return redirect("clinic_cds_clients")
    clients = CdsClient.objects.filter(clinic=request.user.clinic)
    return render(request, "clinic/cds_clients.html", {"clients": clients, "form": form})


@admin_required
@require_POST
def cds_client_remove(request: AuthedRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(CdsClient, pk=client_id, clinic=request.user.clinic, active=True)
    deactivate_client(client=client, user=request.user, request=request)
    messages.success(request, f"{client.issuer} can no longer call the CDS Hooks service.")
    return redirect("clinic_cds_clients")


class PasswordChange(auth_views.PasswordChangeView):
    """Change password; every other session of this user ends (Django checks the session's password hash)."""

    template_name = "clinic/password.html"
    success_url = reverse_lazy("worklist")

    request: AuthedRequest

    def form_valid(self, form: Any) -> HttpResponse:
        staff_services.change_password(
            user=self.request.user, password=form.cleaned_data["new_password1"], request=self.request
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, "Password changed. You have been logged out everywhere else.")
        return redirect(self.get_success_url())


urlpatterns = [
    path("staff/", staff, name="clinic_staff"),
    path("staff/<int:user_id>/", staff_edit, name="clinic_staff_edit"),
    path("directory/", directory, name="clinic_directory"),
    path("directory/<int:entry_id>/", directory_edit, name="clinic_directory_edit"),
    path("audit/", audit_trail, name="clinic_audit"),
    path("cds-clients/", cds_clients, name="clinic_cds_clients"),
    path("cds-clients/<int:client_id>/remove/", cds_client_remove, name="clinic_cds_client_remove"),
    path("account/password/", member_required(PasswordChange.as_view()), name="account_password"),
    path("account/tokens/", tokens, name="account_tokens"),
    path("account/tokens/<int:token_id>/revoke/", token_revoke, name="account_token_revoke"),
]
