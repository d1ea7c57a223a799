"""The case's state machine: every state x transition, the guards that carry the law, concurrency,
one open case per pupil, permissions by role, and the chronology each step leaves."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import ladder
from cases.errors import DomainError
from cases.models import Case, CaseEvent, CaseOutcome, CaseState, EventKind, SenStatus
from cases.permissions import NotPermitted
from cases.services import (
    CaseAlreadyOpen,
    CaseChangedMeanwhile,
    TransitionRefused,
    case_available_actions,
    case_close,
    case_hold,
    case_note_add,
    case_open,
    case_resume,
    case_transition,
    pn_consideration_authorise,
    pn_consideration_record,
)
from interventions.models import (
    AdjustmentReview,
    AttendanceContract,
    ContractStatus,
    EarlyHelp,
    EarlyHelpKind,
    SupportPlan,
    SupportPlanStatus,
)
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from notices.models import NoticeOutcome, NoticeToImprove
from tests.factories import ParentalRelationshipFactory, add_marks

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 26)
NOW = dt.datetime(2025, 11, 26, 10, 0, tzinfo=dt.UTC)
CASE_OPENED = dt.datetime(2025, 9, 15, 10, 0, tzinfo=dt.UTC)
ALL_TRANSITIONS = (
    "start_targeted_support", "start_formal_support", "issue_notice_to_improve", "request_penalty_notice",
    "refer_for_prosecution", "put_on_hold", "resume", "close",
)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def _forge_state(case: Case, state: str) -> Case:
    """Test set-up only: puts a case at a stage without walking the ladder (bypasses the protected field)."""
    held = CaseState.TARGETED_SUPPORT if state == CaseState.ON_HOLD else ""
    closed = {"closed_at": NOW, "outcome": CaseOutcome.IMPROVED} if state == CaseState.CLOSED else {}
    Case.objects.filter(pk=case.pk).update(state=state, held_from=held, **closed)
    return Case.objects.get(pk=case.pk)


def _threshold_met(pupil):
    add_marks(pupil, dt.date(2025, 11, 3), "GG" * 5)  # ten G sessions in one week: the threshold


def _full_evidence(case: Case, user, *, nti_ended_not_improved: bool = True):
    """Everything every guard looks for: a meeting held, a plan agreed, a contract declined, early help,
    the threshold met, considerations recorded and authorised."""
    pupil = case.pupil
    _threshold_met(pupil)
    parent = ParentalRelationshipFactory(pupil=pupil).parent
    meeting = Meeting.objects.create(
        case=case, kind=MeetingKind.ATTENDANCE, starts_at=NOW - dt.timedelta(days=40), location="School office",
        status=MeetingStatus.HELD, created_by=user, created_at=NOW,
    )
    MeetingAttendee.objects.create(meeting=meeting, role=AttendeeRole.PARENT, parent=parent, name=str(parent), attended=False)
    SupportPlan.objects.create(case=case, barriers="Anxiety about the bus", status=SupportPlanStatus.AGREED,
                               agreed_on=TODAY - dt.timedelta(days=39), review_on=TODAY, created_by=user, created_at=NOW)
    AttendanceContract.objects.create(case=case, school_commitments="Mentor", parent_commitments="Bring to school",
                                      starts_on=TODAY - dt.timedelta(days=30), review_on=TODAY, status=ContractStatus.DECLINED,
                                      status_changed_on=TODAY - dt.timedelta(days=29), created_by=user, created_at=NOW)
    EarlyHelp.objects.create(case=case, kind=EarlyHelpKind.VOLUNTARY_PLAN, agency="Early Help Hub",
                             started_on=TODAY - dt.timedelta(days=20), created_by=user, created_at=NOW)
    if nti_ended_not_improved:
        notice = NoticeToImprove.objects.create(
            case=case, issued_on=TODAY - dt.timedelta(days=50), improvement_period_ends_on=TODAY - dt.timedelta(days=8),
            sufficient_improvement="No unauthorised absence", offence_from=dt.date(2025, 9, 1),
            offence_to=dt.date(2025, 9, 30), outcome=NoticeOutcome.NOT_IMPROVED, created_by=user, created_at=NOW,
        )
        notice.parents.add(parent)
    return parent


@pytest.fixture
def case(pupil, dsl):
    """Opened at the start of term: the evidence _full_evidence dates weeks ago happened during the case."""
    opened = case_open(pupil=pupil, by=dsl, reason="Attendance 84% and falling")
    Case.objects.filter(pk=opened.pk).update(opened_at=CASE_OPENED, stage_entered_at=CASE_OPENED)
    return Case.objects.get(pk=opened.pk)


@pytest.fixture
def evidenced_case(case, dsl, headteacher):
    _full_evidence(case, dsl)
    consideration = pn_consideration_record(
        case=case, by=dsl, why_penalty_notice_is_the_best_tool="Support refused twice",
        alternatives_considered="NTI issued already; ESO not proportionate",
        equality_act_consideration="No disability; no adjustments needed",
    )
    pn_consideration_authorise(consideration=consideration, by=headteacher)
    return case


# Every state x transition with all evidence present: what the ladder's shape alone allows.
ALLOWED = {
    CaseState.CONCERN: {"start_targeted_support", "put_on_hold", "close"},
    CaseState.TARGETED_SUPPORT: {"start_formal_support", "issue_notice_to_improve", "request_penalty_notice",
                                 "put_on_hold", "close"},
    CaseState.FORMAL_SUPPORT: {"issue_notice_to_improve", "request_penalty_notice", "refer_for_prosecution",
                               "put_on_hold", "close"},
    CaseState.NOTICE_TO_IMPROVE: {"request_penalty_notice", "refer_for_prosecution", "put_on_hold", "close"},
    CaseState.PENALTY_NOTICE: {"refer_for_prosecution", "put_on_hold", "close"},
    CaseState.PROSECUTION_REFERRAL: {"put_on_hold", "close"},
    CaseState.ON_HOLD: {"resume", "close"},
    CaseState.CLOSED: set(),
}
EXPECTED_TARGET = {**ladder.TRANSITION_TARGETS, "resume": CaseState.TARGETED_SUPPORT}


def _run(case, transition, user):
    kwargs = {"case": case, "by": user, "reason": "Reviewed at the attendance panel"}
    if transition == "put_on_hold":
        return case_hold(**kwargs)
    if transition == "resume":
        return case_resume(**kwargs)
    if transition == "close":
        return case_close(outcome=CaseOutcome.IMPROVED, **kwargs)
    # The referral process takes its own step (notices.review.services.referrals); here the state machine is tested.
    return case_transition(transition=transition, by_its_process=transition == "refer_for_prosecution", **kwargs)


def test_the_prosecution_step_is_taken_only_by_the_referral(evidenced_case, dsl):
    case = _forge_state(evidenced_case, CaseState.PENALTY_NOTICE)
    with pytest.raises(TransitionRefused, match="the referral goes to the LA with its evidence bundle"):
        case_transition(case=case, transition="refer_for_prosecution", by=dsl, reason="Unpaid")
    assert Case.objects.get(pk=case.pk).state == CaseState.PENALTY_NOTICE


@pytest.mark.parametrize("state", list(CaseState), ids=[s.value for s in CaseState])
@pytest.mark.parametrize("transition", ALL_TRANSITIONS)
def test_every_state_and_transition(evidenced_case, dsl, state, transition):
    case = _forge_state(evidenced_case, state)
    if transition in ALLOWED[state]:
        moved = _run(case, transition, dsl)
        assert moved.state == EXPECTED_TARGET[transition]
        event = CaseEvent.objects.filter(case=case).first()
        assert (event.from_state, event.to_state, event.by) == (state, moved.state, dsl)
        assert event.reason == "Reviewed at the attendance panel"
    else:
        with pytest.raises(TransitionRefused):
            _run(case, transition, dsl)
        assert Case.objects.get(pk=case.pk).state == state


def test_targeted_support_needs_a_meeting_held_or_a_plan_agreed(case, dsl):
    with pytest.raises(TransitionRefused, match="Hold an attendance meeting with the parents, or agree a support plan"):
        case_transition(case=case, transition="start_targeted_support", by=dsl, reason="Needs support")
    SupportPlan.objects.create(case=case, barriers="Morning routine", status=SupportPlanStatus.AGREED,
                               agreed_on=TODAY, review_on=TODAY, created_by=dsl, created_at=NOW)
    moved = case_transition(case=case, transition="start_targeted_support", by=dsl, reason="Plan agreed")
    assert moved.state == CaseState.TARGETED_SUPPORT
    assert CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).get().evidence == [
        "Support plan agreed on 26 November 2025"
    ]


def test_a_planned_meeting_is_not_a_meeting_held(case, dsl):
    Meeting.objects.create(case=case, kind=MeetingKind.ATTENDANCE, starts_at=NOW, location="Office",
                           status=MeetingStatus.PLANNED, created_by=dsl, created_at=NOW)
    assert not ladder.check(case, "start_targeted_support").allowed


def test_formal_support_needs_a_contract_offered_or_a_voluntary_early_help_plan(case, dsl):
    case = _forge_state(case, CaseState.TARGETED_SUPPORT)
    contract = AttendanceContract.objects.create(case=case, school_commitments="x", parent_commitments="y",
                                                 starts_on=TODAY, review_on=TODAY, created_by=dsl, created_at=NOW)
    assert ladder.check(case, "start_formal_support").missing == (
        "Offer the parents an attendance contract, or start a voluntary early help plan, first.",
    )
    AttendanceContract.objects.filter(pk=contract.pk).update(status=ContractStatus.OFFERED)
    assert ladder.check(case, "start_formal_support").allowed


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("threshold", "The threshold for a notice is not met this academic year"),
        ("support", "Record the support offered to the family"),
        ("engagement", "Record how the parents have not engaged"),
    ],
    ids=["no-threshold", "no-support-offered", "no-non-engagement"],
)
def test_notice_to_improve_needs_threshold_support_and_non_engagement(case, dsl, remove, message):
    case = _forge_state(case, CaseState.TARGETED_SUPPORT)
    if remove != "threshold":
        _threshold_met(case.pupil)
    if remove != "support":
        SupportPlan.objects.create(case=case, barriers="b", status=SupportPlanStatus.AGREED, agreed_on=TODAY,
                                   review_on=TODAY, created_by=dsl, created_at=NOW)
    if remove != "engagement":
        case_note_add(case=case, by=dsl, kind=EventKind.NON_ENGAGEMENT, summary="Mother did not answer three calls")
    check = ladder.check(case, "issue_notice_to_improve")
    assert len(check.missing) == 1
    assert check.missing[0].startswith(message)


def test_nine_unauthorised_sessions_do_not_meet_the_threshold_and_ten_do(case, dsl):
    add_marks(case.pupil, dt.date(2025, 11, 3), "GG" * 4 + "G/")
    assert ladder.threshold_fact(case.pupil, TODAY)[0] is None
    add_marks(case.pupil, dt.date(2025, 11, 10), "U")
    assert ladder.threshold_fact(case.pupil, TODAY)[0] == dt.date(2025, 11, 10)


def test_sessions_covered_by_an_earlier_notice_do_not_count_again(case, dsl):
    _threshold_met(case.pupil)
    assert ladder.threshold_fact(case.pupil, TODAY)[0] == dt.date(2025, 11, 7)
    NoticeToImprove.objects.create(case=case, issued_on=dt.date(2025, 11, 10), improvement_period_ends_on=dt.date(2025, 12, 8),
                                   sufficient_improvement="x", offence_from=dt.date(2025, 11, 3),
                                   offence_to=dt.date(2025, 11, 7), created_by=dsl, created_at=NOW)
    first_met, wording = ladder.threshold_fact(case.pupil, TODAY)
    assert first_met is None
    assert "sessions covered by an earlier notice" in wording and "do not count" in wording


@pytest.mark.parametrize("sen", [SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN], ids=["sen-support", "ehc-plan"])
def test_a_notice_for_a_pupil_with_send_needs_the_adjustments_reviewed(evidenced_case, dsl, senco, sen):
    case = _forge_state(evidenced_case, CaseState.TARGETED_SUPPORT)
    case.pupil.sen_status = sen
    case.pupil.save()
    check = ladder.check(case, "issue_notice_to_improve")
    assert check.missing and "the SENCo must review the reasonable adjustments" in check.missing[0]
    AdjustmentReview.objects.create(pupil=case.pupil, case=case, reviewed_on=TODAY, reviewed_by=senco,
                                    conclusion="Transport adjustment in place and working")
    assert ladder.check(case, "issue_notice_to_improve").allowed
    assert ladder.check(case, "request_penalty_notice").allowed


def test_a_review_from_before_the_case_does_not_count(evidenced_case, senco):
    case = evidenced_case
    case.pupil.sen_status = SenStatus.EHC_PLAN
    case.pupil.save()
    AdjustmentReview.objects.create(pupil=case.pupil, reviewed_on=TODAY - dt.timedelta(days=400), reviewed_by=senco,
                                    conclusion="old")
    assert not ladder.check(_forge_state(case, CaseState.TARGETED_SUPPORT), "issue_notice_to_improve").allowed


def test_penalty_notice_needs_considerations_including_equality_act_and_the_headteacher(case, dsl, headteacher):
    _full_evidence(case, dsl, nti_ended_not_improved=False)
    case = _forge_state(case, CaseState.FORMAL_SUPPORT)
    assert any("Record the penalty notice considerations" in m for m in ladder.check(case, "request_penalty_notice").missing)
    with pytest.raises(DomainError, match="the Equality Act 2010 consideration"):
        pn_consideration_record(case=case, by=dsl, why_penalty_notice_is_the_best_tool="x",
                                alternatives_considered="y", equality_act_consideration="  ")
    consideration = pn_consideration_record(case=case, by=dsl, why_penalty_notice_is_the_best_tool="x",
                                            alternatives_considered="y", equality_act_consideration="No disability")
    assert ladder.check(case, "request_penalty_notice").missing == (
        "The headteacher must authorise the penalty notice request.",
    )
    with pytest.raises(NotPermitted):
        pn_consideration_authorise(consideration=consideration, by=dsl)
    pn_consideration_authorise(consideration=consideration, by=headteacher)
    assert ladder.check(case, "request_penalty_notice").allowed


@pytest.mark.parametrize(
    ("ends_in_days", "outcome", "early", "allowed", "message"),
    [
        (7, NoticeOutcome.PENDING, "", False, "improvement period runs until"),
        (0, NoticeOutcome.PENDING, "", False, "improvement period runs until"),
        (-1, NoticeOutcome.PENDING, "", False, "Record the outcome of the notice to improve"),
        (-1, NoticeOutcome.IMPROVED, "", False, "Attendance improved sufficiently"),
        (-1, NoticeOutcome.NOT_IMPROVED, "", True, ""),
        (7, NoticeOutcome.PENDING, "Unauthorised holiday taken during the period", True, ""),
    ],
    ids=["period-running", "period-ends-today", "ended-no-outcome", "improved", "not-improved", "stated-early-ground"],
)
def test_penalty_notice_after_a_notice_to_improve(evidenced_case, dsl, ends_in_days, outcome, early, allowed, message):
    case = _forge_state(evidenced_case, CaseState.NOTICE_TO_IMPROVE)
    NoticeToImprove.objects.filter(case=case).update(
        improvement_period_ends_on=TODAY + dt.timedelta(days=ends_in_days), outcome=outcome,
        early_penalty_grounds="An unauthorised holiday during the improvement period", early_ground_invoked=early,
    )
    check = ladder.check(case, "request_penalty_notice")
    assert check.allowed is allowed
    if message:
        assert any(message in m for m in check.missing)


def test_case_at_notice_to_improve_without_the_notice_recorded_cannot_go_further(case, dsl, headteacher):
    _full_evidence(case, dsl, nti_ended_not_improved=False)
    case = _forge_state(case, CaseState.NOTICE_TO_IMPROVE)
    assert "Record the notice to improve" in " ".join(ladder.check(case, "request_penalty_notice").missing)


def test_prosecution_referral_needs_a_documented_failure_of_support(case, dsl):
    case = _forge_state(case, CaseState.FORMAL_SUPPORT)
    check = ladder.check(case, "refer_for_prosecution")
    assert all(m.startswith("A prosecution referral needs a penalty notice unpaid after 28 days") for m in check.missing)
    assert len(check.missing) == 2


def test_one_open_case_per_pupil(case, pupil, dsl):
    with pytest.raises(CaseAlreadyOpen, match="already has an open case"):
        case_open(pupil=pupil, by=dsl, reason="again")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(pupil=pupil, school=pupil.school, opened_at=NOW, opened_by=dsl, opening_reason="x",
                            stage_entered_at=NOW)
    case_close(case=case, by=dsl, outcome=CaseOutcome.IMPROVED, reason="96% this half term")
    assert case_open(pupil=pupil, by=dsl, reason="Falling again").state == CaseState.CONCERN


def test_state_cannot_be_assigned_or_forged_at_creation(case, pupil, dsl):
    with pytest.raises(AttributeError):
        case.state = CaseState.PENALTY_NOTICE
    case_close(case=case, by=dsl, outcome=CaseOutcome.IMPROVED, reason="x")
    with pytest.raises(ValueError, match="starts at the concern stage"):
        Case.objects.create(pupil=pupil, school=pupil.school, state=CaseState.PENALTY_NOTICE, opened_at=NOW,
                            opened_by=dsl, opening_reason="x", stage_entered_at=NOW)


def test_two_officers_at_once_exactly_one_wins(evidenced_case, dsl, attendance_officer):
    case = _forge_state(evidenced_case, CaseState.TARGETED_SUPPORT)
    seen_by_dsl = Case.objects.get(pk=case.pk)
    seen_by_officer = Case.objects.get(pk=case.pk)
    case_transition(case=seen_by_dsl, transition="start_formal_support", by=dsl, reason="Contract offered",
                    expected_state=CaseState.TARGETED_SUPPORT)
    with pytest.raises(CaseChangedMeanwhile, match="Formal support"):
        case_hold(case=seen_by_officer, by=attendance_officer, reason="Hospital stay",
                  expected_state=CaseState.TARGETED_SUPPORT)
    assert Case.objects.get(pk=case.pk).state == CaseState.FORMAL_SUPPORT
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ON_HOLD).count() == 0


def test_the_model_refuses_a_stale_save(evidenced_case):
    """django-fsm-2's ConcurrentTransitionMixin: a save from a copy read before another transition fails."""
    from django_fsm import ConcurrentTransition

    first, second = Case.objects.get(pk=evidenced_case.pk), Case.objects.get(pk=evidenced_case.pk)
    first.put_on_hold(at=NOW)
    first.save()
    second.close(at=NOW, outcome=CaseOutcome.IMPROVED)
    with pytest.raises(ConcurrentTransition):
        second.save()


