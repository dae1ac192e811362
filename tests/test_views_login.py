"""Logging in lands on the worklist; logging out ends the session."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_lands_on_the_worklist(client: Any, intake: Any) -> None:
    response = client.post(reverse("login"), {"username": intake.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("worklist")
    assert "Worklist" in response.content.decode()


def test_wrong_password_is_refused_and_announced(client: Any, intake: Any) -> None:
    page = client.post(reverse("login"), {"username": intake.username, "password": "wrong"}).content.decode()
    assert 'role="alert" id="login-errors"' in page and 'aria-describedby="login-errors"' in page
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(login: Any, intake: Any) -> None:
    client = login(intake)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("worklist")).status_code == 302


def test_navigation_offers_recording_only_to_recorders(login: Any, intake: Any, clinic_admin: Any) -> None:
    assert reverse("patient_new") in login(intake).get(reverse("worklist")).content.decode()
    staff_page = login(clinic_admin).get(reverse("clinic_staff")).content.decode()
    assert reverse("patient_new") not in staff_page and reverse("clinic_audit") in staff_page
