"""Celery tasks of the notices app: take plain values, call one service, safe to retry."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from notices.improvement.services import notices_to_improve_reviews_record


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def notices_to_improve_review_due(as_of: str | None = None) -> dict:
    """Asks on each case's chronology for the outcome of every notice to improve whose improvement period has
    ended without one. Idempotent: a notice already asked about is never asked about again."""
    today = date.fromisoformat(as_of) if as_of else timezone.localdate()
    created = notices_to_improve_reviews_record(today=today)
    return {"as_of": today.isoformat(), "entries_created": len(created)}


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def penalty_notices_unpaid_sweep() -> dict:
    """Daily: every issued notice past its 28 days becomes unpaid and goes on the LA officer's list."""
    from notices.penalty.services import penalty_notices_mark_unpaid

    sweep = penalty_notices_mark_unpaid(today=timezone.localdate())
    return {"checked": sweep.checked, "marked_unpaid": sweep.marked_unpaid}


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def case_retention(as_of: str | None = None) -> dict:
    """Monthly: closed case files past their LA's retention period are deleted. Idempotent: a re-run finds none."""
    from notices.case_retention import case_retention_purge

    result = case_retention_purge(today=date.fromisoformat(as_of) if as_of else None)
    return {"deleted": result.deleted, "held": {str(k): v for k, v in result.held.items()}}
