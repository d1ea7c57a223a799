"""The case page in sections: the DSL walks the overview (with the ladder box), the chronology, meetings,
support, notices and documents, each its own page of a few screens; then closes the case, first without an
outcome (the error summary), then cancelling at the confirmation, then confirming."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseState, EventKind
from cases.services import case_note_add, case_open
from tests.browser.conftest import open_case_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = {
    "Overview": "actions",
    "Chronology": "chronology",
    "Meetings": "meetings",
    "Support": "support-plans",
    "Notices and referrals": "considerations",
    "Letters and documents": "evidence-bundle",
}
SCREEN = 900  # the journey's viewport height, in CSS pixels


def test_dsl_walks_the_case_sections_and_confirms_closing_the_case(live_server, page, shoot, demo_school):
    pupil, dsl = demo_school["featured"], demo_school["dsl"]
    case = case_open(pupil=pupil, by=dsl, reason="Persistent absence since September")
    case_note_add(case=case, by=dsl, kind=EventKind.NOTE, summary="Phoned mum about Monday mornings")
    page.set_viewport_size({"width": 1280, "height": SCREEN})

    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    nav = page.get_by_role("navigation", name="Sections of the case")
    expect(nav.get_by_role("link")).to_have_text(list(SECTIONS))

    for title, own in SECTIONS.items():
        open_case_section(page, title)
        expect(page).to_have_title(re.compile(f"^{title} – attendance case – Amelia Hughes"))
        expect(page.get_by_test_id(own)).to_be_visible()
        for other, theirs in SECTIONS.items():
            if other != title:
                expect(page.get_by_test_id(theirs)).to_have_count(0)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 5 * SCREEN, f"{title} is {height}px tall"
        shoot(page, f"sections-{list(SECTIONS).index(title) + 1}-{own}")
    open_case_section(page, "Chronology")
    expect(page.get_by_test_id("chronology")).to_contain_text("Phoned mum about Monday mornings")

    # The ladder box is on the overview: closing the case, first without choosing an outcome.
    open_case_section(page, "Overview")
    close = page.get_by_test_id("step-close")
    close.locator("summary").click()
    close.get_by_label(re.compile("Reason")).fill("Attendance back to 97% for six weeks")
    close.get_by_role("button", name="Close the case").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the outcome the case is closing with")
    expect(page).to_have_title(re.compile("^Error: Overview"))
    expect(page.get_by_test_id("step-close").get_by_label(re.compile("Reason"))).to_have_value(
        "Attendance back to 97% for six weeks")
    assert Case.objects.get(pk=case.pk).state == CaseState.CONCERN

    # With an outcome: the confirmation says what closing does; Cancel leaves the case open.
    close = page.get_by_test_id("step-close")
    close.get_by_label("Attendance improved").check()
    close.get_by_role("button", name="Close the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you close the case")
    expect(page.get_by_test_id("confirm-consequences")).to_contain_text(
        "The case closes at “Concern” with the outcome “Attendance improved”.")
    expect(page.get_by_test_id("confirm-answers")).to_contain_text("Attendance back to 97% for six weeks")
    shoot(page, "sections-7-confirm-close")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    expect(page.get_by_test_id("case-stage")).to_have_text("Concern")
    assert Case.objects.get(pk=case.pk).state == CaseState.CONCERN

    # Again, and confirmed.
    close = page.get_by_test_id("step-close")
    close.locator("summary").click()
    close.get_by_label("Attendance improved").check()
    close.get_by_label(re.compile("Reason")).fill("Attendance back to 97% for six weeks")
    close.get_by_role("button", name="Close the case").click()
    page.get_by_role("button", name="Confirm and close the case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case is now at “Closed”")
    expect(page.get_by_test_id("case-stage")).to_have_text("Closed")
    expect(page.get_by_test_id("actions")).to_have_count(0)
    assert Case.objects.get(pk=case.pk).state == CaseState.CLOSED
