"""notices_record_problems: the stored notices rows that break the policy of cases.facts, each named by model,
id, field and a sentence; a clean record gives none. Rows are written directly here, as old data was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from cases.models import Case
from cases.services import case_open
from notices.flows import ProsecutionReferralFlow
from notices.models import Letter, NoticeOutcome, NoticeToImprove, PenaltyNotice, PenaltyNoticeState
from notices.record_checks import notices_record_problems
from notices.review.referrals import ProsecutionReferral
from tests.factories import ParentalRelationshipFactory, add_marks

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def case(pupil, dsl) -> Case:
    add_marks(pupil, dt.date(2026, 11, 2), "/\\" * 3 + "GG" + "/\\" * 5)  # G on Thursday 5 November
    return case_open(pupil=pupil, by=dsl, reason="Attendance falling")


@pytest.fixture
def mother(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1").parent


def _nti(case, dsl, **changes) -> NoticeToImprove:
    values = {"issued_on": dt.date(2026, 11, 2), "improvement_period_ends_on": dt.date(2026, 11, 23),
              "sufficient_improvement": "No unauthorised absence", "early_penalty_grounds": "Holiday in term time",
              "offence_from": dt.date(2026, 9, 7), "offence_to": dt.date(2026, 9, 11), **changes}
    return NoticeToImprove.objects.create(case=case, created_by=dsl, created_at=timezone.now(), **values)


def _pn(case, parent, reference, **changes) -> PenaltyNotice:
    values = {"state": PenaltyNoticeState.PAID_FULL, "issued_on": dt.date(2026, 10, 1),
              "amount_full": Decimal("160.00"), "amount_reduced": Decimal("80.00"), "paid_on": dt.date(2026, 10, 30),
              "paid_amount": Decimal("160.00"), **changes}
    return PenaltyNotice.objects.create(local_authority=case.school.local_authority, reference=reference,
                                        pupil=case.pupil, parent=parent, case=case, imported=True,
                                        created_at=timezone.now(), **values)


def _referral(case, dsl, **changes) -> ProsecutionReferral:
    bundle = Letter.objects.create(pupil=case.pupil, case=case, recipient="la:873", template="bundles/x.html",
                                   subject_key=f"bundle:case:{case.pk}", version=Letter.objects.count() + 1, title="Evidence bundle", pdf=b"",
                                   sha256="0" * 64, context={}, generated_by=dsl, generated_at=timezone.now())
    values = {"reason": "Unpaid", "decision": "prosecute", "offence": "s444_1", "hearing_date": TODAY,
              "hearing_result": "convicted", "fine_amount": Decimal("1000.00"), **changes}
    return ProsecutionReferral.objects.create(flow_class=ProsecutionReferralFlow, case=case, bundle=bundle,
                                              referred_by=dsl, **values)


def test_a_clean_record_has_no_problems(case, dsl, mother):
    _nti(case, dsl, early_ground_invoked="Holiday (G)",
         early_ground_sessions=[{"date": "2026-11-05", "session": "AM", "code": "G"}])
    _pn(case, mother, "PN-1")
    _referral(case, dsl)
    assert list(notices_record_problems()) == []


def test_each_broken_fact_is_named_by_model_id_and_field(case, dsl, mother):
    unevidenced = _nti(case, dsl, early_ground_invoked="Holiday, said on the day of issue")
    wrong_session = _nti(case, dsl, early_ground_invoked="Holiday",
                         early_ground_sessions=[{"date": "2026-11-02", "session": "AM", "code": "G"},
                                                {"date": "2026-11-06", "session": "PM", "code": "G"}])
    odd_period = _nti(case, dsl, improvement_period_ends_on=dt.date(2026, 11, 10), outcome=NoticeOutcome.IMPROVED,
                      outcome_recorded_on=dt.date(2026, 11, 9), sufficient_improvement="x" * 10_001)
    paid_early = _pn(case, mother, "PN-1", paid_on=dt.date(2026, 9, 30), paid_amount=Decimal("100.00"))
    before_offence = _pn(case, mother, "PN-2", offence_from=dt.date(2026, 9, 28), offence_to=dt.date(2026, 10, 2))
    fined = _referral(case, dsl, fine_amount=Decimal("50000.00"))
    acquitted = _referral(case, dsl, offence="s444_1a", hearing_result="acquitted", fine_amount=Decimal("2500.00"),
                          hearing_date=dt.date(2026, 11, 27))
    nti, pn, ref = "notices.NoticeToImprove", "notices.PenaltyNotice", "notices.ProsecutionReferral"
    assert set(notices_record_problems()) == {
        (nti, unevidenced.pk, "early_ground_sessions",
         "an early ground is recorded without the register sessions it rests on"),
        (nti, wrong_session.pk, "early_ground_sessions", "2026-11-02 AM is not within the improvement period"),
        (nti, wrong_session.pk, "early_ground_sessions",
         "2026-11-02 AM is recorded as code /, not an unauthorised absence"),
        (nti, wrong_session.pk, "early_ground_sessions",
         "2026-11-06 PM is recorded as code \\, not an unauthorised absence"),
        (nti, odd_period.pk, "improvement_period_ends_on",
         "2026-11-10 is not 3 to 6 weeks after the date of issue (2026-11-02)"),
        (nti, odd_period.pk, "outcome_recorded_on",
         "2026-11-09 is before the day after the improvement period ended (2026-11-11)"),
        (nti, odd_period.pk, "sufficient_improvement", "10,001 characters, over the limit of 10,000"),
        (pn, paid_early.pk, "paid_amount", "£100.00 is not an amount of the notice"),
        (pn, paid_early.pk, "paid_on", "2026-09-30 is before the date of issue (2026-10-01)"),
        (pn, before_offence.pk, "issued_on", "2026-10-01 is before the last day of the offence period (2026-10-02)"),
        (ref, fined.pk, "fine_amount", "£50,000.00 is over the maximum for s444_1 (£1,000.00)"),
        (ref, acquitted.pk, "fine_amount", "a fine is recorded without a conviction"),
        (ref, acquitted.pk, "hearing_date", "2026-11-27 is after today"),
    }
