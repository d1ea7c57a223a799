"""The meetings screens over HTTP: who may use them, what a POST saves, and errors that save nothing."""
from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from cases.models import AuditEvent, CaseEvent, EventKind
from interventions.models import Action
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from meetings.services import OtherAttendee, meeting_plan, meeting_record
from notices.models import Letter
from tests.meetings.conftest import AFTER_MEETING, MEETING_AT


def _plan_url(case):
    return reverse("meetings:plan", args=[case.pk])


def _plan_data(**overrides):
    data = {
        "kind": "attendance", "date_day": "8", "date_month": "10", "date_year": "2026", "time": "9:30am",
        "location": "Family room", "pupil_attends": "yes", "staff": "Sam Patel, Attendance Officer\n",
        "agencies": "Jo Reid, School Nurse", "invite_parents": "on",
    }
    data.update(overrides)
    return data


def _held(meeting, dsl):
    with time_machine.travel(AFTER_MEETING, tick=False):
        meeting_record(meeting=meeting, attendance={a.pk: True for a in meeting.attendees.all()}, by=dsl)
    meeting.refresh_from_db()
    return meeting


# --- planning --------------------------------------------------------------------------------


def test_plan_form_offers_only_the_pupils_own_parents(client, dsl, case, mother, father, stranger, planning_day):
    client.force_login(dsl)
    response = client.get(_plan_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Plan a meeting" in page
    assert f'value="{mother.pk}"' in page and "Jane Hughes (mother)" in page
    assert "Mark Hughes (father)" in page
    assert "Tina Stranger" not in page


def test_planning_saves_the_meeting_and_the_invitations_then_returns_to_the_case(
    client, dsl, case, mother, father, planning_day
):
    client.force_login(dsl)
    response = client.post(_plan_url(case), _plan_data(parents=[str(mother.pk), str(father.pk)]))
    assert response.status_code == 302
    assert response.url == reverse("case_meetings", args=[case.pk])

    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.starts_at, meeting.location) == (MeetingKind.ATTENDANCE, MEETING_AT, "Family room")
    invited = set(meeting.attendees.values_list("role", "name", "organisation"))
    assert invited == {
        (AttendeeRole.PARENT, "Jane Hughes", "Mother"), (AttendeeRole.PARENT, "Mark Hughes", "Father"),
        (AttendeeRole.PUPIL, "Amelia Hughes", ""), (AttendeeRole.STAFF, "Sam Patel", "Attendance Officer"),
        (AttendeeRole.AGENCY, "Jo Reid", "School Nurse"),
    }
    assert Letter.objects.filter(subject_key=f"meeting:{meeting.pk}").count() == 2
    followed = client.get(response.url)
    assert "Attendance meeting on 8 October 2026 planned, and invitation letters created" in followed.content.decode()


def test_planning_without_the_letters_box_makes_no_letters(client, dsl, case, mother, planning_day):
    client.force_login(dsl)
    data = _plan_data(parents=[str(mother.pk)])
    del data["invite_parents"]
    assert client.post(_plan_url(case), data).status_code == 302
    assert Meeting.objects.count() == 1
    assert not Letter.objects.exists()


def test_plan_form_errors_are_summarised_and_nothing_is_saved(client, dsl, case, mother, planning_day):
    client.force_login(dsl)
    response = client.post(
        _plan_url(case), _plan_data(kind="", date_day="31", date_month="2", time="25:00", location="", pupil_attends="")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "<title>Error: " in page
    for message in (
        "Select the type of meeting",
        "The date of the meeting must be a real date",
        "Enter a real time, for example 9:30am or 14:00",
        "Enter where the meeting will be held",
        "Select yes if the pupil is invited to the meeting",
    ):
        assert message in page, message
    assert 'href="#id_kind_0"' in page  # the summary links to the first radio
    assert not Meeting.objects.exists()
    assert not CaseEvent.objects.exists()


def test_posting_a_parent_not_linked_to_the_pupil_is_an_error_and_saves_nothing(
    client, dsl, case, mother, stranger, planning_day
):
    client.force_login(dsl)
    response = client.post(_plan_url(case), _plan_data(parents=[str(mother.pk), str(stranger.pk)]))
    assert response.status_code == 200
    assert "Select only this pupil&#x27;s own parents and carers" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_service_refusal_is_shown_on_the_form(client, dsl, case, planning_day):
    client.force_login(dsl)
    response = client.post(_plan_url(case), _plan_data())  # an attendance meeting with no parent
    assert response.status_code == 200
    assert "Invite at least one parent or carer to an attendance meeting" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("headteacher", 403), ("la_officer", 403), ("other_school_dsl", 404)])
