"""The interventions services: each write is permission-checked, validated, audited and on the chronology."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.facts import ImpossibleFact
from cases.models import AttendanceSnapshot, AuditEvent, CaseEvent, EventKind, SenStatus
from cases.permissions import NotPermitted
from interventions import services
from interventions.models import (
    Action,
    AdjustmentArea,
    AdjustmentReview,
    AdjustmentStatus,
    AttendanceContract,
    ContractStatus,
    EarlyHelpKind,
    LANotification,
    LeaveDecision,
    NotificationKind,
    PartTimeTimetable,
    PartyResponse,
    SupportPlan,
    SupportPlanStatus,
)
from interventions.services import ActionInput, InterventionRefused
from tests import factories
from tests.interventions.conftest import TODAY
from tests.interventions.factories import ReasonableAdjustmentFactory, closed_case

D = dt.date


def _events(case, kind=None):
    events = CaseEvent.objects.filter(case=case)
    return list(events.filter(kind=kind) if kind else events)


def _plan(case, by, **extra):
    return services.support_plan_create(
        case=case, by=by, barriers="Anxiety about the journey to school", review_on=D(2025, 12, 12),
        actions=[ActionInput("Meet at the gate each morning", "Mrs Patel (TA)", D(2025, 11, 28)),
                 ActionInput("Referral to the school nurse", "DSL", D(2025, 12, 5))],
        **extra,
    )


# --- support plans -----------------------------------------------------------------------------------


def test_support_plan_is_drafted_with_its_actions_on_the_chronology(case, dsl):
    plan = _plan(case, dsl)

    assert plan.status == SupportPlanStatus.DRAFT
    assert [a.description for a in plan.actions.order_by("due_on")] == [
        "Meet at the gate each morning", "Referral to the school nurse"]
    assert all(a.case_id == case.pk for a in plan.actions.all())
    [event] = _events(case, EventKind.SUPPORT_PLAN)
    assert "2 actions" in event.summary and event.by == dsl
    assert event.evidence == [f"support_plan:{plan.pk}"]
    assert AuditEvent.objects.filter(action="support_plan.create", pupil=case.pupil, user=dsl).exists()


def test_support_plan_without_an_action_is_refused(case, dsl):
    with pytest.raises(InterventionRefused, match="at least one action"):
        services.support_plan_create(case=case, by=dsl, barriers="x", review_on=D(2025, 12, 1), actions=[])
    assert not SupportPlan.objects.exists()


# The SENCo writes only adjustments, their reviews and EHC plan notifications (cases/roles.py).
@pytest.mark.parametrize("persona", ["headteacher", "senco", "other_school_dsl", "la_officer"])
def test_support_plan_by_someone_who_may_not_record_support_is_refused(request, case, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotPermitted):
        _plan(case, user)
    assert not SupportPlan.objects.exists() and not CaseEvent.objects.exists()


@pytest.mark.parametrize("persona", ["dsl", "attendance_officer"])
def test_support_recorders_may_draft_a_plan(request, case, persona):
    assert _plan(case, request.getfixturevalue(persona)).pk


def test_support_plan_on_a_closed_case_is_refused(pupil, dsl):
    closed = closed_case(pupil, dsl)
    with pytest.raises(InterventionRefused, match="closed"):
        _plan(closed, dsl)


def test_agreeing_a_plan_records_the_date_once(case, dsl):
    plan = _plan(case, dsl)
    services.support_plan_agree(plan=plan, by=dsl, agreed_on=D(2025, 11, 20))
    plan.refresh_from_db()
    assert (plan.status, plan.agreed_on) == (SupportPlanStatus.AGREED, D(2025, 11, 20))
    assert any("agreed with the family on 20 November 2025" in e.summary for e in _events(case))
    with pytest.raises(InterventionRefused, match="already agreed"):
        services.support_plan_agree(plan=plan, by=dsl, agreed_on=D(2025, 11, 20))


def test_a_plan_cannot_be_agreed_in_the_future(case, dsl):
    with pytest.raises(ImpossibleFact, match="future|past"):
        services.support_plan_agree(plan=_plan(case, dsl), by=dsl, agreed_on=TODAY + dt.timedelta(days=1))


def test_adding_and_completing_actions_is_on_the_chronology(case, dsl):
    plan = _plan(case, dsl)
    with time_machine.travel(dt.datetime(2025, 11, 10, 10, 0, tzinfo=dt.UTC), tick=False):  # due dates are planned
        action = services.support_plan_action_add(plan=plan, by=dsl, description="Weekly check-in",
                                                  owner="Form tutor", due_on=D(2025, 11, 14))
    services.action_complete(action=action, by=dsl, completed_on=D(2025, 11, 19))
    action.refresh_from_db()
    assert action.completed_on == D(2025, 11, 19)
    summaries = [e.summary for e in _events(case, EventKind.ACTION)]
    assert any("Action added to the support plan: Weekly check-in" in s for s in summaries)
    assert any("5 days after it was due" in s for s in summaries)
    with pytest.raises(InterventionRefused, match="already marked as done"):
        services.action_complete(action=action, by=dsl, completed_on=D(2025, 11, 19))


def test_review_keeps_the_plan_going_to_a_new_date_or_closes_it(case, dsl):
    plan = _plan(case, dsl)
    services.support_plan_review(plan=plan, by=dsl, reviewed_on=TODAY, outcome="Some improvement", close=False,
                                 next_review_on=D(2026, 1, 16))
    plan.refresh_from_db()
    assert (plan.status, plan.review_on) == (SupportPlanStatus.DRAFT, D(2026, 1, 16))
    with pytest.raises(ImpossibleFact, match="next review"):
        services.support_plan_review(plan=plan, by=dsl, reviewed_on=TODAY, outcome="x", close=False)

    services.support_plan_review(plan=plan, by=dsl, reviewed_on=TODAY, outcome="Attendance now 97%", close=True)
    plan.refresh_from_db()
    assert (plan.status, plan.outcome) == (SupportPlanStatus.CLOSED, "Attendance now 97%")
    closing = _events(case, EventKind.SUPPORT_PLAN)[0]
    assert "closed" in closing.summary and "(2 actions not done)" in closing.summary
    assert closing.reason == "Attendance now 97%"
    with pytest.raises(InterventionRefused, match="closed"):
        services.support_plan_action_add(plan=plan, by=dsl, description="x", owner="y", due_on=TODAY)


# --- attendance contracts ------------------------------------------------------------------------------


def _contract(case, by, parents):
    return services.attendance_contract_create(
        case=case, by=by, parents=parents, school_commitments="Breakfast club place\nWeekly mentor session",
        parent_commitments="Bring Amelia to school by 8:45\nCall the office before 9:00 on any day of absence",
        starts_on=D(2025, 11, 24), review_on=D(2026, 1, 19),
    )


def test_contract_parties_must_be_the_pupils_own_parents(case, dsl, mother):
    stranger = factories.ParentalRelationshipFactory(pupil__school=case.pupil.school).parent  # another pupil's
    with pytest.raises(InterventionRefused, match="not recorded as a parent or carer of Amelia Hughes"):
        _contract(case, dsl, [mother, stranger])
    with pytest.raises(InterventionRefused, match="at least one parent"):
        _contract(case, dsl, [])
    assert not AttendanceContract.objects.exists()


def test_contract_is_drafted_with_one_party_per_parent(case, dsl, mother, father):
    contract = _contract(case, dsl, [mother, father])
    assert contract.status == ContractStatus.DRAFT
    assert {p.parent_id for p in contract.parties.all()} == {mother.pk, father.pk}
    assert all(p.response == PartyResponse.PENDING for p in contract.parties.all())
    [event] = _events(case, EventKind.CONTRACT)
    assert "drafted" in event.summary and "Sarah Hughes" in event.summary


def test_offering_makes_one_letter_to_sign_per_parent(case, dsl, mother, father, letters):
    contract = _contract(case, dsl, [mother, father])
    services.attendance_contract_offer(contract=contract, by=dsl)

    contract.refresh_from_db()
    assert (contract.status, contract.status_changed_on) == (ContractStatus.OFFERED, TODAY)
    assert sorted(c["recipient"] for c in letters) == sorted([f"parent:{mother.pk}", f"parent:{father.pk}"])
    for call in letters:
        assert call["template"] == "letters/attendance_contract.html"
        assert call["subject_key"] == f"contract:{contract.pk}"
        assert call["case"] == case and call["pupil"] == case.pupil and call["by"] == dsl
        assert call["context"]["parent_commitments"] == [
            "Bring Amelia to school by 8:45", "Call the office before 9:00 on any day of absence"]
        assert call["context"]["party_names"] == ["David Hughes", "Sarah Hughes"]
    event = _events(case, EventKind.CONTRACT)[0]
    assert "offered" in event.summary and "letter:1" in event.evidence
    with pytest.raises(InterventionRefused, match="already offered"):
        services.attendance_contract_offer(contract=contract, by=dsl)


def test_contract_is_signed_only_when_every_parent_signed(case, dsl, mother, father, letters):
    contract = _contract(case, dsl, [mother, father])
    services.attendance_contract_offer(contract=contract, by=dsl)
    first, second = contract.parties.order_by("parent__forename")
    services.attendance_contract_party_respond(party=first, by=dsl, response=PartyResponse.SIGNED,
                                               responded_on=TODAY)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.OFFERED
    assert "waiting for 1 more parent" in _events(case, EventKind.CONTRACT)[0].summary

    services.attendance_contract_party_respond(party=second, by=dsl, response=PartyResponse.SIGNED, responded_on=TODAY)
    contract.refresh_from_db()
    assert (contract.status, contract.status_changed_on) == (ContractStatus.SIGNED, TODAY)
    assert "signed by every parent" in _events(case, EventKind.CONTRACT)[0].summary


def test_a_parent_declining_is_recorded_as_non_engagement(case, dsl, mother, father, letters):
    contract = _contract(case, dsl, [mother, father])
    services.attendance_contract_offer(contract=contract, by=dsl)
    party = contract.parties.get(parent=father)
    services.attendance_contract_party_respond(party=party, by=dsl, response=PartyResponse.DECLINED,
                                               responded_on=TODAY, note="Does not think it is needed")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DECLINED
    [event] = _events(case, EventKind.NON_ENGAGEMENT)
    assert event.summary.startswith("Non-engagement: David Hughes declined the attendance contract")
    assert event.reason == "Does not think it is needed"
    with pytest.raises(InterventionRefused, match="only be recorded while the contract is offered"):
        services.attendance_contract_party_respond(party=contract.parties.get(parent=mother), by=dsl,
                                                   response=PartyResponse.SIGNED, responded_on=TODAY)


def test_a_breach_needs_a_signed_contract_and_says_what_was_not_kept(case, dsl, mother, letters):
    contract = _contract(case, dsl, [mother])
    with pytest.raises(InterventionRefused, match="Only a signed contract"):
        services.attendance_contract_breach(contract=contract, by=dsl, breached_on=TODAY, note="Late every day")
    services.attendance_contract_offer(contract=contract, by=dsl)
    services.attendance_contract_party_respond(party=contract.parties.get(), by=dsl, response=PartyResponse.SIGNED,
                                               responded_on=TODAY)
    with pytest.raises(InterventionRefused, match="which commitments"):
        services.attendance_contract_breach(contract=contract, by=dsl, breached_on=TODAY, note="  ")

    services.attendance_contract_breach(contract=contract, by=dsl, breached_on=TODAY, note="Late every day")
    contract.refresh_from_db()
    assert (contract.status, contract.status_note) == (ContractStatus.BREACHED, "Late every day")
    [event] = _events(case, EventKind.NON_ENGAGEMENT)
    assert "did not keep the signed attendance contract" in event.summary and event.reason == "Late every day"

    services.attendance_contract_end(contract=contract, by=dsl, ended_on=TODAY, note="Moving to a notice to improve")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ENDED
    assert "Late every day" in contract.status_note  # the breach stays on the record
    with pytest.raises(InterventionRefused, match="already ended"):
        services.attendance_contract_end(contract=contract, by=dsl, ended_on=TODAY, note="again")


def test_contract_letters_are_real_pdfs_with_both_lists_of_commitments(case, dsl, mother, father):
    """Through the real notices.letters.store.letter_generate: the letter template renders and is stored."""
    pypdf = pytest.importorskip("pypdf")
    import io

    from notices.models import Letter

    contract = _contract(case, dsl, [mother, father])
    letters = services.attendance_contract_offer(contract=contract, by=dsl)

    assert len(letters) == 2 and Letter.objects.filter(subject_key=f"contract:{contract.pk}").count() == 2
    letter = Letter.objects.get(parent=mother, subject_key=f"contract:{contract.pk}")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(bytes(letter.pdf))).pages)
    text = " ".join(text.split())
    for expected in ("Meadow Lane Primary School", "Sarah Hughes", "12 Mill Lane", "Breakfast club place",
                     "Bring Amelia to school by 8:45", "19 January 2026", "Signed by David Hughes",
                     "Signed by Sarah Hughes", "Signed for Meadow Lane Primary School"):
        assert expected in text, expected


# --- early help -------------------------------------------------------------------------------------------


def test_early_help_is_recorded_and_ended_with_an_outcome(case, attendance_officer):
    eh = services.early_help_record(case=case, by=attendance_officer, kind=EarlyHelpKind.REFERRAL,
                                    agency="School nurse", started_on=D(2025, 11, 10), family_consented=True)
    assert "Referral to wider services: School nurse" in _events(case, EventKind.EARLY_HELP)[0].summary
    with pytest.raises(ImpossibleFact, match="on or after the date it started"):
        services.early_help_end(early_help=eh, by=attendance_officer, ended_on=D(2025, 11, 1), outcome="x")
    services.early_help_end(early_help=eh, by=attendance_officer, ended_on=TODAY, outcome="Seen twice; discharged")
    eh.refresh_from_db()
    assert (eh.ended_on, eh.outcome) == (TODAY, "Seen twice; discharged")
    assert _events(case, EventKind.EARLY_HELP)[0].reason == "Seen twice; discharged"


def test_a_voluntary_early_help_plan_needs_the_familys_consent(case, dsl):
    with pytest.raises(InterventionRefused, match="consent"):
        services.early_help_record(case=case, by=dsl, kind=EarlyHelpKind.VOLUNTARY_PLAN, agency="Early Help Hub",
                                   started_on=TODAY, family_consented=False)


# --- reasonable adjustments and EHC plan notification ------------------------------------------------------


def _adjustment(pupil, by, **extra):
    fields = {"area": AdjustmentArea.TRANSPORT, "description": "Later start: arrives at 9:15",
                  "barrier": "Anxiety on the crowded bus", "agreed_with": "Mother, pupil and SENCo",
                  "starts_on": D(2025, 11, 3), "review_on": D(2026, 1, 12)}
    fields.update(extra)
    return services.reasonable_adjustment_create(pupil=pupil, by=by, **fields)


@pytest.mark.parametrize("persona", ["senco", "dsl"])
def test_senco_or_dsl_record_adjustments_on_the_open_case(request, case, persona):
    user = request.getfixturevalue(persona)
    adjustment = _adjustment(case.pupil, user)
    assert adjustment.status == AdjustmentStatus.ACTIVE and adjustment.recorded_by == user
    [event] = _events(case, EventKind.ADJUSTMENT)
    assert "Later start" in event.summary and event.reason == "Anxiety on the crowded bus"


@pytest.mark.parametrize("persona", ["attendance_officer", "headteacher", "other_school_dsl"])
def test_others_may_not_record_adjustments(request, pupil, persona):
    with pytest.raises(NotPermitted):
        _adjustment(pupil, request.getfixturevalue(persona))


def test_an_adjustment_without_a_case_is_audited_but_has_no_chronology(pupil, senco):
    adjustment = _adjustment(pupil, senco)
    assert not CaseEvent.objects.exists()
    assert AuditEvent.objects.filter(action="adjustment.create", pupil=pupil, detail__contains="Later start").exists()
    assert adjustment.pk


def test_ending_an_adjustment_needs_a_reason(case, senco):
    adjustment = _adjustment(case.pupil, senco)
    with pytest.raises(InterventionRefused, match="why"):
        services.reasonable_adjustment_update(adjustment=adjustment, by=senco, status=AdjustmentStatus.ENDED,
                                              review_on=adjustment.review_on)
    services.reasonable_adjustment_update(adjustment=adjustment, by=senco, status=AdjustmentStatus.ENDED,
                                          review_on=adjustment.review_on, note="No longer needed")
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.ENDED
    assert "now ended" in _events(case, EventKind.ADJUSTMENT)[0].summary
    with pytest.raises(InterventionRefused, match="has ended"):
        services.reasonable_adjustment_update(adjustment=adjustment, by=senco, status=AdjustmentStatus.ACTIVE,
                                              review_on=adjustment.review_on)


def test_adjustment_review_is_kept_for_the_notice_and_linked_to_the_case(case, senco):
    _adjustment(case.pupil, senco)
    review = services.adjustment_review_record(pupil=case.pupil, by=senco, reviewed_on=TODAY,
                                               conclusion="Adjustments right; keep the later start")
    assert AdjustmentReview.objects.get() == review and review.case == case and review.reviewed_by == senco
    assert "(1 adjustment proposed or in place)" in _events(case, EventKind.ADJUSTMENT)[0].summary


def test_a_review_with_a_next_date_moves_every_current_adjustments_review_but_not_an_ended_one(case, senco):
    due = ReasonableAdjustmentFactory(pupil=case.pupil, review_on=D(2025, 11, 20))  # overdue on TODAY
    later = _adjustment(case.pupil, senco, description="Quiet room at lunch", review_on=D(2026, 2, 2))
    ended = ReasonableAdjustmentFactory(pupil=case.pupil, description="Lift pass", review_on=D(2025, 11, 10))
    services.reasonable_adjustment_update(adjustment=ended, by=senco, status=AdjustmentStatus.ENDED,
                                          review_on=ended.review_on, note="Moved to a ground-floor room")
    services.adjustment_review_record(pupil=case.pupil, by=senco, reviewed_on=TODAY, conclusion="All still right",
                                      next_review_on=D(2026, 3, 2))
    for adjustment in (due, later, ended):
        adjustment.refresh_from_db()
    assert (due.review_on, later.review_on, ended.review_on) == (D(2026, 3, 2), D(2026, 3, 2), D(2025, 11, 10))
    assert "next review 2 March 2026" in _events(case, EventKind.ADJUSTMENT)[0].summary


def test_a_review_without_a_next_date_leaves_the_review_dates(case, senco):
    due = ReasonableAdjustmentFactory(pupil=case.pupil, review_on=D(2025, 11, 20))
    services.adjustment_review_record(pupil=case.pupil, by=senco, reviewed_on=TODAY, conclusion="Right")
    due.refresh_from_db()
    assert due.review_on == D(2025, 11, 20)


@pytest.mark.parametrize("next_review_on", [TODAY, TODAY - dt.timedelta(days=1)], ids=["same-day", "before"])
def test_the_next_review_must_come_after_this_one(case, senco, next_review_on):
    _adjustment(case.pupil, senco)
    with pytest.raises(ImpossibleFact, match="next review must be after"):
        services.adjustment_review_record(pupil=case.pupil, by=senco, reviewed_on=TODAY, conclusion="Right",
                                          next_review_on=next_review_on)
    assert not AdjustmentReview.objects.exists()


def test_ehc_plan_notification_only_for_a_pupil_with_an_ehc_plan(case, senco):
    pupil = case.pupil
    pupil.sen_status = SenStatus.SEN_SUPPORT
    pupil.save()
    with pytest.raises(InterventionRefused, match="does not have an EHC plan"):
        services.ehc_plan_notification_send(pupil=pupil, by=senco, sent_on=TODAY, details="Attendance 82%")
    assert not LANotification.objects.exists()

    pupil.sen_status = SenStatus.EHC_PLAN
    pupil.save()
    notification = services.ehc_plan_notification_send(pupil=pupil, by=senco, sent_on=TODAY, details="Attendance 82%")
    assert (notification.kind, notification.case) == (NotificationKind.EHC_PLAN_CONCERN, case)
    assert "EHC plan" in _events(case, EventKind.NOTIFICATION)[0].summary


# --- part-time timetables and sickness returns ------------------------------------------------------------


def _timetable(pupil, by, **extra):
    fields = {"agreed_hours": "Mornings only, 9:00 to 12:15", "reason": "Phased return after hospital stay",
                  "agreed_with_parents_on": D(2025, 11, 10), "starts_on": D(2025, 11, 17),
                  "planned_end_on": D(2025, 12, 19), "review_on": D(2025, 12, 5)}
    fields.update(extra)
    return services.part_time_timetable_create(pupil=pupil, by=by, **fields)


@pytest.mark.parametrize("end", [D(2025, 11, 17), D(2025, 11, 10)], ids=["same-day", "before-start"])
def test_part_time_timetable_must_be_time_limited(pupil, dsl, end):
    with pytest.raises(ImpossibleFact, match="time-limited"):
        _timetable(pupil, dsl, planned_end_on=end, review_on=end)
    assert not PartTimeTimetable.objects.exists()


def test_part_time_timetable_la_is_told_of_start_and_end(case, dsl):
    timetable = _timetable(case.pupil, dsl)
    assert timetable.case == case
    assert timetable.start_notification_overdue(TODAY)

    services.part_time_la_notification_record(timetable=timetable, by=dsl, kind=NotificationKind.PART_TIME_START,
                                              sent_on=D(2025, 11, 17))
    timetable.refresh_from_db()
    assert timetable.la_notified_of_start_on == D(2025, 11, 17) and not timetable.start_notification_overdue(TODAY)
    with pytest.raises(InterventionRefused, match="before telling the LA it ended"):
        services.part_time_la_notification_record(timetable=timetable, by=dsl, kind=NotificationKind.PART_TIME_END,
                                                  sent_on=TODAY)

    services.part_time_timetable_end(timetable=timetable, by=dsl, ended_on=D(2025, 11, 19))
    timetable.refresh_from_db()
    assert timetable.end_notification_overdue(TODAY)
    services.part_time_la_notification_record(timetable=timetable, by=dsl, kind=NotificationKind.PART_TIME_END,
                                              sent_on=TODAY)
    timetable.refresh_from_db()
    assert not timetable.end_notification_overdue(TODAY)
    kinds = list(LANotification.objects.filter(part_time_timetable=timetable).values_list("kind", flat=True))
    assert sorted(kinds) == sorted([NotificationKind.PART_TIME_START, NotificationKind.PART_TIME_END])
    assert len(_events(case, EventKind.NOTIFICATION)) == 2 and len(_events(case, EventKind.PART_TIME)) == 2


def test_part_time_review_moves_the_review_date_within_the_timetable(pupil, dsl):
    timetable = _timetable(pupil, dsl)
    with pytest.raises(InterventionRefused, match="no later than the planned end"):
        services.part_time_timetable_review(timetable=timetable, by=dsl, reviewed_on=TODAY, notes="Going well",
                                            next_review_on=D(2026, 1, 9))
    services.part_time_timetable_review(timetable=timetable, by=dsl, reviewed_on=TODAY, notes="Going well",
                                        next_review_on=D(2025, 12, 12))
    timetable.refresh_from_db()
    assert timetable.review_on == D(2025, 12, 12)


def test_sickness_return_carries_the_illness_sessions_from_the_scan(case, attendance_officer):
    AttendanceSnapshot.objects.create(
        pupil=case.pupil, as_of=D(2025, 11, 20), possible_sessions=110, attended_sessions=78, attendance_pct=70.9,
        persistent_absence=True, severe_absence=False, unauthorised_in_window=0, pn_threshold_met=False,
        pending_n_sessions=0, stale_n_sessions=0, illness_sessions=31, sickness_return_due=True,
        unexplained_run_sessions=0, cme_risk=False, late_marks_recent=0, lateness_concern=False,
    )
    notification = services.sickness_return_send(pupil=case.pupil, by=attendance_officer, sent_on=TODAY,
                                                 details="GP letter on file")
    assert notification.kind == NotificationKind.SICKNESS_RETURN
    assert "31 sessions (15.5 school days)" in notification.details and "GP letter on file" in notification.details
    assert "Sickness return" in _events(case, EventKind.NOTIFICATION)[0].summary


def test_sickness_return_without_a_scan_says_so(pupil, dsl):
    notification = services.sickness_return_send(pupil=pupil, by=dsl, sent_on=TODAY)
    assert "No attendance scan figures yet" in notification.details


# --- leave of absence -------------------------------------------------------------------------------------


def _leave(pupil, by, parent):
    return services.leave_request_record(pupil=pupil, by=by, parent=parent, first_day=D(2026, 2, 2),
                                         last_day=D(2026, 2, 6), reason="Grandmother's funeral abroad",
                                         received_on=D(2025, 11, 18))


def test_leave_request_must_come_from_a_parent_of_the_pupil(pupil, attendance_officer):
    stranger = factories.ParentalRelationshipFactory(pupil__school=pupil.school).parent
    with pytest.raises(InterventionRefused, match="Only a parent can request leave"):
        _leave(pupil, attendance_officer, stranger)


def test_only_the_headteacher_decides_leave_and_must_give_a_reason(case, dsl, headteacher, mother):
    leave = _leave(case.pupil, dsl, mother)
    with pytest.raises(NotPermitted, match="only the headteacher"):
        services.leave_request_decide(leave=leave, by=dsl, decision=LeaveDecision.GRANTED, reason="x", decided_on=TODAY)
    with pytest.raises(InterventionRefused, match="exceptional circumstances"):
        services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.REFUSED, reason=" ",
                                      decided_on=TODAY)

    services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.GRANTED,
                                  reason="Funeral of a close relative abroad: exceptional", decided_on=TODAY)
    leave.refresh_from_db()
    assert (leave.decision, leave.decided_by, leave.decided_on) == (LeaveDecision.GRANTED, headteacher, TODAY)
    assert "granted in exceptional circumstances" in _events(case)[0].summary
    with pytest.raises(InterventionRefused, match="already decided"):
        services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.REFUSED, reason="changed",
                                      decided_on=TODAY)


def test_refused_leave_says_absence_will_be_unauthorised(pupil, attendance_officer, headteacher, mother):
    leave = _leave(pupil, attendance_officer, mother)
    services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.REFUSED,
                                  reason="A family holiday is not an exceptional circumstance", decided_on=TODAY)
    assert AuditEvent.objects.filter(action="leave.decide", detail__contains="code G").exists()


def test_other_school_headteacher_cannot_decide(pupil, attendance_officer, mother, other_school):
    leave = _leave(pupil, attendance_officer, mother)
    other_head = factories.StaffProfileFactory(role="headteacher", school=other_school).user
    with pytest.raises(NotPermitted):
        services.leave_request_decide(leave=leave, by=other_head, decision=LeaveDecision.GRANTED, reason="x",
                                      decided_on=TODAY)


def test_register_selector_reads_every_row_in_one_query(school, pupil, senco, django_assert_num_queries):
    from interventions.selectors import adjustment_register

    for _n in range(4):
        ReasonableAdjustmentFactory(pupil=factories.PupilFactory(school=school), recorded_by=senco)
    with django_assert_num_queries(1):
        rows = list(adjustment_register(school=school, today=TODAY))
        assert [r.pupil.get_sen_status_display() for r in rows]
    assert len(rows) == 4
    assert Action.objects.count() == 0


def test_a_contract_is_not_posted_to_a_parent_without_an_address(case, dsl, mother, father):
    """The contract letter goes by post: a party with no address stops the offer, naming them, and nothing changes."""
    from cases.models import Parent
    from interventions.models import AttendanceContract, ContractStatus
    from notices.letters.store import LetterNotServable
    from notices.models import Letter

    Parent.objects.filter(pk=father.pk).update(address="")
    contract = _contract(case, dsl, [mother, father])
    with pytest.raises(LetterNotServable, match="Add an address for David Hughes on their record"):
        services.attendance_contract_offer(contract=contract, by=dsl)
    assert AttendanceContract.objects.get(pk=contract.pk).status == ContractStatus.DRAFT
    assert not Letter.objects.filter(subject_key=f"contract:{contract.pk}").exists()
