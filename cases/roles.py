"""Who may do what: one table, role by role, that the permissions, the route walk test and the README read.

Each role works at a school or at a local authority, and holds a few capabilities. A capability is only
ever used at the person's own school or LA (cases.permissions checks the place). Nothing else in the code
names a role to decide what someone may do: ask ``has(role, capability)`` or a cases.permissions function.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.models.organisations import Role

# --- the capabilities -------------------------------------------------------------------------------------

VIEW_AGGREGATES = "view_aggregates"  # figures without names: the school's or the LA's attendance
VIEW_PUPIL_NAMES = "view_pupil_names"  # pupil lists, searches, a pupil's record, alerts
READ_CASES = "read_cases"  # the case file, the caseload, the register of adjustments
MOVE_CASE = "move_case"  # open and move a case up the ladder, notices, requests, referrals, letters, CME
RECORD_SUPPORT = "record_support"  # support plans, case notes, meetings, contracts, early help, part-time, sickness
AMEND_REGISTER = "amend_register"  # change a recorded session's code, with the reason (an amendment)
RECORD_ADJUSTMENT = "record_adjustment"  # reasonable adjustments, their reviews, EHC plan notifications
AUTHORISE_PN = "authorise_pn"  # the headteacher's authority for a penalty notice request
DECIDE_LEAVE = "decide_leave"  # leave of absence in term time
LA_READ = "la_read"  # the LA's work: overview, inbox, requests, referrals, notices, notifications
LA_REVIEW = "la_review"  # decide requests and referrals, acknowledge notifications, record payments
LA_REASSIGN = "la_reassign"  # move an LA review task from one officer to another
VIEW_AUDIT = "view_audit"  # the audit trail of the person's school or LA

CAPABILITIES = (
    VIEW_AGGREGATES, VIEW_PUPIL_NAMES, READ_CASES, MOVE_CASE, RECORD_SUPPORT, AMEND_REGISTER, RECORD_ADJUSTMENT,
    AUTHORISE_PN, DECIDE_LEAVE, LA_READ, LA_REVIEW, LA_REASSIGN, VIEW_AUDIT,
)

# What each capability means, in the words of the README's role table.
CAPABILITY_WORDS = {
    VIEW_AGGREGATES: "attendance figures",
    VIEW_PUPIL_NAMES: "pupils' records",
    READ_CASES: "case files",
    MOVE_CASE: "moves cases, notices, requests, referrals, letters",
    RECORD_SUPPORT: "support plans, notes, meetings, contracts, early help, part-time, sickness returns",
    AMEND_REGISTER: "register amendments, stale N codes",
    RECORD_ADJUSTMENT: "reasonable adjustments, their reviews, EHC plan notifications",
    AUTHORISE_PN: "authorises penalty notice requests",
    DECIDE_LEAVE: "decides leave of absence",
    LA_READ: "the LA's work",
    LA_REVIEW: "decides requests and referrals, acknowledges notifications, records payments",
    LA_REASSIGN: "reassigns LA work between officers",
    VIEW_AUDIT: "the audit trail",
}

SCHOOL = "school"
LA = "la"


@dataclass(frozen=True)
class RoleGrant:
    role: str
    works_at: str  # SCHOOL or LA
    capabilities: frozenset[str]


def _grant(role: str, works_at: str, *capabilities: str) -> RoleGrant:
    unknown = set(capabilities) - set(CAPABILITIES)
    assert not unknown, f"unknown capabilities {unknown}"
    return RoleGrant(role, works_at, frozenset(capabilities))


# The table. Narrow on purpose (issue 11): only the DSL and the attendance officer, who keep the register
# straight, amend it (issue 12); the SENCo writes only adjustments, their reviews and EHC plan
# notifications; a governor sees figures and never a name; the LA manager sees the LA's work, reassigns it and
# reads the audit, but decides nothing an officer decides.
TABLE: tuple[RoleGrant, ...] = (
    _grant(Role.DSL, SCHOOL, VIEW_AGGREGATES, VIEW_PUPIL_NAMES, READ_CASES, MOVE_CASE, RECORD_SUPPORT,
           AMEND_REGISTER, RECORD_ADJUSTMENT, VIEW_AUDIT),
    _grant(Role.ATTENDANCE_OFFICER, SCHOOL, VIEW_AGGREGATES, VIEW_PUPIL_NAMES, READ_CASES, MOVE_CASE,
           RECORD_SUPPORT, AMEND_REGISTER),
    _grant(Role.SENCO, SCHOOL, VIEW_AGGREGATES, VIEW_PUPIL_NAMES, READ_CASES, RECORD_ADJUSTMENT),
    _grant(Role.HEADTEACHER, SCHOOL, VIEW_AGGREGATES, VIEW_PUPIL_NAMES, READ_CASES, AUTHORISE_PN, DECIDE_LEAVE),
    _grant(Role.GOVERNOR, SCHOOL, VIEW_AGGREGATES),
    _grant(Role.LA_OFFICER, LA, VIEW_AGGREGATES, LA_READ, LA_REVIEW),
    _grant(Role.LA_MANAGER, LA, VIEW_AGGREGATES, LA_READ, LA_REASSIGN, VIEW_AUDIT),
)
BY_ROLE = {grant.role: grant for grant in TABLE}


def has(role: str | None, capability: str) -> bool:
    """Whether the role holds the capability (at its own school or LA: the caller checks the place)."""
    assert capability in CAPABILITIES, capability
    grant = BY_ROLE.get(role or "")
    return grant is not None and capability in grant.capabilities


def roles_with(capability: str) -> frozenset[str]:
    assert capability in CAPABILITIES, capability
    return frozenset(grant.role for grant in TABLE if capability in grant.capabilities)


def readme_table() -> str:
    """The README's role table, as Markdown: the test compares the README against this text."""
    lines = ["| Role | Works at | May |", "|---|---|---|"]
    for grant in TABLE:
        may = "; ".join(CAPABILITY_WORDS[c] for c in CAPABILITIES if c in grant.capabilities)
        where = "a school" if grant.works_at == SCHOOL else "a local authority"
        lines.append(f"| {Role(grant.role).label} (`{grant.role}`) | {where} | {may} |")
    return "\n".join(lines)