def test_hold_and_resume_return_to_the_same_stage(evidenced_case, dsl):
    case = _forge_state(evidenced_case, CaseState.FORMAL_SUPPORT)
    held = case_hold(case=case, by=dsl, reason="Hospital stay")
    assert (held.state, held.held_from) == (CaseState.ON_HOLD, CaseState.FORMAL_SUPPORT)
    resumed = case_resume(case=held, by=dsl, reason="Home from hospital")
    assert (resumed.state, resumed.held_from) == (CaseState.FORMAL_SUPPORT, "")


def test_close_needs_an_outcome_and_a_reason(case, dsl):
    with pytest.raises(DomainError, match="Choose the outcome"):
        case_close(case=case, by=dsl, outcome="", reason="x")
    with pytest.raises(DomainError, match="Say why"):
        case_close(case=case, by=dsl, outcome=CaseOutcome.LEFT_ROLL, reason=" ")
    closed = case_close(case=case, by=dsl, outcome=CaseOutcome.LEFT_ROLL, reason="Moved to Wales")
    assert (closed.state, closed.outcome, closed.closed_at) == (CaseState.CLOSED, "left_roll", timezone.now())


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("dsl", True), ("attendance_officer", True), ("senco", False), ("headteacher", False),
     ("other_school_dsl", False), ("la_officer", False)],
)
def test_who_may_open_and_move_a_case(request, pupil, persona, allowed):
    user = request.getfixturevalue(persona)
    if allowed:
        case = case_open(pupil=pupil, by=user, reason="Concern")
        assert case_hold(case=case, by=user, reason="Hospital").state == CaseState.ON_HOLD
    else:
        with pytest.raises(NotPermitted):
            case_open(pupil=pupil, by=user, reason="Concern")


