"""The meetings: plan, invite, record, agree actions, cancel.

Keyword-only, atomic, permission-checked, on the case's chronology and in the audit trail. A parent's
non-attendance is written to the chronology in words an LA officer can quote in an evidence bundle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from cases import facts
from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import clock_time
from cases.models import Case, EventKind, Parent, ParentalRelationship, StaffProfile
from cases.permissions import can_record_support, require
from cases.services.chronology import case_event_record
from cases.working_days import add_working_days
from interventions.models import Action
from meetings.models import (
    AttendeeRole,
    Meeting,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
)
from notices.letters.store import letter_generate
from notices.models import Letter

INVITATION_TEMPLATE = "letters/meeting_invitation.html"
# An invitation letter gives the parents a school week to arrange to come (time off work, childcare, someone
# to bring): a meeting sooner than that is arranged with them by phone, not by a letter that may arrive late.
INVITATION_NOTICE_WORKING_DAYS = 5

# How each kind is named inside a sentence ("invited to an attendance meeting").
KIND_NAMES = {
    MeetingKind.ATTENDANCE: ("an", "attendance meeting"),
    MeetingKind.IMPROVEMENT: ("an", "attendance improvement meeting"),
    MeetingKind.TAC: ("a", "Team Around the Child (TAC) meeting"),
    MeetingKind.TAF: ("a", "Team Around the Family (TAF) meeting"),
    MeetingKind.REVIEW: ("a", "review meeting"),
}
# Meetings with the family about attendance: pointless without a parent invited.
KINDS_WITH_PARENTS = frozenset({MeetingKind.ATTENDANCE, MeetingKind.IMPROVEMENT})
# Team Around the Child/Family notes have three parts (domain.md 3.2).
KINDS_WITH_THREE_PART_NOTES = frozenset({MeetingKind.TAC, MeetingKind.TAF})
# An agreed action is one line on the case page (interventions.Action.description).
ACTION_DESCRIPTION_MAX = 300
# The notes of a held meeting: (argument, what the sentence calls it).
RECORD_TEXTS = (
    ("barriers_discussed", "The barriers discussed"),
    ("what_is_working", "What is working"),
    ("what_we_are_worried_about", "What we are worried about"),
    ("what_needs_to_happen", "What needs to happen"),
    ("notes", "The other notes"),
)


class MeetingRefused(DomainError):
    """The meeting cannot be planned, recorded or changed as asked."""


class ParentNotLinked(MeetingRefused):
    """Only the pupil's own parents and carers can be invited as parents."""


@dataclass(frozen=True)
class OtherAttendee:
    """A member of staff or another agency's worker invited to the meeting."""

    role: str  # AttendeeRole.STAFF or AttendeeRole.AGENCY
    name: str
    organisation: str = ""


def kind_name(kind: str) -> str:
    return KIND_NAMES[MeetingKind(kind)][1]


