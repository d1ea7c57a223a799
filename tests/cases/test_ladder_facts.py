"""The ladder never rests on a record that breaks cases.facts; case forms refuse text over its limit on the field;
check_records lists the rows saved before the policy that break it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from cases import facts, ladder
from cases.models import Case, CaseEvent, EventKind
from cases.record_checks import Problem, record_check, registered
from cases.services import case_note_add, case_open
from interventions.models import (
    Action,
    AttendanceContract,
    ContractParty,
    ContractStatus,
    LeaveOfAbsenceRequest,
    PartyResponse,
    SupportPlan,
    SupportPlanStatus,
)
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from meetings.services import meeting_plan, meeting_record
from tests.factories import ParentalRelationshipFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 11, 26, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
OPENED = dt.datetime(2025, 10, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(pupil, dsl):
    opened = case_open(pupil=pupil, by=dsl, reason="Attendance 84% and falling")
    Case.objects.filter(pk=opened.pk).update(opened_at=OPENED, stage_entered_at=OPENED)
    return Case.objects.get(pk=opened.pk)


@pytest.fixture
def parent(pupil):
    return ParentalRelationshipFactory(pupil=pupil).parent


def _held_meeting(case, user, starts_at, parent=None):
    """A meeting saved as held on any day: rows like this exist from before the services checked dates."""
    meeting = Meeting.objects.create(case=case, kind=MeetingKind.ATTENDANCE, starts_at=starts_at, location="Office",
                                     status=MeetingStatus.HELD, created_by=user, created_at=NOW)
    if parent is not None:
        MeetingAttendee.objects.create(meeting=meeting, role=AttendeeRole.PARENT, parent=parent, name=str(parent),
                                       attended=False)
    return meeting


# --- the ladder's guards ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "allowed"),
    [
        (dt.datetime(1900, 1, 1, 10, 0, tzinfo=dt.UTC), False),
        (OPENED - dt.timedelta(days=1), False),
        (NOW + dt.timedelta(days=30), False),
        (dt.datetime(9999, 1, 1, 10, 0, tzinfo=dt.UTC), False),
        (OPENED, True),
        (NOW - dt.timedelta(hours=1), True),
    ],
    ids=["1900", "the-day-before-the-case-opened", "next-month", "9999", "the-day-the-case-opened", "today"],
)
def test_targeted_support_rests_only_on_a_meeting_held_during_the_case(case, dsl, starts_at, allowed):
    _held_meeting(case, dsl, starts_at)
    check = ladder.check(case, "start_targeted_support")
    assert check.allowed is allowed
    if not allowed:
        assert check.evidence == () and "1 January 1900" not in " ".join(check.evidence)


def test_a_plan_agreed_before_the_case_opened_does_not_unlock_targeted_support(case, dsl):
    SupportPlan.objects.create(case=case, barriers="Bus", status=SupportPlanStatus.AGREED,
                               agreed_on=dt.date(1900, 1, 1), review_on=TODAY, created_by=dsl, created_at=NOW)
    assert not ladder.check(case, "start_targeted_support").allowed


def test_a_contract_declined_before_it_was_offered_is_not_non_engagement(case, dsl, parent):
    contract = AttendanceContract.objects.create(
        case=case, school_commitments="Mentor", parent_commitments="Arrive", starts_on=TODAY, review_on=TODAY,
        status=ContractStatus.DECLINED, offered_on=dt.date(2025, 11, 20), status_changed_on=dt.date(2025, 11, 10),
        created_by=dsl, created_at=NOW)
    ContractParty.objects.create(contract=contract, parent=parent, response=PartyResponse.DECLINED,
                                 responded_on=dt.date(2025, 11, 10))
    case_event = CaseEvent.objects.create(
        case=case, kind=EventKind.NON_ENGAGEMENT, at=NOW, by=dsl,
        summary="Non-engagement: a parent declined the attendance contract offered", evidence=[f"contract:{contract.pk}"])
    assert case_event.pk
    evidence = " ".join(ladder._non_engagement(case, TODAY))
    assert "declined" not in evidence


def test_a_missed_meeting_from_1900_is_not_non_engagement(case, dsl, parent):
    meeting = _held_meeting(case, dsl, dt.datetime(1900, 1, 1, 10, 0, tzinfo=dt.UTC), parent)
    CaseEvent.objects.create(case=case, kind=EventKind.NON_ENGAGEMENT, at=NOW, by=dsl,
                             summary=f"{parent} did not attend the attendance meeting on 1 January 1900",
                             evidence=[f"meeting:{meeting.pk}"])
    assert ladder._non_engagement(case, TODAY) == []


def test_a_meeting_cannot_be_planned_before_its_case_nor_recorded_so(case, dsl, parent):
    with pytest.raises(facts.ImpossibleFact, match="on or after 1 January 2000") as refusal:
        meeting_plan(case=case, kind=MeetingKind.ATTENDANCE, starts_at=dt.datetime(1900, 1, 1, 10, tzinfo=dt.UTC),
                     location="Office", parents=[parent], by=dsl)
    assert refusal.value.field == "date" and not Meeting.objects.exists()
    # One planned before the policy: recording it as held is refused too, so it never becomes evidence.
    old = Meeting.objects.create(case=case, kind=MeetingKind.ATTENDANCE, location="Office", created_by=dsl,
                                 starts_at=dt.datetime(1900, 1, 1, 10, tzinfo=dt.UTC), created_at=NOW)
    with pytest.raises(facts.ImpossibleFact, match="on or after 1 January 2000"):
        meeting_record(meeting=old, attendance={}, by=dsl)
    old.refresh_from_db()
    assert old.status == MeetingStatus.PLANNED


@pytest.mark.parametrize("days_ahead", [367, 365 * 73], ids=["beyond-the-horizon", "in-2099"])
def test_a_meeting_cannot_be_planned_beyond_the_horizon(case, dsl, parent, days_ahead):
    with pytest.raises(facts.ImpossibleFact, match="within a year"):
        meeting_plan(case=case, kind=MeetingKind.ATTENDANCE, starts_at=NOW + dt.timedelta(days=days_ahead),
                     location="Office", parents=[parent], invite_parents=True, by=dsl)
    assert not Meeting.objects.exists()


# --- case forms: text over its limit is an error on the field ------------------------------------------------


def test_a_megabyte_note_is_refused_on_its_field(client, case, dsl):
    client.force_login(dsl)
    response = client.post(reverse("case_note_add", args=[case.pk]),
                           {"kind": EventKind.NOTE, "summary": "Phoned mum", "details": "x" * 1_000_000})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#note-details"' in html and "The details must be 10,000 characters or fewer" in html
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).exists()


def test_the_note_service_refuses_text_over_its_limit(case, dsl):
    with pytest.raises(facts.ImpossibleFact) as refusal:
        case_note_add(case=case, by=dsl, kind=EventKind.NOTE, summary="Phoned", details="x" * (facts.LONG_TEXT_MAX + 1))
    assert refusal.value.field == "details"
    with pytest.raises(facts.ImpossibleFact, match="control characters"):
        case_note_add(case=case, by=dsl, kind=EventKind.NOTE, summary="Phoned\x00")
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).exists()


# --- check_records --------------------------------------------------------------------------------------------


def _check_records() -> tuple[int, list[str]]:
    out = StringIO()
    try:
        call_command("check_records", stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().splitlines()


def test_check_records_finds_nothing_in_a_sound_case(case, dsl):
    _held_meeting(case, dsl, NOW - dt.timedelta(days=3))
    assert _check_records() == (0, [])


def test_check_records_lists_each_row_that_breaks_the_policy(case, dsl, parent, pupil):
    meeting = _held_meeting(case, dsl, dt.datetime(1900, 1, 1, 10, 0, tzinfo=dt.UTC))
    future = _held_meeting(case, dsl, NOW + dt.timedelta(days=10))
    contract = AttendanceContract.objects.create(
        case=case, school_commitments="Mentor", parent_commitments="Arrive", starts_on=TODAY, review_on=TODAY,
        status=ContractStatus.DECLINED, offered_on=dt.date(2025, 11, 20), status_changed_on=dt.date(2025, 11, 20),
        created_by=dsl, created_at=NOW)
    party = ContractParty.objects.create(contract=contract, parent=parent, response=PartyResponse.DECLINED,
                                         responded_on=dt.date(2025, 11, 10))
    leave = LeaveOfAbsenceRequest.objects.create(pupil=pupil, requested_by=parent, first_day=TODAY, last_day=TODAY,
                                                 reason="x" * 1_000_000, received_on=dt.date(2030, 1, 1))
    plan = SupportPlan.objects.create(case=case, barriers="Bus", review_on=dt.date(2019, 9, 1), created_by=dsl,
                                      created_at=NOW)
    action = Action.objects.create(case=case, support_plan=plan, description="x", owner="y",
                                   due_on=dt.date(2020, 1, 1), created_at=NOW)

    code, lines = _check_records()

    assert code == 1
    assert lines == sorted(lines)
    expected = [
        f"interventions.Action {action.pk}: due_on: The due date must be today or in the future",
        f"interventions.AttendanceContract {contract.pk}: review_on: The review date must be after the starts on",
        f"interventions.ContractParty {party.pk}: responded_on: The date of the response must be on or after the date "
        "the contract was offered (20 November 2025)",
        f"interventions.LeaveOfAbsenceRequest {leave.pk}: reason: 1,000,000 characters, over the limit of 10,000",
        f"interventions.LeaveOfAbsenceRequest {leave.pk}: received_on: The date the request was received must be "
        "today or in the past",
        f"interventions.SupportPlan {plan.pk}: review_on: The review date must be today or in the future",
        f"meetings.Meeting {meeting.pk}: starts_at: The date of the meeting held must be on or after 1 January 2000",
        f"meetings.Meeting {future.pk}: starts_at: The date of the meeting held must be today or in the past",
    ]
    assert sorted(lines) == sorted(expected)


def test_another_app_adds_its_checks_by_registering_them(case):
    def notices_check(today):
        yield Problem("notices.PenaltyNotice", 7, "paid_on", "The date of payment must be today or in the past")

    record_check(notices_check)
    try:
        assert _check_records() == (1, [
            "notices.PenaltyNotice 7: paid_on: The date of payment must be today or in the past"])
    finally:
        from cases import record_checks

        record_checks._CHECKS.pop(f"{notices_check.__module__}.{notices_check.__qualname__}")
    assert notices_check not in registered()


def test_check_records_lists_the_notices_apps_rows_too(case, dsl):
    from notices.models import NoticeOutcome, NoticeToImprove

    nti = NoticeToImprove.objects.create(
        case=case, issued_on=TODAY - dt.timedelta(days=30), improvement_period_ends_on=TODAY - dt.timedelta(days=9),
        sufficient_improvement="No unauthorised absence", offence_from=TODAY - dt.timedelta(days=60),
        offence_to=TODAY - dt.timedelta(days=56), outcome=NoticeOutcome.PENDING,
        early_ground_invoked="An unauthorised holiday", created_by=dsl, created_at=NOW,
    )
    code, lines = _check_records()
    assert code == 1
    assert any(line.startswith(f"notices.NoticeToImprove {nti.pk}: ") for line in lines), lines
