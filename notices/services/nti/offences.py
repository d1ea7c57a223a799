"""Reading the register for a notice: the offences it covers, and attendance in its improvement period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cases import rules
from cases.formatting import long_date
from cases.models import Pupil
from cases.scan import offence_periods
from cases.selectors import pupil_marks
from notices.models import NoticeToImprove

CODE_MEANINGS = rules.CODE_MEANINGS


@dataclass(frozen=True)
class OffenceSession:
    """One unauthorised session the notice covers, as the letter's table shows it."""

    on: date
    session: str  # "AM" or "PM"
    code: str
    meaning: str


@dataclass(frozen=True)
class Offences:
    """The pupil's attendance record for a notice: the threshold window's sessions and this year's attendance."""

    first_met: date
    offence_from: date
    offence_to: date
    sessions: tuple[OffenceSession, ...]
    possible_sessions: int
    attended_sessions: int
    attendance_pct: float | None
    year_start: date
    as_of: date
    rule: str


def code_meaning(code: str) -> str:
    return CODE_MEANINGS.get(code, code)


def threshold_window(
    marks: Sequence[rules.Mark],
    *,
    as_of: date,
    conduct: rules.Conduct,
    covered: Sequence[rules.OffencePeriod] = (),
) -> list[rules.Mark]:
    """The counted sessions of the window in which the threshold was first met this academic year.

    Pure. The window ends with the session at which ``rules.threshold_first_met`` says the threshold was
    reached and opens ``threshold_school_weeks - 1`` school weeks earlier (domain.md 2); sessions an earlier
    notice covered never count. The notice covers whole dates, so a counted session later on the last date
    (the afternoon after a morning that reached the threshold) is covered too and listed. Empty when the
    threshold is not met.
    """
    first_met = rules.threshold_first_met(marks, as_of=as_of, conduct=conduct, covered=covered)
    if first_met is None:
        return []
    marks = [mark for mark in marks if mark[0] <= as_of]
    # School weeks: Monday-to-Sunday weeks holding a mark other than the whole-school closure.
    school_weeks = sorted({rules.week_start(d) for d, _, code in marks if code != rules.CLOSURE_CODE})
    number = {week: n for n, week in enumerate(school_weeks)}
    opens = number[rules.week_start(first_met)] - (conduct.threshold_school_weeks - 1)
    counted = [
        (d, session, code)
        for d, session, code in marks
        if code in conduct.threshold_codes
        and not any(period.start <= d <= period.end for period in covered)
        and number[rules.week_start(d)] >= opens
        and d <= first_met
    ]
    if len(counted) < conduct.threshold_sessions:  # the rules and this window must agree
        raise AssertionError(f"threshold met on {first_met} but only {len(counted)} sessions in its window")
    return counted


def notice_to_improve_offences(*, pupil: Pupil, as_of: date) -> Offences | None:
    """The offences a notice issued on ``as_of`` would cover, with this year's attendance; None if the
    threshold is not met (sessions covered by an earlier notice not counting again)."""
    conduct = pupil.school.local_authority.conduct()
    marks = pupil_marks(pupil=pupil, as_of=as_of)
    covered = offence_periods([pupil.pk], as_of=as_of).get(pupil.pk, [])
    window = threshold_window(marks, as_of=as_of, conduct=conduct, covered=covered)
    if not window:
        return None
    measures = rules.measure(marks, as_of=as_of, conduct=conduct, covered=covered)
    return Offences(
        first_met=window[-1][0],
        offence_from=window[0][0],
        offence_to=window[-1][0],
        sessions=tuple(
            OffenceSession(d, rules.SESSION_NAMES[session], code, code_meaning(code)) for d, session, code in window
        ),
        possible_sessions=measures.possible_sessions,
        attended_sessions=measures.attended_sessions,
        attendance_pct=measures.attendance_pct,
        year_start=rules.academic_year_start(as_of),
        as_of=as_of,
        rule=f"{conduct.threshold_sessions} unauthorised sessions within {conduct.threshold_school_weeks} school weeks",
    )


@dataclass(frozen=True)
class PeriodAttendance:
    """Attendance within a notice's improvement period: the day after issue to the period's last day."""

    starts_on: date
    ends_on: date
    possible_sessions: int
    attended_sessions: int
    attendance_pct: float | None
    unauthorised: tuple[OffenceSession, ...]

    def evidence(self) -> list[str]:
        pct = "no possible sessions" if self.attendance_pct is None else f"{self.attendance_pct}%"
        lines = [
            f"Attendance in the improvement period ({long_date(self.starts_on)} to {long_date(self.ends_on)}): "
            f"{self.attended_sessions} of {self.possible_sessions} possible sessions ({pct})"
        ]
        if self.unauthorised:
            listed = "; ".join(f"{long_date(s.on)} {s.session} ({s.code})" for s in self.unauthorised)
            lines.append(f"Unauthorised absence in the period: {len(self.unauthorised)} sessions: {listed}")
        else:
            lines.append("Unauthorised absence in the period: none")
        return lines


def improvement_period_attendance(*, notice: NoticeToImprove) -> PeriodAttendance:
    """Attended and possible sessions, and each unauthorised session, within the improvement period.

    The period is counted from the date of issue, so its sessions run from the day after issue to the
    last day of the period inclusive: a 3-week period is exactly 15 school days.
    """
    starts_on = notice.issued_on + timedelta(days=1)
    ends_on = notice.improvement_period_ends_on
    marks = notice.case.pupil.marks.filter(date__gte=starts_on, date__lte=ends_on).order_by("date", "session")
    possible = attended = 0
    unauthorised = []
    for on, session, code in marks.values_list("date", "session", "code"):
        if code in rules.NOT_COUNTED_CODES:
            continue
        possible += 1
        if code in rules.ATTENDED_CODES:
            attended += 1
        elif rules.CATEGORY.get(code) is rules.Category.UNAUTHORISED:
            unauthorised.append(OffenceSession(on, rules.SESSION_NAMES[session], code, code_meaning(code)))
    return PeriodAttendance(
        starts_on, ends_on, possible, attended, rules.percent_one_place(attended, possible), tuple(unauthorised)
    )
