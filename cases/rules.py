"""The attendance rules of shared/domain.md, sections 1 and 2, as pure functions.

No Django, no database, no clock: marks, an as-of date and a code of conduct go in, values come
out. This is where the law lives; every statutory figure below is named once, with its source.

A mark is a ``(date, session, code)`` tuple, ``session`` being ``AM`` (0) or ``PM`` (1). Functions
take a pupil's marks sorted by (date, session); marks after the as-of date are ignored.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from cases.working_days import working_days_after

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
# Compulsory school age (Education Act 1996 s8). It starts on the first prescribed day on or after the
# fifth birthday (the Education (Start of Compulsory School Age) Order 1998: 31 December, 31 March,
# 31 August) and ends on the last Friday in June of the school year in which the child turns 16 (the
# Education (School Leaving Date) Order 1997).
COMPULSORY_AGE_FROM = 5
COMPULSORY_AGE_UNTIL = 16
COMPULSORY_AGE_PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))  # (month, day)
SCHOOL_LEAVING_MONTH = 6  # the last Friday in June
FRIDAY = 4
LATENESS_MARKS = 6
LATENESS_SCHOOL_WEEKS = 6
PN_DEEMED_RECEIPT_WORKING_DAYS = 2  # a posted notice is treated as received on the 2nd working day

# Penalty notices: the national framework of 19 August 2024 (domain.md 3.5).
PN_FRAMEWORK_2024_FROM = date(2024, 8, 19)
PN_FULL_AMOUNT = Decimal("160.00")  # first and second notice, payable within 28 days
PN_FIRST_REDUCED_AMOUNT = Decimal("80.00")  # first notice only, if paid within 21 days
PN_FULL_DAYS = 28
PN_REDUCED_DAYS = 21
PN_COUNTING_YEARS = 3  # earlier notices count for 3 years ending with the new notice's date of issue
PN_MAX_COUNTED = 2  # with two earlier notices counting, a third is refused
# Before 19 August 2024 (Education (Penalty Notices) (England) Regulations 2007, as amended 2013).
PN_PRE_2024_FULL_AMOUNT = Decimal("120.00")
PN_PRE_2024_REDUCED_AMOUNT = Decimal("60.00")
# The most a magistrates' court may fine a parent convicted of the offence (Education Act 1996 s444(8), (8A);
# the standard scale of the Criminal Justice Act 1982 s37). s444(1A) may also bring up to 3 months in prison.
S444_1_MAX_FINE = Decimal("1000")  # level 3 on the standard scale
S444_1A_MAX_FINE = Decimal("2500")  # level 4 on the standard scale

# A school's own letters [school]: the default of the seed policies, which a school may change.
SCHOOL_CONCERN_LETTER_BELOW_PCT = Decimal("96.0")

# Notices and notifications of the ladder (domain.md 3-4).
NTI_MIN_IMPROVEMENT_WEEKS = 3  # a notice to improve's improvement period: between 3 and 6 weeks
NTI_MAX_IMPROVEMENT_WEEKS = 6
# The LA is told when a part-time timetable starts and ends: on the day, so a day late is overdue.
LA_NOTIFICATION_GRACE = timedelta(days=0)
# The LA's own setting (its code of conduct): working days to acknowledge a notification or decide a referral.
LA_SERVICE_LEVEL_WORKING_DAYS = 5
# Pupil Registration Regulations 2024: register entries are kept for 6 years from the date they were made.
REGISTER_RETENTION_YEARS = 6
# A closed case file is kept this many years after closure unless the LA's code of conduct sets another
# period: six years is the Limitation Act 1980's period for a claim about how the case was handled, and
# matches the register's own six years, so the file and the marks it rests on go together.
CASE_RETENTION_YEARS = 6


# DfE "Unique pupil numbers": the check letter is the sum of each of the 12 digits times its
# position (2..13), mod 23, indexing these letters (no I, O or S).
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(digits: str) -> str:
    """The DfE check letter for the 12 digits of a UPN that follow it."""
    if len(digits) != 12 or not digits.isdigit():
        raise ValueError(f"a UPN has 12 digits after its check letter, not {digits!r}")
    return UPN_CHECK_LETTERS[sum(int(d) * weight for weight, d in enumerate(digits, start=2)) % 23]


def upn_is_valid(upn: str) -> bool:
    return len(upn) == 13 and upn[1:].isdigit() and upn[0] == upn_check_letter(upn[1:])


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


# What each register code means, in the words a parent reads in the notice's table of sessions (DfE,
# "Working together to improve school attendance" 2024, and the 2006 codes for older registers).
CODE_MEANINGS: dict[str, str] = {
    "/": "Present (morning)",
    "\\": "Present (afternoon)",
    "L": "Late, arrived before the register closed",
    "K": "Attending education arranged by the local authority",
    "V": "Educational visit or trip",
    "P": "Approved sporting activity",
    "W": "Work experience",
    "B": "Other approved educational activity",
    "C1": "Leave for a regulated performance or employment abroad",
    "M": "Medical or dental appointment",
    "J1": "Interview",
    "S": "Study leave",
    "C2": "Part-time timetable",
    "C": "Leave in exceptional circumstances",
    "T": "Parent travelling for work",
    "R": "Religious observance",
    "I": "Illness",
    "E": "Suspended or excluded, no alternative provision",
    "G": "Holiday not agreed by the school (unauthorised)",
    "N": "Reason for absence not yet given",
    "O": "Absent without a reason the school could accept (unauthorised)",
    "U": "Arrived after the register closed (unauthorised)",
    "D": "Attending another school where also registered",
    "X": "Not required to attend",
    "Q": "No access arrangements from the local authority",
    "Z": "Not yet on roll",
    "#": "School closed",
    "H": "Agreed family holiday (before 19 August 2024)",
    "F": "Agreed extended family holiday (before 19 August 2024)",
    "J": "Interview (before 19 August 2024)",
    "Y": "Exceptional circumstances (before 19 August 2024)",
    **{f"Y{n}": "Unable to attend because of an unavoidable cause" for n in range(1, 8)},
}


def code_meaning(code: str) -> str:
    return CODE_MEANINGS.get(code, code)


# The categories of domain.md 1, in the words of its table, in the order a register's breakdown lists them.
CATEGORY_NAMES: dict[Category, str] = {
    Category.PRESENT: "Present",
    Category.APPROVED_ACTIVITY: "Attending approved educational activity",
    Category.AUTHORISED_LEAVE: "Authorised absence: leave of absence",
    Category.AUTHORISED_OTHER: "Authorised absence: other",
    Category.UNAUTHORISED: "Unauthorised absence",
    Category.NOT_COUNTED: "Not counted (not a possible session)",
}


def codes_valid_on(on: date) -> list[str]:
    """The codes a register may carry on ``on``, in the order of the regulations' table."""
    return [code for code in (*CODES_2024, *CODES_PRE_2024) if is_valid_code(code, on)]


