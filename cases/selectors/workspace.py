"""The school workspace: the pupil table with its filters and orderings, the summary cards, open alerts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from cases import rules
from cases.models import Alert, Pupil, School, SenStatus
from cases.selectors.access import _school_staff_profile
from cases.selectors.lists import year_order

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
    "year": (year_order(), "surname", "forename", "upn"),
    "-year": (year_order().desc(), "surname", "forename", "upn"),
}


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


def open_alert_for_user(*, user, pk: int) -> Alert:
    """An open alert of the user's own school (a resolved or foreign one is 404)."""
    profile = _school_staff_profile(user)
    try:
        return Alert.objects.select_related("pupil", "school").get(
            pk=pk, school=profile.school, resolved_at__isnull=True
        )
    except Alert.DoesNotExist:
        raise Http404("No such open alert") from None
