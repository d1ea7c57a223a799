"""Who issues a penalty notice follows the LA's code of conduct (CodeOfConduct.pn_issued_by).

When the LA issues (the default, also without a code), no school user drafts, consults on or issues a notice,
by any service or page: the school asks with a penalty notice request and the LA's officer decides and
issues. When the code leaves issuing to the school, the school's own path works as before."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse
from django.utils import timezone

from cases.errors import DomainError
from cases.models import Case, CaseState, PenaltyNoticeConsideration, PenaltyNoticeIssuer
from notices.models import PenaltyNotice, PenaltyNoticeState
from notices.penalty import urls as penalty_urls
from notices.penalty.letters import penalty_notice_issue_with_letter
from notices.penalty.services import (
    LocalAuthorityIssues,
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_issue,
)
from notices.review.services.requests import pn_request_start
from notices.review.urls import requests as request_urls
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)
OFFENCE = {"offence_from": dt.date(2026, 9, 14), "offence_to": dt.date(2026, 9, 18)}
LA_ISSUES = "Fenshire County Council issues penalty notices under its code of conduct"
# The code of conduct as the test sets it up: none at all (the LA issues), or one naming either issuer.
NO_CODE = None
ISSUERS = [NO_CODE, PenaltyNoticeIssuer.LA, PenaltyNoticeIssuer.SCHOOL]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def pn_case(case):
    # The register meets the threshold: ten G sessions in the week of 14 September 2026.
    factories.add_marks(case.pupil, dt.date(2026, 9, 14), ["G"] * 10)
    # Test set-up: the ladder's own tests walk a case to this stage; these start there.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def grandmother(pupil):
    """A third parent (care of the child) with no notice in preparation, for drafting afresh."""
    parent = factories.ParentFactory(school=pupil.school, forename="Rose", surname="Hughes", address="1 Elm Row")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="grandmother",
                                          parental_responsibility=False, lives_with_pupil=True)
    return parent


@pytest.fixture
def code(la, issuer):
    """The LA's code of conduct as ``issuer`` (a test's parameter) says, made before anything reads it."""
    if issuer is not NO_CODE:
        factories.CodeOfConductFactory(local_authority=la, pn_issued_by=issuer)


def _snapshot() -> list[tuple]:
    return list(PenaltyNotice.objects.order_by("pk").values_list(
        "pk", "state", "issued_on", "sequence", "amount_full", "reference", "parent_id", "created_by_id"
    ))


def _date(prefix: str, on: dt.date) -> dict:
    return {f"{prefix}_day": on.day, f"{prefix}_month": on.month, f"{prefix}_year": on.year}


# --- the services --------------------------------------------------------------------------------------------

STEPS = ["draft", "consult", "issue", "issue_with_letter"]
SCHOOL_ROLES = ["dsl", "attendance_officer", "headteacher", "senco"]


def _step(step, *, by, pn_case, parent, draft, consulted):
    if step == "draft":
        return penalty_notice_draft(case=pn_case, parent=parent, by=by, **OFFENCE)
    if step == "consult":
        return penalty_notice_consult_la(notice=draft, by=by)
    if step == "issue":
        return penalty_notice_issue(notice=consulted, by=by, issued_on=TODAY, posted=True)
    return penalty_notice_issue_with_letter(notice=consulted, by=by, issued_on=TODAY, posted=True)


@pytest.mark.parametrize("issuer", [NO_CODE, PenaltyNoticeIssuer.LA], ids=["no code", "code: the LA issues"])
@pytest.mark.parametrize("role", SCHOOL_ROLES)
@pytest.mark.parametrize("step", STEPS)
def test_no_school_user_drafts_consults_or_issues_when_the_la_issues(
    code, request, la, pn_case, mother, father, grandmother, la_officer, issuer, role, step
):
    draft = penalty_notice_draft(case=pn_case, parent=mother, by=la_officer, **OFFENCE)
    consulted = penalty_notice_consult_la(
        notice=penalty_notice_draft(case=pn_case, parent=father, by=la_officer, **OFFENCE), by=la_officer
    )
    by = request.getfixturevalue(role)
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        _step(step, by=by, pn_case=pn_case, parent=grandmother, draft=draft, consulted=consulted)
    if role in ("dsl", "attendance_officer"):  # the others may not touch notices at all, whoever issues
        assert isinstance(refused.value, LocalAuthorityIssues)
        assert LA_ISSUES in str(refused.value) and "Request a penalty notice" in str(refused.value)
    assert _snapshot() == before


@pytest.mark.parametrize("issuer", ISSUERS, ids=["no code", "code: the LA issues", "code: the school issues"])
def test_the_la_officer_drafts_consults_and_issues_whoever_the_code_names(code, pn_case, mother, la_officer, issuer):
    notice = penalty_notice_draft(case=pn_case, parent=mother, by=la_officer, **OFFENCE)
    penalty_notice_consult_la(notice=notice, by=la_officer)
    issued = penalty_notice_issue(notice=notice, by=la_officer, issued_on=TODAY, posted=True)
    assert (issued.state, issued.sequence, issued.amount_full) == (PenaltyNoticeState.ISSUED, 1, 160)


@pytest.mark.parametrize("issuer", [PenaltyNoticeIssuer.SCHOOL])
@pytest.mark.parametrize("role", ["dsl", "attendance_officer"])
def test_the_school_drafts_consults_and_issues_when_the_code_leaves_it_to_the_school(
    code, request, pn_case, mother, role, issuer
):
    by = request.getfixturevalue(role)
    notice = penalty_notice_draft(case=pn_case, parent=mother, by=by, **OFFENCE)
    penalty_notice_consult_la(notice=notice, by=by)
    issued = penalty_notice_issue(notice=notice, by=by, issued_on=TODAY, posted=True)
    assert (issued.state, issued.created_by, issued.sequence) == (PenaltyNoticeState.ISSUED, by, 1)


def test_a_second_notice_is_refused_to_the_school_too(pn_case, mother, dsl, la_officer):
    """The finding: after the LA issued a parent's first notice, the DSL drafted and issued the second."""
    first = penalty_notice_draft(case=pn_case, parent=mother, by=la_officer, **OFFENCE)
    penalty_notice_consult_la(notice=first, by=la_officer)
    penalty_notice_issue(notice=first, by=la_officer, issued_on=dt.date(2026, 10, 1), posted=True)
    with pytest.raises(LocalAuthorityIssues):
        penalty_notice_draft(case=pn_case, parent=mother, by=dsl, offence_from=dt.date(2026, 11, 2),
                             offence_to=dt.date(2026, 11, 6))
    assert PenaltyNotice.objects.filter(parent=mother).count() == 1