@dataclass(frozen=True)
class Conduct:
    """The figures of a local authority's code of conduct that the measures use."""

    threshold_sessions: int = PN_THRESHOLD_SESSIONS
    threshold_school_weeks: int = PN_THRESHOLD_SCHOOL_WEEKS
    threshold_codes: frozenset[str] = PN_THRESHOLD_CODES
    cme_unexplained_sessions: int = CME_UNEXPLAINED_SESSIONS
    lateness_marks: int = LATENESS_MARKS
    lateness_school_weeks: int = LATENESS_SCHOOL_WEEKS
    la_response_days: int = LA_SERVICE_LEVEL_WORKING_DAYS


NATIONAL = Conduct()


def working_days_waiting(since: date, today: date) -> int:
    """Working days (Monday to Friday, not bank holidays) after ``since`` up to and including ``today``: how
    long something sent on ``since`` has waited."""
    return working_days_after(since, today)


def past_service_level(since: date, today: date, working_days: int) -> bool:
    """Whether something sent on ``since`` has waited longer than the LA's service level."""
    return working_days_waiting(since, today) > working_days


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
    compulsory_school_age: bool = True


@dataclass(frozen=True)
class WeekPoint:
    """One school week on the pupil page's chart."""

    week_start: date  # the Monday
    possible: int
    attended: int
    attendance_pct: float | None
    unauthorised_in_window: int  # threshold-code sessions in the rolling window ending with this week (raw)
    covered_in_window: int = 0  # of those, the sessions an earlier notice covered or not of compulsory age
    unauthorised: int = 0  # threshold-code sessions in this week itself


