"""Who may do what to a case, by role and by school (domain.md 5: roles).

Views and services both ask these; a refusal in a service raises ``NotPermitted``.
"""

from __future__ import annotations

from cases import roles
from cases.errors import DomainError
from cases.models import Case, Pupil, Role, StaffProfile

# Who holds each capability comes from the one table of cases/roles.py; these names are kept for readers.
CASE_MOVERS = roles.roles_with(roles.MOVE_CASE)
CASE_READERS = roles.roles_with(roles.READ_CASES)
ADJUSTMENT_RECORDERS = roles.roles_with(roles.RECORD_ADJUSTMENT)
PN_AUTHORISERS = roles.roles_with(roles.AUTHORISE_PN)
LEAVE_DECIDERS = roles.roles_with(roles.DECIDE_LEAVE)
SUPPORT_RECORDERS = roles.roles_with(roles.RECORD_SUPPORT)
PUPIL_READERS = roles.roles_with(roles.VIEW_PUPIL_NAMES)
REGISTER_AMENDERS = roles.roles_with(roles.AMEND_REGISTER)

# Sign-in needs a second factor (TOTP) for the roles that see a whole school's or LA's children, decide on
# notices or read the audit (the LA manager); the SENCo, the attendance officer and a governor (aggregates
# only, never a name) sign in with a password alone. Every role is in one of the two sets (a test checks),
# so a new role needs a decision.
SECOND_FACTOR_ROLES = frozenset({Role.DSL, Role.HEADTEACHER, Role.LA_OFFICER, Role.LA_MANAGER})
PASSWORD_ONLY_ROLES = frozenset({Role.SENCO, Role.ATTENDANCE_OFFICER, Role.GOVERNOR})


def needs_second_factor(user) -> bool:
    """Superusers (the admin) and SECOND_FACTOR_ROLES; a role in neither set is treated as needing one."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    profile = _profile(user)
    return profile is not None and profile.role not in PASSWORD_ONLY_ROLES


class NotPermitted(DomainError):
    """The person's role or school does not allow this."""


def _profile(user) -> StaffProfile | None:
    return getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None


def _at_school_in(user, record: Pupil | Case, roles: frozenset[str]) -> bool:
    """Whether the user has one of ``roles`` at the record's school. Pass the case for casework: a case
    stays with the school that opened it, even after the pupil moves to another school."""
    profile = _profile(user)
    return profile is not None and profile.role in roles and profile.school_id == record.school_id


def can_read_case(user, pupil: Pupil) -> bool:
    return _at_school_in(user, pupil, CASE_READERS)


def can_move_case(user, pupil: Pupil) -> bool:
    return _at_school_in(user, pupil, CASE_MOVERS)


def can_record_support(user, pupil: Pupil) -> bool:
    return _at_school_in(user, pupil, SUPPORT_RECORDERS)


def can_record_adjustment(user, pupil: Pupil) -> bool:
    return _at_school_in(user, pupil, ADJUSTMENT_RECORDERS)


def can_amend_register(user, pupil: Pupil) -> bool:
    """The DSL or the attendance officer of the pupil's school changes a recorded session's code."""
    return _at_school_in(user, pupil, REGISTER_AMENDERS)


def can_authorise_penalty_notice(user, pupil: Pupil) -> bool:
    return _at_school_in(user, pupil, PN_AUTHORISERS)


def can_decide_leave(user, pupil: Pupil) -> bool:
    return _at_school_in(user, pupil, LEAVE_DECIDERS)


def can_refer_child_missing_education(user, pupil: Pupil) -> bool:
    """The DSL or the school's attendance officer refers a child missing education to the LA."""
    return _at_school_in(user, pupil, CASE_MOVERS)


def _at_la(user, local_authority, capability: str) -> bool:
    profile = _profile(user)
    la_id = getattr(local_authority, "pk", local_authority)
    return profile is not None and roles.has(profile.role, capability) and profile.local_authority_id == la_id


def is_la_officer_of(user, local_authority) -> bool:
    """Whether the user reviews this local authority's work (an LA object or its id): decides requests and
    referrals, acknowledges notifications, records payments."""
    return _at_la(user, local_authority, roles.LA_REVIEW)


def can_read_la_work(user, local_authority) -> bool:
    """Whether the user may see this local authority's work (its officers and its manager)."""
    return _at_la(user, local_authority, roles.LA_READ)


def can_reassign_la_work(user, local_authority) -> bool:
    """Whether the user may move this LA's review tasks between officers (the LA manager)."""
    return _at_la(user, local_authority, roles.LA_REASSIGN)


def can_view_audit(user) -> bool:
    """Whether the user reads the audit trail of their own school or LA."""
    profile = _profile(user)
    return profile is not None and roles.has(profile.role, roles.VIEW_AUDIT)


def can_view_pupils(user) -> bool:
    """Whether the user may see pupils' names and records at all (a governor never does)."""
    profile = _profile(user)
    return profile is not None and roles.has(profile.role, roles.VIEW_PUPIL_NAMES)


def can_acknowledge_for_la(user, pupil: Pupil) -> bool:
    """Only an officer of the LA of the pupil's school acknowledges what the school told the LA."""
    return is_la_officer_of(user, pupil.school.local_authority_id)


def can_close_on_la_decision(user, case: Case) -> bool:
    """An LA officer of the case's LA closes a case on the LA's decision (a prosecution referral's outcome)."""
    return is_la_officer_of(user, case.school.local_authority_id)


def require(allowed: bool, action: str) -> None:
    """Raises NotPermitted naming the action, for services to call first."""
    if not allowed:
        raise NotPermitted(f"Your role does not allow you to {action} for this pupil.")