def test_available_actions_say_why_a_step_is_not_possible(case, dsl, senco):
    actions = {a.transition: a for a in case_available_actions(case=case, user=dsl)}
    assert set(actions) == {"start_targeted_support", "put_on_hold", "close"}
    assert not actions["start_targeted_support"].allowed
    assert actions["start_targeted_support"].missing[0].startswith("Hold an attendance meeting")
    assert case_available_actions(case=case, user=senco) == []


def test_opening_from_an_alert_records_it_as_evidence(pupil, dsl, school):
    from cases.models import Alert

    alert = Alert.objects.create(pupil=pupil, school=school, kind="persistent_absence", dedup_key="2025/26",
                                 raised_on=TODAY, detail="Attendance 84.2% this year (persistent absence).")
    case = case_open(pupil=pupil, by=dsl, reason="From the nightly alert", alert=alert)
    event = case.events.get()
    assert event.kind == EventKind.OPENED
    assert event.evidence == ["Alert: New persistent absence: Attendance 84.2% this year (persistent absence)."]


def test_a_missed_meeting_noted_on_the_chronology_is_evidence_once(case, dsl):
    parent = ParentalRelationshipFactory(pupil=case.pupil).parent
    meeting = Meeting.objects.create(case=case, kind=MeetingKind.ATTENDANCE, starts_at=NOW - dt.timedelta(days=3),
                                     location="Office", status=MeetingStatus.HELD, created_by=dsl, created_at=NOW)
    MeetingAttendee.objects.create(meeting=meeting, role=AttendeeRole.PARENT, parent=parent, name="Jo Hughes",
                                   attended=False)
    case_note_add(case=case, by=dsl, kind=EventKind.NON_ENGAGEMENT,
                  summary="Jo Hughes did not attend the attendance meeting on 23 November 2025")
    case_note_add(case=case, by=dsl, kind=EventKind.NON_ENGAGEMENT, summary="Did not answer three calls")
    evidence = ladder.check(_forge_state(case, CaseState.FORMAL_SUPPORT), "refer_for_prosecution").evidence
    assert [line for line in evidence if "did not attend" in line] == [
        "Jo Hughes did not attend the attendance meeting on 23 November 2025"
    ]
    assert any(line.endswith("Did not answer three calls") for line in evidence)


