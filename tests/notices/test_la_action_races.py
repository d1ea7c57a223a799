"""Officers acting on one penalty notice request or prosecution referral at the same moment: exactly one
wins, every other sees why on the page, nobody sees a server error, and the request holds one decision.

The races are real: each post runs in its own thread on its own PostgreSQL connection, released together
(tests.race). SQLite runs one writer at a time, so those skip there; the last tests, on every database,
check what the one who comes second is told."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseState, PenaltyNoticeConsideration, Role
from cases.services import case_open
from notices.models import PenaltyNotice, PenaltyNoticeRequest, PenaltyNoticeState, ProsecutionReferral
from notices.review.services import referrals
from notices.review.services import requests as pn_requests
from tests import factories
from tests.factories import ParentalRelationshipFactory, add_marks
from tests.race import needs_postgresql, race

RACERS = 10
racing = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def postgresql(db):
    needs_postgresql()


@pytest.fixture
def mother(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1", parent__forename="Jo",
                                       relationship="Mother").parent


@pytest.fixture
def pn_case(pupil, dsl):
    add_marks(pupil, dt.date(2026, 9, 28), "O" * 12)  # the threshold: 10 unauthorised sessions in 10 weeks
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met")
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)  # set-up: start at the stage
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def officers(postgresql, la, la_officer):
    """The LA's team: the persona and nine colleagues, each with their own browser session."""
    team = [la_officer]
    for number in range(2, RACERS + 1):
        user = factories.UserFactory(username=f"la_officer_{number}", first_name=f"Officer{number}")
        factories.StaffProfileFactory(user=user, role=Role.LA_OFFICER, position="Officer", school=None,
                                      local_authority=la)
        team.append(user)
    return team


@pytest.fixture
def pn_request(pn_case, dsl, headteacher, mother):
    consideration = PenaltyNoticeConsideration.objects.create(
        case=pn_case, recorded_at=timezone.now(), recorded_by=dsl, threshold_first_met=dt.date(2026, 10, 9),
        why_penalty_notice_is_the_best_tool="Support was refused", alternatives_considered="NTI already issued",
        equality_act_consideration="No SEND; no adjustment needed", authorised_by=headteacher,
        authorised_at=timezone.now(),
    )
    assert consideration.authorised_by == headteacher
    return pn_requests.pn_request_start(case=pn_case, by=dsl, parents=[mother], reason="Please issue")


@pytest.fixture
def referral(pn_case, dsl, mother):
    PenaltyNotice.objects.create(
        local_authority=pn_case.school.local_authority, reference="PN-UNPAID", pupil=pn_case.pupil, parent=mother,
        case=pn_case, state=PenaltyNoticeState.UNPAID, issued_on=dt.date(2026, 10, 1),
        full_by=dt.date(2026, 10, 29), amount_full=Decimal("160.00"), imported=True, created_at=timezone.now(),
    )
    return referrals.referral_start(case=pn_case, by=dsl, reason="Notice unpaid; no engagement with support")


def _client(user) -> Client:
    client = Client(raise_request_exception=False)  # a server error is an answer here, not a crash of the test
    client.force_login(user)
    return client


def _posts(users, url: str, fields: dict | None = None):
    """One post per user to ``url``, all at once; each response followed to the page the officer lands on."""
    clients = [_client(user) for user in users]
    return race(*(lambda c=c: c.post(url, fields or {}, follow=True) for c in clients))


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _outcomes(responses, success: str, refusal: str) -> tuple[int, int]:
    """How many officers saw the success and how many the refusal; every answer is a page, never a 500."""
    for response in responses:
        assert not isinstance(response, BaseException), repr(response)
        assert response.status_code in (200, 400), (response.status_code, _text(response)[:2000])
    won = sum(success in _text(r) for r in responses)
    told = sum(refusal in _text(r) and success not in _text(r) for r in responses)
    return won, told


def _url(app: str, name: str, process) -> str:
    return reverse(f"{app}:{name}", kwargs={"code": "873", "pk": process.pk})


@racing
def test_ten_officers_taking_one_request_at_once_one_takes_it_and_nine_are_told_who_did(officers, pn_request):
    responses = _posts(officers, _url("pn_requests", "la_assign", pn_request))

    won, told = _outcomes(responses, "The request is assigned to you", "has already taken this request")
    assert (won, told) == (1, RACERS - 1)
    winner = next(o for o, r in zip(officers, responses, strict=True) if "assigned to you" in _text(r))
    assert pn_requests.open_task(pn_request, "review").owner == winner
    losers = [r for r in responses if "assigned to you" not in _text(r)]
    assert all(f"{winner.get_full_name()} has already taken this request" in _text(r) for r in losers)
    assert CaseEvent.objects.filter(summary__startswith="Penalty notice request taken by").count() == 1


