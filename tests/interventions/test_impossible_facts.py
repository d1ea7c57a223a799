"""Facts that cannot be true are refused by the interventions services and shown on their field by the forms.

TODAY is Friday 21 November 2025 (tests/interventions/conftest.py); the case opened 60 days earlier.
"""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.urls import reverse

from cases import facts
from interventions import services
from interventions.models import (
    Action,
    AdjustmentReview,
    AttendanceContract,
    ContractParty,
    ContractStatus,
    EarlyHelp,
    EarlyHelpKind,
    LeaveOfAbsenceRequest,
    PartTimeTimetable,
    PartyResponse,
    ReasonableAdjustment,
    SupportPlan,
)
from interventions.services import ActionInput
from tests.interventions.conftest import TODAY

D = dt.date
TOMORROW = TODAY + dt.timedelta(days=1)
YESTERDAY = TODAY - dt.timedelta(days=1)
HUGE_YEAR = "99999999999999999999"


def _summary_links(response) -> list[tuple[str, str]]:
    """(href, message) of each entry of the GOV.UK error summary."""
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.S)
    assert block, "no error summary on the page"
    return [(href, html_lib.unescape(text)) for href, text in re.findall(r'<a href="([^"]*)">(.*?)</a>', block.group(1))]


# --- the services: an impossible date or text is refused and nothing is saved -------------------------------


def _plan(case, by, **extra):
    fields = {"barriers": "Anxiety about the bus", "review_on": D(2025, 12, 12),
              "actions": [ActionInput("Meet at the gate", "Mrs Patel", D(2025, 11, 28))]}
    fields.update(extra)
    return services.support_plan_create(case=case, by=by, **fields)


def _offered(case, by, parents, letters):
    contract = services.attendance_contract_create(
        case=case, by=by, parents=parents, school_commitments="Mentor", parent_commitments="Arrive by 8:45",
        starts_on=TODAY, review_on=D(2026, 1, 19))
    services.attendance_contract_offer(contract=contract, by=by)
    return contract


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"review_on": YESTERDAY}, "review_on", "The review date must be today or in the future"),
        ({"review_on": D(9999, 12, 31)}, "review_on", "The review date must be within a year"),
        ({"actions": [ActionInput("Meet", "Mrs Patel", D(2019, 9, 1))]}, "due_on", "must be today or in the future"),
        ({"actions": [ActionInput("Meet", "x" * 201, TOMORROW)]}, "owner", "200 characters or fewer"),
        ({"barriers": "x" * (facts.LONG_TEXT_MAX + 1)}, "barriers", "10,000 characters or fewer"),
    ],
    ids=["review-in-the-past", "review-in-9999", "action-due-in-2019", "owner-too-long", "a-megabyte-of-barriers"],
)
def test_a_support_plan_with_an_impossible_fact_is_refused(case, dsl, change, field, message):
    with pytest.raises(facts.ImpossibleFact, match=message) as refusal:
        _plan(case, dsl, **change)
    assert refusal.value.field == field
    assert not SupportPlan.objects.exists() and not Action.objects.exists()


@pytest.mark.parametrize(
    ("agreed_on", "message"),
    [(TOMORROW, "today or in the past"), (D(1900, 1, 1), "on or after 1 January 2000"),
     (TODAY - dt.timedelta(days=61), "on or after the date the case was opened")],
    ids=["tomorrow", "1900", "before-the-case"],
)
def test_a_plan_is_agreed_on_a_day_of_the_case(case, dsl, agreed_on, message):
    plan = _plan(case, dsl)
    with pytest.raises(facts.ImpossibleFact, match=message):
        services.support_plan_agree(plan=plan, by=dsl, agreed_on=agreed_on)
    plan.refresh_from_db()
    assert plan.agreed_on is None


def test_a_review_of_a_plan_cannot_be_in_the_future_nor_its_next_review_in_the_past(case, dsl):
    plan = _plan(case, dsl)
    with pytest.raises(facts.ImpossibleFact, match="The date of the review must be today or in the past"):
        services.support_plan_review(plan=plan, by=dsl, reviewed_on=D(2030, 1, 1), outcome="Fine", close=True)
    with pytest.raises(facts.ImpossibleFact, match="The next review date must be within a year"):
        services.support_plan_review(plan=plan, by=dsl, reviewed_on=TODAY, outcome="Fine", close=False,
                                     next_review_on=D(2099, 1, 1))
    plan.refresh_from_db()
    assert plan.review_on == D(2025, 12, 12) and plan.outcome == ""


