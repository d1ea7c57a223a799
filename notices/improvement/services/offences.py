"""Reading the register for a notice: the offences it covers, and attendance in its improvement period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cases import rules
from cases.formatting import long_date
from cases.models import Offence, Pupil
from cases.selectors import pupil_marks
from cases.services.offence import OffenceSessionLine, offence_compute, offence_lines
from notices.models import NoticeToImprove

# One session as the letter's table shows it: the same line every surface lists (cases.services.offence).
OffenceSession = OffenceSessionLine


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


def notice_to_improve_offences(
    *, pupil: Pupil, as_of: date, record: Offence | None = None
) -> Offences | None:
    """The offences a notice issued on ``as_of`` covers, with this year's attendance; None if the threshold is
    not met. ``record``: the offence as stored for the notice (cases.services.offence); otherwise the same
    service computes it."""
    found = record if record is not None else offence_compute(pupil=pupil, as_of=as_of)
    if found is None:
        return None
    conduct = pupil.school.local_authority.conduct()
    measures = rules.measure(pupil_marks(pupil=pupil, as_of=as_of), as_of=as_of, conduct=conduct)
    return Offences(
        first_met=found.first_met,
        offence_from=found.offence_from,
        offence_to=found.offence_to,
        sessions=tuple(offence_lines(found)),
        possible_sessions=measures.possible_sessions,
        attended_sessions=measures.attended_sessions,
        attendance_pct=measures.attendance_pct,
        year_start=rules.academic_year_start(as_of),
        as_of=as_of,
        rule=found.rule,
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
            unauthorised.append(OffenceSession(on, rules.SESSION_NAMES[session], code, rules.code_meaning(code)))
    return PeriodAttendance(
        starts_on, ends_on, possible, attended, rules.percent_one_place(attended, possible), tuple(unauthorised)
    )
