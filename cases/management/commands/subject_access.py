"""A subject access request: everything held about one pupil and their parents, as a ZIP of JSON and PDFs."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.models import Pupil
from cases.services.subject_access import subject_access_export


class Command(BaseCommand):
    help = "Export everything held about one pupil and their parents (a subject access request) as a ZIP."

    def add_arguments(self, parser):
        parser.add_argument("--upn", required=True, help="the pupil's UPN")
        parser.add_argument("--out", default=".", help="the folder to write the ZIP to (default: here)")

    def handle(self, *args, upn, out, **options):
        pupil = Pupil.objects.filter(upn=upn.strip()).first()
        if pupil is None:
            raise CommandError(f"--upn: no pupil with UPN {upn!r}")
        folder = Path(out)
        if not folder.is_dir():
            raise CommandError(f"--out: {out!r} is not a folder")
        path = folder / f"subject-access-{pupil.upn}-{timezone.localdate().isoformat()}.zip"
        path.write_bytes(subject_access_export(pupil=pupil))
        self.stdout.write(str(path))
