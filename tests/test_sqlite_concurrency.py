"""The embedded SQLite default holds several workers writing at once (WAL, IMMEDIATE transactions, busy timeout)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WRITERS = 10
WRITES_EACH = 20

# One writer process, as one gunicorn worker would be: each save reads first, then writes, in one transaction (as
# the services do). Under SQLite's default DEFERRED transactions that read-then-write is what fails at once with
# "database is locked" when another process writes; IMMEDIATE takes the write lock up front and waits for it.
WRITER = """
import sys, time
import django
django.setup()
from django.db import transaction
from workup.models import Clinic, Patient

writer, start_at, count = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
clinic = Clinic.objects.get(name="Concurrency")
while time.time() < start_at:
    time.sleep(0.005)
for n in range(count):
    identifier = f"W{writer:02d}-{n:03d}"
    with transaction.atomic():
        if not Patient.objects.filter(clinic=clinic, identifier=identifier).exists():
            Patient.objects.create(
                clinic=clinic, given_name="Writer", family_name=str(writer), date_of_birth="1960-01-01",
                sex="female", identifier=identifier,
            )
"""
SETUP = """
import django
django.setup()
from django.core.management import call_command
from workup.models import Clinic
call_command("migrate", verbosity=0)
Clinic.objects.create(name="Concurrency")
"""


def test_ten_concurrent_writers_on_a_sqlite_file_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "workup.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")},
        "DATABASE_URL": f"sqlite:///{db}",
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "test-only-secret-key-not-for-production",
        "DJANGO_SETTINGS_MODULE": "workup.settings",
    }
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert setup.returncode == 0, setup.stderr
    start_at = str(time.time() + 2.0)  # every writer imports Django first, then all start together
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(n), start_at, str(WRITES_EACH)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    errors = []
    for proc in writers:
        _, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            errors.append(err)
    assert not any("database is locked" in e for e in errors), errors[0]
    assert errors == []
    with sqlite3.connect(db) as conn:
        stored = [row[0] for row in conn.execute("SELECT identifier FROM workup_patient ORDER BY identifier")]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    expected = sorted(f"W{w:02d}-{n:03d}" for w in range(WRITERS) for n in range(WRITES_EACH))
    assert stored == expected  # every acknowledged write present, exactly once
    assert journal == "wal"
