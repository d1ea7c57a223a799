"""The attendance scan: every pupil's measures from one streaming read of the register.

The register is read set-wise (one ordered query over the marks table, no query per pupil), the
measures come from the pure rules module; cases.nightly stores them as snapshots and raises
deduplicated alerts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef

from cases import rules
from cases.models import LocalAuthority, Mark, Pupil

logger = logging.getLogger(__name__)

# Marks are read from this long before 1 September so the rolling windows (10 school weeks by
# default) can reach back over the summer holiday into the previous summer term. A pupil whose
# history needs more (a long gap, a late joiner) is read again in full; see _needs_full_history.
LOOKBACK = timedelta(weeks=26)
FETCH_BATCH = 20_000
ID_CHUNK = 900  # stays under SQLite's default limit of host parameters


class UnknownPupil(LookupError):
    """A UPN asked for by name that is not on any school's roll here."""


@dataclass(frozen=True)
class ScanResult:
    pupil_id: int
    upn: str
    school_id: int
    measures: rules.Measures
    # Names of the episode behind an ongoing condition, so one episode raises one alert.
    cme_run_start: date | None = None
    oldest_stale_n: date | None = None


@dataclass
class ScanTimings:
    load_seconds: float = 0.0
    compute_seconds: float = 0.0
    marks: int = 0
    pupils: int = 0
    reloaded_pupils: int = 0


def _pupils(
    upns: Sequence[str] | None, school_ids: Sequence[int] | None
) -> list[tuple[int, str, int, int, date]]:
    queryset = Pupil.objects.order_by("upn")
    if upns is not None:
        wanted = sorted(set(upns))
        queryset = queryset.filter(upn__in=wanted)
    if school_ids is not None:
        queryset = queryset.filter(school_id__in=school_ids)
    rows = list(queryset.values_list("id", "upn", "school_id", "school__local_authority_id", "date_of_birth"))
    if upns is not None:
        missing = sorted(set(upns) - {row[1] for row in rows})
        if missing:
            raise UnknownPupil(f"unknown UPN: {', '.join(missing)}")
    return rows


_COMPULSORY: dict[date, rules.CompulsorySchoolAge] = {}


def _compulsory(born: date) -> rules.CompulsorySchoolAge:
    # Pupils share birthdays: a whole LA has a few thousand distinct ones.
    found = _COMPULSORY.get(born)
    if found is None:
        found = _COMPULSORY[born] = rules.compulsory_school_age(born)
    return found


def _conducts() -> dict[int, rules.Conduct]:
    return {la.id: la.conduct() for la in LocalAuthority.objects.select_related("code_of_conduct")}


def _stream_marks(
    *, pupil_ids: Sequence[int] | None, since: date | None, until: date
) -> Iterator[tuple[int, list[rules.Mark]]]:
    """Yields (pupil_id, marks sorted by date and session), reading the table in key order in batches."""
    table = Mark._meta.db_table
    date_cache: dict[object, date] = {}

    def as_date(value: object) -> date:
        # SQLite hands back ISO strings; a year holds ~200 distinct dates, so convert each once.
        found = date_cache.get(value)
        if found is None:
            found = value if isinstance(value, date) else date.fromisoformat(value)  # type: ignore[arg-type]
            date_cache[value] = found
        return found

    chunks: Iterable[Sequence[int] | None] = (
        [None] if pupil_ids is None else [pupil_ids[i : i + ID_CHUNK] for i in range(0, len(pupil_ids), ID_CHUNK)]
    )
    for chunk in chunks:
        where, params = ["date <= %s"], [until]
        if since is not None:
            where.append("date >= %s")
            params.append(since)
        if chunk is not None:
            where.append(f"pupil_id IN ({', '.join(['%s'] * len(chunk))})")
            params.extend(chunk)
        sql = (
            f"SELECT pupil_id, date, session, code FROM {table} "
            f"WHERE {' AND '.join(where)} ORDER BY pupil_id, date, session"
        )
        # A server-side cursor on PostgreSQL, so a whole LA's register is never held in memory at once.
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            current, marks = None, []
            while rows := cursor.fetchmany(FETCH_BATCH):
                for pupil_id, day, session, code in rows:
                    if pupil_id != current:
                        if current is not None:
                            yield current, marks
                        current, marks = pupil_id, []
                    marks.append((as_date(day), session, code))
            if current is not None:
                yield current, marks


