"""The cases app's models, split by subject; import them from here."""

from cases.models.audit import AuditEvent, AuditIsPermanent
from cases.models.case import (
    LADDER,
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseOutcome,
    CaseState,
    EventKind,
    PenaltyNoticeConsideration,
)
from cases.models.my_work import WorkNewsRead
from cases.models.offence import Offence
from cases.models.organisations import (
    LA_CODE_VALIDATOR,
    LA_ROLES,
    SCHOOL_ROLES,
    URN_VALIDATOR,
    CodeOfConduct,
    LocalAuthority,
    PenaltyNoticeIssuer,
    Role,
    School,
    StaffProfile,
    TermDate,
)
from cases.models.pupils import UPN_VALIDATOR, Parent, ParentalRelationship, Pupil, SenStatus, YearGroup
from cases.models.register import (
    Alert,
    AlertKind,
    AttendanceSnapshot,
    Mark,
    MarkAmendment,
    Session,
)

__all__ = [
    "WorkNewsRead",
    "TermDate",
    "LADDER",
    "OPEN_STATES",
    "Case",
    "CaseEvent",
    "CaseOutcome",
    "CaseState",
    "EventKind",
    "PenaltyNoticeConsideration",
    "LA_CODE_VALIDATOR",
    "LA_ROLES",
    "SCHOOL_ROLES",
    "UPN_VALIDATOR",
    "URN_VALIDATOR",
    "Alert",
    "AlertKind",
    "AttendanceSnapshot",
    "AuditEvent",
    "AuditIsPermanent",
    "CodeOfConduct",
    "LocalAuthority",
    "PenaltyNoticeIssuer",
    "Mark",
    "MarkAmendment",
    "Offence",
    "Parent",
    "ParentalRelationship",
    "Pupil",
    "Role",
    "School",
    "SenStatus",
    "Session",
    "StaffProfile",
    "YearGroup",
]
