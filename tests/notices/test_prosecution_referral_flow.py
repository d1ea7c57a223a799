"""The prosecution referral (notices.flows.ProsecutionReferralFlow), driven over HTTP as each person would:
the school refers the case with a fresh evidence bundle, an LA officer takes it, decides (prosecute under
s444(1), an education supervision order, or no further action), records the outcome, and closes the case or
returns it to the school with advice. A paid penalty notice is never referred; another LA never sees it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseOutcome, CaseState, Role
from cases.models.audit import AuditEvent
from cases.services import case_open
from notices.models import Letter, PenaltyNotice, PenaltyNoticeState, ProsecutionOutcome, ProsecutionReferral
from notices.penalty.services import penalty_notice_terms_for
from tests import factories
from tests.factories import ParentalRelationshipFactory, add_marks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def mother(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1", parent__forename="Jo",
                                       relationship="Mother").parent


@pytest.fixture
def father(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="F1", parent__forename="Sam",
                                       relationship="Father").parent


@pytest.fixture
def pn_case(pupil, dsl):
    add_marks(pupil, dt.date(2026, 9, 28), "O" * 12)  # the threshold: 10 unauthorised sessions in 10 weeks
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met")
    # Test set-up: the ladder's own tests walk a case here; this one starts at the penalty notice stage.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


def _notice(case, parent, reference, state, issued_on=dt.date(2026, 10, 1)):
    return PenaltyNotice.objects.create(
        local_authority=case.school.local_authority, reference=reference, pupil=case.pupil, parent=parent, case=case,
        state=state, issued_on=issued_on, full_by=issued_on + dt.timedelta(days=28), amount_full=Decimal("160.00"),
        imported=True, created_at=timezone.now(),
    )


@pytest.fixture
def unpaid(pn_case, mother):
    return _notice(pn_case, mother, "PN-UNPAID", PenaltyNoticeState.UNPAID)


@pytest.fixture
def paid(pn_case, father):
    return _notice(pn_case, father, "PN-PAID", PenaltyNoticeState.PAID_FULL)


@pytest.fixture
def other_la_officer(db):
    other = factories.LocalAuthorityFactory(code="312", name="Riverside Borough Council")
    user = factories.UserFactory(username="other_la_officer")
    factories.StaffProfileFactory(user=user, role=Role.LA_OFFICER, position="Officer", school=None, local_authority=other)
    return user


def _as(client, user):
    client.force_login(user)
    return client


def _refer(client, dsl, case, reason="Notice unpaid; no engagement with support"):
    return _as(client, dsl).post(reverse("referrals:new", kwargs={"case_pk": case.pk}),
                                 {"reason": reason, "confirm": "yes"})


def _la_url(name, referral, code="873"):
    return reverse(f"referrals:{name}", kwargs={"code": code, "pk": referral.pk})


def _decide(client, officer, referral, decision, offence="", reasons="Evidence sufficient; in the public interest"):
    """The decision; a prosecution under ``offence`` chooses every parent with parental responsibility
    (tests/notices/test_referral_parents.py tests the choice itself)."""
    data = {"decision": decision, "reasons": reasons}
    if decision == "prosecute" and offence:
        pupil = referral.case.pupil
        chosen = [link.parent_id for link in pupil.parent_links.filter(parental_responsibility=True)]
        data |= {"parents": chosen, **{f"offence_{pk}": offence for pk in chosen}}
    return _as(client, officer).post(_la_url("la_decide", referral), data)


def _outcome(client, officer, referral, **fields):
    """The outcome; the one result, fine and parenting order given go to every prosecuted parent."""
    per_parent = {"hearing_result": "result", "fine_amount": "fine", "parenting_order": "parenting_order"}
    for chosen in referral.prosecuted_parents.all():
        for name, prefix in per_parent.items():
            if name in fields:
                fields[f"{prefix}_{chosen.parent_id}"] = fields[name]
    return _as(client, officer).post(_la_url("la_outcome", referral), fields)


def _summaries(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("summary", flat=True))


def test_prosecution_under_s444_1_refers_the_unpaid_notice_records_the_hearing_and_closes_the_case(
    client, dsl, la_officer, pn_case, unpaid, paid
):
    case_page = _as(client, dsl).get(reverse("case_detail", kwargs={"pk": pn_case.pk}))
    assert b'data-testid="step-link-refer_for_prosecution"' in case_page.content  # the ladder allows it: unpaid

    assert _refer(client, dsl, pn_case).status_code == 302
    referral = ProsecutionReferral.objects.get(case=pn_case)
    pn_case.refresh_from_db()
    assert pn_case.state == CaseState.PROSECUTION_REFERRAL  # moved there by the ladder's own step
    assert referral.bundle.case == pn_case and referral.bundle.recipient == "la:873"
    assert referral.bundle == Letter.objects.filter(case=pn_case).latest("version")
    assert _refer(client, dsl, pn_case).status_code == 400  # one open referral at a time

    # The LA team's queue shows it, unassigned; the officer takes it and downloads the bundle attached.
    inbox = _as(client, la_officer).get(reverse("pn_requests:la_inbox", kwargs={"code": "873"}))
    assert inbox.context["referrals"].queue[0].referral == referral
    assert b"Prosecution referrals" in inbox.content
    assert client.post(_la_url("la_assign", referral)).status_code == 302
    page = client.get(_la_url("la_detail", referral))
    assert b"Record the decision" in page.content and b"PN-UNPAID" in page.content
    assert b'data-testid="referral-bundle-link"' in page.content
    pdf = client.get(_la_url("la_bundle", referral))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(referral.bundle.pdf) and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="bundle.download", user=la_officer).exists()

    assert _decide(client, la_officer, referral, "prosecute").status_code == 400  # which offence?
    assert _decide(client, la_officer, referral, "prosecute", reasons="").status_code == 400
    assert _decide(client, la_officer, referral, "prosecute", offence="s444_1").status_code == 302
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert unpaid.state == PenaltyNoticeState.PROSECUTED
    assert paid.state == PenaltyNoticeState.PAID_FULL  # a paid notice is never prosecuted

    page = client.get(_la_url("la_detail", referral))
    assert b"Record the outcome" in page.content and b"Date of the hearing" in page.content
    assert _outcome(client, la_officer, referral, conclusion="close").status_code == 400  # the hearing first
    hearing = {"hearing_day": "14", "hearing_month": "1", "hearing_year": "2027"}
    # The outcome of a hearing is recorded once it has happened.
    assert b"The date of the hearing must be today or in the past" in _outcome(
        client, la_officer, referral, **hearing, hearing_result="convicted", parenting_order="no",
        conclusion="close").content
    with time_machine.travel(dt.datetime(2027, 1, 20, 12, tzinfo=dt.UTC), tick=False):
        response = _outcome(client, la_officer, referral, **hearing,
                            hearing_result="convicted", fine_amount="120", parenting_order="no",
                            notes="Fined at Westminster Magistrates' Court", conclusion="close")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.finished is not None
    assert (referral.decision, referral.offence, referral.decided_by) == ("prosecute", "s444_1", la_officer)
    assert referral.hearing_date == dt.date(2027, 1, 14) and referral.hearing_result == "convicted"
    assert referral.fine_amount == Decimal("120") and referral.parenting_order is False
    pn_case.refresh_from_db()
    assert pn_case.state == CaseState.CLOSED and pn_case.outcome == CaseOutcome.LA_DECISION
    closing = CaseEvent.objects.get(case=pn_case, summary__startswith="Closed")
    assert "s444(1)" in closing.reason and "public interest" in closing.reason

    summaries = _summaries(pn_case)
    for expected in ("→ Prosecution referral", "Evidence bundle for the LA made", "Referred to", "taken by",
                     "decided by the local authority", "PN-UNPAID referred for prosecution", "convicted",
                     "Closed: Local authority decision"):
        assert any(expected in summary for summary in summaries), expected
    assert AuditEvent.objects.filter(action__startswith="referral.").count() >= 4
    school_page = _as(client, dsl).get(reverse("referrals:school_detail", kwargs={"case_pk": pn_case.pk,
                                                                                "pk": referral.pk}))
    assert b"Concluded: case closed" in school_page.content and b"public interest" in school_page.content


def test_a_case_returned_to_the_school_keeps_its_stage_and_the_advice_is_on_the_chronology(
    client, dsl, la_officer, pn_case, unpaid
):
    _refer(client, dsl, pn_case)
    referral = ProsecutionReferral.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", referral))
    assert _decide(client, la_officer, referral, "eso", reasons="Welfare concerns; an order will help").status_code == 302
    assert PenaltyNotice.objects.get(pk=unpaid.pk).state == PenaltyNoticeState.UNPAID  # only a prosecution refers
    assert _outcome(client, la_officer, referral, conclusion="return_to_school").status_code == 400  # advice needed
    advice = "Keep the support plan going; review with the family in four weeks"
    assert _outcome(client, la_officer, referral, conclusion="return_to_school", advice=advice).status_code == 302
    referral.refresh_from_db()
    pn_case.refresh_from_db()
    assert referral.finished is not None and referral.conclusion == "return_to_school"
    assert pn_case.state == CaseState.PROSECUTION_REFERRAL and pn_case.is_open
    assert CaseEvent.objects.filter(case=pn_case, summary__contains="returned to the school", reason=advice).exists()
    page = _as(client, dsl).get(reverse("referrals:school_detail", kwargs={"case_pk": pn_case.pk, "pk": referral.pk}))
    assert advice.encode() in page.content and b"education supervision order" in page.content
    # Returned, the school may refer again later.
    assert b'data-testid="step-link-refer_for_prosecution"' in client.get(
        reverse("case_detail", kwargs={"pk": pn_case.pk})).content


def test_no_further_action_closes_the_case_with_the_decision_as_reason(client, dsl, la_officer, pn_case, unpaid):
    _refer(client, dsl, pn_case)
    referral = ProsecutionReferral.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", referral))
    assert _decide(client, la_officer, referral, "nfa", reasons="Attendance has since improved").status_code == 302
    assert PenaltyNotice.objects.get(pk=unpaid.pk).state == PenaltyNoticeState.UNPAID
    assert _outcome(client, la_officer, referral, conclusion="close").status_code == 302
    pn_case.refresh_from_db()
    assert pn_case.state == CaseState.CLOSED and pn_case.outcome == CaseOutcome.LA_DECISION
    closing = CaseEvent.objects.get(case=pn_case, summary__startswith="Closed")
    assert closing.reason == "No further action: Attendance has since improved"
    assert ProsecutionReferral.objects.get(pk=referral.pk).hearing_date is None


def test_a_paid_penalty_notice_is_never_referred_for_prosecution(client, dsl, la_officer, pn_case, mother):
    # The ground here is the limit of two notices reached, both paid: the prosecution refers neither.
    first = _notice(pn_case, mother, "PN-1", PenaltyNoticeState.PAID_REDUCED, issued_on=dt.date(2025, 3, 1))
    second = _notice(pn_case, mother, "PN-2", PenaltyNoticeState.PAID_FULL, issued_on=dt.date(2026, 10, 1))
    assert _refer(client, dsl, pn_case).status_code == 302
    referral = ProsecutionReferral.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", referral))
    assert _decide(client, la_officer, referral, "prosecute", offence="s444_1a").status_code == 302
    assert {n.state for n in PenaltyNotice.objects.filter(pk__in=[first.pk, second.pk])} == {
        PenaltyNoticeState.PAID_REDUCED, PenaltyNoticeState.PAID_FULL}
    assert not PenaltyNotice.objects.filter(state=PenaltyNoticeState.PROSECUTED).exists()


def test_another_las_officer_can_neither_see_nor_act_on_the_referral_nor_download_its_bundle(
    client, dsl, other_school_dsl, other_la_officer, pn_case, unpaid
):
    _refer(client, dsl, pn_case)
    referral = ProsecutionReferral.objects.get(case=pn_case)
    _as(client, other_la_officer)
    for code in ("873", "312"):
        assert client.get(_la_url("la_detail", referral, code=code)).status_code == 404
        assert client.get(_la_url("la_bundle", referral, code=code)).status_code == 404
    assert client.post(_la_url("la_assign", referral, code="312")).status_code == 404
    assert client.post(_la_url("la_decide", referral, code="312"), {"decision": "nfa"}).status_code == 404
    assert client.get(reverse("pn_requests:la_inbox", kwargs={"code": "312"})).context["referrals"].queue == []
    # School staff never reach the LA's pages; another school never sees the referral.
    assert _as(client, dsl).get(_la_url("la_bundle", referral)).status_code == 403
    assert _as(client, other_school_dsl).get(
        reverse("referrals:school_detail", kwargs={"case_pk": pn_case.pk, "pk": referral.pk})).status_code == 404


def test_no_referral_when_the_ladder_does_not_allow_it(client, dsl, pn_case):
    page = _as(client, dsl).get(reverse("case_detail", kwargs={"pk": pn_case.pk}))
    assert b'data-testid="step-link-refer_for_prosecution"' not in page.content
    response = _refer(client, dsl, pn_case)
    assert response.status_code == 400
    assert "Refer for prosecution is not possible yet" in response.content.decode()
    assert not ProsecutionReferral.objects.exists()
    pn_case.refresh_from_db()
    assert pn_case.state == CaseState.PENALTY_NOTICE
    assert not Letter.objects.filter(case=pn_case).exists()  # nothing made: the bundle rolled back too


# --- the LA's inbox and the service level sweep -----------------------------------------------------------


def _reached_la(referral, on):
    """Test set-up: the referral (and its review task) reached the LA on ``on`` (10:00 UTC)."""
    from notices.flows import ProsecutionReferralFlow

    at = dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC)
    ProsecutionReferral.objects.filter(pk=referral.pk).update(created=at)
    ProsecutionReferralFlow.task_class.objects.filter(process_id=referral.pk).update(created=at)


@pytest.mark.parametrize(("reached_la", "waiting", "overdue"), [
    (dt.date(2026, 11, 19), 5, False),  # 5 working days: within the level
    (dt.date(2026, 11, 18), 6, True),  # 6 working days: overdue
])
def test_inbox_flags_a_referral_decision_past_the_service_level_and_the_sweep_counts_it(
    client, dsl, la_officer, pn_case, unpaid, reached_la, waiting, overdue
):
    from interventions.tasks import la_service_level_sweep

    _refer(client, dsl, pn_case)
    referral = ProsecutionReferral.objects.get(case=pn_case)
    _reached_la(referral, reached_la)
    page = _as(client, la_officer).get(reverse("pn_requests:la_inbox", kwargs={"code": "873"}))
    task = page.context["referrals"].queue[0]
    assert (task.working_days_waiting, task.overdue) == (waiting, overdue)
    assert (b'data-testid="overdue"' in page.content) is overdue
    expected = {"873": 1} if overdue else {}
    assert la_service_level_sweep()["prosecution_referrals_overdue"] == expected
    assert la_service_level_sweep()["prosecution_referrals_overdue"] == expected  # idempotent: counts only

    # Once decided, the outcome follows the court: neither flagged nor counted.
    _as(client, la_officer).post(_la_url("la_assign", referral))
    _decide(client, la_officer, referral, "eso", reasons="An ESO first")
    _reached_la(referral, reached_la)
    mine = client.get(reverse("pn_requests:la_inbox", kwargs={"code": "873"})).context["referrals"].mine[0]
    assert mine.working_days_waiting == waiting and not mine.overdue
    assert la_service_level_sweep()["prosecution_referrals_overdue"] == {}


def test_inbox_school_filter_applies_to_referrals(client, dsl, la_officer, la, pn_case, unpaid):
    other_school = factories.SchoolFactory(urn="654321", name="Hill Top Academy", local_authority=la)
    _refer(client, dsl, pn_case)
    url = reverse("pn_requests:la_inbox", kwargs={"code": "873"})
    assert len(_as(client, la_officer).get(url, {"school": "123456"}).context["referrals"].queue) == 1
    assert client.get(url, {"school": other_school.urn}).context["referrals"].queue == []


def test_the_ladder_step_points_to_the_referral_and_never_moves_the_case_without_one(client, dsl, pn_case, unpaid):
    page = _as(client, dsl).get(reverse("case_detail", args=[pn_case.pk])).content.decode()
    assert 'data-testid="step-link-refer_for_prosecution"' in page
    response = client.post(reverse("case_step", args=[pn_case.pk]), {
        "transition": "refer_for_prosecution", "reason": "Unpaid", "expected_state": pn_case.state,
    })
    assert "goes to the LA with its evidence bundle" in response.content.decode()  # shown in the error summary
    pn_case.refresh_from_db()
    assert pn_case.state == CaseState.PENALTY_NOTICE and not ProsecutionReferral.objects.exists()


def test_an_officer_cannot_take_a_referral_someone_has_taken(client, dsl, la_officer, la, pn_case, unpaid):
    from notices.review.services import referrals
    from notices.review.services.referrals import ReferralRefused

    second = factories.UserFactory(username="la_officer_2")
    factories.StaffProfileFactory(user=second, role=Role.LA_OFFICER, position="Officer", school=None,
                                  local_authority=la)
    _refer(client, dsl, pn_case)
    referral = ProsecutionReferral.objects.get(case=pn_case)
    referrals.referral_assign(referral=referral, by=la_officer)
    with pytest.raises(ReferralRefused, match=f"{la_officer.get_full_name()} has already taken this referral"):
        referrals.referral_assign(referral=referral, by=second)
    assert referrals.open_task(referral, "review").owner == la_officer


@pytest.mark.parametrize(
    ("hearing_result", "outcome"),
    [
        ("convicted", ProsecutionOutcome.GUILTY),  # still counts
        ("acquitted", ProsecutionOutcome.NOT_GUILTY),  # no longer counts
        ("withdrawn", ""),  # no verdict: the notice's prosecution stays pending, and it counts
    ],
    ids=["convicted", "acquitted", "withdrawn"],
)
def test_the_hearing_result_is_the_outcome_of_the_notices_it_prosecuted(client, dsl, la_officer, pn_case, unpaid,
                                                                        hearing_result, outcome):
    before = _notice(pn_case, unpaid.parent, "PN-EARLIER", PenaltyNoticeState.UNPAID, issued_on=dt.date(2026, 3, 2))
    PenaltyNotice.objects.filter(pk=before.pk).update(state=PenaltyNoticeState.PROSECUTED,
                                                      referred_on=dt.date(2026, 5, 1))  # an earlier prosecution
    _refer(client, dsl, pn_case)
    referral = ProsecutionReferral.objects.get(case=pn_case)
    _as(client, la_officer).post(_la_url("la_assign", referral))
    assert _decide(client, la_officer, referral, "prosecute", offence="s444_1").status_code == 302
    # The hearing has happened (the frozen clock's day, the referral's own): an outcome is recorded after it.
    response = _outcome(client, la_officer, referral, hearing_day="26", hearing_month="11", hearing_year="2026",
                        hearing_result=hearing_result, fine_amount="", parenting_order="no", conclusion="close")
    assert response.status_code == 302
    assert PenaltyNotice.objects.get(pk=unpaid.pk).prosecution_outcome == outcome
    assert PenaltyNotice.objects.get(pk=before.pk).prosecution_outcome == ""  # not this referral's: untouched
    terms = penalty_notice_terms_for(pupil=pn_case.pupil, parent=unpaid.parent, on=dt.date(2026, 11, 26))
    expected = ("PN-EARLIER",) if outcome == ProsecutionOutcome.NOT_GUILTY else ("PN-EARLIER", "PN-UNPAID")
    assert terms.counted_references == expected
    if outcome:
        assert any("PN-UNPAID" in e.reason for e in CaseEvent.objects.filter(case=pn_case, summary__contains="outcome"))


# --- the outcome records what can be true: the hearing happened after the referral, the fine within the law ---


def _awaiting_outcome(client, dsl, la_officer, case, offence) -> ProsecutionReferral:
    _refer(client, dsl, case)
    referral = ProsecutionReferral.objects.get(case=case)
    _as(client, la_officer).post(_la_url("la_assign", referral))
    assert _decide(client, la_officer, referral, "prosecute", offence=offence).status_code == 302
    return ProsecutionReferral.objects.get(pk=referral.pk)


@pytest.mark.parametrize(
    ("offence", "fine", "refusal"),
    [
        ("s444_1", "1000.00", None),
        ("s444_1", "1000.01", r"The fine must be £1,000.00 or less \(level 3 on the standard scale"),
        ("s444_1", "50000", r"The fine must be £1,000.00 or less"),
        ("s444_1a", "2500.00", None),
        ("s444_1a", "2500.01", r"The fine must be £2,500.00 or less \(level 4 on the standard scale"),
        ("s444_1", "0", r"The fine must be more than £0"),
        ("s444_1", "12.345", r"The fine must be in whole pence"),
    ],
    ids=["s444-1-at-maximum", "s444-1-a-penny-over", "s444-1-fifty-thousand", "s444-1a-at-maximum",
         "s444-1a-a-penny-over", "nothing", "fraction-of-a-penny"],
)
def test_a_fine_is_within_the_offences_maximum(client, dsl, la_officer, pn_case, unpaid, offence, fine, refusal):
    from cases.facts import ImpossibleFact
    from notices.review.services.referrals import referral_record_outcome

    referral = _awaiting_outcome(client, dsl, la_officer, pn_case, offence)
    record = {"referral": referral, "by": la_officer, "conclusion": "close", "hearing_date": dt.date(2026, 11, 26),
                  "hearing_result": "convicted", "fine_amount": Decimal(fine), "parenting_order": False}
    if refusal is None:
        assert referral_record_outcome(**record).fine_amount == Decimal(fine)
        return
    with pytest.raises(ImpossibleFact, match=refusal) as refused:
        referral_record_outcome(**record)
    assert refused.value.field == "fine_amount"
    referral.refresh_from_db()
    assert (referral.fine_amount, referral.outcome_at, referral.finished) == (None, None, None)


def test_the_outcome_page_shows_a_refused_fine_and_hearing_date_on_their_fields(client, dsl, la_officer, pn_case,
                                                                                  unpaid):
    referral = _awaiting_outcome(client, dsl, la_officer, pn_case, "s444_1")
    fields = {"hearing_day": "26", "hearing_month": "11", "hearing_year": "2026", "hearing_result": "convicted",
                  "parenting_order": "no", "conclusion": "close"}
    page = _outcome(client, la_officer, referral, **fields, fine_amount="50000").content.decode()
    # Each prosecuted parent has their own fine, shown on that parent's field.
    assert f'<a href="#id_fine_{unpaid.parent_id}">The fine must be £1,000.00 or less' in page
    page = _outcome(client, la_officer, referral, **{**fields, "hearing_day": "25"}).content.decode()
    assert '<a href="#id_hearing_day">The date of the hearing must be on or after the date of the referral' in page
    page = _outcome(client, la_officer, referral, **{**fields, "hearing_year": "99999999999999999999"})
    assert page.status_code == 400 and b"Year must include 4 numbers" in page.content
    page = _outcome(client, la_officer, referral, **fields, fine_amount="NaN")
    assert page.status_code == 400 and b"Enter the fine as an amount in pounds" in page.content
    assert _outcome(client, la_officer, referral, **fields, notes="x" * 10_001).status_code == 400
    referral.refresh_from_db()
    assert referral.outcome_at is None and referral.fine_amount is None


def test_an_acquittal_carries_no_fine(client, dsl, la_officer, pn_case, unpaid):
    from cases.facts import ImpossibleFact
    from notices.review.services.referrals import referral_record_outcome

    referral = _awaiting_outcome(client, dsl, la_officer, pn_case, "s444_1")
    with pytest.raises(ImpossibleFact, match="Only a parent convicted at the hearing can be fined"):
        referral_record_outcome(referral=referral, by=la_officer, conclusion="close", hearing_date=dt.date(2026, 11, 26),
                                hearing_result="acquitted", fine_amount=Decimal("100"), parenting_order=False)


def test_the_referral_asks_for_confirmation_and_refers_nothing_until_confirmed(client, dsl, pn_case, unpaid):
    url = reverse("referrals:new", kwargs={"case_pk": pn_case.pk})
    page = _as(client, dsl).post(url, {"reason": "Notice unpaid"}).content.decode()
    assert "Check before you refer the case for prosecution" in page
    assert "The case moves from “Penalty notice” to the prosecution referral stage." in page
    assert "with a new evidence bundle, made now" in page
    rests_on = re.search(r'data-testid="confirm-rests-on"(.*?)</ul>', page, re.S).group(1)
    assert unpaid.reference in rests_on  # the ground: the notice unpaid after 28 days
    assert not ProsecutionReferral.objects.exists() and pn_case.letters.count() == 0
    pn_case.refresh_from_db()
    assert pn_case.state == CaseState.PENALTY_NOTICE

    assert _refer(client, dsl, pn_case, reason="Notice unpaid").status_code == 302
    assert ProsecutionReferral.objects.count() == 1
