from __future__ import annotations

from cases.imports import ImportResult, import_register
from cases.imports.command import ImportCommand
from cases.imports.register import DEFAULT_AMENDED_BY, DEFAULT_POSITION
from cases.tasks import nightly_attendance_scan


class Command(ImportCommand):
    help = (
        "Record attendance marks from register.csv, all or nothing. A changed code is recorded as an "
        "amendment (original, new, reason, when, by whom)."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--amended-by", default=DEFAULT_AMENDED_BY, metavar="NAME", help="who amends changed codes"
        )
        parser.add_argument(
            "--position", default=DEFAULT_POSITION, metavar="POSITION", help="their position (job title)"
        )

    def run_import(self, **options) -> ImportResult:
        result = import_register(
            path=options["path"],
            amended_by=options["amended_by"],
            position=options["position"],
            progress=options["progress"],
        )
        if result.rescan_school_ids:
            # Snapshots and alerts follow the register: re-scan the schools whose marks changed. The marks
            # are saved whatever happens next, so a failed re-scan is reported but never fails the import.
            try:
                nightly_attendance_scan.delay(school_ids=list(result.rescan_school_ids))
            except Exception as exc:  # noqa: BLE001 - the nightly scan will catch up
                self.stderr.write(f"the marks were saved, but the attendance re-scan failed ({exc}); "
                                  "the nightly scan will bring snapshots and alerts up to date")
            else:
                self.stderr.write(f"attendance scan queued for {len(result.rescan_school_ids)} school(s)")
        return result
