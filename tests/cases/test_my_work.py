""""My work": each role's page and the header's count, the headteacher's decline and the confirmation before
authorising, news marked as read per person, and scoping to the person's own school or LA."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from cases import facts, ladder
from cases.errors import DomainError
from cases.models import (
    Alert,
    AlertKind,
    AuditEvent,
    CaseEvent,
    EventKind,
    PenaltyNoticeConsideration,
    Role,
    WorkNewsRead,
)
from cases.services import case_open, pn_consideration_authorise, pn_consideration_decline
from interventions.models import (
    Action,
    AdjustmentArea,
    AttendanceContract,
    ContractStatus,
    LeaveOfAbsenceRequest,
    ReasonableAdjustment,
    SupportPlan,
    SupportPlanStatus,
)
from tests import factories
from tests.factories import ParentalRelationshipFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 26)
NOW = dt.datetime(2025, 11, 26, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(pupil, dsl):
    return case_open(pupil=pupil, by=dsl, reason="Attendance 84% and falling")


def _consideration(case, by, **extra) -> PenaltyNoticeConsideration:
    return PenaltyNoticeConsideration.objects.create(
        case=case, recorded_at=NOW, recorded_by=by, threshold_first_met=dt.date(2025, 11, 7),
        why_penalty_notice_is_the_best_tool="Support refused twice", alternatives_considered="An ESO is not proportionate",
        equality_act_consideration="No disability", **extra,
    )


def _html(response) -> str:
    return response.content.decode()


def _section(html: str, key: str) -> str:
    match = re.search(rf'data-testid="my-work-{key}">(.*?)</section>', html, re.S)
    assert match, f"no section {key}"
    return match.group(1)


def _count(html: str) -> int:
    return int(re.search(r'data-testid="my-work-count">(\d+)<', html).group(1))


def _other_school_case(other_school, other_school_dsl):
    stranger = factories.PupilFactory(school=other_school, forename="Zebedee", surname="Outsider")
    return case_open(pupil=stranger, by=other_school_dsl, reason="Another school's case")


# --- the headteacher declines, with reasons -------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n  "], ids=["empty", "blank"])
def test_a_decline_needs_reasons(case, dsl, headteacher, reason):
    consideration = _consideration(case, dsl)
    with pytest.raises(facts.ImpossibleFact) as refused:
        pn_consideration_decline(consideration=consideration, by=headteacher, reason=reason)
    assert refused.value.field == "reason"
    consideration.refresh_from_db()
    assert consideration.declined_at is None and not CaseEvent.objects.filter(summary__contains="declined").exists()


def test_a_decline_over_the_text_limit_is_refused_by_the_facts_policy(case, dsl, headteacher):
    consideration = _consideration(case, dsl)
    with pytest.raises(facts.ImpossibleFact, match="10,000|10000"):
        pn_consideration_decline(consideration=consideration, by=headteacher, reason="x" * (facts.LONG_TEXT_MAX + 1))


def test_a_declined_request_is_on_the_chronology_audited_and_can_never_be_authorised(case, dsl, headteacher):
    consideration = _consideration(case, dsl)
    pn_consideration_decline(consideration=consideration, by=headteacher, reason="Try a notice to improve first")
    event = CaseEvent.objects.get(case=case, kind=EventKind.CONSIDERATION)
    assert event.summary == "Penalty notice request declined by the headteacher"
    assert event.reason == "Try a notice to improve first" and event.by == headteacher
    assert AuditEvent.objects.filter(action="case.pn_decline", user=headteacher).exists()
    with pytest.raises(DomainError, match="declined .* cannot be authorised"):
        pn_consideration_authorise(consideration=consideration, by=headteacher)
    consideration.refresh_from_db()
    assert consideration.authorised_at is None and consideration.declined_by == headteacher
    with pytest.raises(DomainError, match="already declined"):
        pn_consideration_decline(consideration=consideration, by=headteacher, reason="Again")


def test_an_authorised_request_can_no_longer_be_declined(case, dsl, headteacher):
    consideration = _consideration(case, dsl)
    pn_consideration_authorise(consideration=consideration, by=headteacher)
    with pytest.raises(DomainError, match="already authorised"):
        pn_consideration_decline(consideration=consideration, by=headteacher, reason="Changed my mind")


@pytest.mark.parametrize("persona", ["dsl", "senco", "attendance_officer"])
def test_only_the_headteacher_declines(request, case, dsl, persona):
    consideration = _consideration(case, dsl)
    with pytest.raises(DomainError):
        pn_consideration_decline(consideration=consideration, by=request.getfixturevalue(persona), reason="No")
    consideration.refresh_from_db()
    assert consideration.declined_at is None


def test_the_ladder_treats_a_declined_request_as_not_authorised_and_says_why(case, dsl, headteacher):
    consideration = _consideration(case, dsl)
    pn_consideration_decline(consideration=consideration, by=headteacher, reason="Try a notice to improve first")
    check = ladder.check(case, "request_penalty_notice")
    assert not check.allowed
    declined = [line for line in check.missing if "headteacher declined" in line]
    assert declined and "Try a notice to improve first" in declined[0]
    assert not any("Authorised by the headteacher" in line for line in check.evidence)


# --- the pages: confirmation before authorising, the decline form ------------------------------------------------


def test_authorising_asks_are_you_sure_first_and_says_what_it_allows(client, case, dsl, headteacher):
    consideration = _consideration(case, dsl)
    url = reverse("pn_consideration_authorise", kwargs={"pk": case.pk, "consideration_pk": consideration.pk})
    client.force_login(headteacher)
    html = _html(client.get(url))
    assert "Are you sure you want to authorise this penalty notice request?" in html
    assert "ask Fenshire County Council to issue a penalty notice" in html and "Support refused twice" in html
    consideration.refresh_from_db()
    assert consideration.authorised_at is None  # reading the page changes nothing
    response = client.post(url)
    assert response.status_code == 302
    consideration.refresh_from_db()
    assert consideration.authorised_by == headteacher


def test_the_case_page_links_the_head_to_the_confirmation_and_the_decline(client, case, dsl, headteacher):
    consideration = _consideration(case, dsl)
    client.force_login(headteacher)
    html = _html(client.get(reverse("case_notices", kwargs={"pk": case.pk})))
    kwargs = {"pk": case.pk, "consideration_pk": consideration.pk}
    assert f'href="{reverse("pn_consideration_authorise", kwargs=kwargs)}"' in html
    assert f'href="{reverse("pn_consideration_decline", kwargs=kwargs)}"' in html


def test_the_decline_page_shows_the_missing_reason_on_the_field_and_changes_nothing(client, case, dsl, headteacher):
    consideration = _consideration(case, dsl)
    url = reverse("pn_consideration_decline", kwargs={"pk": case.pk, "consideration_pk": consideration.pk})
    client.force_login(headteacher)
    html = _html(client.post(url, {"reason": ""}))
    assert "govuk-error-summary" in html and 'href="#id_reason"' in html
    assert "Give the reasons for declining" in html and "<title>Error:" in html
    consideration.refresh_from_db()
    assert consideration.declined_at is None
    response = client.post(url, {"reason": "A notice to improve first"})
    assert response.status_code == 302 and response.url == reverse("my_work")
    consideration.refresh_from_db()
    assert consideration.decline_reason == "A notice to improve first"
    html = _html(client.get(reverse("case_notices", kwargs={"pk": case.pk})))
    assert "Declined by the headteacher" in html and "A notice to improve first" in html


@pytest.mark.parametrize("persona", ["dsl", "senco"])
def test_nobody_but_the_headteacher_reaches_the_confirmation_or_the_decline(client, request, case, dsl, persona):
    consideration = _consideration(case, dsl)
    client.force_login(request.getfixturevalue(persona))
    kwargs = {"pk": case.pk, "consideration_pk": consideration.pk}
    for name in ("pn_consideration_authorise", "pn_consideration_decline"):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403
        assert client.post(reverse(name, kwargs=kwargs), {"reason": "x"}).status_code == 403
    consideration.refresh_from_db()
    assert consideration.is_waiting


# --- each role's page ------------------------------------------------------------------------------------------


def test_the_headteacher_sees_what_waits_for_her_and_lands_there(client, case, dsl, headteacher, pupil,
                                                                  other_school, other_school_dsl):
    waiting = _consideration(case, dsl)
    parent = factories.ParentFactory(forename="Jane", surname="Hughes")
    ParentalRelationshipFactory(pupil=pupil, parent=parent)
    leave = LeaveOfAbsenceRequest.objects.create(pupil=pupil, requested_by=parent, first_day=dt.date(2025, 12, 8),
                                                 last_day=dt.date(2025, 12, 9), reason="Wedding", received_on=TODAY)
    _consideration(_other_school_case(other_school, other_school_dsl), other_school_dsl)
    client.force_login(headteacher)
    assert client.get("/").url == reverse("my_work")
    html = _html(client.get(reverse("my_work")))
    authorise = _section(html, "pn_authorise")
    assert "Amelia Hughes" in authorise
    assert reverse("pn_consideration_authorise", kwargs={"pk": case.pk, "consideration_pk": waiting.pk}) in authorise
    assert reverse("pn_consideration_decline", kwargs={"pk": case.pk, "consideration_pk": waiting.pk}) in authorise
    assert reverse("interventions:leave_request_decide", kwargs={"upn": pupil.upn, "pk": leave.pk}) in html
    assert "Zebedee" not in html  # another school's consideration is never shown
    assert _count(html) == 2


def test_an_older_superseded_or_answered_consideration_no_longer_waits(client, case, dsl, headteacher):
    _consideration(case, dsl)  # superseded by the newer one below
    newer = PenaltyNoticeConsideration.objects.create(
        case=case, recorded_at=NOW + dt.timedelta(minutes=5), recorded_by=dsl, threshold_first_met=TODAY,
        why_penalty_notice_is_the_best_tool="w", alternatives_considered="a", equality_act_consideration="e")
    client.force_login(headteacher)
    assert _count(_html(client.get(reverse("my_work")))) == 1
    pn_consideration_decline(consideration=newer, by=headteacher, reason="Not yet")
    html = _html(client.get(reverse("my_work")))
    assert _count(html) == 0 and "Nothing waits for you" in html


def test_the_dsl_reads_the_heads_decline_and_marks_it_read_for_herself_only(client, case, dsl, attendance_officer,
                                                                             headteacher):
    consideration = _consideration(case, dsl)
    pn_consideration_decline(consideration=consideration, by=headteacher, reason="Try a notice to improve first")
    client.force_login(dsl)
    html = _html(client.get(reverse("my_work")))
    answers = _section(html, "pn_answers")
    assert "declined by the headteacher" in answers and "Try a notice to improve first" in answers
    before = _count(html)
    response = client.post(reverse("my_work_news_read"), {"kind": "pn_consideration.declined",
                                                          "object_id": consideration.pk})
    assert response.status_code == 302
    html = _html(client.get(reverse("my_work")))
    assert "Try a notice to improve first" not in html and _count(html) == before - 1
    # The attendance officer has not read it: it is still news for her.
    client.force_login(attendance_officer)
    assert "Try a notice to improve first" in _html(client.get(reverse("my_work")))


@pytest.mark.parametrize("data", [{"kind": "no.such.kind", "object_id": "1"}, {"kind": "", "object_id": "x"},
                                  {}], ids=["unknown-kind", "nonsense", "empty"])
def test_marking_unknown_news_as_read_writes_nothing(client, dsl, data):
    client.force_login(dsl)
    assert client.post(reverse("my_work_news_read"), data).status_code == 302
    assert not WorkNewsRead.objects.exists()


def test_the_dsl_sees_overdue_actions_and_reviews_due_of_her_school_only(client, case, dsl, other_school,
                                                                         other_school_dsl):
    plan = SupportPlan.objects.create(case=case, barriers="Bus", status=SupportPlanStatus.AGREED, agreed_on=TODAY,
                                      review_on=TODAY - dt.timedelta(days=3), created_by=dsl, created_at=NOW)
    Action.objects.create(case=case, support_plan=plan, description="Call the bus company", owner="DSL",
                          due_on=TODAY - dt.timedelta(days=1), created_at=NOW)
    Action.objects.create(case=case, support_plan=plan, description="Not yet due", owner="DSL",
                          due_on=TODAY + dt.timedelta(days=1), created_at=NOW)
    AttendanceContract.objects.create(case=case, starts_on=TODAY, review_on=TODAY, status=ContractStatus.SIGNED,
                                      created_by=dsl, created_at=NOW)
    other = _other_school_case(other_school, other_school_dsl)
    Action.objects.create(case=other, description="Elsewhere", owner="Them", due_on=TODAY - dt.timedelta(days=9),
                          created_at=NOW)
    client.force_login(dsl)
    html = _html(client.get(reverse("my_work")))
    assert "Call the bus company" in _section(html, "actions_overdue")
    assert "Not yet due" not in html and "Elsewhere" not in html and "Zebedee" not in html
    reviews = _section(html, "reviews_due")
    assert "Support plan review" in reviews and "Attendance contract review" in reviews


def test_the_senco_sees_adjustment_reviews_due_and_nothing_of_casework(client, pupil, senco, dsl, case):
    ReasonableAdjustment.objects.create(pupil=pupil, area=AdjustmentArea.choices[0][0], description="Quiet room",
                                        barrier="Noise", agreed_with="Parents", starts_on=TODAY,
                                        review_on=TODAY - dt.timedelta(days=2), recorded_by=senco, recorded_at=NOW)
    _consideration(case, dsl)
    client.force_login(senco)
    html = _html(client.get(reverse("my_work")))
    assert "Amelia Hughes" in _section(html, "adjustment_reviews")
    assert 'data-testid="my-work-pn_authorise"' not in html and 'data-testid="my-work-actions_overdue"' not in html
    assert _count(html) == 1


def test_the_attendance_officer_sees_stale_n_codes_with_a_link_to_those_alerts(client, pupil, school,
                                                                               attendance_officer, other_school):
    Alert.objects.create(pupil=pupil, school=school, kind=AlertKind.STALE_N, dedup_key="2025-11-10",
                         raised_on=TODAY, detail="2 sessions still coded N")
    Alert.objects.create(pupil=pupil, school=school, kind=AlertKind.PERSISTENT_ABSENCE, dedup_key="2025",
                         raised_on=TODAY, detail="Attendance 84%")
    stranger = factories.PupilFactory(school=other_school, forename="Zebedee", surname="Outsider")
    Alert.objects.create(pupil=stranger, school=other_school, kind=AlertKind.STALE_N, dedup_key="2025-11-10",
                         raised_on=TODAY, detail="1 session still coded N")
    client.force_login(attendance_officer)
    html = _html(client.get(reverse("my_work")))
    stale = _section(html, "stale_n")
    assert "Amelia Hughes" in stale and "2 sessions still coded N" in stale and "Zebedee" not in html
    link = reverse("register_stale_n", kwargs={"urn": school.urn})
    assert link in stale
    assert _count(html) == 1
    assert client.get(link).status_code == 200


def test_the_la_officer_sees_her_inbox_figures_with_links(client, la_officer, la):
    client.force_login(la_officer)
    html = _html(client.get(reverse("my_work")))
    assert 'data-testid="my-work-la_inbox"' in html
    assert reverse("pn_requests:la_inbox", kwargs={"code": la.code}) in html
    assert _count(html) == 0


def test_a_governor_has_nothing_on_the_page_and_no_menu_item(client, school):
    governor = factories.UserFactory(username="governor")
    factories.StaffProfileFactory(user=governor, role=Role.GOVERNOR, position="Governor", school=school)
    client.force_login(governor)
    html = _html(client.get(reverse("my_work")))
    assert "Nothing waits for you" in html
    figures = _html(client.get(reverse("school_figures", kwargs={"urn": school.urn})))
    assert 'data-testid="my-work-link"' not in figures


def test_the_page_is_audited(client, dsl):
    client.force_login(dsl)
    client.get(reverse("my_work"))
    assert AuditEvent.objects.filter(action="my_work.view", user=dsl).exists()


# --- a fixed number of queries, whatever waits ----------------------------------------------------------------


def _fill(school, dsl, n: int, first: int = 0) -> None:
    """n cases of the school, each with an overdue action, a review due, considerations, a stale N alert."""
    for i in range(first, first + n):
        pupil = factories.PupilFactory(school=school, upn=factories.valid_upn(5000 + i))
        case = case_open(pupil=pupil, by=dsl, reason="Attendance falling")
        plan = SupportPlan.objects.create(case=case, barriers="b", status=SupportPlanStatus.AGREED, agreed_on=TODAY,
                                          review_on=TODAY, created_by=dsl, created_at=NOW)
        Action.objects.create(case=case, support_plan=plan, description="d", owner="o",
                              due_on=TODAY - dt.timedelta(days=1), created_at=NOW)
        _consideration(case, dsl)
        Alert.objects.create(pupil=pupil, school=school, kind=AlertKind.STALE_N, dedup_key="k", raised_on=TODAY,
                             detail="N")


@pytest.mark.parametrize("persona", ["dsl", "headteacher"])
def test_the_header_count_and_the_page_take_the_same_queries_for_2_items_or_12(client, request, school, dsl,
                                                                                persona, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = request.getfixturevalue(persona)
    client.force_login(person)
    figures_url = reverse("school_pupils", kwargs={"urn": school.urn})
    counted = []
    for n in (2, 12):
        _fill(school, dsl, n - len(counted), first=len(counted))
        for url in (figures_url, reverse("my_work")):
            with CaptureQueriesContext(connection) as queries:
                html = _html(client.get(url))
            counted.append((url, len(queries)))
            assert _count(html) > 0
    assert counted[0] == counted[2] and counted[1] == counted[3], counted


def test_the_header_count_costs_one_query(dsl, school, django_assert_num_queries):
    from cases import my_work

    _fill(school, dsl, 5)
    # Every section's rows are counted together: one query, whatever the role and the number of items.
    with django_assert_num_queries(1):
        assert my_work.waiting_count(user=dsl, today=TODAY) >= 15
