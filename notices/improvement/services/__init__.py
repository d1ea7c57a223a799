"""The notice to improve (domain.md 3.4): issuing it with its letters, its outcome, an early ground, reviews due.

A notice to improve is the parents' final chance to engage with support before a penalty notice. It
covers the unauthorised sessions of the threshold window that met the national threshold (never a
session an earlier notice covered), gives an improvement period of 3 to 6 weeks from the date of
issue, and says what sufficient improvement means for this pupil and on what grounds a penalty
notice may come sooner. Every required item is checked before any letter is made.
"""

from notices.improvement.services.after_issue import (
    GroundSession,
    early_ground_sessions_available,
    notice_to_improve_invoke_early_ground,
    notice_to_improve_record_outcome,
    notices_to_improve_reviews_record,
    review_due_summary,
)
from notices.improvement.services.errors import (
    ImprovementPeriodRefused,
    IncompleteNotice,
    NoticeToImproveRefused,
)
from notices.improvement.services.issue import (
    ISSUE_TRANSITION,
    NTI_LETTER_TEMPLATE,
    NTI_LETTER_TITLE,
    WRITTEN_CONTENT,
    eligible_parent_links,
    improvement_period_check,
    improvement_period_limits,
    notice_to_improve_issue,
    notice_to_improve_letters,
    nti_letter_context,
    period_length,
)
from notices.improvement.services.offences import (
    Offences,
    OffenceSession,
    PeriodAttendance,
    improvement_period_attendance,
    notice_to_improve_offences,
)

__all__ = [
    "GroundSession",
    "ISSUE_TRANSITION",
    "NTI_LETTER_TEMPLATE",
    "NTI_LETTER_TITLE",
    "WRITTEN_CONTENT",
    "ImprovementPeriodRefused",
    "IncompleteNotice",
    "NoticeToImproveRefused",
    "OffenceSession",
    "Offences",
    "PeriodAttendance",
    "early_ground_sessions_available",
    "eligible_parent_links",
    "improvement_period_attendance",
    "improvement_period_check",
    "improvement_period_limits",
    "notice_to_improve_invoke_early_ground",
    "notice_to_improve_issue",
    "notice_to_improve_letters",
    "notice_to_improve_offences",
    "notice_to_improve_record_outcome",
    "notices_to_improve_reviews_record",
    "nti_letter_context",
    "period_length",
    "review_due_summary",
]
