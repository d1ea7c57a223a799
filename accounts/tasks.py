"""Celery tasks of the accounts app: take ids, safe to retry."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def send_work_email(event: str, object_id: int) -> int:
    """Emails the people an event concerns (``cases.my_work``); a retry skips those already sent."""
    from accounts.work_email import work_email_send

    return work_email_send(event=event, object_id=object_id)
