"""Celery tasks of letter batches: take ids, call one service, safe to retry.

Celery autodiscovers only ``tasks`` modules: notices.apps imports this one when the app is ready.
"""

from __future__ import annotations

from celery import shared_task

from notices.letters.batches import letter_batch_run
from notices.models import BatchStatus


@shared_task(
    name="notices.batch_tasks.letter_batch_run",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def letter_batch_run_task(batch_id: int, plan: list[list[int]] | None = None) -> dict:
    """Makes the next step of the batch's letters, then queues the step after; the last step makes the PDF.

    Idempotent: letters already made are not made again. ``plan`` is read only from tasks queued before the
    plan was stored on the batch.
    """
    batch = letter_batch_run(batch_id=batch_id, plan=plan)
    if batch.status == BatchStatus.RUNNING and batch.done < batch.total:
        letter_batch_run_task.delay(batch.pk)
    return {"batch": batch.pk, "status": batch.status, "done": batch.done, "total": batch.total}
