"""What the three import commands share: run a service, print the summary or every problem."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cases.imports.csvfile import ImportFailed, ImportResult

# A file of a million bad rows (a wrong export) must not print a million lines: the first ones show what is
# wrong, and the count says how much.
MAX_LISTED_PROBLEMS = 1000


class ImportCommand(BaseCommand):
    """``manage.py import_x FILE``: the summary line on stdout; progress and problems on stderr."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the CSV file (UTF-8, header row); see contract.md section 1")

    def run_import(self, **options: Any) -> ImportResult:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbose = options["verbosity"] >= 1
        options["progress"] = (
            (lambda message: self.stderr.write(message, style_func=None)) if verbose else None
        )
        try:
            result = self.run_import(**options)
        except ImportFailed as failure:
            for problem in failure.problems[:MAX_LISTED_PROBLEMS]:
                self.stderr.write(str(problem), style_func=None)
            count = len(failure.problems)
            if count > MAX_LISTED_PROBLEMS:
                more = count - MAX_LISTED_PROBLEMS
                self.stderr.write(f"… and {more} more problem{'s' if more != 1 else ''}", style_func=None)
            raise CommandError(
                f"{options['path']}: {count} problem{'s' if count != 1 else ''}; nothing from this file was saved"
            ) from None
        self.stdout.write(result.summary())
        if verbose:
            self.stderr.write(f"{result.file}: done in {time.monotonic() - started:.1f}s", style_func=None)
