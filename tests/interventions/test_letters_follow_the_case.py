"""Letters say what happened: the contract letter and who attended, the time to return it, the order of its
closing; leave decisions to every parent with parental responsibility, knowing the school's term dates."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from interventions import services
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from notices.models import Letter
from tests.interventions.conftest import TODAY

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
