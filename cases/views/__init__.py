"""The casework screens. Thin: a scoped selector finds the objects, a service does any write."""

from cases.views.case import (
    case_chronology,
    case_detail,
    case_documents,
    case_meetings,
    case_note_view,
    case_notices,
    case_open_view,
    case_step,
    case_support,
    pn_consideration_authorise_view,
    pn_consideration_view,
)
from cases.views.oversight import la_audit, school_audit, school_figures_view
from cases.views.workspace import (
    alert_resolve_view,
    home,
    la_overview,
    pupil_detail,
    school_alerts,
    school_caseload,
    school_pupils,
)

__all__ = [
    "la_audit",
    "school_audit",
    "school_figures_view",
    "alert_resolve_view",
    "case_chronology",
    "case_detail",
    "case_documents",
    "case_meetings",
    "case_notices",
    "case_support",
    "case_note_view",
    "case_open_view",
    "case_step",
    "home",
    "la_overview",
    "pn_consideration_authorise_view",
    "pn_consideration_view",
    "pupil_detail",
    "school_alerts",
    "school_caseload",
    "school_pupils",
]
