"""The attendance rules of shared/domain.md sections 1 and 2, one table row per boundary.

Written from domain.md and contract.md section 2, not from the implementation. Registers are built
with the helpers of ``rules_builders`` so each expected value can be counted by eye: a string such as
``"////////GG"`` is one week, Monday AM to Friday PM.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cases import rules
from tests.cases.rules_builders import ALL, day, monday_of, register, week, weeks

# Academic year 2024-25: 2 September 2024 is a Monday (1 September is a Sunday).
SEP24 = date(2024, 9, 2)
# Summer term 2024-25 then academic year 2025-26: 14 July 2025 and 1 September 2025 are Mondays.
JUL25 = date(2025, 7, 14)
SEP25 = date(2025, 9, 1)


def friday(monday: date) -> date:
    return monday + timedelta(days=4)


def wk(n: int) -> date:
    """Monday of calendar week ``n`` (1-based) of autumn 2024."""
    return monday_of(SEP24, n)


def measure(marks, as_of, conduct=rules.NATIONAL, covered=()):
    return rules.measure(marks, as_of=as_of, conduct=conduct, covered=covered)


# --------------------------------------------------------------------------------------------------
# Section 1: every code and its category.

# domain.md section 1, transcribed independently of rules.CATEGORY.
ATTENDED = "attended"
AUTHORISED = "authorised absence"
UNAUTHORISED = "unauthorised absence"
NOT_COUNTED = "not counted"
DOMAIN_2024_CODES = {
    "/": ATTENDED,
    "\\": ATTENDED,
    "L": ATTENDED,
    "K": ATTENDED,
    "V": ATTENDED,
    "P": ATTENDED,
    "W": ATTENDED,
    "B": ATTENDED,
    "C1": AUTHORISED,
    "M": AUTHORISED,
    "J1": AUTHORISED,
    "S": AUTHORISED,
    "C2": AUTHORISED,
    "C": AUTHORISED,
    "T": AUTHORISED,
    "R": AUTHORISED,
    "I": AUTHORISED,
    "E": AUTHORISED,
    "G": UNAUTHORISED,
    "N": UNAUTHORISED,
    "O": UNAUTHORISED,
    "U": UNAUTHORISED,
    "D": NOT_COUNTED,
    "X": NOT_COUNTED,
    "Q": NOT_COUNTED,
    "Y1": NOT_COUNTED,
    "Y2": NOT_COUNTED,
    "Y3": NOT_COUNTED,
    "Y4": NOT_COUNTED,
    "Y5": NOT_COUNTED,
    "Y6": NOT_COUNTED,
    "Y7": NOT_COUNTED,
    "Z": NOT_COUNTED,
    "#": NOT_COUNTED,
}
DOMAIN_PRE_2024_CODES = {"H": AUTHORISED, "F": AUTHORISED, "J": ATTENDED, "Y": NOT_COUNTED}
DOMAIN_CODES = {**DOMAIN_2024_CODES, **DOMAIN_PRE_2024_CODES}
LAST_DAY_OF_OLD_CODES = date(2024, 8, 18)
FIRST_DAY_OF_2024_CODES = date(2024, 8, 19)


def test_category_table_holds_exactly_the_codes_of_domain_md():
    assert set(rules.CATEGORY) == set(DOMAIN_CODES)


@pytest.mark.parametrize(
    "code, expected", list(DOMAIN_CODES.items()), ids=[f"code_{c}" for c in DOMAIN_CODES]
)
def test_each_code_counts_as_domain_md_says(code, expected):
    on = date(2024, 7, 15) if code in DOMAIN_PRE_2024_CODES else SEP24
    got = measure([(on, rules.AM, code)], as_of=on)

    possible = 0 if expected == NOT_COUNTED else 1
    attended = 1 if expected == ATTENDED else 0
    assert (got.possible_sessions, got.attended_sessions) == (possible, attended)
    assert got.attendance_pct == (None if possible == 0 else 100.0 * attended)
    assert got.persistent_absence is (expected in (AUTHORISED, UNAUTHORISED))
    assert got.severe_absence is (expected in (AUTHORISED, UNAUTHORISED))
    assert got.unauthorised_in_window == (1 if code in {"G", "O", "U"} else 0)
    assert got.pending_n_sessions == (1 if code == "N" else 0)
    assert got.illness_sessions == (1 if code == "I" else 0)
    assert got.late_marks_recent == (1 if code in {"L", "U"} else 0)
    assert got.unexplained_run_sessions == (1 if code in {"N", "O"} else 0)


CODE_VALIDITY = {
    "H_valid_on_last_day_before_2024_regulations": ("H", LAST_DAY_OF_OLD_CODES, True),
    "H_invalid_from_19_august_2024": ("H", FIRST_DAY_OF_2024_CODES, False),
    "F_valid_on_last_day_before_2024_regulations": ("F", LAST_DAY_OF_OLD_CODES, True),
    "F_invalid_from_19_august_2024": ("F", FIRST_DAY_OF_2024_CODES, False),
    "J_valid_on_last_day_before_2024_regulations": ("J", LAST_DAY_OF_OLD_CODES, True),
    "J_invalid_from_19_august_2024": ("J", FIRST_DAY_OF_2024_CODES, False),
    "Y_valid_on_last_day_before_2024_regulations": ("Y", LAST_DAY_OF_OLD_CODES, True),
    "Y_invalid_from_19_august_2024": ("Y", FIRST_DAY_OF_2024_CODES, False),
    "Y_invalid_long_after": ("Y", date(2025, 9, 1), False),
    "present_valid_from_19_august_2024": ("/", FIRST_DAY_OF_2024_CODES, True),
    "C1_valid_from_19_august_2024": ("C1", FIRST_DAY_OF_2024_CODES, True),
    "Y7_valid_from_19_august_2024": ("Y7", FIRST_DAY_OF_2024_CODES, True),
    "unknown_code_A_invalid": ("A", FIRST_DAY_OF_2024_CODES, False),
    "unknown_code_Y8_invalid": ("Y8", FIRST_DAY_OF_2024_CODES, False),
    "empty_code_invalid": ("", FIRST_DAY_OF_2024_CODES, False),
}


@pytest.mark.parametrize("code, on, valid", list(CODE_VALIDITY.values()), ids=list(CODE_VALIDITY))
def test_code_validity_depends_on_the_date_of_the_session(code, on, valid):
    assert rules.is_valid_code(code, on) is valid
    problem = rules.code_problem(code, on)
    if valid:
        assert problem is None
    else:
        assert isinstance(problem, str) and problem


PRE_2024_MEASURES = {
    # Week of 15 July 2024 (academic year 2023-24): H, F authorised absence, J attended, Y not counted.
    "holiday_codes_absent_interview_attended_Y_not_counted": ("HHFFJJYY//", 8, 4),
    "only_Y_gives_no_possible_session": ("YYYYYYYYYY", 0, 0),
    "J_counts_as_attended": ("JJJJJJJJJJ", 10, 10),
}


@pytest.mark.parametrize(
    "codes, possible, attended", list(PRE_2024_MEASURES.values()), ids=list(PRE_2024_MEASURES)
)
def test_pre_2024_codes_are_counted_as_they_were_then(codes, possible, attended):
    got = measure(week(date(2024, 7, 15), codes), as_of=date(2024, 7, 19))
    assert (got.possible_sessions, got.attended_sessions) == (possible, attended)


# --------------------------------------------------------------------------------------------------
# Section 2: possible, attended, attendance %, persistent and severe absence.

PERCENT = {
    "two_thirds_rounds_up_to_66_7": (2, 3, 66.7),
    "one_eighth_is_exactly_12_5": (1, 8, 12.5),
    "one_sixteenth_6_25_rounds_half_up_to_6_3": (1, 16, 6.3),
    "one_eightieth_1_25_rounds_half_up_to_1_3": (1, 80, 1.3),
    "one_third_rounds_down_to_33_3": (1, 3, 33.3),
    "five_sixths_rounds_down_to_83_3": (5, 6, 83.3),
    "one_in_two_thousand_0_05_rounds_up_to_0_1": (1, 2000, 0.1),
    "all_attended_is_100": (7, 7, 100.0),
    "none_attended_is_0": (0, 7, 0.0),
    "no_possible_session_is_none": (0, 0, None),
}


@pytest.mark.parametrize("attended, possible, expected", list(PERCENT.values()), ids=list(PERCENT))
def test_percent_rounds_half_up_to_one_place(attended, possible, expected):
    assert rules.percent_one_place(attended, possible) == expected


ABSENCE_FLAGS = {
    "persistent_at_exactly_10_percent": (2, 20, True, False),
    "not_persistent_just_below_10_percent": (2, 21, False, False),
    "not_persistent_at_5_percent": (1, 20, False, False),
    "severe_at_exactly_50_percent": (10, 20, True, True),
    "not_severe_just_below_50_percent": (10, 21, True, False),
    "nothing_when_no_possible_session": (0, 0, False, False),
    "nothing_when_never_absent": (0, 20, False, False),
}


@pytest.mark.parametrize(
    "absent, possible, persistent, severe", list(ABSENCE_FLAGS.values()), ids=list(ABSENCE_FLAGS)
)
def test_persistent_and_severe_absence_compare_in_integers(absent, possible, persistent, severe):
    assert rules.is_persistent_absence(absent, possible) is persistent
    assert rules.is_severe_absence(absent, possible) is severe


# fmt: off
ATTENDANCE = {
    # marks, as_of, possible, attended, attendance_pct, persistent, severe
    "two_of_three_attended_is_66_7": (
        register(day(SEP24, "/", "\\"), day(SEP24 + timedelta(days=1), "M")),
        SEP24 + timedelta(days=1), 3, 2, 66.7, True, False,
    ),
    "one_of_eight_attended_is_12_5": (week(SEP24, "/MMMMMMM"), friday(SEP24), 8, 1, 12.5, True, True),
    "one_of_sixteen_attended_rounds_half_up_to_6_3": (
        weeks(SEP24, "/MMMMMMMMM", "MMMMMM"), friday(wk(2)), 16, 1, 6.3, True, True,
    ),
    "one_of_eighty_attended_rounds_half_up_to_1_3": (
        weeks(SEP24, "/MMMMMMMMM", *["MMMMMMMMMM"] * 7), friday(wk(8)), 80, 1, 1.3, True, True,
    ),
    "only_closure_gives_no_percentage": (week(SEP24, "##########"), friday(SEP24), 0, 0, None, False, False),
    "only_not_counted_codes_give_no_percentage": (
        week(SEP24, ["D", "X", "Q", "Y1", "Y7", "Z", "#", "D", "X", "Z"]), friday(SEP24), 0, 0, None, False, False,
    ),
    "no_marks_give_no_percentage": ([], friday(SEP24), 0, 0, None, False, False),
    "persistent_at_exactly_2_absent_of_20": (
        weeks(SEP24, "////////MM", ALL), friday(wk(2)), 20, 18, 90.0, True, False,
    ),
    "not_persistent_at_2_absent_of_21": (
        weeks(SEP24, "////////MM", ALL, "/"), wk(3), 21, 19, 90.5, False, False,
    ),
    "unauthorised_absence_counts_toward_persistent": (
        weeks(SEP24, "////////GN", ALL), friday(wk(2)), 20, 18, 90.0, True, False,
    ),
    "not_counted_sessions_do_not_dilute_absence": (
        weeks(SEP24, "////////MM", ALL, ["D", "X", "Q", "Z", "#", "Y1", "Y7", "D", "D", "D"]),
        friday(wk(3)), 20, 18, 90.0, True, False,
    ),
    "severe_at_exactly_10_absent_of_20": (
        weeks(SEP24, "MMMMMMMMMM", ALL), friday(wk(2)), 20, 10, 50.0, True, True,
    ),
    "not_severe_at_10_absent_of_21": (
        weeks(SEP24, "MMMMMMMMMM", ALL, "/"), wk(3), 21, 11, 52.4, True, False,
    ),
    "previous_academic_year_is_not_counted": (
        register(week(JUL25, "MMMMMMMMMM"), week(SEP25, ALL)), friday(SEP25), 10, 10, 100.0, False, False,
    ),
    "as_of_31_august_still_counts_the_whole_year": (
        register(week(SEP24, "MMMMMMMMMM"), week(JUL25, ALL)), date(2025, 8, 31), 20, 10, 50.0, True, True,
    ),
    "as_of_1_september_starts_a_new_year": (
        register(week(SEP24, "MMMMMMMMMM"), week(JUL25, ALL)), date(2025, 9, 1), 0, 0, None, False, False,
    ),
    "marks_after_as_of_are_ignored": (week(SEP24, "//////MMMM"), SEP24 + timedelta(days=2), 6, 6, 100.0, False, False),
}
# fmt: on


@pytest.mark.parametrize(
    "marks, as_of, possible, attended, pct, persistent, severe",
    list(ATTENDANCE.values()),
    ids=list(ATTENDANCE),
)
def test_attendance_figures_of_this_academic_year(marks, as_of, possible, attended, pct, persistent, severe):
    got = measure(marks, as_of)
    assert (got.possible_sessions, got.attended_sessions, got.attendance_pct) == (possible, attended, pct)
    assert (got.persistent_absence, got.severe_absence) == (persistent, severe)


# --------------------------------------------------------------------------------------------------
# Section 2: the penalty-notice threshold (10 G/O/U sessions in a rolling 10 school weeks) [LA].

LA_8_IN_6 = rules.Conduct(threshold_sessions=8, threshold_school_weeks=6)
LA_G_AND_U_ONLY = rules.Conduct(threshold_codes=frozenset({"G", "U"}))

# fmt: off
THRESHOLD = {
    # marks, as_of, conduct, covered, unauthorised_in_window, pn_threshold_met, pn_threshold_first_met
    "nine_sessions_do_not_reach_threshold": (
        weeks(SEP24, "GGGOOOUUU/", ALL), friday(wk(2)), rules.NATIONAL, (), 9, False, None,
    ),
    "ten_sessions_reach_threshold_on_the_tenth": (
        weeks(SEP24, "GGGOOOUUUU", ALL), friday(wk(2)), rules.NATIONAL, (), 10, True, friday(wk(1)),
    ),
    "N_does_not_count_toward_threshold": (
        weeks(SEP24, "GGGOOOUUUN", ALL), friday(wk(2)), rules.NATIONAL, (), 9, False, None,
    ),
    "authorised_absence_does_not_count_toward_threshold": (
        weeks(SEP24, "GGGOOOUUUM", ALL), friday(wk(2)), rules.NATIONAL, (), 9, False, None,
    ),
    "threshold_before_as_of_not_yet_reached_when_tenth_is_after": (
        week(SEP24, "GGGGGGGGGG"), SEP24 + timedelta(days=3), rules.NATIONAL, (), 8, False, None,
    ),
    # Eleven school weeks: the earliest session in school week w-10 falls outside the window.
    "earliest_session_in_school_week_w_minus_10_is_outside": (
        weeks(SEP24, "G/////////", *[ALL] * 9, "GGGGGGGGG/"),
        friday(wk(11)), rules.NATIONAL, (), 9, False, None,
    ),
    "earliest_session_in_school_week_w_minus_9_is_inside": (
        weeks(SEP24, ALL, "G/////////", *[ALL] * 8, "GGGGGGGGG/"),
        friday(wk(11)), rules.NATIONAL, (), 10, True, friday(wk(11)),
    ),
    # Eleven calendar weeks with a half-term in calendar week 6: only ten school weeks.
    "half_term_week_without_marks_is_not_a_school_week": (
        weeks(SEP24, "G/////////", *[ALL] * 4, None, *[ALL] * 4, "GGGGGGGGG/"),
        friday(wk(11)), rules.NATIONAL, (), 10, True, friday(wk(11)),
    ),
    "half_term_week_of_closure_only_is_not_a_school_week": (
        weeks(SEP24, "G/////////", *[ALL] * 4, "##########", *[ALL] * 4, "GGGGGGGGG/"),
        friday(wk(11)), rules.NATIONAL, (), 10, True, friday(wk(11)),
    ),
    "week_with_one_mark_besides_closure_is_a_school_week": (
        weeks(SEP24, "G/////////", *[ALL] * 4, "#########/", *[ALL] * 4, "GGGGGGGGG/"),
        friday(wk(11)), rules.NATIONAL, (), 9, False, None,
    ),
    "week_of_not_counted_codes_is_a_school_week": (
        weeks(SEP24, "G/////////", *[ALL] * 4, "DDDDDDDDDD", *[ALL] * 4, "GGGGGGGGG/"),
        friday(wk(11)), rules.NATIONAL, (), 9, False, None,
    ),
    "as_of_in_a_holiday_week_window_ends_with_the_last_school_week": (
        weeks(SEP24, "G/////////", *[ALL] * 8, "GGGGGGGGG/", None),
        wk(11) + timedelta(days=2), rules.NATIONAL, (), 10, True, friday(wk(10)),
    ),
    # Academic year boundary: July 2025 then September 2025, the summer holiday between.
    "july_sessions_count_toward_threshold_reached_in_september": (
        register(week(JUL25, "/////GGGGG"), week(SEP25, "GGGGG/////")),
        friday(SEP25), rules.NATIONAL, (), 10, True, SEP25 + timedelta(days=2),
    ),
    "threshold_reached_only_last_year_is_not_met_this_year": (
        register(week(JUL25, "GGGGGGGGGG"), week(SEP25, ALL)),
        friday(SEP25), rules.NATIONAL, (), 10, False, None,
    ),
    "last_years_ten_plus_one_in_september_reach_it_again_this_year": (
        register(week(JUL25, "GGGGGGGGGG"), week(SEP25, "//G///////")),
        friday(SEP25), rules.NATIONAL, (), 11, True, SEP25 + timedelta(days=1),
    ),
    # Change of school: old school up to calendar week 3, a week off roll, new school from week 5.
    "sessions_at_two_schools_across_a_move_count_together": (
        register(weeks(SEP24, ALL, ALL, "/////GGGGG"), weeks(wk(5), "GGGGG/////", ALL)),
        friday(wk(6)), rules.NATIONAL, (), 10, True, wk(5) + timedelta(days=2),
    ),
    "school_weeks_numbered_across_a_move_with_a_gap_week": (
        register(weeks(SEP24, "G/////////", *[ALL] * 4), weeks(wk(7), *[ALL] * 4, "GGGGGGGGG/")),
        friday(wk(11)), rules.NATIONAL, (), 10, True, friday(wk(11)),
    ),
    # Sessions covered by an earlier notice (dates inclusive) no longer count toward the threshold,
    # but unauthorised_in_window still reports every G/O/U session in the window.
    "uncovered_eighteen_sessions_reach_threshold_in_week_one": (
        weeks(SEP24, "GGGGGGGGGG", "GGGGGGGG//"), friday(wk(2)), rules.NATIONAL, (), 18, True, friday(wk(1)),
    ),
    "covered_first_day_moves_first_met_to_the_next_monday": (
        weeks(SEP24, "GGGGGGGGGG", "GGGGGGGG//"), friday(wk(2)), rules.NATIONAL,
        (rules.OffencePeriod(SEP24, SEP24),), 18, True, wk(2),
    ),
    "covered_period_end_date_is_inclusive": (
        weeks(SEP24, "GGGGGGGGGG", "GGGGGGGG//"), friday(wk(2)), rules.NATIONAL,
        (rules.OffencePeriod(SEP24, SEP24 + timedelta(days=1)),), 18, True, wk(2) + timedelta(days=1),
    ),
    "covered_whole_first_week_leaves_eight_sessions": (
        weeks(SEP24, "GGGGGGGGGG", "GGGGGGGG//"), friday(wk(2)), rules.NATIONAL,
        (rules.OffencePeriod(SEP24, friday(SEP24)),), 18, False, None,
    ),
    "two_covered_periods_both_removed": (
        weeks(SEP24, "GGGGGGGGGG", "GGGGGGGG//"), friday(wk(2)), rules.NATIONAL,
        (rules.OffencePeriod(SEP24, SEP24), rules.OffencePeriod(wk(2), wk(2))), 18, True, wk(2) + timedelta(days=1),
    ),
    "covered_sessions_last_year_do_not_count_in_september": (
        register(week(JUL25, "GGGGGGGGGG"), week(SEP25, "GG////////")), friday(SEP25), rules.NATIONAL,
        (rules.OffencePeriod(JUL25, friday(JUL25)),), 12, False, None,
    ),
    "uncovered_sessions_last_year_do_count_in_september": (
        register(week(JUL25, "GGGGGGGGGG"), week(SEP25, "GG////////")), friday(SEP25), rules.NATIONAL,
        (), 12, True, SEP25,
    ),
    # A local authority's code of conduct may vary the count, the weeks and the codes.
    "la_8_in_6_weeks_met_with_8_sessions": (
        week(SEP24, "GGGGGGGG//"), friday(SEP24), LA_8_IN_6, (), 8, True, SEP24 + timedelta(days=3),
    ),
    "national_not_met_with_the_same_8_sessions": (
        week(SEP24, "GGGGGGGG//"), friday(SEP24), rules.NATIONAL, (), 8, False, None,
    ),
    "la_8_in_6_weeks_earliest_in_w_minus_6_is_outside": (
        weeks(SEP24, "G/////////", *[ALL] * 5, "GGGGGGG///"), friday(wk(7)), LA_8_IN_6, (), 7, False, None,
    ),
    "la_8_in_6_weeks_earliest_in_w_minus_5_is_inside": (
        weeks(SEP24, ALL, "G/////////", *[ALL] * 4, "GGGGGGG///"),
        friday(wk(7)), LA_8_IN_6, (), 8, True, wk(7) + timedelta(days=3),
    ),
    "la_codes_G_and_U_only_ignore_O": (
        weeks(SEP24, "OOOOOOOOOO", ALL), friday(wk(2)), LA_G_AND_U_ONLY, (), 0, False, None,
    ),
    "la_codes_G_and_U_only_count_G_and_U": (
        weeks(SEP24, "GGGGGUUUUU", ALL), friday(wk(2)), LA_G_AND_U_ONLY, (), 10, True, friday(wk(1)),
    ),
}
# fmt: on


@pytest.mark.parametrize(
    "marks, as_of, conduct, covered, in_window, met, first_met",
    list(THRESHOLD.values()),
    ids=list(THRESHOLD),
)
def test_penalty_notice_threshold_in_rolling_school_weeks(
    marks, as_of, conduct, covered, in_window, met, first_met
):
    got = measure(marks, as_of, conduct=conduct, covered=covered)
    assert got.unauthorised_in_window == in_window
    assert got.pn_threshold_met is met
    assert got.pn_threshold_first_met == first_met


# --------------------------------------------------------------------------------------------------
# Section 2: N must be resolved within 5 school days.

# fmt: off
STALE_N = {
    # marks, as_of, pending_n_sessions, stale_n_sessions
    "N_followed_by_exactly_5_school_days_is_not_stale": (
        weeks(SEP24, "N/////////", ALL), wk(2), 1, 0,
    ),
    "N_followed_by_6_school_days_is_stale": (
        weeks(SEP24, "N/////////", ALL), wk(2) + timedelta(days=1), 1, 1,
    ),
    "closure_days_are_not_school_days": (
        weeks(SEP24, "N/////////", "####//////"), wk(2) + timedelta(days=2), 1, 0,
    ),
    "sixth_school_day_after_closure_days_makes_it_stale": (
        weeks(SEP24, "N/////////", "####//////"), wk(2) + timedelta(days=3), 1, 1,
    ),
    "same_dates_without_closure_is_stale": (
        weeks(SEP24, "N/////////", ALL), wk(2) + timedelta(days=2), 1, 1,
    ),
    "day_with_closure_am_and_a_mark_pm_is_a_school_day": (
        weeks(SEP24, "N/////////", "#/////////"), wk(2) + timedelta(days=1), 1, 1,
    ),
    "day_of_other_not_counted_codes_is_a_school_day": (
        weeks(SEP24, "N/////////", "DDDD//////"), wk(2) + timedelta(days=1), 1, 1,
    ),
    "holiday_days_without_marks_are_not_school_days": (
        weeks(SEP24, "//////N///", None, ALL), wk(3) + timedelta(days=3), 1, 0,
    ),
    "sixth_school_day_after_a_holiday_makes_it_stale": (
        weeks(SEP24, "//////N///", None, ALL), friday(wk(3)), 1, 1,
    ),
    "both_sessions_of_a_day_are_two_stale_n": (
        weeks(SEP24, "NN////////", ALL), wk(2) + timedelta(days=1), 2, 2,
    ),
    "older_N_stale_newer_N_pending": (
        weeks(SEP24, "N/////////", "//N///////"), wk(2) + timedelta(days=1), 2, 1,
    ),
    "N_of_last_academic_year_is_not_pending": (
        register(week(JUL25, "N/////////"), week(SEP25, ALL)), friday(SEP25), 0, 0,
    ),
}
# fmt: on


@pytest.mark.parametrize("marks, as_of, pending, stale", list(STALE_N.values()), ids=list(STALE_N))
def test_n_is_stale_after_more_than_five_school_days(marks, as_of, pending, stale):
    got = measure(marks, as_of)
    assert (got.pending_n_sessions, got.stale_n_sessions) == (pending, stale)


# --------------------------------------------------------------------------------------------------
# Section 2: sickness return to the LA at 30 illness sessions this academic year.

# fmt: off
SICKNESS = {
    # marks, as_of, illness_sessions, sickness_return_due
    "29_illness_sessions_are_not_enough": (
        weeks(SEP24, "IIIIIIIIII", "IIIIIIIIII", "IIIIIIIII/"), friday(wk(3)), 29, False,
    ),
    "30_illness_sessions_make_the_return_due": (
        weeks(SEP24, "IIIIIIIIII", "IIIIIIIIII", "IIIIIIIIII"), friday(wk(3)), 30, True,
    ),
    "30_cumulative_sessions_over_15_weeks_make_the_return_due": (
        weeks(SEP24, *["I/I///////"] * 15), friday(wk(15)), 30, True,
    ),
    "illness_of_last_academic_year_is_not_counted": (
        register(weeks(JUL25 - timedelta(weeks=1), "IIIIIIIIII", "IIIIIIIIII"), week(SEP25, "IIIIIIIIII")),
        friday(SEP25), 10, False,
    ),
    "illness_after_as_of_is_ignored": (
        weeks(SEP24, "IIIIIIIIII", "IIIIIIIIII", "IIIIIIIIII"), friday(wk(3)) - timedelta(days=1), 28, False,
    ),
}
# fmt: on


@pytest.mark.parametrize("marks, as_of, illness, due", list(SICKNESS.values()), ids=list(SICKNESS))
def test_sickness_return_is_due_at_thirty_illness_sessions(marks, as_of, illness, due):
    got = measure(marks, as_of)
    assert (got.illness_sessions, got.sickness_return_due) == (illness, due)


# --------------------------------------------------------------------------------------------------
# Section 2: children missing education risk, a trailing run of N/O sessions [LA].

SKIPPED_IN_RUN = ["#", "D", "X", "Q", "Y1", "Y7", "Z"]
BREAKS_RUN = ["/", "\\", "L", "B", "M", "I", "G", "U"]
LA_CME_10 = rules.Conduct(cme_unexplained_sessions=10)

# fmt: off
UNEXPLAINED_RUN = {
    # marks, as_of, conduct, unexplained_run_sessions, cme_risk
    "run_of_19_is_not_a_risk": (
        weeks(SEP24, ALL, "/NNNNNNNNN", "OOOOOOOOOO"), friday(wk(3)), rules.NATIONAL, 19, False,
    ),
    "run_of_20_is_a_risk": (
        weeks(SEP24, ALL, "NNNNNNNNNN", "OOOOOOOOOO"), friday(wk(3)), rules.NATIONAL, 20, True,
    ),
    "closure_and_not_counted_codes_inside_the_run_are_skipped": (
        weeks(SEP24, ALL, "NNNNNNNNNN", ["#", "#", "D", "X", "Y1", "Z", "Q", "O", "O", "O"], "OOOOOOO"),
        friday(wk(4)), rules.NATIONAL, 20, True,
    ),
    **{
        f"{code}_inside_the_run_is_skipped": (
            weeks(SEP24, ALL, "NNNNNNNNNN", [code] + ["O"] * 9, "O"), wk(4), rules.NATIONAL, 20, True,
        )
        for code in SKIPPED_IN_RUN
    },
    **{
        f"{code}_inside_the_run_ends_it": (
            weeks(SEP24, ALL, "NNNNNNNNNN", [code] + ["O"] * 9, "O"), wk(4), rules.NATIONAL, 10, False,
        )
        for code in BREAKS_RUN
    },
    "closure_after_the_run_is_skipped": (
        weeks(SEP24, ALL, "NNNNNNNNNN", "NNNNNNNNNN", "##########"), friday(wk(4)), rules.NATIONAL, 20, True,
    ),
    "present_at_the_latest_session_means_no_run": (
        weeks(SEP24, "NNNNNNNNNN", "NNNNNNNNNN", "/"), wk(3), rules.NATIONAL, 0, False,
    ),
    "run_continues_across_the_summer_into_a_new_academic_year": (
        register(week(JUL25, "NNNNNNNNNN"), week(SEP25, "OOOOOOOOOO")), friday(SEP25), rules.NATIONAL, 20, True,
    ),
    "present_mark_after_as_of_is_ignored": (
        weeks(SEP24, ALL, "NNNNNNNNNN", "NNNNNNNNNN", "/"), friday(wk(3)), rules.NATIONAL, 20, True,
    ),
    "la_run_of_10_is_a_risk": (
        weeks(SEP24, ALL, "NNNNNNNNNN"), friday(wk(2)), LA_CME_10, 10, True,
    ),
    "national_run_of_10_is_not_a_risk": (
        weeks(SEP24, ALL, "NNNNNNNNNN"), friday(wk(2)), rules.NATIONAL, 10, False,
    ),
}
# fmt: on


@pytest.mark.parametrize(
    "marks, as_of, conduct, run, cme", list(UNEXPLAINED_RUN.values()), ids=list(UNEXPLAINED_RUN)
)
def test_trailing_run_of_unexplained_absence_signals_children_missing_education(
    marks, as_of, conduct, run, cme
):
    got = measure(marks, as_of, conduct=conduct)
    assert (got.unexplained_run_sessions, got.cme_risk) == (run, cme)


# --------------------------------------------------------------------------------------------------
# Section 2: lateness concern, 6 L/U marks within the last 6 school weeks [LA].

LA_3_IN_2 = rules.Conduct(lateness_marks=3, lateness_school_weeks=2)

# fmt: off
LATENESS = {
    # marks, as_of, conduct, late_marks_recent, lateness_concern
    "five_late_marks_are_not_a_concern": (week(SEP24, "L/L/L/L/L/"), friday(SEP24), rules.NATIONAL, 5, False),
    "six_late_marks_are_a_concern": (week(SEP24, "L/L/L/L/LL"), friday(SEP24), rules.NATIONAL, 6, True),
    "L_and_U_both_count": (week(SEP24, "LLLUUU////"), friday(SEP24), rules.NATIONAL, 6, True),
    "late_mark_in_school_week_w_minus_6_is_outside": (
        weeks(SEP24, "L/////////", *[ALL] * 5, "LLLLL/////"), friday(wk(7)), rules.NATIONAL, 5, False,
    ),
    "late_mark_in_school_week_w_minus_5_is_inside": (
        weeks(SEP24, ALL, "L/////////", *[ALL] * 4, "LLLLL/////"), friday(wk(7)), rules.NATIONAL, 6, True,
    ),
    "half_term_stretches_the_window_back": (
        weeks(SEP24, "L/////////", *[ALL] * 4, None, "LLLLL/////"), friday(wk(7)), rules.NATIONAL, 6, True,
    ),
    "late_marks_of_july_count_in_september": (
        register(week(JUL25, "LLLL//////"), week(SEP25, "LL////////")), friday(SEP25), rules.NATIONAL, 6, True,
    ),
    "late_marks_after_as_of_are_ignored": (
        week(SEP24, "L/L/L/L/LL"), friday(SEP24) - timedelta(days=1), rules.NATIONAL, 4, False,
    ),
    "la_3_in_2_weeks_met": (
        weeks(SEP24, ALL, "L/////////", "LL////////"), friday(wk(3)), LA_3_IN_2, 3, True,
    ),
    "la_3_in_2_weeks_earlier_week_is_outside": (
        weeks(SEP24, "L/////////", ALL, "LL////////"), friday(wk(3)), LA_3_IN_2, 2, False,
    ),
}
# fmt: on


@pytest.mark.parametrize("marks, as_of, conduct, late, concern", list(LATENESS.values()), ids=list(LATENESS))
def test_lateness_concern_counts_late_marks_in_recent_school_weeks(marks, as_of, conduct, late, concern):
    got = measure(marks, as_of, conduct=conduct)
    assert (got.late_marks_recent, got.lateness_concern) == (late, concern)


# --------------------------------------------------------------------------------------------------
# Marks after the as-of date change nothing.

AFTER_AS_OF = {
    "mid_week_as_of": wk(2) + timedelta(days=2),
    "as_of_on_a_sunday": wk(2) - timedelta(days=1),
    "as_of_on_a_monday": wk(3),
}


@pytest.mark.parametrize("as_of", list(AFTER_AS_OF.values()), ids=list(AFTER_AS_OF))
def test_marks_after_as_of_are_ignored(as_of):
    marks = weeks(SEP24, "N/L/GGI/MM", "GGGOOOUUUI", "NNNNNNLLLL", "IIIIIIIIII")
    before = [mark for mark in marks if mark[0] <= as_of]
    assert before != marks
    got = measure(marks, as_of)
    assert got == measure(before, as_of)
    assert got.possible_sessions == len(before)
    assert got != measure(marks, friday(wk(4)))
    assert rules.weekly_series(marks, as_of=as_of) == rules.weekly_series(before, as_of=as_of)


# --------------------------------------------------------------------------------------------------
# The weekly series on the pupil page.


def test_weekly_series_has_one_point_per_school_week_of_this_year():
    marks = register(
        week(JUL25, "GGGGG/////"),  # last academic year: in the window, but no point of its own
        weeks(SEP25, "GGGGG/////", None, "##########", "//////MMMM", "LLLLLLLLLL"),
    )
    as_of = SEP25 + timedelta(weeks=4, days=2)  # Wednesday 1 October 2025
    assert rules.weekly_series(marks, as_of=as_of) == [
        rules.WeekPoint(
            SEP25, possible=10, attended=5, attendance_pct=50.0, unauthorised_in_window=10, unauthorised=5
        ),
        rules.WeekPoint(
            SEP25 + timedelta(weeks=3),
            possible=10,
            attended=6,
            attendance_pct=60.0,
            unauthorised_in_window=10,
        ),
        rules.WeekPoint(
            SEP25 + timedelta(weeks=4),
            possible=6,
            attended=6,
            attendance_pct=100.0,
            unauthorised_in_window=10,
        ),
    ]


def test_weekly_series_counts_covered_sessions_raw_and_marks_them():
    # The chart agrees with the scan's raw unauthorised_in_window beside it, and says how many of those
    # an earlier notice covered (so cannot count toward a new one).
    marks = register(week(JUL25, "GGGGG/////"), week(SEP25, "GGGGG/////"))
    covered = (rules.OffencePeriod(JUL25, friday(JUL25)),)
    series = rules.weekly_series(marks, as_of=friday(SEP25), covered=covered)
    assert [(p.week_start, p.unauthorised, p.unauthorised_in_window, p.covered_in_window) for p in series] == [
        (SEP25, 5, 10, 5)
    ]
    assert series[-1].unauthorised_in_window == rules.measure(marks, as_of=friday(SEP25)).unauthorised_in_window


def test_weekly_series_marks_sessions_before_compulsory_school_age():
    marks = week(SEP25, "GGGGGGGGGG")
    reception = rules.compulsory_school_age(date(2020, 12, 1))  # of age from 31 December 2025
    series = rules.weekly_series(marks, as_of=friday(SEP25), compulsory=reception)
    assert [(p.unauthorised_in_window, p.covered_in_window) for p in series] == [(10, 10)]


def test_weekly_series_window_rolls_over_ten_school_weeks():
    marks = weeks(SEP24, "G/////////", *[ALL] * 9, "M/////////")
    series = rules.weekly_series(marks, as_of=friday(wk(11)))
    assert [p.week_start for p in series] == [wk(n) for n in range(1, 12)]
    assert [p.unauthorised_in_window for p in series] == [1] * 10 + [0]
    assert (series[-1].possible, series[-1].attended, series[-1].attendance_pct) == (10, 9, 90.0)


def test_weekly_series_window_follows_la_weeks():
    marks = weeks(SEP24, "G/////////", ALL, ALL)
    conduct = rules.Conduct(threshold_school_weeks=2)
    series = rules.weekly_series(marks, as_of=friday(wk(3)), conduct=conduct)
    assert [p.unauthorised_in_window for p in series] == [1, 1, 0]


def test_weekly_series_week_of_not_counted_codes_has_no_percentage():
    series = rules.weekly_series(week(SEP24, "DDDDDDDDDD"), as_of=friday(SEP24))
    assert series == [
        rules.WeekPoint(SEP24, possible=0, attended=0, attendance_pct=None, unauthorised_in_window=0, unauthorised=0)
    ]


# --------------------------------------------------------------------------------------------------
# Calendar helpers.

CALENDAR = {
    "31_august_belongs_to_the_year_before": (date(2025, 8, 31), date(2024, 9, 1), date(2025, 8, 25)),
    "1_september_starts_the_year": (date(2025, 9, 1), date(2025, 9, 1), date(2025, 9, 1)),
    "sunday_belongs_to_the_week_of_the_monday_before": (date(2024, 9, 8), date(2024, 9, 1), date(2024, 9, 2)),
    "january_is_in_the_year_begun_last_september": (date(2025, 1, 1), date(2024, 9, 1), date(2024, 12, 30)),
}


@pytest.mark.parametrize("on, year_start, monday", list(CALENDAR.values()), ids=list(CALENDAR))
def test_academic_year_and_week_start(on, year_start, monday):
    assert rules.academic_year_start(on) == year_start
    assert rules.week_start(on) == monday