@dataclass(frozen=True)
class OffencePeriod:
    """Dates (inclusive) whose sessions an earlier notice to improve or penalty notice already covered."""

    start: date
    end: date


@dataclass(frozen=True)
class CompulsorySchoolAge:
    """The days (inclusive) on which a child is of compulsory school age (domain.md 2)."""

    starts: date
    ends: date

    def includes(self, on: date) -> bool:
        return self.starts <= on <= self.ends


def _birthday(born: date, age: int) -> date:
    # A 29 February birthday falls on 1 March in other years (Family Law Reform Act 1969 s9 counts the
    # anniversary's start); no prescribed day or school year lies between 28 February and 1 March.
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def compulsory_school_age(born: date) -> CompulsorySchoolAge:
    """From the first prescribed day on or after the fifth birthday (a birthday on a prescribed day starts
    it that day) to the last Friday in June of the school year (1 September to 31 August) of the 16th
    birthday; a 16th birthday after that Friday and before 1 September still ends it on that Friday."""
    fifth = _birthday(born, COMPULSORY_AGE_FROM)
    starts = min(
        date(year, month, day)
        for year in (fifth.year, fifth.year + 1)
        for month, day in COMPULSORY_AGE_PRESCRIBED_DAYS
        if date(year, month, day) >= fifth
    )
    sixteenth = _birthday(born, COMPULSORY_AGE_UNTIL)
    leaving_year = academic_year_start(sixteenth).year + 1
    june_end = date(leaving_year, SCHOOL_LEAVING_MONTH, 30)
    ends = june_end - timedelta(days=(june_end.weekday() - FRIDAY) % 7)
    return CompulsorySchoolAge(starts, ends)


def academic_year_start(on: date) -> date:
    """1 September of the academic year containing ``on``."""
    year = on.year if (on.month, on.day) >= (ACADEMIC_YEAR_START_MONTH, ACADEMIC_YEAR_START_DAY) else on.year - 1
    return date(year, ACADEMIC_YEAR_START_MONTH, ACADEMIC_YEAR_START_DAY)


def academic_year_end(on: date) -> date:
    """31 August, the last day of the academic year containing ``on``."""
    start = academic_year_start(on)
    return start.replace(year=start.year + 1) - timedelta(days=1)


def academic_year_name(on: date) -> str:
    """The academic year containing ``on`` as schools write it: "2025/26"."""
    start = academic_year_start(on).year
    return f"{start}/{(start + 1) % 100:02d}"


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


def _week_index(on: date) -> int:
    # date(1, 1, 1) is a Monday with ordinal 1, so this numbers Monday-to-Sunday weeks.
    return (on.toordinal() - 1) // 7


def _upto(marks: Sequence[Mark], as_of: date) -> Sequence[Mark]:
    """The marks dated on or before ``as_of`` (marks are sorted, so a bisection finds the cut)."""
    return marks[: bisect.bisect_right(marks, (as_of, PM + 1))]


def _school_weeks(marks: Iterable[Mark]) -> list[int]:
    """Week indexes, ascending, of the weeks holding at least one mark other than '#'."""
    return sorted({_week_index(d) for d, _, code in marks if code != CLOSURE_CODE})


def _window_first_week(school_weeks: list[int], last_week: int, size: int) -> int | None:
    """The week index that opens the ``size`` school weeks ending with calendar week ``last_week``."""
    end = bisect.bisect_right(school_weeks, last_week)
    if end == 0:
        return None
    return school_weeks[max(0, end - size)]


def _is_covered(on: date, covered: Sequence[OffencePeriod]) -> bool:
    return any(period.start <= on <= period.end for period in covered)


def _of_age(on: date, compulsory: CompulsorySchoolAge | None) -> bool:
    return compulsory is None or compulsory.includes(on)


