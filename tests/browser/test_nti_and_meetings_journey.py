"""A notice to improve from issue to outcome, and a meeting's record after and before it is held.

The DSL issues a notice to improve from a case at formal support (an improvement period of 7 weeks is refused,
4 weeks is issued with a letter to the mother), records during the period that a ground the notice stated for an
earlier penalty notice has arisen, and after the period records that attendance did not improve, with the
attendance in the period computed from the register. On another case, the DSL adds an action agreed at a held
TAC meeting and cancels a planned attendance meeting with the reason.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import Case, CaseEvent, CaseState, EventKind, Mark, Role
from cases.services import case_note_add, case_open
from interventions.models import Action
from interventions.services.send import adjustment_review_record
from interventions.services.support_plans import ActionInput, support_plan_agree, support_plan_create
from meetings.models import AttendeeRole, Meeting, MeetingKind, MeetingStatus
from meetings.services import OtherAttendee, meeting_plan, meeting_record
from notices.models import Letter, NoticeOutcome, NoticeToImprove
from notices.tasks import notices_to_improve_review_due
from tests import factories
from tests.browser.conftest import open_case_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
EARLY_GROUNDS = "A holiday taken in term time during the improvement period (code G)."
SUFFICIENT = "No unauthorised absence, and attendance of at least 95% in the improvement period."


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def clock():
    """10am on the next Wednesday after the real date: the same weekday and hour every run.

    Not a fixed date: Chromium keeps its own clock, and would drop at once a session cookie whose expiry (8 hours
    after sign-in, by the server's clock) lies in its past. Requested before demo_school, so its register runs to
    this day.
    """
    today = datetime.now(LONDON).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    with time_machine.travel(datetime.combine(wednesday, time(10), LONDON), tick=True) as traveller:
        yield traveller


def _travel(clock, day: date) -> None:
    clock.move_to(datetime.combine(day, time(10), LONDON))


def _fill_date(group, on: date) -> None:
    group.get_by_label("Day").fill(str(on.day))
    group.get_by_label("Month").fill(str(on.month))
    group.get_by_label("Year").fill(str(on.year))


def _open_case_from_caseload(page, name: str) -> None:
    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_test_id("case-table").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _register(pupil, days: list[date], codes: dict[date, str]) -> None:
    """The register for each school day: present unless ``codes`` says otherwise (both sessions)."""
    marks = []
    for day in days:
        code = codes.get(day)
        marks += [Mark(pupil=pupil, school=pupil.school, date=day, session=0, code=code or "/"),
                  Mark(pupil=pupil, school=pupil.school, date=day, session=1, code=code or "\\")]
    Mark.objects.bulk_create(marks)


def _weekdays(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1) if (first + timedelta(days=n)).weekday() < 5]


def test_dsl_issues_a_notice_to_improve_records_an_early_ground_and_then_the_outcome(
    clock, live_server, page, shoot, demo_school
):
    today, pupil, dsl = demo_school["today"], demo_school["featured"], demo_school["dsl"]
    # Test set-up: the latest 12 sessions unauthorised, so the threshold is certainly met; support offered and
    # not engaged with; Amelia has SEN support, so her adjustments are reviewed during the case.
    latest = list(Mark.objects.filter(pupil=pupil).order_by("-date", "-session").values_list("pk", flat=True)[:12])
    Mark.objects.filter(pk__in=latest).update(code="O")
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met; support not taken up")
    # Opened weeks ago: the plan agreed 30 days ago is evidence only if agreed during the case (cases.facts).
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at - timedelta(days=60))
    case.refresh_from_db()
    plan = support_plan_create(case=case, by=dsl, barriers="Anxiety about the school bus", review_on=today,
                               actions=[ActionInput("Meet Amelia at the gate each Monday", "Learning mentor", today)])
    support_plan_agree(plan=plan, by=dsl, agreed_on=today - timedelta(days=30))
    case_note_add(case=case, by=dsl, kind=EventKind.NON_ENGAGEMENT, summary="Mother did not answer three calls")
    adjustment_review_record(pupil=pupil, by=dsl, reviewed_on=today, conclusion="Adjustments in place and enough")
    # The ladder's journey walks a case up step by step; this one starts at formal support.
    Case.objects.filter(pk=case.pk).update(state=CaseState.FORMAL_SUPPORT)

    sign_in(page, live_server, "dsl")
    _open_case_from_caseload(page, "Hughes, Amelia")
    open_case_section(page, "Notices and referrals")
    expect(page.get_by_role("region", name="Notices to improve")).to_contain_text("No notice to improve.")
    # The one place to issue it is the ladder box of the overview.
    open_case_section(page, "Overview")
    page.get_by_test_id("step-issue_notice_to_improve").get_by_role("button", name="Issue a notice to improve").click()

    # The issue page: what the notice rests on, and the unauthorised sessions it covers.
    expect(page.get_by_role("heading", level=1)).to_have_text("Issue a notice to improve")
    evidence = page.get_by_test_id("nti-evidence")
    expect(evidence).to_contain_text("Threshold met on")
    expect(evidence).to_contain_text(f"Support plan agreed on {_long(today - timedelta(days=30))}")
    expect(evidence).to_contain_text("Mother did not answer three calls")
    expect(evidence).to_contain_text(f"Reasonable adjustments reviewed on {_long(today)}")
    offences = page.get_by_test_id("offence-sessions").locator("tbody tr")
    assert offences.count() >= 10
    expect(page.get_by_text(f"the notice covers {offences.count()} unauthorised sessions")).to_be_visible()
    for cells in offences.locator("td:nth-child(3)").all_inner_texts():
        assert cells in ("G", "O", "U"), cells
    # Only parents with parental responsibility or care are offered, both here; the date of issue is today.
    expect(page.get_by_role("group", name="Which parents or carers is the notice issued to?").get_by_role("checkbox")) \
        .to_have_count(2)
    issued = page.get_by_role("group", name="Date of issue")
    expect(issued.get_by_label("Day")).to_have_value(str(today.day))
    ends = page.get_by_role("group", name="Last day of the improvement period")
    expect(ends).to_contain_text(f"from {_long(today + timedelta(weeks=3))} to {_long(today + timedelta(weeks=6))}")
    shoot(page, "nti-1-issue-form")

    # Seven weeks is too long: refused, said next to the date, and nothing saved.
    page.get_by_label("Rachel Hughes (mother)").check()
    _fill_date(ends, today + timedelta(weeks=7))
    # The support so far is ticked from the case's records, not typed again.
    page.get_by_label(re.compile("^Support plan agreed on")).check()
    page.get_by_label(re.compile("^Action of the support plan: Meet Amelia at the gate")).check()
    page.get_by_label("Further support offered").fill("A place at breakfast club; a referral to Early Help.")
    page.get_by_label("What sufficient improvement means for this pupil").fill(SUFFICIENT)
    page.get_by_label("Grounds for a penalty notice before the period ends").fill(EARLY_GROUNDS)
    page.get_by_label("Why a notice to improve now").fill("Threshold met and support not taken up")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_title(re.compile("^Error: Issue a notice to improve"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend's script moves focus to the summary
    refusal = (f"must end between {_long(today + timedelta(weeks=3))} and {_long(today + timedelta(weeks=6))}, "
               f"not on {_long(today + timedelta(weeks=7))}")
    expect(summary).to_contain_text("The improvement period must be between 3 and 6 weeks from the date of issue")
    expect(summary).to_contain_text(refusal)
    # The message is next to the field it is about, and the summary's link takes the user there.
    ends = page.get_by_role("group", name="Last day of the improvement period")
    expect(ends.locator(".govuk-error-message")).to_contain_text(refusal)
    summary.get_by_role("link", name=re.compile("The improvement period must be")).click()
    expect(ends.get_by_label("Day")).to_be_focused()
    # What was typed is kept.
    expect(page.get_by_label("Rachel Hughes (mother)")).to_be_checked()
    expect(page.get_by_label("Grounds for a penalty notice before the period ends")).to_have_value(EARLY_GROUNDS)
    expect(page.get_by_label(re.compile("^Support plan agreed on"))).to_be_checked()
    shoot(page, "nti-2-issue-refused")
    assert not NoticeToImprove.objects.exists()
    assert not Letter.objects.filter(subject_key__startswith="nti:").exists()
    assert Case.objects.get(pk=case.pk).state == CaseState.FORMAL_SUPPORT

    # Four weeks: issued, with the letter on the case.
    period_ends = today + timedelta(weeks=4)
    _fill_date(ends, period_ends)
    page.get_by_role("button", name="Continue").click()
    # The confirmation: what will happen and what the notice rests on, before anything is made.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you issue the notice to improve")
    expect(page.get_by_test_id("confirm-consequences")).to_contain_text("to the notice to improve stage")
    expect(page.get_by_test_id("confirm-answers")).to_contain_text("Meet Amelia at the gate each Monday")
    shoot(page, "nti-2b-confirm")
    assert not NoticeToImprove.objects.exists()
    page.get_by_role("button", name="Confirm and issue the notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Notice to improve issued, with a letter to each parent: the improvement period ends on {_long(period_ends)}"
    )
    expect(page.get_by_test_id("case-stage-caption")).to_have_text("Notice to improve")
    notices = page.get_by_role("region", name="Notices to improve")
    expect(notices).to_contain_text(f"{today:%-d %B %Y} to Rachel Hughes")
    expect(notices).to_contain_text(f"Until {_long(period_ends)}")
    expect(notices.locator(".govuk-tag")).to_have_text("Improvement period running")
    expect(notices.get_by_role("link", name=re.compile("Record the outcome"))).to_have_count(0)
    notices.scroll_into_view_if_needed()
    shoot(page, "nti-3-issued", full_page=False)
    open_case_section(page, "Letters and documents")
    letter_row = page.get_by_test_id("letters").locator("tr", has_text="Notice to improve")
    expect(letter_row).to_contain_text("Rachel Hughes")
    with page.expect_download() as download:
        letter_row.get_by_role("link", name=re.compile("Download PDF")).click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    open_case_section(page, "Chronology")
    chronology = page.get_by_test_id("chronology")
    expect(chronology).to_contain_text("Formal support (attendance contract) → Notice to improve")
    expect(chronology).to_contain_text(f"Notice to improve issued to Rachel Hughes: improvement period until {_long(period_ends)}")
    notice = NoticeToImprove.objects.get()
    assert (notice.issued_on, notice.improvement_period_ends_on) == (today, period_ends)
    assert [p.forename for p in notice.parents.all()] == ["Rachel"]
    assert notice.early_penalty_grounds == EARLY_GROUNDS
    assert Letter.objects.filter(subject_key=f"nti:{notice.pk}").count() == 1

    # Week 2 of the period: a term-time holiday on the Thursday and Friday, one of the grounds the notice stated.
    period = _weekdays(today + timedelta(days=1), period_ends)
    assert len(period) == 20
    holiday = {period[5]: "G", period[6]: "G"}
    monday = today + timedelta(days=12)
    _register(pupil, [d for d in period if d < monday], holiday)
    _travel(clock, monday)
    sign_in(page, live_server, "dsl")  # weeks later: yesterday's session has expired
    _open_case_from_caseload(page, "Hughes, Amelia")
    open_case_section(page, "Notices and referrals")
    page.get_by_role("link", name="Record that a stated ground for an earlier penalty notice has arisen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a ground for an earlier penalty notice")
    expect(page.get_by_test_id("stated-grounds")).to_have_text(EARLY_GROUNDS)
    page.get_by_role("button", name="Record the ground").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("Enter which of the stated grounds has arisen, and when")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_ground")
    expect(page.get_by_label("Which stated ground has arisen, and when")).to_have_attribute(
        "aria-describedby", re.compile("id_ground-error"))
    shoot(page, "nti-4-early-ground-error")
    assert NoticeToImprove.objects.get().early_ground_invoked == ""
    ground = f"Holiday taken {period[5]:%A %-d} and {period[6]:%A %-d %B} (code G); leave had been refused."
    page.get_by_label("Which stated ground has arisen, and when").fill(ground)
    # The ground rests on the register: the unauthorised sessions since the notice, the holiday's four.
    sessions = page.get_by_role("group", name="Which register sessions does the ground rest on?")
    expect(sessions.get_by_role("checkbox")).to_have_count(4)
    for checkbox in sessions.get_by_role("checkbox").all():
        checkbox.check()
    page.get_by_role("button", name="Record the ground").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Recorded that a stated ground for an earlier penalty notice has arisen")
    expect(page.get_by_role("link", name="Record that a stated ground for an earlier penalty notice has arisen")) \
        .to_have_count(0)
    open_case_section(page, "Chronology")
    entry = page.get_by_test_id("chronology").locator("li", has_text="a stated ground for an earlier penalty notice")
    expect(entry).to_contain_text(ground)
    expect(entry).to_contain_text(f"Grounds the notice stated: {EARLY_GROUNDS}")
    expect(entry).to_contain_text(f"Register sessions the ground rests on: {period[5]:%A} {_long(period[5])} AM (G)")
    assert NoticeToImprove.objects.get().early_ground_invoked == ground
    assert [s["code"] for s in NoticeToImprove.objects.get().early_ground_sessions] == ["G"] * 4

    # The day after the period: the nightly task asks for the outcome on the chronology.
    _register(pupil, [d for d in period if d >= monday], {})
    after = period_ends + timedelta(days=1)
    _travel(clock, after)
    notices_to_improve_review_due()
    sign_in(page, live_server, "dsl")
    _open_case_from_caseload(page, "Hughes, Amelia")
    open_case_section(page, "Chronology")
    expect(page.get_by_test_id("chronology")).to_contain_text(
        f"Improvement period ended on {_long(period_ends)}: record the outcome")
    open_case_section(page, "Notices and referrals")
    page.get_by_role("region", name="Notices to improve").get_by_role("link", name=re.compile("Record the outcome")).click()

    # The outcome page: 40 sessions in the period, the 4 of the holiday missed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the outcome of the notice to improve")
    expect(page.get_by_test_id("period-attendance")).to_have_text(
        f"36 of 40 sessions (90.0%), {_long(period[0])} to {_long(period_ends)}")
    expect(page.get_by_test_id("period-unauthorised")).to_have_text(
        f"{period[5]:%a %-d %b} AM (G); {period[5]:%a %-d %b} PM (G); {period[6]:%a %-d %b} AM (G); "
        f"{period[6]:%a %-d %b} PM (G)")
    shoot(page, "nti-5-outcome")
    page.get_by_label("No, attendance did not improve sufficiently").check()
    page.get_by_label("How you reached this outcome").fill("A holiday in week 2: 90% against the 95% asked for.")
    page.get_by_role("button", name="Record the outcome").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Outcome of the notice to improve recorded: not sufficient improvement")
    expect(page.get_by_role("region", name="Notices to improve").locator(".govuk-tag")).to_have_text(
        "Not sufficient improvement")
    open_case_section(page, "Chronology")
    entry = page.get_by_test_id("chronology").locator(
        "li", has_text=f"Notice to improve of {_long(today)}: not sufficient improvement by {_long(period_ends)}")
    expect(entry).to_contain_text("A holiday in week 2: 90% against the 95% asked for.")
    expect(entry).to_contain_text(f"Attendance in the improvement period ({_long(period[0])} to {_long(period_ends)}): "
                                  "36 of 40 possible sessions (90.0%)")
    entry.scroll_into_view_if_needed()
    shoot(page, "nti-6-outcome-recorded", full_page=False)
    notice = NoticeToImprove.objects.get()
    assert (notice.outcome, notice.outcome_recorded_on) == (NoticeOutcome.NOT_IMPROVED, after)


def test_dsl_adds_an_action_agreed_at_a_held_meeting_and_cancels_a_planned_one(
    clock, live_server, page, shoot, demo_school
):
    today, dsl, school = demo_school["today"], demo_school["dsl"], demo_school["school"]
    # Another pupil than the featured one, so nothing on the pages can be right by coincidence of name.
    pupil = school.pupils.get(upn="B872000000002")
    assert (pupil.forename, pupil.surname) == ("Noah", "Wilson")
    mother = factories.ParentFactory(school=school, forename="Grace", surname="Wilson")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=mother, relationship="mother",
                                          parental_responsibility=True, lives_with_pupil=True)
    officer = factories.UserFactory(username="attendance", first_name="Kiran", last_name="Patel")
    factories.StaffProfileFactory(user=officer, role=Role.ATTENDANCE_OFFICER, position="Attendance Officer", school=school)
    case = case_open(pupil=pupil, by=dsl, reason="Persistent absence, mostly Mondays")
    # Opened last month: yesterday's meeting is one of this case's (cases.facts).
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at - timedelta(days=30))
    case.refresh_from_db()
    held_at = datetime.combine(today - timedelta(days=1), time(9, 30), LONDON)
    tac = meeting_plan(case=case, kind=MeetingKind.TAC, starts_at=held_at, location="Meeting room 2",
                       parents=[mother], pupil_attends=False,
                       others=[OtherAttendee(role=AttendeeRole.AGENCY, name="Jo Reid", organisation="School nurse")],
                       by=dsl)
    meeting_record(meeting=tac, attendance={a.pk: True for a in tac.attendees.all()}, by=dsl,
                   what_is_working="Noah likes his new class teacher",
                   what_we_are_worried_about="Noah is tired on Mondays and misses the bus",
                   what_needs_to_happen="A sleep routine, and a check-in at the gate on Mondays")
    planned_at = datetime.combine(today + timedelta(days=7), time(15, 30), LONDON)
    planned = meeting_plan(case=case, kind=MeetingKind.ATTENDANCE, starts_at=planned_at, location="Family room",
                           parents=[mother], by=dsl)

    sign_in(page, live_server, "dsl")
    _open_case_from_caseload(page, "Wilson, Noah")
    open_case_section(page, "Meetings")
    meetings = page.get_by_test_id("meetings")
    meetings.get_by_role("link", name=re.compile(f"View the team around the child .* of {_long(held_at.date())}")).click()

    # The held meeting's record: who came, the three parts of the TAC notes, no actions yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Team Around the Child (TAC) meeting")
    expect(page.locator(".govuk-caption-l")).to_have_text("Noah Wilson")
    expect(page.locator("main .govuk-tag")).to_have_text("Held")
    invited = page.get_by_role("table").filter(has_text="Grace Wilson")
    expect(invited.locator("tr", has_text="Grace Wilson")).to_contain_text("Yes")
    expect(invited.locator("tr", has_text="Jo Reid")).to_contain_text("Other agency: School nurse")
    expect(page.get_by_role("heading", name="What we are worried about", level=3)).to_be_visible()
    expect(page.get_by_text("Noah is tired on Mondays and misses the bus")).to_be_visible()
    expect(page.get_by_text("No actions have been added.")).to_be_visible()
    expect(page.get_by_role("link", name="Cancel the meeting")).to_have_count(0)
    shoot(page, "nti-7-meeting-held")
    page.get_by_role("link", name="Add an agreed action").click()

    # The action form: a mistake first (nobody responsible), then the action.
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agreed action")
    expect(page.locator(".govuk-caption-l")).to_contain_text(f"Team Around the Child (TAC) meeting on {_long(held_at.date())}")
    description = page.get_by_label("What has been agreed")
    expect(page.locator("#id_description-hint")).to_contain_text("Noah")
    expect(page.locator("#id_description-hint")).not_to_contain_text("Amelia")
    description.fill("Referral to the school nurse for a sleep assessment")
    due = today + timedelta(days=14)
    _fill_date(page.get_by_role("group", name="When is it due?"), due)
    page.get_by_role("button", name="Add action").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Select the member of staff responsible, or enter who else is responsible")
    expect(link).to_have_attribute("href", "#id_owner_user")
    expect(page.get_by_label("Member of staff responsible")).to_have_attribute("aria-describedby", "id_owner_user-error")
    expect(description).to_have_value("Referral to the school nurse for a sleep assessment")
    shoot(page, "nti-8-action-error")
    assert not Action.objects.filter(meeting=tac).exists()
    link.click()
    expect(page.get_by_label("Member of staff responsible")).to_be_focused()
    page.get_by_label("Member of staff responsible").select_option(label="Kiran Patel (Attendance Officer)")
    page.get_by_role("button", name="Add action").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Noah Wilson")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Action added: Referral to the school nurse for a sleep assessment (Kiran Patel, due {_long(due)})")
    open_case_section(page, "Chronology")
    entry = page.get_by_test_id("chronology").locator("li", has_text="Action agreed at the")
    expect(entry.locator("h3")).to_have_text(f"Action agreed at the Team Around the Child (TAC) meeting on "
                                              f"{_long(held_at.date())}: Referral to the school nurse for a sleep assessment")
    expect(entry).to_contain_text(f"Responsible: Kiran Patel. Due by {_long(due)}.")
    action = Action.objects.get(meeting=tac)
    assert (action.owner, action.owner_user, action.due_on, action.case) == ("Kiran Patel", officer, due, case)

    # Back on the meeting's record, the action is listed.
    open_case_section(page, "Meetings")
    page.get_by_test_id("meetings").get_by_role("link", name=re.compile("View the team around the child")).click()
    actions = page.get_by_role("table").filter(has_text="Referral to the school nurse")
    expect(actions.locator("tbody tr")).to_have_count(1)
    expect(actions.locator("tbody tr td")).to_have_text(
        ["Referral to the school nurse for a sleep assessment", "Kiran Patel", _long(due)])

    # The planned meeting: Grace asked to rearrange. An empty reason first.
    page.get_by_role("link", name="Back to the case").click()
    open_case_section(page, "Meetings")
    page.get_by_test_id("meetings").get_by_role(
        "link", name=re.compile(f"View the attendance meeting of {_long(planned_at.date())}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance meeting")
    expect(page.locator("main .govuk-tag")).to_have_text("Planned")
    expect(page.get_by_role("link", name="Add an agreed action")).to_have_count(0)
    shoot(page, "nti-9-meeting-planned")
    page.get_by_role("link", name="Cancel the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel the attendance meeting")
    page.get_by_role("button", name="Cancel the meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter why the meeting is cancelled")).to_have_attribute("href", "#id_reason")
    shoot(page, "nti-10-cancel-error")
    assert Meeting.objects.get(pk=planned.pk).status == MeetingStatus.PLANNED
    reason = "Grace Wilson asked to rearrange: she starts a new job that week."
    # By keyboard: from the reason, the next stop is the button.
    page.get_by_label("Why is the meeting cancelled?").fill(reason)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Cancel the meeting")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Meeting on {_long(planned_at.date())} cancelled")
    card = page.get_by_test_id("meetings").locator(".govuk-summary-card", has_text="Attendance meeting")
    expect(card.locator(".govuk-tag").first).to_have_text("Cancelled")
    open_case_section(page, "Chronology")
    entry = page.get_by_test_id("chronology").locator(
        "li", has_text=f"Attendance meeting on {_long(planned_at.date())} cancelled")
    expect(entry).to_contain_text(reason)
    expect(entry).to_contain_text("Sarah Whitfield")
    shoot(page, "nti-11-cancelled")
    assert Meeting.objects.get(pk=planned.pk).status == MeetingStatus.CANCELLED
    assert Meeting.objects.get(pk=tac.pk).status == MeetingStatus.HELD
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MEETING, reason=reason).count() == 1
