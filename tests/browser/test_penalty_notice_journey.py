"""A penalty notice from the school to the LA, where the LA's code of conduct leaves issuing to the school: the DSL
drafts it, checks with the LA and issues it with the terms in view; the LA officer finds it in their list and
records the payment at the reduced rate. (Where the LA issues, the school requests: test_pn_request_journey.)"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseState, CodeOfConduct, PenaltyNoticeIssuer
from cases.services import case_open
from notices.models import Letter, PenaltyNotice, PenaltyNoticeState
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(page, prefix: str, on) -> None:
    page.locator(f"#id_{prefix}_day").fill(str(on.day))
    page.locator(f"#id_{prefix}_month").fill(str(on.month))
    page.locator(f"#id_{prefix}_year").fill(str(on.year))


def test_dsl_issues_a_penalty_notice_and_the_la_records_the_reduced_payment(live_server, page, shoot, demo_school):
    today = demo_school["today"]
    CodeOfConduct.objects.filter(local_authority=demo_school["la"]).update(pn_issued_by=PenaltyNoticeIssuer.SCHOOL)
    case = case_open(pupil=demo_school["featured"], by=demo_school["dsl"], reason="Threshold met; support refused")
    # Test set-up: the ladder's journey walks a case up step by step; this one starts at the stage.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)

    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/cases/{case.pk}/notices/")
    section = page.get_by_test_id("penalty-notices")
    expect(section).to_contain_text("No penalty notices.")
    section.scroll_into_view_if_needed()
    shoot(page, "pn-1-case-section", full_page=False)
    section.get_by_role("button", name="Draft a penalty notice to Rachel Hughes").click()

    # The draft page: each liable parent's terms before anything is saved, Rachel already chosen.
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft a penalty notice")
    expect(page.get_by_test_id("pn-terms").first).to_contain_text("£80.00 if paid within 21 days")
    expect(page.get_by_label(re.compile("Rachel Hughes"))).to_be_checked()
    if not page.locator("#id_from_day").input_value():
        _fill_date(page, "from", today - timedelta(days=21))
        _fill_date(page, "to", today - timedelta(days=7))
    shoot(page, "pn-2-draft")
    page.get_by_role("button", name="Save the draft notice").click()

    # The notice page: a draft, the LA to consult first.
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("drafted")
    expect(page.get_by_test_id("pn-state")).to_have_text("Draft")
    page.get_by_label("I have checked with the local authority before issuing this notice").check()
    shoot(page, "pn-3-draft-notice")
    page.get_by_role("button", name="Record that the LA was consulted").click()
    expect(page.get_by_test_id("pn-state")).to_have_text("LA consulted")

    # Issue: the terms first, then the date and how it is given.
    page.get_by_role("button", name="Issue the notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Issue the penalty notice to Rachel Hughes")
    expect(page.get_by_test_id("pn-sequence")).to_contain_text("First penalty notice")
    expect(page.get_by_test_id("pn-counted")).to_contain_text("None in the 3 years")
    page.get_by_label("In person (handed to the parent)").check()
    shoot(page, "pn-4-issue")
    page.get_by_role("button", name="Issue the notice and make the letter").click()
    # The confirmation: what issuing does, with the amounts; nothing issued until confirmed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you issue the penalty notice")
    expect(page.get_by_test_id("confirm-consequences")).to_contain_text("£80.00 if paid within 21 days")
    assert PenaltyNotice.objects.get().state == PenaltyNoticeState.LA_CONSULTED
    page.get_by_role("button", name="Confirm and issue the notice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("issued to Rachel Hughes")
    expect(page.get_by_test_id("pn-state")).to_have_text("Issued")
    # Handed over today: today is day 1 of the 21, so the 21st day is today + 20.
    expect(page.get_by_test_id("pn-deadlines")).to_contain_text(f"£80.00 by {(today + timedelta(days=20)):%-d %B %Y}")
    expect(page.get_by_test_id("pn-letters")).to_contain_text("download PDF")
    shoot(page, "pn-5-issued")
    notice = PenaltyNotice.objects.get()
    assert Letter.objects.filter(subject_key=f"penalty_notice:{notice.pk}").count() == 1

    page.get_by_role("button", name="Sign out").click()

    # The LA officer: the notice in their list, then its page, then the payment.
    sign_in(page, live_server, "la_officer")
    page.get_by_role("link", name="Penalty notices", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Penalty notices")
    expect(page.get_by_test_id("no-tasks")).to_be_visible()
    row = page.get_by_test_id("pn-table").locator(f"tr[data-reference='{notice.reference}']")
    expect(row).to_contain_text("Rachel Hughes")
    expect(row).to_contain_text("Issued")
    shoot(page, "pn-6-la-list")
    row.get_by_role("link", name=notice.reference).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Penalty notice {notice.reference}")
    _fill_date(page, "payment-paid", today)
    page.get_by_label("Amount paid").fill("80")
    shoot(page, "pn-7-la-notice")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Payment of £80.00 recorded")
    expect(page.get_by_test_id("pn-state")).to_have_text("Paid at the reduced rate")
    expect(page.get_by_test_id("pn-paid")).to_contain_text("£80.00")
    shoot(page, "pn-8-paid")
    assert PenaltyNotice.objects.get().state == PenaltyNoticeState.PAID_REDUCED

    page.get_by_role("link", name="Penalty notices", exact=True).click()
    page.get_by_role("link", name="Register of penalty notices").click()
    expect(page.get_by_test_id("register-table")).to_contain_text(notice.reference)
    shoot(page, "pn-9-register")
