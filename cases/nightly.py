"""The nightly run: every pupil scanned, the measures stored as snapshots, and new alerts raised once.

Alerts are keyed by episode (the academic year, the first-met date, the start of a run, the oldest stale N,
the term), so a re-run raises nothing new and an ongoing condition is one alert, not one a night.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from cases import rules
from cases.formatting import long_date
from cases.models import Alert, AlertKind, AttendanceSnapshot
from cases.scan import ID_CHUNK, ScanResult, ScanTimings, scan

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class NightlySummary:
    as_of: date
    pupils: int
    alerts_created: int
    alerts_by_kind: dict[str, int] = field(default_factory=dict)


_SNAPSHOT_FIELDS = [
    "possible_sessions",
    "attended_sessions",
    "attendance_pct",
    "persistent_absence",
    "severe_absence",
    "unauthorised_in_window",
    "pn_threshold_met",
    "pn_threshold_first_met",
    "pending_n_sessions",
    "stale_n_sessions",
    "illness_sessions",
    "sickness_return_due",
    "unexplained_run_sessions",
    "cme_risk",
    "late_marks_recent",
    "lateness_concern",
]


def snapshots_save(*, as_of: date, results: Sequence[ScanResult]) -> int:
    """Stores each pupil's latest measures, replacing the previous snapshot."""
    rows = [
        AttendanceSnapshot(
            pupil_id=r.pupil_id,
            as_of=as_of,
            computed_at=timezone.now(),
            **{name: getattr(r.measures, name) for name in _SNAPSHOT_FIELDS},
        )
        for r in results
    ]
    AttendanceSnapshot.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["pupil"],
        update_fields=["as_of", "computed_at", *_SNAPSHOT_FIELDS],
    )
    return len(rows)


def _academic_year_label(on: date) -> str:
    return rules.academic_year_name(on)


def _term_label(on: date) -> str:
    # Terms differ by LA and Easter; calendar blocks are enough to say "once a term".
    term = "autumn" if on.month >= 9 else ("spring" if on.month <= 3 else "summer")
    return f"{_academic_year_label(on)} {term}"


def alerts_for(result: ScanResult, *, as_of: date) -> list[tuple[str, str, str]]:
    """(kind, dedup key, detail) of every alert a pupil's measures call for.

    The key names the episode: a new persistent absentee once a year; a threshold once per date it was
    first met; a missing-education run once per run; stale N once per oldest stale mark; lateness once a
    term. A re-run of the scan therefore raises nothing new.
    """
    m = result.measures
    year = _academic_year_label(as_of)
    found = []
    if m.pn_threshold_met and m.pn_threshold_first_met:
        found.append(
            (
                AlertKind.THRESHOLD_MET,
                m.pn_threshold_first_met.isoformat(),
                f"Penalty notice threshold first met on {long_date(m.pn_threshold_first_met)}; "
                f"{m.unauthorised_in_window} unauthorised sessions in the rolling window now.",
            )
        )
    if m.severe_absence:
        found.append((AlertKind.SEVERE_ABSENCE, year, f"Attendance {m.attendance_pct}% this year (severe absence)."))
    elif m.persistent_absence:
        found.append(
            (AlertKind.PERSISTENT_ABSENCE, year, f"Attendance {m.attendance_pct}% this year (persistent absence).")
        )
    if m.stale_n_sessions and result.oldest_stale_n:
        found.append(
            (
                AlertKind.STALE_N,
                result.oldest_stale_n.isoformat(),
                f"{m.stale_n_sessions} session(s) still coded N more than {rules.N_RESOLVE_SCHOOL_DAYS} "
                f"school days later, the oldest on {long_date(result.oldest_stale_n)}.",
            )
        )
    if m.sickness_return_due:
        found.append(
            (
                AlertKind.SICKNESS_RETURN_DUE,
                year,
                f"{m.illness_sessions} illness sessions this year: a sickness return to the LA is due.",
            )
        )
    if m.cme_risk and result.cme_run_start:
        found.append(
            (
                AlertKind.CME_RISK,
                result.cme_run_start.isoformat(),
                f"{m.unexplained_run_sessions} sessions of unexplained absence in a row since "
                f"{long_date(result.cme_run_start)}.",
            )
        )
    if m.lateness_concern:
        found.append(
            (
                AlertKind.LATENESS_CONCERN,
                _term_label(as_of),
                f"{m.late_marks_recent} late marks in the last school weeks.",
            )
        )
    return found


def alerts_raise(*, as_of: date, results: Sequence[ScanResult]) -> dict[str, int]:
    """Creates the alerts the results call for that do not already exist; returns new ones by kind."""
    candidates = [
        Alert(pupil_id=r.pupil_id, school_id=r.school_id, kind=kind, dedup_key=key, raised_on=as_of, detail=detail)
        for r in results
        for kind, key, detail in alerts_for(r, as_of=as_of)
    ]
    if not candidates:
        return {}
    pupil_ids = sorted({a.pupil_id for a in candidates})
    existing: set[tuple[int, str, str]] = set()
    for i in range(0, len(pupil_ids), ID_CHUNK):
        existing.update(
            Alert.objects.filter(pupil_id__in=pupil_ids[i : i + ID_CHUNK]).values_list("pupil_id", "kind", "dedup_key")
        )
    new = [a for a in candidates if (a.pupil_id, a.kind, a.dedup_key) not in existing]
    # ignore_conflicts covers a concurrent run; the unique constraint is the real guarantee.
    Alert.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    counts: dict[str, int] = {}
    for a in new:
        counts[a.kind] = counts.get(a.kind, 0) + 1
    return counts


def nightly_scan(*, as_of: date | None = None, school_ids: Sequence[int] | None = None) -> NightlySummary:
    """Scans every pupil, stores snapshots and raises new alerts, in one transaction."""
    as_of = as_of or timezone.localdate()
    timings = ScanTimings()
    results = scan(as_of=as_of, school_ids=school_ids, timings=timings)
    with transaction.atomic():
        snapshots_save(as_of=as_of, results=results)
        created = alerts_raise(as_of=as_of, results=results)
    logger.info(
        "scan as of %s: %d pupils, %d marks, load %.2fs, compute %.2fs, %d new alerts",
        as_of,
        timings.pupils,
        timings.marks,
        timings.load_seconds,
        timings.compute_seconds,
        sum(created.values()),
    )
    return NightlySummary(as_of=as_of, pupils=len(results), alerts_created=sum(created.values()), alerts_by_kind=created)
