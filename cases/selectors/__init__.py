"""Every non-trivial read of the cases app, scoped to what the signed-in person may see.

A selector that takes ``user`` owns visibility: school staff see their own school's pupils, an LA
officer sees aggregates of their own LA's schools. Out-of-scope objects answer 404 (their existence
is not disclosed); a role that may never see a kind of page answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from cases import rules
from cases.models import (
    Alert,
    AttendanceSnapshot,
    LocalAuthority,
    MarkAmendment,
    ParentalRelationship,
    Pupil,
    School,
    SenStatus,
    StaffProfile,
)

PUPIL_FLAG_FILTERS: dict[str, Q] = {
    "persistent": Q(snapshot__persistent_absence=True),
    "severe": Q(snapshot__severe_absence=True),
    "threshold": Q(snapshot__pn_threshold_met=True),
    "cme": Q(snapshot__cme_risk=True),
    "open_alert": Q(open_alerts__gt=0),
}
COHORT_FILTERS: dict[str, Q] = {
    "fsm": Q(fsm=True),
    "social_worker": Q(social_worker=True),
    "looked_after": Q(looked_after=True),
    "young_carer": Q(young_carer=True),
    "eal": Q(eal=True),
}
SEN_FILTERS: dict[str, Q] = {
    "any": Q(sen_status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN]),
    SenStatus.SEN_SUPPORT.value: Q(sen_status=SenStatus.SEN_SUPPORT),
    SenStatus.EHC_PLAN.value: Q(sen_status=SenStatus.EHC_PLAN),
    SenStatus.NONE.value: Q(sen_status=SenStatus.NONE),
}
PUPIL_ORDERINGS = {
    "name": ("surname", "forename", "upn"),
    "attendance": (F("snapshot__attendance_pct").asc(nulls_last=True), "surname", "forename", "upn"),
    "-attendance": (F("snapshot__attendance_pct").desc(nulls_last=True), "surname", "forename", "upn"),
}


def staff_profile(*, user) -> StaffProfile:
    """The user's StaffProfile with its school and LA, cached on the user for the page header.

    Raises PermissionDenied for a signed-in user with no profile: they have no place in the service.
    """
    try:
        profile = StaffProfile.objects.select_related("school__local_authority", "local_authority").get(user=user)
    except StaffProfile.DoesNotExist:
        raise PermissionDenied("You do not have a staff role in this service.") from None
    user.staff = profile
    return profile


def _school_staff_profile(user) -> StaffProfile:
    profile = staff_profile(user=user)
    if not profile.is_school_staff:
        raise PermissionDenied("Only school staff can see pupils' records.")
    return profile


def school_for_user(*, user, urn: str) -> School:
    """The school whose pupils the user works with: only school staff, only their own school."""
    profile = _school_staff_profile(user)
    if profile.school.urn != urn:
        raise Http404("No such school")
    return profile.school


def local_authority_for_user(*, user, code: str) -> LocalAuthority:
    """The LA whose aggregate figures the user may see: only that LA's officers."""
    profile = staff_profile(user=user)
    if not profile.is_la_staff:
        raise PermissionDenied("Only local authority officers can see the LA overview.")
    if profile.local_authority.code != code:
        raise Http404("No such local authority")
    return profile.local_authority


def pupil_for_user(*, user, upn: str) -> Pupil:
    """A pupil of the user's own school, with the school's LA and its code of conduct for the page."""
    profile = _school_staff_profile(user)
    try:
        return Pupil.objects.select_related("school__local_authority__code_of_conduct", "snapshot").get(
            upn=upn, school=profile.school
        )
    except Pupil.DoesNotExist:
        raise Http404("No such pupil") from None


def pupil_snapshot(pupil: Pupil) -> AttendanceSnapshot | None:
    """The pupil's snapshot if the scan has made one (None, not an exception, when it has not)."""
    try:
        return pupil.snapshot
    except AttendanceSnapshot.DoesNotExist:
        return None


