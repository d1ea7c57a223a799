"""The interventions app's part of "My work": leave to decide, agreed actions overdue, reviews due.

Registered by ``InterventionsConfig.ready``. Each selector reads only the person's own school, in one query.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.urls import reverse

from cases import my_work, roles
from cases.formatting import long_date
from cases.models import CaseState
from cases.my_work import Announcement, EmailChoice, EmailEvent, Provider, WorkItem, WorkSection
from cases.work_providers import school_staff_with
from interventions.models import (
    Action,
    AdjustmentStatus,
    AttendanceContract,
    ContractStatus,
    LeaveDecision,
    LeaveOfAbsenceRequest,
    ReasonableAdjustment,
    SupportPlan,
    SupportPlanStatus,
)


def _at_school(capability: str):
    return lambda profile: (profile is not None and profile.school_id is not None
                            and roles.has(profile.role, capability))


# --- selectors ---------------------------------------------------------------------------------------------


def leave_requests_waiting(*, school) -> QuerySet[LeaveOfAbsenceRequest]:
    return LeaveOfAbsenceRequest.objects.filter(pupil__school=school, decision=LeaveDecision.PENDING)


def actions_overdue(*, school, today: date) -> QuerySet[Action]:
    """Agreed actions (of a meeting or a support plan) of the school's open cases, not done by their due date."""
    return (Action.objects.filter(case__school=school, completed_on__isnull=True, due_on__lt=today)
            .exclude(case__state=CaseState.CLOSED))


def plan_reviews_due(*, school, today: date) -> QuerySet[SupportPlan]:
    return (SupportPlan.objects.filter(case__school=school, review_on__lte=today)
            .exclude(status=SupportPlanStatus.CLOSED).exclude(case__state=CaseState.CLOSED))


def contract_reviews_due(*, school, today: date) -> QuerySet[AttendanceContract]:
    return (AttendanceContract.objects
            .filter(Q(status__in=[ContractStatus.OFFERED, ContractStatus.SIGNED]), case__school=school,
                    review_on__lte=today)
            .exclude(case__state=CaseState.CLOSED))


def adjustment_reviews_due(*, school, today: date) -> QuerySet[ReasonableAdjustment]:
    return ReasonableAdjustment.objects.filter(pupil__school=school, review_on__lte=today).exclude(
        status=AdjustmentStatus.ENDED)


# --- sections ----------------------------------------------------------------------------------------------


def _leave_section(*, user, profile, today) -> WorkSection:
    rows = leave_requests_waiting(school=profile.school).select_related("pupil").order_by("received_on", "pk")
    items = [
        WorkItem(title=str(leave.pupil),
                 what=f"Leave asked for from {long_date(leave.first_day)} to {long_date(leave.last_day)} "
                      f"(received {long_date(leave.received_on)})",
                 url=reverse("interventions:leave_request_decide", kwargs={"upn": leave.pupil.upn, "pk": leave.pk}),
                 action="Decide", due_on=leave.first_day, overdue=leave.first_day <= today)
        for leave in rows
    ]
    return WorkSection("leave", "Leave of absence to decide", items, len(items),
                       intro="Grant or refuse each request, with your reasons: the parents are sent the decision.")


def _leave_count(*, user, profile, today) -> list[QuerySet]:
    return [leave_requests_waiting(school=profile.school)]


def _actions_section(*, user, profile, today) -> WorkSection:
    rows = (actions_overdue(school=profile.school, today=today).select_related("case__pupil")
            .order_by("due_on", "pk"))
    items = [
        WorkItem(title=str(action.case.pupil),
                 what=f"{action.description} ({action.owner})" + (
                     ", agreed at a meeting" if action.meeting_id else ", from the support plan"),
                 url=(reverse("interventions:support_plan_detail", kwargs={"case_pk": action.case_id,
                                                                     "pk": action.support_plan_id})
                      if action.support_plan_id else reverse("case_detail", kwargs={"pk": action.case_id})),
                 action="Open", due_on=action.due_on, overdue=True)
        for action in rows
    ]
    return WorkSection("actions_overdue", "Agreed actions overdue", items, len(items))


def _actions_count(*, user, profile, today) -> list[QuerySet]:
    return [actions_overdue(school=profile.school, today=today)]


def _reviews_section(*, user, profile, today) -> WorkSection:
    items = [
        WorkItem(title=str(plan.case.pupil), what="Support plan review",
                 url=reverse("interventions:support_plan_detail", kwargs={"case_pk": plan.case_id, "pk": plan.pk}),
                 action="Open the plan", due_on=plan.review_on, overdue=plan.review_on < today)
        for plan in plan_reviews_due(school=profile.school, today=today).select_related("case__pupil")
    ]
    items += [
        WorkItem(title=str(contract.case.pupil), what="Attendance contract review",
                 url=reverse("interventions:contract_detail", kwargs={"case_pk": contract.case_id, "pk": contract.pk}),
                 action="Open the contract", due_on=contract.review_on, overdue=contract.review_on < today)
        for contract in contract_reviews_due(school=profile.school, today=today).select_related("case__pupil")
    ]
    items.sort(key=lambda item: (item.due_on, item.title))
    return WorkSection("reviews_due", "Support plan and contract reviews due", items, len(items))


