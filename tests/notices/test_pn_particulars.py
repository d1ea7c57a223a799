"""What a penalty notice must contain (2007 Regulations reg 3, domain.md 3.5), read back from the stored PDF: in
the name and on the letterhead of whoever issues it under the LA's code, with the LA's address and every way to
pay, the sessions, the exact last days to pay, and on a second notice the first one named; and its service."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from cases.models import Case, CaseState, Parent, PenaltyNoticeIssuer
from notices.letters.store import LetterNotServable
from notices.models import Letter, PenaltyNotice, PenaltyNoticeState, ServiceMethod
from notices.penalty.letters import penalty_notice_issue_with_letter
from notices.penalty.services import (
    PenaltyNoticeRefused,
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_issue,
)
from tests import factories

pytestmark = pytest.mark.django_db
LA_ADDRESS = "Attendance Service, County Hall, Castle Street, Fenbridge, FN1 1CC"
SCHOOL_ADDRESS = "Station Road, Fenbridge, FN1 4AB"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def la_particulars(la):
    la.address = LA_ADDRESS
    la.phone, la.email = "01632 960 873", "attendance@fenshire.example"
    la.pay_online_url = "https://pay.fenshire.example/pn"
    la.pay_phone = "01632 960 400"
    la.pay_post_address = "Income Team, County Hall, Fenbridge, FN1 1CC"
    la.pay_cheque_payee = "Fenshire CC"
    la.save()
    return la


@pytest.fixture
def pn_case(case, la_particulars):
    case.pupil.school.address = SCHOOL_ADDRESS
    case.pupil.school.save()
    # The register meets the threshold: ten G sessions in the week of 14 September 2026.
    factories.add_marks(case.pupil, dt.date(2026, 9, 14), ["G"] * 10)
    # Test set-up: the ladder's own tests walk a case to this stage; these start there.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


def _consulted(pn_case, parent, by) -> PenaltyNotice:
    earlier = PenaltyNotice.objects.filter(case=pn_case, parent=parent).count()
    if earlier:  # a later notice is for a new offence: ten more G sessions, two weeks on each time
        factories.add_marks(pn_case.pupil, dt.date(2026, 9, 14) + dt.timedelta(weeks=2 * earlier), ["G"] * 10)
    return penalty_notice_consult_la(notice=penalty_notice_draft(case=pn_case, parent=parent, by=by), by=by)


def _text(letter: Letter) -> str:
    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()).replace("- ", "-")


def _first_page_top(letter: Letter) -> str:
    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(reader.pages[0].extract_text().split())[:160]


def test_an_la_issued_notice_is_on_the_las_letterhead_in_its_officers_name(pn_case, mother, la_officer):
    notice = _consulted(pn_case, mother, la_officer)
    letter = penalty_notice_issue_with_letter(notice=notice, by=la_officer, issued_on=dt.date(2026, 10, 1),
                                              posted=True)
    text, top = _text(letter), _first_page_top(letter)
    assert top.startswith("Fenshire County Council")
    assert "County Hall, Castle Street, Fenbridge, FN1 1CC" in top
    # Never the school's letterhead: its name is the pupil's school in the body, its address nowhere at the top.
    assert "A school in" not in text
    assert "Meadow Lane Primary School" not in top and SCHOOL_ADDRESS not in top
    assert "issued by Fenshire County Council" in text
    assert f"Issued by {la_officer.get_full_name()}, Senior Attendance Officer, Fenshire County Council" in text
    # Payment and correspondence go to the LA, at its address; every way to pay is listed.
    assert "Payment and all correspondence about this notice go to the local authority" in text
    assert "01632 960 873" in text and "attendance@fenshire.example" in text
    assert "Online: https://pay.fenshire.example/pn" in text
    assert "By phone: 01632 960 400" in text
    assert "By post: a cheque or postal order payable to “Fenshire CC”" in text
    assert "Income Team, County Hall, Fenbridge, FN1 1CC" in text
    # The offence: its period and each session counted.
    assert "14 September 2026 to 18 September 2026" in text
    assert "10 sessions of unauthorised absence" in text
    assert "Mon 14 Sep 2026 AM (G)" in text and "Fri 18 Sep 2026 PM (G)" in text
    # Posted on Thursday 1 October, received Monday 5 October (day 1): the 21st and 28th days.
    assert "Date of issue 1 October 2026, sent by post" in text
    assert "Pay £80.00 by 25 October 2026" in text and "or £160.00 by 1 November 2026" in text
    assert "payment discharges your liability" in text
    assert "will decide either to prosecute you" in text
    assert "issued to the wrong person" in text and "contains a material error" in text
    # The recipient's and the child's address.
    assert "12 Station Road" in text
    assert (letter.service_method, letter.served_on) == (ServiceMethod.POST, dt.date(2026, 10, 1))
    assert letter.context["letter_date"] == "2026-10-01"


def test_a_school_issued_notice_is_on_the_schools_letterhead_and_still_names_the_la(pn_case, mother, dsl,
                                                                                    la_particulars):
    factories.CodeOfConductFactory(local_authority=la_particulars, pn_issued_by=PenaltyNoticeIssuer.SCHOOL)
    notice = _consulted(pn_case, mother, dsl)
    letter = penalty_notice_issue_with_letter(notice=notice, by=dsl, issued_on=dt.date(2026, 11, 26),
                                              posted=False)
    text, top = _text(letter), _first_page_top(letter)
    assert top.startswith("Meadow Lane Primary School")
    assert "authorised by Fenshire County Council under its code of conduct" in text
    assert f"{dsl.get_full_name()}, Deputy Headteacher (Attendance Lead), Meadow Lane Primary School" in text
    assert LA_ADDRESS.replace("Attendance Service, ", "") in text
    assert "Pay Fenshire County Council, not the school" in text
    assert "Date of issue 26 November 2026, given to you in person" in text
    assert (letter.service_method, letter.served_on) == (ServiceMethod.HAND, dt.date(2026, 11, 26))


def test_a_second_notice_names_the_first(pn_case, mother, la_officer):
    first = penalty_notice_issue(notice=_consulted(pn_case, mother, la_officer), by=la_officer,
                                 issued_on=dt.date(2026, 9, 21), posted=True)
    second = _consulted(pn_case, mother, la_officer)
    letter = penalty_notice_issue_with_letter(notice=second, by=la_officer, issued_on=dt.date(2026, 10, 5),
                                              posted=True)
    text = _text(letter)
    assert f"The first, reference {first.reference}, was issued to you on 21 September 2026" in text
    assert "Pay £160.00 by 3 November 2026" in text and "£80" not in text


def test_a_first_notice_names_no_earlier_one(pn_case, mother, la_officer):
    letter = penalty_notice_issue_with_letter(notice=_consulted(pn_case, mother, la_officer), by=la_officer,
                                              issued_on=dt.date(2026, 10, 1), posted=True)
    assert "second penalty notice" not in _text(letter) and letter.context["first_notice"] is None


def test_a_later_version_keeps_the_issuing_officer(pn_case, mother, la_officer, dsl):
    from notices.penalty.letters import penalty_notice_letter

    notice = _consulted(pn_case, mother, la_officer)
    penalty_notice_issue_with_letter(notice=notice, by=la_officer, issued_on=dt.date(2026, 10, 1), posted=True)
    again = penalty_notice_letter(notice=PenaltyNotice.objects.get(pk=notice.pk), by=dsl)
    assert again.context["issuer_name"] == la_officer.get_full_name()
    assert again.context["issued_by_la"] is True


@pytest.mark.parametrize("missing", ["address", "payment"])
def test_an_la_without_its_particulars_cannot_issue(pn_case, mother, la_officer, la_particulars, missing):
    if missing == "address":
        la_particulars.address = ""
    else:
        la_particulars.pay_online_url = la_particulars.pay_phone = la_particulars.pay_post_address = ""
    la_particulars.save()
    notice = _consulted(pn_case, mother, la_officer)
    with pytest.raises(PenaltyNoticeRefused, match="An administrator adds them"):
        penalty_notice_issue_with_letter(notice=notice, by=la_officer, issued_on=dt.date(2026, 10, 1), posted=True)
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.LA_CONSULTED


@pytest.mark.parametrize("with_letter", [True, False], ids=["with-letter", "notice-only"])
def test_a_notice_is_not_posted_to_a_parent_without_an_address(pn_case, mother, la_officer, with_letter):
    Parent.objects.filter(pk=mother.pk).update(address="  ")
    notice = _consulted(pn_case, mother, la_officer)
    issue = penalty_notice_issue_with_letter if with_letter else penalty_notice_issue
    with pytest.raises(LetterNotServable) as refused:
        issue(notice=notice, by=la_officer, issued_on=dt.date(2026, 10, 1), posted=True)
    assert str(refused.value) == (
        "The penalty notice cannot be posted to Jane Hughes: there is no address on their record. "
        "Add an address for Jane Hughes on their record, or hand the penalty notice over in person."
    )
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.LA_CONSULTED
    assert not Letter.objects.filter(subject_key=f"penalty_notice:{notice.pk}").exists()
    # Handed over in person, it is served.
    letter = penalty_notice_issue_with_letter(notice=notice, by=la_officer, issued_on=dt.date(2026, 11, 26),
                                              posted=False)
    assert letter.service_method == ServiceMethod.HAND
