"""Why a notice to improve, its outcome or an early ground is refused."""

from __future__ import annotations

from cases.errors import DomainError


class NoticeToImproveRefused(DomainError):
    """The notice cannot be issued, or its outcome or early ground recorded, as asked."""


class ImprovementPeriodRefused(NoticeToImproveRefused):
    """The improvement period is outside 3 to 6 weeks from the date of issue."""


class IncompleteNotice(NoticeToImproveRefused):
    """An item the notice must contain (domain.md 3.4) is missing: no letter is made."""
