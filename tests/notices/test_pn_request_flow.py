"""The penalty notice request (notices.flows), driven over HTTP as each person would: the school asks, an
LA officer takes it, asks for more information, the school answers, the same officer approves, and the
notices are issued; or the officer rejects; another LA never sees it; no request without the headteacher."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseState, PenaltyNoticeConsideration, Role
from cases.models.audit import AuditEvent
from cases.services import case_open
from interventions.services.la_review import la_service_level_flag
from notices.models import PenaltyNotice, PenaltyNoticeRequest, PenaltyNoticeState
from tests import factories
from tests.factories import ParentalRelationshipFactory, add_marks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def mother(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1", parent__forename="Jo",
                                       relationship="Mother").parent


@pytest.fixture
def father(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="F1", parent__forename="Sam",
                                       relationship="Father").parent


@pytest.fixture
def consideration(pn_case, dsl):
    return PenaltyNoticeConsideration.objects.create(
        case=pn_case, recorded_at=timezone.now(), recorded_by=dsl, threshold_first_met=dt.date(2026, 10, 9),
        why_penalty_notice_is_the_best_tool="Support was refused", alternatives_considered="NTI already issued",
        equality_act_consideration="No SEND; no adjustment needed",
    )


@pytest.fixture
def authorised(consideration, headteacher):
    consideration.authorised_by, consideration.authorised_at = headteacher, timezone.now()
    consideration.save()
    return consideration


@pytest.fixture
def pn_case(pupil, dsl):
    add_marks(pupil, dt.date(2026, 9, 28), "O" * 12)  # the threshold: 10 unauthorised sessions in 10 weeks
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met")
    # Test set-up: the ladder's own tests walk a case here; this one starts at the stage.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def other_la_officer(db):
    other = factories.LocalAuthorityFactory(code="312", name="Riverside Borough Council")
    user = factories.UserFactory(username="other_la_officer")
    factories.StaffProfileFactory(user=user, role=Role.LA_OFFICER, position="Officer", school=None, local_authority=other)
    return user


@pytest.fixture
def second_la_officer(la):
    user = factories.UserFactory(username="la_officer_2")
    factories.StaffProfileFactory(user=user, role=Role.LA_OFFICER, position="Officer", school=None, local_authority=la)
    return user


def _as(client, user):
    client.force_login(user)
    return client


def _start(client, dsl, case, parents, reason="Please issue to both parents"):
    return _as(client, dsl).post(reverse("pn_requests:new", kwargs={"case_pk": case.pk}),
                                 {"parents": [str(p.pk) for p in parents], "reason": reason, "confirm": "yes"})


def _la_url(name, request, code="873"):
    return reverse(f"pn_requests:{name}", kwargs={"code": code, "pk": request.pk})


def _decide(client, officer, request, decision, reasons=""):
    return _as(client, officer).post(_la_url("la_decide", request), {"decision": decision, "reasons": reasons})


def test_request_more_information_answer_and_approval_issue_a_notice_to_each_parent(
    client, dsl, la_officer, second_la_officer, pn_case, authorised, mother, father
):
    response = _start(client, dsl, pn_case, [mother, father])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    assert response.status_code == 302
    assert set(request.parents.all()) == {mother, father}
    assert request.consideration == authorised

    # The LA team's queue shows it, unassigned; the officer opens it and sees the conditions that hold.
    inbox = _as(client, la_officer).get(reverse("pn_requests:la_inbox", kwargs={"code": "873"}))
    assert inbox.context["inbox"].queue[0].request == request
    page = client.get(_la_url("la_detail", request))
    assert page.status_code == 200
    assert any("Threshold met" in line for line in page.context["check"].evidence)
    assert all(terms.allowed for _, terms in page.context["parent_terms"])
    assert b"Assign to me" in page.content

    assert client.post(_la_url("la_assign", request)).status_code == 302
    assert _as(client, second_la_officer).post(_la_url("la_assign", request)).status_code == 302  # refused: taken
    assert _decide(client, second_la_officer, request, "approve").status_code == 400  # not theirs to decide
    assert not PenaltyNotice.objects.exists()

    assert _decide(client, la_officer, request, "more_information", "Which dates was the holiday?").status_code == 302
    school_page = _as(client, dsl).get(reverse("pn_requests:school_detail", kwargs={"case_pk": pn_case.pk, "pk": request.pk}))
    assert b"Which dates was the holiday?" in school_page.content
    assert school_page.context["answer_task"] is not None
    client.post(reverse("pn_requests:school_detail", kwargs={"case_pk": pn_case.pk, "pk": request.pk}),
                {"answer": "29 September to 5 October"})

    # Back to the same officer, not to the team's queue.
    inbox = _as(client, la_officer).get(reverse("pn_requests:la_inbox", kwargs={"code": "873"})).context["inbox"]
    assert [task.request for task in inbox.mine] == [request]
    assert inbox.queue == []
    assert _decide(client, la_officer, request, "approve").status_code == 302

    request.refresh_from_db()
    assert request.finished is not None and request.decision == "approve" and request.decided_by == la_officer
    assert [item["kind"] for item in request.exchanges] == ["question", "answer"]
    notices = PenaltyNotice.objects.filter(case=pn_case)
    assert {n.parent for n in notices} == {mother, father}
    assert {n.state for n in notices} == {PenaltyNoticeState.ISSUED}
    assert all(n.officer_tasks.count() == 0 and n.sequence == 1 for n in notices)
    assert pn_case.letters.count() == 2
    pn_case.refresh_from_db()
    assert pn_case.state == CaseState.PENALTY_NOTICE  # the case's own state machine keeps its stage
    summaries = list(CaseEvent.objects.filter(case=pn_case).order_by("at", "id").values_list("summary", flat=True))
    for expected in ("Penalty notices requested", "taken by", "asked the school for more information",
                     "school answered", "approved by the local authority: the local authority issues the notices",
                     "issued to"):
        assert any(expected in summary for summary in summaries), expected
    assert AuditEvent.objects.filter(action__startswith="pn_request.").count() >= 5


def test_a_rejection_gives_the_school_the_reasons_and_issues_nothing(
    client, dsl, la_officer, pn_case, authorised, mother
):
    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", request))
    assert _decide(client, la_officer, request, "reject").status_code == 400  # reasons are required
    assert _decide(client, la_officer, request, "reject", "Support plan not yet reviewed").status_code == 302
    request.refresh_from_db()
    assert request.finished is not None and request.decision == "reject"
    assert not PenaltyNotice.objects.exists()
    page = _as(client, dsl).get(reverse("pn_requests:school_detail", kwargs={"case_pk": pn_case.pk, "pk": request.pk}))
    assert b"Support plan not yet reviewed" in page.content
    assert CaseEvent.objects.filter(case=pn_case, summary__contains="rejected", reason="Support plan not yet reviewed").exists()


def test_another_las_officer_can_neither_see_nor_act_on_the_request(
    client, dsl, other_la_officer, pn_case, authorised, mother
):
    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _as(client, other_la_officer)
    assert client.get(_la_url("la_detail", request, code="873")).status_code == 404
    assert client.get(_la_url("la_detail", request, code="312")).status_code == 404
    assert client.post(_la_url("la_assign", request, code="312")).status_code == 404
    assert client.post(_la_url("la_decide", request, code="312"), {"decision": "approve"}).status_code == 404
    inbox = client.get(reverse("pn_requests:la_inbox", kwargs={"code": "312"})).context["inbox"]
    assert inbox.queue == [] and inbox.mine == []
    # School staff never reach the LA's pages.
    assert _as(client, dsl).get(_la_url("la_detail", request)).status_code == 403


def test_no_request_without_the_headteachers_authority(client, dsl, pn_case, consideration, mother):
    response = _start(client, dsl, pn_case, [mother])
    assert response.status_code == 200
    assert "The headteacher must authorise" in response.content.decode()
    assert not PenaltyNoticeRequest.objects.exists()


def test_no_request_before_the_case_is_at_the_penalty_notice_stage(client, dsl, pn_case, authorised, mother):
    Case.objects.filter(pk=pn_case.pk).update(state=CaseState.NOTICE_TO_IMPROVE)
    response = _start(client, dsl, pn_case, [mother])
    assert response.status_code == 200
    assert not PenaltyNoticeRequest.objects.exists()


def test_approval_is_refused_when_a_parent_already_had_two_notices(client, dsl, la_officer, pn_case, authorised, mother):
    for n, issued_on in enumerate([dt.date(2025, 1, 10), dt.date(2025, 6, 10)], start=1):
        PenaltyNotice.objects.create(
            local_authority=pn_case.school.local_authority, reference=f"OLD-{n}", pupil=pn_case.pupil, parent=mother,
            state=PenaltyNoticeState.PAID_FULL, issued_on=issued_on, imported=True, created_at=timezone.now(),
        )
    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", request))
    page = client.get(_la_url("la_detail", request))
    assert b'data-testid="pn-refused"' in page.content
    response = _decide(client, la_officer, request, "approve")
    assert response.status_code == 400
    assert "No penalty notice can be issued" in response.content.decode()
    assert PenaltyNotice.objects.filter(case=pn_case).count() == 0


def test_an_approval_that_cannot_issue_every_notice_issues_none_and_stays_with_the_officer(
    client, dsl, la_officer, pn_case, authorised, mother, father
):
    from cases.models import Mark

    _start(client, dsl, pn_case, [mother, father])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", request))
    Mark.objects.filter(pupil=pn_case.pupil).delete()  # the threshold no longer met: no offence period
    response = _decide(client, la_officer, request, "approve")
    assert response.status_code == 400
    assert "threshold is not met" in response.content.decode()
    request.refresh_from_db()
    assert request.finished is None and request.decision == ""
    assert not PenaltyNotice.objects.exists()
    inbox = client.get(reverse("pn_requests:la_inbox", kwargs={"code": "873"})).context["inbox"]
    assert [task.request for task in inbox.mine] == [request]


def test_a_decision_on_a_task_completed_meanwhile_is_refused_under_the_lock(
    client, dsl, la_officer, pn_case, authorised, mother, monkeypatch
):
    from notices.review.services import requests as pn_requests

    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", request))
    seen = pn_requests.open_task(request, "review")  # what the officer's second tab still shows
    _decide(client, la_officer, request, "more_information", "Dates please")
    monkeypatch.setattr(pn_requests, "open_task", lambda *args: seen)
    with pytest.raises(pn_requests.RequestRefused, match="Someone else acted"):
        pn_requests.pn_request_decide(request=request, by=la_officer, decision="approve", reasons="")
    assert not PenaltyNotice.objects.exists()


def _approve(client, dsl, la_officer, case, parents):
    _start(client, dsl, case, parents)
    request = PenaltyNoticeRequest.objects.get(case=case)
    _as(client, la_officer).post(_la_url("la_assign", request))
    assert _decide(client, la_officer, request, "approve").status_code == 302
    request.refresh_from_db()
    return request


def test_when_the_la_issues_the_school_has_nothing_left_to_issue(client, dsl, la_officer, la, pn_case, authorised, mother):
    factories.CodeOfConductFactory(local_authority=la)  # pn_issued_by defaults to "la"
    request = _approve(client, dsl, la_officer, pn_case, [mother])
    assert PenaltyNotice.objects.get(case=pn_case).state == PenaltyNoticeState.ISSUED
    page = _as(client, dsl).get(reverse("pn_requests:school_detail", kwargs={"case_pk": pn_case.pk, "pk": request.pk}))
    assert page.context["to_issue"] == []
    assert b'data-testid="pn-request-to-issue"' not in page.content
    assert b'data-testid="pn-issue-link"' not in client.get(reverse("case_notices", args=[pn_case.pk])).content


def test_when_the_school_issues_approval_drafts_and_consults_and_the_school_issues_each_notice(
    client, dsl, la_officer, la, pn_case, authorised, mother, father
):
    factories.CodeOfConductFactory(local_authority=la, pn_issued_by="school")
    request = _approve(client, dsl, la_officer, pn_case, [mother, father])
    assert request.finished is not None and request.decision == "approve"
    notices = PenaltyNotice.objects.filter(case=pn_case)
    assert {n.parent for n in notices} == {mother, father}
    assert {n.state for n in notices} == {PenaltyNoticeState.LA_CONSULTED}  # the approval is the consultation
    assert pn_case.letters.count() == 0
    summaries = list(CaseEvent.objects.filter(case=pn_case).values_list("summary", flat=True))
    assert any("approved by the local authority: the school issues the notices" in s for s in summaries)
    assert not any("issued to" in s for s in summaries)

    # The request page and the case page tell the school to issue each notice, linking to its issue page.
    detail = reverse("pn_requests:school_detail", kwargs={"case_pk": pn_case.pk, "pk": request.pk})
    page = _as(client, dsl).get(detail)
    assert {n.parent for n in page.context["to_issue"]} == {mother, father}
    issue_urls = [reverse("penalty_notices:issue", kwargs={"case_pk": pn_case.pk, "pk": n.pk}) for n in notices]
    for url in issue_urls:
        assert url.encode() in page.content
    case_page = client.get(reverse("case_notices", args=[pn_case.pk])).content.decode()
    assert "the school issues each notice" in case_page
    assert all(url in case_page for url in issue_urls)

    today = timezone.localdate()
    form = {"issued_day": today.day, "issued_month": today.month, "issued_year": today.year, "posted": "yes",
            "terms_on": today.isoformat(), "confirm": "yes"}
    for url in issue_urls:
        assert client.post(url, form).status_code == 302
    assert {n.state for n in PenaltyNotice.objects.filter(case=pn_case)} == {PenaltyNoticeState.ISSUED}
    assert pn_case.letters.count() == 2
    assert client.get(detail).context["to_issue"] == []


# --- the LA's inbox: working days waiting against the service level, and the school filter ---------------


def _inbox(client, officer, **params):
    return _as(client, officer).get(reverse("pn_requests:la_inbox", kwargs={"code": "873"}), params)


def _age(request, node_name, on):
    """Test set-up: the request's open task at ``node_name`` began on ``on`` (10:00 UTC)."""
    from notices.review.services import requests as pn_requests

    task = pn_requests.open_task(request, node_name)
    type(task).objects.filter(pk=task.pk).update(created=dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC))