@pytest.mark.parametrize("decision,reasons,success", [
    ("reject", "Support not yet tried", "Decision recorded: Reject"),
    ("more_information", "Which support was offered?", "Decision recorded: Ask the school"),
    ("approve", "", "Decision recorded: Approve"),
], ids=["reject", "ask for more information", "approve"])
@racing
def test_one_officer_deciding_in_ten_tabs_at_once_records_one_decision(
    officers, pn_request, decision, reasons, success
):
    officer = officers[0]
    pn_requests.pn_request_assign(request=pn_request, by=officer)

    responses = _posts([officer] * RACERS, _url("pn_requests", "la_decide", pn_request),
                       {"decision": decision, "reasons": reasons})

    won, told = _outcomes(responses, success, "already")
    assert (won, told) == (1, RACERS - 1)
    pn_request.refresh_from_db()
    assert pn_request.decision == decision and pn_request.decided_by == officer
    assert len(pn_request.exchanges) == (1 if decision == "more_information" else 0)
    assert PenaltyNotice.objects.filter(case=pn_request.case).count() == (1 if decision == "approve" else 0)
    decided = CaseEvent.objects.filter(case=pn_request.case, summary__contains="by the local authority")
    asked = CaseEvent.objects.filter(case=pn_request.case, summary__contains="asked the school")
    assert decided.count() + asked.count() == 1


@racing
def test_the_school_answering_in_two_tabs_at_once_sends_one_answer(officers, pn_request, dsl):
    pn_requests.pn_request_assign(request=pn_request, by=officers[0])
    pn_requests.pn_request_decide(request=pn_request, by=officers[0], decision="more_information",
                                  reasons="Which support was offered?")
    url = reverse("pn_requests:school_detail", kwargs={"case_pk": pn_request.case.pk, "pk": pn_request.pk})

    responses = _posts([dsl] * 4, url, {"answer": "An early help assessment in October"})

    won, told = _outcomes(responses, "Your answer was sent", "Your answer has already been sent")
    assert (won, told) == (1, 3)
    pn_request.refresh_from_db()
    assert [e["kind"] for e in pn_request.exchanges] == ["question", "answer"]
    assert pn_requests.open_task(pn_request, "review").owner == officers[0]


@racing
def test_school_staff_sending_the_same_request_at_once_send_one(postgresql, pn_case, dsl, attendance_officer,
                                                                  headteacher, mother):
    PenaltyNoticeConsideration.objects.create(
        case=pn_case, recorded_at=timezone.now(), recorded_by=dsl, threshold_first_met=dt.date(2026, 10, 9),
        why_penalty_notice_is_the_best_tool="Support was refused", alternatives_considered="NTI already issued",
        equality_act_consideration="No SEND; no adjustment needed", authorised_by=headteacher,
        authorised_at=timezone.now(),
    )
    url = reverse("pn_requests:new", kwargs={"case_pk": pn_case.pk})

    responses = _posts([dsl, dsl, attendance_officer, attendance_officer], url,
                       {"parents": [str(mother.pk)], "reason": "Please issue", "confirm": "yes"})

    won, told = _outcomes(responses, "Penalty notice request sent", "already with the local authority")
    assert (won, told) == (1, 3)
    assert PenaltyNoticeRequest.objects.filter(case=pn_case).count() == 1


@racing
def test_ten_officers_taking_one_referral_at_once_one_takes_it(officers, referral):
    responses = _posts(officers, _url("referrals", "la_assign", referral))

    won, told = _outcomes(responses, "The referral is assigned to you", "has already taken this referral")
    assert (won, told) == (1, RACERS - 1)
    assert CaseEvent.objects.filter(summary__startswith="Prosecution referral taken by").count() == 1


@racing
def test_one_officer_deciding_a_referral_in_ten_tabs_at_once_records_one_decision(officers, referral):
    officer = officers[0]
    referrals.referral_assign(referral=referral, by=officer)

    parent = PenaltyNotice.objects.get(reference="PN-UNPAID").parent
    responses = _posts([officer] * RACERS, _url("referrals", "la_decide", referral),
                       {"decision": "prosecute", "parents": [parent.pk], f"offence_{parent.pk}": "s444_1",
                        "reasons": "Evidence sufficient"})

    won, told = _outcomes(responses, "Decision recorded: Prosecute", "already")
    assert (won, told) == (1, RACERS - 1)
    referral.refresh_from_db()
    assert referral.decision == "prosecute"
    assert PenaltyNotice.objects.get(reference="PN-UNPAID").state == PenaltyNoticeState.PROSECUTED
    assert CaseEvent.objects.filter(summary__contains="PN-UNPAID referred for prosecution").count() == 1


