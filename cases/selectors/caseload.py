"""The DSL's caseload: open cases by stage with their next deadline, what is overdue, uncased alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery

from cases.models import Alert, Pupil, School
from cases.selectors.access import school_for_user
from cases.selectors.case import Deadline

# --- the case page and the caseload ----------------------------------------------------------------
# Appended for the casework screens. The other apps' models are imported inside the functions: their
# modules import cases.models, and cases.selectors is imported early by the cases app's views.


def caseload_school_for_user(*, user, urn: str) -> School:
    """The school whose caseload the user may read: school staff with a casework role, their own school."""
    from cases.permissions import CASE_READERS

    school = school_for_user(user=user, urn=urn)
    if user.staff.role not in CASE_READERS:
        raise PermissionDenied("Your role does not include reading attendance cases.")
    return school


@dataclass(frozen=True)
class CaseloadRow:
    case: object
    days_in_stage: int
    next_deadline: Deadline | None


@dataclass(frozen=True)
class OverdueReview:
    case: object
    pupil: Pupil
    what: str
    due_on: date


@dataclass(frozen=True)
class Caseload:
    stage_counts: list[tuple[str, str, int]]  # (state, label, count), in ladder order, open states only
    rows: list[CaseloadRow]
    overdue_actions: list
    overdue_reviews: list[OverdueReview]
    alerts_without_case: list  # the newest ALERTS_ON_CASELOAD of them
    alerts_without_case_count: int


# The caseload shows the newest alerts without a case; the alerts page lists them all.
ALERTS_ON_CASELOAD = 25


def _min_subquery(queryset, field: str):
    from django.db.models import DateField, DateTimeField, Min

    output = DateTimeField() if field == "starts_at" else DateField()
    return Subquery(queryset.order_by().values("case").annotate(m=Min(field)).values("m")[:1], output_field=output)


def annotate_deadlines(cases):
    """Each case's earliest open action, live plan and contract review, planned meeting, improvement period
    end and the pupil's adjustment review, as subqueries: no query per case."""
    from django.db.models import DateField, Min

    from interventions.models import (
        Action,
        AdjustmentStatus,
        AttendanceContract,
        ContractStatus,
        ReasonableAdjustment,
        SupportPlan,
        SupportPlanStatus,
    )
    from meetings.models import Meeting, MeetingStatus
    from notices.models import NoticeOutcome, NoticeToImprove

    adjustment_review = Subquery(
        ReasonableAdjustment.objects.filter(~Q(status=AdjustmentStatus.ENDED), pupil=OuterRef("pupil")).order_by()
        .values("pupil").annotate(m=Min("review_on")).values("m")[:1],
        output_field=DateField(),
    )
    return cases.annotate(
        next_action=_min_subquery(Action.objects.filter(case=OuterRef("pk"), completed_on__isnull=True), "due_on"),
        next_plan_review=_min_subquery(
            SupportPlan.objects.filter(~Q(status=SupportPlanStatus.CLOSED), case=OuterRef("pk")), "review_on"),
        next_contract_review=_min_subquery(
            AttendanceContract.objects.filter(case=OuterRef("pk"),
                                              status__in=[ContractStatus.OFFERED, ContractStatus.SIGNED]),
            "review_on"),
        next_meeting=_min_subquery(
            Meeting.objects.filter(case=OuterRef("pk"), status=MeetingStatus.PLANNED), "starts_at"),
        next_nti_end=_min_subquery(
            NoticeToImprove.objects.filter(case=OuterRef("pk"), outcome=NoticeOutcome.PENDING),
            "improvement_period_ends_on"),
        next_adjustment_review=adjustment_review,
    )


