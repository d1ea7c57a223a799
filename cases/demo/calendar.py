"""UPNs as the DfE builds them, and the school calendar every demo register follows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cases.rules import upn_check_letter
from cases.working_days import bank_holidays

# --- UPNs -------------------------------------------------------------------------------------------

def make_upn(la_code: str, establishment: str, year: int, serial: int) -> str:
    """A UPN as the DfE builds them: LA number, DfE establishment number, year of issue, serial."""
    digits = f"{la_code}{establishment}{year % 100:02d}{serial:03d}"
    return upn_check_letter(digits) + digits


# --- Calendar ----------------------------------------------------------------------------------------

# A typical English county calendar: six half terms a year; the first days of September are INSET.
TEACHING_PERIODS = (
    (date(2025, 9, 1), date(2025, 10, 24)),
    (date(2025, 11, 3), date(2025, 12, 19)),
    (date(2026, 1, 5), date(2026, 2, 13)),
    (date(2026, 2, 23), date(2026, 3, 27)),
    (date(2026, 4, 13), date(2026, 5, 22)),
    (date(2026, 6, 1), date(2026, 7, 17)),
    (date(2026, 9, 1), date(2026, 10, 23)),
    (date(2026, 11, 2), date(2026, 12, 18)),
    (date(2027, 1, 4), date(2027, 2, 12)),
    (date(2027, 2, 22), date(2027, 3, 25)),
    (date(2027, 4, 12), date(2027, 5, 28)),
    (date(2027, 6, 7), date(2027, 7, 21)),
)
BANK_HOLIDAYS = frozenset(d for year in (2025, 2026, 2027) for d in bank_holidays(year))
LA_INSET_DAYS = frozenset({date(2025, 9, 1), date(2025, 9, 2), date(2026, 9, 1)})


@dataclass(frozen=True)
class Calendar:
    """A school's open days (weekdays in term, bank holidays off) and which of them are INSET closures."""

    days: tuple[date, ...]
    closed: np.ndarray  # bool per day: planned whole-school closure, coded '#'

    @property
    def iso(self) -> list[str]:
        return [d.isoformat() for d in self.days]


def school_calendar(start: date, end: date, inset_days: Iterable[date] = ()) -> Calendar:
    closures = LA_INSET_DAYS | frozenset(inset_days)
    days = []
    for first, last in TEACHING_PERIODS:
        d = max(first, start)
        while d <= min(last, end):
            if d.weekday() < 5 and d not in BANK_HOLIDAYS:
                days.append(d)
            d += timedelta(days=1)
    return Calendar(tuple(days), np.array([d in closures for d in days], dtype=bool))


# The half terms' names, in the order of TEACHING_PERIODS within a year.
HALF_TERM_NAMES = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")


def term_dates() -> list[tuple[str, tuple[date, date]]]:
    """The demo schools' term dates, named: what a leave of absence decision reads as term time."""
    named = []
    for i, (first, last) in enumerate(TEACHING_PERIODS):
        year = first.year if first.month >= 9 else first.year - 1
        named.append((f"{HALF_TERM_NAMES[i % 6]} {year}-{(year + 1) % 100:02d}", (first, last)))
    return named
