"""Working days in England: Monday to Friday, less the bank holidays of England and Wales.

Pure, like ``cases.rules``: deemed receipt of a posted penalty notice, the LA's service level and the day
a pupil is due back after leave all count working days, and a notice posted before Easter must not be
treated as received on Good Friday. Bank holidays follow the Banking and Financial Dealings Act 1971
and the proclamations made under it: the regular ones are computed for any year, and the one-off moves
and extra days of recent years are listed, so a new proclamation is one line in ``_MOVED`` or ``_EXTRA``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import cache

# Proclaimed changes: the regular day that did not happen, mapped to the day that replaced it.
_MOVED = {
    date(1995, 5, 1): date(1995, 5, 8),  # VE Day 50th anniversary
    date(2002, 5, 27): date(2002, 6, 4),  # Golden Jubilee
    date(2012, 5, 28): date(2012, 6, 4),  # Diamond Jubilee
    date(2020, 5, 4): date(2020, 5, 8),  # VE Day 75th anniversary
    date(2022, 5, 30): date(2022, 6, 2),  # Platinum Jubilee
}
# Proclaimed extra bank holidays.
_EXTRA = frozenset(
    {
        date(1999, 12, 31),  # Millennium
        date(2002, 6, 3),  # Golden Jubilee
        date(2011, 4, 29),  # Royal wedding
        date(2012, 6, 5),  # Diamond Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # State funeral of Queen Elizabeth II
        date(2023, 5, 8),  # Coronation of King Charles III
    }
)


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


@cache
def bank_holidays(year: int) -> tuple[date, ...]:
    """The bank holidays of England and Wales in ``year``, in date order."""
    easter = easter_sunday(year)
    days = {
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        _first_monday(year, 5),  # early May
        _last_monday(year, 5),  # spring
        _last_monday(year, 8),  # summer
    }
    days = {_MOVED.get(d, d) for d in days} | {d for d in _EXTRA if d.year == year}
    # New Year's Day, Christmas Day and Boxing Day falling at a weekend are replaced by the next weekday
    # that is not already a holiday (Christmas on a Saturday: Monday 27th and Tuesday 28th).
    for fixed in (date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)):
        day = fixed
        while day.weekday() >= 5 or day in days:
            day += timedelta(days=1)
        days.add(day)
    return tuple(sorted(days))


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
