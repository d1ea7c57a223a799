"""The Celery task of the evidence bundle: takes the run's id, calls one service, safe to retry.

Celery autodiscovers only ``tasks`` modules of apps: notices.apps imports this one when the app is ready.
"""

from __future__ import annotations

from celery import shared_task

from notices.bundle.runs import evidence_bundle_run


@shared_task(
    name="notices.bundle.evidence_bundle_run",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def evidence_bundle_run_task(run_id: int) -> dict:
    """Makes the run's evidence bundle; a run already done is left as it is."""
    run = evidence_bundle_run(run_id=run_id)
    return {"run": run.pk, "status": run.status, "bundle": run.bundle_id}
