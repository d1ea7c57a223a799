from __future__ import annotations

from cases.imports import ImportResult, import_pupils
from cases.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Create or update pupils (and their schools) from pupils.csv, all or nothing."

    def run_import(self, **options) -> ImportResult:
        return import_pupils(path=options["path"], progress=options["progress"])
