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

from cases import rules, scan
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

# The rolling threshold window reaches back into last summer term; read as far back as the scan does so
# the pupil page's chart ends on the same figure as the scan's snapshot.
REGISTER_LOOKBACK = scan.LOOKBACK

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
    """The pupil's marks from the scan's lookback before this academic year up to ``as_of``, as rules.py tuples."""
    since = rules.academic_year_start(as_of) - REGISTER_LOOKBACK
    return list(
        pupil.marks.filter(date__gte=since, date__lte=as_of).order_by("date", "session").values_list(
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
            pk=pk, pupil__school_id=profile.school_id
        )
    except Case.DoesNotExist:
        raise Http404("No such case at your school.") from None
    if not can_read_case(user, case.pupil):
        raise PermissionDenied("Your role does not include reading attendance cases.")
    return case
