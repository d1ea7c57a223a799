"""Compulsory school age (domain.md 2; Education Act 1996 s8), and the offence that counts only its days.

Written from the Orders, not the code: the start is the first prescribed day (31 December, 31 March,
31 August) on or after the fifth birthday; the end is the last Friday in June of the school year in
which the child turns 16.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cases import rules
from tests.cases.rules_builders import register, week, weeks

STARTS = {
    # birthday: first day of compulsory school age
    "fifth_birthday_on_a_prescribed_day_starts_that_day": (date(2020, 12, 31), date(2025, 12, 31)),
    "a_day_after_a_prescribed_day_waits_for_the_next": (date(2021, 1, 1), date(2026, 3, 31)),
    "birthday_on_31_march": (date(2021, 3, 31), date(2026, 3, 31)),
    "birthday_on_1_april": (date(2021, 4, 1), date(2026, 8, 31)),
    "birthday_on_31_august": (date(2020, 8, 31), date(2025, 8, 31)),
    "birthday_on_1_september": (date(2020, 9, 1), date(2025, 12, 31)),
    "29_february_birthday": (date(2020, 2, 29), date(2025, 3, 31)),
}


@pytest.mark.parametrize(("born", "starts"), STARTS.values(), ids=STARTS.keys())
def test_compulsory_school_age_starts_on_the_first_prescribed_day_on_or_after_the_fifth_birthday(born, starts):
    assert rules.compulsory_school_age(born).starts == starts


ENDS = {
    # 16th birthday in the school year 2025-26: ends on the last Friday in June 2026, 26 June
    "16_on_1_september_2025": (date(2009, 9, 1), date(2026, 6, 26)),
    "16_before_the_friday": (date(2010, 6, 25), date(2026, 6, 26)),
    "16_on_the_friday": (date(2010, 6, 26), date(2026, 6, 26)),
    "16_after_the_friday_still_ends_that_friday": (date(2010, 6, 27), date(2026, 6, 26)),
    "16_on_31_august": (date(2010, 8, 31), date(2026, 6, 26)),
    "16_on_31_august_2025_belongs_to_the_year_before": (date(2009, 8, 31), date(2025, 6, 27)),
    "june_ending_on_a_friday": (date(2004, 3, 1), date(2020, 6, 26)),
    "last_friday_is_30_june": (date(2006, 11, 2), date(2023, 6, 30)),
}


@pytest.mark.parametrize(("born", "ends"), ENDS.values(), ids=ENDS.keys())
def test_compulsory_school_age_ends_on_the_last_friday_in_june_of_the_year_they_turn_16(born, ends):
    found = rules.compulsory_school_age(born)
    assert found.ends == ends
    assert found.ends.weekday() == 4 and found.ends.month == 6 and (found.ends + timedelta(days=7)).month == 7


def test_includes_is_inclusive_at_both_ends():
    age = rules.compulsory_school_age(date(2020, 12, 31))
    assert not age.includes(age.starts - timedelta(days=1))
    assert age.includes(age.starts) and age.includes(age.ends)
    assert not age.includes(age.ends + timedelta(days=1))


# A week of ten G codes, the week before, and the school weeks either side of the start.
DEC = date(2025, 12, 15)  # Monday; 31 December 2025 is a Wednesday (a holiday week here)
JAN = date(2026, 1, 5)


def _reception(born: date):
    return rules.compulsory_school_age(born)


THRESHOLD = {
    # birthday, expected first-met (None: the G codes before the start never count)
    "of_age_since_31_december_counts_january": (date(2020, 12, 31), date(2026, 1, 9)),
    "fifth_birthday_1_january_not_of_age_until_31_march": (date(2021, 1, 1), None),
}


@pytest.mark.parametrize(("born", "first_met"), THRESHOLD.values(), ids=THRESHOLD.keys())
def test_sessions_before_compulsory_school_age_never_count_toward_the_threshold(born, first_met):
    marks = register(week(DEC, "GGGGGGGGGG"), week(JAN, "GGGGGGGGGG"))
    as_of = JAN + timedelta(days=4)
    m = rules.measure(marks, as_of=as_of, compulsory=_reception(born))
    assert m.pn_threshold_first_met == first_met
    assert m.pn_threshold_met is (first_met is not None)
    assert m.unauthorised_in_window == 20  # the raw count is every G, of age or not


def test_sessions_after_the_leaving_date_never_count():
    leaver = rules.compulsory_school_age(date(2010, 6, 20))  # ends Friday 26 June 2026
    marks = weeks(date(2026, 6, 15), "GGGGGGGGGG", "GGGGGGGGGG")
    # The week of 15 June: 10 sessions while of age -> met on Friday 19 June PM.
    assert rules.measure(marks, as_of=date(2026, 6, 26), compulsory=leaver).pn_threshold_first_met == date(2026, 6, 19)
    later = weeks(date(2026, 6, 29), "GGGGGGGGGG", "GGGGGGGGGG")
    after = rules.measure(later, as_of=date(2026, 7, 10), compulsory=leaver)
    assert after.pn_threshold_met is False
    assert after.compulsory_school_age is False


def test_the_offence_lists_the_sessions_it_excluded_for_age():
    born = date(2020, 12, 31)  # of age from Wednesday 31 December 2025
    marks = register(week(DEC, "GGGGG/////"), week(JAN, "GGGGGGGGGG"))
    found = rules.offence(marks, as_of=JAN + timedelta(days=4), compulsory=_reception(born))
    assert found is not None
    assert len(found.sessions) == 10 and found.first_met == date(2026, 1, 9)
    assert len(found.not_of_age) == 5 and all(d < date(2025, 12, 31) for d, _, _ in found.not_of_age)
    assert (found.offence_from, found.offence_to) == (JAN, date(2026, 1, 9))


def test_the_offence_window_agrees_with_the_first_met_date_at_every_boundary():
    mon = date(2025, 9, 1)
    # ten G sessions in week 1 and none later: met on Friday of week 1, the tenth session
    marks = week(mon, "GGGGGGGGGG")
    found = rules.offence(marks, as_of=mon + timedelta(days=4))
    assert found.first_met == mon + timedelta(days=4) == found.offence_to
    assert len(found.sessions) == 10
    # nine: nothing
    assert rules.offence(week(mon, "GGGGGGGGG/"), as_of=mon + timedelta(days=4)) is None
    # the 10th session is a morning, the afternoon after it is G too: both listed, the date is the morning's
    marks = weeks(mon, "GGGGGGGG//", "GG////////")
    found = rules.offence(marks, as_of=mon + timedelta(days=11))
    assert found.first_met == mon + timedelta(days=7)
    assert [m[0] for m in found.sessions].count(mon + timedelta(days=7)) == 2
    assert len(found.sessions) == 10


def test_the_offence_window_spans_ten_school_weeks_not_eleven():
    mon = date(2025, 9, 1)
    # one G in week 1, nine G in week 11: week 1 is outside the window ending with week 11
    marks = weeks(mon, "G/////////", *["//////////"] * 9, "GGGGGGGGG/")
    assert rules.offence(marks, as_of=mon + timedelta(weeks=10, days=4)) is None
    # the same with the nine in week 10: the window holds all ten
    marks = weeks(mon, "G/////////", *["//////////"] * 8, "GGGGGGGGG/")
    found = rules.offence(marks, as_of=mon + timedelta(weeks=9, days=4))
    assert found is not None and found.window_starts == mon and found.offence_from == mon
