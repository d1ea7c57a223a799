"""The interventions screens over HTTP: scoping (404/403), GOV.UK errors, refusals shown, redirects."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
import time_machine
from django.urls import reverse

from cases.models import CaseEvent, EventKind, SenStatus
from interventions.models import (
    AdjustmentArea,
    AdjustmentStatus,
    AttendanceContract,
    ContractStatus,
    EarlyHelp,
    LANotification,
    LeaveDecision,
    LeaveOfAbsenceRequest,
    NotificationKind,
    PartTimeTimetable,
    ReasonableAdjustment,
    SupportPlan,
    SupportPlanStatus,
)
from tests import factories
from tests.interventions.conftest import TODAY
from tests.interventions.factories import ReasonableAdjustmentFactory

D = dt.date


def _login(client, user):
    client.force_login(user)
    return client


def _url(name, *args):
    return reverse(f"interventions:{name}", args=args)


def _plan_post(**extra):
    data = {
        "barriers": "Anxiety about the journey",
        "review_on": "2025-12-12",
        "actions-TOTAL_FORMS": "3", "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "1", "actions-MAX_NUM_FORMS": "10",
        "actions-0-description": "Meet at the gate", "actions-0-owner": "Mrs Patel", "actions-0-due_on": "2025-11-28",
        "actions-1-description": "", "actions-1-owner": "", "actions-1-due_on": "",
        "actions-2-description": "School nurse referral", "actions-2-owner": "DSL", "actions-2-due_on": "2025-12-05",
    }
    data.update(extra)
    return data


def _summary(response) -> list[str]:
    html = response.content.decode()
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return [html_lib.unescape(m) for m in re.findall(r"<a [^>]*>(.*?)</a>", block.group(1))] if block else []


# --- access -------------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, case):
    response = client.get(_url("support_plan_create", case.pk))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_case_of_another_school_is_not_found(client, case, other_school_dsl):
    _login(client, other_school_dsl)
    for url in (_url("support_plan_create", case.pk), _url("contract_create", case.pk),
                _url("early_help_create", case.pk), _url("adjustment_create", case.pupil.upn),
                _url("part_time_create", case.pupil.upn)):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["headteacher", "la_officer"])
def test_a_role_that_may_not_record_support_is_forbidden(client, request, case, persona):
    _login(client, request.getfixturevalue(persona))
    response = client.post(_url("support_plan_create", case.pk), _plan_post())
    assert response.status_code == 403
    assert not SupportPlan.objects.exists()


def test_attendance_officer_may_not_record_adjustments(client, pupil, attendance_officer):
    _login(client, attendance_officer)
    assert client.get(_url("adjustment_create", pupil.upn)).status_code == 403


# --- support plans -----------------------------------------------------------------------------------------


def test_support_plan_form_saves_the_filled_action_rows_and_returns_to_the_case(client, case, dsl):
    _login(client, dsl)
    page = client.get(_url("support_plan_create", case.pk))
    assert page.status_code == 200 and b"<h1 class=\"govuk-heading-l\">New support plan</h1>" in page.content

    response = client.post(_url("support_plan_create", case.pk), _plan_post())

    assert response.status_code == 302 and response.url == reverse("case_support", args=[case.pk])
    plan = SupportPlan.objects.get(case=case)
    assert sorted(plan.actions.values_list("owner", flat=True)) == ["DSL", "Mrs Patel"]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.SUPPORT_PLAN).count() == 1


def test_support_plan_with_no_action_shows_gov_uk_errors(client, case, dsl):
    _login(client, dsl)
    response = client.post(_url("support_plan_create", case.pk), _plan_post(**{
        "barriers": "", "actions-0-description": "", "actions-0-owner": "", "actions-0-due_on": "",
        "actions-2-description": "", "actions-2-owner": "", "actions-2-due_on": "",
    }))
    assert response.status_code == 200
    assert _summary(response) == [
        "Enter the barriers to attendance the plan addresses",
        "Add at least one action: what will be done, who will do it, and by when",
    ]
    html = response.content.decode()
    assert 'href="#id_actions-0-description"' in html and "govuk-form-group--error" in html
    assert not SupportPlan.objects.exists()


def test_a_half_filled_action_row_says_what_is_missing(client, case, dsl):
    _login(client, dsl)
    response = client.post(_url("support_plan_create", case.pk), _plan_post(**{"actions-1-description": "Call home"}))
    assert _summary(response) == ["Enter who will do the action", "Enter the date the action is due"]
    assert 'href="#id_actions-1-owner"' in response.content.decode()
    assert response.content.count(b"<title>Error:") == 1
    assert not SupportPlan.objects.exists()


def test_support_plan_with_an_impossible_date_is_a_form_error_not_a_crash(client, case, dsl):
    _login(client, dsl)
    response = client.post(_url("support_plan_create", case.pk), _plan_post(review_on="2025-02-30"))
    assert response.status_code == 200 and "Review date must be a real date" in _summary(response)


def test_a_refusal_from_the_service_is_shown_on_the_form(client, case, dsl):
    _login(client, dsl)
    client.post(_url("support_plan_create", case.pk), _plan_post())
    plan = SupportPlan.objects.get()
    client.post(_url("support_plan_agree", case.pk, plan.pk), {"agreed_on": "2025-11-20"})
    plan.refresh_from_db()
    assert plan.status == SupportPlanStatus.AGREED

    again = client.post(_url("support_plan_agree", case.pk, plan.pk), {"agreed_on": "2025-11-20"})
    assert again.status_code == 200
    assert _summary(again) == ["This plan is already agreed with the family."]


def test_plan_page_lists_actions_and_completing_one_records_it(client, case, dsl):
    _login(client, dsl)
    client.post(_url("support_plan_create", case.pk), _plan_post())
    plan = SupportPlan.objects.get()
    action = plan.actions.get(owner="Mrs Patel")
    page = client.get(_url("support_plan_detail", case.pk, plan.pk))
    assert b"Meet at the gate" in page.content
    assert _url("action_complete", case.pk, plan.pk, action.pk).encode() in page.content

    response = client.post(_url("action_complete", case.pk, plan.pk, action.pk), {"completed_on": "2025-11-21"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.completed_on == TODAY


def test_review_that_continues_needs_a_next_review_date(client, case, dsl):
    _login(client, dsl)
    client.post(_url("support_plan_create", case.pk), _plan_post())
    plan = SupportPlan.objects.get()
    response = client.post(_url("support_plan_review", case.pk, plan.pk),
                           {"reviewed_on": "2025-11-21", "outcome": "Better", "next_step": "continue"})
    assert _summary(response) == ["Enter the next review date, or choose to close the plan"]
    response = client.post(_url("support_plan_review", case.pk, plan.pk),
                           {"reviewed_on": "2025-11-21", "outcome": "Attendance 97%", "next_step": "close"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == SupportPlanStatus.CLOSED


# --- attendance contracts ----------------------------------------------------------------------------------


def _contract_post(*parents, **extra):
    data = {"parents": [p.pk for p in parents], "school_commitments": "Breakfast club place",
            "parent_commitments": "Bring Amelia by 8:45", "starts_on": "2025-11-24", "review_on": "2026-01-19"}
    data.update(extra)
    return data


def test_contract_form_offers_only_the_pupils_parents(client, case, dsl, mother, father):
    stranger = factories.ParentalRelationshipFactory(pupil__school=case.pupil.school).parent
    _login(client, dsl)
    page = client.get(_url("contract_create", case.pk)).content.decode()
    assert "Sarah Hughes" in page and "David Hughes" in page and str(stranger) not in page

    response = client.post(_url("contract_create", case.pk), _contract_post(mother, stranger))
    assert response.status_code == 200
    assert _summary(response) == ["Select only the pupil's own parents and carers"]
    assert not AttendanceContract.objects.exists()


def test_contract_needs_a_party_and_a_review_after_the_start(client, case, dsl, mother):
    _login(client, dsl)
    response = client.post(_url("contract_create", case.pk), _contract_post(review_on="2025-11-24"))
    assert _summary(response) == ["Select at least one parent or carer", "The review date must be after the start date"]


def test_contract_journey_draft_offer_decline(client, case, dsl, mother, father, letters):
    _login(client, dsl)
    response = client.post(_url("contract_create", case.pk), _contract_post(mother, father))
    contract = AttendanceContract.objects.get()
    assert response.url == _url("contract_detail", case.pk, contract.pk)
    assert _url("contract_offer", case.pk, contract.pk).encode() in client.get(response.url).content

    assert client.post(_url("contract_offer", case.pk, contract.pk)).status_code == 302
    assert len(letters) == 2
    party = contract.parties.get(parent=father)
    response = client.post(_url("contract_party_response", case.pk, contract.pk, party.pk),
                           {"response": "declined", "responded_on": "2025-11-21", "note": "Will not sign"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DECLINED
    detail = client.get(_url("contract_detail", case.pk, contract.pk)).content.decode()
    assert "Declined by parents" in detail


def test_contract_response_in_the_future_is_a_form_error(client, case, dsl, mother, letters):
    _login(client, dsl)
    client.post(_url("contract_create", case.pk), _contract_post(mother))
    contract = AttendanceContract.objects.get()
    client.post(_url("contract_offer", case.pk, contract.pk))
    party = contract.parties.get()
    response = client.post(_url("contract_party_response", case.pk, contract.pk, party.pk),
                           {"response": "signed", "responded_on": "2025-12-01"})
    assert _summary(response) == ["The date of the response must be today or in the past"]


# --- early help ------------------------------------------------------------------------------------------


def test_early_help_form_records_a_referral(client, case, attendance_officer):
    _login(client, attendance_officer)
    response = client.post(_url("early_help_create", case.pk),
                           {"kind": "referral", "agency": "CAMHS", "started_on": "2025-11-18", "family_consented": "yes"})
    assert response.status_code == 302
    early_help = EarlyHelp.objects.get()
    assert early_help.family_consented is True and early_help.agency == "CAMHS"
    response = client.post(_url("early_help_end", case.pk, early_help.pk), {"ended_on": "2025-11-21", "outcome": "Seen"})
    assert response.status_code == 302


# --- pupil-level records -----------------------------------------------------------------------------------


def _adjustment_post(**extra):
    data = {"area": "transport", "description": "Later start", "barrier": "Bus anxiety", "agreed_with": "Mother",
            "starts_on": "2025-11-03", "review_on": "2026-01-12", "status": "active"}
    data.update(extra)
    return data


def test_pupil_level_record_returns_to_the_pupil_when_there_is_no_open_case(client, pupil, senco):
    _login(client, senco)
    response = client.post(_url("adjustment_create", pupil.upn), _adjustment_post())
    assert response.status_code == 302 and response.url == reverse("pupil_detail", args=[pupil.upn])
    assert ReasonableAdjustment.objects.get().recorded_by == senco


def test_pupil_level_record_returns_to_the_open_case(client, case, senco):
    _login(client, senco)
    response = client.post(_url("adjustment_create", case.pupil.upn), _adjustment_post())
    assert response.url == reverse("case_support", args=[case.pk])
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ADJUSTMENT).exists()


def test_adjustment_update_to_ended_asks_why(client, pupil, senco):
    adjustment = ReasonableAdjustmentFactory(pupil=pupil, recorded_by=senco)
    _login(client, senco)
    url = _url("adjustment_update", pupil.upn, adjustment.pk)
    response = client.post(url, {"status": "ended", "review_on": "2025-12-12"})
    assert _summary(response) == ["Enter why the adjustment is ending"]
    assert client.post(url, {"status": "ended", "review_on": "2025-12-12", "note": "Not needed"}).status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.ENDED


def test_ehc_notification_for_a_pupil_without_a_plan_is_refused_on_the_page(client, pupil, senco):
    _login(client, senco)
    response = client.post(_url("ehc_notification_create", pupil.upn), {"sent_on": "2025-11-21", "details": "82%"})
    assert response.status_code == 200
    assert "does not have an EHC plan" in _summary(response)[0]
    assert not LANotification.objects.exists()

    pupil.sen_status = SenStatus.EHC_PLAN
    pupil.save()
    response = client.post(_url("ehc_notification_create", pupil.upn), {"sent_on": "2025-11-21", "details": "82%"})
    assert response.status_code == 302
    assert LANotification.objects.get().kind == NotificationKind.EHC_PLAN_CONCERN


def test_adjustment_review_form(client, pupil, dsl):
    _login(client, dsl)
    response = client.post(_url("adjustment_review_create", pupil.upn),
                           {"reviewed_on": "2025-11-21", "conclusion": "Right and enough"})
    assert response.status_code == 302
    assert pupil.adjustment_reviews.get().conclusion == "Right and enough"


def _part_time_post(**extra):
    data = {"agreed_hours": "Mornings", "reason": "Phased return", "agreed_with_parents_on": "2025-11-10",
            "starts_on": "2025-11-17", "planned_end_on": "2025-12-19", "review_on": "2025-12-05"}
    data.update(extra)
    return data


def test_part_time_form_says_it_must_be_time_limited(client, pupil, dsl):
    _login(client, dsl)
    page = client.get(_url("part_time_create", pupil.upn)).content.decode()
    assert "time-limited" in page
    response = client.post(_url("part_time_create", pupil.upn), _part_time_post(planned_end_on="2025-11-17"))
    assert _summary(response) == [
        "A part-time timetable must be time-limited: the planned end date must be after the start date"]
    response = client.post(_url("part_time_create", pupil.upn), _part_time_post(planned_end_on=""))
    assert _summary(response) == ["Enter the planned end date: a part-time timetable must be time-limited"]
    assert not PartTimeTimetable.objects.exists()


def test_part_time_start_notification_overdue_until_recorded(client, pupil, dsl):
    _login(client, dsl)
    client.post(_url("part_time_create", pupil.upn), _part_time_post())
    timetable = PartTimeTimetable.objects.get()
    page = client.get(_url("pupil_interventions", pupil.upn)).content.decode()
    section = page[page.index('data-testid="part-time-'):]
    assert "Overdue" in section.split("LA told of the end")[0]

    response = client.post(_url("part_time_notify", pupil.upn, timetable.pk, "start"), {"sent_on": "2025-11-17"})
    assert response.status_code == 302
    assert LANotification.objects.get().kind == NotificationKind.PART_TIME_START
    page = client.get(_url("pupil_interventions", pupil.upn)).content.decode()
    assert "17 Nov 2025" in page and "Overdue" not in page
    assert client.get(_url("part_time_notify", pupil.upn, timetable.pk, "sideways")).status_code == 404


def test_sickness_return_form(client, pupil, attendance_officer):
    _login(client, attendance_officer)
    page = client.get(_url("sickness_return_create", pupil.upn)).content.decode()
    assert "No attendance scan figures yet" in page
    assert client.post(_url("sickness_return_create", pupil.upn), {"sent_on": "2025-11-21"}).status_code == 302
    assert LANotification.objects.get().kind == NotificationKind.SICKNESS_RETURN


def test_leave_request_and_the_headteachers_decision(client, pupil, attendance_officer, headteacher, mother):
    _login(client, attendance_officer)
    response = client.post(_url("leave_request_create", pupil.upn), {
        "parent": mother.pk, "first_day": "2026-02-06", "last_day": "2026-02-02", "reason": "Funeral",
        "received_on": "2025-11-18"})
    assert _summary(response) == ["The last day of leave must be the same as or after the first day"]
    client.post(_url("leave_request_create", pupil.upn), {
        "parent": mother.pk, "first_day": "2026-02-02", "last_day": "2026-02-06", "reason": "Funeral",
        "received_on": "2025-11-18"})
    leave = LeaveOfAbsenceRequest.objects.get()
    decide = _url("leave_request_decide", pupil.upn, leave.pk)
    assert client.get(decide).status_code == 403  # the attendance officer does not decide

    _login(client, headteacher)
    response = client.post(decide, {"decision": "granted", "reason": "", "decided_on": "2025-11-21"})
    assert _summary(response) == ["Enter the reason for the decision"]
    assert client.post(decide, {"decision": "refused", "reason": "Not exceptional",
                                "decided_on": "2025-11-21"}).status_code == 302
    leave.refresh_from_db()
    assert leave.decision == LeaveDecision.REFUSED


def test_the_decision_page_says_when_the_school_is_closed_on_every_day_asked_for(client, pupil, headteacher,
                                                                                mother):
    from cases.models import TermDate

    TermDate.objects.create(school=pupil.school, starts_on=dt.date(2025, 11, 3), ends_on=dt.date(2025, 12, 19))
    holiday = LeaveOfAbsenceRequest.objects.create(pupil=pupil, requested_by=mother, first_day=dt.date(2025, 12, 29),
                                                   last_day=dt.date(2025, 12, 31), reason="Skiing",
                                                   received_on=dt.date(2025, 11, 18))
    _login(client, headteacher)

    html = " ".join(client.get(_url("leave_request_decide", pupil.upn, holiday.pk)).content.decode().split())

    assert "The school is closed on every day asked for (school holidays): no leave is needed." in html


# --- the SENCo's register -----------------------------------------------------------------------------------


def _register(school, **query):
    return reverse("interventions:adjustment_register", args=[school.urn]) + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def register_rows(school, other_school, senco):
    ehc = factories.PupilFactory(school=school, forename="Ben", surname="Ahmed", sen_status=SenStatus.EHC_PLAN)
    k = factories.PupilFactory(school=school, forename="Cara", surname="Bell", sen_status=SenStatus.SEN_SUPPORT)
    return {
        "overdue": ReasonableAdjustmentFactory(pupil=ehc, recorded_by=senco, review_on=D(2025, 11, 1),
                                               area=AdjustmentArea.UNIFORM, description="Trainers allowed"),
        "current": ReasonableAdjustmentFactory(pupil=k, recorded_by=senco, review_on=D(2026, 2, 1),
                                               area=AdjustmentArea.LUNCHTIME, description="Quiet lunch room"),
        "ended": ReasonableAdjustmentFactory(pupil=k, recorded_by=senco, review_on=D(2025, 10, 1),
                                             status=AdjustmentStatus.ENDED, description="Phased start ended"),
        "elsewhere": ReasonableAdjustmentFactory(pupil=factories.PupilFactory(school=other_school),
                                                 recorded_by=senco, description="Other school's pupil"),
    }


def _rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-adjustment="(\d+)"', response.content.decode())]


@pytest.mark.parametrize("persona", ["senco", "dsl", "attendance_officer", "headteacher"])
def test_register_lists_every_adjustment_of_the_school(client, request, school, register_rows, persona):
    _login(client, request.getfixturevalue(persona))
    response = client.get(_register(school))
    assert response.status_code == 200
    rows = register_rows
    assert _rows(response) == [rows["ended"].pk, rows["overdue"].pk, rows["current"].pk]  # earliest review first
    html = response.content.decode()
    assert "Other school&#x27;s pupil" not in html and "EHC plan" in html and "SEN support" in html
    assert html.count('data-testid="overdue"') == 1  # the ended one is not overdue


def test_register_filters(client, school, senco, register_rows):
    _login(client, senco)
    assert _rows(client.get(_register(school, overdue="on"))) == [register_rows["overdue"].pk]
    assert _rows(client.get(_register(school, status="ended"))) == [register_rows["ended"].pk]
    assert _rows(client.get(_register(school, area="lunchtime"))) == [register_rows["current"].pk]
    assert _rows(client.get(_register(school, area="nonsense"))) == _rows(client.get(_register(school)))


def test_register_of_another_school_is_not_found_and_la_officers_are_refused(
    client, school, other_school_dsl, la_officer
):
    assert _login(client, other_school_dsl).get(_register(school)).status_code == 404
    assert _login(client, la_officer).get(_register(school)).status_code == 403


def test_register_query_count_does_not_grow_with_rows(client, school, senco, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, senco)
    ReasonableAdjustmentFactory(pupil=factories.PupilFactory(school=school), recorded_by=senco)
    with CaptureQueriesContext(connection) as one:
        client.get(_register(school))
    for _ in range(5):
        ReasonableAdjustmentFactory(pupil=factories.PupilFactory(school=school), recorded_by=senco)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(_register(school))
    assert len(_rows(response)) == 6
    register_queries = [q["sql"] for q in one.captured_queries if "interventions_reasonableadjustment" in q["sql"]
                        # the page's count and the header's count of "My work": one query each, whatever the rows
                        and "COUNT(*)" not in q["sql"] and "AS counted" not in q["sql"]]
    assert len(register_queries) == 1 and "cases_pupil" in register_queries[0]


def test_support_plan_page_flags_an_action_past_its_due_date(client, case, dsl):
    _login(client, dsl)
    client.post(_url("support_plan_create", case.pk), _plan_post(**{"actions-0-due_on": TODAY.isoformat()}))
    plan = SupportPlan.objects.get(case=case)
    with time_machine.travel(dt.datetime(2025, 11, 22, 10, 0, tzinfo=dt.UTC), tick=False):  # the day after it was due
        _login(client, dsl)  # a new day's session: yesterday's timed out
        html = client.get(_url("support_plan_detail", case.pk, plan.pk)).content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">.*?</tr>', html, re.S)
    late = [row for row in rows if "Meet at the gate" in row]
    on_time = [row for row in rows if "School nurse referral" in row]
    assert 'data-testid="action-overdue"' in late[0]
    assert 'data-testid="action-overdue"' not in on_time[0]


def test_the_pupils_records_say_whether_the_la_has_acknowledged_each_notification(client, pupil, dsl, la_officer):
    from interventions.services.la_review import la_notification_acknowledge
    from interventions.services.part_time import sickness_return_send

    first = sickness_return_send(pupil=pupil, by=dsl, sent_on=TODAY - dt.timedelta(days=7))
    second = sickness_return_send(pupil=pupil, by=dsl, sent_on=TODAY)
    la_notification_acknowledge(notification=first, by=la_officer)
    html = _login(client, dsl).get(_url("pupil_interventions", pupil.upn)).content.decode()
    acknowledged = re.search(rf'data-testid="notification-{first.pk}">(.*?)</li>', html, re.S).group(1)
    waiting = re.search(rf'data-testid="notification-{second.pk}">(.*?)</li>', html, re.S).group(1)
    assert "Acknowledged" in acknowledged and TODAY.strftime("%-d %b %Y") in acknowledged
    assert "Waiting for the LA" in waiting


def test_the_field_include_gives_one_error_message_and_describes_a_single_checkbox():
    from django import forms as django_forms
    from django.template.loader import render_to_string

    class TwoRules(django_forms.Form):
        note = django_forms.CharField(label="Note")
        agreed = django_forms.BooleanField(label="Agreed", help_text="Tick if the parent agreed")

    form = TwoRules(data={"note": "x"})
    form.is_valid()
    form.add_error("note", "Too short")
    form.add_error("note", "Not a sentence")
    note = render_to_string("interventions/includes/field.html", {"field": form["note"]})
    assert note.count('id="id_note-error"') == 1 and "Too short Not a sentence" in note
    agreed = render_to_string("interventions/includes/field.html", {"field": form["agreed"]})
    assert 'aria-describedby="id_agreed-hint id_agreed-error"' in agreed and 'id="id_agreed-hint"' in agreed