def caseload_row(case, *, today: date) -> CaseloadRow:
    """A case annotated by annotate_deadlines, with its days at the stage and its next deadline."""
    from django.utils import timezone

    meeting_on = timezone.localtime(case.next_meeting).date() if case.next_meeting else None
    candidates = [
        Deadline(on, label) for on, label in (
            (case.next_action, "Action due"),
            (case.next_plan_review, "Support plan review"),
            (case.next_contract_review, "Attendance contract review"),
            (case.next_adjustment_review, "Adjustment review"),
            (meeting_on, "Meeting"),
            (case.next_nti_end, "Improvement period ends"),
        ) if on is not None
    ]
    return CaseloadRow(
        case=case,
        days_in_stage=(today - timezone.localtime(case.stage_entered_at).date()).days,
        next_deadline=min(candidates, key=lambda d: d.on) if candidates else None,
    )


def caseload(*, school: School, today: date) -> Caseload:
    """The DSL's caseload: open cases by stage with their next deadline, what is overdue, and open alerts
    of pupils with no open case. A fixed number of queries, however many cases."""
    from django.db.models import Exists

    from cases.models import OPEN_STATES, Case, CaseState
    from interventions.models import (
        Action,
        AdjustmentStatus,
        AttendanceContract,
        ContractStatus,
        ReasonableAdjustment,
        SupportPlan,
        SupportPlanStatus,
    )

    live_plans = ~Q(status=SupportPlanStatus.CLOSED)
    live_contracts = Q(status__in=[ContractStatus.OFFERED, ContractStatus.SIGNED])
    live_adjustments = ~Q(status=AdjustmentStatus.ENDED)
    cases = list(
        annotate_deadlines(Case.objects.filter(school=school, state__in=OPEN_STATES).select_related("pupil"))
        .order_by("pupil__surname", "pupil__forename", "pk")
    )
    rows = [caseload_row(case, today=today) for case in cases]
    counts = dict.fromkeys(OPEN_STATES, 0)
    for case in cases:
        counts[case.state] += 1
    open_cases = Q(case__school=school) & ~Q(case__state=CaseState.CLOSED)
    overdue_actions = list(
        Action.objects.filter(open_cases, completed_on__isnull=True, due_on__lt=today)
        .select_related("case__pupil", "support_plan", "meeting").order_by("due_on", "id")
    )
    overdue_reviews = [
        OverdueReview(plan.case, plan.case.pupil, "Support plan review", plan.review_on)
        for plan in SupportPlan.objects.filter(open_cases, live_plans, review_on__lt=today).select_related("case__pupil")
    ]
    overdue_reviews += [
        OverdueReview(contract.case, contract.case.pupil, "Attendance contract review", contract.review_on)
        for contract in AttendanceContract.objects.filter(open_cases, live_contracts, review_on__lt=today)
        .select_related("case__pupil")
    ]
    case_by_pupil = {case.pupil_id: case for case in cases}
    overdue_reviews += [
        OverdueReview(case_by_pupil.get(adjustment.pupil_id), adjustment.pupil,
                      f"Review of the {adjustment.get_area_display().lower()} adjustment", adjustment.review_on)
        for adjustment in ReasonableAdjustment.objects.filter(
            live_adjustments, pupil__school=school, review_on__lt=today).select_related("pupil")
    ]
    overdue_reviews.sort(key=lambda r: (r.due_on, r.pupil.surname, r.pupil.forename))
    with_case = Case.objects.filter(pupil=OuterRef("pupil")).exclude(state=CaseState.CLOSED)
    uncased = Alert.objects.filter(school=school, resolved_at__isnull=True).exclude(Exists(with_case))
    alerts = list(uncased.select_related("pupil").order_by("-raised_on", "-created_at", "-id")[:ALERTS_ON_CASELOAD])
    return Caseload(
        stage_counts=[(state, CaseState(state).label, counts[state]) for state in OPEN_STATES],
        rows=rows,
        overdue_actions=overdue_actions,
        overdue_reviews=overdue_reviews,
        alerts_without_case=alerts,
        alerts_without_case_count=len(alerts) if len(alerts) < ALERTS_ON_CASELOAD else uncased.count(),
    )
