"""cases.facts, the one policy for dates, amounts and free text, at every boundary; and the form fields on it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import facts
from cases.form_fields import CaseworkDateField, date_from_parts

D = dt.date
TODAY = D(2026, 3, 4)


def _refused(call) -> str | None:
    try:
        call()
    except facts.ImpossibleFact as refusal:
        return str(refusal)
    return None


# --- something that happened ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "not_before", "refusal"),
    [
        (TODAY, None, None),
        (TODAY + dt.timedelta(days=1), None, "must be today or in the past"),
        (D(2000, 1, 1), None, None),
        (D(1999, 12, 31), None, "must be on or after 1 January 2000"),
        (D(1900, 1, 1), None, "must be on or after 1 January 2000"),
        (D(2026, 2, 1), D(2026, 2, 1), None),
        (D(2026, 1, 31), D(2026, 2, 1), "must be on or after the date the contract was offered (1 February 2026)"),
    ],
    ids=["today", "tomorrow", "first-day-of-2000", "last-day-of-1999", "1900", "the-day-it-answers",
         "the-day-before-it"],
)
def test_a_fact_that_happened(on, not_before, refusal):
    got = _refused(lambda: facts.happened(on, what="The date of the response", today=TODAY, field="responded_on",
                                          not_before=not_before, not_before_what="the date the contract was offered"))
    if refusal is None:
        assert got is None
    else:
        assert got is not None and got.startswith("The date of the response ") and refusal in got


# --- something planned ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "refusal"),
    [
        (TODAY, None),
        (TODAY - dt.timedelta(days=1), "must be today or in the future"),
        (TODAY + dt.timedelta(days=366), None),
        (TODAY + dt.timedelta(days=367), "must be within a year, by 5 March 2027"),
        (D(9999, 12, 31), "must be within a year"),
    ],
    ids=["today", "yesterday", "horizon-day-366", "day-367", "year-9999"],
)
def test_a_date_being_planned(on, refusal):
    got = _refused(lambda: facts.planned(on, what="The review date", today=TODAY))
    assert (got is None) if refusal is None else (refusal in got)


@pytest.mark.parametrize(
    ("on", "refusal"),
    [
        (D(2000, 1, 1), None),
        (D(1999, 12, 31), "must be on or after 1 January 2000"),
        (TODAY + facts.PLAUSIBLE_FUTURE, None),
        (TODAY + facts.PLAUSIBLE_FUTURE + dt.timedelta(days=1), "must be before"),
    ],
    ids=["2000", "1999", "ten-years-ahead", "a-day-more"],
)
def test_a_date_box_accepts_only_plausible_dates(on, refusal):
    got = _refused(lambda: facts.plausible(on, what="The date", today=TODAY))
    assert (got is None) if refusal is None else (refusal in got)


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [(D(2026, 3, 1), D(2026, 3, 1), False), (D(2026, 3, 1), D(2026, 2, 28), True)],
    ids=["one-day", "ends-before-it-starts"],
)
def test_a_range_ends_on_or_after_it_starts(start, end, refused):
    got = _refused(lambda: facts.date_range(start, end, what="The last day of leave", field="last_day"))
    assert (got is not None) is refused


def test_a_refusal_names_its_field():
    with pytest.raises(facts.ImpossibleFact) as refusal:
        facts.happened(TODAY + dt.timedelta(days=1), what="The date", today=TODAY, field="received_on")
    assert refusal.value.field == "received_on"


# --- amounts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "refusal"),
    [
        ("80", None),
        ("80.00", None),
        ("NaN", "must be an amount in pounds and pence"),
        ("Infinity", "must be an amount in pounds and pence"),
        (float("inf"), "must be an amount in pounds and pence"),
        ("1e309", "must be less than £1,000,000"),
        ("0", "must be more than £0"),
        ("-1", "must be more than £0"),
        ("80.001", "must be in whole pence"),
        ("eighty", "must be an amount in pounds and pence"),
        ("160.01", "must be £160.00 or less"),
    ],
    ids=["whole-pounds", "pence", "nan", "infinity", "float-infinity", "1e309", "zero", "negative", "tenth-of-a-penny",
         "words", "over-the-maximum"],
)
def test_an_amount(value, refusal):
    got = _refused(lambda: facts.amount(value, what="The amount", maximum=Decimal("160")))
    assert (got is None) if refusal is None else (refusal in got)


def test_an_amount_is_kept_to_the_penny():
    assert facts.amount("80", what="The amount") == Decimal("80.00")


# --- free text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("x" * facts.LONG_TEXT_MAX, None),
        ("x" * (facts.LONG_TEXT_MAX + 1), "must be 10,000 characters or fewer (it has 10,001)"),
        ("x" * 1_000_000, "must be 10,000 characters or fewer"),
        ("Line one\nLine two\tand a tab\r\n", None),
        ("Bell\x07", "must not contain control characters"),
        ("Null\x00byte", "must not contain control characters"),
    ],
    ids=["at-the-limit", "one-over", "a-megabyte", "newlines-and-tabs", "bell", "null-byte"],
)
def test_free_text(text, refusal):
    got = _refused(lambda: facts.text(text, what="The note", field="note"))
    assert (got is None) if refusal is None else (refusal in got)


def test_short_text_has_its_own_limit():
    assert _refused(lambda: facts.text("x" * facts.SHORT_TEXT_MAX, what="Where", limit=facts.SHORT_TEXT_MAX)) is None
    assert "200 characters or fewer" in _refused(
        lambda: facts.text("x" * (facts.SHORT_TEXT_MAX + 1), what="Where", limit=facts.SHORT_TEXT_MAX)
    )


# --- the form fields built on it: a typed year never crashes a page -----------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        (8, 10, 2026, None),
        (1, 1, 99999999999999999999, "The date of the meeting must be a real date"),
        (1, 1, 10000, "The date of the meeting must be a real date"),
        (1, 1, 1, "Year must include 4 numbers"),
        (1, 1, 1900, "The date of the meeting must be on or after 1 January 2000"),
        (31, 12, 9999, "The date of the meeting must be before"),
        (30, 2, 2026, "The date of the meeting must be a real date"),
        (1, 99999999999999999999, 2026, "The date of the meeting must be a real date"),
    ],
    ids=["real", "huge-year", "five-digit-year", "year-0001", "1900", "9999", "30-february", "huge-month"],
)
def test_three_date_boxes(frozen, day, month, year, message):
    if message is None:
        assert date_from_parts(day, month, year, "the date of the meeting") == D(year, month, day)
        return
    with pytest.raises(ValidationError) as refusal:
        date_from_parts(day, month, year, "the date of the meeting")
    assert message in refusal.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-03-04", None),
        ("99999999999999999999-01-01", "Review date must be a real date"),
        ("0001-01-01", "Review date must be on or after 1 January 2000"),
        ("9999-12-31", "Review date must be before"),
        ("2026-02-30", "Review date must be a real date"),
    ],
    ids=["real", "huge-year", "year-0001", "9999", "30-february"],
)
def test_one_date_box(frozen, typed, message):
    field = CaseworkDateField(what="Review date")
    if message is None:
        assert field.clean(typed) == D(2026, 3, 4)
        return
    with pytest.raises(ValidationError) as refusal:
        field.clean(typed)
    assert message in refusal.value.messages[0]
