"""Every write of the cases app: keyword-only, atomic, audited, on the chronology."""

from cases.services.alerts import (
    AlertAlreadyResolved,
    AlertsRefused,
    alert_resolve,
    alerts_assign,
    alerts_open_cases,
    alerts_resolve,
)
from cases.services.case import (
    CaseAlreadyOpen,
    CaseChangedMeanwhile,
    OwnerNotAllowed,
    TransitionRefused,
    case_assign_owner,
    case_available_actions,
    case_close,
    case_hold,
    case_note_add,
    case_open,
    case_resume,
    case_transition,
    pn_consideration_authorise,
    pn_consideration_decline,
    pn_consideration_record,
)
from cases.services.chronology import case_event_record
from cases.services.register import AmendmentRefused, AmendmentsRefused, mark_amend, marks_amend

__all__ = [
    "AmendmentRefused",
    "AmendmentsRefused",
    "AlertAlreadyResolved",
    "CaseAlreadyOpen",
    "CaseChangedMeanwhile",
    "TransitionRefused",
    "AlertsRefused",
    "OwnerNotAllowed",
    "alert_resolve",
    "alerts_assign",
    "alerts_open_cases",
    "alerts_resolve",
    "case_assign_owner",
    "case_available_actions",
    "case_close",
    "case_event_record",
    "case_hold",
    "case_note_add",
    "case_open",
    "case_resume",
    "case_transition",
    "mark_amend",
    "marks_amend",
    "pn_consideration_authorise",
    "pn_consideration_decline",
    "pn_consideration_record",
]
