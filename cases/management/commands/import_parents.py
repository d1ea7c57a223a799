from __future__ import annotations

from cases.imports import ImportResult, import_parents
from cases.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Create or update parents and their relationships to pupils from parents.csv, all or nothing."

    def run_import(self, **options) -> ImportResult:
        return import_parents(path=options["path"], progress=options["progress"])
