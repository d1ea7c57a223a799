"""A penalty notice request from the school to the LA: the DSL asks for notices to both parents, the LA officer
takes the request and asks for more information, the DSL answers, the same officer approves, and a notice is
issued to each parent."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseState, Mark, PenaltyNoticeConsideration, Role
from cases.services import case_open
from notices.models import PenaltyNotice, PenaltyNoticeState
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_school_requests_notices_la_asks_more_the_school_answers_and_the_la_approves(
    live_server, page, shoot, demo_school
):
    pupil, dsl = demo_school["featured"], demo_school["dsl"]
    # Test set-up: the pupil's latest 12 sessions unauthorised, so the threshold is certainly met.
    latest = list(Mark.objects.filter(pupil=pupil).order_by("-date", "-session").values_list("pk", flat=True)[:12])
    Mark.objects.filter(pk__in=latest).update(code="O")
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met; support refused")
    # The ladder's journey walks a case up step by step; this one starts at the stage.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    head = factories.UserFactory(username="head", first_name="Helen", last_name="Marsh")
    factories.StaffProfileFactory(user=head, role=Role.HEADTEACHER, position="Headteacher", school=demo_school["school"])
    PenaltyNoticeConsideration.objects.create(
        case=case, recorded_at=timezone.now(), recorded_by=dsl, threshold_first_met=timezone.localdate(),
        why_penalty_notice_is_the_best_tool="Support offered and refused", alternatives_considered="NTI ended",
        equality_act_consideration="No SEND", authorised_by=head, authorised_at=timezone.now(),
    )

    # The DSL asks the LA from the case page.
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    # The one "Request a penalty notice": in the ladder box, resting on the headteacher's authority.
    step = page.get_by_test_id("step-request_penalty_notice")
    expect(step).to_contain_text("authorised by the headteacher")
    step.get_by_role("button", name="Request a penalty notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request penalty notices")
    page.get_by_label(re.compile("Rachel Hughes")).check()
    page.get_by_label(re.compile("Daniel Hughes")).check()
    page.get_by_label("What are you asking the local authority, and why?").fill(
        "Please issue penalty notices to both parents: 12 unauthorised sessions."
    )
    shoot(page, "pnr-1-request", full_page=False)
    page.get_by_role("button", name="Request penalty notices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you request penalty notices")
    expect(page.get_by_test_id("confirm-consequences")).to_contain_text("Fenshire County Council")
    page.get_by_role("button", name="Confirm and send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Penalty notice request")
    expect(page.get_by_test_id("pn-request-status")).to_contain_text("Waiting for the local authority")
    _sign_out(page)

    # The LA officer takes it from the team's queue and asks for more information.
    sign_in(page, live_server, "la_officer")
    page.get_by_role("link", name="Requests", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Penalty notice requests")
    queue = page.get_by_test_id("team-queue")
    expect(queue).to_contain_text("Amelia Hughes")
    shoot(page, "pnr-2-inbox")
    queue.get_by_role("button", name=re.compile("Assign to me")).click()
    expect(page.get_by_test_id("pn-request-status")).to_contain_text("With Fiona Hargreaves")
    expect(page.get_by_test_id("pn-request-holds")).to_contain_text("Threshold met")
    expect(page.get_by_test_id("pn-terms").first).to_contain_text("First penalty notice")
    page.get_by_label("Ask the school for more information").check()
    page.get_by_label("Reasons, or the information the school should give").fill("Were the absences agreed by either parent?")
    shoot(page, "pnr-3-decision")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("pn-request-status")).to_contain_text("More information asked")
    _sign_out(page)

    # The DSL answers.
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/cases/{case.pk}/notices/")
    page.get_by_test_id("pn-requests").get_by_role("link", name=re.compile("Request of")).click()
    expect(page.get_by_test_id("pn-request-exchanges")).to_contain_text("Were the absences agreed by either parent?")
    page.get_by_label("Your answer to the local authority").fill("No: both parents were told leave was refused.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_test_id("pn-request-status")).to_contain_text("With Fiona Hargreaves")
    _sign_out(page)

    # Back with the same officer, who approves.
    sign_in(page, live_server, "la_officer")
    page.goto(f"{live_server.url}/la/873/requests/")
    page.get_by_test_id("my-requests").get_by_role("link", name="Amelia Hughes").click()
    expect(page.get_by_test_id("pn-request-exchanges")).to_contain_text("both parents were told leave was refused")
    page.get_by_label("Approve: issue the penalty notices").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("pn-request-status")).to_contain_text("Approved")
    expect(page.get_by_test_id("pn-request-notices")).to_contain_text("Rachel Hughes")
    expect(page.get_by_test_id("pn-request-notices")).to_contain_text("Daniel Hughes")
    shoot(page, "pnr-4-approved")

    notices = PenaltyNotice.objects.filter(case=case)
    assert sorted(n.parent.forename for n in notices) == ["Daniel", "Rachel"]
    assert {n.state for n in notices} == {PenaltyNoticeState.ISSUED}
