"""Configuration comes from the environment, and a bad value stops the app with a message naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_without_debug_fails_with_clear_message() -> None:
    result = run_check()
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_on_runs_without_secret_key() -> None:
    assert run_check(DEBUG="1").returncode == 0


@pytest.mark.parametrize("url", ["garbage", "mysql://x@y/z", "postgres://", "sqlite://", "postgres://u@h:port/db"])
def test_bad_database_url_fails_with_clear_message(url: str) -> None:
    result = run_check(DEBUG="1", DATABASE_URL=url)
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_debug_value_names_the_variable() -> None:
    result = run_check(DEBUG="maybe")
    assert result.returncode == 1 and "DEBUG='maybe' is not a yes/no value" in result.stderr


def test_bad_time_zone_names_the_variable() -> None:
    result = run_check(DEBUG="1", TIME_ZONE="Mars/Olympus")
    assert result.returncode == 1 and "TIME_ZONE" in result.stderr


def test_database_url_parsing() -> None:
    from workup.settings import database_from_url

    pg = database_from_url("postgres://u:p%40ss@127.0.0.1:5433/workup", default_sqlite=Path("x"), conn_max_age=60)
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], str(pg["PORT"])) == (
        "workup",
        "u",
        "p@ss",
        "127.0.0.1",
        "5433",
    )
    assert (pg["CONN_MAX_AGE"], pg["CONN_HEALTH_CHECKS"]) == (60, True)
    assert database_from_url("sqlite:////tmp/w.sqlite3", default_sqlite=Path("x"))["NAME"] == "/tmp/w.sqlite3"
    assert database_from_url("", default_sqlite=Path("d.sqlite3"))["NAME"] == Path("d.sqlite3")


@pytest.mark.parametrize("url", ["", "sqlite:////tmp/w.sqlite3"])
def test_sqlite_waits_for_the_write_lock_instead_of_failing(url: str) -> None:
    from workup.settings import database_from_url

    db = database_from_url(url, default_sqlite=Path("d.sqlite3"))
    assert db["OPTIONS"] == {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    assert db["CONN_HEALTH_CHECKS"] is True


def test_conn_max_age_comes_from_the_environment() -> None:
    code = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=REPO,
        env={**clean, "SECRET_KEY": "x" * 50, "CONN_MAX_AGE": "7", "DJANGO_SETTINGS_MODULE": "workup.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == ["7", "True"], out.stderr


def test_password_is_not_echoed_in_database_url_errors() -> None:
    result = run_check(DEBUG="1", DATABASE_URL="postgres://user:hunter2@/")
    assert result.returncode == 1 and "hunter2" not in result.stderr


def test_evaluate_runs_without_secret_key_but_the_server_does_not() -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    example = REPO.parent / "shared" / "contract" / "examples" / "01-typical-diabetic-neuropathy.json"
    import json

    case = json.dumps(json.loads(example.read_text())["case"])
    ok = subprocess.run(
        [sys.executable, "manage.py", "evaluate", "-"],
        cwd=REPO,
        env=clean,
        input=case,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    served = subprocess.run(
        [sys.executable, "manage.py", "runserver", "--noreload", "127.0.0.1:0"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 1 and "SECRET_KEY is not set" in served.stderr


def test_models_and_migrations_agree() -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
