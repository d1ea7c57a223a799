"""The DSL's casework journey: from an alert to a case, support first, then up the ladder step by step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseState
from tests.browser.conftest import FEATURED_UPN, open_case_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reason(page, transition: str, text: str) -> None:
    page.locator(f"#reason-{transition}").fill(text)


def test_dsl_opens_a_case_from_an_alert_and_climbs_the_ladder_with_evidence(live_server, page, shoot, demo_school):
    today = demo_school["today"]
    sign_in(page, live_server, "dsl")

    # The DSL starts on the caseload: no cases yet, alerts waiting.
    expect(page).to_have_url(re.compile(r"/schools/123456/caseload/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    expect(page.get_by_test_id("alerts-without-case")).to_contain_text("Hughes, Amelia")
    shoot(page, "case-1-caseload-empty")

    # Alerts → "Open a case" on one of Amelia's alerts.
    page.get_by_role("link", name="Alerts", exact=True).click()
    shoot(page, "case-1b-alerts", full_page=False)
    row = page.get_by_test_id("alert-table").locator("tbody tr", has_text="Hughes, Amelia").first
    detail = row.locator("td").nth(3).locator(".govuk-body-s").first.inner_text()
    row.get_by_role("button", name=re.compile("Open a case")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open an attendance case")
    expect(page.get_by_test_id("source-alert")).to_contain_text(detail)
    expect(page.get_by_label("Why are you opening a case?")).to_have_value(re.compile(re.escape(detail)))
    shoot(page, "case-2-open-form")
    page.get_by_label("Why are you opening a case?").fill(
        "Persistent absence since September, mostly Mondays. Mum says he is anxious about the bus."
    )
    page.get_by_role("button", name="Open case").click()

    # The case page: a concern, and targeted support not possible yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case opened for Amelia Hughes")
    expect(page.get_by_test_id("case-stage")).to_have_text("Concern")
    expect(page.get_by_test_id("case-summary")).to_contain_text(FEATURED_UPN)
    refused = page.get_by_test_id("not-possible-start_targeted_support")
    expect(refused).to_contain_text("Not possible yet because:")
    expect(refused).to_contain_text("Hold an attendance meeting with the parents, or agree a support plan")
    shoot(page, "case-3-concern")
    case = Case.objects.get(pupil=demo_school["featured"])
    # Test set-up: the case was opened a week ago, so a meeting held yesterday answers it (cases.facts
    # refuses a meeting held before its case was opened).
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at - timedelta(days=7))

    # Plan an attendance meeting (yesterday, so it can be recorded as held) through the meetings pages.
    open_case_section(page, "Meetings")
    page.get_by_role("link", name="Plan a meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a meeting")
    page.get_by_label("Attendance meeting", exact=True).check()
    held_on = today - timedelta(days=1)
    page.get_by_label("Day").fill(str(held_on.day))
    page.get_by_label("Month").fill(str(held_on.month))
    page.get_by_label("Year").fill(str(held_on.year))
    page.get_by_label("Time").fill("9:30am")
    page.get_by_label("Where").fill("Family room at school")
    page.get_by_label(re.compile("Rachel Hughes")).check()
    page.get_by_role("group", name=re.compile("invited\\?")).get_by_label("No").check()
    page.get_by_label("Create the invitation letters to the parents now").uncheck()
    page.get_by_role("button", name="Plan meeting").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("planned")
    meetings = page.get_by_test_id("meetings")
    expect(meetings).to_contain_text("Planned")

    meetings.get_by_role("link", name=re.compile("Record the meeting")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record the")
    page.get_by_role("group", name=re.compile("Did Rachel Hughes attend")).get_by_label("Yes").check()
    page.get_by_label("Barriers to attendance discussed").fill("Anxiety about the school bus; Monday mornings")
    page.get_by_role("button", name="Save the record").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    expect(page.get_by_test_id("meetings")).to_contain_text("Held")
    expect(page.get_by_test_id("meetings")).to_contain_text("Attended")

    # Agree a support plan through the interventions pages.
    open_case_section(page, "Support")
    page.get_by_role("link", name="New support plan").click()
    page.get_by_label("Barriers to attendance").fill("Anxiety about the school bus")
    page.get_by_label("Review date").fill((today + timedelta(days=42)).isoformat())
    page.locator("#id_actions-0-description").fill("Meet Amelia at the gate each Monday")
    page.locator("#id_actions-0-owner").fill("Learning mentor")
    page.locator("#id_actions-0-due_on").fill((today + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Support plan saved as a draft")
    page.get_by_role("link", name="Record that the family agreed it").click()
    page.get_by_role("button", name="Record agreement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("agreed with the family")
    expect(page.get_by_test_id("support-plans")).to_contain_text("Agreed with the family")

    # Targeted support is now possible, resting on the meeting and the plan.
    open_case_section(page, "Overview")
    step = page.get_by_test_id("step-start_targeted_support")
    expect(step).to_contain_text("Attendance meeting held on")
    expect(step).to_contain_text("Support plan agreed on")
    shoot(page, "case-4-targeted-support-possible")
    _reason(page, "start_targeted_support", "Meeting held with mum; support plan agreed")
    step.get_by_role("button", name="Move to targeted support").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Targeted support")
    expect(page.get_by_test_id("case-stage")).to_have_text("Targeted support")
    expect(page.get_by_test_id("not-possible-start_formal_support")).to_contain_text(
        "Offer the parents an attendance contract"
    )

    # Offer an attendance contract.
    open_case_section(page, "Support")
    page.get_by_role("link", name="New attendance contract").click()
    page.get_by_label(re.compile("Rachel Hughes")).check()
    page.get_by_label("What the school and the LA commit to").fill("A learning mentor at the gate on Mondays")
    page.get_by_label("What the parents commit to").fill("Amelia at school by 8:45 every day")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("Review date").fill((today + timedelta(days=28)).isoformat())
    page.get_by_role("button", name="Save draft contract").click()
    page.get_by_role("link", name="Offer the contract to the parents").click()
    page.get_by_role("button", name="Offer contract and make the letters").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Contract offered")
    page.get_by_role("link", name="Back to the case").click()
    expect(page.get_by_test_id("contracts")).to_contain_text("Offered to parents")

    # Formal support, resting on the contract offered.
    open_case_section(page, "Overview")
    step = page.get_by_test_id("step-start_formal_support")
    expect(step).to_contain_text("Attendance contract offered to parents")
    _reason(page, "start_formal_support", "Contract offered to mum")
    step.get_by_role("button", name="Move to formal support (attendance contract)").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("Formal support (attendance contract)")

    # The chronology tells the story, newest first.
    open_case_section(page, "Chronology")
    chronology = page.get_by_test_id("chronology")
    expect(chronology).to_contain_text("Targeted support → Formal support (attendance contract)")
    expect(chronology).to_contain_text("Concern → Targeted support")
    expect(chronology).to_contain_text("Case opened at the concern stage")
    expect(chronology).to_contain_text("Deputy Headteacher (Attendance Lead)")
    text = chronology.inner_text()
    assert text.index("Formal support (attendance contract)") < text.index("Concern → Targeted support") \
        < text.index("Case opened at the concern stage")
    kinds = chronology.locator("li[data-kind]").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert {"opened", "transition", "meeting", "support_plan", "contract"} <= set(kinds), kinds
    shoot(page, "case-5-formal-support")

    # Filter the chronology to the stage changes.
    page.get_by_label("Show").select_option("transition")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("chronology").locator("li[data-kind]")).to_have_count(2)

    case.refresh_from_db()
    assert case.state == CaseState.FORMAL_SUPPORT

    # Back on the caseload: one case at formal support.
    page.get_by_role("link", name="Caseload", exact=True).click()
    expect(page.get_by_test_id("stage-counts").locator("[data-stage='formal_support'] .app-stat__figure")).to_have_text("1")
    expect(page.get_by_test_id("case-table")).to_contain_text("Hughes, Amelia")
    expect(page.get_by_test_id("alerts-without-case")).not_to_contain_text("Hughes, Amelia")
    shoot(page, "case-6-caseload")
