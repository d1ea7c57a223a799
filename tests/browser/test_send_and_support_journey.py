"""SEND and support, in three roles. The SENCo records a reasonable adjustment for a pupil with SEN support and its
review, and finds both on the school's register of adjustments, but cannot move the pupil's case. The DSL adds an
action to the case's support plan and sends the LA a sickness return; the LA officer acknowledges it, it leaves the
LA's waiting list, and the acknowledgement is on the case's chronology."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseEvent, CaseState, EventKind, Pupil, Role, SenStatus
from cases.services import case_open
from interventions.models import (
    AdjustmentArea,
    AdjustmentReview,
    AdjustmentStatus,
    LANotification,
    NotificationKind,
    ReasonableAdjustment,
)
from interventions.services import ActionInput, reasonable_adjustment_create, support_plan_create
from tests import factories
from tests.browser.conftest import open_case_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def senco(demo_school):
    user = factories.UserFactory(username="senco", first_name="Priya", last_name="Shah")
    factories.StaffProfileFactory(user=user, role=Role.SENCO, position="SENCo", school=demo_school["school"])
    return user


def _banner(page):
    return page.locator(".govuk-notification-banner--success")


def _error_summary(page):
    return page.locator(".govuk-error-summary")


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_senco_records_an_adjustment_and_its_review_and_sees_them_on_the_register_but_cannot_move_the_case(
    live_server, page, shoot, demo_school, senco
):
    school, pupil, today = demo_school["school"], demo_school["featured"], demo_school["today"]
    assert pupil.sen_status == SenStatus.SEN_SUPPORT
    # Another pupil's adjustment, recorded earlier and past its review date: the register is not empty to start.
    ehc_pupil = Pupil.objects.filter(school=school, sen_status=SenStatus.EHC_PLAN).order_by("upn").first()
    earlier = reasonable_adjustment_create(
        pupil=ehc_pupil, by=senco, area=AdjustmentArea.ROUTINES,
        description="Comes in through the side gate ten minutes before the bell",
        barrier="A crowded entrance leads to refusing to come in", agreed_with="Parents, pupil and SENCo",
        starts_on=today - timedelta(days=70), review_on=today + timedelta(days=7),
    )
    # Recorded weeks ago, when its review date was ahead (a review is planned in the future); it has since passed.
    type(earlier).objects.filter(pk=earlier.pk).update(review_on=today - timedelta(days=7))
    earlier.refresh_from_db()
    case = case_open(pupil=pupil, by=demo_school["dsl"], reason="Persistent absence since September, mostly Mondays")

    # The SENCo starts on the register of adjustments.
    sign_in(page, live_server, "senco")
    expect(page).to_have_url(re.compile(r"/schools/123456/adjustments/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reasonable adjustments")
    expect(page.get_by_role("link", name="Adjustments", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("SENCo, Meadow Lane Primary School")
    expect(page.get_by_test_id("result-count")).to_have_text("1 adjustment matches")
    register = page.get_by_test_id("adjustment-table")
    row = register.locator(f"tr[data-adjustment='{earlier.pk}']")
    expect(row).to_contain_text(f"{ehc_pupil.surname}, {ehc_pupil.forename}")
    expect(row).to_contain_text("EHC plan")
    expect(row.get_by_test_id("overdue")).to_have_text("Overdue")
    expect(register).not_to_contain_text("Hughes, Amelia")
    shoot(page, "send-1-register")

    # To Amelia's case, as the SENCo would: the pupils, a search, the pupil, the case.
    page.get_by_role("link", name="Pupils", exact=True).click()
    page.get_by_label("Name or UPN").fill("Hughes")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="Hughes, Amelia").click()
    page.get_by_test_id("open-case").get_by_role("link", name="Go to the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    expect(page.get_by_test_id("case-stage")).to_have_text("Concern")

    # The SENCo reads the case but is offered no step: not up the ladder, not on hold, not closed.
    expect(page.get_by_test_id("actions")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Move to|Close the case|Put the case on hold"))).to_have_count(0)
    # A hand-made request to close it is refused too, and the case does not move.
    token = page.locator("input[name='csrfmiddlewaretoken']").first.input_value()
    refused = page.request.post(f"{live_server.url}/cases/{case.pk}/steps/", form={
        "csrfmiddlewaretoken": token, "transition": "close", "expected_state": CaseState.CONCERN,
        "outcome": "improved", "reason": "Attendance improved",
    })
    assert refused.status == 403
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN

    open_case_section(page, "Support")
    adjustments = page.get_by_role("region", name="Reasonable adjustments")
    expect(adjustments).to_contain_text("No reasonable adjustments recorded.")
    expect(adjustments).to_contain_text("Amelia has SEN support")
    shoot(page, "send-2-case-as-senco")
    adjustments.get_by_role("link", name="Record an adjustment").click()

    # The form, sent with a mistake: nothing typed in "What is adjusted", and a review before the start.
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a reasonable adjustment")
    page.get_by_label("Area").select_option(label="Transport")
    page.get_by_label("The barrier it removes").fill("Anxiety on the crowded school bus; arrives distressed or not at all")
    page.get_by_label("Agreed with").fill("Mother and SENCo")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("Review date").fill((today - timedelta(days=1)).isoformat())
    expect(page.get_by_label("In place")).to_be_checked()
    page.get_by_role("button", name="Save adjustment").click()

    expect(page).to_have_title(re.compile(r"^Error: Record a reasonable adjustment"))
    summary = _error_summary(page)
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    links = summary.get_by_role("link")
    expect(links).to_have_text(["Enter what is adjusted", "The review date must be after the start date"])
    expect(links.nth(0)).to_have_attribute("href", "#id_description")
    expect(links.nth(1)).to_have_attribute("href", "#id_review_on")
    expect(page.locator("#id_description-error")).to_contain_text("Enter what is adjusted")
    expect(page.locator("#id_review_on-error")).to_contain_text("The review date must be after the start date")
    expect(page.get_by_label("The barrier it removes")).to_have_value(re.compile("crowded school bus"))
    shoot(page, "send-3-adjustment-errors")
    assert not ReasonableAdjustment.objects.filter(pupil=pupil).exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.ADJUSTMENT).exists()

    # The summary's link takes the keyboard to the field; then the corrected form is saved.
    links.nth(0).click()
    expect(page.get_by_label("What is adjusted")).to_be_focused()
    page.keyboard.type("Meets a teaching assistant at the bus stop and walks in with her")
    page.get_by_label("Review date").fill((today + timedelta(days=42)).isoformat())
    page.get_by_role("button", name="Save adjustment").click()

    # Back on the case (it is open), the adjustment is listed and on the chronology, in the SENCo's name.
    expect(_banner(page)).to_contain_text("Reasonable adjustment recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    expect(adjustments).to_contain_text("Meets a teaching assistant at the bus stop")
    open_case_section(page, "Chronology")
    chronology = page.get_by_test_id("chronology")
    entry = chronology.locator("li[data-kind='adjustment']")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Reasonable adjustment (transport, in place) agreed with Mother and SENCo")
    expect(entry).to_contain_text("Priya Shah, SENCo")

    # The register now holds both, earliest review first; the overdue filter leaves Amelia's out.
    page.get_by_role("link", name="Adjustments", exact=True).click()
    expect(page.get_by_test_id("result-count")).to_have_text("2 adjustments match")
    rows = register.locator("tbody tr")
    expect(rows.nth(0)).to_have_attribute("data-adjustment", str(earlier.pk))
    expect(rows.nth(1)).to_contain_text("Hughes, Amelia")
    expect(rows.nth(1)).to_contain_text("SEN support")
    expect(rows.nth(1)).to_contain_text("Transport")
    expect(rows.nth(1)).to_contain_text("In place")
    expect(rows.nth(1).get_by_test_id("overdue")).to_have_count(0)
    shoot(page, "send-4-register-two")
    page.get_by_label("Review overdue only").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 adjustment matches the filters")
    expect(register).not_to_contain_text("Hughes, Amelia")
    page.get_by_role("link", name="Clear filters").click()

    # Amelia's support records: the adjustment, and its review.
    register.get_by_role("link", name="Hughes, Amelia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adjustments, timetables, notifications and leave")
    expect(page.locator(".govuk-caption-l")).to_contain_text("Amelia Hughes · A123456789012 · SEN support")
    expect(page.get_by_role("link", name="Back")).to_have_attribute("href", f"/cases/{case.pk}/")
    table = page.get_by_role("table", name="Reasonable adjustments")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Meets a teaching assistant at the bus stop")
    expect(table.get_by_role("link", name="Update Transport adjustment")).to_be_visible()
    shoot(page, "send-5-pupil-records")
    page.get_by_role("link", name="Review the adjustments").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review the reasonable adjustments")
    expect(page.get_by_role("main")).to_contain_text("Transport (in place): Meets a teaching assistant at the bus stop")
    expect(page.get_by_label("Date of the review")).to_have_value(today.isoformat())
    page.get_by_label("Conclusion").fill("Right and enough for now: Amelia came in on the bus every day this week")
    page.get_by_role("button", name="Record review").click()
    expect(_banner(page)).to_contain_text("Review of the adjustments recorded")
    open_case_section(page, "Chronology")
    expect(chronology.locator("li[data-kind='adjustment']").first).to_contain_text(
        "Reasonable adjustments reviewed on"
    )
    expect(chronology.locator("li[data-kind='adjustment']").first).to_contain_text("(1 adjustment proposed or in place)")

    page.get_by_role("link", name="Adjustments", exact=True).click()
    register.get_by_role("link", name="Hughes, Amelia").click()
    expect(page.get_by_role("region", name="Reasonable adjustments")).to_contain_text(
        f"Last reviewed on {today:%-d %B %Y} by Priya Shah: Right and enough for now"
    )
    shoot(page, "send-6-pupil-records-reviewed")

    adjustment = ReasonableAdjustment.objects.get(pupil=pupil)
    assert (adjustment.area, adjustment.status, adjustment.recorded_by) == (
        AdjustmentArea.TRANSPORT, AdjustmentStatus.ACTIVE, senco)
    assert (adjustment.starts_on, adjustment.review_on) == (today, today + timedelta(days=42))
    review = AdjustmentReview.objects.get(pupil=pupil)
    assert (review.case, review.reviewed_by, review.reviewed_on) == (case, senco, today)
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).exists()


def test_dsl_adds_an_action_to_the_support_plan_and_the_la_acknowledges_the_sickness_return(
    live_server, page, shoot, demo_school
):
    school, other, pupil, dsl, today = (demo_school[k] for k in ("school", "other", "featured", "dsl", "today"))
    case = case_open(pupil=pupil, by=dsl, reason="Persistent absence since September, mostly Mondays")
    plan = support_plan_create(
        case=case, by=dsl, barriers="Anxiety about the school bus", review_on=today + timedelta(days=42),
        actions=[ActionInput(description="Meet Amelia at the gate each Monday", owner="Learning mentor",
                             due_on=today + timedelta(days=14))],
    )
    # Another school of the LA told it of a part-time timetable a fortnight ago: it still waits, past the level.
    hillcrest_officer = factories.UserFactory(username="hillcrest_attendance", first_name="Tom", last_name="Reid")
    factories.StaffProfileFactory(user=hillcrest_officer, role=Role.ATTENDANCE_OFFICER, position="Attendance Officer",
                                  school=other)
    hillcrest_pupil = Pupil.objects.filter(school=other).order_by("upn").first()
    older = LANotification.objects.create(
        pupil=hillcrest_pupil, kind=NotificationKind.PART_TIME_START, sent_on=today - timedelta(days=14),
        details="Mornings only, 9:00 to 12:15, for four weeks", sent_by=hillcrest_officer,
    )

    # The DSL goes from the caseload to the case, and from the case to its support plan.
    sign_in(page, live_server, "dsl")
    page.get_by_test_id("case-table").get_by_role("link", name="Hughes, Amelia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    open_case_section(page, "Support")
    page.get_by_test_id("support-plans").get_by_role("link", name=re.compile("^View the support plan of")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Support plan")
    expect(page.locator(".govuk-caption-l")).to_have_text("Amelia Hughes · A123456789012")
    expect(page.get_by_test_id("plan-status")).to_have_text("Draft")
    expect(page.get_by_role("main")).to_contain_text("Anxiety about the school bus")
    expect(page.get_by_role("main")).to_contain_text(f"{today + timedelta(days=42):%-d %B %Y}")
    actions = page.get_by_role("table", name="Actions of the support plan")
    expect(actions.locator("tbody tr")).to_have_count(1)
    expect(actions.locator("tbody tr").first).to_contain_text("Meet Amelia at the gate each Monday")
    expect(actions.locator("tbody tr").first).to_contain_text("Learning mentor")
    expect(actions.get_by_role("link", name=re.compile("^Mark as done.*Meet Amelia at the gate each Monday$"))).to_be_visible()
    expect(page.get_by_role("link", name="Back to the case")).to_have_attribute("href", f"/cases/{case.pk}/support/")
    shoot(page, "send-7-support-plan")
    page.get_by_role("link", name="Add an action").click()

    # The action, sent without its due date: the error says what and where, and nothing is added.
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action to the support plan")
    page.get_by_label("What will be done").fill("Refer Amelia to the school nurse about her anxiety")
    page.get_by_label("Who will do it").fill("Sarah Whitfield (DSL)")
    page.get_by_role("button", name="Add action").click()
    summary = _error_summary(page)
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Enter the date the action is due"])
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_due_on")
    expect(page.locator("#id_due_on-error")).to_contain_text("Enter the date the action is due")
    expect(page.get_by_label("What will be done")).to_have_value("Refer Amelia to the school nurse about her anxiety")
    shoot(page, "send-8-action-error")
    assert plan.actions.count() == 1

    due = today + timedelta(days=7)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Due by")).to_be_focused()
    page.get_by_label("Due by").fill(due.isoformat())
    page.get_by_role("button", name="Add action").click()

    # Back on the case: the action is on the chronology; the plan lists both, soonest due first.
    expect(_banner(page)).to_contain_text("Action added to the support plan")
    open_case_section(page, "Chronology")
    expect(page.get_by_test_id("chronology").locator("li[data-kind='action']")).to_contain_text(
        f"Action added to the support plan: Refer Amelia to the school nurse about her anxiety "
        f"(Sarah Whitfield (DSL), due {due:%-d %B %Y})"
    )
    open_case_section(page, "Support")
    page.get_by_test_id("support-plans").get_by_role("link", name=re.compile("^View the support plan of")).click()
    rows = actions.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Refer Amelia to the school nurse about her anxiety")
    expect(rows.nth(0)).to_contain_text(f"{due:%-d %b %Y}")
    expect(rows.nth(0)).to_contain_text("Mark as done")
    expect(rows.nth(1)).to_contain_text("Meet Amelia at the gate each Monday")
    shoot(page, "send-9-support-plan-two-actions")
    added = plan.actions.get(description="Refer Amelia to the school nurse about her anxiety")
    assert (added.owner, added.due_on, added.case, added.completed_on) == ("Sarah Whitfield (DSL)", due, case, None)

    # The DSL sends the LA a sickness return from the case.
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_role("link", name="Send a sickness return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a sickness return to the LA")
    expect(page.get_by_role("main")).to_contain_text("Illness (code I) this academic year:")
    page.get_by_label("Anything else the LA was told (optional)").fill("Mum says the GP is seeing Amelia next week")
    page.get_by_role("button", name="Record sickness return").click()
    expect(_banner(page)).to_contain_text("Sickness return recorded")
    notification = LANotification.objects.get(pupil=pupil)
    assert (notification.kind, notification.sent_on, notification.case) == (NotificationKind.SICKNESS_RETURN, today, case)
    _sign_out(page)

    # The LA officer: both notifications wait, the older one overdue and first.
    sign_in(page, live_server, "la_officer")
    page.get_by_role("link", name="Notifications", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("main")).to_contain_text("Your service level is 5 working days")
    waiting = page.get_by_test_id("la-notifications").locator("tbody tr")
    expect(waiting).to_have_count(2)
    expect(waiting.nth(0)).to_have_attribute("data-notification", str(older.pk))
    expect(waiting.nth(0).get_by_test_id("overdue")).to_have_text("Overdue")
    ours = page.locator(f"tr[data-notification='{notification.pk}']")
    expect(ours).to_contain_text("Sickness return")
    expect(ours).to_contain_text("Meadow Lane Primary School")
    expect(ours).to_contain_text("Amelia Hughes (A123456789012)")
    expect(ours).to_contain_text("Mum says the GP is seeing Amelia next week")
    expect(ours.locator("td").nth(3)).to_have_text("0")
    expect(ours.get_by_test_id("overdue")).to_have_count(0)
    shoot(page, "send-10-la-notifications")

    # Filtered to sickness returns, the officer acknowledges Amelia's with a note, too long the first time:
    # the error says what and where, the note typed and the filter stay, and nothing is acknowledged.
    page.get_by_label("Kind").select_option(label="Sickness return")
    page.get_by_role("button", name="Filter").click()
    expect(waiting).to_have_count(1)
    acknowledge = ours.get_by_role("button", name="Acknowledge sickness return for Amelia Hughes")
    too_long = "Passed to the education welfare team. " + "More. " * 340
    ours.get_by_label("Note (optional)").fill(too_long)
    acknowledge.click()
    expect(page).to_have_title(re.compile("^Error: Notifications"))
    summary = _error_summary(page)
    expect(summary).to_be_focused()
    message = "The note on the sickness return for Amelia Hughes must be 2000 characters or less"
    expect(summary.get_by_role("link")).to_have_text([message])
    expect(summary.get_by_role("link")).to_have_attribute("href", f"#note-{notification.pk}")
    expect(page.locator(f"#note-{notification.pk}-error")).to_have_text(f"Error: {message}")
    expect(ours.get_by_label("Note (optional)")).to_have_value(too_long)
    expect(ours.get_by_label("Note (optional)")).to_have_attribute("aria-describedby", f"note-{notification.pk}-error")
    expect(page.get_by_label("Kind")).to_have_value(NotificationKind.SICKNESS_RETURN)
    expect(waiting).to_have_count(1)
    shoot(page, "send-11-la-note-too-long")
    notification.refresh_from_db()
    assert notification.acknowledged_on is None

    summary.get_by_role("link").click()
    expect(ours.get_by_label("Note (optional)")).to_be_focused()
    ours.get_by_label("Note (optional)").fill("Passed to the education welfare team")
    acknowledge.click()
    expect(_banner(page)).to_contain_text("Sickness return for Amelia Hughes acknowledged")
    expect(page.locator(f"tr[data-notification='{notification.pk}']")).to_have_count(0)
    # It has left the list; the filter the officer was working through is kept.
    expect(page.get_by_label("Kind")).to_have_value(NotificationKind.SICKNESS_RETURN)
    expect(page.get_by_test_id("no-notifications")).to_have_text("No notifications match these filters.")
    shoot(page, "send-12-la-acknowledged")
    page.get_by_role("link", name="Clear filters").click()
    expect(waiting).to_have_count(1)
    expect(waiting.nth(0)).to_have_attribute("data-notification", str(older.pk))
    notification.refresh_from_db()
    assert (notification.acknowledged_on, notification.acknowledged_by, notification.la_note) == (
        today, demo_school["la_officer"], "Passed to the education welfare team")
    older.refresh_from_db()
    assert older.acknowledged_on is None
    _sign_out(page)

    # The school sees the acknowledgement on the case: in its notifications and on the chronology.
    sign_in(page, live_server, "dsl")
    page.get_by_test_id("case-table").get_by_role("link", name="Hughes, Amelia").click()
    open_case_section(page, "Support")
    notifications = page.get_by_role("region", name="Notifications to the LA")
    expect(notifications.locator("tbody tr")).to_have_count(1)
    expect(notifications.locator("tbody tr td").nth(3)).to_have_text(f"{today:%-d %b %Y}")
    open_case_section(page, "Chronology")
    entry = page.get_by_test_id("chronology").locator("li[data-kind='notification']").first
    expect(entry).to_contain_text(f"LA acknowledged the sickness return notification of {today:%-d %B %Y}")
    expect(entry).to_contain_text("Fiona Hargreaves, Senior Education Welfare Officer")
    expect(entry).to_contain_text("Passed to the education welfare team")
    assert Case.objects.get(pk=case.pk).state == CaseState.CONCERN
