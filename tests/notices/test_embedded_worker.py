"""The embedded default's worker: a real Celery worker process on kombu's filesystem transport (no service),
as `bash .ci/setup demo` starts it, makes a letter batch and an evidence bundle asked for over HTTP.

It runs everywhere: on the embedded default the in-memory test database is copied to a file that this test
and the worker share (the web side and the worker both writing one SQLite file, as in the demo); on CI's
PostgreSQL run the worker uses the test database. Pages are read while the worker writes, so "database is
locked" would fail it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from kombu import pools as kombu_pools

from cases.services import case_open
from config.celery import app
from config.env import filesystem_broker_options
from notices.bundle import BUNDLE_TEMPLATE
from notices.models import BatchStatus, BundleStatus, EvidenceBundleRun, Letter, LetterBatch
from tests.cases.test_celery_worker import _database_url
from tests.factories import add_marks
from tests.notices.test_batches import pupil_at

# celery_worker: not made eager by tests/conftest.py; the broker is set here, not by the environment.
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PUPILS = 25  # more than one step of LETTER_BATCH_STEP, so the worker queues its own next step
APP_KEYS = ("broker_url", "broker_transport_options", "task_always_eager")


def _reset_celery_connections() -> None:
    """Celery keeps its broker connections once made: dropped, the next message uses the broker set now.

    The pools live in kombu's global registry (one per broker URL), so they are closed *and forgotten* there:
    a pool only closed would stay registered, and the next test sending to that broker (even an eager task
    acquires a producer) would meet "Acquire on closed pool"."""
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The test database as a URL a worker process can open; SQLite's in-memory one is copied to a file first
    and this test's connection moved onto the file (put back afterwards), so both write the same file."""
    if connection.vendor != "sqlite":
        url = _database_url()
        assert url, "a worker needs a database it can reach: PostgreSQL or a SQLite file"
        yield url
        return
    path = tmp_path / "test.sqlite3"
    in_memory = connections["default"]
    in_memory.ensure_connection()
    with sqlite3.connect(path) as copy:
        in_memory.connection.backup(copy)
    on_file = type(in_memory)({**in_memory.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = on_file
    try:
        yield f"sqlite:///{path}"
    finally:
        on_file.close()
        connections["default"] = in_memory


@pytest.fixture
def filesystem_worker(shared_database, tmp_path, monkeypatch):
    folder = tmp_path / "broker"
    before = {key: app.conf.get(key) for key in APP_KEYS}
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI's run sets Redis there).
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    app.conf.update(broker_url="filesystem://", broker_transport_options=filesystem_broker_options(folder),
                    task_always_eager=False)
    _reset_celery_connections()
    env = {**os.environ, "DATABASE_URL": shared_database, "CELERY_BROKER_URL": "filesystem://",
           "CELERY_BROKER_FOLDER": str(folder)}
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "2", "-l", "info",
             "--without-gossip", "--without-mingle", "-n", f"embedded-{os.getpid()}@%h"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
            start_new_session=True,  # its own process group: the pool's processes are stopped with it
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield log
    finally:
        _stop(proc)
        app.conf.update(before)
        _reset_celery_connections()


def _stop(proc: subprocess.Popen) -> None:
    """A warm shutdown (TERM), and if the worker has not stopped within 30 seconds, KILL for the whole group."""
    os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _follow(client, url: str, done, *, log: Path, seconds: float = 180) -> str:
    """Reads the progress page (each read writes its audit row and the session) until ``done(page)``."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        if done(page):
            return page
        if time.monotonic() > deadline:
            pytest.fail(f"not finished in {seconds}s:\n{page[-2000:]}\n--- worker\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def test_a_letter_batch_and_a_bundle_are_made_by_the_filesystem_worker_while_their_pages_are_read(
    filesystem_worker, school, dsl, client
):
    for n in range(PUPILS):
        pupil_at(school, f"Pupil{n:02d}", attended=850)
    client.force_login(dsl)

    response = client.post(reverse("letters:batch_start", args=[school.urn]), {"kind": "concern"})
    batch = LetterBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/letters/{batch.pk}/")
    assert batch.status != BatchStatus.DONE, "the POST waited for the letters instead of queueing them"

    page = _follow(client, response["Location"], lambda page: "Download all" in page or "Failed" in page,
                   log=filesystem_worker)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.error) == (BatchStatus.DONE, PUPILS, PUPILS, "")
    assert f"{PUPILS} of {PUPILS} letters made" in page
    assert client.get(reverse("letters:batch_pdf", args=[school.urn, batch.pk])).status_code == 200

    pupil = school.pupils.order_by("pk").first()
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 21)
    add_marks(pupil, monday, ["/", "\\"] * 5 + ["O", "O"] * 5)
    case = case_open(pupil=pupil, by=dsl, reason="A week of unexplained absence")
    response = client.post(reverse("bundles:generate", args=[case.pk]))
    run = EvidenceBundleRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bundles:run", args=[case.pk, run.pk])

    page = _follow(client, response["Location"], lambda page: "bundle-download" in page or "bundle-error" in page,
                   log=filesystem_worker)
    run.refresh_from_db()
    assert (run.status, run.error) == (BundleStatus.DONE, "")
    assert Letter.objects.filter(template=BUNDLE_TEMPLATE, case=case).get() == run.bundle
    assert reverse("bundles:pdf", args=[case.pk]) in page
    pdf = client.get(reverse("bundles:pdf", args=[case.pk]))
    assert pdf.status_code == 200 and bytes(pdf.content) == bytes(run.bundle.pdf)
