"""The later screens of casework, as their users walk them: the school refers a case whose penalty notice is
unpaid and the LA officer decides on a prosecution and records the outcome; the school withdraws a notice it has
not issued, the LA withdraws an issued one and enters past notices from its records; the DSL makes a batch of
attendance concern letters and prints them as one PDF."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cases import rules
from cases.models import (
    Alert,
    AlertKind,
    AttendanceSnapshot,
    Case,
    CaseEvent,
    CaseState,
    CodeOfConduct,
    PenaltyNoticeIssuer,
)
from cases.services import case_open
from notices.letters.school_letters import CONCERN_TEMPLATE
from notices.models import BatchStatus, LetterBatch, PenaltyNotice, PenaltyNoticeState, ProsecutionReferral
from notices.penalty.services import (
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_issue,
    penalty_notice_record_payment,
    penalty_notice_terms_for,
    penalty_notices_mark_unpaid,
)
from tests import factories
from tests.browser.conftest import open_case_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _parents(pupil) -> dict:
    return {link.parent.forename: link.parent for link in pupil.parent_links.select_related("parent")}


def _case_at_penalty_notice_stage(demo_school) -> Case:
    case = case_open(pupil=demo_school["featured"], by=demo_school["dsl"], reason="Threshold met; support refused")
    # Test set-up: the ladder's journey walks a case up step by step; these start at the stage.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


def _issued(case, parent, by, issued_on) -> PenaltyNotice:
    """A notice drafted, checked with the LA and issued in person through the services, by the LA's officer as its
    code of conduct has it (its letter, which takes a second to make, is left out)."""
    draft = penalty_notice_draft(case=case, parent=parent, by=by)  # the offence the register shows
    penalty_notice_consult_la(notice=draft, by=by)
    penalty_notice_issue(notice=draft, by=by, issued_on=issued_on, posted=False)
    return PenaltyNotice.objects.get(pk=draft.pk)


def _error_summary(page):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    return summary


def test_school_refers_an_unpaid_notice_and_the_la_prosecutes_under_s444_1_and_records_the_outcome(
    live_server, page, shoot, demo_school
):
    today, dsl, officer = demo_school["today"], demo_school["dsl"], demo_school["la_officer"]
    case = _case_at_penalty_notice_stage(demo_school)
    parents = _parents(case.pupil)
    # Rachel's notice went unpaid past its 28 days (the nightly sweep marks it); Daniel paid his at once.
    unpaid = _issued(case, parents["Rachel"], officer, today - timedelta(days=40))
    paid = _issued(case, parents["Daniel"], officer, today - timedelta(days=40))
    penalty_notice_record_payment(notice=paid, by=officer, paid_on=today - timedelta(days=35), amount=Decimal("80"))
    penalty_notices_mark_unpaid(today=today)
    assert PenaltyNotice.objects.get(pk=unpaid.pk).state == PenaltyNoticeState.UNPAID

    # The DSL goes from the caseload to the case: the ladder allows a referral, resting on the unpaid notice.
    sign_in(page, live_server, "dsl")
    page.get_by_test_id("case-table").get_by_role("link", name="Hughes, Amelia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Hughes")
    expect(page.get_by_test_id("step-refer_for_prosecution")).to_contain_text(
        f"Penalty notice {unpaid.reference} to Rachel Hughes unpaid after 28 days"
    )
    step = page.get_by_test_id("step-refer_for_prosecution")
    step.scroll_into_view_if_needed()
    shoot(page, "ref-1-case-referral-step", full_page=False)
    open_case_section(page, "Notices and referrals")
    expect(page.get_by_test_id("prosecution-referrals")).to_contain_text("No referrals.")
    open_case_section(page, "Overview")
    page.get_by_test_id("step-refer_for_prosecution").get_by_role(
        "button", name="Refer the case to the local authority").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer for prosecution")

    # Sent without a reason: the referral page says what is missing, and nothing is referred.
    page.get_by_role("button", name="Refer for prosecution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer for prosecution")
    expect(page).to_have_title(re.compile(r"^Error: Refer for prosecution"))
    summary = _error_summary(page)
    expect(summary.get_by_role("link")).to_have_text("Say why you are referring the case to the local authority.")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_reason")
    reason_box = page.get_by_label("Why are you referring the case to the local authority?")
    expect(reason_box).to_have_attribute("aria-describedby", re.compile("id_reason-error"))
    expect(page.locator("#id_reason-error")).to_contain_text("Say why you are referring the case")
    shoot(page, "ref-2-new-error")
    assert not ProsecutionReferral.objects.exists()
    assert Case.objects.get(pk=case.pk).state == CaseState.PENALTY_NOTICE

    # The error summary takes the keyboard user to the box; the reason is typed there.
    summary.get_by_role("link").click()
    expect(reason_box).to_be_focused()
    page.keyboard.type("Notice unpaid after 28 days; Rachel has not engaged with the support plan since October.")
    page.get_by_role("button", name="Refer for prosecution").click()

    # The confirmation: what a referral does and what it rests on; nothing is sent yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before you refer the case for prosecution")
    expect(page.get_by_test_id("confirm-rests-on")).to_contain_text(f"Penalty notice {unpaid.reference}")
    shoot(page, "ref-2b-confirm")
    assert not ProsecutionReferral.objects.exists()
    page.get_by_role("button", name="Confirm and refer the case").click()

    # The school's page of the referral: sent, with the evidence bundle made now, waiting for the LA.
    expect(page.get_by_role("heading", level=1)).to_have_text("Prosecution referral")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Case referred to Fenshire County Council for prosecution"
    )
    expect(page.get_by_test_id("referral-status")).to_have_text("Waiting for the local authority")
    expect(page.get_by_test_id("referral-decision")).to_contain_text("Rachel has not engaged with the support plan")
    expect(page.get_by_test_id("referral-decision")).to_contain_text("Version 1, made")
    shoot(page, "ref-3-school-referral-sent")
    referral = ProsecutionReferral.objects.get(case=case)
    assert Case.objects.get(pk=case.pk).state == CaseState.PROSECUTION_REFERRAL
    assert referral.referred_by == dsl and bytes(referral.bundle.pdf).startswith(b"%PDF")
    _sign_out(page)

    # The LA officer finds it in the team's queue and takes it.
    sign_in(page, live_server, "la_officer")
    page.get_by_role("link", name="Requests", exact=True).click()
    queue = page.get_by_test_id("referral-queue")
    expect(queue).to_contain_text("Amelia Hughes")
    expect(queue).to_contain_text("Meadow Lane Primary School")
    queue.get_by_role("button", name="Assign to me the referral for Amelia Hughes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prosecution referral for Amelia Hughes")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The referral is assigned to you")
    expect(page.get_by_test_id("referral-status")).to_have_text("With Fiona Hargreaves")
    expect(page.get_by_test_id("referral-case")).to_contain_text("Prosecution referral since")
    expect(page.get_by_test_id("referral-grounds")).to_contain_text(
        f"Penalty notice {unpaid.reference} to Rachel Hughes unpaid after 28 days"
    )
    notices = page.get_by_test_id("referral-notices")
    expect(notices).to_contain_text(f"{unpaid.reference} to Rachel Hughes (unpaid after 28 days)")
    expect(notices).to_contain_text(f"{paid.reference} to Daniel Hughes (paid at the reduced rate)")

    # The evidence bundle attached to the referral downloads as the stored PDF.
    with page.expect_download() as download:
        page.get_by_test_id("referral-bundle-link").click()
    assert Path(download.value.path()).read_bytes() == bytes(referral.bundle.pdf)
    shoot(page, "ref-4-la-referral-to-decide")

    # A prosecution, sent first without a parent or the reasons the school will read: each error at its field.
    decision = page.get_by_role("group", name="Your decision")
    decision.get_by_label("Prosecute the parents").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_title(re.compile(r"^Error: Prosecution referral"))
    summary = _error_summary(page)
    links = summary.get_by_role("link")
    expect(links).to_have_text(["Choose at least one parent to prosecute.",
                                "Give the reasons for the decision: the school sees them."])
    expect(links.first).to_have_attribute("href", "#id_parents_0")
    expect(links.last).to_have_attribute("href", "#id_reasons")
    chosen = page.get_by_role("group", name="Which parents do you prosecute?")
    expect(chosen).to_have_attribute("aria-describedby", re.compile("parents-error"))
    expect(page.locator("#parents-error")).to_contain_text("Choose at least one parent")
    expect(page.locator("#id_reasons-error")).to_contain_text("Give the reasons for the decision")
    expect(decision.get_by_label("Prosecute the parents")).to_be_checked()  # what was chosen is kept
    shoot(page, "ref-5-la-decision-error")
    referral.refresh_from_db()
    assert referral.decision == "" and referral.decided_by is None
    assert PenaltyNotice.objects.get(pk=unpaid.pk).state == PenaltyNoticeState.UNPAID

    # By keyboard from the error summary to the parents (Daniel first, by name); Rachel is chosen, and her
    # offence is asked for under her name; then the reasons.
    links.first.click()
    expect(chosen.get_by_label("Daniel Hughes (Father)")).to_be_focused()
    rachel = chosen.get_by_label("Rachel Hughes (Mother)")
    rachel.check()
    offence = page.get_by_role("group", name="The offence Rachel Hughes is prosecuted for")
    expect(offence).to_be_visible()
    s444_1 = offence.get_by_label("s444(1) Education Act 1996: failure to secure regular attendance")
    s444_1.check()
    expect(s444_1).to_be_checked()
    reasons = page.get_by_label("Reasons for the decision")
    reasons.click()
    expect(reasons).to_be_focused()
    page.keyboard.type("The notice is unpaid and support was refused; a prosecution is in the public interest.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Decision recorded: Prosecute the parents"
    )
    expect(page.get_by_test_id("referral-status")).to_have_text("Decided: Prosecute the parents; outcome awaited")
    expect(page.get_by_test_id("referral-decision")).to_contain_text("Prosecute the parents (Fiona Hargreaves")
    expect(page.get_by_test_id("referral-prosecuted-parents")).to_have_text(
        "Rachel Hughes: s444(1) Education Act 1996: failure to secure regular attendance"
    )
    expect(page.get_by_test_id("referral-reasons")).to_have_text(
        "The notice is unpaid and support was refused; a prosecution is in the public interest."
    )
    # The unpaid notice goes with the prosecution; the paid one never does.
    expect(notices).to_contain_text(f"{unpaid.reference} to Rachel Hughes (referred for prosecution)")
    expect(notices).to_contain_text(f"{paid.reference} to Daniel Hughes (paid at the reduced rate)")

    # The outcome of the hearing, and the case goes back to the school with advice. Sent first with the result,
    # the parenting order and the advice left out: all three are asked for at once, at their fields.
    hearing = page.get_by_role("group", name="Date of the hearing")
    hearing.get_by_label("Day").fill(str(today.day))
    hearing.get_by_label("Month").fill(str(today.month))
    hearing.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Fine for Rachel Hughes, in pounds (if any)").fill("120")
    page.get_by_label("Notes on the outcome").fill("Fined at Fenby Magistrates' Court.")
    back_to_school = "Return the case to the school, with advice"
    page.get_by_role("group", name="What happens to the case now?").get_by_label(back_to_school).check()
    page.get_by_role("button", name="Record the outcome").click()
    links = _error_summary(page).get_by_role("link")
    rachel_pk = parents["Rachel"].pk
    expect(links).to_have_text(["Choose the result of the hearing for Rachel Hughes.",
                                "Say whether the court made a parenting order for Rachel Hughes.",
                                "Give the school your advice: the case returns to it."])
    expect(links.nth(0)).to_have_attribute("href", f"#id_result_{rachel_pk}_0")
    expect(links.nth(1)).to_have_attribute("href", f"#id_parenting_order_{rachel_pk}_0")
    expect(links.nth(2)).to_have_attribute("href", "#id_advice")
    expect(hearing.get_by_label("Day")).to_have_value(str(today.day))  # what was entered is kept
    expect(page.get_by_label("Fine for Rachel Hughes, in pounds (if any)")).to_have_value("120")
    shoot(page, "ref-6-la-outcome-error")
    referral.refresh_from_db()
    assert referral.conclusion == "" and referral.hearing_date is None and referral.finished is None

    page.get_by_role("group", name="Result of the hearing for Rachel Hughes").get_by_label("Convicted").check()
    page.get_by_role("group", name="Did the court make a parenting order for Rachel Hughes?").get_by_label("No").check()
    page.get_by_label("Your advice to the school").fill("Keep the support plan going; review with Rachel in 4 weeks.")
    shoot(page, "ref-7-la-outcome-form")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Outcome recorded")
    expect(page.get_by_test_id("referral-status")).to_have_text("Concluded: returned to the school with advice")
    record = page.get_by_test_id("referral-decision")
    expect(record).to_contain_text(f"{today:%-d %B %Y} (each parent's result above)")
    expect(page.get_by_test_id("referral-prosecuted-parents")).to_have_text(
        "Rachel Hughes: s444(1) Education Act 1996: failure to secure regular attendance. Convicted, fined £120.00, "
        "no parenting order"
    )
    expect(page.get_by_test_id("referral-advice")).to_have_text("Keep the support plan going; review with Rachel in 4 weeks.")
    expect(page.get_by_role("button", name="Record the outcome")).to_have_count(0)
    shoot(page, "ref-8-la-concluded")
    referral.refresh_from_db()
    assert (referral.decision, referral.offence, referral.decided_by) == ("prosecute", "s444_1", officer)
    assert (referral.hearing_date, referral.hearing_result, referral.fine_amount) == (today, "convicted", Decimal("120"))
    assert referral.parenting_order is False and referral.conclusion == "return_to_school"
    assert referral.finished is not None
    assert PenaltyNotice.objects.get(pk=unpaid.pk).state == PenaltyNoticeState.PROSECUTED
    assert PenaltyNotice.objects.get(pk=paid.pk).state == PenaltyNoticeState.PAID_REDUCED
    _sign_out(page)

    # The DSL finds the case still on the caseload, the LA's steps on its chronology, and the advice.
    sign_in(page, live_server, "dsl")
    page.get_by_test_id("case-table").get_by_role("link", name="Hughes, Amelia").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("Prosecution referral")
    open_case_section(page, "Chronology")
    chronology = page.get_by_test_id("chronology")
    expect(chronology).to_contain_text(
        "Prosecution referral decided by the local authority: Prosecute the parents: Rachel Hughes under s444(1)"
    )
    expect(chronology).to_contain_text(f"Prosecution outcome at the hearing of {today:%d %B %Y}: Rachel Hughes convicted")
    expect(chronology).to_contain_text("Case returned to the school by Fenshire County Council, with advice")
    expect(chronology).to_contain_text("Keep the support plan going; review with Rachel in 4 weeks.")
    text = chronology.inner_text()
    assert text.index("Case returned to the school") < text.index("Prosecution outcome") \
        < text.index("decided by the local authority") < text.index("Referred to Fenshire County Council")
    shoot(page, "ref-9-case-chronology", full_page=False)
    open_case_section(page, "Notices and referrals")
    section = page.get_by_test_id("prosecution-referrals")
    expect(section).to_contain_text("(concluded: prosecute the parents)")
    section.get_by_role("link", name=re.compile("Referral of")).click()
    expect(page.get_by_test_id("referral-status")).to_have_text("Concluded: returned to the school with advice")
    expect(page.get_by_test_id("referral-reasons")).to_contain_text("a prosecution is in the public interest")
    expect(page.get_by_test_id("referral-advice")).to_contain_text("review with Rachel in 4 weeks")
    shoot(page, "ref-10-school-referral-concluded")
    assert CaseEvent.objects.filter(case=case, summary__contains="returned to the school").count() == 1


def test_school_withdraws_a_draft_the_la_withdraws_an_issued_notice_and_enters_past_notices(
    live_server, page, shoot, demo_school
):
    today, dsl = demo_school["today"], demo_school["dsl"]
    # The school's own drafts: its LA's code of conduct leaves issuing to the school.
    CodeOfConduct.objects.filter(local_authority=demo_school["la"]).update(pn_issued_by=PenaltyNoticeIssuer.SCHOOL)
    case = _case_at_penalty_notice_stage(demo_school)
    parents = _parents(case.pupil)
    rachel = parents["Rachel"]
    issued = _issued(case, rachel, dsl, today - timedelta(days=10))
    draft = penalty_notice_draft(case=case, parent=parents["Daniel"], by=dsl)

    # The DSL withdraws the draft to Daniel from its page, first without saying why.
    sign_in(page, live_server, "dsl")
    page.get_by_test_id("case-table").get_by_role("link", name="Hughes, Amelia").click()
    open_case_section(page, "Notices and referrals")
    page.get_by_test_id("penalty-notices").get_by_role("link", name=draft.reference).click()
    expect(page.get_by_test_id("pn-state")).to_have_text("Draft")
    page.get_by_role("link", name=f"Withdraw this notice {draft.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw the penalty notice")
    # Still within the caseload, as the notice's own page says to screen readers and on screen.
    expect(page.get_by_role("link", name="Caseload", exact=True)).to_have_attribute("aria-current", "page")
    grounds = page.get_by_role("group", name="Why is the notice being withdrawn?")
    expect(grounds.get_by_role("radio")).to_have_count(4)
    expect(grounds).not_to_contain_text("decided not to prosecute")  # the LA's ground, not the school's
    page.get_by_role("button", name="Withdraw the notice").click()
    expect(page).to_have_title(re.compile(rf"^Error: Withdraw the penalty notice {draft.reference}"))
    summary = _error_summary(page)
    expect(summary.get_by_role("link")).to_have_text("Select why the notice is being withdrawn")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_ground_0")
    expect(page.locator("#ground-error")).to_contain_text("Select why the notice is being withdrawn")
    shoot(page, "ref-11-school-withdraw-error")
    assert PenaltyNotice.objects.get(pk=draft.pk).state == PenaltyNoticeState.DRAFT

    grounds.get_by_label("Another reason").check()
    page.get_by_label("Details").fill("Daniel does not live with Amelia; the LA advised a notice to Rachel only.")
    page.get_by_role("button", name="Withdraw the notice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Penalty notice {draft.reference} withdrawn"
    )
    expect(page.get_by_test_id("pn-state")).to_have_text("Withdrawn")
    expect(page.get_by_test_id("pn-record")).to_contain_text("Daniel does not live with Amelia")
    withdrawn = PenaltyNotice.objects.get(pk=draft.pk)
    assert withdrawn.state == PenaltyNoticeState.WITHDRAWN
    assert withdrawn.withdrawn_reason == "Daniel does not live with Amelia; the LA advised a notice to Rachel only."

    # The issued notice to Rachel is the LA's to withdraw: its page offers no withdrawal to the school.
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_test_id("penalty-notices").get_by_role("link", name=issued.reference).click()
    expect(page.get_by_test_id("pn-state")).to_have_text("Issued")
    expect(page.get_by_role("link", name=re.compile("Withdraw this notice"))).to_have_count(0)
    page.goto(f"{live_server.url}/cases/{case.pk}/penalty-notices/{issued.pk}/withdraw/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw the penalty notice")
    expect(page.get_by_role("main")).to_contain_text(
        "Once a notice is issued, only Fenshire County Council can withdraw it."
    )
    expect(page.get_by_role("button", name="Withdraw the notice")).to_have_count(0)
    shoot(page, "ref-12-school-withdraw-issued")
    _sign_out(page)

    # The LA officer withdraws it from the penalty notice register, with the grounds.
    sign_in(page, live_server, "la_officer")
    page.get_by_role("link", name="Penalty notices", exact=True).click()
    row = page.get_by_test_id("pn-table").locator(f"tr[data-reference='{issued.reference}']")
    expect(row).to_contain_text("Issued")
    row.get_by_role("link", name=issued.reference).click()
    form = page.get_by_test_id("withdraw-form")
    expect(form).to_be_hidden()
    page.locator("summary", has_text="Withdraw the notice").click()  # the details open on the form
    form.get_by_label("It contains a material error").check()
    form.get_by_label("Details").fill("The offence period printed on the notice is wrong.")
    shoot(page, "ref-13-la-withdraw")
    form.get_by_role("button", name="Withdraw the notice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Penalty notice {issued.reference} withdrawn"
    )
    expect(page.get_by_test_id("pn-state")).to_have_text("Withdrawn")
    expect(page.get_by_test_id("pn-record")).to_contain_text(
        "It contains a material error. The offence period printed on the notice is wrong."
    )
    issued.refresh_from_db()
    assert issued.state == PenaltyNoticeState.WITHDRAWN and issued.withdrawn_on == today

    # Then the notices from the LA's own records, one at a time: the first with its payment date left out.
    page.get_by_role("link", name="Back to penalty notices").click()
    page.get_by_test_id("past-notice-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a past penalty notice")
    # Within the three years before today, and after the 2024 framework began: both will count.
    first_on, second_on = today - timedelta(days=400), today - timedelta(days=200)
    _fill_past_notice(page, upn=case.pupil.upn, parent_ref=rachel.parent_ref, reference="FEN-0417",
                      issued_on=first_on, full="160.00", reduced="80.00", status="Paid")
    shoot(page, "ref-14-past-notice-form")
    page.get_by_role("button", name="Record the past notice").click()
    expect(page).to_have_title(re.compile(r"^Error: Enter a past penalty notice"))
    summary = _error_summary(page)
    expect(summary.get_by_role("link")).to_have_text("Date paid: enter the date it was paid (a paid notice needs one)")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_paid_day")
    expect(page.locator("#paid-error")).to_contain_text("Date paid: enter the date it was paid (a paid notice needs one)")
    expect(page.get_by_label("Notice reference")).to_have_value("FEN-0417")  # nothing typed is lost
    expect(page.get_by_role("group", name="What happened to the notice?").get_by_label("Paid", exact=True)).to_be_checked()
    shoot(page, "ref-15-past-notice-error")
    assert not PenaltyNotice.objects.filter(reference="FEN-0417").exists()

    paid_on = first_on + timedelta(days=14)  # within its 21 days
    _fill_date(page.get_by_role("group", name="Date paid"), paid_on)
    page.get_by_role("button", name="Record the past notice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Past penalty notice FEN-0417 recorded: paid at the reduced rate"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Penalty notice FEN-0417")
    expect(page.get_by_test_id("pn-state")).to_have_text("Paid at the reduced rate")
    expect(page.get_by_test_id("pn-record")).to_contain_text(f"{first_on:%-d %B %Y} · from the LA's records")
    expect(page.get_by_test_id("pn-paid")).to_contain_text(f"on {paid_on:%-d %B %Y}")  # its amount: see the last test
    shoot(page, "ref-16-past-notice-recorded")

    # A second one, unpaid; with the withdrawn notice out of the count, Rachel now has two that count.
    page.get_by_role("link", name="Back to penalty notices").click()
    page.get_by_test_id("past-notice-link").click()
    _fill_past_notice(page, upn=case.pupil.upn, parent_ref=rachel.parent_ref, reference="FEN-0902",
                      issued_on=second_on, full="160.00", reduced="", status="Unpaid after 28 days")
    page.get_by_role("button", name="Record the past notice").click()
    expect(page.get_by_test_id("pn-state")).to_have_text("Unpaid after 28 days")
    past = PenaltyNotice.objects.filter(reference__startswith="FEN-").order_by("issued_on")
    assert [(n.reference, n.state, n.imported, n.amount_full) for n in past] == [
        ("FEN-0417", PenaltyNoticeState.PAID_REDUCED, True, Decimal("160.00")),
        ("FEN-0902", PenaltyNoticeState.UNPAID, True, Decimal("160.00")),
    ]
    terms = penalty_notice_terms_for(pupil=case.pupil, parent=rachel, on=today)
    assert not terms.allowed and terms.counted_references == ("FEN-0417", "FEN-0902")


def _fill_date(group, on: date) -> None:
    group.get_by_label("Day").fill(str(on.day))
    group.get_by_label("Month").fill(str(on.month))
    group.get_by_label("Year").fill(str(on.year))


def _fill_past_notice(page, *, upn, parent_ref, reference, issued_on, full, reduced, status) -> None:
    page.get_by_label("Pupil's UPN").fill(upn)
    page.get_by_label("Parent reference").fill(parent_ref)
    page.get_by_label("Notice reference").fill(reference)
    _fill_date(page.get_by_role("group", name="Date issued"), issued_on)
    page.get_by_label("Full amount, in pounds").fill(full)
    page.get_by_label("Reduced amount, in pounds (optional)").fill(reduced)
    page.get_by_role("group", name="What happened to the notice?").get_by_label(status, exact=True).check()


def _scan_says(pupil, *, attended: int, possible: int = 200) -> None:
    """Test set-up: the latest attendance scan's figures for the pupil (what the letters quote)."""
    absent = possible - attended
    AttendanceSnapshot.objects.update_or_create(pupil=pupil, defaults={
        "as_of": timezone.localdate(), "possible_sessions": possible, "attended_sessions": attended,
        "attendance_pct": Decimal(str(rules.percent_one_place(attended, possible))),
        "persistent_absence": rules.is_persistent_absence(absent, possible),
        "severe_absence": rules.is_severe_absence(absent, possible), "unauthorised_in_window": 0,
        "pn_threshold_met": False, "pn_threshold_first_met": None, "pending_n_sessions": 0, "stale_n_sessions": 0,
        "illness_sessions": 0, "sickness_return_due": False, "unexplained_run_sessions": 0, "cme_risk": False,
        "late_marks_recent": 0, "lateness_concern": False,
    })


