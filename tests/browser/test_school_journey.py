"""A school's attendance lead signs in, finds the persistent absentees, and opens one pupil's record."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FEATURED_UPN, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dsl_filters_to_persistent_absentees_and_opens_a_pupils_register(live_server, page, shoot, demo_school):
    sign_in(page, live_server, "dsl")
    expect(page).to_have_url(re.compile(r"/schools/123456/caseload/$"))  # the DSL's start page
    page.get_by_role("link", name="Pupils", exact=True).click()

    expect(page).to_have_url(re.compile(r"/schools/123456/pupils/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Sarah Whitfield")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Meadow Lane Primary School")
    expect(page.get_by_test_id("stat-on-roll")).to_have_text("56")
    # The compiled GOV.UK styles are served: the header is the black generic header, not unstyled text.
    header_background = page.locator(".govuk-generic-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_background == "rgb(11, 12, 12)"
    shoot(page, "1-workspace")

    page.get_by_label("Persistent absence").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"flag=persistent"))
    expect(page.get_by_test_id("result-count")).to_contain_text("matching the filters")
    rows = page.get_by_test_id("pupil-table").locator("tbody tr")
    assert rows.count() > 0
    for i in range(rows.count()):
        expect(rows.nth(i).locator(".govuk-tag", has_text=re.compile("Persistent absence|Severe absence"))).to_have_count(1)
    shoot(page, "2-workspace-persistent")

    page.get_by_role("link", name="Hughes, Amelia").click()
    expect(page).to_have_url(re.compile(rf"/pupils/{FEATURED_UPN}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    expect(page.get_by_test_id("pupil-details")).to_contain_text(FEATURED_UPN)

    chart = page.get_by_test_id("weekly-chart")
    expect(chart).to_be_visible()
    assert chart.evaluate("el => el.tagName.toLowerCase()") == "svg"
    assert chart.locator("rect.app-chart__bar").count() > 5
    expect(chart.locator("line.app-chart__threshold")).to_have_count(1)

    grid = page.get_by_test_id("register-grid")
    expect(grid).to_be_visible()
    amended = grid.locator("td.app-register__amended")
    expect(amended).to_have_count(1)
    expect(amended).to_have_attribute("data-code", "G")
    expect(amended).to_have_class(re.compile("app-code--unauthorised"))
    expect(grid.locator("td[data-code='/']").first).to_have_class(re.compile("app-code--present"))
    expect(page.get_by_test_id("amendments")).to_contain_text("Kiran Patel")
    expect(page.get_by_test_id("parents")).to_contain_text("Rachel Hughes")
    shoot(page, "3-pupil")


def test_dsl_marks_an_alert_as_dealt_with(live_server, page, shoot, demo_school):
    sign_in(page, live_server, "dsl")
    page.get_by_role("link", name="Alerts", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open alerts")
    before = int(page.get_by_test_id("result-count").inner_text().split()[0].replace(",", ""))
    assert before > 0
    shoot(page, "4-alerts", full_page=False)
    first = page.get_by_test_id("alert-table").locator("tbody tr").first
    alert_id = first.get_attribute("data-alert")
    first.get_by_role("button", name=re.compile("Mark as dealt with")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("marked as dealt with")
    expect(page.get_by_test_id("result-count")).to_have_text(f"{before - 1} alerts match")
    expect(page.locator(f"tr[data-alert='{alert_id}']")).to_have_count(0)