@pytest.mark.parametrize(("reached_la", "waiting", "overdue"), [
    (dt.date(2026, 11, 19), 5, False),  # Thursday a week before: 5 working days, within the level
    (dt.date(2026, 11, 18), 6, True),  # Wednesday: 6 working days, overdue
])
def test_inbox_shows_working_days_waiting_and_overdue_past_the_service_level(
    client, dsl, la_officer, pn_case, authorised, mother, reached_la, waiting, overdue
):
    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _age(request, "review", reached_la)
    page = _inbox(client, la_officer)
    task = page.context["inbox"].queue[0]
    assert (task.working_days_waiting, task.overdue) == (waiting, overdue)
    assert (b'data-testid="overdue"' in page.content) is overdue
    assert f'data-testid="working-days">{waiting}'.encode() in page.content
    # The beat task counts on the same clock as the officer's screen.
    swept = la_service_level_flag(today=dt.date(2026, 11, 26)).requests_overdue
    assert swept == ({"873": 1} if overdue else {})


def test_inbox_counts_from_the_schools_last_answer_and_a_question_with_the_school_is_never_overdue(
    client, dsl, la_officer, la, pn_case, authorised, mother
):
    factories.CodeOfConductFactory(local_authority=la, la_response_days=2)
    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", request))
    _decide(client, la_officer, request, "more_information", "Dates please")
    _age(request, "answer", dt.date(2026, 11, 2))
    with_school = _inbox(client, la_officer).context["inbox"].with_school[0]
    assert with_school.working_days_waiting == 18 and not with_school.overdue
    _as(client, dsl).post(reverse("pn_requests:school_detail", kwargs={"case_pk": pn_case.pk, "pk": request.pk}),
                          {"answer": "29 September to 5 October"})
    assert la_service_level_flag(today=dt.date(2026, 11, 26)).requests_overdue == {}  # with the school
    mine = _inbox(client, la_officer).context["inbox"].mine[0]
    assert mine.working_days_waiting == 0 and not mine.overdue  # the clock restarts at the answer
    assert la_service_level_flag(today=dt.date(2026, 11, 26)).requests_overdue == {}
    _age(request, "review", dt.date(2026, 11, 23))  # 3 working days against this LA's level of 2
    mine = _inbox(client, la_officer).context["inbox"].mine[0]
    assert mine.working_days_waiting == 3 and mine.overdue
    assert la_service_level_flag(today=dt.date(2026, 11, 26)).requests_overdue == {"873": 1}


