"""Every write of the cases app: keyword-only, atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.audit import audit
from cases.errors import DomainError
from cases.models import Alert


class AlertAlreadyResolved(DomainError):
    """Someone else marked the alert as dealt with first."""


@transaction.atomic
def alert_resolve(*, alert: Alert, user) -> Alert:
    """Marks an open alert as dealt with by ``user`` and records it in the audit trail."""
    # Locked re-read: two people pressing the button at once must not both resolve it.
    locked = Alert.objects.select_for_update(of=("self",)).select_related("pupil", "school").get(pk=alert.pk)
    if locked.resolved_at is not None:
        raise AlertAlreadyResolved(f"This alert was already marked as dealt with on {locked.resolved_at:%d %B %Y}.")
    locked.resolved_at = timezone.now()
    locked.resolved_by = user
    locked.save(update_fields=["resolved_at", "resolved_by"])
    audit(
        user=user,
        action="alert.resolve",
        pupil=locked.pupil,
        school=locked.school,
        detail=f"{locked.get_kind_display()} ({locked.dedup_key}) marked as dealt with",
    )
    alert.resolved_at, alert.resolved_by = locked.resolved_at, locked.resolved_by
    return locked