def _pupil_with_a_parent(school, forename, surname, parent_forename, *, attended: int):
    pupil = factories.PupilFactory(school=school, forename=forename, surname=surname)
    factories.ParentalRelationshipFactory(pupil=pupil, parent__forename=parent_forename, parent__surname=surname,
                                          parent__address="4 Mill Lane\nFenby\nFE2 3AB")
    _scan_says(pupil, attended=attended)
    return pupil


def test_dsl_makes_the_half_terms_concern_letters_and_prints_them_as_one_pdf(live_server, page, shoot, demo_school):
    school, today = demo_school["school"], demo_school["today"]
    amelia = demo_school["featured"]
    _scan_says(amelia, attended=176)  # 88.0%: letters to Rachel and Daniel, who both have parental responsibility
    _pupil_with_a_parent(school, "Ruby", "Ashworth", "Claire", attended=187)  # 93.5%: a letter
    _pupil_with_a_parent(school, "Sam", "Penrose", "Mark", attended=192)  # 96.0%: at the threshold, no letter
    # The scan's persistent absence alerts are a fortnight old, but Tom's was raised today: he is due the stronger
    # persistent absence letter this week, so the concern batch leaves him out.
    Alert.objects.filter(school=school, kind=AlertKind.PERSISTENT_ABSENCE).update(raised_on=today - timedelta(days=14))
    tom = _pupil_with_a_parent(school, "Tom", "Quayle", "Jess", attended=170)
    Alert.objects.create(pupil=tom, school=school, kind=AlertKind.PERSISTENT_ABSENCE, dedup_key="new",
                         raised_on=today, detail="Attendance 85.0% this academic year")

    sign_in(page, live_server, "dsl")
    page.get_by_role("link", name="Letters", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letters")
    concern = page.get_by_test_id("plan-concern")
    expect(concern.get_by_role("heading", level=2)).to_have_text("Attendance concern letters")
    expect(concern).to_contain_text("below 96.0%, the school's own threshold")
    expect(page.get_by_test_id("plan-count-concern")).to_have_text("3 letters")
    expect(concern).to_contain_text("to the parents of 2 pupils")
    expect(page.get_by_test_id("plan-count-persistent")).to_have_text("1 letter")
    expect(page.get_by_test_id("plan-persistent")).to_contain_text("to the parents of 1 pupil.")
    # Pupils below the threshold with no parent on record are named, so the school can find their parents.
    expect(concern.locator(".govuk-warning-text")).to_contain_text("no parent with parental responsibility")
    expect(page.get_by_role("main")).to_contain_text("No batches of letters yet.")
    concern.get_by_text("Who the letters are to").click()
    recipients = concern.locator(".govuk-details__text li")
    expect(recipients).to_have_text(["Claire Ashworth, about Ruby Ashworth (93.5%)",
                                     "Daniel Hughes, about Amelia Hughes (88.0%)",
                                     "Rachel Hughes, about Amelia Hughes (88.0%)"])
    shoot(page, "ref-17-letters")

    concern.get_by_role("button", name=re.compile(r"^Make 3 letters\s*: attendance concern letters$")).click()

    # Celery runs the batch (in-process here): the page shows it finished, each letter, and the PDF to print.
    title = f"Attendance concern letters, {today:%-d %B %Y}"
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_test_id("batch-status")).to_have_text("Ready to print")
    expect(page.get_by_test_id("batch-progress")).to_have_text("3 of 3 letters made (100%)")
    expect(page.locator("#batch-progress")).to_have_attribute("value", "100")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Ashworth, Ruby")
    expect(rows.nth(1)).to_contain_text("Daniel Hughes")
    shoot(page, "ref-18-batch-done")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download all 3 letters (PDF)").click()
    assert download.value.suggested_filename == f"attendance-concern-letters-{today:%-d-%B-%Y}.pdf".lower()
    pdf = Path(download.value.path()).read_bytes()
    batch = LetterBatch.objects.get()
    assert (batch.status, batch.kind, batch.total, batch.done) == (BatchStatus.DONE, "concern", 3, 3)
    letters = list(batch.letters.order_by("pupil__surname", "pk"))
    assert {letter.template for letter in letters} == {CONCERN_TEMPLATE}
    assert pdf == bytes(batch.combined_pdf)
    reader = PdfReader(io.BytesIO(pdf))
    pages_per_letter = [len(PdfReader(io.BytesIO(bytes(letter.pdf))).pages) for letter in letters]
    assert len(reader.pages) == sum(pages_per_letter) >= 3
    # One after another in surname order: each letter's first page greets its parent.
    starts = [sum(pages_per_letter[:i]) for i in range(3)]
    greetings = [reader.pages[start].extract_text() for start in starts]
    for greeting, name in zip(greetings, ["Claire Ashworth", "Daniel Hughes", "Rachel Hughes"], strict=True):
        assert f"Dear {name}" in greeting, greeting[:300]
    assert "93.5%" in greetings[0] and "88.0%" in greetings[1]

    # Back on the list: the batch is there, and the same pupils get no second letter this half term.
    page.get_by_role("link", name="Back to letters").click()
    row = page.get_by_test_id("batch-table").locator(f"tr[data-batch='{batch.pk}']")
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("Ready to print")
    expect(row).to_contain_text("3 of 3 (100%)")
    expect(page.get_by_test_id("plan-count-concern")).to_have_text("0 letters")
    expect(page.get_by_role("button", name=re.compile("attendance concern letters"))).to_have_count(0)
    shoot(page, "ref-19-letters-after")


