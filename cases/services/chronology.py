"""The case's chronology: every service that touches a case writes one entry here."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from cases.models import Case, CaseEvent, EventKind


def case_event_record(
    *,
    case: Case,
    kind: EventKind | str,
    summary: str,
    by,
    reason: str = "",
    evidence: Sequence[str] = (),
    from_state: str = "",
    to_state: str = "",
    at=None,
) -> CaseEvent:
    """Adds one entry to ``case``'s chronology. Call it inside the service's transaction."""
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        by=by,
        kind=kind,
        summary=summary[:300],
        reason=reason,
        evidence=list(evidence),
        from_state=from_state,
        to_state=to_state,
    )
