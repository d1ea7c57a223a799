"""Leave of absence in term time: the parent's request and the headteacher's decision (domain.md 5).

Leave is granted only in exceptional circumstances; refused leave that is taken is coded G.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases import facts
from cases.models import EventKind, Parent, ParentalRelationship, Pupil, School, TermDate
from cases.my_work import announce
from cases.permissions import can_decide_leave, can_record_support, require
from cases.working_days import is_working_day
from interventions.models import LeaveDecision, LeaveOfAbsenceRequest
from interventions.services._common import InterventionRefused, long_date, long_text, open_case_of, record


def term_time_days(*, school: School, first_day: date, last_day: date) -> list[date]:
    """The days from first_day to last_day the school is open: working days inside one of its terms.

    A school with no term dates recorded is taken to be open every working day, as before term dates
    were kept: a request is then never wrongly said to need no leave.
    """
    terms = list(TermDate.objects.filter(school=school, starts_on__lte=last_day, ends_on__gte=first_day)
                 .values_list("starts_on", "ends_on"))
    any_terms = terms or TermDate.objects.filter(school=school).exists()
    days, day = [], first_day
    while day <= last_day:
        if is_working_day(day) and (not any_terms or any(start <= day <= end for start, end in terms)):
            days.append(day)
        day += timedelta(days=1)
    return days


def parents_with_parental_responsibility(pupil: Pupil) -> list[Parent]:
    """Who a decision about the pupil goes to: every parent with parental responsibility, one letter each."""
    return [
        link.parent for link in ParentalRelationship.objects.filter(pupil=pupil, parental_responsibility=True)
        .select_related("parent").order_by("parent__surname", "parent__forename", "parent_id")
    ]


@transaction.atomic
def leave_request_record(
    *, pupil: Pupil, by, parent: Parent, first_day: date, last_day: date, reason: str, received_on: date
) -> LeaveOfAbsenceRequest:
    """Records a parent's request for leave, for the headteacher to decide."""
    require(can_record_support(by, pupil) or can_decide_leave(by, pupil), "record a leave of absence request")
    if not ParentalRelationship.objects.filter(pupil=pupil, parent=parent).exists():
        raise InterventionRefused(
            f"{parent} is not recorded as a parent or carer of {pupil}. Only a parent can request leave."
        )
    today = timezone.localdate()
    facts.happened(received_on, what="The date the request was received", today=today, field="received_on")
    facts.plausible(first_day, what="The first day of leave", today=today, field="first_day")
    facts.date_range(first_day, last_day, what="The last day of leave", field="last_day")
    # Leave is asked for ahead of a holiday or an event: a year ahead at most, like any plan.
    if last_day > today + facts.PLANNING_HORIZON:
        facts.planned(last_day, what="The last day of leave", today=today, field="last_day")
    if not reason.strip():
        raise InterventionRefused("Give the reason the parent gave for the leave.")
    long_text(reason, what="The reason given", field="reason")
    leave = LeaveOfAbsenceRequest.objects.create(
        pupil=pupil, requested_by=parent, first_day=first_day, last_day=last_day, reason=reason.strip(),
        received_on=received_on,
    )
    record(
        user=by, pupil=pupil, case=open_case_of(pupil), action="leave.request", kind=EventKind.NOTE,
        summary=f"{parent} asked for leave of absence from {long_date(first_day)} to {long_date(last_day)} "
        f"(received {long_date(received_on)})",
        reason=leave.reason, evidence=[f"leave_request:{leave.pk}"],
    )
    announce("leave_request_waiting", leave.pk)
    return leave


@transaction.atomic
def leave_request_decide(
    *, leave: LeaveOfAbsenceRequest, by, decision: str, reason: str, decided_on: date
) -> LeaveOfAbsenceRequest:
    """The headteacher's decision, with the reason: leave is granted only in exceptional circumstances."""
    leave = LeaveOfAbsenceRequest.objects.select_for_update(of=("self",)).select_related("pupil", "requested_by").get(pk=leave.pk)
    require(can_decide_leave(by, leave.pupil), "decide a leave of absence request (only the headteacher can)")
    if leave.decision != LeaveDecision.PENDING:
        raise InterventionRefused(
            f"This request was already decided on {long_date(leave.decided_on)}: {leave.get_decision_display().lower()}."
        )
    if decision not in (LeaveDecision.GRANTED, LeaveDecision.REFUSED, LeaveDecision.NOT_NEEDED):
        raise InterventionRefused("Choose whether the leave is granted or refused.")
    pupil = leave.pupil
    parents = parents_with_parental_responsibility(pupil)
    if not parents:
        raise InterventionRefused(
            f"No parent with parental responsibility is recorded for {pupil}, so the decision would reach nobody "
            "who can act on it. Record a parent with parental responsibility and their address first."
        )
    term_days = term_time_days(school=pupil.school, first_day=leave.first_day, last_day=leave.last_day)
    if not term_days:
        # The school is closed on every day asked for: there is nothing to grant or refuse.
        decision = LeaveDecision.NOT_NEEDED
    elif decision == LeaveDecision.NOT_NEEDED:
        raise InterventionRefused(
            f"The school is open on {len(term_days)} of the days asked for (from {long_date(term_days[0])}): "
            "choose whether the leave is granted or refused."
        )
    if not reason.strip() and decision != LeaveDecision.NOT_NEEDED:
        raise InterventionRefused(
            "Give the reason for the decision: leave is granted only in exceptional circumstances, "
            "and a refusal must say why."
        )
    long_text(reason, what="The reason for the decision", field="reason")
    facts.happened(decided_on, what="The date of the decision", today=timezone.localdate(), field="decided_on",
                   not_before=leave.received_on, not_before_what="the date the request was received")
    leave.decision, leave.decision_reason, leave.decided_on, leave.decided_by = decision, reason.strip(), decided_on, by
    leave.save(update_fields=["decision", "decision_reason", "decided_on", "decided_by"])
    outcome = {
        LeaveDecision.GRANTED: "granted in exceptional circumstances",
        LeaveDecision.REFUSED: "refused: absence taken on the school days in those dates is unauthorised (code G)",
        LeaveDecision.NOT_NEEDED: "not needed: the school is closed on every day asked for",
    }[decision]
    letters = _school_letters().leave_decision_letters_generate(
        leave=leave, parents=parents, term_days=term_days, by=by
    )
    record(
        user=by, pupil=leave.pupil, case=open_case_of(leave.pupil), action="leave.decide", kind=EventKind.NOTE,
        summary=f"Leave of absence from {long_date(leave.first_day)} to {long_date(leave.last_day)} {outcome}",
        reason=leave.decision_reason,
        evidence=[f"leave_request:{leave.pk}", *(f"letter:{letter.pk}" for letter in letters)],
    )
    return leave


def _school_letters():
    """notices.letters.school_letters, imported late: the notices app owns letters and their PDFs."""
    from notices.letters import school_letters
    return school_letters
