"""Every non-trivial read of the cases app, scoped to what the signed-in person may see.

A selector that takes ``user`` owns visibility: school staff see their own school's pupils, an LA
officer sees aggregates of their own LA's schools. Out-of-scope objects answer 404 (their existence
is not disclosed); a role that may never see a kind of page answers 403.
"""

from cases.selectors.access import (
    _school_staff_profile as _school_staff_profile,  # interventions.selectors uses it
)
from cases.selectors.access import local_authority_for_user, school_for_user, staff_profile
from cases.selectors.case import (
    CaseRecords,
    Deadline,
    case_chronology,
    case_for_user,
    case_next_deadline,
    case_records,
    open_case_of_pupil,
    open_case_pupil_ids,
    pn_consideration_for_user,
)
from cases.selectors.caseload import (
    ALERTS_ON_CASELOAD,
    Caseload,
    CaseloadRow,
    OverdueReview,
    caseload,
    caseload_school_for_user,
)
from cases.selectors.la_overview import SchoolRow, la_school_rows
from cases.selectors.pupils import (
    open_alerts_for_pupil,
    pupil_amendments,
    pupil_for_user,
    pupil_marks,
    pupil_parents,
    pupil_snapshot,
)
from cases.selectors.workspace import (
    COHORT_FILTERS,
    PUPIL_FLAG_FILTERS,
    PUPIL_ORDERINGS,
    SEN_FILTERS,
    SchoolSummary,
    open_alert_for_user,
    school_summary,
    workspace_pupils,
)

__all__ = [
    "ALERTS_ON_CASELOAD",
    "COHORT_FILTERS",
    "PUPIL_FLAG_FILTERS",
    "PUPIL_ORDERINGS",
    "SEN_FILTERS",
    "CaseRecords",
    "Caseload",
    "CaseloadRow",
    "Deadline",
    "OverdueReview",
    "SchoolRow",
    "SchoolSummary",
    "case_chronology",
    "case_for_user",
    "case_next_deadline",
    "case_records",
    "caseload",
    "caseload_school_for_user",
    "la_school_rows",
    "local_authority_for_user",
    "open_alert_for_user",
    "open_alerts_for_pupil",
    "open_case_of_pupil",
    "open_case_pupil_ids",
    "pn_consideration_for_user",
    "pupil_amendments",
    "pupil_for_user",
    "pupil_marks",
    "pupil_parents",
    "pupil_snapshot",
    "school_for_user",
    "school_summary",
    "staff_profile",
    "workspace_pupils",
]