def _needs_full_history(marks: list[rules.Mark], *, year_start: date, run: int, conduct: rules.Conduct) -> bool:
    """Whether the look-back may have cut off school weeks or a run that a measure needs.

    True for a pupil with fewer school weeks before 1 September than the widest window, or whose
    unexplained run reaches the first loaded mark. Most such pupils are simply new, and the check for
    earlier marks that follows finds none.
    """
    widest = max(conduct.threshold_school_weeks, conduct.lateness_school_weeks)
    weeks_before = {rules.week_start(d) for d, _, code in marks if d < year_start and code != rules.CLOSURE_CODE}
    if len(weeks_before) < widest:
        return True
    return run > 0 and run == sum(1 for _, _, code in marks if code not in rules.NOT_COUNTED_CODES)


def _has_earlier_marks(pupil_ids: Sequence[int], before: date) -> set[int]:
    # EXISTS per pupil is one probe of the (pupil, date, session) index, however long the history.
    earlier = Mark.objects.filter(pupil_id=OuterRef("pk"), date__lt=before)
    found: set[int] = set()
    for i in range(0, len(pupil_ids), ID_CHUNK):
        chunk = pupil_ids[i : i + ID_CHUNK]
        found.update(Pupil.objects.filter(id__in=chunk).filter(Exists(earlier)).values_list("id", flat=True))
    return found


def offence_periods(
    pupil_ids: Iterable[int] | None = None, *, as_of: date | None = None
) -> dict[int, list[rules.OffencePeriod]]:
    """Dates whose sessions an earlier notice already covered, per pupil: they never count again.

    Notices to improve, and penalty notices issued (here or in imported history) and not withdrawn: a
    draft never reached a parent and a withdrawn notice is treated as never issued. Only notices issued
    on or before ``as_of`` cover anything, so a scan of a past date is not changed by a later notice.
    """
    # notices builds on cases: read its tables when needed rather than import them at load time.
    from notices.models import NoticeToImprove, PenaltyNotice, PenaltyNoticeState

    issued_by = {} if as_of is None else {"issued_on__lte": as_of}
    sources = [
        NoticeToImprove.objects.filter(**issued_by).values_list("case__pupil_id", "offence_from", "offence_to"),
        PenaltyNotice.objects.exclude(
            state__in=[PenaltyNoticeState.DRAFT, PenaltyNoticeState.LA_CONSULTED, PenaltyNoticeState.WITHDRAWN]
        )
        .filter(offence_from__isnull=False, issued_on__isnull=False, **issued_by)
        .values_list("pupil_id", "offence_from", "offence_to"),
    ]
    ids = None if pupil_ids is None else sorted(set(pupil_ids))
    periods: dict[int, list[rules.OffencePeriod]] = {}
    for source in sources:
        pupil_field = "case__pupil_id__in" if source.model is NoticeToImprove else "pupil_id__in"
        selections = (
            [source] if ids is None
            else [source.filter(**{pupil_field: ids[i : i + ID_CHUNK]}) for i in range(0, len(ids), ID_CHUNK)]
        )
        for selection in selections:
            for pupil_id, start, end in selection:
                periods.setdefault(pupil_id, []).append(rules.OffencePeriod(start, end))
    return periods


def _result(
    pupil: tuple[int, str, int, int, date],
    marks: list[rules.Mark],
    *,
    as_of: date,
    conduct: rules.Conduct,
    covered: Sequence[rules.OffencePeriod],
) -> ScanResult:
    pupil_id, upn, school_id, _, born = pupil
    measures = rules.measure(
        marks, as_of=as_of, conduct=conduct, covered=covered, compulsory=_compulsory(born)
    )
    year_start = rules.academic_year_start(as_of)
    return ScanResult(
        pupil_id=pupil_id,
        upn=upn,
        school_id=school_id,
        measures=measures,
        cme_run_start=rules.unexplained_run_start(marks, as_of=as_of) if measures.cme_risk else None,
        oldest_stale_n=(
            rules.oldest_stale_n(marks, as_of=as_of, since=year_start) if measures.stale_n_sessions else None
        ),
    )