def _reviews_count(*, user, profile, today) -> list[QuerySet]:
    return [plan_reviews_due(school=profile.school, today=today),
            contract_reviews_due(school=profile.school, today=today)]


def _adjustments_section(*, user, profile, today) -> WorkSection:
    rows = (adjustment_reviews_due(school=profile.school, today=today).select_related("pupil")
            .order_by("review_on", "pk"))
    items = [
        WorkItem(title=str(adjustment.pupil),
                 what=f"Review of the {adjustment.get_area_display().lower()} adjustment",
                 url=reverse("interventions:adjustment_review_create",
                             kwargs={"upn": adjustment.pupil.upn}),
                 action="Record the review", due_on=adjustment.review_on, overdue=adjustment.review_on < today)
        for adjustment in rows
    ]
    link = ("All reasonable adjustments",
            reverse("interventions:adjustment_register", kwargs={"urn": profile.school.urn}))
    return WorkSection("adjustment_reviews", "Reasonable adjustment reviews due", items, len(items), link=link)


def _adjustments_count(*, user, profile, today) -> list[QuerySet]:
    return [adjustment_reviews_due(school=profile.school, today=today)]


# --- emails ------------------------------------------------------------------------------------------------


def _leave_email(pk: int) -> Announcement | None:
    leave = LeaveOfAbsenceRequest.objects.select_related("pupil__school").filter(pk=pk).first()
    if leave is None or leave.decision != LeaveDecision.PENDING:
        return None
    school = leave.pupil.school
    return Announcement(
        recipient_ids=school_staff_with(school_id=school.pk, capability=roles.DECIDE_LEAVE),
        subject="A request for leave of absence waits for your decision",
        lines=[f"{school.name}: a parent's request for leave of absence in term time has been recorded and "
               "waits for the headteacher's decision."],
        path=reverse("my_work"),
    )


def schools_with_adjustment_reviews_falling_due(*, today: date) -> list[int]:
    """The schools with a live reasonable adjustment whose review falls due ``today`` (the nightly email)."""
    return sorted(set(ReasonableAdjustment.objects.filter(review_on=today).exclude(status=AdjustmentStatus.ENDED)
                      .values_list("pupil__school_id", flat=True)))


def _adjustment_reviews_email(school_id: int) -> Announcement | None:
    from django.utils import timezone

    from cases.models import School

    school = School.objects.filter(pk=school_id).first()
    today = timezone.localdate()
    if school is None:
        return None
    due = ReasonableAdjustment.objects.filter(pupil__school=school, review_on=today).exclude(
        status=AdjustmentStatus.ENDED).count()
    if not due:
        return None
    return Announcement(
        recipient_ids=school_staff_with(school_id=school.pk, capability=roles.RECORD_ADJUSTMENT),
        subject="Reasonable adjustment reviews are due",
        lines=[f"{school.name}: {due} reasonable adjustment review{'s' if due != 1 else ''} "
               f"fall{'' if due != 1 else 's'} due today."],
        path=reverse("my_work"), stamp=today.isoformat(),
    )


def register() -> None:
    my_work.register(Provider("leave", "Leave of absence to decide", 20, _at_school(roles.DECIDE_LEAVE),
                              _leave_section, _leave_count))
    my_work.register(Provider("actions_overdue", "Agreed actions overdue", 50, _at_school(roles.MOVE_CASE),
                              _actions_section, _actions_count))
    my_work.register(Provider("reviews_due", "Support plan and contract reviews due", 60,
                              _at_school(roles.MOVE_CASE), _reviews_section, _reviews_count))
    my_work.register(Provider("adjustment_reviews", "Reasonable adjustment reviews due", 70,
                              _at_school(roles.RECORD_ADJUSTMENT), _adjustments_section, _adjustments_count))
    my_work.register_email_choice(EmailChoice(
        "leave_request_waiting", "A request for leave of absence waits for my decision",
        _at_school(roles.DECIDE_LEAVE)))
    my_work.register_email_event(EmailEvent("leave_request_waiting", "leave_request_waiting", _leave_email))
    my_work.register_email_choice(EmailChoice(
        "adjustment_reviews_due", "Reasonable adjustment reviews fall due (one email a day at most)",
        _at_school(roles.RECORD_ADJUSTMENT)))
    my_work.register_email_event(EmailEvent("adjustment_reviews_due", "adjustment_reviews_due",
                                            _adjustment_reviews_email))
