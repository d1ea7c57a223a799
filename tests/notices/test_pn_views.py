"""The penalty notice pages: the school drafts, consults the LA and issues with the terms in view first; the LA's
officer records payments, meets the urgent task when a referred notice is paid, and downloads the register."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import AuditEvent, Case, CaseState, Role
from notices.models import Letter, OfficerTask, OfficerTaskKind, PenaltyNotice, PenaltyNoticeState
from notices.penalty.letters import penalty_notice_issue_with_letter
from notices.penalty.register_views import REGISTER_COLUMNS
from notices.penalty.services import (
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_issue,
    penalty_notices_mark_unpaid,
)
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)  # a Thursday
OFFENCE = {"offence_from": dt.date(2026, 9, 14), "offence_to": dt.date(2026, 9, 18)}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def pn_case(case, school_issues_notices):
    # The register meets the threshold: ten G sessions in the week of 14 September 2026.
    factories.add_marks(case.pupil, dt.date(2026, 9, 14), ["G"] * 10)
    # Test set-up: the ladder's own tests walk a case to this stage; these start there.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


def _consulted(pn_case, parent, by) -> PenaltyNotice:
    # A later notice to the same parent is for a new offence: ten more G sessions, two weeks on each time.
    earlier = PenaltyNotice.objects.filter(case=pn_case, parent=parent).count()
    if earlier:
        factories.add_marks(pn_case.pupil, dt.date(2026, 9, 14) + dt.timedelta(weeks=2 * earlier), ["G"] * 10)
    notice = penalty_notice_draft(case=pn_case, parent=parent, by=by)
    return penalty_notice_consult_la(notice=notice, by=by)


def _issued(pn_case, parent, by, *, issued_on=dt.date(2026, 10, 1), letter=False) -> PenaltyNotice:
    notice = _consulted(pn_case, parent, by)
    if letter:
        penalty_notice_issue_with_letter(notice=notice, by=by, issued_on=issued_on, posted=True)
        return PenaltyNotice.objects.get(pk=notice.pk)
    return penalty_notice_issue(notice=notice, by=by, issued_on=issued_on, posted=True)


def _date(prefix: str, on: dt.date) -> dict:
    return {f"{prefix}_day": on.day, f"{prefix}_month": on.month, f"{prefix}_year": on.year}


def _draft_url(case) -> str:
    return reverse("penalty_notices:draft", kwargs={"case_pk": case.pk})


def _notice_url(notice, name="case_notice") -> str:
    return reverse(f"penalty_notices:{name}", kwargs={"case_pk": notice.case_id, "pk": notice.pk})


def _la_url(name: str, notice=None, code="873", **kwargs) -> str:
    if notice is not None:
        kwargs["pk"] = notice.pk
    return reverse(f"penalty_notices:{name}", kwargs={"code": code, **kwargs})


# --- the school's side: terms before issue ----------------------------------------------------------------


def test_url_names():
    assert reverse("penalty_notices:draft", kwargs={"case_pk": 4}) == "/cases/4/penalty-notices/new/"
    assert reverse("penalty_notices:register_csv", kwargs={"code": "873"}) == "/la/873/penalty-notices/register.csv"


def test_draft_page_shows_each_parents_terms_before_anything_is_saved(client, pn_case, mother, father, dsl):
    client.force_login(dsl)
    page = client.get(_draft_url(pn_case)).content.decode()
    assert "First penalty notice to Jane Hughes" in page
    assert "First penalty notice to Mark Hughes" in page
    assert "£80.00 if paid within 21 days of receipt, otherwise £160.00 within 28 days" in page
    assert not PenaltyNotice.objects.exists()


def test_a_third_notice_is_refused_on_the_pages_with_the_reason(client, pn_case, mother, dsl):
    first = _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 9, 21))
    second = _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 10, 5))
    client.force_login(dsl)

    draft_page = client.get(_draft_url(pn_case)).content.decode()
    assert 'class="govuk-warning-text"' in draft_page
    assert "A third penalty notice cannot be issued" in draft_page
    assert f"{first.reference} (21 September 2026) and {second.reference} (5 October 2026)" in draft_page

    third = _consulted(pn_case, mother, dsl)
    issue_page = client.get(_notice_url(third, "issue")).content.decode()
    assert "A third penalty notice cannot be issued" in issue_page
    assert "usually a prosecution referral" in issue_page
    assert "Issue the notice and make the letter" not in issue_page

    response = client.post(_notice_url(third, "issue"),
                           {**_date("issued", TODAY), "posted": "yes", "terms_on": TODAY.isoformat(), "confirm": "yes"})
    assert response.status_code == 200
    assert "A third penalty notice cannot be issued" in response.content.decode()
    assert PenaltyNotice.objects.get(pk=third.pk).state == PenaltyNoticeState.LA_CONSULTED
    assert not Letter.objects.filter(subject_key=f"penalty_notice:{third.pk}").exists()


def test_a_second_notice_shows_no_reduced_rate_before_issue(client, pn_case, mother, dsl):
    first = _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 9, 21))
    second = _consulted(pn_case, mother, dsl)
    client.force_login(dsl)
    page = client.get(_notice_url(second, "issue")).content.decode()
    assert "Second penalty notice to Jane Hughes" in page
    assert "£160.00 within 28 days of receipt (no reduced rate)" in page
    assert first.reference in page


def test_dsl_drafts_consults_and_issues_through_the_pages(client, pn_case, mother, dsl):
    client.force_login(dsl)
    response = client.post(_draft_url(pn_case), {"parent": str(mother.pk), **_date("from", OFFENCE["offence_from"]),
                                                 **_date("to", OFFENCE["offence_to"])})
    notice = PenaltyNotice.objects.get()
    assert response.status_code == 302 and response.url == _notice_url(notice)
    assert (notice.state, notice.parent, notice.offence_from, notice.offence_to) == (
        PenaltyNoticeState.DRAFT, mother, OFFENCE["offence_from"], OFFENCE["offence_to"])

    page = client.get(_notice_url(notice)).content.decode()
    assert "Record that the LA was consulted" in page and "First penalty notice" in page
    client.post(_notice_url(notice, "consult_la"), {"consult-confirmed": "on"})
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.LA_CONSULTED

    issue_page = client.get(_notice_url(notice, "issue")).content.decode()
    assert "Terms if issued on 26 November 2026" in issue_page
    assert "£80.00 if paid within 21 days" in issue_page
    response = client.post(_notice_url(notice, "issue"),
                           {**_date("issued", TODAY), "posted": "yes", "terms_on": TODAY.isoformat(), "confirm": "yes"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == PenaltyNoticeState.ISSUED
    # Posted on a Thursday: treated as received the second working day after, Monday 30 November.
    assert (notice.received_on, notice.reduced_by, notice.full_by) == (
        dt.date(2026, 11, 30), dt.date(2026, 12, 20), dt.date(2026, 12, 27))
    letter = Letter.objects.get(subject_key=f"penalty_notice:{notice.pk}")
    assert (letter.parent, letter.recipient, letter.case) == (mother, f"parent:{mother.pk}", pn_case)

    case_page = client.get(reverse("case_notices", kwargs={"pk": pn_case.pk})).content.decode()
    assert notice.reference in case_page and "Issued" in case_page
    notice_page = client.get(_notice_url(notice)).content.decode()
    assert reverse("notices:letter_pdf", args=[letter.pk]) in notice_page


def test_a_different_date_of_issue_shows_its_terms_before_issuing(client, pn_case, mother, dsl):
    notice = _consulted(pn_case, mother, dsl)
    client.force_login(dsl)
    earlier = dt.date(2026, 11, 20)
    form = {**_date("issued", earlier), "posted": "no", "terms_on": TODAY.isoformat(), "confirm": "yes"}
    page = client.post(_notice_url(notice, "issue"), form)
    assert page.status_code == 200
    assert "Terms if issued on 20 November 2026" in page.content.decode()
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.LA_CONSULTED

    client.post(_notice_url(notice, "issue"), {**form, "terms_on": earlier.isoformat()})
    notice.refresh_from_db()
    assert (notice.state, notice.issued_on, notice.received_on) == (PenaltyNoticeState.ISSUED, earlier, earlier)


def test_draft_prefills_the_offence_period_from_the_threshold_window(client, pn_case, pupil, mother, dsl):
    # The fixture's register: ten G sessions in the week of 14 September.
    client.force_login(dsl)
    page = client.get(_draft_url(pn_case) + f"?parent={mother.pk}").content.decode()
    assert "Threshold met on 18 September 2026" in page
    for name, value in (("from_day", 14), ("from_month", 9), ("from_year", 2026), ("to_day", 18), ("to_month", 9)):
        assert f'name="{name}" type="text" inputmode="numeric" value="{value}"' in page
    assert f'value="{mother.pk}" checked' in page


def test_draft_form_shows_errors_without_saving(client, pn_case, mother, dsl):
    client.force_login(dsl)
    response = client.post(_draft_url(pn_case), {**_date("from", dt.date(2026, 9, 18)),
                                                 **_date("to", dt.date(2026, 9, 14))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select the parent or carer the notice is to" in page
    assert "The last date of the offence period must be the same as or after the first" in page
    assert not PenaltyNotice.objects.exists()


def test_consulting_needs_the_box_ticked(client, pn_case, mother, dsl):
    notice = penalty_notice_draft(case=pn_case, parent=mother, by=dsl, **OFFENCE)
    client.force_login(dsl)
    response = client.post(_notice_url(notice, "consult_la"), {})
    assert response.status_code == 200
    assert "Confirm that you have checked with the local authority" in response.content.decode()
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.DRAFT


def test_a_case_not_at_the_stage_offers_no_draft(client, case, mother, dsl, school_issues_notices):
    client.force_login(dsl)
    page = client.get(_draft_url(case)).content.decode()
    assert "The case must be at the penalty notice stage first" in page
    assert "Save the draft notice" not in page


def test_school_pages_are_scoped_to_the_school_and_the_casework_roles(client, pn_case, mother, dsl, headteacher,
                                                                      other_school_dsl, la_officer):
    notice = penalty_notice_draft(case=pn_case, parent=mother, by=dsl, **OFFENCE)
    client.force_login(other_school_dsl)
    assert client.get(_draft_url(pn_case)).status_code == 404
    assert client.get(_notice_url(notice)).status_code == 404
    client.force_login(headteacher)
    assert client.get(_notice_url(notice)).status_code == 200
    assert client.get(_draft_url(pn_case)).status_code == 403
    assert client.post(_notice_url(notice, "consult_la"), {"consult-confirmed": "on"}).status_code == 403
    client.force_login(la_officer)
    assert client.get(_notice_url(notice)).status_code == 403


def test_school_withdraws_a_draft_with_its_grounds(client, pn_case, mother, dsl):
    notice = penalty_notice_draft(case=pn_case, parent=mother, by=dsl, **OFFENCE)
    client.force_login(dsl)
    assert "Select why the notice is being withdrawn" in client.post(_notice_url(notice, "school_withdraw"), {}).content.decode()
    client.post(_notice_url(notice, "school_withdraw"), {"ground": "wrong_person"})
    notice.refresh_from_db()
    assert notice.state == PenaltyNoticeState.WITHDRAWN
    assert notice.withdrawn_reason == "It was issued to the wrong person."


# --- the LA's side ----------------------------------------------------------------------------------------


def test_la_officer_sees_the_notice_in_the_list_and_the_service_navigation(client, pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    client.force_login(la_officer)
    page = client.get(_la_url("la_list")).content.decode()
    assert "Penalty notices" in page and notice.reference in page and "Jane Hughes" in page
    assert 'href="/la/873/penalty-notices/"' in page


@pytest.mark.parametrize(
    ("paid_on", "amount", "state_label"),
    [(dt.date(2026, 10, 25), "£80", "Paid at the reduced rate"), (dt.date(2026, 10, 26), "160.00", "Paid in full")],
    ids=["day-21-reduced", "day-22-full"],
)
def test_la_records_a_payment_at_the_reduced_or_full_rate(client, pn_case, mother, dsl, la_officer, paid_on, amount,
                                                          state_label):
    notice = _issued(pn_case, mother, dsl)  # received 5 October: £80 by 25 October, £160 by 1 November
    client.force_login(la_officer)
    page = client.get(_la_url("la_notice", notice)).content.decode()
    assert "£80.00 if received by 25 October 2026, otherwise £160.00" in page
    response = client.post(_la_url("la_payment", notice), {**_date("payment-paid", paid_on), "payment-amount": amount})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert state_label in page
    notice.refresh_from_db()
    assert notice.paid_on == paid_on and notice.paid_amount == Decimal(amount.strip("£"))


def test_eighty_pounds_after_the_reduced_date_is_refused_on_the_page(client, pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    client.force_login(la_officer)
    response = client.post(_la_url("la_payment", notice), {**_date("payment-paid", dt.date(2026, 10, 26)),
                                                           "payment-amount": "80"})
    assert response.status_code == 200
    assert "must be £160.00, an amount of this notice" in response.content.decode()
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.ISSUED


def test_payment_form_shows_errors_without_saving(client, pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    client.force_login(la_officer)
    response = client.post(_la_url("la_payment", notice), {"payment-amount": "eighty"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter the date the payment was received" in page
    assert "Amount paid must be a number" in page
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.ISSUED


def test_paid_after_referral_shows_the_urgent_task_first(client, pn_case, mother, father, dsl, la_officer):
    referred = _issued(pn_case, mother, dsl)
    unpaid = _issued(pn_case, father, dsl)
    penalty_notices_mark_unpaid(today=dt.date(2026, 11, 3))
    client.force_login(la_officer)
    client.post(_la_url("la_refer", referred), {"refer-confirmed": "on"})
    assert PenaltyNotice.objects.get(pk=referred.pk).state == PenaltyNoticeState.PROSECUTED

    # Paid in time (on the last day) but recorded only after the referral: the referral must stop.
    client.post(_la_url("la_payment", referred), {**_date("payment-paid", referred.full_by),
                                                  "payment-amount": "160"})
    assert PenaltyNotice.objects.get(pk=referred.pk).state == PenaltyNoticeState.PAID_FULL

    page = client.get(_la_url("la_list")).content.decode()
    stop = page.index("Paid after referral: withdraw the prosecution now")
    decide = page.index("Unpaid after 28 days: decide to prosecute or withdraw")
    assert stop < decide  # urgent first
    assert '<strong class="govuk-tag govuk-tag--red">Urgent</strong>' in page[:stop]
    assert unpaid.reference in page[decide:]

    task = OfficerTask.objects.get(kind=OfficerTaskKind.STOP_PROSECUTION)
    detail = client.get(_la_url("la_notice", referred)).content.decode()
    assert "Urgent task" in detail and "I confirm the prosecution has been withdrawn" in detail
    missing = client.post(_la_url("la_task_done", task_pk=task.pk), {"task-note": "Court told"})
    assert "Confirm that the prosecution has been withdrawn" in missing.content.decode()
    assert OfficerTask.objects.get(pk=task.pk).done_at is None
    client.post(_la_url("la_task_done", task_pk=task.pk),
                {"task-confirmed": "on", "task-note": "Court and prosecutor told on 20 November"})
    task.refresh_from_db()
    assert task.done_by == la_officer
    assert 'data-testid="task-stop_prosecution"' not in client.get(_la_url("la_list")).content.decode()


def test_an_unpaid_decision_task_cannot_be_ticked_off(client, pn_case, mother, dsl, la_officer):
    _issued(pn_case, mother, dsl)
    penalty_notices_mark_unpaid(today=dt.date(2026, 11, 3))
    task = OfficerTask.objects.get()
    client.force_login(la_officer)
    response = client.post(_la_url("la_task_done", task_pk=task.pk), {"task-confirmed": "on", "task-note": "done"})
    assert "Decide on the unpaid notice instead" in response.content.decode()
    assert OfficerTask.objects.get(pk=task.pk).done_at is None


def test_la_withdraws_an_unpaid_notice_with_its_grounds(client, pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    penalty_notices_mark_unpaid(today=dt.date(2026, 11, 3))
    client.force_login(la_officer)
    errors = client.post(_la_url("la_withdraw", notice), {"withdraw-ground": "other"}).content.decode()
    assert "Enter the reason for withdrawing the notice" in errors
    client.post(_la_url("la_withdraw", notice), {"withdraw-ground": "not_prosecuting", "withdraw-details": "Family moved"})
    notice.refresh_from_db()
    assert notice.state == PenaltyNoticeState.WITHDRAWN
    assert "decided not to prosecute" in notice.withdrawn_reason and "Family moved" in notice.withdrawn_reason
    assert not OfficerTask.objects.filter(done_at__isnull=True).exists()


def test_la_list_filters_by_school_and_state(client, pn_case, mother, father, dsl, la_officer, other_school):
    issued = _issued(pn_case, mother, dsl)
    draft = penalty_notice_draft(case=pn_case, parent=father, by=dsl, **OFFENCE)
    client.force_login(la_officer)
    only_issued = client.get(_la_url("la_list") + "?state=issued").content.decode()
    assert issued.reference in only_issued and draft.reference not in only_issued
    other = client.get(_la_url("la_list") + f"?school={other_school.urn}").content.decode()
    assert issued.reference not in other and "No notices match these filters" in other


def _other_la_officer():
    la = factories.LocalAuthorityFactory(code="312", name="Riverside Borough Council")
    user = factories.UserFactory(username="riverside_officer")
    factories.StaffProfileFactory(user=user, role=Role.LA_OFFICER, position="Attendance Officer", school=None,
                                  local_authority=la)
    return user


def test_la_pages_are_for_that_las_officers_only(client, pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    client.force_login(dsl)
    assert client.get(_la_url("la_list")).status_code == 403
    assert client.get(_la_url("la_notice", notice)).status_code == 403
    client.force_login(_other_la_officer())
    assert client.get(_la_url("la_list")).status_code == 404
    assert client.get(_la_url("la_notice", notice, code="312")).status_code == 404
    assert client.post(_la_url("la_payment", notice, code="312"),
                       {**_date("payment-paid", TODAY), "payment-amount": "160"}).status_code == 404
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.ISSUED


# --- the register -----------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # the BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_register_csv_has_the_header_and_one_row_per_notice(client, pn_case, pupil, mother, father, dsl, la_officer,
                                                            other_la_school):
    paid = _issued(pn_case, mother, dsl, letter=True)
    draft = penalty_notice_draft(case=pn_case, parent=father, by=dsl, **OFFENCE)
    elsewhere = factories.ParentalRelationshipFactory(pupil__school=other_la_school)
    PenaltyNotice.objects.create(
        local_authority=other_la_school.local_authority, reference="PN-312-OLD", pupil=elsewhere.pupil,
        parent=elsewhere.parent, state=PenaltyNoticeState.ISSUED, imported=True, issued_on=dt.date(2025, 1, 6),
        amount_full=Decimal("160.00"), created_at=pn_case.opened_at,
    )
    client.force_login(la_officer)
    client.post(_la_url("la_payment", paid), {**_date("payment-paid", dt.date(2026, 10, 20)), "payment-amount": "80"})
    letter = Letter.objects.get(subject_key=f"penalty_notice:{paid.pk}")

    response = client.get(_la_url("register_csv"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="penalty-notices-873-2026-11-26.csv"'
    rows = _csv(response)
    assert rows[0] == REGISTER_COLUMNS
    assert len(rows) == 3  # the header, the paid notice and the draft; another LA's notice is not in it
    by_reference = {row[0]: dict(zip(REGISTER_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert set(by_reference) == {paid.reference, draft.reference}
    row = by_reference[paid.reference]
    assert row == {
        "reference": paid.reference, "school_urn": "123456", "school_name": "Meadow Lane Primary School",
        "pupil_upn": "A123456789012", "pupil_name": "Amelia Hughes", "parent_name": "Jane Hughes",
        "parent_ref": mother.parent_ref, "issued_on": "2026-10-01", "received_on": "2026-10-05", "sequence": "1",
        "amount_full": "160.00", "amount_reduced": "80.00", "reduced_by": "2026-10-25", "full_by": "2026-11-01",
        "state": "Paid at the reduced rate", "paid_on": "2026-10-20", "paid_amount": "80.00", "withdrawn_on": "",
        "withdrawn_reason": "", "referred_on": "", "offence_from": "2026-09-14", "offence_to": "2026-09-18",
        "imported": "N", "letter_sha256": letter.sha256,
    }
    assert by_reference[draft.reference]["state"] == "Draft"
    assert by_reference[draft.reference]["issued_on"] == ""
    assert by_reference[draft.reference]["letter_sha256"] == ""
    assert AuditEvent.objects.filter(action="penalty_notice.register", user=la_officer).count() == 1


def test_register_csv_reads_the_notices_in_one_query(client, pn_case, mother, father, dsl, la_officer):
    _issued(pn_case, mother, dsl, letter=True)
    _issued(pn_case, father, dsl, letter=True)
    client.force_login(la_officer)
    response = client.get(_la_url("register_csv"))
    with CaptureQueriesContext(connection) as queries:
        rows = _csv(response)
    assert len(rows) == 3
    assert len(queries.captured_queries) == 1


def test_register_csv_is_refused_to_school_staff_and_another_las_officer(client, pn_case, mother, dsl, la_officer):
    _issued(pn_case, mother, dsl)
    client.force_login(dsl)
    assert client.get(_la_url("register_csv")).status_code == 403
    client.force_login(_other_la_officer())
    assert client.get(_la_url("register_csv")).status_code == 404
    assert client.get(_la_url("register_csv", code="312")).status_code == 200
    assert len(_csv(client.get(_la_url("register_csv", code="312")))) == 1  # the header: none of 873's notices
    assert not AuditEvent.objects.filter(action="penalty_notice.register", user__username="dsl").exists()


def test_register_page_lists_the_notices_with_the_download_link(client, pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    client.force_login(la_officer)
    page = client.get(_la_url("register")).content.decode()
    assert notice.reference in page and 'href="/la/873/penalty-notices/register.csv"' in page


# --- facts that can be true: a payment is one of the notice's amounts, on a day between issue and today -------

ABSURD_YEAR = "99999999999999999999"


@pytest.mark.parametrize(
    ("paid_on", "amount", "outcome"),
    [
        (dt.date(2026, 10, 10), "80.00", PenaltyNoticeState.PAID_REDUCED),
        (dt.date(2026, 10, 10), "160.00", PenaltyNoticeState.PAID_FULL),
        (dt.date(2026, 10, 10), "100.00", "must be £80.00 or £160.00, an amount of this notice"),
        (dt.date(2026, 10, 10), "79.99", "must be £80.00 or £160.00"),
        (dt.date(2026, 10, 29), "80.00", "on 29 October 2026 must be £160.00, an amount of this notice"),
        (dt.date(2026, 10, 29), "160.01", "must be £160.00"),
        (dt.date(2026, 10, 10), "80.001", "must be in whole pence"),
        (dt.date(2026, 10, 10), "NaN", "must be an amount in pounds and pence"),
        (dt.date(2026, 10, 10), "-80", "must be more than £0"),
        (dt.date(2026, 9, 30), "80.00", r"The date of the payment must be on or after the date the notice was issued"),
        (dt.date(2026, 11, 27), "160.00", "The date of the payment must be today or in the past"),
    ],
    ids=["reduced-in-time", "full-in-time", "neither-amount", "a-penny-short", "reduced-too-late", "a-penny-over",
         "fraction-of-a-penny", "nan", "negative", "before-issue", "tomorrow"],
)
def test_a_payment_is_one_of_the_notices_amounts_on_a_day_it_could_be_paid(pn_case, mother, dsl, la_officer, paid_on,
                                                                           amount, outcome):
    from cases.facts import ImpossibleFact
    from notices.penalty.services import penalty_notice_record_payment

    notice = _issued(pn_case, mother, dsl)  # received 5 October: £80 within 21 days, £160 within 28
    if isinstance(outcome, PenaltyNoticeState):
        paid = penalty_notice_record_payment(notice=notice, by=la_officer, paid_on=paid_on, amount=Decimal(amount))
        assert (paid.state, paid.paid_amount) == (outcome, Decimal(amount))
        return
    with pytest.raises(ImpossibleFact, match=outcome) as refused:
        penalty_notice_record_payment(notice=notice, by=la_officer, paid_on=paid_on, amount=Decimal(amount))
    assert refused.value.field in ("amount", "paid_on")
    notice.refresh_from_db()
    assert (notice.state, notice.paid_on, notice.paid_amount) == (PenaltyNoticeState.ISSUED, None, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"payment-paid_year": ABSURD_YEAR, "payment-amount": "80"}, "Year must include 4 numbers"),
        ({"payment-paid_month": ABSURD_YEAR, "payment-amount": "80"}, "must be a real date"),
        ({"payment-amount": "NaN"}, "Amount paid must be a number"),
        ({"payment-amount": "Infinity"}, "Amount paid must be a number"),
        ({"payment-amount": "1e309"}, "Amount paid must be less than £100,000"),
        ({"payment-amount": "100"}, '<a href="#id_payment-amount">A payment of PN-873-2026-00001 on 10 October 2026 '
                                    "must be £80.00 or £160.00"),
        ({"payment-paid_day": "30", "payment-paid_month": "9", "payment-amount": "80"},
         '<a href="#id_payment-paid_day">The date of the payment must be on or after the date the notice was issued'),
    ],
    ids=["absurd-year", "absurd-month", "nan", "infinity", "1e309", "not-an-amount-of-the-notice", "before-issue"],
)
def test_the_payment_form_says_what_is_wrong_and_saves_nothing(client, pn_case, mother, dsl, la_officer, fields,
                                                               message):
    notice = _issued(pn_case, mother, dsl)
    client.force_login(la_officer)
    data = {**_date("payment-paid", dt.date(2026, 10, 10)), **fields}
    response = client.post(_la_url("la_payment", notice), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.ISSUED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"from_year": ABSURD_YEAR}, "Year must include 4 numbers"),
        ({"to_day": ABSURD_YEAR}, "The last date of the offence period must be a real date"),
        ({**_date("to", dt.date(2026, 11, 27))},
         '<a href="#id_to_day">The last date of the offence period must be today or in the past'),
        ({**_date("from", dt.date(1999, 12, 31))},
         '<a href="#id_from_day">The first date of the offence period must be on or after 1 January 2000'),
    ],
    ids=["absurd-year", "absurd-day", "ends-tomorrow", "starts-in-1999"],
)
def test_the_draft_form_refuses_impossible_dates_on_their_field(client, pn_case, mother, dsl, fields, message):
    client.force_login(dsl)
    data = {"parent": str(mother.pk), **_date("from", OFFENCE["offence_from"]), **_date("to", OFFENCE["offence_to"]),
            **fields}
    response = client.post(_draft_url(pn_case), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PenaltyNotice.objects.exists()


def test_the_issue_form_survives_an_absurd_year_and_issues_nothing(client, pn_case, mother, dsl):
    notice = _consulted(pn_case, mother, dsl)
    client.force_login(dsl)
    response = client.post(_notice_url(notice, "issue"), {**_date("issued", TODAY), "issued_year": ABSURD_YEAR,
                                                          "posted": "yes", "terms_on": TODAY.isoformat(), "confirm": "yes"})
    assert response.status_code == 200 and "Year must include 4 numbers" in response.content.decode()
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.LA_CONSULTED


def test_withdrawal_grounds_have_the_free_text_limit(client, pn_case, mother, dsl, la_officer):
    from cases.facts import LONG_TEXT_MAX, ImpossibleFact
    from notices.penalty.services import penalty_notice_withdraw

    notice = _issued(pn_case, mother, dsl)
    with pytest.raises(ImpossibleFact, match="must be 10,000 characters or fewer") as refused:
        penalty_notice_withdraw(notice=notice, by=la_officer, reason="x" * (LONG_TEXT_MAX + 1))
    assert refused.value.field == "details"
    client.force_login(la_officer)
    response = client.post(_la_url("la_withdraw", notice), {"withdraw-ground": "other",
                                                            "withdraw-details": "x" * (LONG_TEXT_MAX + 1)})
    assert "Enter 10,000 characters or fewer" in response.content.decode()
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.ISSUED
    withdrawn = penalty_notice_withdraw(notice=notice, by=la_officer, reason="x" * LONG_TEXT_MAX)
    assert (withdrawn.state, withdrawn.withdrawn_on) == (PenaltyNoticeState.WITHDRAWN, TODAY)


def test_issuing_asks_for_confirmation_with_the_terms_and_issues_nothing_until_confirmed(client, pn_case, mother, dsl):
    notice = _consulted(pn_case, mother, dsl)
    client.force_login(dsl)
    form = {**_date("issued", TODAY), "posted": "yes", "terms_on": TODAY.isoformat()}
    page = client.post(_notice_url(notice, "issue"), form).content.decode()
    assert "Check before you issue the penalty notice" in page
    consequences = re.search(r'data-testid="confirm-consequences"(.*?)</ul>', page, re.S).group(1)
    assert f"{notice.reference} is issued to {mother} on 26 November 2026, by post" in consequences
    assert "£80.00 if paid within 21 days" in consequences
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.LA_CONSULTED
    assert not Letter.objects.filter(subject_key=f"penalty_notice:{notice.pk}").exists()

    assert client.post(_notice_url(notice, "issue"), {**form, "confirm": "yes"}).status_code == 302
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.ISSUED
