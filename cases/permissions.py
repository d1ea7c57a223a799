"""Who may do what to a case, by role and by school (domain.md 5: roles).

Views and services both ask these; a refusal in a service raises ``NotPermitted``.
"""

from __future__ import annotations

from cases.errors import DomainError
from cases.models import Case, Pupil, Role, StaffProfile

# The DSL runs casework and the school's attendance officer works day to day: both move a case.
CASE_MOVERS = frozenset({Role.DSL, Role.ATTENDANCE_OFFICER})
# Everyone at the school who works with attendance may read the case file.
CASE_READERS = frozenset({Role.DSL, Role.ATTENDANCE_OFFICER, Role.SENCO, Role.HEADTEACHER})
# The SENCo logs reasonable adjustments; the DSL may too.
ADJUSTMENT_RECORDERS = frozenset({Role.SENCO, Role.DSL})
# Only the headteacher authorises a request for a penalty notice.
PN_AUTHORISERS = frozenset({Role.HEADTEACHER})
# The headteacher decides leave of absence in term time (domain.md 5).
LEAVE_DECIDERS = frozenset({Role.HEADTEACHER})
# Support records (plans, meetings, contracts, early help, notes) are kept by the people who run casework.
SUPPORT_RECORDERS = frozenset({Role.DSL, Role.ATTENDANCE_OFFICER, Role.SENCO})

# Sign-in needs a second factor (TOTP) for the roles that see a whole school's or LA's children, or decide
# on notices; the SENCo and the attendance officer sign in with a password alone. Every role is in one of
# the two sets (a test checks), so a new role needs a decision.
SECOND_FACTOR_ROLES = frozenset({Role.DSL, Role.HEADTEACHER, Role.LA_OFFICER})
PASSWORD_ONLY_ROLES = frozenset({Role.SENCO, Role.ATTENDANCE_OFFICER})


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


def can_authorise_penalty_notice(user, pupil: Pupil) -> bool:
    return _at_school_in(user, pupil, PN_AUTHORISERS)


def can_decide_leave(user, pupil: Pupil) -> bool:
    return _at_school_in(user, pupil, LEAVE_DECIDERS)


def can_refer_child_missing_education(user, pupil: Pupil) -> bool:
    """The DSL or the school's attendance officer refers a child missing education to the LA."""
    return _at_school_in(user, pupil, CASE_MOVERS)


def is_la_officer_of(user, local_authority) -> bool:
    """Whether the user is an attendance officer of this local authority (an LA object or its id)."""
    profile = _profile(user)
    la_id = getattr(local_authority, "pk", local_authority)
    return profile is not None and profile.role == Role.LA_OFFICER and profile.local_authority_id == la_id


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
