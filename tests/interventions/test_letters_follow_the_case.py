"""Letters say what happened: the contract letter and who attended, the time to return it, the order of its
closing; leave decisions to every parent with parental responsibility, knowing the school's term dates."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from cases.models import AuditEvent, TermDate
from interventions import services
from interventions.models import LeaveDecision, LeaveOfAbsenceRequest
from interventions.services import InterventionRefused
from interventions.services.leave import term_time_days
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from notices.models import Letter
from tests.interventions.conftest import TODAY
from tests.interventions.factories import parent_of

D = dt.date


def text_of(letter: Letter) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(letter.pdf))).pages).split())


def pages_of(letter: Letter) -> int:
    return len(PdfReader(io.BytesIO(bytes(letter.pdf))).pages)


def _contract(case, by, parents):
    return services.attendance_contract_create(
        case=case, by=by, parents=parents, school_commitments="Breakfast club place\nWeekly mentor session",
        parent_commitments="Bring Amelia to school by 8:45", starts_on=D(2025, 11, 24), review_on=D(2026, 1, 19),
    )


def _held_meeting(case, by, attended: dict):
    """A meeting held on the case on 17 November 2025; ``attended`` maps each invited parent to True/False."""
    at = dt.datetime(2025, 11, 17, 9, 0, tzinfo=dt.UTC)
    meeting = Meeting.objects.create(case=case, kind=MeetingKind.ATTENDANCE, starts_at=at, location="School office",
                                     status=MeetingStatus.HELD, created_by=by, created_at=at)
    for parent, came in attended.items():
        MeetingAttendee.objects.create(meeting=meeting, role=AttendeeRole.PARENT, parent=parent,
                                       name=f"{parent.forename} {parent.surname}", attended=came)
    return meeting


def _letter_to(contract, parent) -> str:
    return text_of(Letter.objects.get(subject_key=f"contract:{contract.pk}", parent=parent))


def test_contract_letter_thanks_only_the_parent_who_came_and_says_who_did_not(case, dsl, mother, father):
    _held_meeting(case, dsl, {mother: True, father: False})
    contract = _contract(case, dsl, [mother, father])
    services.attendance_contract_offer(contract=contract, by=dsl)

    to_mother, to_father = _letter_to(contract, mother), _letter_to(contract, father)
    assert "Thank you for meeting us on 17 November 2025" in to_mother
    assert "Thank you for meeting" not in to_father
    assert "We invited you to meet us on 17 November 2025" in to_father
    assert "Sarah Hughes came; you did not." in to_father


def test_contract_letter_when_nobody_came_thanks_nobody(case, dsl, mother, father):
    _held_meeting(case, dsl, {mother: False, father: False})
    contract = _contract(case, dsl, [mother, father])
    services.attendance_contract_offer(contract=contract, by=dsl)

    for parent in (mother, father):
        text = _letter_to(contract, parent)
        assert "Thank you for meeting" not in text
        assert "Nobody from the family came." in text


def test_contract_letter_without_a_meeting_asks_without_thanks(case, dsl, mother):
    contract = _contract(case, dsl, [mother])
    services.attendance_contract_offer(contract=contract, by=dsl)

    text = _letter_to(contract, mother)
    assert "Thank you for meeting" not in text and "invited you" not in text
    assert "We are writing about Amelia's attendance, to ask you to agree an attendance contract" in text


def test_contract_letter_names_what_was_declined_before(case, dsl, mother, letters):
    from interventions.models import PartyResponse

    first = _contract(case, dsl, [mother])
    services.attendance_contract_offer(contract=first, by=dsl)
    services.attendance_contract_party_respond(party=first.parties.get(), by=dsl, response=PartyResponse.DECLINED,
                                               responded_on=TODAY, note="Not needed")
    second = _contract(case, dsl, [mother])
    services.attendance_contract_offer(contract=second, by=dsl)

    assert letters[-1]["context"]["declined"] == ["Sarah Hughes declined the attendance contract offered on 21 November 2025"]


def test_contract_letter_gives_ten_school_days_to_return_it_and_signs_off_before_the_signatures(case, dsl, mother):
    contract = _contract(case, dsl, [mother])
    services.attendance_contract_offer(contract=contract, by=dsl)

    text = _letter_to(contract, mother)
    # Friday 21 November 2025 + 10 working days = Friday 5 December 2025.
    assert services.contracts.CONTRACT_RETURN_WORKING_DAYS == 10
    assert "return this contract to the school office by 5 December 2025" in text
    assert text.index("Yours sincerely") < text.index("Signatures") < text.index("Signed by Sarah Hughes")
    assert "Telephone 01632 960123" in text and "office@meadow-lane.example.com" in text


# --- leave of absence: every parent with parental responsibility, and the school's term dates --------------

AUTUMN_2, SPRING_1 = (D(2025, 11, 3), D(2025, 12, 19)), (D(2026, 1, 5), D(2026, 2, 13))


@pytest.fixture
def terms(pupil):
    for first, last in (AUTUMN_2, SPRING_1):
        TermDate.objects.create(school=pupil.school, starts_on=first, ends_on=last)


@pytest.fixture
def grandmother(pupil):
    return parent_of(pupil, relationship="grandparent", parental_responsibility=False, parent__forename="Joan",
                     parent__surname="Baker", parent__address="3 Elm Road\nFenby\nFE1 4CD")


def _leave(pupil, by, parent, first_day, last_day):
    return services.leave_request_record(pupil=pupil, by=by, parent=parent, first_day=first_day, last_day=last_day,
                                         reason="Family holiday", received_on=D(2025, 11, 14))


def _leave_letters(leave):
    return {letter.parent: text_of(letter) for letter in Letter.objects.filter(subject_key=f"leave_request:{leave.pk}")}


@pytest.mark.parametrize(("first", "last", "open_days"), [
    (D(2025, 12, 19), D(2025, 12, 19), [D(2025, 12, 19)]),  # the last day of term
    (D(2025, 12, 22), D(2026, 1, 2), []),  # the Christmas holidays
    (D(2026, 1, 2), D(2026, 1, 5), [D(2026, 1, 5)]),  # the first day of term
    (D(2025, 12, 24), D(2025, 12, 26), []),  # Christmas and Boxing Day, in the holidays anyway
    (D(2025, 11, 28), D(2025, 11, 30), [D(2025, 11, 28)]),  # a weekend is never a school day
], ids=["last-day-of-term", "christmas-holidays", "first-day-of-term", "bank-holidays", "weekend"])
def test_term_time_days_are_working_days_inside_a_term(pupil, terms, first, last, open_days):
    assert term_time_days(school=pupil.school, first_day=first, last_day=last) == open_days


def test_a_school_without_term_dates_is_open_every_working_day(pupil):
    assert term_time_days(school=pupil.school, first_day=D(2025, 12, 22), last_day=D(2025, 12, 26)) == [
        D(2025, 12, 22), D(2025, 12, 23), D(2025, 12, 24)]


def test_leave_decision_goes_to_every_parent_with_parental_responsibility_not_to_a_grandparent_without(
        pupil, mother, father, grandmother, attendance_officer, headteacher, terms):
    leave = _leave(pupil, attendance_officer, grandmother, D(2026, 2, 2), D(2026, 2, 6))
    services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.REFUSED,
                                  reason="Not exceptional", decided_on=TODAY)

    letters = _leave_letters(leave)
    assert set(letters) == {mother, father}
    for parent, text in letters.items():
        assert f"Dear {parent.forename} {parent.surname}" in text
        assert "We are writing about the request Joan Baker made" in text
        assert "each parent with parental responsibility" in text
        assert pages_of(Letter.objects.get(subject_key=f"leave_request:{leave.pk}", parent=parent)) == 1


def test_the_parent_who_asked_is_thanked_for_their_request(pupil, mother, father, attendance_officer, headteacher,
                                                           terms):
    leave = _leave(pupil, attendance_officer, mother, D(2026, 2, 2), D(2026, 2, 6))
    services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.GRANTED,
                                  reason="A funeral abroad", decided_on=TODAY)

    letters = _leave_letters(leave)
    assert "Thank you for your request" in letters[mother]
    assert "We are writing about the request Sarah Hughes made" in letters[father]


def test_a_decision_with_no_parent_with_parental_responsibility_is_refused_and_changes_nothing(
        pupil, grandmother, attendance_officer, headteacher, terms):
    leave = _leave(pupil, attendance_officer, grandmother, D(2026, 2, 2), D(2026, 2, 6))
    audits = AuditEvent.objects.count()

    with pytest.raises(InterventionRefused, match="No parent with parental responsibility is recorded for Amelia Hughes"):
        services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.REFUSED,
                                      reason="Not exceptional", decided_on=TODAY)

    leave.refresh_from_db()
    assert leave.decision == LeaveDecision.PENDING
    assert not Letter.objects.exists() and AuditEvent.objects.count() == audits


def test_a_request_entirely_in_the_school_holidays_needs_no_leave(pupil, mother, attendance_officer, headteacher,
                                                                   terms):
    leave = _leave(pupil, attendance_officer, mother, D(2025, 12, 26), D(2025, 12, 30))
    services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.REFUSED,
                                  reason="Term time", decided_on=TODAY)

    leave.refresh_from_db()
    assert leave.decision == LeaveDecision.NOT_NEEDED
    text = _leave_letters(leave)[mother]
    assert "request for leave of absence not needed" in text
    assert "No leave of absence is needed for days when the school is closed" in text
    assert "refused" not in text.lower() and "code G" not in text and "term time only" not in text


def test_a_request_across_the_holidays_refuses_only_the_school_days(pupil, mother, attendance_officer, headteacher,
                                                                     terms):
    leave = _leave(pupil, attendance_officer, mother, D(2025, 12, 29), D(2026, 1, 9))
    services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.REFUSED,
                                  reason="Not exceptional", decided_on=TODAY)

    leave.refresh_from_db()
    assert leave.decision == LeaveDecision.REFUSED
    text = _leave_letters(leave)[mother]
    assert "School days Monday 5 January 2026 to Friday 9 January 2026" in text
    assert "no leave of absence is needed for days when the school is closed" in text
    assert "code G" in text


def test_not_needed_is_refused_when_the_school_is_open_on_a_day_asked_for(pupil, mother, attendance_officer,
                                                                          headteacher, terms):
    leave = _leave(pupil, attendance_officer, mother, D(2025, 12, 19), D(2025, 12, 23))
    with pytest.raises(InterventionRefused, match=r"open on 1 of the days asked for \(from 19 December 2025\)"):
        services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.NOT_NEEDED,
                                      reason="", decided_on=TODAY)
    assert LeaveOfAbsenceRequest.objects.get(pk=leave.pk).decision == LeaveDecision.PENDING
