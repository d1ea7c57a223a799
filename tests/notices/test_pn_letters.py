"""The penalty notice letter: made at issue, read back from the stored PDF, with what the parent must know."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from cases.models import Case, CaseState, EventKind
from cases.permissions import NotPermitted
from notices.models import Letter, PenaltyNotice, PenaltyNoticeState
from notices.penalty.letters import penalty_notice_issue_with_letter, penalty_notice_letter
from notices.penalty.services import (
    PenaltyNoticeRefused,
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_issue,
)
from tests import factories  # noqa: E402

pytestmark = pytest.mark.django_db
OFFENCE = {"offence_from": dt.date(2026, 9, 14), "offence_to": dt.date(2026, 9, 18)}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def pn_case(case, school_issues_notices):
    # The register meets the threshold: ten G sessions in the week of 14 September 2026.
    factories.add_marks(case.pupil, dt.date(2026, 9, 14), ["G"] * 10)
    # Test set-up: the ladder's own tests walk a case to this stage; these start there.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


def _consulted(pn_case, parent, by) -> PenaltyNotice:
    # A later notice to the same parent is for a new offence: ten more G sessions, two weeks on each time.
    earlier = PenaltyNotice.objects.filter(case=pn_case, parent=parent).count()
    if earlier:
        factories.add_marks(pn_case.pupil, dt.date(2026, 9, 14) + dt.timedelta(weeks=2 * earlier), ["G"] * 10)
    notice = penalty_notice_draft(case=pn_case, parent=parent, by=by)
    return penalty_notice_consult_la(notice=notice, by=by)


def _text(letter: Letter) -> str:
    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_first_notice_letter_has_both_rates_and_their_dates(pn_case, mother, dsl):
    notice = _consulted(pn_case, mother, dsl)
    letter = penalty_notice_issue_with_letter(notice=notice, by=dsl, issued_on=dt.date(2026, 10, 1), posted=True)
    text = _text(letter)
    assert "Dear Jane Hughes" in text
    assert "12 Station Road" in text
    assert "Penalty notice" in text and f"Reference {notice.reference}" in text
    assert "Amelia Hughes" in text
    assert "14 September 2026 to 18 September 2026" in text
    assert "section 444(1) of the Education Act 1996" in text
    # Posted on Thursday 1 October, received Monday 5 October (day 1): the 21st and 28th days.
    assert "Pay £80.00 by 25 October 2026" in text
    assert "or £160.00 by 1 November 2026" in text
    assert "https://pay.la873.example/penalty-notices" in text.replace("- ", "-")
    assert "will decide either to prosecute you for the offence" in text
    assert "or to withdraw this notice" in text
    assert "issued to the wrong person" in text
    assert "Meadow Lane Primary School" in text
    assert letter.pdf[:5] == b"%PDF-"


def test_second_notice_letter_has_no_reduced_rate(pn_case, mother, dsl):
    penalty_notice_issue(notice=_consulted(pn_case, mother, dsl), by=dsl, issued_on=dt.date(2026, 9, 21), posted=True)
    second = _consulted(pn_case, mother, dsl)
    letter = penalty_notice_issue_with_letter(notice=second, by=dsl, issued_on=dt.date(2026, 10, 5), posted=True)
    text = _text(letter)
    assert "Pay £160.00 by 3 November 2026" in text
    assert "£80" not in text
    assert "reduced amount" not in text
    assert "second penalty notice" in text
    assert "will decide either to prosecute you for the offence" in text


def test_the_letter_is_stored_on_the_case_as_the_notices_letter(pn_case, mother, dsl):
    notice = _consulted(pn_case, mother, dsl)
    letter = penalty_notice_issue_with_letter(notice=notice, by=dsl, issued_on=dt.date(2026, 11, 26), posted=False)
    assert (letter.subject_key, letter.recipient, letter.version) == (
        f"penalty_notice:{notice.pk}", f"parent:{mother.pk}", 1)
    assert letter.title == f"Penalty notice {notice.reference}"
    assert letter.context["amount_reduced"] == "80.00" and letter.context["handed_over"] is True
    assert any(f"letter:{letter.pk}" in event.evidence for event in pn_case.events.filter(kind=EventKind.LETTER))
    again = penalty_notice_letter(notice=PenaltyNotice.objects.get(pk=notice.pk), by=dsl)
    assert again.version == 2


def test_no_letter_before_issue(pn_case, mother, dsl):
    notice = _consulted(pn_case, mother, dsl)
    with pytest.raises(PenaltyNoticeRefused, match="issue the notice first"):
        penalty_notice_letter(notice=notice, by=dsl)


def test_another_schools_staff_cannot_make_the_letter(pn_case, mother, dsl, other_school_dsl):
    notice = _consulted(pn_case, mother, dsl)
    notice = penalty_notice_issue(notice=notice, by=dsl, issued_on=dt.date(2026, 11, 26), posted=False)
    with pytest.raises(NotPermitted):
        penalty_notice_letter(notice=notice, by=other_school_dsl)


def test_a_refused_issue_makes_no_letter_and_leaves_the_notice(pn_case, mother, dsl):
    for issued_on in (dt.date(2026, 9, 21), dt.date(2026, 10, 5)):
        penalty_notice_issue(notice=_consulted(pn_case, mother, dsl), by=dsl, issued_on=issued_on, posted=True)
    third = _consulted(pn_case, mother, dsl)
    with pytest.raises(PenaltyNoticeRefused, match="third penalty notice cannot be issued"):
        penalty_notice_issue_with_letter(notice=third, by=dsl, issued_on=dt.date(2026, 11, 26), posted=True)
    assert PenaltyNotice.objects.get(pk=third.pk).state == PenaltyNoticeState.LA_CONSULTED
    assert not Letter.objects.filter(subject_key__startswith="penalty_notice:").exists()
