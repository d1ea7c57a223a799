"""Every write of the cases app: keyword-only, atomic, audited, on the chronology."""

from cases.services.alerts import AlertAlreadyResolved, alert_resolve
from cases.services.case import (
    CaseAlreadyOpen,
    CaseChangedMeanwhile,
    TransitionRefused,
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

__all__ = [
    "AlertAlreadyResolved",
    "CaseAlreadyOpen",
    "CaseChangedMeanwhile",
    "TransitionRefused",
    "alert_resolve",
    "case_available_actions",
    "case_close",
    "case_event_record",
    "case_hold",
    "case_note_add",
    "case_open",
    "case_resume",
    "case_transition",
    "pn_consideration_authorise",
    "pn_consideration_decline",
    "pn_consideration_record",
]
