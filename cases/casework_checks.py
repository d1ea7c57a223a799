"""The cases app's own checks for ``check_records``: cases opened in the future, over-long reasons and notes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from cases.models import Case, CaseEvent, EventKind, PenaltyNoticeConsideration
from cases.record_checks import Problem, happened, local_day, long_texts, record_check
from cases.services.case import NOTE_KINDS


@record_check
def cases(today: date) -> Iterator[Problem]:
    for case in Case.objects.only("pk", "opened_at", "closed_at"):
        yield from happened(case, "opened_at", today=today, what="The date the case was opened")
        yield from happened(case, "closed_at", today=today, what="The date the case was closed",
                            not_before=local_day(case.opened_at), not_before_what="the date it was opened")
    yield from long_texts(Case.objects.all(), ["opening_reason"])
    # Notes keep what the user typed in ``reason``; other entries' reasons are written by the services. Contact
    # notes are no longer made (a contact is a meetings.Contact), but those made before are still checked.
    yield from long_texts(CaseEvent.objects.filter(kind__in=[*NOTE_KINDS, EventKind.CONTACT]), ["reason"])
    yield from long_texts(PenaltyNoticeConsideration.objects.all(), [
        "why_penalty_notice_is_the_best_tool", "alternatives_considered", "equality_act_consideration",
    ])