def test_inbox_filters_by_one_of_the_las_own_schools(
    client, dsl, la_officer, other_la_officer, la, school, pn_case, authorised, mother
):
    other_school = factories.SchoolFactory(urn="654321", name="Hill Top Academy", local_authority=la)
    foreign = factories.SchoolFactory(urn="999999", name="Riverside School",
                                      local_authority=factories.LocalAuthorityFactory(code="312"))
    _start(client, dsl, pn_case, [mother])
    page = _inbox(client, la_officer)
    assert [s.urn for s in page.context["schools"]] == ["654321", "123456"]  # by name; never another LA's
    assert b"Riverside School" not in page.content
    assert len(page.context["inbox"].queue) == 1
    assert len(_inbox(client, la_officer, school=school.urn).context["inbox"].queue) == 1
    filtered = _inbox(client, la_officer, school=other_school.urn)
    assert filtered.context["inbox"].queue == [] and filtered.context["school_urn"] == "654321"
    assert b"Clear filter" in filtered.content
    ignored = _inbox(client, la_officer, school=foreign.urn)  # another LA's school: the filter is ignored
    assert ignored.context["school_urn"] == "" and len(ignored.context["inbox"].queue) == 1


# --- who issues, said before the decision; one open request at a time ------------------------------------


@pytest.mark.parametrize(("issued_by", "school_says", "la_says"), [
    ("la", "it issues and posts each notice itself", "issued today in the local authority's name"),
    ("school", "the school issues each notice from its page", "Meadow Lane Primary School issues each one"),
])
def test_both_sides_are_told_who_issues_the_notices_on_approval(
    client, dsl, la_officer, la, pn_case, authorised, mother, issued_by, school_says, la_says
):
    factories.CodeOfConductFactory(local_authority=la, pn_issued_by=issued_by)
    case_page = _as(client, dsl).get(reverse("case_notices", args=[pn_case.pk])).content.decode()
    assert school_says in case_page
    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", request))
    assert la_says in client.get(_la_url("la_detail", request)).content.decode()


