"""The planned pupils' registers as mark rows, streamed into the database, and when corrections were keyed."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta

import numpy as np

from cases.demo.calendar import Calendar, school_calendar
from cases.demo.people import SCHOOLS, PupilPlan
from cases.demo.register import CODES, Amendment, simulate_register, term_end_indexes


def register_rows(
    pupils: Sequence[PupilPlan],
    pupil_ids: Sequence[int],
    school_ids: Sequence[int],
    *,
    seed: int,
    start: date,
    as_of: date,
    amendments: list[tuple[int, PupilPlan, date, Amendment, int]],
) -> Iterator[tuple]:
    """Mark rows ``(pupil_id, date, session, code, school_id)`` for every pupil, streamed so that 1M rows
    never sit in memory at once; the corrections of N marks are appended to ``amendments`` on the way."""
    rng = np.random.default_rng(seed)
    calendars = [school_calendar(start, as_of, sc.inset) for sc in SCHOOLS]
    year_first = date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)
    for p, pupil_id in zip(pupils, pupil_ids, strict=True):
        cal = calendars[p.school]
        days, schools = list(cal.days), [school_ids[p.school]] * len(cal.days)
        closed = cal.closed
        if p.moved_from is not None:
            before = calendars[p.moved_from]
            cut_before = sum(1 for d in before.days if d < p.moved_on)
            cut_after = sum(1 for d in cal.days if d < p.moved_on)
            days = list(before.days[:cut_before]) + list(cal.days[cut_after:])
            schools = [school_ids[p.moved_from]] * cut_before + [school_ids[p.school]] * (
                len(cal.days) - cut_after
            )
            closed = np.concatenate([before.closed[:cut_before], cal.closed[cut_after:]])
        first = next((k for k, d in enumerate(days) if d >= p.start), len(days))
        days, schools, closed = days[first:], schools[first:], closed[first:]
        calendar = Calendar(tuple(days), closed)
        year_start = next((k for k, d in enumerate(days) if d >= year_first), len(days))
        reg = simulate_register(
            rng, calendar, p.traits, year_start=year_start, term_ends=term_end_indexes(calendar)
        )
        iso = [d.isoformat() for d in days]
        for k, (am, pm) in enumerate(reg.codes.tolist()):
            yield (pupil_id, iso[k], 0, CODES[am], schools[k])
            yield (pupil_id, iso[k], 1, CODES[pm], schools[k])
        for a in reg.amendments:
            amendments.append((pupil_id, p, days[a.day], a, schools[a.day]))


def amended_at(on: date, rng: random.Random, *, latest: date) -> datetime:
    """When a correction was keyed: one to four days later (never after ``latest``), in office hours."""
    later = on + timedelta(days=rng.randint(1, 4))
    while later.weekday() >= 5:
        later += timedelta(days=1)
    return datetime.combine(min(later, latest), time(rng.randint(8, 15), rng.randrange(60)))


class _Counted:
    """Passes rows through and counts them, so executemany can stream a generator."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        self.rows, self.count = iter(rows), 0

    def __iter__(self) -> Iterator[tuple]:
        for row in self.rows:
            self.count += 1
            yield row


def insert_marks(rows: Iterable[tuple]) -> int:
    """Insert ``(pupil_id, date, session, code, school_id)`` rows fast: COPY on PostgreSQL, one
    executemany on SQLite. Call inside a transaction; returns how many rows went in."""
    from django.db import connection

    from cases.models import Mark

    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("pupil_id", "date", "session", "code", "school_id"))
    table = q(Mark._meta.db_table)
    counted = _Counted(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in counted:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)", counted)
    return counted.count
