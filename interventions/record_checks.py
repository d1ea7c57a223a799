"""The interventions app's checks for ``check_records``: plans, actions, contracts and each parent's response,
early help, adjustments, part-time timetables, notifications and leave, against the policy of cases.facts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from cases.record_checks import Problem, happened, in_order, local_day, long_texts, planned, record_check
from interventions.models import (
    Action,
    AdjustmentReview,
    AttendanceContract,
    ContractParty,
    EarlyHelp,
    LANotification,
    LeaveOfAbsenceRequest,
    PartTimeTimetable,
    ReasonableAdjustment,
    SupportPlan,
)

CASE_OPENED = "the date the case was opened"


@record_check
def support_plans(today: date) -> Iterator[Problem]:
    for plan in SupportPlan.objects.select_related("case"):
        opened = local_day(plan.case.opened_at)
        yield from happened(plan, "agreed_on", today=today, what="The date the plan was agreed",
                            not_before=opened, not_before_what=CASE_OPENED)
        yield from planned(plan, "review_on", planned_on=min(local_day(plan.created_at), today),
                           what="The review date")
    yield from long_texts(SupportPlan.objects.all(), ["barriers", "outcome"])


@record_check
def actions(today: date) -> Iterator[Problem]:
    for action in Action.objects.select_related("case"):
        created = local_day(action.created_at)
        yield from planned(action, "due_on", planned_on=min(created, today), what="The due date")
        yield from happened(action, "completed_on", today=today, what="The date the action was done",
                            not_before=local_day(action.case.opened_at), not_before_what=CASE_OPENED)


@record_check
def contracts(today: date) -> Iterator[Problem]:
    for contract in AttendanceContract.objects.select_related("case"):
        yield from in_order(contract, "starts_on", "review_on", what="The review date", strictly=True)
        yield from happened(contract, "offered_on", today=today, what="The date the contract was offered",
                            not_before=local_day(contract.case.opened_at), not_before_what=CASE_OPENED)
        yield from happened(contract, "status_changed_on", today=today, what="The date of its last change",
                            not_before=contract.offered_on, not_before_what="the date the contract was offered")
    for party in ContractParty.objects.select_related("contract"):
        yield from happened(party, "responded_on", today=today, what="The date of the response",
                            not_before=party.contract.offered_on, not_before_what="the date the contract was offered")
    yield from long_texts(AttendanceContract.objects.all(), ["school_commitments", "parent_commitments", "status_note"])


@record_check
def early_help(today: date) -> Iterator[Problem]:
    for help_ in EarlyHelp.objects.all():
        yield from happened(help_, "started_on", today=today, what="The date it started")
        yield from happened(help_, "ended_on", today=today, what="The end date",
                            not_before=help_.started_on, not_before_what="the date it started")
    yield from long_texts(EarlyHelp.objects.all(), ["outcome"])


@record_check
def adjustments(today: date) -> Iterator[Problem]:
    for adjustment in ReasonableAdjustment.objects.all():
        yield from in_order(adjustment, "starts_on", "review_on", what="The review date", strictly=True)
    for review in AdjustmentReview.objects.all():
        yield from happened(review, "reviewed_on", today=today, what="The date of the review")
    yield from long_texts(ReasonableAdjustment.objects.all(), ["description", "barrier"])
    yield from long_texts(AdjustmentReview.objects.all(), ["conclusion"])


@record_check
def part_time_timetables(today: date) -> Iterator[Problem]:
    for timetable in PartTimeTimetable.objects.all():
        yield from happened(timetable, "agreed_with_parents_on", today=today, what="The date agreed with the parents")
        yield from in_order(timetable, "starts_on", "planned_end_on", what="The planned end date", strictly=True)
        yield from in_order(timetable, "agreed_with_parents_on", "starts_on", what="The start date")
        yield from happened(timetable, "ended_on", today=today, what="The date it ended",
                            not_before=timetable.starts_on, not_before_what="the date it started")
    yield from long_texts(PartTimeTimetable.objects.all(), ["reason"])


@record_check
def notifications(today: date) -> Iterator[Problem]:
    for notification in LANotification.objects.all():
        yield from happened(notification, "sent_on", today=today, what="The date the LA was told")
        yield from happened(notification, "acknowledged_on", today=today, what="The date the LA acknowledged it",
                            not_before=notification.sent_on, not_before_what="the date it was sent")
    yield from long_texts(LANotification.objects.all(), ["details", "la_note"])


@record_check
def leave_requests(today: date) -> Iterator[Problem]:
    for leave in LeaveOfAbsenceRequest.objects.all():
        yield from happened(leave, "received_on", today=today, what="The date the request was received")
        yield from in_order(leave, "first_day", "last_day", what="The last day of leave")
        yield from happened(leave, "decided_on", today=today, what="The date of the decision",
                            not_before=leave.received_on, not_before_what="the date the request was received")
    yield from long_texts(LeaveOfAbsenceRequest.objects.all(), ["reason", "decision_reason"])
