"""A penalty notice's life: draft, LA consulted, issued with its terms, paid, unpaid, withdrawn, prosecuted.

A paid notice can never go on to prosecution; a payment recorded after referral stops it at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from cases.facts import ImpossibleFact
from cases.models import Case, CaseOutcome, CaseState
from cases.permissions import NotPermitted
from cases.services import case_open
from notices.models import OfficerTask, OfficerTaskKind, PenaltyNotice, PenaltyNoticeState
from notices.penalty.services import (
    PenaltyNoticeRefused,
    deemed_received,
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_issue,
    penalty_notice_record_payment,
    penalty_notice_refer_for_prosecution,
    penalty_notice_withdraw,
    penalty_notices_mark_unpaid,
)
from notices.tasks import penalty_notices_unpaid_sweep
from tests import factories  # noqa: E402
from tests.factories import ParentalRelationshipFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)  # a Thursday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def mother(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1").parent


@pytest.fixture
def pn_case(pupil, dsl, school_issues_notices):
    # The register meets the threshold: ten G sessions in the week of 14 September 2026.
    factories.add_marks(pupil, dt.date(2026, 9, 14), ["G"] * 10)
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met")
    # Test set-up: the ladder's own tests walk a case here; this one starts at the stage.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


def _issued(pn_case, mother, dsl, *, issued_on=dt.date(2026, 10, 1), posted=True) -> PenaltyNotice:
    # A later notice to the same parent is for a new offence: ten more G sessions, two weeks on each time.
    earlier = PenaltyNotice.objects.filter(case=pn_case, parent=mother).count()
    if earlier:
        factories.add_marks(pn_case.pupil, dt.date(2026, 9, 14) + dt.timedelta(weeks=2 * earlier), ["G"] * 10)
    notice = penalty_notice_draft(case=pn_case, parent=mother, by=dsl)
    penalty_notice_consult_la(notice=notice, by=dsl)
    return penalty_notice_issue(notice=notice, by=dsl, issued_on=issued_on, posted=posted)


@pytest.mark.parametrize(
    ("issued_on", "posted", "received"),
    [
        (dt.date(2026, 11, 26), False, dt.date(2026, 11, 26)),  # handed over
        (dt.date(2026, 11, 26), True, dt.date(2026, 11, 30)),  # Thursday: Friday, Monday
        (dt.date(2026, 11, 27), True, dt.date(2026, 12, 1)),  # Friday: Monday, Tuesday
        (dt.date(2026, 4, 2), True, dt.date(2026, 4, 8)),  # Thursday before Easter: Tuesday, Wednesday
        (dt.date(2026, 12, 24), True, dt.date(2026, 12, 30)),  # Christmas Eve: the 25th and 28th are off
        (dt.date(2026, 5, 22), True, dt.date(2026, 5, 27)),  # Friday before the spring bank holiday
    ],
    ids=["by-hand", "posted-thursday", "posted-friday", "before-easter", "christmas-eve", "before-spring-bank-holiday"],
)
def test_a_posted_notice_is_received_on_the_second_working_day(issued_on, posted, received):
    assert deemed_received(issued_on=issued_on, posted=posted, working_days=2) == received


def test_first_notice_terms_run_from_receipt(pn_case, mother, dsl):
    notice = _issued(pn_case, mother, dsl)  # posted Thursday 1 October: received Monday 5 October
    assert notice.state == PenaltyNoticeState.ISSUED
    assert (notice.sequence, notice.amount_full, notice.amount_reduced) == (1, Decimal("160.00"), Decimal("80.00"))
    assert (notice.received_on, notice.reduced_by, notice.full_by) == (
        dt.date(2026, 10, 5), dt.date(2026, 10, 25), dt.date(2026, 11, 1)
    )


def test_issue_needs_the_la_consulted_first(pn_case, mother, dsl):
    notice = penalty_notice_draft(case=pn_case, parent=mother, by=dsl, )
    with pytest.raises(PenaltyNoticeRefused, match="The LA must be consulted"):
        penalty_notice_issue(notice=notice, by=dsl, issued_on=TODAY, posted=True)


def test_a_draft_needs_the_case_at_the_penalty_notice_stage(pupil, mother, dsl, school_issues_notices):
    case = case_open(pupil=pupil, by=dsl, reason="Concern")
    with pytest.raises(PenaltyNoticeRefused, match="penalty notice stage first"):
        penalty_notice_draft(case=case, parent=mother, by=dsl, offence_from=TODAY, offence_to=TODAY)


def test_a_notice_goes_only_to_a_parent_of_the_pupil(pn_case, dsl, school):
    stranger = ParentalRelationshipFactory(pupil__school=school).parent
    with pytest.raises(PenaltyNoticeRefused, match="is not a parent of"):
        penalty_notice_draft(case=pn_case, parent=stranger, by=dsl)


def test_a_third_notice_is_refused_at_issue(pn_case, mother, dsl):
    for issued_on in (dt.date(2026, 9, 21), dt.date(2026, 10, 5)):
        notice = _issued(pn_case, mother, dsl, issued_on=issued_on)
        Case.objects.filter(pk=pn_case.pk).update(state=CaseState.PENALTY_NOTICE)
        assert notice.state == PenaltyNoticeState.ISSUED
    factories.add_marks(pn_case.pupil, dt.date(2026, 10, 12), ["G"] * 10)  # a third offence
    third = penalty_notice_draft(case=pn_case, parent=mother, by=dsl)
    penalty_notice_consult_la(notice=third, by=dsl)
    with pytest.raises(PenaltyNoticeRefused, match="third penalty notice cannot be issued"):
        penalty_notice_issue(notice=third, by=dsl, issued_on=TODAY, posted=True)
    assert PenaltyNotice.objects.get(pk=third.pk).state == PenaltyNoticeState.LA_CONSULTED


def test_second_notice_has_no_reduced_rate(pn_case, mother, dsl):
    _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 9, 21))
    second = _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 10, 5))
    assert (second.sequence, second.amount_reduced, second.reduced_by) == (2, None, None)


@pytest.mark.parametrize(
    ("paid_on", "amount", "state"),
    [
        (dt.date(2026, 10, 25), Decimal("80.00"), PenaltyNoticeState.PAID_REDUCED),  # day 21, receipt day 1
        (dt.date(2026, 10, 26), Decimal("160.00"), PenaltyNoticeState.PAID_FULL),  # day 22: full rate
    ],
    ids=["day-21-reduced", "day-22-full"],
)
def test_payment_at_the_reduced_or_full_rate(pn_case, mother, dsl, la_officer, paid_on, amount, state):
    notice = _issued(pn_case, mother, dsl)
    assert penalty_notice_record_payment(notice=notice, by=la_officer, paid_on=paid_on, amount=amount).state == state


def test_eighty_pounds_on_day_22_does_not_settle_it(pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    with pytest.raises(ImpossibleFact, match=r"on 26 October 2026 must be £160\.00, an amount of this notice"):
        penalty_notice_record_payment(notice=notice, by=la_officer, paid_on=dt.date(2026, 10, 26),
                                      amount=Decimal("80.00"))


def test_payment_is_recorded_by_the_la_only(pn_case, mother, dsl):
    notice = _issued(pn_case, mother, dsl)
    with pytest.raises(NotPermitted):
        penalty_notice_record_payment(notice=notice, by=dsl, paid_on=TODAY, amount=Decimal("160.00"))


def test_unpaid_after_28_days_goes_on_the_officers_list_once(pn_case, mother, dsl):
    notice = _issued(pn_case, mother, dsl)  # received 5 October: full_by 1 November
    assert penalty_notices_mark_unpaid(today=dt.date(2026, 11, 1)).marked_unpaid == 0  # day 28: still in time
    assert penalty_notices_mark_unpaid(today=dt.date(2026, 11, 2)).marked_unpaid == 1
    assert penalty_notices_mark_unpaid(today=dt.date(2026, 11, 3)).marked_unpaid == 0
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.UNPAID
    (task,) = OfficerTask.objects.filter(notice=notice)
    assert task.kind == OfficerTaskKind.DECIDE_UNPAID and task.done_at is None


def test_the_celery_task_sweeps_as_of_today(pn_case, mother, dsl):
    _issued(pn_case, mother, dsl)
    assert penalty_notices_unpaid_sweep.delay().get() == {"checked": 1, "marked_unpaid": 1}


def test_the_la_decides_prosecution_and_a_paid_notice_can_never_be_referred(pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    penalty_notices_mark_unpaid(today=TODAY)
    with pytest.raises(NotPermitted):
        penalty_notice_refer_for_prosecution(notice=notice, by=dsl)
    referred = penalty_notice_refer_for_prosecution(notice=notice, by=la_officer)
    assert referred.state == PenaltyNoticeState.PROSECUTED
    assert OfficerTask.objects.get(notice=notice).done_at is not None

    # Paid on the last day, recorded only after the referral: the referral must stop at once.
    paid = penalty_notice_record_payment(notice=referred, by=la_officer, paid_on=notice.full_by,
                                         amount=Decimal("160.00"))
    assert paid.state == PenaltyNoticeState.PAID_FULL
    urgent = OfficerTask.objects.get(notice=notice, kind=OfficerTaskKind.STOP_PROSECUTION)
    assert urgent.urgent and "withdraw the prosecution now" in urgent.detail
    with pytest.raises(PenaltyNoticeRefused, match="a paid notice can never be prosecuted"):
        penalty_notice_refer_for_prosecution(notice=paid, by=la_officer)


def test_withdrawal_needs_grounds_and_a_withdrawn_notice_no_longer_counts(pn_case, mother, dsl, la_officer):
    first = _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 9, 21))
    with pytest.raises(PenaltyNoticeRefused, match="Give the grounds"):
        penalty_notice_withdraw(notice=first, by=la_officer, reason=" ")
    penalty_notice_withdraw(notice=first, by=la_officer, reason="Issued to the wrong address")
    again = _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 10, 5))
    assert again.sequence == 1


def test_another_las_officer_cannot_touch_the_notice(pn_case, mother, dsl, other_la_school):
    from tests.factories import StaffProfileFactory, UserFactory

    outsider = UserFactory(username="elsewhere")
    StaffProfileFactory(user=outsider, role="la_officer", school=None,
                        local_authority=other_la_school.local_authority)
    notice = _issued(pn_case, mother, dsl)
    with pytest.raises(NotPermitted):
        penalty_notice_record_payment(notice=notice, by=outsider, paid_on=TODAY, amount=Decimal("160.00"))


def test_every_step_is_on_the_case_chronology(pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)
    penalty_notice_record_payment(notice=notice, by=la_officer, paid_on=dt.date(2026, 10, 20), amount=Decimal("80.00"))
    summaries = list(pn_case.events.filter(kind="notice").order_by("pk").values_list("summary", flat=True))
    assert summaries[0].endswith("drafted")
    assert summaries[1].startswith("Local authority consulted")
    assert "issued to" in summaries[2]
    assert summaries[3].startswith("Payment of £80.00")


def test_a_new_notice_cannot_be_forged_past_draft(pupil, mother):
    with pytest.raises(ValueError, match="starts as a draft"):
        PenaltyNotice.objects.create(local_authority=pupil.school.local_authority, reference="X", pupil=pupil,
                                     parent=mother, state=PenaltyNoticeState.PAID_FULL, created_at=timezone.now())


def test_closing_the_case_keeps_the_notices(pn_case, mother, dsl):
    from cases.services import case_close

    notice = _issued(pn_case, mother, dsl)
    case_close(case=pn_case, by=dsl, outcome=CaseOutcome.LA_DECISION, reason="LA took over")
    assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.ISSUED


def test_a_payment_after_the_28_days_is_refused(pn_case, mother, dsl, la_officer):
    notice = _issued(pn_case, mother, dsl)  # received 5 October: full_by 1 November
    with pytest.raises(PenaltyNoticeRefused, match="too late"):
        penalty_notice_record_payment(notice=notice, by=la_officer, paid_on=dt.date(2026, 11, 2),
                                      amount=Decimal("160.00"))
    assert penalty_notice_record_payment(notice=notice, by=la_officer, paid_on=dt.date(2026, 11, 1),
                                         amount=Decimal("160.00")).state == PenaltyNoticeState.PAID_FULL


def test_a_notice_cannot_be_back_dated_before_the_parents_latest(pn_case, mother, dsl):
    _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 10, 20))
    Case.objects.filter(pk=pn_case.pk).update(state=CaseState.PENALTY_NOTICE)
    # The second offence ended on 2 October: the 5th is after it, but before the first notice.
    with pytest.raises(PenaltyNoticeRefused, match="cannot be dated before it"):
        _issued(pn_case, mother, dsl, issued_on=dt.date(2026, 10, 5))


def test_numbering_skips_imported_references_of_the_same_form(pn_case, mother, dsl):
    PenaltyNotice.objects.create(local_authority=pn_case.pupil.school.local_authority, reference="PN-873-2026-00002",
                                 pupil=pn_case.pupil, parent=mother, state=PenaltyNoticeState.PAID_FULL,
                                 issued_on=dt.date(2026, 1, 5), imported=True, created_at=timezone.now())
    notice = penalty_notice_draft(case=pn_case, parent=mother, by=dsl)
    assert notice.reference == "PN-873-2026-00003"


@pytest.mark.parametrize(
    ("issued_on", "refused"),
    [(dt.date(2026, 9, 17), True), (dt.date(2026, 9, 18), False)],
    ids=["day-before-the-offence-ends", "the-day-it-ends"],
)
def test_a_notice_is_not_dated_before_the_end_of_its_offence(pn_case, mother, dsl, issued_on, refused):
    notice = penalty_notice_consult_la(notice=penalty_notice_draft(case=pn_case, parent=mother, by=dsl), by=dsl)
    assert notice.offence_to == dt.date(2026, 9, 18)
    if refused:
        with pytest.raises(ImpossibleFact, match="on or after the last day of the offence period") as refusal:
            penalty_notice_issue(notice=notice, by=dsl, issued_on=issued_on, posted=True)
        assert refusal.value.field == "issued_on"
        assert PenaltyNotice.objects.get(pk=notice.pk).state == PenaltyNoticeState.LA_CONSULTED
    else:
        assert penalty_notice_issue(notice=notice, by=dsl, issued_on=issued_on, posted=True).issued_on == issued_on
