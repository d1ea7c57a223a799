"""Who the signed-in person is, and which school or local authority they may see."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases import roles
from cases.models import LocalAuthority, School, StaffProfile


def staff_profile(*, user) -> StaffProfile:
    """The user's StaffProfile with its school and LA, cached on the user for the page header.

    Raises PermissionDenied for a signed-in user with no profile: they have no place in the service.
    """
    try:
        profile = StaffProfile.objects.select_related("school__local_authority", "local_authority").get(user=user)
    except StaffProfile.DoesNotExist:
        raise PermissionDenied("You do not have a staff role in this service.") from None
    user.staff = profile
    return profile


def _school_staff_profile(user) -> StaffProfile:
    profile = staff_profile(user=user)
    if not profile.is_school_staff:
        raise PermissionDenied("Only school staff can see pupils' records.")
    if not roles.has(profile.role, roles.VIEW_PUPIL_NAMES):
        raise PermissionDenied("Your role sees the school's attendance figures, not pupils' records.")
    return profile


def school_for_user(*, user, urn: str) -> School:
    """The school whose pupils the user works with: only school staff, only their own school."""
    profile = _school_staff_profile(user)
    if profile.school.urn != urn:
        raise Http404("No such school")
    return profile.school


def local_authority_for_user(*, user, code: str) -> LocalAuthority:
    """The LA whose aggregate figures the user may see: only that LA's officers."""
    profile = staff_profile(user=user)
    if not profile.is_la_staff or not roles.has(profile.role, roles.LA_READ):
        raise PermissionDenied("Only local authority officers can see the LA overview.")
    if profile.local_authority.code != code:
        raise Http404("No such local authority")
    return profile.local_authority


def figures_school_for_user(*, user, urn: str) -> School:
    """The school whose aggregate figures (no names) the user may see: any school role, their own school."""
    profile = staff_profile(user=user)
    if not profile.is_school_staff or not roles.has(profile.role, roles.VIEW_AGGREGATES):
        raise PermissionDenied("Only the school's staff and governors see its attendance figures.")
    if profile.school.urn != urn:
        raise Http404("No such school")
    return profile.school


def audit_scope_for_user(*, user) -> StaffProfile:
    """The profile of someone who reads an audit trail (their school's, or their LA's)."""
    profile = staff_profile(user=user)
    if not roles.has(profile.role, roles.VIEW_AUDIT):
        raise PermissionDenied("Your role does not include reading the audit trail.")
    return profile


def report_place_for_user(*, user, urn: str) -> School:
    """The school whose attendance report (figures, no names) the user may see: the school's own staff and
    governors, or the officers and manager of its LA."""
    profile = staff_profile(user=user)
    if not roles.has(profile.role, roles.VIEW_AGGREGATES):
        raise PermissionDenied("Your role does not include attendance figures.")
    if profile.is_school_staff:
        if profile.school.urn != urn:
            raise Http404("No such school")
        return profile.school
    if not roles.has(profile.role, roles.LA_READ):
        raise PermissionDenied("Your role does not include attendance figures.")
    school = School.objects.select_related("local_authority").filter(
        urn=urn, local_authority_id=profile.local_authority_id).first()
    if school is None:
        raise Http404("No such school")
    return school
