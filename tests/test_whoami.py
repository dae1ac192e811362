"""/whoami: the minimal logged-in page (the load test's floor) names the user, and only to a logged-in member."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_whoami_names_the_logged_in_user_role_and_clinic(login: Any, intake: Any) -> None:
    response = login(intake).get("/whoami")
    assert response.status_code == 200
    assert response.json() == {"username": intake.username, "role": "intake", "clinic": intake.clinic_id}


def test_whoami_sends_an_anonymous_visitor_to_the_login_page(client: Client) -> None:
    response = client.get("/whoami")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_whoami_only_reads(login: Any, intake: Any) -> None:
    assert login(intake).post("/whoami").status_code == 405


def test_whoami_costs_two_queries_session_and_user(login: Any, intake: Any, django_assert_num_queries: Any) -> None:
    client = login(intake)
    client.get("/whoami")  # the first request may refresh the session's expiry
    with django_assert_num_queries(2):
        client.get("/whoami")