def _threshold_sessions(
    marks: Sequence[Mark],
    conduct: Conduct,
    covered: Sequence[OffencePeriod],
    school_weeks: list[int],
    compulsory: CompulsorySchoolAge | None = None,
) -> list[tuple[date, int]]:
    """(date, school-week number) of each session that counts toward the threshold, in order: a threshold
    code, not covered by an earlier notice, on a day the pupil was of compulsory school age."""
    position = {week: number for number, week in enumerate(school_weeks)}
    return [
        (d, position[_week_index(d)])
        for d, _, code in marks
        if code in conduct.threshold_codes and not _is_covered(d, covered) and _of_age(d, compulsory)
    ]


def threshold_first_met(
    marks: Sequence[Mark],
    *,
    as_of: date,
    conduct: Conduct = NATIONAL,
    covered: Sequence[OffencePeriod] = (),
    since: date | None = None,
    compulsory: CompulsorySchoolAge | None = None,
) -> date | None:
    """The date of the first session, on or after ``since`` (default: this academic year's start), at which
    the penalty-notice threshold was reached.

    domain.md 2: the threshold is reached at a counted session s when at least ``threshold_sessions``
    counted sessions t <= s have school-week number w(t) >= w(s) - (weeks - 1). The window may reach
    back across holidays, academic years and schools; sessions covered by earlier notices never count.
    """
    marks = _upto(marks, as_of)
    since = academic_year_start(as_of) if since is None else since
    counted = _threshold_sessions(marks, conduct, covered, _school_weeks(marks), compulsory)
    return _first_met(counted, conduct, since)


@dataclass(frozen=True)
class Offence:
    """The offence a notice or referral rests on: the sessions of the rolling window in which the threshold
    was first met, computed once (``offence``) and stored with what rests on it.

    ``sessions`` are the counted sessions, in order; the notice covers whole dates, so a counted session
    later on the last date (the afternoon after a morning that reached the threshold) is listed too.
    ``covered`` and ``not_of_age`` are threshold-code sessions inside the window that did not count.
    """

    first_met: date
    sessions: tuple[Mark, ...]
    covered: tuple[Mark, ...]
    not_of_age: tuple[Mark, ...]
    window_starts: date  # the Monday of the window's first school week
    rule: str

    @property
    def offence_from(self) -> date:
        return self.sessions[0][0]

    @property
    def offence_to(self) -> date:
        return self.sessions[-1][0]


def threshold_rule(conduct: Conduct) -> str:
    codes = sorted(conduct.threshold_codes)
    listed = ", ".join(codes[:-1]) + f" or {codes[-1]}" if len(codes) > 1 else codes[0]
    return (
        f"{conduct.threshold_sessions} sessions coded {listed} within {conduct.threshold_school_weeks} school weeks"
    )


def offence(
    marks: Sequence[Mark],
    *,
    as_of: date,
    conduct: Conduct = NATIONAL,
    covered: Sequence[OffencePeriod] = (),
    since: date | None = None,
    compulsory: CompulsorySchoolAge | None = None,
) -> Offence | None:
    """The offence as of ``as_of``: the window of the first time (on or after ``since``, by default this
    academic year's start) the threshold was met. None when it was not met. The one computation every
    notice, referral, letter, page and bundle reads (directly or through the record it stored)."""
    marks = _upto(marks, as_of)
    first_met = threshold_first_met(
        marks, as_of=as_of, conduct=conduct, covered=covered, since=since, compulsory=compulsory
    )
    if first_met is None:
        return None
    school_weeks = _school_weeks(marks)
    position = {week: number for number, week in enumerate(school_weeks)}
    opens = position[_week_index(first_met)] - (conduct.threshold_school_weeks - 1)
    in_window = [
        (d, session, code)
        for d, session, code in marks
        if code in conduct.threshold_codes and d <= first_met and position[_week_index(d)] >= opens
    ]
    counted = tuple(m for m in in_window if not _is_covered(m[0], covered) and _of_age(m[0], compulsory))
    return Offence(
        first_met=first_met,
        sessions=counted,
        covered=tuple(m for m in in_window if _is_covered(m[0], covered)),
        not_of_age=tuple(m for m in in_window if not _is_covered(m[0], covered) and not _of_age(m[0], compulsory)),
        window_starts=date.fromordinal(school_weeks[max(0, opens)] * 7 + 1),
        rule=threshold_rule(conduct),
    )