@racing
def test_one_officer_recording_an_outcome_in_ten_tabs_at_once_records_it_once(officers, referral):
    officer = officers[0]
    referrals.referral_assign(referral=referral, by=officer)
    referrals.referral_decide(referral=referral, by=officer, decision="nfa", reasons="Attendance improved")

    responses = _posts([officer] * RACERS, _url("referrals", "la_outcome", referral), {"conclusion": "close"})

    won, told = _outcomes(responses, "Outcome recorded", "already")
    assert (won, told) == (1, RACERS - 1)
    referral.refresh_from_db()
    assert referral.finished is not None and referral.conclusion == "close"
    assert CaseEvent.objects.filter(case=referral.case, summary__startswith="Closed").count() == 1
    assert ProsecutionReferral.objects.filter(case=referral.case).count() == 1


# --- the one who comes second, on every database -------------------------------------------------------


@pytest.fixture
def colleague(la):
    user = factories.UserFactory(username="la_officer_2", first_name="Kim", last_name="Ode")
    factories.StaffProfileFactory(user=user, role=Role.LA_OFFICER, position="Officer", school=None, local_authority=la)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("first,again,told", [
    ("take", "take", "has already taken this request"),
    ("reject", "reject", "This request has already been decided: rejected by"),
    ("approve", "reject", "This request has already been decided: approved by"),
    ("more_information", "approve", "has already asked the school for more information"),
    ("more_information", "take", "has already asked the school for more information"),
], ids=["take twice", "reject twice", "reject after approval", "approve after a question", "take after a question"])
def test_acting_on_a_request_someone_has_just_moved_on_says_what_happened(
    pn_request, la_officer, colleague, first, again, told
):
    def act(by, what):
        if what == "take":
            return pn_requests.pn_request_assign(request=pn_request, by=by)
        return pn_requests.pn_request_decide(request=pn_request, by=by, decision=what, reasons="Because")

    act(la_officer, "take")
    if first != "take":
        act(la_officer, first)
    before = CaseEvent.objects.count()
    with pytest.raises(pn_requests.RequestRefused, match=told) as refused:
        act(colleague if again == "take" else la_officer, again)
    assert la_officer.get_full_name() in str(refused.value)
    assert CaseEvent.objects.count() == before  # the refused action wrote nothing


@pytest.mark.django_db
def test_answering_twice_says_the_answer_was_sent(pn_request, la_officer, dsl):
    pn_requests.pn_request_assign(request=pn_request, by=la_officer)
    pn_requests.pn_request_decide(request=pn_request, by=la_officer, decision="more_information", reasons="Which?")
    pn_requests.pn_request_answer(request=pn_request, by=dsl, answer="Early help")
    with pytest.raises(pn_requests.RequestRefused, match="Your answer has already been sent"):
        pn_requests.pn_request_answer(request=pn_request, by=dsl, answer="Early help")
    pn_request.refresh_from_db()
    assert [e["kind"] for e in pn_request.exchanges] == ["question", "answer"]


@pytest.mark.django_db
def test_deciding_or_concluding_a_referral_twice_says_it_was_done(referral, la_officer, colleague):
    referrals.referral_assign(referral=referral, by=la_officer)
    with pytest.raises(referrals.ReferralRefused, match="has already taken this referral"):
        referrals.referral_assign(referral=referral, by=colleague)
    referrals.referral_decide(referral=referral, by=la_officer, decision="nfa", reasons="Improved")
    with pytest.raises(referrals.ReferralRefused, match="already been decided: no further action, by"):
        referrals.referral_decide(referral=referral, by=la_officer, decision="nfa", reasons="Improved")
    referrals.referral_record_outcome(referral=referral, by=la_officer, conclusion="close")
    with pytest.raises(referrals.ReferralRefused, match="outcome of this referral has already been recorded by"):
        referrals.referral_record_outcome(referral=referral, by=la_officer, conclusion="close")
    with pytest.raises(referrals.ReferralRefused, match="outcome of this referral has already been recorded by"):
        referrals.referral_decide(referral=referral, by=la_officer, decision="nfa", reasons="Improved")
