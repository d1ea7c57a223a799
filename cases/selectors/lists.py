"""The school's working lists: the caseload and the alerts, filtered, searched and sorted in one query each.

Each list's filters are plain keyword arguments (the GET forms in cases.forms turn the URL into them), so the
page, the CSV of the same filter and the tests read exactly the same rows.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import BooleanField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.db.models.functions import Cast

from cases.models import Alert, School, SenStatus

# --- what "overdue" means on each list (shown on the page, beside the filter) -------------------------------

# An alert nobody has dealt with this many days after the scan raised it is overdue: a school week and a
# weekend, the time the DfE's guidance expects a first conversation with the family to take.
ALERT_OVERDUE_AFTER_DAYS = 7
ALERT_OVERDUE_DEFINITION = (
    f"Overdue: raised more than {ALERT_OVERDUE_AFTER_DAYS} days ago and not yet marked as dealt with."
)
# A case is overdue the day after an agreed action's due date or a review date passes without it being done.
CASE_OVERDUE_DEFINITION = (
    "Overdue: an agreed action not done by its due date, or the review date of a live support plan or "
    "attendance contract has passed."
)

SEN_FILTERS: dict[str, Q] = {
    "any": Q(sen_status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN]),
    SenStatus.SEN_SUPPORT.value: Q(sen_status=SenStatus.SEN_SUPPORT),
    SenStatus.EHC_PLAN.value: Q(sen_status=SenStatus.EHC_PLAN),
    SenStatus.NONE.value: Q(sen_status=SenStatus.NONE),
}


def year_order(prefix: str = "") -> SqlCase:
    """Year groups in school order (Reception, 1, 2, ..., 14), not text order ("10" before "2")."""
    field = f"{prefix}year_group"
    return SqlCase(When(**{field: "R"}, then=Value(0)), default=Cast(field, IntegerField()),
                   output_field=IntegerField())


def pupil_q(prefix: str, *, search: str = "", year_group: str = "", sen: str = "", fsm: bool = False) -> Q:
    """The filters every list shares, on the pupil reached through ``prefix`` ("" or "pupil__").

    Search: every word must be in the forename or surname ("Amelia Hughes" is one pupil), or the text starts
    a UPN.
    """
    q = Q()
    words = search.split()
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(**{f"{prefix}forename__icontains": word}) | Q(**{f"{prefix}surname__icontains": word})
        q &= by_name | Q(**{f"{prefix}upn__istartswith": search.strip()})
    if year_group:
        q &= Q(**{f"{prefix}year_group": year_group})
    if sen in SEN_FILTERS:
        q &= Q(**{f"{prefix}{lookup}": value for lookup, value in SEN_FILTERS[sen].children})
    if fsm:
        q &= Q(**{f"{prefix}fsm": True})
    return q


def _name(prefix: str) -> tuple:
    return (f"{prefix}surname", f"{prefix}forename", f"{prefix}upn")


# --- the caseload -------------------------------------------------------------------------------------------

CASELOAD_SORTS = {
    "name": ("Name (A to Z)", _name("pupil__")),
    "year": ("Year group (youngest first)", (year_order("pupil__"), *_name("pupil__"))),
    "-year": ("Year group (oldest first)", (year_order("pupil__").desc(), *_name("pupil__"))),
    "attendance": ("Attendance (lowest first)",
                   (F("pupil__snapshot__attendance_pct").asc(nulls_last=True), *_name("pupil__"))),
    "stage": ("Stage (furthest up the ladder first)", ("stage_rank", *_name("pupil__"))),
    "days": ("Days at stage (most first)", ("stage_entered_at", *_name("pupil__"))),
    "opened": ("Opened (newest first)", ("-opened_at", *_name("pupil__"))),
    "-opened": ("Opened (oldest first)", ("opened_at", *_name("pupil__"))),
}


def caseload_cases(
    *, school: School, today: date, search: str = "", stage: str = "", owner: int | str | None = None,
    year_group: str = "", sen: str = "", fsm: bool = False, overdue: bool = False, sort: str = "name",
) -> QuerySet:
    """The school's open cases with their pupil, snapshot and owner, filtered and sorted, in one query.

    ``owner`` is a user id, or "none" for cases nobody owns. Each case carries ``overdue`` (True or False,
    CASE_OVERDUE_DEFINITION) and the next-deadline annotations of cases.selectors.caseload.
    """
    from cases.models import LADDER, OPEN_STATES, Case, CaseState
    from cases.selectors.caseload import annotate_deadlines
    from interventions.models import (
        Action,
        AttendanceContract,
        ContractStatus,
        SupportPlan,
        SupportPlanStatus,
    )

    action_late = Action.objects.filter(case=OuterRef("pk"), completed_on__isnull=True, due_on__lt=today)
    plan_late = SupportPlan.objects.filter(case=OuterRef("pk"), review_on__lt=today).exclude(
        status=SupportPlanStatus.CLOSED)
    contract_late = AttendanceContract.objects.filter(
        case=OuterRef("pk"), review_on__lt=today, status__in=[ContractStatus.OFFERED, ContractStatus.SIGNED])
    # Further up the ladder first; a case on hold after the ladder's rungs.
    rank = SqlCase(*[When(state=state, then=Value(-i)) for i, state in enumerate(LADDER)],
                   default=Value(1), output_field=IntegerField())
    cases = annotate_deadlines(
        Case.objects.filter(school=school, state__in=OPEN_STATES)
        .select_related("pupil__snapshot", "owner")
        .annotate(action_late=Exists(action_late), plan_late=Exists(plan_late),
                  contract_late=Exists(contract_late), stage_rank=rank)
    )
    cases = cases.filter(pupil_q("pupil__", search=search, year_group=year_group, sen=sen, fsm=fsm))
    if stage in {s.value for s in CaseState} and stage != CaseState.CLOSED:
        cases = cases.filter(state=stage)
    if owner == "none":
        cases = cases.filter(owner__isnull=True)
    elif owner:
        cases = cases.filter(owner_id=owner)
    if overdue:
        cases = cases.filter(Q(action_late=True) | Q(plan_late=True) | Q(contract_late=True))
    return cases.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"])[1], "pk")


# --- the alerts ----------------------------------------------------------------------------------------------

ALERT_SORTS = {
    "-raised": ("Raised (newest first)", ("-raised_on", "-created_at", "-id")),
    "raised": ("Raised (oldest first)", ("raised_on", "created_at", "id")),
    "name": ("Name (A to Z)", (*_name("pupil__"), "-raised_on", "id")),
    "year": ("Year group (youngest first)", (year_order("pupil__"), *_name("pupil__"), "id")),
    "attendance": ("Attendance (lowest first)",
                   (F("pupil__snapshot__attendance_pct").asc(nulls_last=True), *_name("pupil__"), "id")),
}


def alert_overdue_before(today: date) -> date:
    """Alerts raised before this day are overdue (ALERT_OVERDUE_DEFINITION)."""
    return today - timedelta(days=ALERT_OVERDUE_AFTER_DAYS)


def school_alerts_list(
    *, school: School, today: date, search: str = "", kind: str = "", assigned: int | str | None = None,
    year_group: str = "", sen: str = "", fsm: bool = False, overdue: bool = False, sort: str = "-raised",
) -> QuerySet[Alert]:
    """The school's open alerts with pupil, snapshot and assignee, filtered and sorted, in one query.

    ``assigned`` is a user id or "none"; each alert carries ``has_open_case`` and ``overdue``.
    """
    from cases.models import Case, CaseState

    open_case = Case.objects.filter(pupil=OuterRef("pupil")).exclude(state=CaseState.CLOSED)
    before = alert_overdue_before(today)
    alerts = (
        Alert.objects.filter(school=school, resolved_at__isnull=True)
        .select_related("pupil__snapshot", "assigned_to")
        .annotate(has_open_case=Exists(open_case),
                  overdue=SqlCase(When(raised_on__lt=before, then=Value(True)), default=Value(False),
                                  output_field=BooleanField()))
        .filter(pupil_q("pupil__", search=search, year_group=year_group, sen=sen, fsm=fsm))
    )
    if kind:
        alerts = alerts.filter(kind=kind)
    if assigned == "none":
        alerts = alerts.filter(assigned_to__isnull=True)
    elif assigned:
        alerts = alerts.filter(assigned_to_id=assigned)
    if overdue:
        alerts = alerts.filter(raised_on__lt=before)
    return alerts.order_by(*ALERT_SORTS.get(sort, ALERT_SORTS["-raised"])[1])


def school_staff_choices(*, school: School, capability: str) -> list[tuple[int, str]]:
    """The school's active staff whose role holds ``capability``, as (user id, name and job title), by name."""
    from cases import roles
    from cases.models import StaffProfile

    profiles = (StaffProfile.objects.filter(school=school, role__in=roles.roles_with(capability),
                                            user__is_active=True)
                .select_related("user").order_by("user__last_name", "user__first_name", "user__username"))
    return [(p.user_id, f"{p.user.get_full_name() or p.user.get_username()} ({p.position})") for p in profiles]
