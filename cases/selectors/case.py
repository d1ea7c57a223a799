"""One case: reading it, a pupil's open case, its chronology, records, next deadline, PN considerations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.models import Pupil, School
from cases.selectors.access import _school_staff_profile

# --- the case page and the caseload ----------------------------------------------------------------
# Appended for the casework screens. The other apps' models are imported inside the functions: their
# modules import cases.models, and cases.selectors is imported early by the cases app's views.


def case_for_user(*, user, pk: int):
    """A case the user may read: staff of the pupil's school with a casework role; others get 404."""
    from cases.models import Case
    from cases.permissions import can_read_case

    profile = _school_staff_profile(user)
    try:
        case = Case.objects.select_related("pupil__school__local_authority", "opened_by", "owner__staff").get(
            pk=pk, school_id=profile.school_id
        )
    except Case.DoesNotExist:
        raise Http404("No such case at your school.") from None
    if not can_read_case(user, case):
        raise PermissionDenied("Your role does not include reading attendance cases.")
    return case


@dataclass(frozen=True)
class Deadline:
    """The next date something on a case falls due, and what it is."""

    on: date
    label: str


def open_case_of_pupil(*, pupil: Pupil):
    """The pupil's open case, or None (the database allows at most one)."""
    from cases.models import Case, CaseState

    return Case.objects.filter(pupil=pupil).exclude(state=CaseState.CLOSED).first()


def open_case_pupil_ids(*, school: School) -> set[int]:
    """Ids of the school's pupils who have an open case, in one query (for the alerts list's buttons)."""
    from cases.models import Case, CaseState

    return set(
        Case.objects.filter(school=school).exclude(state=CaseState.CLOSED).values_list("pupil_id", flat=True)
    )


def case_chronology(*, case, kind: str = ""):
    """The case's chronology, newest first, with who did each thing and their position."""
    events = case.events.select_related("by__staff").order_by("-at", "-id")
    if kind:
        events = events.filter(kind=kind)
    return events


@dataclass(frozen=True)
class CaseRecords:
    """Everything the case page lists besides the chronology, each list read once with what it shows."""

    support_plans: list
    contracts: list
    early_help: list
    meetings: list
    adjustments: list
    adjustment_reviews: list
    part_time_timetables: list
    notifications: list
    letters: list
    notices_to_improve: list
    considerations: list
    open_actions: list


def case_records(*, case) -> CaseRecords:
    """The case's plans (with actions), contracts (with each party), early help, meetings (with attendees),
    the pupil's adjustments and reviews, part-time timetables, notifications, letters (without the PDF bytes),
    notices to improve and penalty notice considerations: one query each, whatever their number."""
    from django.db.models import Prefetch

    from interventions.models import (
        Action,
        AdjustmentReview,
        ContractParty,
        LANotification,
        PartTimeTimetable,
        ReasonableAdjustment,
    )
    from meetings.models import MeetingAttendee
    from notices.models import Letter

    pupil = case.pupil
    plans = list(
        case.support_plans.prefetch_related(Prefetch("actions", queryset=Action.objects.order_by("due_on", "id")))
    )
    meetings = list(
        case.meetings.prefetch_related(
            Prefetch("attendees", queryset=MeetingAttendee.objects.order_by("role", "name"))
        ).order_by("-starts_at", "-id")
    )
    return CaseRecords(
        support_plans=plans,
        contracts=list(
            case.contracts.prefetch_related(
                Prefetch("parties", queryset=ContractParty.objects.select_related("parent").order_by(
                    "parent__surname", "parent__forename", "pk"))
            )
        ),
        early_help=list(case.early_help.all()),
        meetings=meetings,
        adjustments=list(ReasonableAdjustment.objects.filter(pupil=pupil).order_by("review_on", "pk")),
        adjustment_reviews=list(
            AdjustmentReview.objects.filter(pupil=pupil).select_related("reviewed_by").order_by("-reviewed_on", "-pk")
        ),
        part_time_timetables=list(PartTimeTimetable.objects.filter(pupil=pupil).order_by("-starts_on")),
        notifications=list(
            LANotification.objects.filter(pupil=pupil).select_related("sent_by").order_by("-sent_on", "-pk")
        ),
        letters=list(
            Letter.objects.filter(case=case).select_related("parent").defer("pdf", "context").order_by(
                "-generated_at", "-pk")
        ),
        notices_to_improve=list(case.notices_to_improve.prefetch_related("parents").order_by("-issued_on")),
        considerations=list(
            case.pn_considerations.select_related("recorded_by", "authorised_by", "declined_by").order_by("-recorded_at")
        ),
        open_actions=list(Action.objects.filter(case=case, completed_on__isnull=True).order_by("due_on", "id")),
    )


def case_next_deadline(records: CaseRecords, *, today: date) -> Deadline | None:
    """The earliest of: open actions' due dates, plan/contract/adjustment review dates, planned meetings,
    and a running notice to improve's improvement period end. Past dates count: they are overdue."""
    from django.utils import timezone

    from interventions.models import AdjustmentStatus, ContractStatus, SupportPlanStatus
    from meetings.models import MeetingStatus
    from notices.models import NoticeOutcome

    found: list[Deadline] = []
    found += [Deadline(a.due_on, f"Action due: {a.description}") for a in records.open_actions]
    found += [Deadline(p.review_on, "Support plan review") for p in records.support_plans
              if p.status != SupportPlanStatus.CLOSED]
    found += [Deadline(c.review_on, "Attendance contract review") for c in records.contracts
              if c.status in (ContractStatus.OFFERED, ContractStatus.SIGNED)]
    found += [Deadline(a.review_on, f"Review of the {a.get_area_display().lower()} adjustment")
              for a in records.adjustments if a.status != AdjustmentStatus.ENDED]
    found += [Deadline(timezone.localtime(m.starts_at).date(), m.get_kind_display())
              for m in records.meetings if m.status == MeetingStatus.PLANNED]
    found += [Deadline(n.improvement_period_ends_on, "Notice to improve: improvement period ends")
              for n in records.notices_to_improve if n.outcome == NoticeOutcome.PENDING]
    return min(found, key=lambda d: d.on) if found else None


def pn_consideration_for_user(*, user, case_pk: int, pk: int):
    """A penalty notice consideration on a case the user may read."""
    from cases.models import PenaltyNoticeConsideration

    case = case_for_user(user=user, pk=case_pk)
    try:
        consideration = PenaltyNoticeConsideration.objects.get(pk=pk, case=case)
    except PenaltyNoticeConsideration.DoesNotExist:
        raise Http404("No such penalty notice consideration") from None
    consideration.case = case
    return consideration
