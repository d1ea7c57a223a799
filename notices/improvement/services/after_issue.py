"""After a notice to improve is issued: its outcome, an early ground for a penalty notice, the reviews due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases import facts, rules
from cases.audit import audit
from cases.formatting import long_date
from cases.models import CaseEvent, CaseState, EventKind, Mark
from cases.permissions import can_move_case, require
from cases.services.chronology import case_event_record
from notices.improvement.services.errors import NoticeToImproveRefused
from notices.improvement.services.offences import improvement_period_attendance
from notices.models import NoticeOutcome, NoticeToImprove, ground_session_sentence


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
    facts.text(note, what="How you reached the outcome", field="note")
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


@dataclass(frozen=True)
class GroundSession:
    """A register session an early ground rests on: an unauthorised mark after the notice was issued."""

    on: date
    session: int
    code: str

    @property
    def key(self) -> str:
        """How a form names the session: ``2025-12-01:AM``."""
        return f"{self.on.isoformat()}:{rules.SESSION_NAMES[self.session]}"

    def stored(self) -> dict:
        return {"date": self.on.isoformat(), "session": rules.SESSION_NAMES[self.session], "code": self.code}

    def sentence(self) -> str:
        return ground_session_sentence(self.on, rules.SESSION_NAMES[self.session], self.code)


def _ground_window(notice: NoticeToImprove, today: date) -> tuple[date, date]:
    """The days an early ground's sessions may fall on: after the date of issue, within the improvement period,
    not after today."""
    return notice.issued_on + timedelta(days=1), min(notice.improvement_period_ends_on, today)


def early_ground_sessions_available(*, notice: NoticeToImprove, today: date) -> list[GroundSession]:
    """The pupil's unauthorised sessions recorded since the notice was issued, in the improvement period: the
    register evidence an early ground may rest on, oldest first."""
    first, last = _ground_window(notice, today)
    if last < first:
        return []
    marks = Mark.objects.filter(pupil_id=notice.case.pupil_id, date__range=(first, last)).order_by("date", "session")
    return [
        GroundSession(on, session, code)
        for on, session, code in marks.values_list("date", "session", "code")
        if rules.CATEGORY.get(code) is rules.Category.UNAUTHORISED
    ]


def _ground_sessions(notice: NoticeToImprove, chosen: Iterable[tuple[date, int]], today: date) -> list[GroundSession]:
    wanted = sorted(set(chosen))
    available = early_ground_sessions_available(notice=notice, today=today)
    if not available:
        raise facts.ImpossibleFact(
            f"No unauthorised session is recorded in the register since the notice was issued on "
            f"{long_date(notice.issued_on)}: an earlier penalty notice must rest on the register, so no ground "
            "can be recorded yet.",
            field="sessions",
        )
    if not wanted:
        raise facts.ImpossibleFact(
            "Choose the unauthorised sessions since the notice was issued that the ground rests on.", field="sessions"
        )
    by_key = {(s.on, s.session): s for s in available}
    first, last = _ground_window(notice, today)
    unknown = [f"{long_date(on)} {rules.SESSION_NAMES.get(session, '?')}" for on, session in wanted
               if (on, session) not in by_key]
    if unknown:
        raise facts.ImpossibleFact(
            f"{', '.join(unknown)}: not an unauthorised session recorded for {notice.case.pupil} between "
            f"{long_date(first)} (the day after the notice was issued) and {long_date(last)}.",
            field="sessions",
        )
    return [by_key[key] for key in wanted]


@transaction.atomic
def notice_to_improve_invoke_early_ground(
    *, notice: NoticeToImprove, by, ground: str, sessions: Iterable[tuple[date, int]]
) -> NoticeToImprove:
    """Records that one of the grounds the notice stated for an earlier penalty notice has arisen, resting on
    ``sessions`` ((date, AM or PM) pairs): each must be an unauthorised mark of the pupil after the date of
    issue, within the improvement period and not after today, so a ground is evidence, never an assertion."""
    require(can_move_case(by, notice.case.pupil), "record a ground for an earlier penalty notice")
    notice = _lock_notice(notice)
    today = timezone.localdate()
    if not notice.early_penalty_grounds.strip():
        raise NoticeToImproveRefused(
            "This notice stated no grounds for a penalty notice before the improvement period ends, so none can arise."
        )
    if not ground.strip():
        raise NoticeToImproveRefused("Say which of the grounds the notice stated has arisen, and when.")
    facts.text(ground, what="The ground", field="ground")
    if notice.outcome != NoticeOutcome.PENDING:
        raise NoticeToImproveRefused(
            f"The outcome of this notice was already recorded ({notice.get_outcome_display().lower()})."
        )
    if notice.early_ground_invoked:
        raise NoticeToImproveRefused(f"A ground was already recorded on this notice: {notice.early_ground_invoked}")
    if today <= notice.issued_on:
        raise facts.ImpossibleFact(
            f"A ground for an earlier penalty notice arises after the notice was issued on "
            f"{long_date(notice.issued_on)}: record it from {long_date(notice.issued_on + timedelta(days=1))}, "
            "with the register sessions it rests on.",
            field="sessions",
        )
    resting_on = _ground_sessions(notice, sessions, today)
    notice.early_ground_invoked = ground.strip()
    notice.early_ground_sessions = [s.stored() for s in resting_on]
    notice.save(update_fields=["early_ground_invoked", "early_ground_sessions"])
    case_event_record(
        case=notice.case,
        kind=EventKind.NOTICE,
        summary=f"Notice to improve of {long_date(notice.issued_on)}: a stated ground for an earlier penalty "
                "notice has arisen",
        by=by,
        reason=notice.early_ground_invoked,
        evidence=[
            f"Grounds the notice stated: {notice.early_penalty_grounds}",
            "Register sessions the ground rests on: " + "; ".join(s.sentence() for s in resting_on),
        ],
    )
    audit(user=by, action="nti.early_ground", pupil=notice.case.pupil,
          detail=f"notice {notice.pk}: {', '.join(s.key for s in resting_on)}")
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