def _first_met(counted: list[tuple[date, int]], conduct: Conduct, since: date) -> date | None:
    oldest = 0
    for newest, (on, week) in enumerate(counted):
        # School-week numbers never decrease along the sessions, so the window's start only moves on.
        while counted[oldest][1] < week - (conduct.threshold_school_weeks - 1):
            oldest += 1
        if newest - oldest + 1 >= conduct.threshold_sessions and on >= since:
            return on
    return None


@dataclass(frozen=True)
class StaleN:
    """An N session still unresolved, and how many school days have followed it up to the as-of date."""

    date: date
    session: int
    school_days_after: int


def stale_n_sessions(marks: Sequence[Mark], *, as_of: date, since: date) -> Iterable[StaleN]:
    """N marks on or after ``since`` followed by more than 5 school days up to ``as_of``, in date order.

    The one definition of a stale N (domain.md 2): the scan counts these, and the register's stale-N list
    offers exactly these for amendment.
    """
    marks = _upto(marks, as_of)
    school_days = sorted({d for d, _, code in marks if code != CLOSURE_CODE})
    for d, session, code in marks:
        if code != NOT_ESTABLISHED_CODE or d < since:
            continue
        after = len(school_days) - bisect.bisect_right(school_days, d)
        if after > N_RESOLVE_SCHOOL_DAYS:
            yield StaleN(d, session, after)


def _stale_n_dates(marks: Sequence[Mark], *, as_of: date, since: date) -> Iterable[date]:
    """Dates of N marks on or after ``since`` followed by more than 5 school days up to ``as_of``."""
    return (stale.date for stale in stale_n_sessions(marks, as_of=as_of, since=since))


def stale_n_count(marks: Sequence[Mark], *, as_of: date, since: date) -> int:
    """How many N marks on or after ``since`` are stale (domain.md 2: never silently unauthorised)."""
    return sum(1 for _ in _stale_n_dates(marks, as_of=as_of, since=since))


def unexplained_run(marks: Sequence[Mark], *, as_of: date) -> int:
    """Length of the trailing run of N/O sessions ending at the latest mark on or before ``as_of``.

    Not-counted codes (including '#') are stepped over: a closure or a dual-registration day neither
    breaks nor lengthens a run of unexplained absence.
    """
    run = 0
    for _, _, code in reversed(_upto(marks, as_of)):
        if code in NOT_COUNTED_CODES:
            continue
        if code not in UNEXPLAINED_CODES:
            break
        run += 1
    return run


def measure(
    marks: Sequence[Mark],
    *,
    as_of: date,
    conduct: Conduct = NATIONAL,
    covered: Sequence[OffencePeriod] = (),
    compulsory: CompulsorySchoolAge | None = None,
) -> Measures:
    """Every measure of domain.md section 2 for one pupil, from marks sorted by (date, session).

    Pass marks from far enough back for the rolling windows (the scan loads from before the academic
    year began); only this academic year's marks feed the in-year counts.
    """
    marks = _upto(marks, as_of)
    year_start = academic_year_start(as_of)
    this_year = marks[bisect.bisect_left(marks, (year_start,)) :]

    possible = attended = pending_n = illness = 0
    for _, _, code in this_year:
        if code in NOT_COUNTED_CODES:
            continue
        possible += 1
        if code in ATTENDED_CODES:
            attended += 1
        elif code == NOT_ESTABLISHED_CODE:
            pending_n += 1
        elif code == ILLNESS_CODE:
            illness += 1
    absent = possible - attended

    school_weeks = _school_weeks(marks)
    as_of_week = _week_index(as_of)
    window_from = _window_first_week(school_weeks, as_of_week, conduct.threshold_school_weeks)
    unauthorised_in_window = (
        0
        if window_from is None
        else sum(1 for d, _, code in marks if code in conduct.threshold_codes and _week_index(d) >= window_from)
    )
    lateness_from = _window_first_week(school_weeks, as_of_week, conduct.lateness_school_weeks)
    late_recent = (
        0
        if lateness_from is None
        else sum(1 for d, _, code in marks if code in LATE_CODES and _week_index(d) >= lateness_from)
    )
    first_met = _first_met(
        _threshold_sessions(marks, conduct, covered, school_weeks, compulsory), conduct, year_start
    )
    stale_n = stale_n_count(marks, as_of=as_of, since=year_start) if pending_n else 0
    run = unexplained_run(marks, as_of=as_of)

    return Measures(
        possible_sessions=possible,
        attended_sessions=attended,
        attendance_pct=percent_one_place(attended, possible),
        persistent_absence=is_persistent_absence(absent, possible),
        severe_absence=is_severe_absence(absent, possible),
        unauthorised_in_window=unauthorised_in_window,
        pn_threshold_met=first_met is not None,
        pn_threshold_first_met=first_met,
        pending_n_sessions=pending_n,
        stale_n_sessions=stale_n,
        illness_sessions=illness,
        sickness_return_due=illness >= SICKNESS_RETURN_SESSIONS,
        unexplained_run_sessions=run,
        cme_risk=run >= conduct.cme_unexplained_sessions,
        late_marks_recent=late_recent,
        lateness_concern=late_recent >= conduct.lateness_marks,
        compulsory_school_age=_of_age(as_of, compulsory),
    )


