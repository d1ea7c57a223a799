"""Every non-trivial read of the interventions app, scoped to the signed-in person's school.

Records of another school answer 404 (their existence is not disclosed); a role that may never see a
page answers 403. Case-level records are found through their case, pupil-level ones through their pupil.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from cases.models import Case, CaseState, Parent, Pupil, School
from cases.permissions import CASE_READERS
from cases.selectors import _school_staff_profile, case_for_user, pupil_for_user, school_for_user
from interventions.models import (
    Action,
    AdjustmentReview,
    AdjustmentStatus,
    AttendanceContract,
    ContractParty,
    EarlyHelp,
    LANotification,
    LeaveOfAbsenceRequest,
    PartTimeTimetable,
    ReasonableAdjustment,
    SupportPlan,
)


def _one(queryset: QuerySet, what: str, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No such {what}") from None


def support_plan_for_user(*, user, case_pk: int, pk: int) -> SupportPlan:
    case = case_for_user(user=user, pk=case_pk)
    plan = _one(SupportPlan.objects.prefetch_related("actions"), "support plan", pk=pk, case=case)
    plan.case = case
    return plan


def action_for_user(*, user, case_pk: int, plan_pk: int, pk: int) -> Action:
    plan = support_plan_for_user(user=user, case_pk=case_pk, pk=plan_pk)
    action = _one(Action.objects.all(), "action", pk=pk, support_plan=plan)
    action.case, action.support_plan = plan.case, plan
    return action


def contract_for_user(*, user, case_pk: int, pk: int) -> AttendanceContract:
    case = case_for_user(user=user, pk=case_pk)
    contract = _one(
        AttendanceContract.objects.prefetch_related(
            Prefetch("parties", queryset=ContractParty.objects.select_related("parent").order_by("parent__surname", "parent__forename", "pk"))
        ),
        "attendance contract", pk=pk, case=case,
    )
    contract.case = case
    return contract


def contract_party_for_user(*, user, case_pk: int, contract_pk: int, pk: int) -> ContractParty:
    contract = contract_for_user(user=user, case_pk=case_pk, pk=contract_pk)
    party = _one(ContractParty.objects.select_related("parent"), "party to the contract", pk=pk, contract=contract)
    party.contract = contract
    return party


def early_help_for_user(*, user, case_pk: int, pk: int) -> EarlyHelp:
    case = case_for_user(user=user, pk=case_pk)
    early_help = _one(EarlyHelp.objects.all(), "early help record", pk=pk, case=case)
    early_help.case = case
    return early_help


def _pupil_record(model, what: str, *, user, upn: str, pk: int):
    pupil = pupil_for_user(user=user, upn=upn)
    obj = _one(model.objects.all(), what, pk=pk, pupil=pupil)
    obj.pupil = pupil
    return obj


def adjustment_for_user(*, user, upn: str, pk: int) -> ReasonableAdjustment:
    return _pupil_record(ReasonableAdjustment, "reasonable adjustment", user=user, upn=upn, pk=pk)


def part_time_timetable_for_user(*, user, upn: str, pk: int) -> PartTimeTimetable:
    return _pupil_record(PartTimeTimetable, "part-time timetable", user=user, upn=upn, pk=pk)


def leave_request_for_user(*, user, upn: str, pk: int) -> LeaveOfAbsenceRequest:
    return _pupil_record(LeaveOfAbsenceRequest, "leave of absence request", user=user, upn=upn, pk=pk)


def parents_of(*, pupil: Pupil) -> QuerySet[Parent]:
    """Only the parents linked to this pupil: the choices for contract parties and leave requests."""
    return Parent.objects.filter(pupil_links__pupil=pupil).order_by("surname", "forename", "pk")


def open_case_of(*, pupil: Pupil) -> Case | None:
    """The pupil's open case, if there is one (the database allows at most one)."""
    return Case.objects.filter(pupil=pupil).exclude(state=CaseState.CLOSED).first()


@dataclass(frozen=True)
class PupilInterventions:
    adjustments: list[ReasonableAdjustment]
    adjustment_reviews: list[AdjustmentReview]
    part_time_timetables: list[PartTimeTimetable]
    notifications: list[LANotification]
    leave_requests: list[LeaveOfAbsenceRequest]