# --- Known gaps of the past notice page, kept as strict expected failures: each fails today for the reason
# given, and turns into an unexpected pass (so the run fails) once the gap is closed. Small data, no demo school.


@pytest.fixture
def mum(pupil):
    parent = factories.ParentFactory(school=pupil.school, parent_ref="M1", forename="Jane", surname="Hughes")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="mother")
    return parent


def _open_past_notice_page(page, live_server) -> None:
    sign_in(page, live_server, "la_officer")
    page.get_by_role("link", name="Penalty notices", exact=True).click()
    page.get_by_test_id("past-notice-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a past penalty notice")


def _submitted(page):
    """After "Record the past notice": the error summary, or the recorded notice's success banner."""
    page.get_by_role("button", name="Record the past notice").click()
    outcome = page.locator(".govuk-error-summary, .govuk-notification-banner--success")
    expect(outcome).to_be_visible()
    return outcome


def test_a_past_paid_notice_shows_what_was_paid(live_server, page, la_officer, pupil, mum):
    _open_past_notice_page(page, live_server)
    _fill_past_notice(page, upn=pupil.upn, parent_ref="M1", reference="OLD-1", issued_on=date(2025, 3, 10),
                      full="160.00", reduced="80.00", status="Paid")
    _fill_date(page.get_by_role("group", name="Date paid"), date(2025, 3, 24))
    expect(_submitted(page)).to_contain_text("Past penalty notice OLD-1 recorded: paid at the reduced rate")
    expect(page.get_by_test_id("pn-paid")).to_contain_text("on 24 March 2025")
    assert "None" not in page.get_by_test_id("pn-paid").inner_text()