@pytest.mark.parametrize(
    ("state", "allowed"),
    [("unpaid", True), ("prosecuted", True), ("paid_full", False), ("withdrawn", False)],
    ids=["unpaid-after-28-days", "already-referred", "paid", "withdrawn"],
)
def test_an_unpaid_penalty_notice_is_a_ground_for_prosecution_referral(case, dsl, state, allowed):
    from decimal import Decimal

    from notices.models import PenaltyNotice

    parent = ParentalRelationshipFactory(pupil=case.pupil).parent
    PenaltyNotice.objects.create(
        local_authority=case.pupil.school.local_authority, reference="PN-1", pupil=case.pupil, parent=parent,
        state=state, issued_on=TODAY - dt.timedelta(days=40), full_by=TODAY - dt.timedelta(days=10),
        amount_full=Decimal("160.00"), imported=True, created_at=NOW,
    )
    check = ladder.check(_forge_state(case, CaseState.PENALTY_NOTICE), "refer_for_prosecution")
    assert check.allowed is allowed
    if allowed:
        assert check.evidence[0].startswith("Penalty notice PN-1")


def test_the_limit_of_two_notices_is_a_ground_for_prosecution_referral(case, dsl):
    from decimal import Decimal

    from notices.models import PenaltyNotice

    parent = ParentalRelationshipFactory(pupil=case.pupil).parent
    for ref, days in (("PN-1", 300), ("PN-2", 100)):
        PenaltyNotice.objects.create(
            local_authority=case.pupil.school.local_authority, reference=ref, pupil=case.pupil, parent=parent,
            state="paid_full", issued_on=TODAY - dt.timedelta(days=days), amount_full=Decimal("160.00"),
            imported=True, created_at=NOW,
        )
    check = ladder.check(_forge_state(case, CaseState.PENALTY_NOTICE), "refer_for_prosecution")
    assert check.allowed
    assert "no further notice is possible" in check.evidence[0]


