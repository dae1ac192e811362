"""Hardening: headers, login lockout, login audit, and a production configuration that passes check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.factories import PASSWORD
from workup.models import AuditEvent

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_pages_carry_security_headers(client: Client) -> None:
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_login_page_has_no_inline_script_or_style(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_lockout_after_repeated_failures(client: Client, clinician: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": clinician.username, "password": "wrong"})
    response = client.post("/login/", {"username": clinician.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logins_and_failures_are_audited(client: Client, clinician: Any) -> None:
    client.post("/login/", {"username": clinician.username, "password": "wrong"})
    client.post("/login/", {"username": clinician.username, "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["login_failed", "login"]
    assert "wrong" not in str(list(AuditEvent.objects.values()))


def test_session_expires_when_idle(settings: Any) -> None:
    """The default idle timeout; tests/test_sessions.py moves the clock to check it is enforced."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        SECRET_KEY="k" * 20 + "8f3Jq_vN2-pL0xZr5TbW9yHcUeAs6DmGo1KiR7tE4",
        ALLOWED_HOSTS="workup.example.org",
        HTTPS="1",
        DEBUG="0",
        DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_https_setting_turns_on_hsts_and_secure_cookies(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    env = {**os.environ, "SECRET_KEY": "x" * 50, "HTTPS": "1", "DJANGO_SETTINGS_MODULE": "workup.settings"}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == ["31536000", "True", "True", "True"], out.stderr