def test_who_cannot_plan_a_meeting(request, client, case, mother, planning_day, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_plan_url(case)).status_code == status
    assert client.post(_plan_url(case), _plan_data(parents=[str(mother.pk)])).status_code == status
    assert not Meeting.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting):
    for url in (
        _plan_url(meeting.case), reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:record", args=[meeting.pk]), reverse("meetings:cancel", args=[meeting.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# --- the meeting page and its letters ---------------------------------------------------------


def test_meeting_page_lists_invitees_letters_and_actions_for_a_writer(client, dsl, meeting):
    client.force_login(dsl)
    assert client.post(reverse("meetings:invitations", args=[meeting.pk])).status_code == 302
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Jane Hughes" in page and "Sam Patel" in page
    for letter in Letter.objects.all():
        assert reverse("notices:letter_pdf", args=[letter.pk]) in page
    assert reverse("meetings:record", args=[meeting.pk]) in page
    assert AuditEvent.objects.filter(action="meeting.view", user=dsl).exists()


def test_headteacher_reads_the_meeting_without_the_buttons(client, headteacher, meeting):
    client.force_login(headteacher)
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200
    assert reverse("meetings:record", args=[meeting.pk]) not in response.content.decode()
    assert client.post(reverse("meetings:invitations", args=[meeting.pk])).status_code == 403
    assert not Letter.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("la_officer", 403), ("other_school_dsl", 404)])
