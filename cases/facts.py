"""The one policy for facts the casework records: dates, amounts and free text that can be true.

A date that happened (a meeting held, a response, a decision, a payment, a court outcome, a leave
request received, a ground arisen) is not after today and not before what it answers; a date planned
(a meeting, a review, a due date) is not in the past when planned and within a sane horizon; a range
ends on or after it starts; an amount is finite, positive, to the penny and within the law; free text
has a limit. Services call these, so a form, an import, a task and the API all obey the same policy.
Each refusal is an ``ImpossibleFact`` naming the field it is about, so a form shows it on that field.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from cases.errors import DomainError
from cases.formatting import long_date

# Nothing in a case file happened before this: the Penalty Notices Regulations date from 2007 and
# registers are kept 6 years, so an earlier year is a typing mistake, never history.
EARLIEST_FACT = date(2000, 1, 1)
# Casework is planned weeks ahead, not years: a meeting, review or due date further out is a typo.
PLANNING_HORIZON = timedelta(days=366)
# What a date box accepts at all, before a service knows whether the date happened or is planned:
# far enough ahead for any horizon, near enough that date arithmetic (due + 28 days) never overflows.
PLAUSIBLE_FUTURE = timedelta(days=10 * 366)
# A pupil on a school's roll is at least 2 (nursery classes take two-year-olds) and under 26 (an EHC plan
# may continue to 25, and year 14 ends at 19): a date of birth outside that on the day it is recorded is a
# typing mistake (0001-01-01, this year instead of the birth year), not a pupil.
PUPIL_AGE_MIN_YEARS = 2
PUPIL_AGE_MAX_YEARS = 25
# Free text: a note or a reason is read by a parent or a court; ten thousand characters is about
# four printed pages. Short answers (a name, a place) are one line.
LONG_TEXT_MAX = 10_000
SHORT_TEXT_MAX = 200
# Money: pence, never fractions of a penny; nothing the casework records reaches a million pounds.
AMOUNT_PLACES = Decimal("0.01")
AMOUNT_CEILING = Decimal("1000000")


class ImpossibleFact(DomainError):
    """A date, amount or text that cannot be true, with the form field it belongs to (when known)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def happened(
    on: date,
    *,
    what: str,
    today: date,
    field: str | None = None,
    not_before: date | None = None,
    not_before_what: str = "",
) -> date:
    """``on`` is the date something happened: not after today, not before what it answers.

    ``what`` starts the sentence ("The date of the meeting"); ``not_before_what`` names the earlier fact
    ("the date the contract was offered").
    """
    if on > today:
        raise ImpossibleFact(f"{what} must be today or in the past", field=field)
    if on < EARLIEST_FACT:
        raise ImpossibleFact(f"{what} must be on or after {long_date(EARLIEST_FACT)}", field=field)
    if not_before is not None and on < not_before:
        raise ImpossibleFact(
            f"{what} must be on or after {not_before_what or long_date(not_before)} ({long_date(not_before)})",
            field=field,
        )
    return on


def planned(
    on: date,
    *,
    what: str,
    today: date,
    field: str | None = None,
    not_before: date | None = None,
    not_before_what: str = "",
    horizon: timedelta = PLANNING_HORIZON,
) -> date:
    """``on`` is a date being planned now: not in the past, not before what it follows, within the horizon."""
    if on < today:
        raise ImpossibleFact(f"{what} must be today or in the future", field=field)
    if not_before is not None and on < not_before:
        raise ImpossibleFact(
            f"{what} must be on or after {not_before_what or long_date(not_before)} ({long_date(not_before)})",
            field=field,
        )
    if on > today + horizon:
        raise ImpossibleFact(
            f"{what} must be within a year, by {long_date(today + horizon)}", field=field
        )
    return on


def plausible(on: date, *, what: str, today: date, field: str | None = None) -> date:
    """``on`` could be a date of casework at all: from ``EARLIEST_FACT`` to ten years ahead.

    The check a date box makes before it knows what the date is for, so that a typed year of 1900 or 9999
    is a field error, never a crash further on.
    """
    if on < EARLIEST_FACT:
        raise ImpossibleFact(f"{what} must be on or after {long_date(EARLIEST_FACT)}", field=field)
    if on > today + PLAUSIBLE_FUTURE:
        raise ImpossibleFact(f"{what} must be before {long_date(today + PLAUSIBLE_FUTURE)}", field=field)
    return on


def age_on(born: date, today: date) -> int:
    """Whole years from ``born`` to ``today`` (a 29 February birthday comes on 1 March in other years)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def school_age_birth(born: date, *, today: date, what: str, field: str | None = None) -> date:
    """``born`` is the date of birth of a child on a school's roll today: aged 2 to 25.

    ``what`` starts the sentence: "The date of birth", or the date itself in an import's problem list.
    """
    if born > today:
        raise ImpossibleFact(f"{what} is in the future", field=field)
    age = age_on(born, today)
    if not PUPIL_AGE_MIN_YEARS <= age <= PUPIL_AGE_MAX_YEARS:
        raise ImpossibleFact(
            f"{what} makes the pupil {age} today; a pupil is aged "
            f"{PUPIL_AGE_MIN_YEARS} to {PUPIL_AGE_MAX_YEARS}: check the year",
            field=field,
        )
    return born


def date_range(start: date, end: date, *, what: str, field: str | None = None) -> None:
    """A range (an offence period, leave requested, a timetable) ends on or after it starts."""
    if end < start:
        raise ImpossibleFact(f"{what} must be on or after the start date ({long_date(start)})", field=field)


def amount(
    value: Decimal | str | int | float,
    *,
    what: str,
    field: str | None = None,
    maximum: Decimal | None = None,
    maximum_why: str = "",
    one_of: tuple[Decimal, ...] = (),
) -> Decimal:
    """A sum of money: finite, more than zero, whole pence, at most ``maximum``, or one of ``one_of``."""
    try:
        money = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ImpossibleFact(f"{what} must be an amount in pounds and pence, like 80.00", field=field) from None
    if not money.is_finite():
        raise ImpossibleFact(f"{what} must be an amount in pounds and pence, like 80.00", field=field)
    if money <= 0:
        raise ImpossibleFact(f"{what} must be more than £0", field=field)
    if money >= AMOUNT_CEILING:
        raise ImpossibleFact(f"{what} must be less than £{AMOUNT_CEILING:,}", field=field)
    if money != money.quantize(AMOUNT_PLACES):
        raise ImpossibleFact(f"{what} must be in whole pence, like 80.00", field=field)
    if maximum is not None and money > maximum:
        why = f" ({maximum_why})" if maximum_why else ""
        raise ImpossibleFact(f"{what} must be £{maximum:,.2f} or less{why}", field=field)
    if one_of and money not in one_of:
        choices = " or ".join(f"£{choice:,.2f}" for choice in one_of)
        raise ImpossibleFact(f"{what} must be {choices}, an amount of this notice", field=field)
    return money.quantize(AMOUNT_PLACES)


def text(value: str, *, what: str, field: str | None = None, limit: int = LONG_TEXT_MAX) -> str:
    """Free text within its limit, without control characters a letter or a database cannot hold."""
    if len(value) > limit:
        raise ImpossibleFact(
            f"{what} must be {limit:,} characters or fewer (it has {len(value):,})", field=field
        )
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ImpossibleFact(f"{what} must not contain control characters", field=field)
    return value
