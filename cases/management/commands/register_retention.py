"""Deletes register entries past the 6 years the regulations keep them for (or, with --dry-run, counts them)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cases.services.retention import register_retention_purge


class Command(BaseCommand):
    help = "Delete register marks and amendments made more than 6 years ago (--dry-run only counts them)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the day to count from, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="count what would go; delete nothing")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        try:
            today = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        result = register_retention_purge(today=today, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"Register entries made before {result.kept_from.isoformat()}: {verb} "
                          f"{result.marks} marks and {result.amendments} amendments")