# --- every page that reaches a notice: the walk --------------------------------------------------------------


def _names(module) -> list[str]:
    return [f"{module.app_name}:{p.name}" for p in module.urlpatterns if isinstance(p, URLPattern)]


ROUTES = _names(penalty_urls) + _names(request_urls)
# The school's pages that would make, consult on or issue a notice: under the LA's code they send the DSL to
# the request. Every other route either is not the school's (403/404) or does not write a notice.
STEERED = {"penalty_notices:draft", "penalty_notices:consult_la", "penalty_notices:issue"}
# The school may still withdraw a notice it has not issued (its own draft from before the code changed).
WITHDRAWS = {"penalty_notices:school_withdraw"}


def test_the_walk_covers_the_notice_and_request_routes():
    assert set(ROUTES) >= STEERED | WITHDRAWS
    assert {"pn_requests:new", "pn_requests:la_decide", "penalty_notices:la_notice"} <= set(ROUTES)


@pytest.fixture
def walk(code, la, pn_case, mother, father, grandmother, la_officer, dsl, headteacher):
    """A draft and a consulted notice (both the LA officer's), a request with the LA, and each route's URL for
    them, with form data any of the routes would accept."""
    draft = penalty_notice_draft(case=pn_case, parent=mother, by=la_officer, **OFFENCE)
    consulted = penalty_notice_consult_la(
        notice=penalty_notice_draft(case=pn_case, parent=father, by=la_officer, **OFFENCE), by=la_officer
    )
    PenaltyNoticeConsideration.objects.create(
        case=pn_case, recorded_at=timezone.now(), recorded_by=dsl, threshold_first_met=dt.date(2026, 10, 9),
        why_penalty_notice_is_the_best_tool="Support was refused", alternatives_considered="NTI already issued",
        equality_act_consideration="No SEND",
        authorised_by=headteacher, authorised_at=timezone.now(),
    )
    pn_request = pn_request_start(case=pn_case, by=dsl, parents=[grandmother], reason="Please issue")
    ids = {"case_pk": pn_case.pk, "code": la.code, "task_pk": 1}

    def url(name: str) -> str:
        namespace, _, short = name.partition(":")
        module = penalty_urls if namespace == penalty_urls.app_name else request_urls
        [pattern] = [p for p in module.urlpatterns if isinstance(p, URLPattern) and p.name == short]
        pk = (pn_request if module is request_urls else draft if short in ("consult_la", "school_withdraw")
              else consulted).pk
        return reverse(name, kwargs={key: ids.get(key, pk) for key in pattern.pattern.converters})

    data = {
        "parent": str(grandmother.pk), **_date("from", OFFENCE["offence_from"]), **_date("to", OFFENCE["offence_to"]),
        "consult-confirmed": "on", **_date("issued", TODAY), "posted": "yes", "terms_on": TODAY.isoformat(), "confirm": "yes",
        "parents": [str(grandmother.pk)], "reason": "Threshold met and support declined", "decision": "approve",
        "reasons": "Approved", "ground": "other", "details": "Drafted in error",
    }
    return url, data


