"""A letter batch survives its worker being killed with kill -9: a real Celery worker process on a real broker.

The worker is killed part way through the batch; the broker hands the unacknowledged step back after the
visibility timeout (5 seconds here, BROKER_VISIBILITY_TIMEOUT_SECONDS) to a second worker, which finishes
the batch with exactly one letter per pupil. Skipped on the embedded default (Celery eager, SQLite), like
tests/cases/test_celery_worker.py; CI sets REQUIRE_CELERY_WORKER=1 so that a skip there is a failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from config.celery import app
from notices.letters.batches import LETTER_BATCH_STEP, letter_batch_start
from notices.models import BatchStatus, Letter, LetterBatch
from tests.cases.test_celery_worker import _database_url
from tests.notices.test_batches import pupil_at

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PUPILS = 60
VISIBILITY_TIMEOUT_SECONDS = 5


def start_worker(name: str, log: Path, database_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url,
           "BROKER_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_TIMEOUT_SECONDS)}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "info",
             "--without-gossip", "--without-mingle", "-n", f"{name}-{os.getpid()}@%h"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1.0):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the Celery worker {name} did not start:\n{log.read_text()[-3000:]}")
    return proc


def wait_for(batch: LetterBatch, condition, *, seconds: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + seconds
    while True:
        batch.refresh_from_db()
        if condition(batch):
            return
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
            pytest.fail(f"{what}: batch {batch.status} {batch.done}/{batch.total} {batch.error}\n{tails}")
        time.sleep(0.2)


@pytest.fixture
def database_url(settings):
    url = _database_url()
    if settings.CELERY_TASK_ALWAYS_EAGER or url is None:
        if os.environ.get("REQUIRE_CELERY_WORKER"):
            pytest.fail("REQUIRE_CELERY_WORKER is set but there is no real broker and PostgreSQL database")
        pytest.skip("needs CELERY_BROKER_URL (Redis) and DATABASE_URL (PostgreSQL), as in CI")
    app.control.purge()
    return url


def test_a_batch_whose_worker_is_killed_finishes_on_another_with_one_letter_per_pupil(
    database_url, school, dsl, tmp_path
):
    for n in range(PUPILS):
        pupil_at(school, f"Pupil{n:02d}", attended=850)
    logs = [tmp_path / "first-worker.log", tmp_path / "second-worker.log"]
    first = start_worker("first", logs[0], database_url)
    second = None
    try:
        batch = letter_batch_start(school=school, kind="concern", by=dsl)
        assert batch.total == PUPILS

        # Killed in the second step, after some of its letters were made and before it was acknowledged.
        wait_for(batch, lambda b: b.done > LETTER_BATCH_STEP + 2, seconds=120, what="no progress", logs=logs[:1])
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = LetterBatch.objects.get(pk=batch.pk).done
        assert LETTER_BATCH_STEP < killed_at < PUPILS, "the worker was not killed part way"

        second = start_worker("second", logs[1], database_url)
        wait_for(batch, lambda b: b.status != BatchStatus.RUNNING, seconds=180, what="not finished", logs=logs)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)

    assert (batch.status, batch.done, batch.total, batch.error) == (BatchStatus.DONE, PUPILS, PUPILS, "")
    letters = Letter.objects.filter(subject_key__startswith=f"letter_batch:{batch.pk}:")
    per_pupil = Counter(letters.values_list("pupil_id", flat=True))
    assert len(per_pupil) == PUPILS and set(per_pupil.values()) == {1}
    assert set(letters.values_list("version", flat=True)) == {1}
    assert batch.letters.count() == PUPILS
