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
    pn_consideration_view,
)
from cases.views.lists import (
    case_owner_view,
    school_alerts,
    school_alerts_bulk,
    school_alerts_csv,
    school_caseload,
    school_caseload_csv,
    school_pupils_csv,
)
from cases.views.my_work import (
    my_work_news_read,
    my_work_view,
    pn_consideration_authorise_view,
    pn_consideration_decline_view,
)
from cases.views.oversight import la_audit, school_audit, school_figures_view
from cases.views.register import register_amend, register_stale_n, register_stale_n_apply
from cases.views.reports import la_report, school_report
from cases.views.workspace import (
    alert_resolve_view,
    home,
    la_overview,
    pupil_detail,
    school_pupils,
)

__all__ = [
    "my_work_news_read",
    "my_work_view",
    "pn_consideration_decline_view",
    "la_audit",
    "la_report",
    "school_report",
    "school_audit",
    "school_figures_view",
    "alert_resolve_view",
    "case_owner_view",
    "school_alerts_bulk",
    "school_alerts_csv",
    "school_caseload_csv",
    "school_pupils_csv",
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
    "register_amend",
    "register_stale_n",
    "register_stale_n_apply",
    "school_alerts",
    "school_caseload",
    "school_pupils",
]
