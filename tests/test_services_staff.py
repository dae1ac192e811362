"""Writes of the clinic screens: each one atomic (a failure leaves nothing) and audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from workup.models import ApiToken, AuditEvent, User
from workup.services import audit
from workup.services import staff as services
from workup.services.tokens import user_for_key

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-unusual-passphrase"


class AuditDown(Exception):
    pass


@pytest.fixture
def audit_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit trail cannot be written: the change it would record must not happen either."""

    def refuse(**_: Any) -> AuditEvent:
        raise AuditDown

    monkeypatch.setattr(audit, "record", refuse)


def _nina() -> User:
    return User(username="nina", first_name="Nina", last_name="Nurse", role="clinician")


def test_add_member_joins_the_admins_clinic_and_is_audited(clinic_admin: Any) -> None:
    request = RequestFactory().post("/clinic/staff/", REMOTE_ADDR="192.0.2.7")
    nina = services.add_member(admin=clinic_admin, member=_nina(), password=NEW_PASSWORD, request=request)
    nina.refresh_from_db()
    assert nina.clinic_id == clinic_admin.clinic_id and nina.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="create", object_type="user", object_id=str(nina.pk))
    assert event.username == clinic_admin.username and event.ip_address == "192.0.2.7"
    assert event.changes == {"username": [None, "nina"], "role": [None, "clinician"]}


def test_add_member_leaves_no_account_when_the_audit_fails(clinic_admin: Any, audit_down: None) -> None:
    with pytest.raises(AuditDown):
        services.add_member(admin=clinic_admin, member=_nina(), password=NEW_PASSWORD)
    assert not User.objects.filter(username="nina").exists()


def test_change_member_records_each_field_before_and_after(clinic_admin: Any, intake: Any) -> None:
    services.change_member(admin=clinic_admin, member=intake, values={"is_active": False, "phone": "0113 496 0002"})
    intake.refresh_from_db()
    assert not intake.is_active and intake.phone == "0113 496 0002"
    event = AuditEvent.objects.get(action="change", object_type="user", object_id=str(intake.pk))
    assert event.changes == {"is_active": [True, False], "phone": ["", "0113 496 0002"]}


def test_change_member_reads_before_from_the_database_not_the_edited_instance(clinic_admin: Any, intake: Any) -> None:
    intake.role = "clinician"  # as a validated ModelForm leaves its instance
    services.change_member(admin=clinic_admin, member=intake, values={"role": "clinician"})
    assert AuditEvent.objects.get(action="change", object_type="user").changes == {"role": ["intake", "clinician"]}


def test_change_member_changes_nothing_when_the_audit_fails(clinic_admin: Any, intake: Any, audit_down: None) -> None:
    with pytest.raises(AuditDown):
        services.change_member(admin=clinic_admin, member=intake, values={"is_active": False})
    intake.refresh_from_db()
    assert intake.is_active


def test_create_token_returns_a_working_key_and_is_audited(clinician: Any) -> None:
    token, key = services.create_token(user=clinician, name="Practice link")
    assert user_for_key(key) == clinician and token.key_sha256 != key
    assert AuditEvent.objects.filter(action="create", object_type="api_token", object_id=str(token.pk)).exists()


def test_create_token_leaves_no_token_when_the_audit_fails(clinician: Any, audit_down: None) -> None:
    with pytest.raises(AuditDown):
        services.create_token(user=clinician, name="Practice link")
    assert not ApiToken.objects.exists()


def test_revoke_token_stops_the_key_and_is_audited(clinician: Any) -> None:
    token, key = services.create_token(user=clinician, name="Practice link")
    services.revoke_token(user=clinician, token=token)
    assert user_for_key(key) is None
    event = AuditEvent.objects.get(action="change", object_type="api_token", object_id=str(token.pk))
    assert event.changes == {"revoked": [False, True]}


def test_revoke_token_keeps_the_key_working_when_the_audit_fails(
    clinician: Any, request: pytest.FixtureRequest
) -> None:
    token, key = services.create_token(user=clinician, name="Practice link")
    request.getfixturevalue("audit_down")
    with pytest.raises(AuditDown):
        services.revoke_token(user=clinician, token=token)
    assert user_for_key(key) == clinician


def test_change_password_sets_the_new_one_and_is_audited(clinician: Any) -> None:
    services.change_password(user=clinician, password=NEW_PASSWORD)
    clinician.refresh_from_db()
    assert clinician.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="change", object_type="password", object_id=str(clinician.pk)).exists()


def test_change_password_keeps_the_old_one_when_the_audit_fails(clinician: Any, audit_down: None) -> None:
    old_hash = User.objects.get(pk=clinician.pk).password
    with pytest.raises(AuditDown):
        services.change_password(user=clinician, password=NEW_PASSWORD)
    assert User.objects.get(pk=clinician.pk).password == old_hash
