"""Working days in England: Monday to Friday, less the bank holidays of England and Wales.

Pure, like ``cases.rules``: deemed receipt of a posted penalty notice, the LA's service level and the day
a pupil is due back after leave all count working days, and a notice posted before Easter must not be
treated as received on Good Friday. Bank holidays follow the Banking and Financial Dealings Act 1971
and the proclamations made under it; they come from the maintained ``holidays`` package (England), so a
new proclamation arrives with an upgrade of that package rather than an edit here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.easter import easter


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (Good Friday and Easter Monday hang on it)."""
    return easter(year)


@cache
def bank_holidays(year: int) -> tuple[date, ...]:
    """The bank holidays of England and Wales in ``year``, in date order, as gov.uk lists them.

    The package also names Christmas or New Year's Day when it falls at a weekend, beside its weekday
    substitute; only the substitute is a day off, so weekend dates are left out (working_days_after
    relies on every bank holiday being a weekday).
    """
    days = holidays.UnitedKingdom(subdiv="ENG", years=year)
    return tuple(sorted(d for d in days if d.weekday() < 5))


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself never counts)."""
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def next_working_day(day: date) -> date:
    return add_working_days(day, 1)


def working_days_after(since: date, until: date) -> int:
    """Working days after ``since`` up to and including ``until``: how long something sent on ``since``
    has waited by ``until``. Counted by arithmetic, not day by day: an inbox shows it for every row."""
    if until <= since:
        return 0
    weeks, rest = divmod((until - since).days, 7)
    weekdays = weeks * 5 + sum(1 for i in range(1, rest + 1) if (since + timedelta(days=i)).weekday() < 5)
    holidays = 0
    for year in range(since.year, until.year + 1):
        # Bank holidays all fall on weekdays, so each one in the range is a weekday that was counted.
        listed = bank_holidays(year)
        holidays += bisect_right(listed, until) - bisect_left(listed, since + timedelta(days=1))
    return weekdays - holidays