def workspace_pupils(
    *,
    school: School,
    search: str = "",
    year_group: str = "",
    flags: list[str] | tuple[str, ...] = (),
    sen: str = "",
    cohorts: list[str] | tuple[str, ...] = (),
    sort: str = "name",
) -> QuerySet[Pupil]:
    """The school's pupils for the workspace table: snapshot joined, open alerts counted, in one query."""
    pupils = (
        Pupil.objects.filter(school=school)
        .select_related("snapshot")
        .annotate(open_alerts=Count("alerts", filter=Q(alerts__resolved_at__isnull=True)))
    )
    words = search.split()
    if words:
        # Every word must match a name ("Amelia Hughes" is one pupil, not every Amelia and every Hughes).
        by_name = Q()
        for word in words:
            by_name &= Q(forename__icontains=word) | Q(surname__icontains=word)
        pupils = pupils.filter(by_name | Q(upn__istartswith=search.strip()))
    if year_group:
        pupils = pupils.filter(year_group=year_group)
    if sen in SEN_FILTERS:
        pupils = pupils.filter(SEN_FILTERS[sen])
    for flag in flags:
        pupils = pupils.filter(PUPIL_FLAG_FILTERS[flag])
    for cohort in cohorts:
        pupils = pupils.filter(COHORT_FILTERS[cohort])
    return pupils.order_by(*PUPIL_ORDERINGS.get(sort, PUPIL_ORDERINGS["name"]))


@dataclass(frozen=True)
class SchoolSummary:
    on_roll: int
    persistent: int
    severe: int
    open_alerts: int

    @property
    def persistent_pct(self) -> float | None:
        return rules.percent_one_place(self.persistent, self.on_roll)


def school_summary(*, school: School) -> SchoolSummary:
    """The figures on the workspace's summary cards, in one aggregate query."""
    open_alerts = (
        Alert.objects.filter(school=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("school")
        .annotate(n=Count("id"))
        .values("n")
    )
    row = (
        School.objects.filter(pk=school.pk)
        .annotate(
            on_roll=Count("pupils"),
            persistent=Count("pupils", filter=Q(pupils__snapshot__persistent_absence=True)),
            severe=Count("pupils", filter=Q(pupils__snapshot__severe_absence=True)),
            open_alerts=Coalesce(Subquery(open_alerts, output_field=IntegerField()), Value(0)),
        )
        .values("on_roll", "persistent", "severe", "open_alerts")
        .get()
    )
    return SchoolSummary(**row)


def open_alerts_for_school(*, school: School) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(school=school, resolved_at__isnull=True)
        .select_related("pupil")
        .order_by("-raised_on", "-created_at", "-id")
    )


def open_alert_for_user(*, user, pk: int) -> Alert:
    """An open alert of the user's own school (a resolved or foreign one is 404)."""
    profile = _school_staff_profile(user)
    try:
        return Alert.objects.select_related("pupil", "school").get(
            pk=pk, school=profile.school, resolved_at__isnull=True
        )
    except Alert.DoesNotExist:
        raise Http404("No such open alert") from None


def open_alerts_for_pupil(*, pupil: Pupil) -> QuerySet[Alert]:
    return Alert.objects.filter(pupil=pupil, resolved_at__isnull=True).order_by("-raised_on", "kind")


def pupil_parents(*, pupil: Pupil) -> QuerySet[ParentalRelationship]:
    return (
        ParentalRelationship.objects.filter(pupil=pupil)
        .select_related("parent")
        .order_by("-parental_responsibility", "parent__surname", "parent__forename")
    )


def pupil_marks(*, pupil: Pupil, as_of: date) -> list[rules.Mark]:
    """All of one pupil's marks up to ``as_of``, as rules.py tuples.

    One pupil's whole register is a few thousand rows at most, so the windows never need the scan's
    look-back: a gap of any length before this year is read as it is.
    """
    return list(
        pupil.marks.filter(date__lte=as_of).order_by("date", "session").values_list(
            "date", "session", "code"
        )
    )


def pupil_amendments(*, pupil: Pupil, since: date, until: date) -> QuerySet[MarkAmendment]:
    return MarkAmendment.objects.filter(pupil=pupil, date__gte=since, date__lte=until).order_by(
        "date", "session", "amended_at", "id"
    )


@dataclass(frozen=True)
class SchoolRow:
    school: School
    on_roll: int
    persistent: int
    severe: int
    threshold_met: int
    open_alerts: int

    @property
    def persistent_pct(self) -> float | None:
        return rules.percent_one_place(self.persistent, self.on_roll)


