"""Running calls at the same moment, each on its own database connection, for the tests that prove one effect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

RACE_TIMEOUT = 120  # seconds a racer may take before the test gives up on it


def needs_postgresql() -> None:
    """Skips a test whose race needs real row locks and concurrent writers: SQLite has neither."""
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs PostgreSQL (set DATABASE_URL); SQLite runs one writer at a time")


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Runs every call in its own thread, all released together by a barrier; each result, or the exception raised.

    Each thread gets its own connection (Django's are per thread) and closes it at the end, so the test
    database can be flushed and dropped afterwards."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=RACE_TIMEOUT)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - the test asserts on what each racer met
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RACE_TIMEOUT)
        assert not thread.is_alive(), "a racer is still running: a lock was never released"
    return results
