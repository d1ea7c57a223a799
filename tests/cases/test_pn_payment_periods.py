"""The payment periods of a penalty notice: 21 and 28 days *beginning with* the day of receipt (domain.md 3.5).

The day of receipt is day 1, so the reduced amount is due by receipt + 20 days and the full amount by
receipt + 27 days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cases import rules

D = dt.date


# fmt: off
DEADLINES = [
    # received on, reduced days, expected reduced_by, expected full_by
    (D(2026, 10, 5), 21, D(2026, 10, 25), D(2026, 11, 1)),  # the finding: not 26 October / 2 November
    (D(2026, 1, 31), 21, D(2026, 2, 20), D(2026, 2, 27)),  # across a month end
    (D(2026, 2, 1), 21, D(2026, 2, 21), D(2026, 2, 28)),  # a 28-day February: the full period is February
    (D(2028, 2, 1), 21, D(2028, 2, 21), D(2028, 2, 28)),  # leap year: 29 February is day 29, one too late
    (D(2028, 2, 9), 21, D(2028, 2, 29), D(2028, 3, 7)),  # the reduced period ends on a leap day
    (D(2027, 2, 9), 21, D(2027, 3, 1), D(2027, 3, 8)),  # the same dates a common year later: one day on
    (D(2026, 12, 15), 21, D(2027, 1, 4), D(2027, 1, 11)),  # across a year end
    (D(2026, 10, 5), None, None, D(2026, 11, 1)),  # a second notice: no reduced rate
]
# fmt: on


@pytest.mark.parametrize(
    ("received_on", "reduced_days", "reduced_by", "full_by"),
    DEADLINES,
    ids=["5-october", "month-end", "february", "leap-february", "leap-day", "common-year", "year-end", "second"],
)
def test_payment_deadlines_count_the_day_of_receipt_as_day_one(received_on, reduced_days, reduced_by, full_by):
    assert rules.payment_deadlines(received_on, reduced_days=reduced_days) == (reduced_by, full_by)


@pytest.mark.parametrize(("days", "last"), [(1, D(2026, 10, 5)), (2, D(2026, 10, 6)), (21, D(2026, 10, 25)),
                                            (28, D(2026, 11, 1))], ids=str)
def test_a_period_of_n_days_beginning_with_a_day_ends_n_minus_1_days_later(days, last):
    assert rules.last_day_of_period(D(2026, 10, 5), days) == last


def test_the_deadlines_use_the_statutory_figures():
    received = D(2026, 10, 5)
    reduced_by, full_by = rules.payment_deadlines(received, reduced_days=rules.PN_REDUCED_DAYS)
    assert (reduced_by - received).days + 1 == rules.PN_REDUCED_DAYS == 21
    assert (full_by - received).days + 1 == rules.PN_FULL_DAYS == 28
