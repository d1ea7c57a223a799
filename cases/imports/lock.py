"""One import of a kind at a time: the transaction every import writes in, holding that kind's lock.

Two runs of the same file at the same moment used to both compare the file with the register as it was
before either wrote, and both record every amendment (13,472 amendments became 17,472). Now the second
run waits until the first has committed, then compares with what the first wrote, and finds its rows
unchanged. Files of one kind wait for each other whether or not they overlap: a school's year imports in
seconds, and overlap is only known after reading the file.

PostgreSQL: a transaction-scoped advisory lock per kind, polled so that a long wait is reported and ends
with a clear refusal. SQLite: every transaction begins IMMEDIATE (config.settings), taking the database's
one write lock first and waiting up to its timeout; past that the run is refused with the same message
rather than "database is locked".
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

from cases.imports.csvfile import FILE_COLUMN, ImportFailed, Problem, Progress

WAIT_SECONDS = 600  # how long a second import of a kind waits for the first on PostgreSQL
POLL_SECONDS = 0.2
_NAMESPACE = "attendance-casework import "  # advisory lock keys are shared by the whole database


def _key(kind: str) -> int:
    return zlib.crc32((_NAMESPACE + kind).encode())


def _busy(file: str, who: str, waited: float) -> ImportFailed:
    return ImportFailed([
        Problem(file, None, FILE_COLUMN,
                f"{who} was still writing after {waited:.0f}s; nothing from this file was saved: run it again "
                "when that one has finished"),
    ])


def _advisory_lock(kind: str, file: str, progress: Progress | None, wait: float) -> None:
    started = time.monotonic()
    told = False
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_key(kind)])
            if cursor.fetchone()[0]:
                return
            waited = time.monotonic() - started
            if waited >= wait:
                raise _busy(file, f"another import of {kind}", waited)
            if progress and not told:
                progress(f"{file}: another import of {kind} is running; waiting for it to finish")
                told = True
            time.sleep(POLL_SECONDS)


@contextmanager
def import_transaction(kind: str, file: str, progress: Progress | None = None,
                       wait: float | None = None) -> Iterator[None]:
    """The import's one transaction, begun once no other import of ``kind`` (a Spec name, "register.csv")
    is writing: read the recorded rows inside it, so what another run just wrote is seen, never repeated."""
    started = time.monotonic()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _advisory_lock(kind, file, progress, WAIT_SECONDS if wait is None else wait)
            yield
    except OperationalError as exc:
        # SQLite's busy timeout ran out at BEGIN IMMEDIATE: another writer held the database all along.
        if connection.vendor == "sqlite" and "locked" in str(exc):
            raise _busy(file, "another import (or other work)", time.monotonic() - started) from exc
        raise