def test_a_penalty_notice_can_follow_a_failed_notice_to_improve_for_the_offence_it_warned_about(case, dsl, headteacher):
    """The NTI covers the window that met the threshold; once its period ends without improvement, the
    penalty notice is for that offence, so those sessions count for it (they do not for a new NTI)."""
    _full_evidence(case, dsl, nti_ended_not_improved=False)  # threshold: ten G in the week of 3 November
    NoticeToImprove.objects.create(
        case=case, issued_on=dt.date(2025, 11, 10), improvement_period_ends_on=dt.date(2025, 11, 25),
        sufficient_improvement="No unauthorised absence", offence_from=dt.date(2025, 11, 3),
        offence_to=dt.date(2025, 11, 7), outcome=NoticeOutcome.PENDING, created_by=dsl, created_at=NOW,
    )
    case = _forge_state(case, CaseState.NOTICE_TO_IMPROVE)
    assert ladder.threshold_fact(case.pupil, TODAY)[0] is None  # covered for any new notice
    assert ladder.threshold_fact(case.pupil, TODAY, after_failed_nti_of=case)[0] is None  # not failed yet

    NoticeToImprove.objects.filter(case=case).update(outcome=NoticeOutcome.NOT_IMPROVED)
    assert ladder.threshold_fact(case.pupil, TODAY, after_failed_nti_of=case)[0] == dt.date(2025, 11, 7)
    consideration = pn_consideration_record(
        case=case, by=dsl, why_penalty_notice_is_the_best_tool="The notice to improve did not work",
        alternatives_considered="Another notice would repeat it", equality_act_consideration="No disability",
    )
    pn_consideration_authorise(consideration=consideration, by=headteacher)
    moved = case_transition(case=case, transition="request_penalty_notice", by=dsl, reason="NTI failed")
    assert moved.state == CaseState.PENALTY_NOTICE