def test_while_a_request_is_open_the_case_page_links_to_it_instead_of_offering_another(
    client, dsl, la_officer, pn_case, authorised, mother
):
    new_request = reverse("pn_requests:new", kwargs={"case_pk": pn_case.pk})
    assert new_request.encode() in _as(client, dsl).get(reverse("case_detail", args=[pn_case.pk])).content
    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    page = client.get(reverse("case_notices", args=[pn_case.pk])).content.decode()
    assert 'data-testid="pn-request-open"' in page and new_request not in page
    assert reverse("pn_requests:school_detail", kwargs={"case_pk": pn_case.pk, "pk": request.pk}) in page
    assert new_request not in client.get(reverse("case_detail", args=[pn_case.pk])).content.decode()
    _as(client, la_officer).post(_la_url("la_assign", request))
    _decide(client, la_officer, request, "reject", "Attendance has improved since")
    page = _as(client, dsl).get(reverse("case_detail", args=[pn_case.pk])).content.decode()
    assert 'data-testid="pn-request-open"' not in page and new_request in page


# --- the LA overview's "Decisions due" ----------------------------------------------------------------------


def test_the_la_overview_counts_the_decisions_due_as_the_lists_show_them(client, dsl, la_officer, pn_case,
                                                                        authorised, mother):
    overview = reverse("la_overview", kwargs={"code": "873"})
    page = _as(client, la_officer).get(overview)
    assert page.context["work"].nothing and "Nothing is waiting for the local authority." in page.content.decode()

    _start(client, dsl, pn_case, [mother])
    _age(PenaltyNoticeRequest.objects.get(case=pn_case), "review", dt.date(2026, 11, 18))  # 6 working days
    from interventions.services.part_time import sickness_return_send

    sickness_return_send(pupil=pn_case.pupil, by=dsl, sent_on=dt.date(2026, 11, 26))
    html = _as(client, la_officer).get(overview).content.decode()
    assert re.search(r"data-testid=.work-requests.>.*0 yours, 1 in the team.s queue.*1 overdue", html)
    assert re.search(r'data-testid="work-notifications">.*Notifications to acknowledge</a>: 1</li>', html)
    assert 'data-testid="work-referrals"' not in html and 'data-testid="work-tasks"' not in html


