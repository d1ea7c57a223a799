"""The school's own letters: attendance concern, persistent absence, leave of absence decisions, and the
letters that tell the LA about a part-time timetable or a sickness return.

Each goes through ``letter_generate``, so it is stored immutably with what it was made from. The wording
follows the seed policies (shared/policies): support first, plain English, "we" for the school.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from cases.models import AttendanceSnapshot, Parent, Pupil
from cases.selectors import open_case_of_pupil
from cases.working_days import is_working_day, next_working_day
from notices.letters.store import letter_generate
from notices.models import Letter

if TYPE_CHECKING:
    from interventions.models import LANotification, LeaveOfAbsenceRequest

CONCERN_TEMPLATE = "letters/attendance_concern.html"
PERSISTENT_ABSENCE_TEMPLATE = "letters/persistent_absence.html"
LEAVE_DECISION_TEMPLATE = "letters/leave_decision.html"
LA_NOTIFICATION_TEMPLATE = "letters/la_notification.html"

# A full school year is 380 sessions, 190 days (policy-004: 10% is "38 sessions (19 days)").
SCHOOL_YEAR_DAYS = 190
SESSIONS_PER_DAY = 2
# Who at the LA the notifications go to: the LA has no named contact in the records.
LA_RECIPIENT_NAME = "Attendance Support Team"


def _days(sessions: int) -> str:
    """Sessions as school days, a half day shown as .5: 15 sessions is "7.5"."""
    return f"{Decimal(sessions) / SESSIONS_PER_DAY:g}"


def _contact(by) -> dict[str, str]:
    profile = getattr(by, "staff", None)
    return {
        "contact_name": by.get_full_name() or by.get_username(),
        "contact_position": profile.position if profile is not None else "",
    }


def attendance_figures(snapshot: AttendanceSnapshot) -> dict:
    """What a letter says about a pupil's attendance this academic year, from the latest scan."""
    missed = snapshot.possible_sessions - snapshot.attended_sessions
    pct = snapshot.attendance_pct if snapshot.attendance_pct is not None else Decimal("0")
    year_days_missed = round(SCHOOL_YEAR_DAYS * (100 - pct) / 100)
    return {
        "attendance_pct": f"{pct:.1f}",
        "as_of": snapshot.as_of,
        "possible_sessions": snapshot.possible_sessions,
        "sessions_missed": missed,
        "days_missed": _days(missed),
        "weeks_missed": f"{Decimal(missed) / (SESSIONS_PER_DAY * 5):.1f}",
        "year_days_missed": year_days_missed,
    }


def _school_context(pupil: Pupil, by) -> dict:
    school = pupil.school
    return {
        "pupil_forename": pupil.forename,
        "school_address": [line.strip() for line in school.address.replace(",", "\n").splitlines() if line.strip()],
        **_contact(by),
    }


def attendance_concern_letter_generate(
    *, pupil: Pupil, parent: Parent, snapshot: AttendanceSnapshot, by, subject_key: str
) -> Letter:
    """The first, gentle letter when a pupil's attendance falls below the school's own threshold."""
    return letter_generate(
        template=CONCERN_TEMPLATE,
        title="Your child's attendance at school",
        pupil=pupil,
        case=open_case_of_pupil(pupil=pupil),
        parent=parent,
        recipient=f"parent:{parent.pk}",
        subject_key=subject_key,
        context={
            **_school_context(pupil, by),
            **attendance_figures(snapshot),
            "threshold_pct": f"{pupil.school.concern_letter_below_pct:.1f}",
        },
        by=by,
    )


def persistent_absence_letter_generate(
    *, pupil: Pupil, parent: Parent, snapshot: AttendanceSnapshot, by, subject_key: str
) -> Letter:
    """The stronger letter when a pupil becomes persistently absent (10% or more): an invitation to meet."""
    return letter_generate(
        template=PERSISTENT_ABSENCE_TEMPLATE,
        title="Your child is now persistently absent from school",
        pupil=pupil,
        case=open_case_of_pupil(pupil=pupil),
        parent=parent,
        recipient=f"parent:{parent.pk}",
        subject_key=subject_key,
        context={**_school_context(pupil, by), **attendance_figures(snapshot)},
        by=by,
    )


