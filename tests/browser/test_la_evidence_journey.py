"""The LA officer decides with the evidence at hand: from a penalty notice request she opens the pupil's register
(the offence's sessions marked, a count of each code) and, finding no evidence bundle made since the request was
sent, makes one and downloads it; then she decides the school's prosecution referral, first without choosing a
parent (told to choose one), then choosing one parent under s444(1A)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseState, Mark, PenaltyNoticeConsideration, Role
from cases.services import case_open
from notices.models import (
    Letter,
    PenaltyNotice,
    PenaltyNoticeState,
    ProsecutedParent,
    ProsecutionReferral,
)
from notices.review.services.referrals import referral_assign, referral_start
from notices.review.services.requests import pn_request_start
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _parents(pupil) -> dict:
    return {link.parent.forename: link.parent for link in pupil.parent_links.select_related("parent")}


def _notice(case, parent, reference):
    issued_on = timezone.localdate() - timedelta(days=40)
    return PenaltyNotice.objects.create(
        local_authority=case.school.local_authority, reference=reference, pupil=case.pupil, parent=parent, case=case,
        state=PenaltyNoticeState.UNPAID, issued_on=issued_on, full_by=issued_on + timedelta(days=28),
        amount_full=Decimal("160.00"), imported=True, created_at=timezone.now(),
    )


def test_the_la_officer_reads_the_register_and_bundle_then_chooses_the_parent_to_prosecute(
    live_server, page, shoot, demo_school
):
    pupil, dsl, officer = demo_school["featured"], demo_school["dsl"], demo_school["la_officer"]
    # Test set-up: the pupil's latest 12 sessions unauthorised, so the threshold is certainly met.
    latest = list(Mark.objects.filter(pupil=pupil).order_by("-date", "-session").values_list("pk", flat=True)[:12])
    Mark.objects.filter(pk__in=latest).update(code="O")
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met; support refused")
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)  # the ladder's journey walks up
    case = Case.objects.get(pk=case.pk)
    head = factories.UserFactory(username="head", first_name="Helen", last_name="Marsh")
    factories.StaffProfileFactory(user=head, role=Role.HEADTEACHER, position="Headteacher", school=demo_school["school"])
    PenaltyNoticeConsideration.objects.create(
        case=case, recorded_at=timezone.now(), recorded_by=dsl, threshold_first_met=timezone.localdate(),
        why_penalty_notice_is_the_best_tool="Support offered and refused", alternatives_considered="NTI ended",
        equality_act_consideration="No SEND", authorised_by=head, authorised_at=timezone.now(),
    )
    parents = _parents(pupil)
    pn_request = pn_request_start(case=case, by=dsl, parents=[parents["Rachel"]], reason="Please issue to Rachel.")

    # From the request page, the register: the offence's sessions marked, as the request page states them.
    sign_in(page, live_server, "la_officer")
    page.goto(f"{live_server.url}/la/873/requests/{pn_request.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Penalty notice request for Amelia Hughes")
    expect(page.get_by_test_id("pn-request-no-bundle")).to_have_text("No evidence bundle has been made for this case.")
    shoot(page, "lae-1-request-evidence")
    page.get_by_test_id("pn-request-register-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register of Amelia Hughes")
    expect(page).to_have_title(re.compile(r"^Register of Amelia Hughes"))
    stated = page.get_by_test_id("evidence-offence")
    expect(stated).to_contain_text("Threshold met on")
    sessions = int(re.search(r"The (\d+) sessions? the offence counts", stated.inner_text()).group(1))
    period = page.get_by_test_id("evidence-period-grid")
    expect(period.locator('[data-counted="true"]')).to_have_count(sessions)
    codes = page.get_by_test_id("evidence-code-counts")
    expect(codes.locator('tr[data-code="O"]')).to_be_visible()
    shoot(page, "lae-2-register")

    # Back on the request: no bundle was made since it was sent, so she makes one and downloads it.
    page.get_by_role("link", name="Back to the penalty notice request").click()
    page.get_by_role("button", name="Make an evidence bundle").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Evidence bundle version 1 made")
    expect(page.get_by_role("button", name="Make an evidence bundle")).to_have_count(0)
    bundle = Letter.objects.get(case=case)
    assert bundle.generated_by == officer
    with page.expect_download() as download:
        page.get_by_test_id("pn-request-bundle-link").click()
    assert Path(download.value.path()).read_bytes() == bytes(bundle.pdf)

    # Later both parents' notices went unpaid and the school referred the case; she takes the referral.
    _notice(case, parents["Rachel"], "PN-R")
    _notice(case, parents["Daniel"], "PN-D")
    referral = referral_start(case=Case.objects.get(pk=case.pk), by=dsl, reason="Both notices unpaid.")
    referral_assign(referral=referral, by=officer)
    page.goto(f"{live_server.url}/la/873/referrals/{referral.pk}/")
    page.get_by_test_id("referral-register-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register of Amelia Hughes")
    expect(page.get_by_test_id("evidence-period-grid").locator('[data-counted="true"]')).to_have_count(
        len(referral.offence_record.sessions)
    )
    page.get_by_role("link", name="Back to the prosecution referral").click()

    # A prosecution without a parent chosen: told at the field, nothing saved.
    page.get_by_role("group", name="Your decision").get_by_label("Prosecute the parents").check()
    page.get_by_label("Reasons for the decision").fill("Neither notice was paid; support was refused.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_title(re.compile(r"^Error: Prosecution referral"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(["Choose at least one parent to prosecute."])
    expect(page.get_by_label("Reasons for the decision")).to_have_value("Neither notice was paid; support was refused.")
    shoot(page, "lae-3-referral-no-parent")
    assert not ProsecutedParent.objects.exists()
    assert ProsecutionReferral.objects.get(pk=referral.pk).decision == ""

    # Daniel alone, under s444(1A): only his notice goes to court.
    summary.get_by_role("link").click()
    chosen = page.get_by_role("group", name="Which parents do you prosecute?")
    daniel = chosen.get_by_label("Daniel Hughes (Father)")
    expect(daniel).to_be_focused()
    daniel.check()
    page.get_by_role("group", name="The offence Daniel Hughes is prosecuted for").get_by_label(
        re.compile(r"^s444\(1A\)")).check()
    shoot(page, "lae-4-referral-one-parent")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Decision recorded")
    expect(page.get_by_test_id("referral-prosecuted-parents")).to_have_text(
        "Daniel Hughes: s444(1A) Education Act 1996: knowingly failing to secure regular attendance"
    )
    shoot(page, "lae-5-referral-decided")
    assert [(p.parent, p.offence) for p in ProsecutedParent.objects.all()] == [(parents["Daniel"], "s444_1a")]
    assert PenaltyNotice.objects.get(reference="PN-D").state == PenaltyNoticeState.PROSECUTED
    assert PenaltyNotice.objects.get(reference="PN-R").state == PenaltyNoticeState.UNPAID