def test_an_officer_cannot_take_a_request_someone_has_taken_or_that_waits_for_the_school(
    client, dsl, la_officer, second_la_officer, pn_case, authorised, mother
):
    from notices.review.services import requests as pn_requests
    from notices.review.services.requests import RequestRefused

    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    pn_requests.pn_request_assign(request=request, by=la_officer)
    with pytest.raises(RequestRefused, match=f"{la_officer.get_full_name()} has already taken this request"):
        pn_requests.pn_request_assign(request=request, by=second_la_officer)
    assert pn_requests.open_task(request, "review").owner == la_officer
    _decide(client, la_officer, request, "more_information", "Which dates?")
    with pytest.raises(RequestRefused, match="not waiting for the local authority"):
        pn_requests.pn_request_assign(request=request, by=second_la_officer)


# --- the LA manager gives a request to another officer ------------------------------------------------------


@pytest.fixture
def la_manager(la):
    user = factories.UserFactory(username="la_manager", first_name="Priya", last_name="Chandran")
    factories.StaffProfileFactory(user=user, role=Role.LA_MANAGER, position="Manager", school=None,
                                  local_authority=la)
    return user


def test_the_la_manager_gives_a_taken_request_to_another_officer_who_then_decides(
    client, dsl, la_officer, second_la_officer, la_manager, pn_case, authorised, mother
):
    from cases.models import AuditEvent

    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", request))
    page = _as(client, la_manager).get(_la_url("la_detail", request)).content.decode()
    assert 'data-testid="reassign"' in page
    assert client.post(_la_url("la_decide", request), {"decision": "reject", "reasons": "No"}).status_code in (302, 400)
    request.refresh_from_db()
    assert not request.decision  # the manager reassigns; she does not decide
    assert client.post(_la_url("la_reassign", request), {"officer": second_la_officer.pk}).status_code == 302
    assert AuditEvent.objects.filter(action="pn_request.reassign", username="la_manager").exists()
    assert _decide(client, la_officer, request, "reject", "No").status_code == 400  # no longer hers
    assert _decide(client, second_la_officer, request, "reject", "Not this time").status_code == 302
    request.refresh_from_db()
    assert (request.decision, request.decided_by) == ("reject", second_la_officer)


