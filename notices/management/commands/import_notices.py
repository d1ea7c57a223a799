from __future__ import annotations

from cases.imports import ImportResult
from cases.imports.command import ImportCommand
from notices.penalty.imports import import_notices


class Command(ImportCommand):
    help = "Record penalty notices from the LA's records (notices.csv), all or nothing."

    def run_import(self, **options) -> ImportResult:
        return import_notices(path=options["path"])
