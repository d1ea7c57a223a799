"""python manage.py check_records: lists saved rows that break the policy of cases.facts.

One line per row and field, ``model id: field: problem`` (e.g. ``meetings.Meeting 12: starts_at: The date of
the meeting held must be on or after the date the case was opened (3 March 2026)``), sorted; exit status 1
when any row is listed, 0 when none. Rows saved before the services enforced the policy are found here, to be
corrected by hand. Each app adds its checks with ``cases.record_checks.record_check``.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.record_checks import all_problems


class Command(BaseCommand):
    help = "List saved rows whose dates, amounts or text break the casework's policy (exit 1 if any)."

    def handle(self, *args, **options):
        problems = all_problems(today=timezone.localdate())
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            self.stderr.write(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
            sys.exit(1)
        self.stderr.write("No problems found")