def scan(
    *,
    as_of: date,
    upns: Sequence[str] | None = None,
    school_ids: Sequence[int] | None = None,
    timings: ScanTimings | None = None,
) -> list[ScanResult]:
    """Measures for every pupil (or the pupils named), sorted by UPN, from marks dated up to ``as_of``."""
    timings = timings if timings is not None else ScanTimings()
    pupils = _pupils(upns, school_ids)
    by_id = {p[0]: p for p in pupils}
    conducts = _conducts()
    year_start = rules.academic_year_start(as_of)
    loaded_from = year_start - LOOKBACK
    restrict = None if upns is None and school_ids is None else sorted(by_id)
    # The notices table is small beside the register: one query for the whole LA.
    covered = offence_periods(restrict, as_of=as_of)

    results: dict[int, ScanResult] = {}
    needs_more: list[int] = []
    load = compute = 0.0
    started = time.perf_counter()
    for pupil_id, marks in _stream_marks(pupil_ids=restrict, since=loaded_from, until=as_of):
        pupil = by_id.get(pupil_id)
        if pupil is None:
            continue
        tick = time.perf_counter()
        load += tick - started
        timings.marks += len(marks)
        conduct = conducts.get(pupil[3], rules.NATIONAL)
        results[pupil_id] = _result(pupil, marks, as_of=as_of, conduct=conduct, covered=covered.get(pupil_id, ()))
        run = results[pupil_id].measures.unexplained_run_sessions
        if _needs_full_history(marks, year_start=year_start, run=run, conduct=conduct):
            needs_more.append(pupil_id)
        started = time.perf_counter()
        compute += started - tick
    load += time.perf_counter() - started

    reload_ids = sorted(_has_earlier_marks(needs_more, loaded_from)) if needs_more else []
    if reload_ids:
        for pupil_id, marks in _stream_marks(pupil_ids=reload_ids, since=None, until=as_of):
            pupil = by_id[pupil_id]
            results[pupil_id] = _result(
                pupil, marks, as_of=as_of, conduct=conducts.get(pupil[3], rules.NATIONAL),
                covered=covered.get(pupil_id, ()),
            )
    timings.load_seconds += load
    timings.compute_seconds += compute
    timings.pupils += len(pupils)
    timings.reloaded_pupils += len(reload_ids)

    return [
        results.get(p[0])
        or ScanResult(p[0], p[1], p[2], rules.measure([], as_of=as_of, compulsory=_compulsory(p[4])))
        for p in pupils
    ]


def measures_json(result: ScanResult) -> dict:
    """The contract's JSON object for one pupil (shared/contract.md section 2)."""
    m = result.measures
    return {
        "upn": result.upn,
        "possible_sessions": m.possible_sessions,
        "attended_sessions": m.attended_sessions,
        "attendance_pct": m.attendance_pct,
        "persistent_absence": m.persistent_absence,
        "severe_absence": m.severe_absence,
        "unauthorised_in_window": m.unauthorised_in_window,
        "pn_threshold_met": m.pn_threshold_met,
        "pn_threshold_first_met": m.pn_threshold_first_met.isoformat() if m.pn_threshold_first_met else None,
        "pending_n_sessions": m.pending_n_sessions,
        "stale_n_sessions": m.stale_n_sessions,
        "illness_sessions": m.illness_sessions,
        "sickness_return_due": m.sickness_return_due,
        "unexplained_run_sessions": m.unexplained_run_sessions,
        "cme_risk": m.cme_risk,
        "late_marks_recent": m.late_marks_recent,
        "lateness_concern": m.lateness_concern,
        "compulsory_school_age": m.compulsory_school_age,
    }
