"""A contact with the family recorded as a record: the DSL records this morning's phone call to the mother.

She types tomorrow's date first (the error summary takes the focus, her answers are kept, nothing is saved),
corrects it, and finds the call in the case page's contacts and on its chronology.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import Case, CaseEvent, EventKind
from cases.services import case_open
from meetings.models import Contact, ContactMethod, ContactOutcome
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def clock():
    """2pm on the next Wednesday after the real date (Chromium keeps its own clock for the session cookie)."""
    today = datetime.now(LONDON).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    with time_machine.travel(datetime.combine(wednesday, time(14), LONDON), tick=True) as traveller:
        yield traveller


def _fill_date(group, on: date) -> None:
    group.get_by_label("Day").fill(str(on.day))
    group.get_by_label("Month").fill(str(on.month))
    group.get_by_label("Year").fill(str(on.year))


def test_dsl_records_a_phone_call_to_the_mother_after_a_date_in_the_future_is_refused(
    clock, live_server, page, shoot, demo_school
):
    today, dsl, pupil = demo_school["today"], demo_school["dsl"], demo_school["featured"]
    case = case_open(pupil=pupil, by=dsl, reason="Persistent absence: Mondays and Fridays")
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at - timedelta(days=14))

    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/cases/{case.pk}/chronology/")
    contacts = page.get_by_test_id("contacts")
    expect(contacts).to_contain_text("No contact with the family is recorded on this case yet.")
    contacts.get_by_role("link", name="Record a contact").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact with the family")
    page.get_by_role("group", name="How was the contact made?").get_by_label("Phone call").check()
    _fill_date(page.get_by_role("group", name="Date of the contact"), today + timedelta(days=1))
    page.get_by_label("Time", exact=True).fill("9:20am")
    who = page.get_by_role("group", name="Who was the contact with?")
    # Someone else reveals their name and role; the mother is the one called.
    expect(page.get_by_label("Their name")).to_be_hidden()
    who.get_by_label("Someone else").check()
    expect(page.get_by_label("Their name")).to_be_visible()
    who.get_by_label("Rachel Hughes (mother)").check()
    expect(page.get_by_label("Their name")).to_be_hidden()
    page.get_by_role("group", name="What came of it?").get_by_label("Spoke with them").check()
    summary_text = "Amelia has a sore throat; Rachel will bring a note from the GP."
    page.get_by_label("What was said or done (optional)").fill(summary_text)
    page.get_by_label("Follow-up (optional)").fill("Check Amelia is back on Friday")
    shoot(page, "contact-1-form")
    page.get_by_role("button", name="Record the contact").click()

    # The mistake: tomorrow's date. The summary takes the focus and links to the day box; nothing is saved.
    error_summary = page.locator(".govuk-error-summary")
    expect(error_summary).to_be_focused()
    link = error_summary.get_by_role("link", name="The date of the contact must be today or in the past")
    expect(link).to_have_attribute("href", "#id_date_day")
    expect(page).to_have_title("Error: Record a contact with the family – Amelia Hughes – Attendance casework")
    expect(page.get_by_label("Time", exact=True)).to_have_value("9:20am")
    expect(page.get_by_role("group", name="How was the contact made?").get_by_label("Phone call")).to_be_checked()
    expect(who.get_by_label("Rachel Hughes (mother)")).to_be_checked()
    expect(page.get_by_label("What was said or done (optional)")).to_have_value(summary_text)
    shoot(page, "contact-2-error")
    assert not Contact.objects.exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.CONTACT).exists()

    link.click()
    expect(page.locator("#id_date_day")).to_be_focused()
    _fill_date(page.get_by_role("group", name="Date of the contact"), today)
    page.get_by_role("button", name="Record the contact").click()

    # On the case page: the success banner, the contacts table and the chronology's line.
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Contact recorded: Phone call with Rachel Hughes (mother): spoke with them")
    row = page.get_by_test_id("contacts-table").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text(f"{_long(today)}, 9:20am")
    expect(row.locator("td").nth(1)).to_have_text("Phone call")
    expect(row.locator("td").nth(2)).to_have_text("Rachel Hughes (mother)")
    expect(row.locator("td").nth(3)).to_contain_text("Spoke with them")
    expect(row.locator("td").nth(3)).to_contain_text(summary_text)
    expect(row.locator("td").nth(4)).to_have_text("Check Amelia is back on Friday")
    entry = page.get_by_test_id("chronology").locator("li", has_text="Phone call with Rachel Hughes")
    expect(entry.locator("h3")).to_have_text("Phone call with Rachel Hughes (mother): spoke with them")
    expect(entry).to_contain_text(summary_text)
    shoot(page, "contact-3-case-page")
    contact = Contact.objects.get()
    assert (contact.method, contact.outcome, contact.made_by, contact.case) == (
        ContactMethod.PHONE, ContactOutcome.SPOKE, dsl, case)
    assert contact.made_at == datetime.combine(today, time(9, 20), LONDON)