def weekly_series(
    marks: Sequence[Mark],
    *,
    as_of: date,
    conduct: Conduct = NATIONAL,
    covered: Sequence[OffencePeriod] = (),
    compulsory: CompulsorySchoolAge | None = None,
) -> list[WeekPoint]:
    """One point per school week of this academic year: the week's attendance, and the threshold-code
    sessions in the rolling window ending with that week (the pupil page's chart).

    The count is the raw one, as ``unauthorised_in_window`` of the scan reports for the as-of week, so the
    chart agrees with the summary beside it; ``covered_in_window`` says how many of them cannot count
    again (an earlier notice covered them, or the pupil was not of compulsory school age)."""
    marks = _upto(marks, as_of)
    year_start = academic_year_start(as_of)
    school_weeks = _school_weeks(marks)
    position = {week: number for number, week in enumerate(school_weeks)}
    raw_weeks: list[int] = []
    excluded_weeks: list[int] = []
    for d, _, code in marks:
        if code in conduct.threshold_codes:
            raw_weeks.append(position[_week_index(d)])
            if _is_covered(d, covered) or not _of_age(d, compulsory):
                excluded_weeks.append(position[_week_index(d)])

    possible: dict[int, int] = {}
    attended: dict[int, int] = {}
    for d, _, code in marks[bisect.bisect_left(marks, (year_start,)) :]:
        week = _week_index(d)
        possible.setdefault(week, 0)
        attended.setdefault(week, 0)
        if code in NOT_COUNTED_CODES:
            continue
        possible[week] += 1
        if code in ATTENDED_CODES:
            attended[week] += 1

    def in_window(weeks: list[int], number: int) -> int:
        return bisect.bisect_right(weeks, number) - bisect.bisect_left(
            weeks, number - (conduct.threshold_school_weeks - 1)
        )

    points = []
    for number, week in enumerate(school_weeks):
        if week not in possible:
            continue
        points.append(
            WeekPoint(
                week_start=date.fromordinal(week * 7 + 1),
                possible=possible[week],
                attended=attended[week],
                attendance_pct=percent_one_place(attended[week], possible[week]),
                unauthorised_in_window=in_window(raw_weeks, number),
                covered_in_window=in_window(excluded_weeks, number),
                unauthorised=bisect.bisect_right(raw_weeks, number) - bisect.bisect_left(raw_weeks, number),
            )
        )
    return points


@dataclass(frozen=True)
class CodeCount:
    code: str
    meaning: str
    category: Category | None  # None for a code the regulations do not know (counted as possible, absent)
    category_name: str
    sessions: int
    percent_of_possible: float | None  # None for a not-counted code, which is not a possible session


@dataclass(frozen=True)
class CodeBreakdown:
    year_start: date
    until: date
    rows: list[CodeCount]
    possible: int
    attended: int
    attendance_pct: float | None