def test_the_request_to_the_la_takes_the_ladders_step_with_it(case, dsl, headteacher):
    """One action, "Request a penalty notice": the request moves the case to the stage on the ladder's own
    conditions, instead of a separate step followed by a second, near-identical request."""
    from notices.review.requests import PenaltyNoticeRequest
    from notices.review.services.requests import RequestRefused, pn_request_start

    _full_evidence(case, dsl, nti_ended_not_improved=False)
    NoticeToImprove.objects.create(
        case=case, issued_on=dt.date(2025, 11, 10), improvement_period_ends_on=dt.date(2025, 11, 25),
        sufficient_improvement="No unauthorised absence", offence_from=dt.date(2025, 11, 3),
        offence_to=dt.date(2025, 11, 7), outcome=NoticeOutcome.NOT_IMPROVED, created_by=dsl, created_at=NOW,
    )
    case = _forge_state(case, CaseState.NOTICE_TO_IMPROVE)
    parent = ParentalRelationshipFactory(pupil=case.pupil).parent
    consideration = pn_consideration_record(
        case=case, by=dsl, why_penalty_notice_is_the_best_tool="The notice to improve did not work",
        alternatives_considered="Another notice would repeat it", equality_act_consideration="No disability",
    )
    with pytest.raises(RequestRefused, match="headteacher must authorise"):
        pn_request_start(case=case, by=dsl, parents=[parent], reason="Please issue")
    assert Case.objects.get(pk=case.pk).state == CaseState.NOTICE_TO_IMPROVE
    pn_consideration_authorise(consideration=consideration, by=headteacher)
    request = pn_request_start(case=case, by=dsl, parents=[parent], reason="Please issue")
    assert Case.objects.get(pk=case.pk).state == CaseState.PENALTY_NOTICE
    assert PenaltyNoticeRequest.objects.get() == request
    moved = CaseEvent.objects.get(case=case, kind=EventKind.TRANSITION, to_state=CaseState.PENALTY_NOTICE)
    assert moved.reason == "Please issue"


def test_a_case_stays_with_the_school_that_opened_it_when_the_pupil_moves(case, dsl, other_school, other_school_dsl):
    from cases.selectors import case_for_user
    from cases.services import case_hold

    case.pupil.school = other_school
    case.pupil.save()
    case = Case.objects.get(pk=case.pk)
    assert case_for_user(user=dsl, pk=case.pk) == case
    assert case_hold(case=case, by=dsl, reason="Pupil moved; keeping the file").state == CaseState.ON_HOLD
    from django.http import Http404

    with pytest.raises(Http404):
        case_for_user(user=other_school_dsl, pk=case.pk)
