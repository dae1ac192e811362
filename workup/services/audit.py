"""The audit trail: one append-only row per access or change to a patient record or letter."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workup.models import AuditEvent, Letter, Patient, User, Workup

Audited = Patient | Workup | Letter | None


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from (REMOTE_ADDR; a proxy's header is not trusted)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    user: User | None,
    action: str,
    obj: Audited = None,
    request: HttpRequest | None = None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    clinic_id: int | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one audit event for ``user`` doing ``action`` to ``obj`` (or to the object named by type and id)."""
    patient = _patient_of(obj)
    if clinic_id is None:
        clinic_id = patient.clinic_id if patient else getattr(user, "clinic_id", None)
    return AuditEvent.objects.create(
        clinic_id=clinic_id,
        user=user if user is not None and user.is_authenticated else None,
        username=username or getattr(user, "username", "") or "",
        action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        patient=patient,
        changes=changes or None,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
    )


def _patient_of(obj: Audited) -> Patient | None:
    if isinstance(obj, Patient):
        return obj
    if isinstance(obj, Workup):
        return obj.patient
    if isinstance(obj, Letter):
        return obj.workup.patient
    return None


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [before, after]} in JSON-safe form."""
    return {k: [_safe(before.get(k)), _safe(v)] for k, v in after.items() if before.get(k) != v}


def _safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def connect_auth_signals() -> None:
    """Record logins, logouts and failed logins (without the password tried)."""
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    def logged_in(sender: Any, request: HttpRequest, user: User, **_: Any) -> None:
        record(user=user, action="login", request=request, object_type="session")

    def logged_out(sender: Any, request: HttpRequest, user: User | None, **_: Any) -> None:
        if user is not None:
            record(user=user, action="logout", request=request, object_type="session")

    def login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any) -> None:
        AuditEvent.objects.create(
            action="login_failed",
            username=str(credentials.get("username", ""))[:150],
            object_type="session",
            ip_address=client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        )

    user_logged_in.connect(logged_in, weak=False, dispatch_uid="workup_audit_login")
    user_logged_out.connect(logged_out, weak=False, dispatch_uid="workup_audit_logout")
    user_login_failed.connect(login_failed, weak=False, dispatch_uid="workup_audit_login_failed")