_CODE_ORDER = {code: n for n, code in enumerate((*CODES_2024, *CODES_PRE_2024))}
_CATEGORY_ORDER = {category: n for n, category in enumerate(CATEGORY_NAMES)}


def code_breakdown(marks: Sequence[Mark], *, as_of: date) -> CodeBreakdown:
    """Sessions of each code in the academic year of ``as_of`` up to ``as_of``, with each code's share of the
    possible sessions, counted as ``measure`` counts them (so the totals are the scan's for that date)."""
    marks = _upto(marks, as_of)
    year_start = academic_year_start(as_of)
    counts: dict[str, int] = {}
    for _, _, code in marks[bisect.bisect_left(marks, (year_start,)) :]:
        counts[code] = counts.get(code, 0) + 1
    possible = sum(n for code, n in counts.items() if code not in NOT_COUNTED_CODES)
    attended = sum(n for code, n in counts.items() if code in ATTENDED_CODES)
    rows = []
    for code, n in counts.items():
        category = CATEGORY.get(code)
        rows.append(
            CodeCount(
                code=code,
                meaning=code_meaning(code),
                category=category,
                category_name=CATEGORY_NAMES[category] if category else "Not an attendance code",
                sessions=n,
                percent_of_possible=None if code in NOT_COUNTED_CODES else percent_one_place(n, possible),
            )
        )
    rows.sort(key=lambda row: (_CATEGORY_ORDER.get(row.category, len(_CATEGORY_ORDER)),
                               _CODE_ORDER.get(row.code, len(_CODE_ORDER)), row.code))
    return CodeBreakdown(
        year_start=year_start,
        until=as_of,
        rows=rows,
        possible=possible,
        attended=attended,
        attendance_pct=percent_one_place(attended, possible),
    )


def unexplained_run_start(marks: Sequence[Mark], *, as_of: date) -> date | None:
    """The date the trailing N/O run began (it names the episode, so one run raises one alert)."""
    start = None
    for d, _, code in reversed(_upto(marks, as_of)):
        if code in NOT_COUNTED_CODES:
            continue
        if code not in UNEXPLAINED_CODES:
            break
        start = d
    return start


def oldest_stale_n(marks: Sequence[Mark], *, as_of: date, since: date) -> date | None:
    """The date of the earliest stale N on or after ``since``: it names the data-quality episode."""
    return next(iter(_stale_n_dates(marks, as_of=as_of, since=since)), None)


@dataclass(frozen=True)
class EarlierNotice:
    """A penalty notice on record to the same parent for the same pupil."""

    reference: str
    issued_on: date
    withdrawn: bool
    # Its prosecution ended in acquittal. A pending prosecution, or a guilty plea or finding, still counts.
    acquitted: bool = False

    @property
    def disregarded(self) -> bool:
        """Never counts toward the limit, however recent (domain.md 3.5)."""
        return self.withdrawn or self.acquitted


@dataclass(frozen=True)
class PenaltyTerms:
    """Whether a penalty notice may be issued on a date, and on what terms (contract section 3)."""

    allowed: bool
    sequence: int | None
    full_amount: Decimal | None
    reduced_amount: Decimal | None
    full_days: int | None
    reduced_days: int | None
    counted_references: tuple[str, ...]
    reason: str


def _spoken(on: date) -> str:
    return f"{on.day} {on:%B %Y}"


def counting_window_start(on: date) -> date:
    """First day of the 3 years ending with ``on``: the day after the same date 3 years earlier.

    As in "the period of 3 years ending with" a date in UK legislation: a notice issued exactly three
    years before no longer counts; one issued a day later does. 29 February falls back to 28 February.
    """
    try:
        same_day = on.replace(year=on.year - PN_COUNTING_YEARS)
    except ValueError:
        same_day = on.replace(year=on.year - PN_COUNTING_YEARS, day=28)
    return same_day + timedelta(days=1)


