"""My work: the headteacher lands on her page, opens a penalty notice request waiting for her, tries to decline it
without a reason (the error summary), declines it with one; the DSL reads the decline on her own page and marks
it as read."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import PenaltyNoticeConsideration, Role
from cases.services import case_open
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_declines_a_request_with_reasons_and_the_dsl_reads_it_on_her_page(
    live_server, page, shoot, demo_school
):
    pupil, dsl = demo_school["featured"], demo_school["dsl"]
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met; support refused")
    head = factories.UserFactory(username="head", first_name="Helen", last_name="Marsh")
    factories.StaffProfileFactory(user=head, role=Role.HEADTEACHER, position="Headteacher", school=demo_school["school"])
    consideration = PenaltyNoticeConsideration.objects.create(
        case=case, recorded_at=timezone.now(), recorded_by=dsl, threshold_first_met=timezone.localdate(),
        why_penalty_notice_is_the_best_tool="Support offered and refused", alternatives_considered="NTI considered",
        equality_act_consideration="No SEND",
    )

    # The headteacher lands on her page, with the count in the header.
    sign_in(page, live_server, "head")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_test_id("my-work-count")).to_have_text("1")
    waiting = page.get_by_test_id("my-work-pn_authorise")
    expect(waiting).to_contain_text("Amelia Hughes")
    shoot(page, "my-work-1-head")

    # Authorise asks first; she goes back and declines instead.
    waiting.get_by_role("link", name=re.compile("^Authorise")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to authorise this penalty notice request?")
    shoot(page, "my-work-2-confirm")
    page.get_by_role("link", name="Decline it with reasons instead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decline the penalty notice request")

    # The mistake: no reasons.
    page.get_by_role("button", name="Decline the request").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Give the reasons for declining")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    shoot(page, "my-work-3-decline-error")
    consideration.refresh_from_db()
    assert consideration.declined_at is None

    page.get_by_label("Why are you declining the penalty notice request?").fill(
        "A notice to improve has not been tried yet: issue one first.")
    page.get_by_role("button", name="Decline the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Penalty notice request declined")
    expect(page.get_by_test_id("my-work-count")).to_have_text("0")
    consideration.refresh_from_db()
    assert consideration.declined_by == head
    page.get_by_role("button", name="Sign out").click()

    # The DSL reads it on her own page and marks it as read.
    sign_in(page, live_server, "dsl")
    page.get_by_test_id("my-work-link").click()
    answers = page.get_by_test_id("my-work-pn_answers")
    expect(answers).to_contain_text("declined by the headteacher")
    expect(answers).to_contain_text("A notice to improve has not been tried yet")
    shoot(page, "my-work-4-dsl")
    answers.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(page.get_by_test_id("my-work-pn_answers")).not_to_contain_text("A notice to improve has not been tried")
