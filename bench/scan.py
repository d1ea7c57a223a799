"""How fast is the attendance scan, and how far is it from the floor?

Builds N synthetic pupils with a full academic year of marks (2025-26, ~388 sessions each), times
``cases.scan.scan`` over them, then computes the same measures with vectorised numpy over all pupils
at once from arrays already in memory (the floor: no database, no Python loop per mark) and checks
that both agree. See bench/README.md for what the figures mean.

    .venv/bin/python bench/scan.py [--pupils 20000] [--database-url sqlite:////tmp/bench.db]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR_START = date(2025, 9, 1)
AS_OF = date(2026, 7, 17)  # the last day of the 2025-26 summer term in the demo calendar
NO_MARK = -1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=20_000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file under /tmp")
    parser.add_argument("--seed", type=int, default=2025)
    return parser.parse_args()


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- The synthetic year ---------------------------------------------------------------------------


def generate(n: int, seed: int):
    """Codes as a dense (pupils, sessions) array of indexes into demo.CODES, NO_MARK where a pupil
    was not on roll (about 3% join late and 2% leave early, so school weeks differ between pupils)."""
    from cases import demo

    calendar = demo.school_calendar(YEAR_START, AS_OF)
    term_ends = demo.term_end_indexes(calendar)
    rng = np.random.default_rng(seed)
    days = len(calendar.days)
    codes = np.empty((n, 2 * days), dtype=np.int8)
    for p in range(n):
        roll = rng.random()
        profile = (
            demo.Profile.SEVERE
            if roll < 0.02
            else demo.Profile.PERSISTENT
            if roll < 0.19
            else demo.Profile.TYPICAL
        )
        traits = demo.Traits(
            profile=profile,
            chronic_lateness=rng.random() < 0.04,
            long_illness=rng.random() < 0.02,
            suspension=rng.random() < 0.01,
            pending_n=rng.random() < 0.05,
            missing_education=profile == demo.Profile.SEVERE and rng.random() < 0.3,
        )
        register = demo.simulate_register(rng, calendar, traits, year_start=0, term_ends=term_ends)
        row = register.codes.reshape(-1)
        roll = rng.random()
        if roll < 0.03:
            row[: 2 * int(rng.integers(5, days // 2))] = NO_MARK
        elif roll < 0.05:
            row[2 * int(rng.integers(days // 2, days - 5)) :] = NO_MARK
        codes[p] = row
    session_days = np.repeat(np.array([d.toordinal() for d in calendar.days], dtype=np.int64), 2)
    return calendar, codes, session_days


def insert(codes: np.ndarray, calendar, seed: int) -> tuple[list[int], int]:
    """The LA, a school per 1,000 pupils, the pupils and their marks; returns pupil ids and marks."""
    from django.db import transaction

    from cases import demo
    from cases.models import CodeOfConduct, LocalAuthority, Pupil, School

    if Pupil.objects.exists():
        sys.exit("the database already holds pupils: give the bench an empty database")
    n = len(codes)
    iso = [d.isoformat() for d in calendar.days]
    code_names = demo.CODES
    with transaction.atomic():
        la = LocalAuthority.objects.create(code="999", name="Benchmark County Council")
        CodeOfConduct.objects.create(local_authority=la)
        schools = School.objects.bulk_create(
            School(urn=f"{900000 + s:06d}", name=f"Bench School {s + 1}", local_authority=la)
            for s in range((n + 999) // 1000)
        )
        pupils = Pupil.objects.bulk_create(
            (
                Pupil(
                    upn=demo.make_upn("999", f"{4000 + p // 1000:04d}", 19, p % 1000),
                    forename="Pupil",
                    surname=f"{p:06d}",
                    date_of_birth=date(2012, 1, 1),
                    school=schools[p // 1000],
                    year_group="8",
                )
                for p in range(n)
            ),
            batch_size=5000,
        )
        ids = [p.pk for p in pupils]
        school_ids = [s.pk for s in schools]

        def rows():
            for p in range(n):
                pid, sid, row = ids[p], school_ids[p // 1000], codes[p].tolist()
                for s, c in enumerate(row):
                    if c != NO_MARK:
                        yield (pid, iso[s >> 1], s & 1, code_names[c], sid)

        marks = demo.insert_marks(rows())
    return ids, marks


# --- The floor: every measure for every pupil at once ---------------------------------------------


def floor_measures(
    codes: np.ndarray, session_days: np.ndarray, *, as_of: date, conduct
) -> dict[str, np.ndarray]:
    """domain.md section 2 over a dense register, vectorised across pupils. Arrays out, one per measure."""
    from cases import demo, rules

    keep = session_days <= as_of.toordinal()
    codes, session_days = codes[:, keep], session_days[keep]
    names = [*demo.CODES, None]  # NO_MARK (-1) indexes the last entry

    def table(test) -> np.ndarray:
        return np.array([name is not None and test(name) for name in names], dtype=bool)

    idx = codes.astype(np.intp)  # -1 picks the NO_MARK entry
    counted = table(lambda c: c not in rules.NOT_COUNTED_CODES)[idx]
    attended = table(lambda c: c in rules.ATTENDED_CODES)[idx]
    marked = table(lambda c: c != rules.CLOSURE_CODE)[idx]  # a mark other than '#'
    threshold = table(lambda c: c in conduct.threshold_codes)[idx]
    late = table(lambda c: c in rules.LATE_CODES)[idx]
    is_n = table(lambda c: c == rules.NOT_ESTABLISHED_CODE)[idx]
    illness = table(lambda c: c == rules.ILLNESS_CODE)[idx]
    unexplained = table(lambda c: c in rules.UNEXPLAINED_CODES)[idx]

    this_year = session_days >= rules.academic_year_start(as_of).toordinal()
    possible = counted[:, this_year].sum(1)
    attended_n = (attended & counted)[:, this_year].sum(1)
    absent = possible - attended_n
    out: dict[str, np.ndarray] = {
        "possible_sessions": possible,
        "attended_sessions": attended_n,
        "attendance_tenths": np.where(
            possible > 0, (2000 * attended_n + possible) // np.maximum(2 * possible, 1), -1
        ),
        "persistent_absence": (possible > 0) & (absent * 100 >= possible * rules.PERSISTENT_ABSENCE_PERCENT),
        "severe_absence": (possible > 0) & (absent * 100 >= possible * rules.SEVERE_ABSENCE_PERCENT),
        "pending_n_sessions": is_n[:, this_year].sum(1),
        "illness_sessions": illness[:, this_year].sum(1),
    }
    out["sickness_return_due"] = out["illness_sessions"] >= rules.SICKNESS_RETURN_SESSIONS

    # School weeks: calendar weeks (Monday to Sunday) holding a mark other than '#', numbered per pupil.
    week_of = (session_days - 1) // 7
    weeks, week_first = np.unique(week_of, return_index=True)
    week_col = np.searchsorted(weeks, week_of)
    school_week = np.add.reduceat(marked, week_first, axis=1) > 0
    number = np.cumsum(school_week, axis=1, dtype=np.int32)  # school-week number of each calendar week
    total = number[:, np.searchsorted(weeks, (as_of.toordinal() - 1) // 7, side="right") - 1]

    def in_last(size: int) -> np.ndarray:
        first = np.maximum(total - size + 1, 1)
        return (number >= first[:, None]) & (total > 0)[:, None]

    out["unauthorised_in_window"] = (threshold & in_last(conduct.threshold_school_weeks)[:, week_col]).sum(1)
    out["late_marks_recent"] = (late & in_last(conduct.lateness_school_weeks)[:, week_col]).sum(1)
    out["lateness_concern"] = out["late_marks_recent"] >= conduct.lateness_marks

    # Threshold: at a counted session s, counted sessions so far minus those in school weeks <= w(s) - size.
    per_week = np.add.reduceat(threshold, week_first, axis=1).astype(np.int32)
    upto_week = np.cumsum(per_week, axis=1)
    by_number = np.zeros((len(codes), len(weeks) + 1), dtype=np.int32)
    rows, cols = np.nonzero(school_week)
    by_number[rows, number[rows, cols]] = upto_week[rows, cols]
    session_number = number[:, week_col]
    before_window = np.take_along_axis(
        by_number, np.maximum(session_number - conduct.threshold_school_weeks, 0), axis=1
    )
    reached = threshold & (
        np.cumsum(threshold, axis=1, dtype=np.int32) - before_window >= conduct.threshold_sessions
    )
    reached &= this_year
    met = reached.any(1)
    out["pn_threshold_met"] = met
    out["pn_threshold_first_met"] = np.where(met, session_days[np.argmax(reached, axis=1)], 0)

    # Stale N: more than 5 school days (days with a mark other than '#') after the N's day.
    school_day = marked[:, 0::2] | marked[:, 1::2]
    after = school_day.sum(1, dtype=np.int32)[:, None] - np.cumsum(school_day, axis=1, dtype=np.int32)
    stale = is_n & this_year & (np.repeat(after, 2, axis=1) > rules.N_RESOLVE_SCHOOL_DAYS)
    out["stale_n_sessions"] = stale.sum(1)

    # Trailing run of N/O among counted sessions, stepping over not-counted ones.
    breaker = counted & ~unexplained
    has_breaker = breaker.any(1)
    last_breaker = breaker.shape[1] - 1 - np.argmax(breaker[:, ::-1], axis=1)
    counted_upto = np.cumsum(counted, axis=1, dtype=np.int32)
    run = counted_upto[:, -1] - np.where(has_breaker, counted_upto[np.arange(len(codes)), last_breaker], 0)
    out["unexplained_run_sessions"] = run
    out["cme_risk"] = run >= conduct.cme_unexplained_sessions
    return out


def compare(results, floor: dict[str, np.ndarray], ids: list[int]) -> dict[str, int]:
    """Mismatches per measure between the scan's results and the floor's arrays."""
    row_of = {pid: i for i, pid in enumerate(ids)}
    mismatches = dict.fromkeys(floor, 0)
    for r in results:
        i, m = row_of[r.pupil_id], r.measures
        scan_values = {
            **{name: getattr(m, name) for name in floor if hasattr(m, name)},
            "attendance_tenths": -1 if m.attendance_pct is None else round(m.attendance_pct * 10),
            "pn_threshold_first_met": m.pn_threshold_first_met.toordinal() if m.pn_threshold_first_met else 0,
        }
        for name, value in scan_values.items():
            if value != floor[name][i]:
                mismatches[name] += 1
    return mismatches


def main() -> None:
    args = parse_args()
    url, scratch = args.database_url, None
    if not url:
        scratch = Path(tempfile.mkdtemp(prefix="scan-bench-"))
        url = f"sqlite:///{scratch / 'bench.db'}"
    try:
        run(args, url)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)  # about 40 MB per 1,000 pupils


def run(args: argparse.Namespace, url: str) -> None:
    setup_django(url)
    from django.db import connection

    from cases import rules, scan

    t = time.perf_counter()
    calendar, codes, session_days = generate(args.pupils, args.seed)
    generated = time.perf_counter() - t
    t = time.perf_counter()
    ids, marks = insert(codes, calendar, args.seed)
    inserted = time.perf_counter() - t
    print(f"database      {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"generated     {args.pupils:,} pupils, {codes.shape[1]} sessions each, in {generated:.1f} s")
    print(f"inserted      {marks:,} marks in {inserted:.1f} s ({marks / inserted:,.0f} marks/s)")

    timings = scan.ScanTimings() if hasattr(scan, "ScanTimings") else None
    t = time.perf_counter()
    results = scan.scan(as_of=AS_OF, timings=timings) if timings is not None else scan.scan(as_of=AS_OF)
    scan_seconds = time.perf_counter() - t

    t = time.perf_counter()
    floor = floor_measures(codes, session_days, as_of=AS_OF, conduct=rules.NATIONAL)
    numpy_seconds = time.perf_counter() - t

    mismatches = compare(results, floor, ids)
    print(f"marks         {marks:,}")
    print(f"pupils        {len(results):,}")
    print(f"scan          {scan_seconds:.2f} s  ({marks / scan_seconds:,.0f} marks/s)")
    if timings is not None:
        print(f"  load        {timings.load_seconds:.2f} s  (query, fetch, rows to tuples)")
        print(f"  compute     {timings.compute_seconds:.2f} s  (rules.measure per pupil)")
        print(f"  other       {scan_seconds - timings.load_seconds - timings.compute_seconds:.2f} s")
    print(f"numpy floor   {numpy_seconds:.3f} s  ({marks / numpy_seconds:,.0f} marks/s)")
    print(f"ratio         scan/numpy = {scan_seconds / numpy_seconds:.0f}x")
    print(
        f"measures      {len(floor)} compared; "
        f"pupils persistent {int(floor['persistent_absence'].sum())}, threshold met {int(floor['pn_threshold_met'].sum())}, "
        f"stale N {int((floor['stale_n_sessions'] > 0).sum())}, CME {int(floor['cme_risk'].sum())}"
    )
    total = sum(mismatches.values())
    print(
        f"mismatches    {total}"
        + ("" if not total else "  " + str({k: v for k, v in mismatches.items() if v}))
    )
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
