"""The LA attendance officer's tasks about penalty notices: marking one done, with what was done."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases import facts
from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import EventKind
from cases.permissions import is_la_officer_of, require
from cases.services.chronology import case_event_record
from notices.models import OfficerTask, OfficerTaskKind


class OfficerTaskRefused(DomainError):
    pass


@transaction.atomic
def officer_task_complete(*, task: OfficerTask, by, note: str) -> OfficerTask:
    """Marks a task done. Stopping a prosecution is done when the officer confirms it was withdrawn (the note
    says how); deciding on an unpaid notice is done by the decision itself, never by ticking it off."""
    if not is_la_officer_of(by, task.local_authority):
        require(False, "complete a local authority officer's task")
    task = OfficerTask.objects.select_for_update(of=("self",)).select_related("notice__pupil", "notice__case").get(pk=task.pk)
    if task.done_at is not None:
        raise OfficerTaskRefused(f"This task was already marked done on {long_date(task.done_at)}.")
    if task.kind == OfficerTaskKind.DECIDE_UNPAID:
        raise OfficerTaskRefused(
            "Decide on the unpaid notice instead: refer it for prosecution or withdraw it. The task closes itself."
        )
    if not note.strip():
        raise OfficerTaskRefused("Say how the prosecution was withdrawn, for example when the court was told.")
    facts.text(note, what="How the prosecution was withdrawn", field="note")
    task.done_at, task.done_by = timezone.now(), by
    task.save(update_fields=["done_at", "done_by"])
    notice = task.notice
    summary = f"{task.get_kind_display()}: done for {notice.reference}"
    if notice.case_id:
        case_event_record(case=notice.case, kind=EventKind.NOTICE, summary=summary, by=by, reason=note.strip(),
                          evidence=[f"penalty_notice:{notice.pk}"])
    audit(user=by, action="officer_task.complete", pupil=notice.pupil, detail=f"task {task.pk}: {summary}")
    return task