def test_the_meeting_page_is_closed_to_other_schools_and_the_la(request, client, meeting, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == status


def test_invitations_for_a_past_meeting_show_the_reason(client, dsl, meeting):
    with time_machine.travel(AFTER_MEETING, tick=False):
        client.force_login(dsl)
        response = client.post(reverse("meetings:invitations", args=[meeting.pk]), follow=True)
    assert "This meeting&#x27;s time has passed" in response.content.decode()
    assert not Letter.objects.exists()


# --- recording -------------------------------------------------------------------------------


def _record_data(meeting, **attended):
    data = {f"attended_{a.pk}": attended.get(a.name, "yes") for a in meeting.attendees.all()}
    data.update(barriers_discussed="Worries about friendships", notes="")
    return data


def test_record_form_asks_about_each_invitee(client, dsl, meeting):
    with time_machine.travel(AFTER_MEETING, tick=False):
        client.force_login(dsl)
        response = client.get(reverse("meetings:record", args=[meeting.pk]))
    page = response.content.decode()
    for attendee in meeting.attendees.all():
        assert f'name="attended_{attendee.pk}"' in page
        assert f"Did {attendee.name} attend?" in page


def test_recording_saves_attendance_and_writes_non_attendance_to_the_chronology(client, dsl, meeting):
    with time_machine.travel(AFTER_MEETING, tick=False):
        client.force_login(dsl)
        response = client.post(reverse("meetings:record", args=[meeting.pk]), _record_data(meeting, **{"Jane Hughes": "no"}))
    assert response.status_code == 302
    assert response.url == reverse("case_meetings", args=[meeting.case.pk])
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.barriers_discussed == "Worries about friendships"
    assert MeetingAttendee.objects.get(name="Jane Hughes").attended is False
    assert CaseEvent.objects.get(kind=EventKind.NON_ENGAGEMENT).summary == (
        "Jane Hughes did not attend the attendance meeting on 8 October 2026"
    )


def test_record_form_errors_save_nothing(client, dsl, meeting):
    data = _record_data(meeting)
    missing = meeting.attendees.get(name="Mark Hughes")
    del data[f"attended_{missing.pk}"]
    with time_machine.travel(AFTER_MEETING, tick=False):
        client.force_login(dsl)
        response = client.post(reverse("meetings:record", args=[meeting.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select yes if Mark Hughes attended" in page
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert not meeting.attendees.filter(attended__isnull=False).exists()
    assert not CaseEvent.objects.filter(kind__in=[EventKind.NON_ENGAGEMENT]).exists()
    assert not CaseEvent.objects.filter(summary__endswith="held").exists()


def test_tac_record_form_requires_and_saves_the_three_parts(client, dsl, case, mother, planning_day):
    tac = meeting_plan(case=case, kind=MeetingKind.TAC, starts_at=MEETING_AT, location="Room 2", parents=[mother],
                       others=[OtherAttendee(role="agency", name="Jo Reid", organisation="Early Help")], by=dsl)
    url = reverse("meetings:record", args=[tac.pk])
    with time_machine.travel(AFTER_MEETING, tick=False):
        client.force_login(dsl)
        empty = client.post(url, _record_data(tac))
        assert "Enter what is working" in empty.content.decode()
        assert "Enter what needs to happen" in empty.content.decode()
        data = _record_data(tac) | {
            "what_is_working": "Breakfast club", "what_we_are_worried_about": "Mondays",
            "what_needs_to_happen": "Early help assessment",
        }
        assert client.post(url, data).status_code == 302
    tac.refresh_from_db()
    assert (tac.what_is_working, tac.what_we_are_worried_about, tac.what_needs_to_happen) == (
        "Breakfast club", "Mondays", "Early help assessment",
    )


def test_a_recorded_meeting_cannot_be_recorded_again(client, dsl, meeting):
    _held(meeting, dsl)
    client.force_login(dsl)
    response = client.get(reverse("meetings:record", args=[meeting.pk]))
    assert response.status_code == 302
    assert response.url == reverse("meetings:detail", args=[meeting.pk])


@pytest.mark.parametrize(("persona", "status"), [("headteacher", 403), ("la_officer", 403), ("other_school_dsl", 404)])
def test_who_cannot_record_a_meeting(request, client, meeting, persona, status):
    with time_machine.travel(AFTER_MEETING, tick=False):
        client.force_login(request.getfixturevalue(persona))
        assert client.post(reverse("meetings:record", args=[meeting.pk]), _record_data(meeting)).status_code == status
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


# --- agreed actions --------------------------------------------------------------------------


def test_adding_an_agreed_action(client, dsl, attendance_officer, meeting):
    _held(meeting, dsl)
    client.force_login(dsl)
    url = reverse("meetings:action_add", args=[meeting.pk])
    assert "Member of staff responsible" in client.get(url).content.decode()
    with time_machine.travel(AFTER_MEETING, tick=False):  # a due date is planned: today or later
        client.force_login(dsl)
        response = client.post(url, {
            "description": "Morning check-in with a key adult", "owner_user": str(attendance_officer.pk), "owner": "",
            "due_day": "22", "due_month": "10", "due_year": "2026",
        })
    assert response.status_code == 302
    assert response.url == reverse("case_meetings", args=[meeting.case.pk])
    action = Action.objects.get()
    assert (action.meeting, action.case, action.owner_user, str(action.due_on)) == (
        meeting, meeting.case, attendance_officer, "2026-10-22",
    )


def test_action_form_errors_save_nothing(client, dsl, meeting):
    _held(meeting, dsl)
    client.force_login(dsl)
    response = client.post(reverse("meetings:action_add", args=[meeting.pk]), {
        "description": "", "owner_user": "", "owner": "", "due_day": "", "due_month": "", "due_year": "",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the action that was agreed" in page
    assert "Select the member of staff responsible, or enter who else is responsible" in page
    assert "Enter the date it is due" in page
    assert not Action.objects.exists()


def test_an_action_on_a_planned_meeting_is_refused_on_the_form(client, dsl, meeting):
    client.force_login(dsl)
    response = client.post(reverse("meetings:action_add", args=[meeting.pk]), {
        "description": "x", "owner": "Jane Hughes", "due_day": "22", "due_month": "10", "due_year": "2026",
    })
    assert "Record the meeting as held before adding the actions agreed at it." in response.content.decode()
    assert not Action.objects.exists()


# --- cancelling ------------------------------------------------------------------------------


def test_cancelling_a_meeting(client, dsl, meeting):
    client.force_login(dsl)
    url = reverse("meetings:cancel", args=[meeting.pk])
    assert "Enter why the meeting is cancelled" in client.post(url, {"reason": ""}).content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    response = client.post(url, {"reason": "Mother asked to rearrange"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    cancelled = re.search(r'data-testid="meeting-cancelled">(.*?)</div>', detail, re.S).group(1)
    assert "Mother asked to rearrange" in cancelled and dsl.get_full_name() in cancelled


def test_meeting_times_read_as_gov_uk_writes_them(client, dsl, meeting):
    client.force_login(dsl)
    detail = client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).content.decode()
    case_page = client.get(reverse("case_meetings", kwargs={"pk": meeting.case_id})).content.decode()
    for html in (detail, case_page):
        assert "9:30am" in html
        assert "9:30 AM" not in html and "09:30" not in html


# --- facts that cannot be true: errors on their field, never a 500 -----------------------------------


def _summary_links(response) -> list[tuple[str, str]]:
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.S)
    assert block, "no error summary on the page"
    return re.findall(r'<a href="#([^"]*)">(.*?)</a>', block.group(1))


@pytest.mark.parametrize(
    ("year", "message"),
    [("99999999999999999999", "The date of the meeting must be a real date"),
     ("0001", "Year must include 4 numbers"),
     ("1900", "The date of the meeting must be on or after 1 January 2000"),
     ("9999", "The date of the meeting must be before")],
    ids=["huge-year", "year-0001", "1900", "9999"],
)
def test_an_impossible_year_on_the_plan_form_is_an_error_on_the_date(client, dsl, case, mother, planning_day, year,
                                                                     message):
    client.force_login(dsl)
    response = client.post(_plan_url(case), _plan_data(parents=[str(mother.pk)], date_year=year))
    assert response.status_code == 200
    [(anchor, text)] = _summary_links(response)
    assert anchor == "id_date_day" and text.startswith(message)
    assert not Meeting.objects.exists() and not Letter.objects.exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [(("2", "10", "2027"), "The date of the meeting must be within a year"),
     (("27", "9", "2026"), "The date of the meeting must be on or after the date the case was opened")],
    ids=["2027-beyond-the-horizon", "before-the-case-opened"],
)
def test_the_services_refusal_of_a_meeting_date_is_on_the_date(client, dsl, case, mother, planning_day, day, message):
    client.force_login(dsl)
    response = client.post(_plan_url(case), _plan_data(parents=[str(mother.pk)], date_day=day[0], date_month=day[1],
                                                       date_year=day[2]))
    assert response.status_code == 200
    [(anchor, text)] = _summary_links(response)
    assert anchor == "id_date_day" and text.startswith(message)
    assert not Meeting.objects.exists() and not Letter.objects.exists()


@pytest.mark.parametrize(
    ("due", "message"),
    [(("1", "1", "99999999999999999999"), "The date it is due must be a real date"),
     (("1", "1", "2019"), "The date it is due must be on or after the day of the meeting"),
     (("9", "10", "2028"), "The date it is due must be within a year")],
    ids=["huge-year", "2019", "2028"],
)
def test_an_impossible_due_date_of_an_agreed_action_is_an_error_on_the_date(client, dsl, meeting, due, message):
    _held(meeting, dsl)
    with time_machine.travel(AFTER_MEETING, tick=False):
        client.force_login(dsl)
        response = client.post(reverse("meetings:action_add", args=[meeting.pk]), {
            "description": "Morning check-in", "owner": "Jane Hughes", "due_day": due[0], "due_month": due[1],
            "due_year": due[2],
        })
    assert response.status_code == 200
    [(anchor, text)] = _summary_links(response)
    assert anchor == "id_due_day" and text.startswith(message)
    assert not Action.objects.exists()


def test_a_megabyte_of_meeting_notes_is_refused_on_the_field(client, dsl, meeting):
    with time_machine.travel(AFTER_MEETING, tick=False):
        client.force_login(dsl)
        data = {f"attended_{a.pk}": "yes" for a in meeting.attendees.all()}
        response = client.post(reverse("meetings:record", args=[meeting.pk]), {**data, "notes": "x" * 1_000_000})
    assert response.status_code == 200
    assert _summary_links(response) == [("id_notes", "Other notes must be 10,000 characters or fewer")]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
