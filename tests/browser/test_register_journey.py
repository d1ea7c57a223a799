"""The school's attendance officer keeps the register straight: she amends a session from the pupil's register
(first forgetting the reason), finds the amendment on the register, then resolves two stale N codes of the school
in bulk through the confirmation page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases import rules
from cases.models import Mark, MarkAmendment, Pupil, Role
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(demo_school):
    user = factories.UserFactory(username="attendance", first_name="Kiran", last_name="Patel")
    factories.StaffProfileFactory(user=user, role=Role.ATTENDANCE_OFFICER, position="Attendance Officer",
                                  school=demo_school["school"])
    return user


def _school_days(pupil) -> list:
    return sorted(set(Mark.objects.filter(pupil=pupil).exclude(code=rules.CLOSURE_CODE)
                      .values_list("date", flat=True)))


def test_the_attendance_officer_amends_a_session_and_resolves_stale_n_codes_in_bulk(
        live_server, page, shoot, demo_school, officer):
    school, pupil = demo_school["school"], demo_school["featured"]
    days = _school_days(pupil)
    day = days[-3]
    before = Mark.objects.get(pupil=pupil, date=day, session=rules.AM).code
    new_code = "M" if before != "M" else "R"
    # Two pupils with an N left unresolved for more than five school days: the list offers them.
    stale_pupils = list(Pupil.objects.filter(school=school).exclude(pk=pupil.pk).order_by("upn")[:2])
    stale_day = days[-8]
    for other in stale_pupils:
        Mark.objects.filter(pupil=other, date=stale_day, session=rules.AM).update(code=rules.NOT_ESTABLISHED_CODE)
    amendments_before = MarkAmendment.objects.count()

    sign_in(page, live_server, "attendance")
    page.goto(f"{live_server.url}/pupils/{pupil.upn}/")
    page.locator(f"a.app-register__link[href$='date={day.isoformat()}&session=AM']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amend a session of the register")
    expect(page.get_by_test_id("current-mark")).to_contain_text(f": {before} (")
    expect(page.get_by_label("Date of the session")).to_have_value(day.isoformat())
    expect(page.get_by_label("AM (morning)")).to_be_checked()
    page.get_by_label("New code").select_option(new_code)

    # The mistake: no reason.
    page.get_by_role("button", name="Save the amendment").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the reason for the amendment")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("New code")).to_have_value(new_code)  # the answer is kept
    assert MarkAmendment.objects.count() == amendments_before
    assert Mark.objects.get(pupil=pupil, date=day, session=rules.AM).code == before
    shoot(page, "register-1-amend-error")

    page.get_by_label("Reason for the amendment").fill("Dentist's letter brought in by the mother")
    page.get_by_role("button", name="Save the amendment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"amended from {before} to {new_code}")
    history = page.get_by_test_id("amendments")
    expect(history).to_contain_text("Dentist's letter brought in by the mother")
    expect(history).to_contain_text("Kiran Patel")
    expect(history).to_contain_text("Attendance Officer")
    expect(page.locator(f"td.app-register__amended[data-code='{new_code}']").first).to_be_visible()
    expect(page.get_by_test_id("code-breakdown").locator(f"tr[data-code='{new_code}']")).to_be_visible()
    shoot(page, "register-2-amended")

    page.get_by_role("link", name="stale N codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stale N codes")
    keys = [f"{other.pk}:{stale_day.isoformat()}:{rules.AM}" for other in stale_pupils]
    for key in keys:
        page.locator(f"tr[data-session='{key}'] input[type=checkbox]").check(force=True)
    page.get_by_label("New code for every session chosen").select_option("O")
    page.get_by_label("Reason for the amendment").fill("No reason given after two letters home")
    shoot(page, "register-3-stale-n")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the amendments before they are made")
    expect(page.get_by_test_id("confirm-sessions").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("confirm-code")).to_contain_text(rules.code_meaning("O"))
    assert Mark.objects.filter(pupil__in=stale_pupils, date=stale_day, session=rules.AM, code="N").count() == 2
    shoot(page, "register-4-confirm")
    page.get_by_role("button", name="Amend 2 sessions").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "2 sessions of 2 pupils amended from N to O")
    for key in keys:
        expect(page.locator(f"tr[data-session='{key}']")).to_have_count(0)
    assert Mark.objects.filter(pupil__in=stale_pupils, date=stale_day, session=rules.AM, code="O").count() == 2
    assert set(MarkAmendment.objects.filter(pupil__in=stale_pupils).values_list("original_code", "amended_code",
                                                                                  "amended_by_name")) == {
        ("N", "O", "Kiran Patel")}
    shoot(page, "register-5-resolved")
