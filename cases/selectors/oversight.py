"""What governors and the people who oversee the casework read: the school's figures (no names) and the
audit trail of a school or an LA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from cases import rules
from cases.models import AuditEvent, Pupil, School, StaffProfile


@dataclass(frozen=True)
class SchoolFigures:
    on_roll: int
    measured: int  # pupils the latest scan measured
    possible_sessions: int
    attended_sessions: int
    attendance_pct: float | None
    persistent: int
    persistent_pct: float | None
    severe: int
    severe_pct: float | None
    as_of: date | None


def school_figures(*, school: School) -> SchoolFigures:
    """The school's attendance in aggregate, from the latest scan: counts and percentages, never a pupil."""
    row = Pupil.objects.filter(school=school).aggregate(
        on_roll=Count("pk"),
        measured=Count("snapshot"),
        possible=Sum("snapshot__possible_sessions", default=0),
        attended=Sum("snapshot__attended_sessions", default=0),
        persistent=Count("pk", filter=Q(snapshot__persistent_absence=True)),
        severe=Count("pk", filter=Q(snapshot__severe_absence=True)),
    )
    latest = Pupil.objects.filter(school=school, snapshot__isnull=False).order_by("-snapshot__as_of").values_list(
        "snapshot__as_of", flat=True).first()
    return SchoolFigures(
        on_roll=row["on_roll"], measured=row["measured"], possible_sessions=row["possible"],
        attended_sessions=row["attended"], attendance_pct=rules.percent_one_place(row["attended"], row["possible"]),
        persistent=row["persistent"], persistent_pct=rules.percent_one_place(row["persistent"], row["measured"]),
        severe=row["severe"], severe_pct=rules.percent_one_place(row["severe"], row["measured"]), as_of=latest,
    )


def audit_events(*, profile: StaffProfile, person: str = "", upn: str = "", since: date | None = None,
                 until: date | None = None) -> QuerySet[AuditEvent]:
    """The audit trail the person oversees, newest first: a school's (what was read or done about its pupils,
    and what its staff did) or an LA's (its schools' and its own staff's)."""
    if profile.school_id is not None:
        events = AuditEvent.objects.filter(
            Q(school_id=profile.school_id)
            | Q(user_id__in=StaffProfile.objects.filter(school_id=profile.school_id).values("user_id"))
        )
    else:
        la = profile.local_authority_id
        events = AuditEvent.objects.filter(
            Q(school_id__in=School.objects.filter(local_authority_id=la).values("pk"))
            | Q(user_id__in=StaffProfile.objects.filter(local_authority_id=la).values("user_id"))
        )
    if person:
        events = events.filter(username__iexact=person)
    if upn:
        events = events.filter(upn__iexact=upn)
    zone = timezone.get_current_timezone()
    if since is not None:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until is not None:
        events = events.filter(at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))
    return events.order_by("-at", "-pk")