@pytest.mark.parametrize("issuer", [NO_CODE, PenaltyNoticeIssuer.LA], ids=["no code", "code: the LA issues"])
@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_route_lets_the_dsl_make_or_issue_a_notice_when_the_la_issues(
    client, dsl, pn_case, walk, issuer, name, method
):
    url, data = walk
    client.force_login(dsl)
    before = _snapshot()
    response = getattr(client, method)(url(name), data if method == "post" else None)
    after = _snapshot()
    if name in STEERED and response.status_code != 405:  # 405: a POST-only route asked with GET, nothing ran
        assert response.status_code == 302
        assert response.url == reverse("pn_requests:new", kwargs={"case_pk": pn_case.pk})
        [message] = [str(m) for m in get_messages(response.wsgi_request)]
        assert LA_ISSUES in message and "Request a penalty notice" in message
    if name in WITHDRAWS:
        # Only ever to withdrawn: never created, consulted or issued.
        assert [row[:1] + row[2:] for row in after] == [row[:1] + row[2:] for row in before]
        assert all(a[1] == b[1] or a[1] == PenaltyNoticeState.WITHDRAWN for a, b in zip(after, before, strict=True))
    else:
        assert after == before, f"{method.upper()} {name} changed a penalty notice"


@pytest.mark.parametrize("issuer", [PenaltyNoticeIssuer.SCHOOL])
@pytest.mark.parametrize(("name", "expect"), [
    ("penalty_notices:draft", "a new draft to the grandmother"),
    ("penalty_notices:consult_la", "the draft consulted"),
    ("penalty_notices:issue", "the consulted notice issued"),
])
def test_the_same_pages_work_for_the_school_when_the_code_leaves_issuing_to_it(
    client, dsl, pn_case, walk, issuer, name, expect
):
    url, data = walk
    client.force_login(dsl)
    response = client.post(url(name), data)
    assert response.status_code == 302 and "penalty-notice-requests" not in response.url
    states = {n.parent.forename: n.state for n in PenaltyNotice.objects.select_related("parent")}
    assert states == {
        "a new draft to the grandmother": {"Jane": "draft", "Mark": "la_consulted", "Rose": "draft"},
        "the draft consulted": {"Jane": "la_consulted", "Mark": "la_consulted"},
        "the consulted notice issued": {"Jane": "draft", "Mark": "issued"},
    }[expect]


# --- what the pages show -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("issuer", "drafts", "pointer"), [
    (NO_CODE, False, True),
    (PenaltyNoticeIssuer.LA, False, True),
    (PenaltyNoticeIssuer.SCHOOL, True, False),
], ids=["no code", "code: the LA issues", "code: the school issues"])
def test_the_case_page_offers_drafting_only_when_the_school_issues(
    code, client, dsl, pn_case, mother, issuer, drafts, pointer
):
    client.force_login(dsl)
    page = client.get(reverse("case_notices", kwargs={"pk": pn_case.pk})).content.decode()
    draft_url = reverse("penalty_notices:draft", kwargs={"case_pk": pn_case.pk})
    assert (draft_url in page) is drafts
    assert ('data-testid="pn-la-issues"' in page) is pointer
    # The request stays open to the school either way, from the ladder box of the overview (its one entry).
    overview = client.get(reverse("case_detail", kwargs={"pk": pn_case.pk})).content.decode()
    assert 'data-testid="step-request_penalty_notice"' in overview


@pytest.mark.parametrize(("issuer", "school_acts"), [
    (NO_CODE, False), (PenaltyNoticeIssuer.LA, False), (PenaltyNoticeIssuer.SCHOOL, True),
], ids=["no code", "code: the LA issues", "code: the school issues"])
def test_a_notice_in_preparation_offers_consulting_and_issuing_only_when_the_school_issues(
    code, client, dsl, la_officer, pn_case, mother, father, issuer, school_acts
):
    draft = penalty_notice_draft(case=pn_case, parent=mother, by=la_officer, **OFFENCE)
    consulted = penalty_notice_consult_la(
        notice=penalty_notice_draft(case=pn_case, parent=father, by=la_officer, **OFFENCE), by=la_officer
    )
    client.force_login(dsl)
    for notice, action in [(draft, "consult_la"), (consulted, "issue")]:
        page = client.get(reverse("penalty_notices:case_notice", kwargs={"case_pk": pn_case.pk, "pk": notice.pk}))
        action_url = reverse(f"penalty_notices:{action}", kwargs={"case_pk": pn_case.pk, "pk": notice.pk})
        assert (action_url in page.content.decode()) is school_acts
        assert ('data-testid="pn-la-issues"' in page.content.decode()) is not school_acts
