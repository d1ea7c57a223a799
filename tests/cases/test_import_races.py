"""Two imports of the same or overlapping files at the same moment: the second waits for the first, then
finds its rows recorded and leaves them unchanged; nothing is recorded twice, and a wait too long ends in a
clear refusal (cases.imports.lock).

On PostgreSQL the commands race in threads, each on its own connection. On SQLite the test database lives
in memory, so the runs there are real ``manage.py`` processes on a copy of it in a file, while this test
holds the database's write lock the way a long import would."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.models import Count

from cases.imports import lock
from cases.models import Mark, MarkAmendment, Parent, ParentalRelationship, Pupil, Session
from cases.rules import upn_check_letter
from notices.models import PenaltyNotice
from tests import factories
from tests.race import needs_postgresql, race

PUPILS, DAYS = 20, 50  # 20 pupils x 50 school days x 2 sessions: 2,000 marks, each amended by the file
MARKS = PUPILS * DAYS * 2
FIRST_DAY = dt.date(2025, 1, 6)  # a Monday, in the past whatever the clock says


def _upn(serial: int) -> str:
    digits = f"873400025{serial:03d}"
    return upn_check_letter(digits) + digits


def _school_days() -> list[dt.date]:
    days, day = [], FIRST_DAY
    while len(days) < DAYS:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@pytest.fixture
def register(school):
    """Every pupil present (/) at every session; returns the rows of a file marking them all absent (O)."""
    pupils = [factories.PupilFactory(upn=_upn(n), school=school) for n in range(PUPILS)]
    sessions = {Session.AM: "AM", Session.PM: "PM"}
    keys = [(pupil, day, session) for pupil in pupils for day in _school_days() for session in sessions]
    Mark.objects.bulk_create(Mark(pupil=p, date=d, session=s, code="/", school=school) for p, d, s in keys)
    return [f"{p.upn},{d.isoformat()},{sessions[s]},O" for p, d, s in keys]


def _file(tmp_path: Path, name: str, header: str, rows: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return str(path)


def _run(command: str, path: str) -> tuple[str, str]:
    """One import as an operator runs it: ("saved", summary) or ("refused", the problems)."""
    out, err = StringIO(), StringIO()
    try:
        call_command(command, path, stdout=out, stderr=err)
    except CommandError as refusal:
        return "refused", f"{err.getvalue()}{refusal}"
    return "saved", out.getvalue().strip()


def _twice_at_once(command: str, *paths: str) -> list[tuple[str, str]]:
    results = race(*(lambda p=p: _run(command, p) for p in paths))
    for result in results:
        assert not isinstance(result, BaseException), repr(result)  # an IntegrityError was the old failure
    return results


def _summaries(results) -> list[str]:
    assert [outcome for outcome, _ in results] == ["saved"] * len(results), results
    return sorted(summary.split(": ", 1)[1] for _, summary in results)


# --- PostgreSQL: threads ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_register_twice_at_once_records_each_amendment_once(tmp_path, register):
    needs_postgresql()
    path = _file(tmp_path, "register.csv", "upn,date,session,code", register)

    results = _twice_at_once("import_register", path, path)

    assert _summaries(results) == [
        f"{MARKS} rows, 0 created, 0 updated, {MARKS} unchanged",
        f"{MARKS} rows, 0 created, {MARKS} updated, 0 unchanged, {MARKS} amendments",
    ]
    assert MarkAmendment.objects.count() == MARKS
    assert set(Mark.objects.values_list("code", flat=True)) == {"O"}


@pytest.mark.django_db(transaction=True)
def test_overlapping_registers_at_once_amend_each_mark_once(tmp_path, register):
    needs_postgresql()
    third = MARKS // 3
    first = _file(tmp_path, "monday.csv", "upn,date,session,code", register[: 2 * third])
    second = _file(tmp_path, "tuesday.csv", "upn,date,session,code", register[third:])

    results = _twice_at_once("import_register", first, second)

    assert [outcome for outcome, _ in results] == ["saved", "saved"]
    assert MarkAmendment.objects.count() == MARKS
    twice = MarkAmendment.objects.values("pupil", "date", "session").annotate(n=Count("id")).filter(n__gt=1)
    assert not twice.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_pupils_and_parents_twice_at_once_are_recorded_once(tmp_path, school):
    needs_postgresql()
    upns = [_upn(n) for n in range(300)]
    pupils = _file(tmp_path, "pupils.csv", "upn,forename,surname,date_of_birth,school_urn,year_group",
                   [f"{upn},Child{n},Hughes,2015-03-0{1 + n % 9},{school.urn},5" for n, upn in enumerate(upns)])
    parents = _file(tmp_path, "parents.csv",
                    "upn,parent_ref,forename,surname,relationship,parental_responsibility,lives_with_pupil",
                    [f"{upn},P{n},Jo,Hughes,Mother,Y,Y" for n, upn in enumerate(upns)])

    assert _summaries(_twice_at_once("import_pupils", pupils, pupils)) == [
        "300 rows, 0 created, 0 updated, 300 unchanged", "300 rows, 300 created, 0 updated, 0 unchanged",
    ]
    assert _summaries(_twice_at_once("import_parents", parents, parents)) == [
        "300 rows, 0 created, 0 updated, 300 unchanged",
        "300 rows, 300 created, 0 updated, 0 unchanged, 300 parents created",
    ]
    assert Pupil.objects.filter(school=school).count() == 300
    assert (Parent.objects.count(), ParentalRelationship.objects.count()) == (300, 300)


@pytest.mark.django_db(transaction=True)
def test_the_same_notices_twice_at_once_are_recorded_once(tmp_path, school):
    needs_postgresql()
    rows = []
    for n in range(40):
        pupil = factories.PupilFactory(upn=_upn(n), school=school)
        factories.ParentalRelationshipFactory(pupil=pupil, parent__parent_ref=f"M{n}")
        rows.append(f"PN-{n:03d},{pupil.upn},M{n},2025-02-03,160.00,80.00,issued,,,2025-01-06,2025-01-31")
    path = _file(tmp_path, "notices.csv", "reference,upn,parent_ref,issued_on,amount_full,amount_reduced,status,"
                 "paid_on,withdrawn_reason,offence_from,offence_to", rows)

    assert _summaries(_twice_at_once("import_notices", path, path)) == [
        "40 rows, 0 created, 0 updated, 40 unchanged", "40 rows, 40 created, 0 updated, 0 unchanged",
    ]
    assert PenaltyNotice.objects.count() == 40


@pytest.mark.django_db(transaction=True)
def test_an_import_waiting_too_long_for_another_is_refused_and_saves_nothing(tmp_path, register, monkeypatch):
    needs_postgresql()
    path = _file(tmp_path, "register.csv", "upn,date,session,code", register)
    holding, done = threading.Event(), threading.Event()

    def first_import() -> None:  # another run of register.csv, still writing
        try:
            with lock.import_transaction("register.csv", "earlier.csv"):
                holding.set()
                done.wait(60)
        finally:
            connections.close_all()

    other = threading.Thread(target=first_import)
    other.start()
    try:
        assert holding.wait(30)
        monkeypatch.setattr(lock, "WAIT_SECONDS", 0.5)
        outcome, text = _run("import_register", path)
    finally:
        done.set()
        other.join(30)

    assert outcome == "refused"
    assert "another import of register.csv is running; waiting for it to finish" in text
    assert "another import of register.csv was still writing after" in text
    assert "nothing from this file was saved" in text
    assert MarkAmendment.objects.count() == 0 and set(Mark.objects.values_list("code", flat=True)) == {"/"}


# --- SQLite: manage.py processes on a file copy of the test database ----------------------------------------


def _sqlite_copy(tmp_path: Path) -> Path:
    if connection.vendor != "sqlite":
        pytest.skip("these runs are for SQLite's single writer; PostgreSQL's races are the tests above")
    copy = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")  # as every connection of the application leaves it
    target.close()
    return copy


def _manage(db: Path, *args: str, busy_timeout: int | None = None) -> subprocess.Popen:
    """``manage.py`` on the copy, as an operator's shell would run it (with SQLite's busy timeout shortened)."""
    script = (
        "import sys, django; django.setup();"
        + (f"from django.db import connection; connection.settings_dict['OPTIONS']['timeout'] = {busy_timeout};"
           if busy_timeout is not None else "")
        + "from django.core.management import execute_from_command_line; execute_from_command_line(sys.argv)"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=settings.BASE_DIR, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _hold_write_lock(db: Path) -> sqlite3.Connection:
    """What a long import does to SQLite: holds its one write lock, with a write the others must see."""
    holder = sqlite3.connect(db, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE cases_school SET name = name")
    return holder


def _wait_for_line(process: subprocess.Popen, text: str) -> list[str]:
    lines = []
    while True:
        line = process.stderr.readline()
        assert line, f"the import ended before saying {text!r}: {lines}"
        lines.append(line)
        if text in line:
            return lines


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_second_of_two_imports_at_once_waits_instead_of_database_is_locked(tmp_path, register):
    db = _sqlite_copy(tmp_path)
    path = _file(tmp_path, "register.csv", "upn,date,session,code", register)
    holder = _hold_write_lock(db)
    runs = [_manage(db, "import_register", path) for _ in range(2)]
    try:
        for run in runs:
            _wait_for_line(run, f"read {MARKS} rows")  # both have read the file and go for the database now
        time.sleep(0.5)  # both reach their first query while the lock is held; nothing to observe it by
    finally:
        holder.execute("COMMIT")
        holder.close()
    finished = [run.communicate(timeout=120) for run in runs]

    for run, (_out, err) in zip(runs, finished, strict=True):
        assert "database is locked" not in err
        assert run.returncode == 0, err
    assert sorted(out.strip().split(": ", 1)[1] for out, _ in finished) == [
        f"{MARKS} rows, 0 created, 0 updated, {MARKS} unchanged",
        f"{MARKS} rows, 0 created, {MARKS} updated, 0 unchanged, {MARKS} amendments",
    ]
    with sqlite3.connect(db) as check:
        assert check.execute("SELECT count(*) FROM cases_markamendment").fetchone() == (MARKS,)


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_an_import_kept_waiting_past_the_timeout_is_refused_with_a_clear_message(tmp_path, register):
    db = _sqlite_copy(tmp_path)
    path = _file(tmp_path, "register.csv", "upn,date,session,code", register)
    holder = _hold_write_lock(db)
    try:
        run = _manage(db, "import_register", path, busy_timeout=1)
        _out, err = run.communicate(timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert run.returncode == 1
    assert "database is locked" not in err
    assert "register.csv: (file): another import (or other work) was still writing after 1s" in err
    assert "nothing from this file was saved" in err
    with sqlite3.connect(db) as check:
        assert check.execute("SELECT count(*) FROM cases_markamendment").fetchone() == (0,)
