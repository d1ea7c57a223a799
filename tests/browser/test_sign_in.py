"""Signing in: a mistake is explained in a GOV.UK error summary; signing out ends the session."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import complete_second_factor, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wrong_password_shows_the_error_summary_then_signing_in_and_out_works(live_server, page, shoot, demo_school):
    sign_in(page, live_server, "dsl", password="not-the-password")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(summary).to_be_focused()  # GOV.UK Frontend's JavaScript ran (initAll) and moved focus to it
    expect(page).to_have_title(re.compile("^Error: Sign in"))
    shoot(page, "0-sign-in-error")

    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")  # a DSL's second step
    complete_second_factor(page, "dsl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")  # the DSL's start page

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Attendance casework")