def test_a_response_cannot_come_before_the_offer(case, dsl, mother, letters):
    contract = _offered(case, dsl, [mother], letters)
    with pytest.raises(facts.ImpossibleFact, match="on or after the date the contract was offered") as refusal:
        services.attendance_contract_party_respond(party=contract.parties.get(), by=dsl,
                                                   response=PartyResponse.DECLINED, responded_on=YESTERDAY)
    assert refusal.value.field == "responded_on"
    contract.refresh_from_db()
    assert contract.status == ContractStatus.OFFERED and contract.offered_on == TODAY
    assert ContractParty.objects.get().response == PartyResponse.PENDING


def test_each_parent_responds_on_their_own_day_not_before_the_offer(case, dsl, mother, father, letters):
    contract = _offered(case, dsl, [mother, father], letters)
    first, second = contract.parties.order_by("parent__forename")
    services.attendance_contract_party_respond(party=first, by=dsl, response=PartyResponse.SIGNED, responded_on=TODAY)
    with pytest.raises(facts.ImpossibleFact, match="today or in the past"):
        services.attendance_contract_party_respond(party=second, by=dsl, response=PartyResponse.SIGNED,
                                                   responded_on=TOMORROW)
    assert list(contract.parties.order_by("parent__forename").values_list("response", "responded_on")) == [
        (PartyResponse.SIGNED, TODAY), (PartyResponse.PENDING, None)]


@pytest.mark.parametrize(
    ("starts_on", "review_on", "field"),
    [(D(1900, 1, 1), D(2026, 1, 19), "starts_on"), (TODAY, D(9999, 1, 1), "review_on"),
     (TODAY, YESTERDAY, "review_on")],
    ids=["starts-in-1900", "review-in-9999", "review-before-start"],
)
def test_a_contract_with_impossible_dates_is_not_drafted(case, dsl, mother, starts_on, review_on, field):
    with pytest.raises(facts.ImpossibleFact) as refusal:
        services.attendance_contract_create(case=case, by=dsl, parents=[mother], school_commitments="Mentor",
                                            parent_commitments="Arrive", starts_on=starts_on, review_on=review_on)
    assert refusal.value.field == field
    assert not AttendanceContract.objects.exists()


def test_early_help_cannot_start_in_the_future(case, dsl):
    with pytest.raises(facts.ImpossibleFact, match="today or in the past"):
        services.early_help_record(case=case, by=dsl, kind=EarlyHelpKind.REFERRAL, agency="School nurse",
                                   started_on=D(2099, 1, 1), family_consented=True)
    assert not EarlyHelp.objects.exists()


def test_a_leave_request_cannot_be_received_in_the_future(pupil, dsl, mother):
    with pytest.raises(facts.ImpossibleFact, match="The date the request was received must be today or in the past"):
        services.leave_request_record(pupil=pupil, by=dsl, parent=mother, first_day=D(2026, 2, 2),
                                      last_day=D(2026, 2, 6), reason="Funeral", received_on=D(2030, 1, 1))
    assert not LeaveOfAbsenceRequest.objects.exists()


def test_a_leave_decision_cannot_be_before_the_request(pupil, dsl, headteacher, mother):
    leave = services.leave_request_record(pupil=pupil, by=dsl, parent=mother, first_day=D(2026, 2, 2),
                                          last_day=D(2026, 2, 6), reason="Funeral", received_on=TODAY)
    with pytest.raises(facts.ImpossibleFact, match="on or after the date the request was received"):
        services.leave_request_decide(leave=leave, by=headteacher, decision="refused", reason="Not exceptional",
                                      decided_on=YESTERDAY)
    leave.refresh_from_db()
    assert leave.decided_on is None


@pytest.mark.parametrize(
    ("change", "field"),
    [({"agreed_with_parents_on": D(2030, 1, 1)}, "agreed_with_parents_on"),
     ({"planned_end_on": D(2099, 1, 1), "review_on": D(2025, 12, 5)}, "planned_end_on"),
     ({"starts_on": D(1900, 1, 1), "agreed_with_parents_on": D(1900, 1, 1)}, "agreed_with_parents_on")],
    ids=["agreed-in-2030", "ends-in-2099", "starts-in-1900"],
)
def test_a_part_time_timetable_with_impossible_dates_is_refused(pupil, dsl, change, field):
    fields = {"agreed_hours": "Mornings", "reason": "Phased return", "agreed_with_parents_on": D(2025, 11, 10),
              "starts_on": D(2025, 11, 17), "planned_end_on": D(2025, 12, 19), "review_on": D(2025, 12, 5)}
    with pytest.raises(facts.ImpossibleFact) as refusal:
        services.part_time_timetable_create(pupil=pupil, by=dsl, **{**fields, **change})
    assert refusal.value.field == field
    assert not PartTimeTimetable.objects.exists()


def test_an_adjustment_review_cannot_be_in_the_future(pupil, senco):
    with pytest.raises(facts.ImpossibleFact, match="today or in the past"):
        services.adjustment_review_record(pupil=pupil, by=senco, reviewed_on=TOMORROW, conclusion="Right")
    assert not AdjustmentReview.objects.exists()


