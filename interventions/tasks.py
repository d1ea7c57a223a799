"""Celery tasks of the interventions app: take plain values, call one service, safe to retry."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def la_service_level_sweep(as_of: str | None = None) -> dict:
    """Daily: flags notifications waiting longer than their LA's service level, and counts the open penalty
    notice requests and the prosecution referrals waiting for a decision past it. Idempotent: a notification is flagged once, on the first day it is seen late."""
    from interventions.services import la_service_level_flag

    today = date.fromisoformat(as_of) if as_of else timezone.localdate()
    sweep = la_service_level_flag(today=today)
    return {
        "as_of": today.isoformat(),
        "checked": sweep.checked,
        "flagged": sweep.flagged,
        "penalty_notice_requests_overdue": sweep.requests_overdue,
        "prosecution_referrals_overdue": sweep.referrals_overdue,
    }


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def adjustment_reviews_due_email() -> int:
    """Daily: emails each school's SENCo and DSL (those who review adjustments) when reasonable adjustment reviews
    fall due that day, one email per school. Idempotent: the email of a school and a day is sent once."""
    from cases.my_work import announce
    from interventions.my_work import schools_with_adjustment_reviews_falling_due

    schools = schools_with_adjustment_reviews_falling_due(today=timezone.localdate())
    for school_id in schools:
        announce("adjustment_reviews_due", school_id)  # outside a transaction: sent at once
    return len(schools)
