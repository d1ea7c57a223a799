"""After a notice to improve is issued: its outcome, an early ground for a penalty notice, the reviews due."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases.audit import audit
from cases.formatting import long_date
from cases.models import CaseEvent, CaseState, EventKind
from cases.permissions import can_move_case, require
from cases.services.chronology import case_event_record
from notices.models import NoticeOutcome, NoticeToImprove
from notices.services.nti.errors import NoticeToImproveRefused
from notices.services.nti.offences import improvement_period_attendance


def _lock_notice(notice: NoticeToImprove) -> NoticeToImprove:
    return NoticeToImprove.objects.select_for_update(of=("self",)).select_related("case__pupil__school").get(pk=notice.pk)


@transaction.atomic
def notice_to_improve_record_outcome(*, notice: NoticeToImprove, by, improved: bool, note: str) -> NoticeToImprove:
    """Records whether attendance improved sufficiently, once the improvement period has ended, with the
    attendance in the period computed from the register as the entry's evidence."""
    require(can_move_case(by, notice.case.pupil), "record the outcome of a notice to improve")
    notice = _lock_notice(notice)
    today = timezone.localdate()
    ends = long_date(notice.improvement_period_ends_on)
    if notice.outcome != NoticeOutcome.PENDING:
        raise NoticeToImproveRefused(
            f"The outcome of this notice was already recorded on {long_date(notice.outcome_recorded_on)}: "
            f"{notice.get_outcome_display().lower()}."
        )
    if notice.improvement_period_ends_on >= today:
        raise NoticeToImproveRefused(
            f"The improvement period runs until {ends}: record the outcome from "
            f"{long_date(notice.improvement_period_ends_on + timedelta(days=1))}."
        )
    if not note.strip():
        raise NoticeToImproveRefused("Say how you reached the outcome: it goes on the case's chronology.")
    attendance = improvement_period_attendance(notice=notice)
    notice.outcome = NoticeOutcome.IMPROVED if improved else NoticeOutcome.NOT_IMPROVED
    notice.outcome_recorded_on = today
    notice.save(update_fields=["outcome", "outcome_recorded_on"])
    case_event_record(
        case=notice.case,
        kind=EventKind.NOTICE,
        summary=f"Notice to improve of {long_date(notice.issued_on)}: {notice.get_outcome_display().lower()} "
                f"by {ends}",
        by=by,
        reason=note.strip(),
        evidence=[*attendance.evidence(), f"Sufficient improvement meant: {notice.sufficient_improvement}"],
    )
    audit(user=by, action="nti.outcome", pupil=notice.case.pupil, detail=f"notice {notice.pk}: {notice.outcome}")
    return notice


@transaction.atomic
def notice_to_improve_invoke_early_ground(*, notice: NoticeToImprove, by, ground: str) -> NoticeToImprove:
    """Records that one of the grounds the notice stated for an earlier penalty notice has arisen."""
    require(can_move_case(by, notice.case.pupil), "record a ground for an earlier penalty notice")
    notice = _lock_notice(notice)
    if not notice.early_penalty_grounds.strip():
        raise NoticeToImproveRefused(
            "This notice stated no grounds for a penalty notice before the improvement period ends, so none can arise."
        )
    if not ground.strip():
        raise NoticeToImproveRefused("Say which of the grounds the notice stated has arisen, and when.")
    if notice.outcome != NoticeOutcome.PENDING:
        raise NoticeToImproveRefused(
            f"The outcome of this notice was already recorded ({notice.get_outcome_display().lower()})."
        )
    if notice.early_ground_invoked:
        raise NoticeToImproveRefused(f"A ground was already recorded on this notice: {notice.early_ground_invoked}")
    notice.early_ground_invoked = ground.strip()
    notice.save(update_fields=["early_ground_invoked"])
    case_event_record(
        case=notice.case,
        kind=EventKind.NOTICE,
        summary=f"Notice to improve of {long_date(notice.issued_on)}: a stated ground for an earlier penalty "
                "notice has arisen",
        by=by,
        reason=notice.early_ground_invoked,
        evidence=[f"Grounds the notice stated: {notice.early_penalty_grounds}"],
    )
    audit(user=by, action="nti.early_ground", pupil=notice.case.pupil, detail=f"notice {notice.pk}")
    return notice


def review_due_summary(notice: NoticeToImprove) -> str:
    """The chronology line that asks for the outcome; also how the review task knows it already wrote it."""
    return (
        f"Improvement period ended on {long_date(notice.improvement_period_ends_on)}: record the outcome "
        f"(notice to improve of {long_date(notice.issued_on)})"
    )


@transaction.atomic
def notices_to_improve_reviews_record(*, today: date) -> list[CaseEvent]:
    """For each notice whose improvement period ended before ``today`` with no outcome, on an open case, one
    chronology entry asking for the outcome: never a second for the same notice, however often it runs."""
    due = (
        NoticeToImprove.objects.select_for_update()
        .filter(outcome=NoticeOutcome.PENDING, improvement_period_ends_on__lt=today)
        .exclude(case__state=CaseState.CLOSED)
        .select_related("case")
        .order_by("improvement_period_ends_on", "pk")
    )
    created = []
    for notice in due:
        summary = review_due_summary(notice)
        if CaseEvent.objects.filter(case=notice.case, kind=EventKind.NOTICE, summary=summary[:300]).exists():
            continue
        created.append(case_event_record(case=notice.case, kind=EventKind.NOTICE, summary=summary, by=None))
    return created
