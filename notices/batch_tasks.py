"""Celery tasks of letter batches: take ids, call one service, safe to retry.

Celery autodiscovers only ``tasks`` modules: notices.apps imports this one when the app is ready.
"""

from __future__ import annotations

from celery import shared_task

from notices.batches import letter_batch_run


@shared_task(
    name="notices.batch_tasks.letter_batch_run",
    acks_late=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def letter_batch_run_task(batch_id: int, plan: list[list[int]]) -> dict:
    """Makes the batch's letters and its combined PDF. Idempotent: letters already made are not made again."""
    batch = letter_batch_run(batch_id=batch_id, plan=plan)
    return {"batch": batch.pk, "status": batch.status, "done": batch.done, "total": batch.total}
