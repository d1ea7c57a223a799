"""Celery tasks of the notices app: take plain values, call one service, safe to retry."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from notices.services import notices_to_improve_reviews_record


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def notices_to_improve_review_due(as_of: str | None = None) -> dict:
    """Asks on each case's chronology for the outcome of every notice to improve whose improvement period has
    ended without one. Idempotent: a notice already asked about is never asked about again."""
    today = date.fromisoformat(as_of) if as_of else timezone.localdate()
    created = notices_to_improve_reviews_record(today=today)
    return {"as_of": today.isoformat(), "entries_created": len(created)}
