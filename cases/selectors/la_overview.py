"""The LA overview: one aggregate row per school of the LA."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from cases import rules
from cases.models import Alert, LocalAuthority, School


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