def pupil_interventions(*, pupil: Pupil) -> PupilInterventions:
    """The pupil-level records: adjustments and reviews, part-time timetables, LA notifications, leave."""
    return PupilInterventions(
        adjustments=list(pupil.adjustments.all()),
        adjustment_reviews=list(pupil.adjustment_reviews.select_related("reviewed_by")),
        part_time_timetables=list(pupil.part_time_timetables.all()),
        notifications=list(pupil.la_notifications.select_related("sent_by")),
        leave_requests=list(pupil.leave_requests.select_related("requested_by", "decided_by")),
    )


# The SENCo's register of adjustments: everyone at the school who reads case files may read it.
ADJUSTMENT_REGISTER_READERS = CASE_READERS


def adjustment_register_school_for_user(*, user, urn: str) -> School:
    school = school_for_user(user=user, urn=urn)
    if _school_staff_profile(user).role not in ADJUSTMENT_REGISTER_READERS:
        raise PermissionDenied("Your role does not include reading the register of reasonable adjustments.")
    return school


# The register's "overdue", shown beside its filter.
ADJUSTMENT_OVERDUE_DEFINITION = "Overdue: the review date has passed and the adjustment has not ended."


def _adjustment_sorts():
    from django.db.models import F

    from cases.selectors.lists import year_order

    name = ("pupil__surname", "pupil__forename", "pupil__upn")
    return {
        "review": ("Review date (earliest first)", ("review_on", *name, "pk")),
        "name": ("Name (A to Z)", (*name, "review_on", "pk")),
        "year": ("Year group (youngest first)", (year_order("pupil__"), *name, "review_on", "pk")),
        "attendance": ("Attendance (lowest first)",
                       (F("pupil__snapshot__attendance_pct").asc(nulls_last=True), *name, "pk")),
        "-starts": ("Start date (newest first)", ("-starts_on", *name, "pk")),
    }


def adjustment_register(
    *, school: School, today: date, status: str = "", area: str = "", overdue: bool = False, search: str = "",
    year_group: str = "", sen: str = "", fsm: bool = False, sort: str = "review",
) -> QuerySet[ReasonableAdjustment]:
    """Every adjustment of the school's pupils, with the pupil and snapshot joined, in one query.

    Overdue: ADJUSTMENT_OVERDUE_DEFINITION.
    """
    from cases.selectors.lists import pupil_q

    adjustments = ReasonableAdjustment.objects.filter(pupil__school=school).select_related("pupil__snapshot")
    adjustments = adjustments.filter(pupil_q("pupil__", search=search, year_group=year_group, sen=sen, fsm=fsm))
    if status:
        adjustments = adjustments.filter(status=status)
    if area:
        adjustments = adjustments.filter(area=area)
    if overdue:
        adjustments = adjustments.filter(Q(review_on__lt=today) & ~Q(status=AdjustmentStatus.ENDED))
    sorts = _adjustment_sorts()
    return adjustments.order_by(*sorts.get(sort, sorts["review"])[1])


# --- the LA's side: notifications waiting for an acknowledgement ---------------------------------------


@dataclass(frozen=True)
class WaitingNotification:
    """A notification on the LA officer's list, with how long it has waited against the LA's service level."""

    notification: LANotification
    working_days_waiting: int
    overdue: bool


def la_notifications_waiting(
    *, local_authority, today: date, kind: str = "", school_urn: str = ""
) -> list[WaitingNotification]:
    """Unacknowledged notifications from the LA's schools, oldest first; another LA's are never included."""
    from cases import rules

    level = local_authority.conduct().la_response_days
    notifications = (
        LANotification.objects.filter(pupil__school__local_authority=local_authority, acknowledged_on__isnull=True)
        .select_related("pupil__school", "sent_by")
        .order_by("sent_on", "pk")
    )
    if kind:
        notifications = notifications.filter(kind=kind)
    if school_urn:
        notifications = notifications.filter(pupil__school__urn=school_urn)
    return [
        WaitingNotification(
            notification=n,
            working_days_waiting=rules.working_days_waiting(n.sent_on, today),
            overdue=rules.past_service_level(n.sent_on, today, level),
        )
        for n in notifications
    ]


def la_notification_for_user(*, user, code: str, pk: int) -> LANotification:
    """A notification from a school of the officer's own LA (403 for school staff, 404 for another LA's)."""
    from cases.selectors import local_authority_for_user

    local_authority = local_authority_for_user(user=user, code=code)
    return _one(
        LANotification.objects.select_related("pupil__school__local_authority"),
        "notification", pk=pk, pupil__school__local_authority=local_authority,
    )
