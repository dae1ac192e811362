"""Clinic administration: staff accounts and the audit trail; each user's password and API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_user
from workup.models import ApiToken, AuditEvent, User

pytestmark = pytest.mark.django_db


def test_admin_adds_staff_member_to_own_clinic(login: Any, clinic_admin: Any) -> None:
    client = login(clinic_admin)
    response = client.post(
        "/clinic/staff/",
        {
            "username": "nina",
            "password": "a-long-unusual-passphrase",
            "first_name": "Nina",
            "last_name": "Nurse",
            "role": "clinician",
        },
    )
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert nina.clinic_id == clinic_admin.clinic_id and nina.check_password("a-long-unusual-passphrase")
    assert AuditEvent.objects.filter(action="create", object_type="user", object_id=str(nina.pk)).exists()


def test_weak_password_is_refused_with_reason(login: Any, clinic_admin: Any) -> None:
    response = login(clinic_admin).post(
        "/clinic/staff/",
        {"username": "nina", "password": "12345678", "first_name": "N", "last_name": "N", "role": "intake"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="nina").exists()


def test_admin_cannot_change_staff_of_another_clinic(login: Any, clinic_admin: Any, other_clinician: Any) -> None:
    assert login(clinic_admin).get(f"/clinic/staff/{other_clinician.pk}/").status_code == 404


def test_admin_cannot_lock_themselves_out(login: Any, clinic_admin: Any) -> None:
    response = login(clinic_admin).post(f"/clinic/staff/{clinic_admin.pk}/", {"role": "clinic_admin"})
    assert response.status_code == 200 and "cannot deactivate yourself" in response.content.decode()
    clinic_admin.refresh_from_db()
    assert clinic_admin.is_active


def test_deactivating_records_before_and_after(login: Any, clinic_admin: Any, intake: Any) -> None:
    login(clinic_admin).post(f"/clinic/staff/{intake.pk}/", {"role": "intake"})
    intake.refresh_from_db()
    assert not intake.is_active
    event = AuditEvent.objects.get(action="change", object_type="user")
    assert event.changes is not None
    assert event.changes["is_active"] == [True, False]


def test_clinician_and_intake_cannot_manage_staff_or_read_audit(login: Any, clinician: Any) -> None:
    client = login(clinician)
    assert client.get("/clinic/staff/").status_code == 403
    assert client.get("/clinic/audit/").status_code == 403


def test_audit_trail_shows_only_own_clinic(login: Any, clinic_admin: Any, clinician: Any, other_clinician: Any) -> None:
    Client().post("/login/", {"username": clinician.username, "password": PASSWORD})
    Client().post("/login/", {"username": other_clinician.username, "password": PASSWORD})
    page = login(clinic_admin).get("/clinic/audit/").content.decode()
    assert clinician.username in page
    assert other_clinician.username not in page


def test_audit_events_cannot_be_edited_or_deleted(clinician: Any) -> None:
    event = AuditEvent.objects.create(action="view", username="x")
    event.action = "change"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_password_change_ends_other_sessions(clinician: Any) -> None:
    other_browser = Client()
    other_browser.force_login(clinician)
    assert other_browser.get("/clinic/account/tokens/").status_code == 200
    this_browser = Client()
    this_browser.force_login(clinician)
    response = this_browser.post(
        "/clinic/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-9",
            "new_password2": "another-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert this_browser.get("/clinic/account/tokens/").status_code == 200
    assert other_browser.get("/clinic/account/tokens/").status_code == 302  # sent to log in


def test_user_creates_token_shown_once_and_revokes_it(login: Any, clinician: Any, intake: Any) -> None:
    client = login(clinician)
    page = client.post("/clinic/account/tokens/", {"name": "Practice link"}).content.decode()
    token = ApiToken.objects.get(user=clinician)
    assert "wu_" in page and token.key_sha256 not in page
    assert "wu_" not in client.get("/clinic/account/tokens/").content.decode().replace(token.prefix, "")
    assert login(intake).post(f"/clinic/account/tokens/{token.pk}/revoke/").status_code == 404
    login(clinician).post(f"/clinic/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_admin_cannot_grant_themselves_signing_rights(login: Any, clinic_admin: Any) -> None:
    data = {"role": "clinic_admin", "is_active": "on", "is_clinician": "on"}
    response = login(clinic_admin).post(f"/clinic/staff/{clinic_admin.pk}/", data)
    assert response.status_code == 200 and "cannot give yourself signing rights" in response.content.decode()
    clinic_admin.refresh_from_db()
    assert not clinic_admin.is_clinician and not clinic_admin.can_sign


def test_another_admin_grants_signing_rights(login: Any, clinic_admin: Any, clinic: Any) -> None:
    colleague = make_user("bea_admin", clinic, "clinic_admin")
    data = {"role": "clinic_admin", "is_active": "on", "is_clinician": "on"}
    assert login(colleague).post(f"/clinic/staff/{clinic_admin.pk}/", data).status_code == 302
    clinic_admin.refresh_from_db()
    assert clinic_admin.can_sign


def test_admin_may_give_up_their_own_signing_rights(login: Any, clinic: Any) -> None:
    signer = make_user("cal_admin", clinic, "clinic_admin", is_clinician=True)
    response = login(signer).post(f"/clinic/staff/{signer.pk}/", {"role": "clinic_admin", "is_active": "on"})
    assert response.status_code == 302
    signer.refresh_from_db()
    assert not signer.can_sign
