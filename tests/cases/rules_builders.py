"""Small builders of register marks for the rules tests, so that every expected value is visible by eye.

A week is written as up to ten session codes, Monday AM to Friday PM: ``"////////GG"`` is a pupil
present all week except Friday, coded ``G`` both sessions. A string holds one-character codes; a list
holds codes of any length (``["C1", "C1", "/", ...]``). ``.`` means "no mark for this session".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from cases import rules

NO_MARK = "."
Mark = tuple[date, int, str]


def _codes(codes: str | Sequence[str]) -> list[str]:
    return list(codes) if isinstance(codes, str) else list(codes)


def day(on: date, am: str | None, pm: str | None = None) -> list[Mark]:
    """The marks of one day; ``None`` (or ``.``) for a session with no mark."""
    marks = []
    if am not in (None, NO_MARK):
        marks.append((on, rules.AM, am))
    if pm not in (None, NO_MARK):
        marks.append((on, rules.PM, pm))
    return marks


def week(monday: date, codes: str | Sequence[str]) -> list[Mark]:
    """Marks from Monday AM onward, one code per session, at most ten (Monday AM to Friday PM)."""
    assert monday.weekday() == 0, f"{monday} is not a Monday"
    sessions = _codes(codes)
    assert len(sessions) <= 10, "a school week has ten sessions"
    marks = []
    for index, code in enumerate(sessions):
        if code == NO_MARK:
            continue
        marks.append((monday + timedelta(days=index // 2), index % 2, code))
    return marks


def weeks(first_monday: date, *week_codes: str | Sequence[str] | None) -> list[Mark]:
    """Consecutive calendar weeks from ``first_monday``; ``None`` or ``""`` is a week with no marks."""
    marks: list[Mark] = []
    for offset, codes in enumerate(week_codes):
        if codes:
            marks.extend(week(first_monday + timedelta(weeks=offset), codes))
    return marks


def monday_of(first_monday: date, calendar_week: int) -> date:
    """The Monday of calendar week ``calendar_week`` (1-based) counted from ``first_monday``."""
    return first_monday + timedelta(weeks=calendar_week - 1)


def register(*parts: Iterable[Mark]) -> list[Mark]:
    """Concatenate parts into one register, sorted by (date, session) as the rules expect."""
    marks = [mark for part in parts for mark in part]
    assert len({(d, s) for d, s, _ in marks}) == len(marks), "two codes for one session"
    return sorted(marks, key=lambda mark: (mark[0], mark[1]))


ALL = "//////////"  # ten attended sessions (the AM code; the rules do not care which present code)
