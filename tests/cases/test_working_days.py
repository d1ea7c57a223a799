"""Bank holidays of England and Wales as gov.uk lists them, and working days counted around them."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from cases.working_days import (
    add_working_days,
    bank_holidays,
    easter_sunday,
    is_working_day,
    next_working_day,
    working_days_after,
)

D = dt.date


def _days(year: int, *month_days: tuple[int, int]) -> tuple[dt.date, ...]:
    return tuple(D(year, m, d) for m, d in month_days)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # gov.uk/bank-holidays, England and Wales
        (2020, _days(2020, (1, 1), (4, 10), (4, 13), (5, 8), (5, 25), (8, 31), (12, 25), (12, 28))),
        (2021, _days(2021, (1, 1), (4, 2), (4, 5), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28))),
        (2022, _days(2022, (1, 3), (4, 15), (4, 18), (5, 2), (6, 2), (6, 3), (8, 29), (9, 19), (12, 26), (12, 27))),
        (2023, _days(2023, (1, 2), (4, 7), (4, 10), (5, 1), (5, 8), (5, 29), (8, 28), (12, 25), (12, 26))),
        (2024, _days(2024, (1, 1), (3, 29), (4, 1), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26))),
        (2025, _days(2025, (1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25), (12, 25), (12, 26))),
        (2026, _days(2026, (1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28))),
        (2027, _days(2027, (1, 1), (3, 26), (3, 29), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28))),
        (2028, _days(2028, (1, 3), (4, 14), (4, 17), (5, 1), (5, 29), (8, 28), (12, 25), (12, 26))),
    ],
    ids=str,
)
def test_bank_holidays_match_the_published_list(year, expected):
    assert bank_holidays(year) == expected


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2000, D(2000, 4, 23)), (2008, D(2008, 3, 23)), (2011, D(2011, 4, 24)), (2019, D(2019, 4, 21)),
     (2038, D(2038, 4, 25))],
    ids=str,
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    ("day", "working"),
    [(D(2026, 4, 2), True), (D(2026, 4, 3), False), (D(2026, 4, 4), False), (D(2026, 4, 6), False),
     (D(2026, 4, 7), True), (D(2026, 12, 28), False), (D(2026, 12, 29), True)],
    ids=str,
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (D(2026, 11, 26), 0, D(2026, 11, 26)),
        (D(2026, 11, 26), 2, D(2026, 11, 30)),
        (D(2026, 4, 2), 1, D(2026, 4, 7)),  # Easter: Friday to Monday are off
        (D(2026, 12, 24), 2, D(2026, 12, 30)),
        (D(2026, 12, 31), 1, D(2027, 1, 4)),  # New Year's Day and a weekend
    ],
    ids=["zero", "two", "over-easter", "over-christmas", "over-new-year"],
)
def test_add_working_days(day, count, expected):
    assert add_working_days(day, count) == expected


def test_next_working_day_after_leave_ending_before_a_bank_holiday_weekend():
    assert next_working_day(D(2026, 5, 22)) == D(2026, 5, 26)  # Friday, then the spring bank holiday


def test_working_days_after_agrees_with_counting_day_by_day():
    # The inbox's arithmetic against the plain definition, across year ends and every bank holiday.
    rng = random.Random(20261126)
    for _ in range(2000):
        since = D(2019, 1, 1) + dt.timedelta(days=rng.randrange(3650))
        until = since + dt.timedelta(days=rng.randrange(-5, 400))
        by_day = sum(1 for n in range(1, (until - since).days + 1) if is_working_day(since + dt.timedelta(days=n)))
        assert working_days_after(since, until) == by_day, (since, until)
