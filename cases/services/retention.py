"""The register's retention: entries are kept for 6 years from the date they were made, and no longer.

An entry is made on its session's day, or when it was last amended; a session whose code was changed within
the 6 years is kept with its whole amendment history. Deleted set-wise (one statement per table), in one
transaction, and written to the audit log with the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases import rules
from cases.audit import audit
from cases.models import Mark, MarkAmendment


@dataclass(frozen=True)
class RetentionResult:
    kept_from: date
    marks: int
    amendments: int
    dry_run: bool


def register_retention_purge(*, today: date | None = None, dry_run: bool = False) -> RetentionResult:
    """Deletes the register entries (marks and their amendments) past the 6 years; ``dry_run`` only counts."""
    today = today or timezone.localdate()
    kept_from = rules.register_kept_from(today)
    amended_since = timezone.make_aware(datetime.combine(kept_from, time.min))
    recently_amended = MarkAmendment.objects.filter(
        pupil_id=OuterRef("pupil_id"), date=OuterRef("date"), session=OuterRef("session"), amended_at__gte=amended_since,
    )
    marks = Mark.objects.filter(date__lt=kept_from).exclude(Exists(recently_amended))
    amendments = MarkAmendment.objects.filter(date__lt=kept_from).exclude(Exists(recently_amended))
    with transaction.atomic():
        counts = (marks.count(), amendments.count())
        if not dry_run and any(counts):
            counts = (marks.delete()[0], amendments.delete()[0])
            audit(action="register.retention_purge",
                  detail=f"{counts[0]} marks and {counts[1]} amendments made before {kept_from.isoformat()}")
    return RetentionResult(kept_from=kept_from, marks=counts[0], amendments=counts[1], dry_run=dry_run)
