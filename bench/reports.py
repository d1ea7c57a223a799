"""Times the attendance reports on a seeded database (by default the demo's db.sqlite3) and prints the figures.

    .venv/bin/python manage.py seed_demo            # once: ~3,000 pupils, marks from 1 September 2025 to today
    .venv/bin/python bench/reports.py               # the LA report and one school's, each year on record
    .venv/bin/python bench/reports.py --runs 9 --database-url sqlite:////tmp/other.db

Each report is rendered by its view (HTML, charts included) as the LA officer or the school's DSL would get
it, ``--runs`` times; the median and the fastest are printed with the number of queries and how many register
marks the year holds. Everything runs inside a transaction that is rolled back, so the audit rows the views
write are not kept. Not part of the test suite: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="default: the settings' database (db.sqlite3)")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases.models import LocalAuthority, Mark, StaffProfile
    from cases.selectors import reports as selectors
    from cases.views.reports import la_report, school_report

    local_authority = LocalAuthority.objects.order_by("pk").first()
    if local_authority is None:
        sys.exit("No local authority in this database: run `manage.py seed_demo` first.")
    officer = StaffProfile.objects.filter(local_authority=local_authority).select_related("user").first()
    school_staff = (StaffProfile.objects.filter(school__local_authority=local_authority, role="dsl")
                    .select_related("user", "school").first())
    pupils = selectors.la_pupils(local_authority=local_authority).count()
    print(f"{local_authority.name}: {pupils:,} pupils; {args.runs} runs each; {connection.vendor}")
    years = selectors.academic_years(local_authority.schools.all())
    factory = RequestFactory()

    def measure(view, user, path, **kwargs):
        times, queries = [], 0
        for _ in range(args.runs):
            request = factory.get(path, {"year": year})
            request.user = user
            with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = view(request, **kwargs)
                times.append(time.perf_counter() - started)
                transaction.set_rollback(True)
            assert response.status_code == 200, response.status_code
            queries = len(captured)
        return statistics.median(times), min(times), queries

    for year in years:
        start, as_of = selectors.year_bounds(year, timezone.localdate())
        marks = Mark.objects.filter(pupil__in=selectors.la_pupils(local_authority=local_authority),
                                    date__gte=start, date__lte=as_of).count()
        print(f"\n{selectors.year_label(year)} (to {as_of}): {marks:,} marks")
        if officer is not None:
            median, fastest, queries = measure(la_report, officer.user, "/", code=local_authority.code)
            print(f"  LA report ({officer.user.username}):  median {median:.3f} s, fastest {fastest:.3f} s, "
                  f"{queries} queries")
        if school_staff is not None:
            median, fastest, queries = measure(school_report, school_staff.user, "/", urn=school_staff.school.urn)
            print(f"  {school_staff.school.name} ({school_staff.user.username}):  median {median:.3f} s, "
                  f"fastest {fastest:.3f} s, {queries} queries")


if __name__ == "__main__":
    main()
