"""The DSL works the lists: the caseload filtered by stage from its tile and exported, then two alerts dealt with
at once, after a first try with none selected."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from cases.models import Alert, Case, CaseState
from cases.services import case_hold, case_open
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dsl_filters_the_caseload_by_stage_exports_it_and_deals_with_two_alerts(live_server, page, shoot,
                                                                               demo_school):
    dsl = demo_school["dsl"]
    with_alerts = list(dict.fromkeys(Alert.objects.filter(school=demo_school["school"]).order_by("pk")
                                      .values_list("pupil", flat=True)))
    opened = [case_open(pupil=pupil, by=dsl, reason="Persistent absence")
              for pupil in demo_school["school"].pupils.filter(pk__in=with_alerts[:3]).order_by("pk")]
    held = case_hold(case=opened[0], by=dsl, reason="Admitted to hospital")

    sign_in(page, live_server, "dsl")
    expect(page).to_have_url(re.compile(r"/schools/123456/caseload/$"))
    expect(page.get_by_test_id("result-count")).to_have_text("3 cases match")

    # The "On hold" tile is a link to the caseload filtered by that stage.
    page.get_by_test_id("stage-counts").get_by_role("link", name=re.compile("On hold")).click()
    expect(page).to_have_url(re.compile(r"/caseload/\?stage=on_hold$"))
    expect(page.get_by_test_id("filters").get_by_label("Stage")).to_have_value("on_hold")
    expect(page.get_by_test_id("result-count")).to_have_text("1 case matches the filters")
    rows = page.get_by_test_id("case-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(held.pupil.surname)
    expect(rows.first.get_by_test_id("owner")).to_have_text("Sarah Whitfield")
    shoot(page, "lists-1-caseload-on-hold")

    # The CSV holds what the filter shows.
    with page.expect_download() as download:
        page.get_by_test_id("csv-link").click()
    body = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115 - read once, closed by exit
    exported = list(csv.DictReader(io.StringIO(body)))
    assert [(row["upn"], row["stage"]) for row in exported] == [(held.pupil.upn, "On hold")]

    # Alerts: choose an action but no alert: the error says so, and nothing happens.
    page.get_by_role("link", name="Alerts", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open alerts")
    before = Alert.objects.filter(school=demo_school["school"], resolved_at__isnull=True).count()
    page.get_by_label("Mark as dealt with").check()
    page.get_by_role("button", name="Continue with the selected alerts").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select at least one alert")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Mark as dealt with")).to_be_checked()  # the answer is kept
    assert Alert.objects.filter(school=demo_school["school"], resolved_at__isnull=True).count() == before
    shoot(page, "lists-2-alerts-error")

    # "Select all" is there when scripts run; it ticks and unticks the page's rows.
    select_all = page.get_by_label("Select all on this page")
    select_all.check()
    boxes = page.get_by_test_id("alert-table").locator("tbody input[type=checkbox]")
    assert boxes.count() > 2 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    select_all.uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))

    # Two alerts chosen, each by its own labelled checkbox; a confirmation page first, then done.
    table = page.get_by_test_id("alert-table")
    chosen = [table.locator("tbody tr").nth(i).get_attribute("data-alert") for i in (0, 1)]
    for pk in chosen:
        page.locator(f"#alert-{pk}").check()
    page.get_by_role("button", name="Continue with the selected alerts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you mark alerts as dealt with")
    expect(page.get_by_test_id("confirm-table").locator("tbody tr")).to_have_count(2)
    assert Alert.objects.filter(pk__in=chosen, resolved_at__isnull=True).count() == 2  # nothing done yet
    shoot(page, "lists-3-confirm")
    page.get_by_role("button", name=re.compile("^Confirm")).click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("2 alerts marked as dealt with")
    expect(page.get_by_test_id("result-count")).to_have_text(f"{before - 2} alerts match")
    for pk in chosen:
        expect(page.locator(f"tr[data-alert='{pk}']")).to_have_count(0)
    assert Alert.objects.filter(pk__in=chosen, resolved_by=dsl).count() == 2
    assert Case.objects.filter(state=CaseState.ON_HOLD).count() == 1
    shoot(page, "lists-4-alerts-done")


def test_dsl_gives_a_case_to_the_attendance_officer(live_server, page, shoot, demo_school):
    from cases.models import CaseEvent, EventKind, Role
    from tests import factories

    dsl = demo_school["dsl"]
    officer = factories.UserFactory(username="attendance", first_name="Kiran", last_name="Patel")
    factories.StaffProfileFactory(user=officer, role=Role.ATTENDANCE_OFFICER, position="Attendance Officer",
                                  school=demo_school["school"])
    case = case_open(pupil=demo_school["featured"], by=dsl, reason="Persistent absence")

    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    owner = page.get_by_test_id("case-owner")
    expect(owner).to_contain_text("Sarah Whitfield")
    owner.get_by_role("link", name=re.compile("Change")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change who owns the case")

    # The mistake: no one chosen.
    page.get_by_label("Who owns this case?").select_option("")
    page.get_by_role("button", name="Save the owner").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose who owns this case")
    summary.get_by_role("link", name="Choose who owns this case").click()
    expect(page.get_by_label("Who owns this case?")).to_be_focused()
    case.refresh_from_db()
    assert case.owner == dsl
    shoot(page, "lists-5-owner-error")

    page.get_by_label("Who owns this case?").select_option(label="Kiran Patel (Attendance Officer)")
    page.get_by_role("button", name="Save the owner").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Kiran Patel now owns this case")
    expect(page.get_by_test_id("case-owner")).to_contain_text("Kiran Patel, Attendance Officer")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.OWNER, by=dsl).count() == 1

    # The caseload shows and filters by the new owner.
    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_test_id("filters").get_by_label("Case owner").select_option(label="Kiran Patel (Attendance Officer)")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 case matches the filters")
    expect(page.get_by_test_id("case-table").get_by_test_id("owner")).to_have_text("Kiran Patel")
