"""The attendance rules of shared/domain.md, sections 1 and 2, as pure functions.

No Django, no database, no clock: marks, an as-of date and a code of conduct go in, values come
out. This is where the law lives; every statutory figure below is named once, with its source.

A mark is a ``(date, session, code)`` tuple, ``session`` being ``AM`` (0) or ``PM`` (1). Functions
take a pupil's marks sorted by (date, session); marks after the as-of date are ignored.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

AM = 0
PM = 1
SESSION_NAMES = {AM: "AM", PM: "PM"}

Mark = tuple[date, int, str]


class Category(StrEnum):
    PRESENT = "present"
    APPROVED_ACTIVITY = "approved_activity"
    AUTHORISED_LEAVE = "authorised_leave"
    AUTHORISED_OTHER = "authorised_other"
    UNAUTHORISED = "unauthorised"
    NOT_COUNTED = "not_counted"


# School Attendance (Pupil Registration) (England) Regulations 2024; DfE codes from 19 August 2024.
CODES_2024: dict[str, Category] = {
    "/": Category.PRESENT,
    "\\": Category.PRESENT,
    "L": Category.PRESENT,
    "K": Category.APPROVED_ACTIVITY,
    "V": Category.APPROVED_ACTIVITY,
    "P": Category.APPROVED_ACTIVITY,
    "W": Category.APPROVED_ACTIVITY,
    "B": Category.APPROVED_ACTIVITY,
    "C1": Category.AUTHORISED_LEAVE,
    "M": Category.AUTHORISED_LEAVE,
    "J1": Category.AUTHORISED_LEAVE,
    "S": Category.AUTHORISED_LEAVE,
    "C2": Category.AUTHORISED_LEAVE,
    "C": Category.AUTHORISED_LEAVE,
    "T": Category.AUTHORISED_OTHER,
    "R": Category.AUTHORISED_OTHER,
    "I": Category.AUTHORISED_OTHER,
    "E": Category.AUTHORISED_OTHER,
    "G": Category.UNAUTHORISED,
    "N": Category.UNAUTHORISED,
    "O": Category.UNAUTHORISED,
    "U": Category.UNAUTHORISED,
    "D": Category.NOT_COUNTED,
    "X": Category.NOT_COUNTED,
    "Q": Category.NOT_COUNTED,
    **{f"Y{n}": Category.NOT_COUNTED for n in range(1, 8)},
    "Z": Category.NOT_COUNTED,
    "#": Category.NOT_COUNTED,
}

# Codes of the 2006 regulations, valid only in registers before the 2024 regulations took effect.
CODES_PRE_2024: dict[str, Category] = {
    "H": Category.AUTHORISED_LEAVE,  # agreed family holiday
    "F": Category.AUTHORISED_LEAVE,  # agreed extended family holiday
    "J": Category.APPROVED_ACTIVITY,  # interview, counted then as approved activity
    "Y": Category.NOT_COUNTED,  # exceptional circumstances
}
CODES_2024_FROM = date(2024, 8, 19)  # School Attendance (Pupil Registration) (England) Regulations 2024

# Every code either era may carry; a code's meaning never changed between eras.
CATEGORY: dict[str, Category] = {**CODES_PRE_2024, **CODES_2024}
ATTENDED_CATEGORIES = frozenset({Category.PRESENT, Category.APPROVED_ACTIVITY})
ATTENDED_CODES = frozenset(c for c, cat in CATEGORY.items() if cat in ATTENDED_CATEGORIES)
NOT_COUNTED_CODES = frozenset(c for c, cat in CATEGORY.items() if cat is Category.NOT_COUNTED)
CLOSURE_CODE = "#"  # planned whole-school closure: never makes a school week or a school day
PRESENT_LATE_CODE = "L"
LATE_AFTER_CLOSE_CODE = "U"
LATE_CODES = frozenset({PRESENT_LATE_CODE, LATE_AFTER_CLOSE_CODE})
NOT_ESTABLISHED_CODE = "N"
ILLNESS_CODE = "I"
UNEXPLAINED_CODES = frozenset({"N", "O"})  # children missing education: no reason known
PART_TIME_TIMETABLE_CODE = "C2"

# Measures of the DfE (school census) and the statutory guidance, "Working together" 2024.
PERSISTENT_ABSENCE_PERCENT = 10  # absent >= 10% of possible sessions
SEVERE_ABSENCE_PERCENT = 50  # absent >= 50% of possible sessions
N_RESOLVE_SCHOOL_DAYS = 5  # the correct code must replace N within 5 school days
SICKNESS_RETURN_SESSIONS = 30  # 15 school days of illness in the academic year, a half day counting half
ACADEMIC_YEAR_START_MONTH = 9  # 1 September to 31 August
ACADEMIC_YEAR_START_DAY = 1

# National defaults of the figures a local authority's code of conduct may vary ([LA] in domain.md).
PN_THRESHOLD_SESSIONS = 10  # national framework for penalty notices, 2024
PN_THRESHOLD_SCHOOL_WEEKS = 10  # a rolling 10 school weeks
PN_THRESHOLD_CODES = frozenset({"G", "O", "U"})
CME_UNEXPLAINED_SESSIONS = 20  # 10 school days of unexplained absence
LATENESS_MARKS = 6
LATENESS_SCHOOL_WEEKS = 6
PN_DEEMED_RECEIPT_WORKING_DAYS = 2  # a posted notice is treated as received on the 2nd working day


def is_valid_code(code: str, on: date) -> bool:
    """Whether ``code`` may stand in a register on ``on`` (old codes only before 19 August 2024)."""
    if code in CODES_2024:
        return True
    return code in CODES_PRE_2024 and on < CODES_2024_FROM


def code_problem(code: str, on: date) -> str | None:
    """Why ``code`` may not be recorded on ``on``, in words for the person fixing the file; None if it may."""
    if is_valid_code(code, on):
        return None
    if code in CODES_PRE_2024:
        return (
            f"code {code!r} was withdrawn by the 2024 regulations and cannot be used "
            f"on or after {CODES_2024_FROM.isoformat()}"
        )
    return f"{code!r} is not an attendance code"


@dataclass(frozen=True)
class Conduct:
    """The figures of a local authority's code of conduct that the measures use."""

    threshold_sessions: int = PN_THRESHOLD_SESSIONS
    threshold_school_weeks: int = PN_THRESHOLD_SCHOOL_WEEKS
    threshold_codes: frozenset[str] = PN_THRESHOLD_CODES
    cme_unexplained_sessions: int = CME_UNEXPLAINED_SESSIONS
    lateness_marks: int = LATENESS_MARKS
    lateness_school_weeks: int = LATENESS_SCHOOL_WEEKS