def long_date(value: datetime | date) -> str:
    """ "3 October 2026", as GOV.UK writes dates."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y}"


def describe(meeting: Meeting) -> str:
    return f"{kind_name(meeting.kind)} on {long_date(meeting.starts_at)}"


def first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def require_case_writer(by, case: Case) -> None:
    require(can_record_support(by, case.pupil), "plan or record meetings")


def case_opened_on(case: Case) -> date:
    return timezone.localtime(case.opened_at).date()


def meeting_day_check(case: Case, starts_at: datetime, *, today: date, field: str | None = "date") -> date:
    """The day of a meeting, as the policy of cases.facts allows it: on or after the day the case opened,
    and no further ahead than the planning horizon. A meeting already past is being recorded after the
    fact (plan it, then record it), so a past day is allowed within the case's life; before it, the
    meeting is not this case's evidence.
    """
    day = timezone.localtime(starts_at).date()
    what = "The date of the meeting"
    if day > today:
        return facts.planned(day, what=what, today=today, field=field)
    return facts.happened(
        day, what=what, today=today, field=field, not_before=case_opened_on(case),
        not_before_what="the date the case was opened",
    )


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("case__pupil__school__local_authority").get(
        pk=meeting.pk
    )


@transaction.atomic
def meeting_plan(
    *,
    case: Case,
    kind: str,
    starts_at: datetime,
    location: str,
    parents: Sequence[Parent] = (),
    pupil_attends: bool = False,
    others: Sequence[OtherAttendee] = (),
    invite_parents: bool = False,
    by,
) -> Meeting:
    """Plans a meeting on the case and lists who is invited. Parents must be the pupil's own.

    With ``invite_parents``, the invitation letters are made in the same transaction: if they cannot
    be (the meeting is in the past, say), nothing is planned.
    """
    require_case_writer(by, case)
    if not case.is_open:
        raise MeetingRefused("This case is closed. Reopen a case before planning a meeting.")
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be timezone-aware")
    location = facts.text(location.strip(), what="Where the meeting will be held", field="location",
                          limit=facts.SHORT_TEXT_MAX)
    if not location:
        raise MeetingRefused("Enter where the meeting will be held.")
    meeting_day_check(case, starts_at, today=timezone.localdate())
    links = {
        link.parent_id: link
        for link in ParentalRelationship.objects.filter(pupil=case.pupil, parent__in=[p.pk for p in parents])
    }
    for parent in parents:
        if parent.pk not in links:
            raise ParentNotLinked(f"{parent} is not recorded as a parent or carer of {case.pupil}, so cannot be invited as one.")
    if kind in KINDS_WITH_PARENTS and not parents:
        raise MeetingRefused(f"Invite at least one parent or carer to {KIND_NAMES[MeetingKind(kind)][0]} {kind_name(kind)}.")
    for other in others:
        if other.role not in (AttendeeRole.STAFF, AttendeeRole.AGENCY) or not other.name.strip():
            raise MeetingRefused("Each other person invited needs a name, and must be school staff or another agency.")
        for value in (other.name, other.organisation):
            facts.text(value, what="The name and job title of each person invited", limit=facts.SHORT_TEXT_MAX,
                       field="staff" if other.role == AttendeeRole.STAFF else "agencies")

    now = timezone.now()
    meeting = Meeting.objects.create(
        case=case, kind=kind, starts_at=starts_at, location=location, created_by=by, created_at=now
    )
    attendees = [
        MeetingAttendee(
            meeting=meeting,
            role=AttendeeRole.PARENT,
            parent=parent,
            name=f"{parent.forename} {parent.surname}",
            organisation=links[parent.pk].relationship.capitalize(),
        )
        for parent in dict.fromkeys(parents)
    ]
    if pupil_attends:
        attendees.append(MeetingAttendee(meeting=meeting, role=AttendeeRole.PUPIL, name=str(case.pupil)))
    attendees += [
        MeetingAttendee(meeting=meeting, role=o.role, name=o.name.strip(), organisation=o.organisation.strip())
        for o in others
    ]
    MeetingAttendee.objects.bulk_create(attendees)

    invited = ", ".join(a.name for a in attendees) or "nobody yet"
    case_event_record(
        case=case,
        kind=EventKind.MEETING,
        summary=f"{first_upper(describe(meeting))} at {clock_time(starts_at)} planned: {location}",
        reason=f"Invited: {invited}.",
        by=by,
        evidence=[f"meeting:{meeting.pk}"],
        at=now,
    )
    audit(user=by, action="meeting.plan", pupil=case.pupil, detail=f"meeting {meeting.pk} ({kind}) on case {case.pk}")
    if invite_parents and parents:
        meeting_invitations_generate(meeting=meeting, by=by)
    return meeting


def _invitation_context(meeting: Meeting, recipient: MeetingAttendee, by) -> dict:
    article, name = KIND_NAMES[MeetingKind(meeting.kind)]
    others = [a for a in meeting.attendees.all() if a.pk != recipient.pk and a.role != AttendeeRole.PUPIL]
    # Staff first, then other agencies, then the other parents: the order a parent asks "who is coming".
    order = {AttendeeRole.STAFF: 0, AttendeeRole.AGENCY: 1, AttendeeRole.PARENT: 2}
    others.sort(key=lambda a: (order[a.role], a.name))
    profile: StaffProfile | None = getattr(by, "staff", None)
    return {
        "kind": meeting.kind,
        "kind_article": article,
        "kind_name": name,
        "starts_at": timezone.localtime(meeting.starts_at),
        "meeting_date": f"{timezone.localtime(meeting.starts_at):%A} {long_date(meeting.starts_at)}",
        "meeting_time": clock_time(meeting.starts_at),
        "location": meeting.location,
        "pupil_forename": meeting.case.pupil.forename,
        "pupil_attends": meeting.attendees.filter(role=AttendeeRole.PUPIL).exists(),
        "attendees": [{"name": a.name, "description": a.organisation} for a in others],
        "contact_name": by.get_full_name() or by.get_username(),
        "contact_position": profile.position if profile is not None else "",
    }


@transaction.atomic
def meeting_invitations_generate(*, meeting: Meeting, by) -> list[Letter]:
    """One invitation letter (PDF) per invited parent. Running it again makes a new version of each."""
    meeting = _locked(meeting)
    require_case_writer(by, meeting.case)
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingRefused(f"This meeting is {meeting.get_status_display().lower()}: invitations are only for planned meetings.")
    if meeting.starts_at <= timezone.now():
        raise MeetingRefused("This meeting's time has passed. Plan a new meeting to send invitations.")
    earliest = add_working_days(timezone.localdate(), INVITATION_NOTICE_WORKING_DAYS)
    if timezone.localtime(meeting.starts_at).date() < earliest:
        raise MeetingRefused(
            f"An invitation letter gives parents at least {INVITATION_NOTICE_WORKING_DAYS} school days' notice: "
            f"a meeting on {long_date(meeting.starts_at)} is too soon. Plan it for {long_date(earliest)} or later, "
            "or arrange it with the parents by phone and plan it without invitation letters."
        )
    invited = list(meeting.attendees.filter(role=AttendeeRole.PARENT).select_related("parent"))
    if not invited:
        raise MeetingRefused("No parents or carers are invited to this meeting, so there is nobody to write to.")
    pupil = meeting.case.pupil
    letters = [
        letter_generate(
            template=INVITATION_TEMPLATE,
            title=f"Invitation to {kind_name(meeting.kind)} on {long_date(meeting.starts_at)}",
            pupil=pupil,
            case=meeting.case,
            parent=attendee.parent,
            recipient=f"parent:{attendee.parent_id}",
            subject_key=f"meeting:{meeting.pk}",
            context=_invitation_context(meeting, attendee, by),
            by=by,
        )
        for attendee in invited
    ]
    audit(
        user=by,
        action="meeting.invitations",
        pupil=pupil,
        detail=f"meeting {meeting.pk}: letters {', '.join(str(letter.pk) for letter in letters)}",
    )
    return letters


def _latest_invitation(meeting: Meeting, parent_id: int) -> Letter | None:
    return (
        Letter.objects.filter(subject_key=f"meeting:{meeting.pk}", recipient=f"parent:{parent_id}")
        .order_by("-version")
        .only("pk", "version", "generated_at")
        .first()
    )


@transaction.atomic
def meeting_record(
    *,
    meeting: Meeting,
    attendance: Mapping[int, bool],
    barriers_discussed: str = "",
    what_is_working: str = "",
    what_we_are_worried_about: str = "",
    what_needs_to_happen: str = "",
    notes: str = "",
    by,
) -> Meeting:
    """Records a held meeting: who came (by attendee id), what was discussed and, for TAC/TAF, the three parts.

    Each invited parent who did not attend gets a non-engagement entry on the chronology, naming the
    invitation letter when there was one.
    """
    meeting = _locked(meeting)
    case = meeting.case
    require_case_writer(by, case)
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingRefused(f"This meeting is already {meeting.get_status_display().lower()}.")
    now = timezone.now()
    if meeting.starts_at > now:
        raise MeetingRefused("This meeting has not started yet. Record it once it has taken place.")
    # A meeting planned before this policy (dated 1900, say) cannot become evidence by being recorded.
    meeting_day_check(case, meeting.starts_at, today=timezone.localdate(), field=None)
    texts = {"barriers_discussed": barriers_discussed, "what_is_working": what_is_working,
             "what_we_are_worried_about": what_we_are_worried_about, "what_needs_to_happen": what_needs_to_happen,
             "notes": notes}
    for name, what in RECORD_TEXTS:
        facts.text(texts[name], what=what, field=name)
    if meeting.kind in KINDS_WITH_THREE_PART_NOTES and not (
        what_is_working.strip() and what_we_are_worried_about.strip() and what_needs_to_happen.strip()
    ):
        raise MeetingRefused(
            "Record all three parts of the notes: what is working, what we are worried about, what needs to happen."
        )
    attendees = list(meeting.attendees.all())
    for attendee in attendees:
        if attendance.get(attendee.pk) is None:
            raise MeetingRefused(f"Say whether {attendee.name} attended.")
        attendee.attended = bool(attendance[attendee.pk])
    MeetingAttendee.objects.bulk_update(attendees, ["attended"])

    meeting.status = MeetingStatus.HELD
    meeting.barriers_discussed = barriers_discussed.strip()
    meeting.what_is_working = what_is_working.strip()
    meeting.what_we_are_worried_about = what_we_are_worried_about.strip()
    meeting.what_needs_to_happen = what_needs_to_happen.strip()
    meeting.notes = notes.strip()
    meeting.recorded_by = by
    meeting.recorded_at = now
    meeting.save()

    came = [a.name for a in attendees if a.attended]
    missed = [a.name for a in attendees if not a.attended]
    reason = f"Attended: {', '.join(came) or 'nobody'}. Did not attend: {', '.join(missed) or 'nobody'}."
    if meeting.barriers_discussed:
        reason += f"\nBarriers discussed: {meeting.barriers_discussed}"
    case_event_record(
        case=case,
        kind=EventKind.MEETING,
        summary=f"{first_upper(describe(meeting))} held",
        reason=reason,
        by=by,
        evidence=[f"meeting:{meeting.pk}"],
        at=now,
    )
    for attendee in attendees:
        if attendee.role != AttendeeRole.PARENT or attendee.attended:
            continue
        letter = _latest_invitation(meeting, attendee.parent_id)
        if letter is not None:
            why = f"Invited by letter dated {long_date(letter.generated_at)}."
            evidence = [f"meeting:{meeting.pk}", f"letter:{letter.pk}"]
        else:
            why = "No invitation letter from this service is on record for this meeting."
            evidence = [f"meeting:{meeting.pk}"]
        case_event_record(
            case=case,
            kind=EventKind.NON_ENGAGEMENT,
            summary=f"{attendee.name} did not attend the {describe(meeting)}",
            reason=why,
            by=by,
            evidence=evidence,
            at=now,
        )
    audit(
        user=by,
        action="meeting.record",
        pupil=case.pupil,
        detail=f"meeting {meeting.pk} held; parents attended: {'yes' if any(a.attended for a in attendees if a.role == AttendeeRole.PARENT) else 'no'}",
    )
    return meeting


@transaction.atomic
def meeting_action_add(
    *, meeting: Meeting, description: str, owner: str, due_on: date, owner_user=None, by
) -> Action:
    """Adds an action agreed at a held meeting: a tracked task on the case with an owner and a due date."""
    meeting = _locked(meeting)
    case = meeting.case
    require_case_writer(by, case)
    if meeting.status != MeetingStatus.HELD:
        raise MeetingRefused("Record the meeting as held before adding the actions agreed at it.")
    description, owner = description.strip(), owner.strip()
    if owner_user is not None:
        owner_profile = getattr(owner_user, "staff", None)
        if owner_profile is None or owner_profile.school_id != case.pupil.school_id:
            raise MeetingRefused("The person responsible must work at the pupil's school.")
        owner = owner or owner_user.get_full_name() or owner_user.get_username()
    if not description or not owner:
        raise MeetingRefused("An agreed action needs a description and someone responsible for it.")
    facts.text(description, what="What has been agreed", field="description", limit=ACTION_DESCRIPTION_MAX)
    facts.text(owner, what="Who is responsible", field="owner", limit=facts.SHORT_TEXT_MAX)
    meeting_day = timezone.localtime(meeting.starts_at).date()
    if due_on < meeting_day:
        raise facts.ImpossibleFact(
            f"The date it is due must be on or after the day of the meeting ({long_date(meeting_day)})", field="due"
        )
    facts.planned(due_on, what="The date it is due", today=timezone.localdate(), field="due")
    now = timezone.now()
    action = Action.objects.create(
        case=case,
        meeting=meeting,
        description=description,
        owner=owner,
        owner_user=owner_user,
        due_on=due_on,
        created_at=now,
    )
    case_event_record(
        case=case,
        kind=EventKind.ACTION,
        summary=f"Action agreed at the {describe(meeting)}: {description}",
        reason=f"Responsible: {owner}. Due by {long_date(due_on)}.",
        by=by,
        evidence=[f"meeting:{meeting.pk}", f"action:{action.pk}"],
        at=now,
    )
    audit(user=by, action="meeting.action_add", pupil=case.pupil, detail=f"action {action.pk} at meeting {meeting.pk}")
    return action


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, by) -> Meeting:
    """Cancels a planned meeting, with the reason (e.g. the parent asked to rearrange)."""
    meeting = _locked(meeting)
    case = meeting.case
    require_case_writer(by, case)
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingRefused(f"Only a planned meeting can be cancelled; this one is {meeting.get_status_display().lower()}.")
    reason = facts.text(reason.strip(), what="The reason", field="reason")
    if not reason:
        raise MeetingRefused("Enter why the meeting is cancelled.")
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    case_event_record(
        case=case,
        kind=EventKind.MEETING,
        summary=f"{first_upper(describe(meeting))} cancelled",
        reason=reason,
        by=by,
        evidence=[f"meeting:{meeting.pk}"],
    )
    audit(user=by, action="meeting.cancel", pupil=case.pupil, detail=f"meeting {meeting.pk} cancelled")
    return meeting


# --- contacts with the family ----------------------------------------------------------------------------

# What the person on the other end is, when not one of the pupil's parents: "pupil", "social worker".