def day_runs(days: list[date]) -> list[tuple[date, date]]:
    """Days as runs of consecutive working days: [Mon 5, Tue 6, Wed 7, Mon 12] is (5, 7), (12, 12)."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and next_working_day(runs[-1][1]) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def leave_decision_letters_generate(
    *, leave: LeaveOfAbsenceRequest, parents: list[Parent], term_days: list[date], by
) -> list[Letter]:
    """The headteacher's decision, one letter to each parent with parental responsibility (never only to the
    person who asked, who may have none): granted, refused, or not needed for days the school is closed.

    ``term_days`` are the days asked for on which the school is open; the decision covers only them.
    """
    from interventions.models import LeaveDecision

    if leave.decision not in (LeaveDecision.GRANTED, LeaveDecision.REFUSED, LeaveDecision.NOT_NEEDED):
        raise ValueError("A leave decision letter needs a decision: granted, refused or not needed.")
    pupil = leave.pupil
    if not parents:
        raise ValueError("A leave decision goes to the parents with parental responsibility: there are none.")
    decision = LeaveDecision(leave.decision)
    title = {LeaveDecision.GRANTED: "granted", LeaveDecision.REFUSED: "refused",
             LeaveDecision.NOT_NEEDED: "not needed: the school is closed"}[decision]
    requester = leave.requested_by
    context = {
        **_school_context(pupil, by),
        "decision": decision.value,
        "granted": decision == LeaveDecision.GRANTED,
        "not_needed": decision == LeaveDecision.NOT_NEEDED,
        "first_day": leave.first_day,
        "last_day": leave.last_day,
        "term_runs": [list(run) for run in day_runs(term_days)],
        "school_closed_on_some_days": _has_closed_days(leave.first_day, leave.last_day, term_days),
        "return_day": next_working_day(term_days[-1]) if term_days else None,
        "received_on": leave.received_on,
        "requested_by_name": f"{requester.forename} {requester.surname}",
        "reason_given": leave.reason,
        "decision_reason": leave.decision_reason,
        "decided_on": leave.decided_on,
    }
    case = open_case_of_pupil(pupil=pupil)
    return [
        letter_generate(
            template=LEAVE_DECISION_TEMPLATE,
            title=f"Your request for leave of absence: {title}",
            pupil=pupil,
            case=case,
            parent=parent,
            recipient=f"parent:{parent.pk}",
            subject_key=f"leave_request:{leave.pk}",
            context={**context, "recipient_asked": parent.pk == requester.pk},
            by=by,
        )
        for parent in parents
    ]


def _has_closed_days(first_day: date, last_day: date, term_days: list[date]) -> bool:
    """Whether a working day asked for falls outside term: the letter then says no leave is needed for it."""
    open_days = set(term_days)
    day = first_day
    while day <= last_day:
        if is_working_day(day) and day not in open_days:
            return True
        day += timedelta(days=1)
    return False


def la_notification_letter_generate(*, notification: LANotification, by) -> Letter:
    """The letter that tells the LA what the school recorded: a part-time timetable's start or end, a
    sickness return, or an attendance concern for a pupil with an EHC plan."""
    from interventions.models import NotificationKind

    pupil = notification.pupil
    la = pupil.school.local_authority
    context: dict = {
        **_school_context(pupil, by),
        "kind": notification.kind,
        "kind_name": notification.get_kind_display(),
        "upn": pupil.upn,
        "date_of_birth": pupil.date_of_birth,
        "year_group": pupil.get_year_group_display(),
        "sen_status": pupil.get_sen_status_display(),
        "sent_on": notification.sent_on,
        "details": notification.details,
        "recipient_name": LA_RECIPIENT_NAME,
        "recipient_address": [la.name],
    }
    timetable = notification.part_time_timetable
    if timetable is not None:
        context.update(
            agreed_hours=timetable.agreed_hours,
            part_time_reason=timetable.reason,
            agreed_with_parents_on=timetable.agreed_with_parents_on,
            starts_on=timetable.starts_on,
            planned_end_on=timetable.planned_end_on,
            review_on=timetable.review_on,
            ended_on=timetable.ended_on,
        )
    if notification.kind == NotificationKind.SICKNESS_RETURN:
        snapshot = AttendanceSnapshot.objects.filter(pupil=pupil).first()
        if snapshot is not None:
            context.update(
                illness_sessions=snapshot.illness_sessions,
                illness_days=_days(snapshot.illness_sessions),
                illness_as_of=snapshot.as_of,
            )
    titles = {
        NotificationKind.PART_TIME_START: "Notification: part-time timetable started",
        NotificationKind.PART_TIME_END: "Notification: part-time timetable ended",
        NotificationKind.SICKNESS_RETURN: "Sickness return",
        NotificationKind.EHC_PLAN_CONCERN: "Notification: attendance of a pupil with an EHC plan",
    }
    return letter_generate(
        template=LA_NOTIFICATION_TEMPLATE,
        title=titles.get(notification.kind, notification.get_kind_display()),
        pupil=pupil,
        case=notification.case,
        recipient=f"la:{la.code}",
        subject_key=f"la_notification:{notification.pk}",
        context=context,
        by=by,
    )

