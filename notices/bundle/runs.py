"""The evidence bundle made in the background: asked for from the case page, made by the Celery worker, its
progress on a page of its own.

A bundle takes seconds to a minute to render (the register, the chronology, every letter served appended),
so the page that asks only records the request and queues it; the worker makes it. A run that failed, or
stopped with its worker (nothing for BUNDLE_STUCK_MINUTES), can be tried again: the run stores its bundle at
most once, so a retry or a message delivered twice never makes a second version.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cases.audit import audit
from cases.errors import DomainError
from cases.models import Case
from cases.permissions import can_move_case, require
from notices.bundle.generate import BundleRefused, evidence_bundle_generate, offence_period_check
from notices.bundle.models import BundleStatus, EvidenceBundleRun

logger = logging.getLogger(__name__)

UNFINISHED = (BundleStatus.QUEUED, BundleStatus.RUNNING)


def bundle_run_is_stuck(run: EvidenceBundleRun, *, now=None) -> bool:
    """Unfinished, and nothing has happened to it for BUNDLE_STUCK_MINUTES: no worker is taking the work."""
    if run.status not in UNFINISHED:
        return False
    last = run.started_at or run.requested_at
    return (now or timezone.now()) - last >= timedelta(minutes=settings.BUNDLE_STUCK_MINUTES)


def bundle_run_can_retry(run: EvidenceBundleRun) -> bool:
    return run.status == BundleStatus.FAILED or bundle_run_is_stuck(run)


def _enqueue(run: EvidenceBundleRun) -> None:
    from notices.bundle.tasks import evidence_bundle_run_task

    evidence_bundle_run_task.delay_on_commit(run.pk)


@transaction.atomic
def evidence_bundle_request(*, case: Case, by, offence_from: date | None = None,
                            offence_to: date | None = None) -> EvidenceBundleRun:
    """Records the request and queues the bundle to be made after commit; the run the page follows.

    An offence period the bundle cannot be made for is refused now, not by the worker. While a bundle for
    the case is still being made (not stuck), asking again returns that run rather than queueing a second.
    """
    require(can_move_case(by, case.pupil), "make an evidence bundle")
    offence_period_check(offence_from=offence_from, offence_to=offence_to, today=timezone.localdate())
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one request at a time per case
    waiting = EvidenceBundleRun.objects.filter(case=case, status__in=UNFINISHED).first()
    if waiting is not None and not bundle_run_is_stuck(waiting):
        return waiting
    run = EvidenceBundleRun.objects.create(case=case, requested_by=by, requested_at=timezone.now(),
                                           offence_from=offence_from, offence_to=offence_to)
    audit(user=by, action="bundle.request", pupil=case.pupil, detail=f"bundle run {run.pk} for case {case.pk}")
    _enqueue(run)
    return run


def evidence_bundle_run(*, run_id: int) -> EvidenceBundleRun:
    """Makes the run's bundle (the worker's side). Idempotent: a run done is left alone, and the bundle is
    stored at most once (evidence_bundle_generate locks the run). An error marks the run FAILED with a message
    the page shows: a refusal in the words of the refusal, anything else with its kind, for the administrator."""
    with transaction.atomic():
        run = EvidenceBundleRun.objects.select_for_update().get(pk=run_id)
        if run.status == BundleStatus.DONE:
            return run
        run.status, run.started_at, run.error, run.finished_at = BundleStatus.RUNNING, timezone.now(), "", None
        run.save(update_fields=["status", "started_at", "error", "finished_at"])
    try:
        case = Case.objects.select_related("pupil__school__local_authority", "school__local_authority").get(
            pk=run.case_id)
        evidence_bundle_generate(case=case, by=run.requested_by, offence_from=run.offence_from,
                                 offence_to=run.offence_to, run_id=run.pk)
    except Exception as error:
        logger.exception("Evidence bundle run %s failed", run_id)
        message = str(error) if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        with transaction.atomic():
            run = EvidenceBundleRun.objects.select_for_update().get(pk=run_id)
            if run.status != BundleStatus.DONE:
                run.status, run.finished_at, run.error = BundleStatus.FAILED, timezone.now(), message[:2000]
                run.save(update_fields=["status", "finished_at", "error"])
        return run
    run.refresh_from_db()
    return run


@transaction.atomic
def evidence_bundle_retry(*, run: EvidenceBundleRun, by) -> EvidenceBundleRun:
    """Queues a failed or stuck run again; it makes the bundle unless an earlier delivery already stored it."""
    require(can_move_case(by, run.case.pupil), "make an evidence bundle")
    run = EvidenceBundleRun.objects.select_for_update().select_related("case__pupil").get(pk=run.pk)
    if not bundle_run_can_retry(run):
        if run.status == BundleStatus.DONE:
            raise BundleRefused("This evidence bundle is made: there is nothing to try again.")
        raise BundleRefused(
            f"This evidence bundle is still being made (less than {settings.BUNDLE_STUCK_MINUTES} minutes since "
            "it was asked for or started). Wait for it to finish."
        )
    run.status, run.error, run.finished_at, run.started_at = BundleStatus.QUEUED, "", None, None
    run.requested_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "started_at", "requested_at"])
    audit(user=by, action="bundle.retry", pupil=run.case.pupil, detail=f"bundle run {run.pk} for case {run.case_id}")
    _enqueue(run)
    return run


def bundle_run_for_case(*, case: Case, pk: int) -> EvidenceBundleRun:
    """The run of this case (already scoped to the user by case_for_user); another case's is 404."""
    try:
        return (EvidenceBundleRun.objects.select_related("requested_by", "bundle", "case__pupil")
                .defer("bundle__pdf", "bundle__context").get(pk=pk, case=case))
    except EvidenceBundleRun.DoesNotExist:
        raise Http404("No such evidence bundle for this case.") from None