def la_school_rows(*, local_authority: LocalAuthority) -> list[SchoolRow]:
    """One aggregate row per school of the LA; no pupil-level data leaves the database."""
    open_alerts = (
        Alert.objects.filter(school=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("school")
        .annotate(n=Count("id"))
        .values("n")
    )
    schools = (
        School.objects.filter(local_authority=local_authority)
        .annotate(
            on_roll=Count("pupils"),
            persistent=Count("pupils", filter=Q(pupils__snapshot__persistent_absence=True)),
            severe=Count("pupils", filter=Q(pupils__snapshot__severe_absence=True)),
            threshold_met=Count("pupils", filter=Q(pupils__snapshot__pn_threshold_met=True)),
            open_alert_count=Coalesce(Subquery(open_alerts, output_field=IntegerField()), Value(0)),
        )
        .order_by("name")
    )
    return [
        SchoolRow(
            school=s,
            on_roll=s.on_roll,
            persistent=s.persistent,
            severe=s.severe,
            threshold_met=s.threshold_met,
            open_alerts=s.open_alert_count,
        )
        for s in schools
    ]


def case_for_user(*, user, pk: int):
    """A case the user may read: staff of the pupil's school with a casework role; others get 404."""
    from cases.models import Case
    from cases.permissions import can_read_case

    profile = _school_staff_profile(user)
    try:
        case = Case.objects.select_related("pupil__school__local_authority", "opened_by").get(
            pk=pk, school_id=profile.school_id
        )
    except Case.DoesNotExist:
        raise Http404("No such case at your school.") from None
    if not can_read_case(user, case):
        raise PermissionDenied("Your role does not include reading attendance cases.")
    return case


# --- the case page and the caseload ----------------------------------------------------------------
# Appended for the casework screens. The other apps' models are imported inside the functions: their
# modules import cases.models, and cases.selectors is imported early by the cases app's views.


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
            case.pn_considerations.select_related("recorded_by", "authorised_by").order_by("-recorded_at")
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


def caseload(*, school: School, today: date) -> Caseload:
    """The DSL's caseload: open cases by stage with their next deadline, what is overdue, and open alerts
    of pupils with no open case. A fixed number of queries, however many cases."""
    from django.db.models import DateField, Exists, Min
    from django.utils import timezone

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
    from meetings.models import Meeting, MeetingStatus
    from notices.models import NoticeOutcome, NoticeToImprove

    live_plans = ~Q(status=SupportPlanStatus.CLOSED)
    live_contracts = Q(status__in=[ContractStatus.OFFERED, ContractStatus.SIGNED])
    live_adjustments = ~Q(status=AdjustmentStatus.ENDED)
    adjustment_review = Subquery(
        ReasonableAdjustment.objects.filter(live_adjustments, pupil=OuterRef("pupil")).order_by()
        .values("pupil").annotate(m=Min("review_on")).values("m")[:1],
        output_field=DateField(),
    )
    cases = list(
        Case.objects.filter(school=school, state__in=OPEN_STATES)
        .select_related("pupil")
        .annotate(
            next_action=_min_subquery(Action.objects.filter(case=OuterRef("pk"), completed_on__isnull=True), "due_on"),
            next_plan_review=_min_subquery(SupportPlan.objects.filter(live_plans, case=OuterRef("pk")), "review_on"),
            next_contract_review=_min_subquery(
                AttendanceContract.objects.filter(live_contracts, case=OuterRef("pk")), "review_on"),
            next_meeting=_min_subquery(
                Meeting.objects.filter(case=OuterRef("pk"), status=MeetingStatus.PLANNED), "starts_at"),
            next_nti_end=_min_subquery(
                NoticeToImprove.objects.filter(case=OuterRef("pk"), outcome=NoticeOutcome.PENDING),
                "improvement_period_ends_on"),
            next_adjustment_review=adjustment_review,
        )
        .order_by("pupil__surname", "pupil__forename", "pk")
    )
    rows = []
    for case in cases:
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
        rows.append(CaseloadRow(
            case=case,
            days_in_stage=(today - timezone.localtime(case.stage_entered_at).date()).days,
            next_deadline=min(candidates, key=lambda d: d.on) if candidates else None,
        ))
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