def test_an_adjustment_review_date_in_9999_is_refused(pupil, senco):
    with pytest.raises(facts.ImpossibleFact, match="within a year"):
        services.reasonable_adjustment_create(pupil=pupil, by=senco, area="uniform", description="Trainers",
                                              barrier="Sensory", agreed_with="Mother", starts_on=TODAY,
                                              review_on=D(9999, 12, 31))
    assert not ReasonableAdjustment.objects.exists()


# --- the forms: a typed year of 99999999999999999999 is an error on its field, never a 500 --------------------


def _url(name, *args):
    return reverse(f"interventions:{name}", args=args)


def _huge(date_text: str) -> str:
    return HUGE_YEAR + date_text[4:]


def _plan_form(**extra):
    data = {"barriers": "Anxiety", "review_on": "2025-12-12",
            "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0",
            "actions-MIN_NUM_FORMS": "1", "actions-MAX_NUM_FORMS": "10",
            "actions-0-description": "Meet at the gate", "actions-0-owner": "Mrs Patel", "actions-0-due_on": "2025-11-28"}
    return {**data, **extra}


FORMS = {
    "support_plan": ("support_plan_create", "case", "dsl", _plan_form(), "review_on", "Review date"),
    "contract": ("contract_create", "case", "dsl",
                 {"school_commitments": "Mentor", "parent_commitments": "Arrive", "starts_on": "2025-11-24",
                  "review_on": "2026-01-19"}, "starts_on", "Start date"),
    "leave": ("leave_request_create", "pupil", "dsl",
              {"first_day": "2026-02-02", "last_day": "2026-02-06", "reason": "Funeral", "received_on": "2025-11-18"},
              "received_on", "Date the request was received"),
    "part_time": ("part_time_create", "pupil", "dsl",
                  {"agreed_hours": "Mornings", "reason": "Phased return", "agreed_with_parents_on": "2025-11-10",
                   "starts_on": "2025-11-17", "planned_end_on": "2025-12-19", "review_on": "2025-12-05"},
                  "planned_end_on", "Planned end date"),
    "adjustment": ("adjustment_create", "pupil", "senco",
                   {"area": "transport", "description": "Later start", "barrier": "Bus anxiety",
                    "agreed_with": "Mother", "starts_on": "2025-11-03", "review_on": "2026-01-12", "status": "active"},
                   "review_on", "Review date"),
}


def _post(client, request, case, mother, form, date_field, value):
    url_name, on, persona, data, *_ = FORMS[form]
    client.force_login(request.getfixturevalue(persona))
    args = [case.pk] if on == "case" else [case.pupil.upn]
    data = {**data, date_field: value}
    if form == "contract":
        data["parents"] = [mother.pk]
    if form == "leave":
        data["parent"] = mother.pk
    return client.post(_url(url_name, *args), data)


@pytest.mark.parametrize("form", list(FORMS))
def test_a_huge_year_is_an_error_on_its_field(client, request, case, mother, form):
    _, _, _, data, date_field, label = FORMS[form]
    response = _post(client, request, case, mother, form, date_field, _huge(data[date_field]))
    assert response.status_code == 200
    assert _summary_links(response) == [(f"#id_{date_field}", f"{label} must be a real date")]


@pytest.mark.parametrize("form", list(FORMS))
def test_a_year_before_2000_is_an_error_on_its_field(client, request, case, mother, form):
    _, _, _, data, date_field, label = FORMS[form]
    response = _post(client, request, case, mother, form, date_field, "0001" + data[date_field][4:])
    assert response.status_code == 200
    assert _summary_links(response) == [(f"#id_{date_field}", f"{label} must be on or after 1 January 2000")]


def test_a_services_refusal_lands_on_the_field_it_is_about(client, request, case, mother):
    """The form lets a received date in 2030 through (it is a real date); the service refuses it, on the field."""
    response = _post(client, request, case, mother, "leave", "received_on", "2030-01-01")
    assert response.status_code == 200
    assert _summary_links(response) == [
        ("#id_received_on", "The date the request was received must be today or in the past")]
    assert 'id="received_on-error"' in response.content.decode() or "govuk-form-group--error" in response.content.decode()
    assert not LeaveOfAbsenceRequest.objects.exists()


def test_a_megabyte_of_text_is_refused_on_its_field(client, request, case, mother):
    response = _post(client, request, case, mother, "support_plan", "barriers", "x" * 1_000_000)
    assert response.status_code == 200
    assert _summary_links(response) == [("#id_barriers", "Barriers to attendance must be 10,000 characters or fewer")]
    assert not SupportPlan.objects.exists()