def register_kept_from(today: date) -> date:
    """The oldest day whose register entries must still be kept today: an entry made on day D is kept for 6
    years from D, so through the same date 6 years on, and may go the day after. (Made on 28 February, with no
    29 February six years on, it may go on 1 March; from a 29 February, on 1 March too.)"""
    try:
        return today.replace(year=today.year - REGISTER_RETENTION_YEARS)
    except ValueError:  # today is 29 February: the 28th six years earlier was kept through yesterday
        return date(today.year - REGISTER_RETENTION_YEARS, 3, 1)


def counted_notices(earlier: Iterable[EarlierNotice], *, on: date) -> list[EarlierNotice]:
    """The earlier notices that count toward the limit, oldest first (domain.md 3.5)."""
    since = max(counting_window_start(on), PN_FRAMEWORK_2024_FROM)
    return sorted(
        (n for n in earlier if not n.disregarded and since <= n.issued_on <= on),
        key=lambda n: (n.issued_on, n.reference),
    )


def last_day_of_period(first_day: date, days: int) -> date:
    """The last day of "the period of ``days`` days beginning with" ``first_day``: that day is day 1, so a
    period of 21 days beginning with 5 October ends on 25 October (not 26)."""
    return first_day + timedelta(days=days - 1)


def payment_deadlines(received_on: date, *, reduced_days: int | None,
                      full_days: int = PN_FULL_DAYS) -> tuple[date | None, date]:
    """(reduced_by, full_by) of a penalty notice received on ``received_on``: the last days of the periods
    of 21 and 28 days beginning with the day of receipt (2007 Regulations reg 4, as amended by SI 2024/210).
    ``reduced_days`` is None when there is no reduced rate (a second notice). A payment on full_by is in
    time; the notice is unpaid from the day after."""
    reduced_by = last_day_of_period(received_on, reduced_days) if reduced_days else None
    return reduced_by, last_day_of_period(received_on, full_days)


def penalty_notice_terms(earlier: Iterable[EarlierNotice], *, on: date) -> PenaltyTerms:
    """May a penalty notice be issued on ``on`` to this parent for this pupil, and at what rate?

    ``earlier`` are the notices on record to the same parent for the same pupil; notices to the other
    parent or for a sibling never count, so the caller passes only these.
    """
    if on < PN_FRAMEWORK_2024_FROM:
        return PenaltyTerms(
            True, 1, PN_PRE_2024_FULL_AMOUNT, PN_PRE_2024_REDUCED_AMOUNT, PN_FULL_DAYS, PN_REDUCED_DAYS, (),
            f"Before {_spoken(PN_FRAMEWORK_2024_FROM)} the earlier rules apply: "
            f"£{PN_PRE_2024_FULL_AMOUNT} within {PN_FULL_DAYS} days, £{PN_PRE_2024_REDUCED_AMOUNT} if paid within {PN_REDUCED_DAYS} days.",
        )
    counted = counted_notices(earlier, on=on)
    references = tuple(n.reference for n in counted)
    if len(counted) >= PN_MAX_COUNTED:
        listed = " and ".join(f"{n.reference} ({_spoken(n.issued_on)})" for n in counted)
        return PenaltyTerms(
            False, None, None, None, None, None, references,
            f"A third penalty notice cannot be issued: this parent already had two for this pupil in the "
            f"three years to {_spoken(on)} ({listed}). Consider another legal intervention instead, "
            "usually a prosecution referral to the local authority.",
        )
    if counted:
        first = counted[0]
        return PenaltyTerms(
            True, 2, PN_FULL_AMOUNT, None, PN_FULL_DAYS, None, references,
            f"This would be a second penalty notice (after {first.reference} of {_spoken(first.issued_on)}): "
            f"£{PN_FULL_AMOUNT} within {PN_FULL_DAYS} days, with no reduced rate.",
        )
    return PenaltyTerms(
        True, 1, PN_FULL_AMOUNT, PN_FIRST_REDUCED_AMOUNT, PN_FULL_DAYS, PN_REDUCED_DAYS, (),
        f"This would be a first penalty notice: £{PN_FIRST_REDUCED_AMOUNT} if paid within {PN_REDUCED_DAYS} "
        f"days, £{PN_FULL_AMOUNT} within {PN_FULL_DAYS} days.",
    )
