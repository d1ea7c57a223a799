"""Deletes closed case files past their LA's retention period (or, with --dry-run, lists them)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from notices.case_retention import case_retention_purge


class Command(BaseCommand):
    help = ("Delete closed case files kept longer than the LA's case_retention_years, except those under an "
            "open LA process (--dry-run only lists them).")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the day to count from, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="list what would go; delete nothing")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        try:
            today = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        result = case_retention_purge(today=today, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for case_id, reason in sorted(result.held.items()):
            self.stdout.write(f"case {case_id}: kept past its period: {reason}")
        self.stdout.write(f"Closed case files past their retention period: {verb} {len(result.deleted)}"
                          + (f" (cases {', '.join(map(str, result.deleted))})" if result.deleted else "")
                          + f"; {len(result.held)} held by an open LA process")
