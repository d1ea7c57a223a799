"""Every write of the notices app: keyword-only, atomic, audited, on the chronology."""

from notices.services.nti import (
    ImprovementPeriodRefused,
    IncompleteNotice,
    NoticeToImproveRefused,
    early_ground_sessions_available,
    eligible_parent_links,
    improvement_period_attendance,
    improvement_period_limits,
    notice_to_improve_invoke_early_ground,
    notice_to_improve_issue,
    notice_to_improve_letters,
    notice_to_improve_offences,
    notice_to_improve_record_outcome,
    notices_to_improve_reviews_record,
)

__all__ = [
    "ImprovementPeriodRefused",
    "IncompleteNotice",
    "NoticeToImproveRefused",
    "early_ground_sessions_available",
    "eligible_parent_links",
    "improvement_period_attendance",
    "improvement_period_limits",
    "notice_to_improve_invoke_early_ground",
    "notice_to_improve_issue",
    "notice_to_improve_letters",
    "notice_to_improve_offences",
    "notice_to_improve_record_outcome",
    "notices_to_improve_reviews_record",
]