@pytest.mark.parametrize("who", ["la_officer", "dsl"])
def test_only_the_manager_reassigns(client, request, dsl, la_officer, second_la_officer, pn_case, authorised, mother,
                                    who):
    _start(client, dsl, pn_case, [mother])
    pn_request = PenaltyNoticeRequest.objects.get(case=pn_case)
    response = _as(client, request.getfixturevalue(who)).post(_la_url("la_reassign", pn_request),
                                                              {"officer": second_la_officer.pk})
    assert response.status_code in (302, 403)
    from notices.review.services import requests as pn_requests

    assert pn_requests.open_task(pn_request, "review").owner_id is None


def test_the_la_manager_is_offered_to_give_work_but_not_to_take_it(
    client, dsl, la_officer, la_manager, pn_case, authorised, mother
):
    _start(client, dsl, pn_case, [mother])
    request = PenaltyNoticeRequest.objects.get(case=pn_case)
    for page in (_as(client, la_manager).get(_la_url("la_detail", request)).content.decode(),
                 client.get("/la/873/requests/").content.decode()):
        assert "Assign to me" not in page
    assert "Assign to me" in _as(client, la_officer).get(_la_url("la_detail", request)).content.decode()
    assert "Assign to me" in client.get("/la/873/requests/").content.decode()


# --- one entry per action, and the confirmation before the request goes ------------------------------------


def test_request_a_penalty_notice_is_offered_once_in_the_ladder_box_and_nowhere_else(client, dsl, pn_case, authorised):
    new_request = reverse("pn_requests:new", kwargs={"case_pk": pn_case.pk})
    _as(client, dsl)
    pages = {name: client.get(reverse(name, args=[pn_case.pk])).content.decode()
             for name in ("case_detail", "case_chronology", "case_meetings", "case_support", "case_notices",
                          "case_documents")}
    assert pages["case_detail"].count(f'href="{new_request}"') == 1
    assert pages["case_detail"].count("Request a penalty notice") == 2  # the entry's heading and its button
    assert all(new_request not in html for name, html in pages.items() if name != "case_detail")
    assert all(f'action="{new_request}"' not in html for html in pages.values())  # no second form anywhere


def test_the_request_asks_for_confirmation_and_sends_nothing_until_confirmed(client, dsl, pn_case, authorised,
                                                                            mother, father):
    url = reverse("pn_requests:new", kwargs={"case_pk": pn_case.pk})
    form = {"parents": [str(mother.pk), str(father.pk)], "reason": "Please issue to both parents"}
    page = _as(client, dsl).post(url, form).content.decode()
    assert "Check before you request penalty notices" in page
    consequences = re.search(r'data-testid="confirm-consequences"(.*?)</ul>', page, re.S).group(1)
    assert f"naming {father}, {mother}" in consequences or f"naming {mother}, {father}" in consequences
    assert "issues and posts a notice to each parent named" in consequences
    assert f'name="parents" value="{mother.pk}"' in page and f'name="parents" value="{father.pk}"' in page
    assert not PenaltyNoticeRequest.objects.exists()

    changed = client.post(url, {**form, "change": "yes"}).content.decode()
    assert "Please issue to both parents</textarea>" in changed and not PenaltyNoticeRequest.objects.exists()

    response = client.post(url, {**form, "confirm": "yes"})
    assert response.status_code == 302
    assert set(PenaltyNoticeRequest.objects.get().parents.all()) == {mother, father}
