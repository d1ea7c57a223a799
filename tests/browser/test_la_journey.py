"""An LA attendance officer signs in and compares the schools of their authority."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FEATURED_UPN, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_la_officer_sees_the_schools_overview_but_no_pupil_record(live_server, page, shoot, demo_school):
    sign_in(page, live_server, "la_officer")

    expect(page).to_have_url(re.compile(r"/la/873/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools overview")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Fenshire County Council")
    table = page.get_by_test_id("school-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tr[data-urn='123456'] td").first).to_have_text("56")
    expect(table.locator("tr[data-urn='654321'] td").first).to_have_text("8")
    shoot(page, "5-la-overview")

    response = page.goto(f"{live_server.url}/pupils/{FEATURED_UPN}/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    shoot(page, "6-forbidden")