def test_a_running_batch_shows_its_progress_in_place_and_the_pdf_when_it_finishes(live_server, page, demo_school):
    school = demo_school["school"]
    batch = LetterBatch.objects.create(school=school, kind="concern", title="Attendance concern letters",
                                       status=BatchStatus.RUNNING, total=3, done=1, created_by=demo_school["dsl"],
                                       created_at=timezone.now())
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/schools/{school.urn}/letters/{batch.pk}/")
    expect(page.get_by_test_id("batch-progress")).to_have_text("1 of 3 letters made (33%)")
    page.evaluate("window.stillTheSamePage = true")

    # The worker makes another letter: the progress changes where it is, without reloading the page.
    LetterBatch.objects.filter(pk=batch.pk).update(done=2)
    expect(page.get_by_test_id("batch-progress")).to_have_text("2 of 3 letters made (66%)", timeout=8_000)
    assert page.evaluate("window.stillTheSamePage === true")

    # The batch finishes: the page reloads itself and offers the one PDF.
    LetterBatch.objects.filter(pk=batch.pk).update(done=3, status=BatchStatus.DONE, combined_pdf=b"%PDF-1.7",
                                                   finished_at=timezone.now())
    expect(page.get_by_role("button", name="Download all 3 letters (PDF)")).to_be_visible(timeout=8_000)
    assert page.evaluate("window.stillTheSamePage === undefined")


