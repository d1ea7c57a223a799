"""What every interventions service shares: the refusal type, the open-case lookup, and the chronology entry."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from cases import facts
from cases.audit import audit
from cases.errors import DomainError
from cases.models import Case, EventKind, Pupil
from cases.services import case_event_record
from interventions import selectors


class InterventionRefused(DomainError):
    """The record's state or the facts given do not allow this change."""


def open_case_of(pupil: Pupil) -> Case | None:
    """The pupil's open case, if there is one: pupil-level records are written on its chronology."""
    return selectors.open_case_of(pupil=pupil)


def require_open(case: Case) -> None:
    if not case.is_open:
        raise InterventionRefused(
            f"The case of {case.pupil} is closed. Open a new case before recording more support."
        )


def record(
    *,
    user,
    pupil: Pupil,
    case: Case | None,
    action: str,
    kind: EventKind | str,
    summary: str,
    reason: str = "",
    evidence: Sequence[str] = (),
) -> None:
    """Audits the change and, when there is a case to put it on, writes its one chronology entry."""
    audit(user=user, action=action, pupil=pupil, detail=summary)
    if case is not None:
        case_event_record(case=case, kind=kind, summary=summary, by=user, reason=reason, evidence=evidence)


def case_opened_on(case: Case):
    return timezone.localtime(case.opened_at).date()


def happened_in_case(case: Case, on, *, what: str, field: str, today):
    """A date something happened on this case: not in the future, not before the case opened (cases.facts)."""
    return facts.happened(on, what=what, today=today, field=field, not_before=case_opened_on(case),
                          not_before_what="the date the case was opened")


def long_text(value: str, *, what: str, field: str) -> str:
    return facts.text(value, what=what, field=field)


def short_text(value: str, *, what: str, field: str) -> str:
    return facts.text(value, what=what, field=field, limit=facts.SHORT_TEXT_MAX)


def long_date(day) -> str:
    return f"{day:%-d %B %Y}"
