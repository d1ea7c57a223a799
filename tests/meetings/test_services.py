"""Meetings' services: who can be invited, what recording a meeting writes, agreed actions, refusals."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.facts import ImpossibleFact
from cases.models import AuditEvent, CaseEvent, EventKind
from cases.permissions import NotPermitted
from interventions.models import Action
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from meetings.services import (
    MeetingRefused,
    OtherAttendee,
    ParentNotLinked,
    meeting_action_add,
    meeting_cancel,
    meeting_invitations_generate,
    meeting_plan,
    meeting_record,
)
from notices.models import Letter
from tests.meetings.conftest import AFTER_MEETING, MEETING_AT


def _plan(case, by, **overrides):
    fields = {
        "case": case, "kind": MeetingKind.ATTENDANCE, "starts_at": MEETING_AT, "location": "Family room",
        "parents": [], "by": by,
    }
    fields.update(overrides)
    return meeting_plan(**fields)


def _attendance(meeting, **by_name):
    """{attendee id: attended} from names; everyone not named attended."""
    return {a.pk: by_name.get(a.name, True) for a in meeting.attendees.all()}


# --- planning --------------------------------------------------------------------------------


def test_planning_refuses_a_parent_not_linked_to_the_pupil(case, dsl, mother, stranger, planning_day):
    with pytest.raises(ParentNotLinked, match="Tina Stranger is not recorded as a parent or carer of Amelia Hughes"):
        _plan(case, dsl, parents=[mother, stranger])
    assert not Meeting.objects.exists()
    assert not MeetingAttendee.objects.exists()
    assert not CaseEvent.objects.exists()


def test_planning_lists_the_invitees_and_goes_on_the_chronology(case, dsl, mother, planning_day):
    meeting = _plan(
        case, dsl, parents=[mother], pupil_attends=True,
        others=[OtherAttendee(role=AttendeeRole.AGENCY, name="Jo Reid", organisation="School Nurse")],
    )
    invited = {(a.role, a.name, a.organisation, a.parent_id) for a in meeting.attendees.all()}
    assert invited == {
        (AttendeeRole.PARENT, "Jane Hughes", "Mother", mother.pk),
        (AttendeeRole.PUPIL, "Amelia Hughes", "", None),
        (AttendeeRole.AGENCY, "Jo Reid", "School Nurse", None),
    }
    assert all(a.attended is None for a in meeting.attendees.all())
    assert meeting.status == MeetingStatus.PLANNED
    event = CaseEvent.objects.get(case=case, kind=EventKind.MEETING)
    assert event.summary == "Attendance meeting on 8 October 2026 at 9:30am planned: Family room"
    assert event.evidence == [f"meeting:{meeting.pk}"]
    assert AuditEvent.objects.filter(action="meeting.plan", user=dsl).exists()


def test_an_attendance_meeting_needs_a_parent_invited(case, dsl, planning_day):
    with pytest.raises(MeetingRefused, match="Invite at least one parent or carer"):
        _plan(case, dsl, parents=[])


def test_a_tac_meeting_can_be_planned_with_agencies_only(case, dsl, planning_day):
    meeting = _plan(case, dsl, kind=MeetingKind.TAC, others=[OtherAttendee(role="agency", name="Jo Reid")])
    assert meeting.attendees.count() == 1


def test_planning_with_invitations_makes_one_letter_per_parent(case, dsl, mother, father, planning_day):
    meeting = _plan(case, dsl, parents=[mother, father], invite_parents=True)
    letters = Letter.objects.filter(subject_key=f"meeting:{meeting.pk}")
    assert {(letter.recipient, letter.parent_id, letter.version) for letter in letters} == {
        (f"parent:{mother.pk}", mother.pk, 1),
        (f"parent:{father.pk}", father.pk, 1),
    }
    assert all(letter.case_id == case.pk for letter in letters)


def test_planning_a_past_meeting_with_invitations_plans_nothing(case, dsl, mother):
    with time_machine.travel(AFTER_MEETING, tick=False), pytest.raises(MeetingRefused, match="time has passed"):
        _plan(case, dsl, parents=[mother], invite_parents=True)
    assert not Meeting.objects.exists()
    assert not Letter.objects.exists()


@pytest.mark.parametrize("persona", ["headteacher", "senco", "la_officer", "other_school_dsl"])
def test_only_casework_staff_of_the_pupils_school_can_plan(request, case, mother, planning_day, persona):
    with pytest.raises(NotPermitted):
        _plan(case, request.getfixturevalue(persona), parents=[mother])
    assert not Meeting.objects.exists()


def test_the_attendance_officer_can_plan(case, attendance_officer, mother, planning_day):
    assert _plan(case, attendance_officer, parents=[mother]).created_by == attendance_officer


# --- invitations -----------------------------------------------------------------------------


def test_invitations_again_make_new_versions(meeting, dsl, mother):
    meeting_invitations_generate(meeting=meeting, by=dsl)
    again = meeting_invitations_generate(meeting=meeting, by=dsl)
    assert sorted(letter.version for letter in again) == [2, 2]
    assert Letter.objects.filter(subject_key=f"meeting:{meeting.pk}").count() == 4


@pytest.mark.parametrize(("day", "allowed"), [
    (dt.date(2026, 10, 2), False),  # Friday: four school days after Monday 28 September
    (dt.date(2026, 10, 5), True),  # Monday: five school days, a school week
], ids=["four-school-days", "five-school-days"])
def test_an_invitation_gives_parents_a_school_weeks_notice(case, dsl, mother, planning_day, day, allowed):
    from meetings.services import INVITATION_NOTICE_WORKING_DAYS

    starts_at = dt.datetime.combine(day, MEETING_AT.timetz())
    assert INVITATION_NOTICE_WORKING_DAYS == 5
    if allowed:
        _plan(case, dsl, parents=[mother], invite_parents=True, starts_at=starts_at)
        assert Letter.objects.count() == 1
    else:
        with pytest.raises(MeetingRefused, match="at least 5 school days' notice: a meeting on 2 October 2026 is too "
                                                 "soon. Plan it for 5 October 2026 or later"):
            _plan(case, dsl, parents=[mother], invite_parents=True, starts_at=starts_at)
        assert not Meeting.objects.exists() and not Letter.objects.exists()


def test_invitations_for_a_cancelled_meeting_are_refused(meeting, dsl):
    meeting_cancel(meeting=meeting, reason="Mother asked to rearrange", by=dsl)
    with pytest.raises(MeetingRefused, match="cancelled"):
        meeting_invitations_generate(meeting=meeting, by=dsl)


# --- recording -------------------------------------------------------------------------------


def test_recording_writes_non_attendance_of_each_absent_parent_to_the_chronology(meeting, dsl, mother, father):
    letters = meeting_invitations_generate(meeting=meeting, by=dsl)
    to_father = next(letter for letter in letters if letter.parent_id == father.pk)
    with time_machine.travel(AFTER_MEETING, tick=False):
        meeting_record(
            meeting=meeting, attendance=_attendance(meeting, **{"Mark Hughes": False}),
            barriers_discussed="Amelia is anxious about the walk to school", by=dsl,
        )

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.recorded_by == dsl
    assert meeting.barriers_discussed == "Amelia is anxious about the walk to school"
    assert dict(meeting.attendees.values_list("name", "attended")) == {
        "Jane Hughes": True, "Mark Hughes": False, "Amelia Hughes": True, "Sam Patel": True,
    }
    missed = CaseEvent.objects.get(kind=EventKind.NON_ENGAGEMENT)
    assert missed.summary == "Mark Hughes did not attend the attendance meeting on 8 October 2026"
    assert missed.reason == "Invited by letter dated 28 September 2026."
    assert missed.evidence == [f"meeting:{meeting.pk}", f"letter:{to_father.pk}"]
    held = CaseEvent.objects.get(kind=EventKind.MEETING, summary__endswith="held")
    assert held.summary == "Attendance meeting on 8 October 2026 held"
    assert "Did not attend: Mark Hughes." in held.reason
    assert "Barriers discussed: Amelia is anxious" in held.reason
    assert AuditEvent.objects.filter(action="meeting.record").exists()


def test_a_pupil_or_staff_member_missing_is_not_parental_non_engagement(meeting, dsl):
    with time_machine.travel(AFTER_MEETING, tick=False):
        meeting_record(meeting=meeting, attendance=_attendance(meeting, **{"Amelia Hughes": False, "Sam Patel": False}), by=dsl)
    assert not CaseEvent.objects.filter(kind=EventKind.NON_ENGAGEMENT).exists()


def test_non_attendance_without_an_invitation_letter_says_so(meeting, dsl):
    with time_machine.travel(AFTER_MEETING, tick=False):
        meeting_record(meeting=meeting, attendance=_attendance(meeting, **{"Jane Hughes": False}), by=dsl)
    missed = CaseEvent.objects.get(kind=EventKind.NON_ENGAGEMENT)
    assert missed.reason == "No invitation letter from this service is on record for this meeting."
    assert missed.evidence == [f"meeting:{meeting.pk}"]


def test_recording_needs_the_attendance_of_every_invitee(meeting, dsl):
    attendance = _attendance(meeting)
    attendance.pop(meeting.attendees.get(name="Mark Hughes").pk)
    with time_machine.travel(AFTER_MEETING, tick=False), pytest.raises(MeetingRefused, match="Say whether Mark Hughes attended"):
        meeting_record(meeting=meeting, attendance=attendance, by=dsl)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert not meeting.attendees.filter(attended__isnull=False).exists()


def test_a_meeting_cannot_be_recorded_before_it_starts(meeting, dsl):
    with pytest.raises(MeetingRefused, match="not started yet"):
        meeting_record(meeting=meeting, attendance=_attendance(meeting), by=dsl)


def test_a_meeting_is_recorded_once(meeting, dsl):
    with time_machine.travel(AFTER_MEETING, tick=False):
        meeting_record(meeting=meeting, attendance=_attendance(meeting), by=dsl)
        with pytest.raises(MeetingRefused, match="already held"):
            meeting_record(meeting=meeting, attendance=_attendance(meeting), by=dsl)


def test_tac_notes_are_saved_in_three_parts(case, dsl, mother, planning_day):
    tac = _plan(case, dsl, kind=MeetingKind.TAC, parents=[mother],
                others=[OtherAttendee(role="agency", name="Jo Reid", organisation="Early Help")])
    with time_machine.travel(AFTER_MEETING, tick=False):
        meeting_record(
            meeting=tac, attendance=_attendance(tac), what_is_working="Breakfast club most days",
            what_we_are_worried_about="Mondays are missed", what_needs_to_happen="Early help assessment", notes="n",
            by=dsl,
        )
    tac.refresh_from_db()
    assert (tac.what_is_working, tac.what_we_are_worried_about, tac.what_needs_to_happen, tac.notes) == (
        "Breakfast club most days", "Mondays are missed", "Early help assessment", "n",
    )


def test_tac_notes_without_all_three_parts_are_refused(case, dsl, mother, planning_day):
    tac = _plan(case, dsl, kind=MeetingKind.TAF, parents=[mother])
    with time_machine.travel(AFTER_MEETING, tick=False), pytest.raises(MeetingRefused, match="all three parts"):
        meeting_record(meeting=tac, attendance=_attendance(tac), what_is_working="Breakfast club", by=dsl)
    tac.refresh_from_db()
    assert tac.status == MeetingStatus.PLANNED


@pytest.mark.parametrize("persona", ["headteacher", "la_officer", "other_school_dsl"])
def test_only_casework_staff_of_the_pupils_school_can_record(request, meeting, persona):
    with time_machine.travel(AFTER_MEETING, tick=False), pytest.raises(NotPermitted):
        meeting_record(meeting=meeting, attendance=_attendance(meeting), by=request.getfixturevalue(persona))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


# --- agreed actions --------------------------------------------------------------------------


@pytest.fixture
def held(meeting, dsl):
    with time_machine.travel(AFTER_MEETING, tick=False):
        meeting_record(meeting=meeting, attendance=_attendance(meeting), by=dsl)
    meeting.refresh_from_db()
    return meeting


def test_agreed_actions_become_tracked_tasks_with_an_owner_and_a_due_date(held, dsl, attendance_officer):
    with time_machine.travel(AFTER_MEETING, tick=False):
        mine = meeting_action_add(
            meeting=held, description="Morning check-in with a key adult", owner="", owner_user=attendance_officer,
            due_on=dt.date(2026, 10, 22), by=dsl,
        )
        theirs = meeting_action_add(
            meeting=held, description="Book a GP appointment", owner="Jane Hughes (mother)",
            due_on=dt.date(2026, 10, 15), by=dsl,
        )
    assert mine.case == held.case and mine.meeting == held
    assert mine.owner == attendance_officer.get_full_name()
    assert mine.owner_user == attendance_officer
    assert (theirs.owner, theirs.due_on, theirs.owner_user) == ("Jane Hughes (mother)", dt.date(2026, 10, 15), None)
    assert list(held.case.actions.values_list("description", flat=True)) == [
        "Book a GP appointment", "Morning check-in with a key adult",
    ]
    assert theirs.is_overdue(dt.date(2026, 10, 16))
    event = next(e for e in CaseEvent.objects.filter(kind=EventKind.ACTION) if f"action:{theirs.pk}" in e.evidence)
    assert event.summary == "Action agreed at the attendance meeting on 8 October 2026: Book a GP appointment"
    assert event.reason == "Responsible: Jane Hughes (mother). Due by 15 October 2026."


def test_actions_wait_until_the_meeting_is_recorded(meeting, dsl):
    with pytest.raises(MeetingRefused, match="Record the meeting as held"):
        meeting_action_add(meeting=meeting, description="x", owner="y", due_on=dt.date(2026, 10, 22), by=dsl)
    assert not Action.objects.exists()


def test_an_action_cannot_be_due_before_the_meeting(held, dsl):
    with pytest.raises(ImpossibleFact, match="on or after the day of the meeting"):
        meeting_action_add(meeting=held, description="x", owner="y", due_on=dt.date(2026, 10, 7), by=dsl)


def test_an_action_owner_from_another_school_is_refused(held, dsl, other_school_dsl):
    with pytest.raises(MeetingRefused, match="must work at the pupil's school"):
        meeting_action_add(meeting=held, description="x", owner="", owner_user=other_school_dsl,
                           due_on=dt.date(2026, 10, 22), by=dsl)


@pytest.mark.parametrize("persona", ["headteacher", "la_officer", "other_school_dsl"])
def test_only_casework_staff_of_the_pupils_school_can_add_actions(request, held, persona):
    with pytest.raises(NotPermitted):
        meeting_action_add(meeting=held, description="x", owner="y", due_on=dt.date(2026, 10, 22),
                           by=request.getfixturevalue(persona))
    assert not Action.objects.exists()


# --- cancelling ------------------------------------------------------------------------------


def test_cancelling_records_the_reason(meeting, dsl):
    meeting_cancel(meeting=meeting, reason="Mother asked to rearrange: work shift", by=dsl)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    event = CaseEvent.objects.get(kind=EventKind.MEETING, summary__endswith="cancelled")
    assert event.summary == "Attendance meeting on 8 October 2026 cancelled"
    assert event.reason == "Mother asked to rearrange: work shift"
    assert AuditEvent.objects.filter(action="meeting.cancel").exists()


def test_a_held_meeting_cannot_be_cancelled(held, dsl):
    with pytest.raises(MeetingRefused, match="Only a planned meeting"):
        meeting_cancel(meeting=held, reason="x", by=dsl)


def test_la_officer_cannot_cancel(meeting, la_officer):
    with pytest.raises(NotPermitted):
        meeting_cancel(meeting=meeting, reason="x", by=la_officer)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED

