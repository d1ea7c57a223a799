"""The nightly scan through a real Celery worker process on a real broker (CI: Redis + PostgreSQL).

Skipped on the embedded default (Celery eager, in-memory SQLite); CI sets REQUIRE_CELERY_WORKER=1
so that a skip there is a failure instead.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.db import connection

from cases.models import Alert, AlertKind, AttendanceSnapshot
from cases.tasks import nightly_attendance_scan
from config.celery import app
from tests.factories import PupilFactory, add_marks

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str | None:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(settings, tmp_path):
    url = _database_url()
    if settings.CELERY_TASK_ALWAYS_EAGER or url is None:
        if os.environ.get("REQUIRE_CELERY_WORKER"):
            pytest.fail("REQUIRE_CELERY_WORKER is set but there is no real broker and PostgreSQL database")
        pytest.skip("needs CELERY_BROKER_URL (Redis) and DATABASE_URL (PostgreSQL), as in CI")
    app.control.purge()  # nothing left over from an earlier run reaches this worker
    log = tmp_path / "worker.log"
    # The worker must use the test database that pytest-django created, not the configured one.
    env = {**os.environ, "DATABASE_URL": url}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "info",
             "--without-gossip", "--without-mingle", "-n", f"ci-{os.getpid()}@%h"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_nightly_scan_runs_on_a_real_worker_and_writes_alerts(worker, school):
    pupil = PupilFactory(school=school)
    add_marks(pupil, dt.date(2025, 9, 1), "GG" * 5 + "OO" * 5 + "NN" * 5)

    summary = nightly_attendance_scan.delay("2025-09-19").get(timeout=120)

    assert summary["pupils"] == 1
    assert summary["alerts_created"] == 3
    # Written by the worker process, read back here: both share the test database.
    assert set(Alert.objects.filter(pupil=pupil).values_list("kind", flat=True)) == {
        AlertKind.THRESHOLD_MET, AlertKind.SEVERE_ABSENCE, AlertKind.CME_RISK,
    }
    assert AttendanceSnapshot.objects.get(pupil=pupil).severe_absence is True
    # A second delivery of the same task (a retry) changes nothing.
    assert nightly_attendance_scan.delay("2025-09-19").get(timeout=120)["alerts_created"] == 0