def test_dsl_asks_for_the_evidence_bundle_and_its_page_follows_it_to_the_download(
    live_server, page, shoot, demo_school
):
    """The bundle is made in the background: the case page asks (one mistake first: half an offence period),
    the bundle's own page shows where it has got to and then the download."""
    from notices.bundle.models import BundleStatus, EvidenceBundleRun

    case = case_open(pupil=demo_school["featured"], by=demo_school["dsl"], reason="Threshold met")
    today = demo_school["today"]
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/cases/{case.pk}/documents/")
    section = page.get_by_test_id("evidence-bundle")
    section.get_by_text("Choose the offence period (optional)").click()
    section.get_by_label("First day of the offence period").fill((today - timedelta(days=28)).isoformat())
    section.get_by_role("button", name="Make the evidence bundle").click()

    # Half a period: the bundle's page says which date is missing, and nothing is queued.
    expect(page.get_by_role("heading", level=1)).to_have_text("Make the evidence bundle")
    expect(page).to_have_title(re.compile(r"^Error: Make the evidence bundle"))
    summary = _error_summary(page)
    expect(summary.get_by_role("link")).to_have_text(
        "Give both the first and the last date of the offence period, or neither.")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_offence_to")
    expect(page.locator("#id_offence_to-error")).to_contain_text("Give both the first and the last date")
    shoot(page, "ref-20-bundle-error")
    assert not EvidenceBundleRun.objects.exists()

    summary.get_by_role("link").click()
    expect(page.get_by_label("Last day of the offence period")).to_be_focused()
    page.get_by_label("Last day of the offence period").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Make the evidence bundle").click()

    # The worker (in-process here) has made it by the time the page shows: ready, with the download.
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence bundle")
    expect(page.get_by_test_id("bundle-status")).to_have_text("Ready to download")
    shoot(page, "ref-21-bundle-done")
    run = EvidenceBundleRun.objects.get()
    with page.expect_download() as download:
        page.get_by_test_id("bundle-download").click()
    assert Path(download.value.path()).read_bytes() == bytes(run.bundle.pdf)

    # With a real worker the page first waits: it updates in place, then reloads itself with the download.
    waiting = EvidenceBundleRun.objects.create(case=case, requested_by=demo_school["dsl"],
                                               requested_at=timezone.now())
    page.goto(f"{live_server.url}/cases/{case.pk}/evidence-bundle/{waiting.pk}/")
    expect(page.get_by_test_id("bundle-status")).to_have_text("Waiting to start")
    shoot(page, "ref-22-bundle-waiting")
    page.evaluate("window.stillTheSamePage = true")
    EvidenceBundleRun.objects.filter(pk=waiting.pk).update(status=BundleStatus.RUNNING, started_at=timezone.now())
    expect(page.get_by_test_id("bundle-status")).to_have_text("Being made", timeout=8_000)
    assert page.evaluate("window.stillTheSamePage === true")
    # Made: a stored bundle is one run's (the first run's stands in for it).
    EvidenceBundleRun.objects.filter(pk=run.pk).update(bundle=None)
    EvidenceBundleRun.objects.filter(pk=waiting.pk).update(status=BundleStatus.DONE, bundle=run.bundle,
                                                          finished_at=timezone.now())
    expect(page.get_by_test_id("bundle-download")).to_be_visible(timeout=8_000)
    assert page.evaluate("window.stillTheSamePage === undefined")
