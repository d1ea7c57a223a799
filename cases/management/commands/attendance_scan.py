"""python manage.py attendance_scan --as-of YYYY-MM-DD --format json [--upn UPN ...] (shared/contract.md 2)."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cases.imports.csvfile import Invalid, parse_date
from cases.nightly import alerts_raise, snapshots_save
from cases.scan import ScanTimings, UnknownPupil, measures_json, scan


def _iso_date(value: str) -> date:
    try:
        return parse_date(value)
    except Invalid:
        raise CommandError(f"--as-of: {value!r} is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Print every pupil's attendance measures as of a date (JSON on stdout, progress on stderr)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("--upn", nargs="+", action="extend", dest="upns", help="only these pupils")
        parser.add_argument(
            "--save",
            action="store_true",
            help="also store the results as the pupils' snapshots and raise alerts, as the nightly task does",
        )

    def handle(self, *args, **options) -> None:
        as_of = _iso_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        timings = ScanTimings()
        try:
            results = scan(as_of=as_of, upns=options["upns"], timings=timings)
        except UnknownPupil as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps([measures_json(r) for r in results], indent=2))
        self.stderr.write(
            f"scanned {timings.pupils} pupils, {timings.marks} marks as of {as_of.isoformat()} "
            f"(read {timings.load_seconds:.2f}s, rules {timings.compute_seconds:.2f}s)"
        )
        if options["save"]:
            snapshots_save(as_of=as_of, results=results)
            created = alerts_raise(as_of=as_of, results=results)
            self.stderr.write(f"saved {len(results)} snapshots, {sum(created.values())} new alerts")
