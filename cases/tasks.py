"""Celery tasks: take plain values, call one service, safe to retry."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from cases.nightly import nightly_scan


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def nightly_attendance_scan(as_of: str | None = None, school_ids: list[int] | None = None) -> dict:
    """The nightly scan over every pupil: snapshots and alerts. Idempotent: a re-run raises nothing new."""
    summary = nightly_scan(as_of=date.fromisoformat(as_of) if as_of else None, school_ids=school_ids)
    return {
        "as_of": summary.as_of.isoformat(),
        "pupils": summary.pupils,
        "alerts_created": summary.alerts_created,
        "alerts_by_kind": summary.alerts_by_kind,
    }


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def register_retention(as_of: str | None = None) -> dict:
    """Monthly: register entries past the regulations' 6 years are deleted. Idempotent: a re-run finds none."""
    from cases.services.retention import register_retention_purge

    result = register_retention_purge(today=date.fromisoformat(as_of) if as_of else None)
    return {"kept_from": result.kept_from.isoformat(), "marks": result.marks, "amendments": result.amendments}

