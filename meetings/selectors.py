"""Every non-trivial read of the meetings app, scoped to the signed-in person's school.

A meeting of another school is 404 (its existence is not disclosed); a role that never reads cases is 403.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404

from cases.models import Case, CaseEvent, EventKind, ParentalRelationship
from cases.permissions import can_read_case
from cases.selectors import staff_profile
from meetings.models import CONTACT_MAKER_ROLES, Contact, Meeting, MeetingAttendee, MeetingStatus
from notices.models import Letter


def meeting_for_user(*, user, pk: int) -> Meeting:
    """A meeting on a case the user may read, with its case, pupil, school and attendees."""
    profile = staff_profile(user=user)
    if not profile.is_school_staff:
        raise PermissionDenied("Only school staff can see meetings about pupils.")
    try:
        meeting = (
            Meeting.objects.select_related("case__pupil__school__local_authority", "created_by", "recorded_by")
            .prefetch_related(Prefetch("attendees", queryset=MeetingAttendee.objects.select_related("parent")))
            .get(pk=pk, case__pupil__school_id=profile.school_id)
        )
    except Meeting.DoesNotExist:
        raise Http404("No such meeting at your school.") from None
    if not can_read_case(user, meeting.case.pupil):
        raise PermissionDenied("Your role does not include reading attendance cases.")
    return meeting


def invitable_parents(*, case: Case) -> QuerySet[ParentalRelationship]:
    """The pupil's own parents and carers: the only parents a meeting about the pupil can invite."""
    return (
        ParentalRelationship.objects.filter(pupil=case.pupil)
        .select_related("parent")
        .order_by("-parental_responsibility", "parent__surname", "parent__forename")
    )


def action_owners(*, case: Case):
    """Staff of the pupil's school who can be named as responsible for an agreed action."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff__school_id=case.pupil.school_id)
        .select_related("staff")
        .order_by("first_name", "last_name", "username")
    )


def meeting_letters(*, meeting: Meeting) -> list[Letter]:
    """The newest version of each letter about the meeting (one per invited parent), without the PDFs."""
    letters = Letter.objects.filter(subject_key=f"meeting:{meeting.pk}").defer("pdf", "context")
    newest = letters.order_by().values("recipient").annotate(v=Max("version"))
    wanted = {(row["recipient"], row["v"]) for row in newest}
    return [
        letter
        for letter in letters.select_related("parent").order_by("recipient")
        if (letter.recipient, letter.version) in wanted
    ]


def meeting_cancellation(*, meeting: Meeting) -> CaseEvent | None:
    """The chronology entry that cancelled the meeting (who, when and why), or None if it was not cancelled."""
    if meeting.status != MeetingStatus.CANCELLED:
        return None
    reference = f"meeting:{meeting.pk}"
    events = meeting.case.events.filter(kind=EventKind.MEETING, summary__endswith="cancelled").select_related("by")
    return next((event for event in events.order_by("-at") if reference in (event.evidence or [])), None)


def case_contacts(*, case: Case) -> list[Contact]:
    """The case's contacts with the family, oldest first, with who made each: one query, whatever their number."""
    return list(Contact.objects.filter(case=case).select_related("made_by__staff").order_by("made_at", "id"))


def contact_makers(*, case: Case):
    """Who can have made a contact: active caseworkers of the pupil's school, then officers of its local authority
    (a governor works on figures, never with a family)."""
    school = case.pupil.school
    return (
        get_user_model()
        .objects.filter(is_active=True, staff__role__in=sorted(CONTACT_MAKER_ROLES))
        .filter(Q(staff__school_id=school.pk)
                | Q(staff__school__isnull=True, staff__local_authority_id=school.local_authority_id))
        .select_related("staff")
        .order_by("staff__local_authority_id", "first_name", "last_name", "username")
    )