NATIONAL = Conduct()


@dataclass(frozen=True)
class Measures:
    """Every measure of domain.md section 2 for one pupil on one as-of date (the scan's JSON keys)."""

    possible_sessions: int
    attended_sessions: int
    attendance_pct: float | None
    persistent_absence: bool
    severe_absence: bool
    unauthorised_in_window: int
    pn_threshold_met: bool
    pn_threshold_first_met: date | None
    pending_n_sessions: int
    stale_n_sessions: int
    illness_sessions: int
    sickness_return_due: bool
    unexplained_run_sessions: int
    cme_risk: bool
    late_marks_recent: int
    lateness_concern: bool


@dataclass(frozen=True)
class WeekPoint:
    """One school week on the pupil page's chart."""

    week_start: date  # the Monday
    possible: int
    attended: int
    attendance_pct: float | None
    unauthorised_in_window: int  # threshold-code sessions in the rolling window ending with this week


@dataclass(frozen=True)
class OffencePeriod:
    """Dates (inclusive) whose sessions an earlier notice to improve or penalty notice already covered."""

    start: date
    end: date


def academic_year_start(on: date) -> date:
    """1 September of the academic year containing ``on``."""
    year = on.year if (on.month, on.day) >= (ACADEMIC_YEAR_START_MONTH, ACADEMIC_YEAR_START_DAY) else on.year - 1
    return date(year, ACADEMIC_YEAR_START_MONTH, ACADEMIC_YEAR_START_DAY)


def week_start(on: date) -> date:
    """The Monday of the calendar week (Monday to Sunday) containing ``on``."""
    return on - timedelta(days=on.weekday())


def percent_one_place(numerator: int, denominator: int) -> float | None:
    """100 * n / d rounded half-up to one decimal place, in integers so no float error decides a boundary."""
    if denominator <= 0:
        return None
    tenths = (2000 * numerator + denominator) // (2 * denominator)
    return tenths / 10


def is_persistent_absence(absent: int, possible: int) -> bool:
    return possible > 0 and absent * 100 >= possible * PERSISTENT_ABSENCE_PERCENT


def is_severe_absence(absent: int, possible: int) -> bool:
    return possible > 0 and absent * 100 >= possible * SEVERE_ABSENCE_PERCENT
