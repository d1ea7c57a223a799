"""A governor opens the school's attendance report, changes the year and downloads a table; a year typed into the
address that has no marks gets the error summary, not a server error; the LA officer opens the LA's report."""

from __future__ import annotations

import csv
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import rules
from cases.models import Pupil, Role, School
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_governor_reads_the_report_changes_the_year_and_downloads_a_table(live_server, page, shoot, demo_school):
    governor = factories.UserFactory(username="governor", first_name="Margaret", last_name="Osei")
    factories.StaffProfileFactory(user=governor, role=Role.GOVERNOR, position="Chair of Governors",
                                  school=School.objects.get(urn="123456"))
    this_year = rules.academic_year_start(timezone.localdate()).year

    sign_in(page, live_server, "governor")
    expect(page).to_have_url(re.compile(r"/schools/123456/figures/$"))
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_url(re.compile(r"/schools/123456/reports/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance report")
    expect(page.get_by_test_id("report-period")).to_contain_text(f"{this_year} to {this_year + 1}")
    chart = page.get_by_test_id("chart-groups")
    expect(chart).to_be_visible()
    assert chart.evaluate("el => el.tagName.toLowerCase()") == "svg"
    expect(page.get_by_test_id("table-groups").locator("tbody tr").first).to_contain_text("All pupils")
    # Figures only: no pupil's name, no link to a pupil or a case.
    content = page.content()
    for pupil in Pupil.objects.filter(school__urn="123456"):
        assert f"{pupil.forename} {pupil.surname}" not in content
    assert page.locator("a[href*='/pupils/'], a[href*='/cases/']").count() == 0
    shoot(page, "reports-1-governor-school-report")

    # Last year: the fixture's register starts in the previous summer term.
    page.get_by_label("Academic year").select_option(str(this_year - 1))
    page.get_by_role("button", name="Show the figures").click()
    expect(page).to_have_url(re.compile(rf"year={this_year - 1}"))
    expect(page.get_by_test_id("report-period")).to_contain_text(f"{this_year - 1} to {this_year}")
    expect(page.get_by_label("Academic year")).to_have_value(str(this_year - 1))
    shoot(page, "reports-2-governor-last-year")

    with page.expect_download() as download:
        page.get_by_test_id("csv-groups").click()
    assert download.value.suggested_filename == f"attendance-123456-{this_year - 1}-{this_year}-groups.csv"
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        header, first, *_ = list(csv.reader(file))
    assert header[:5] == ["group", "pupils", "possible_sessions", "attended_sessions", "attendance_pct"]
    assert first[0] == "All pupils"

    # The mistake: a year with no marks typed into the address.
    page.goto(f"{live_server.url}/schools/123456/reports/?year=1999")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend's script moves focus to the summary
    expect(summary).to_contain_text("There are no attendance marks for the academic year 1999 to 2000")
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link").click()
    expect(page.get_by_label("Academic year")).to_be_focused()
    expect(page.get_by_test_id("table-groups")).to_have_count(0)
    shoot(page, "reports-3-governor-no-such-year")


def test_la_officer_opens_the_las_report_and_a_schools(live_server, page, shoot, demo_school):
    sign_in(page, live_server, "la_officer")
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_url(re.compile(r"/la/873/reports/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance report")
    expect(page.get_by_test_id("table-caseload")).to_be_visible()
    expect(page.get_by_test_id("table-penalty-notices")).to_be_visible()
    shoot(page, "reports-4-la-report")
    page.get_by_test_id("table-schools").get_by_role("link", name="Meadow Lane Primary School").click()
    expect(page).to_have_url(re.compile(r"/schools/123456/reports/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance report")
    page.get_by_label("Pupils", exact=True).select_option(label="Looked after")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_test_id("suppressed-cohort")).to_contain_text("fewer than 5")
    shoot(page, "reports-5-la-school-report-small-group")
