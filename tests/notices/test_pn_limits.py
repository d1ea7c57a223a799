"""Which earlier penalty notices count, and the amounts and deadlines that follow (domain.md 3.5).

Table-driven against the pure rules, then the contract's command over the database.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import rules
from notices.models import PenaltyNotice, PenaltyNoticeState, ProsecutionOutcome
from tests.factories import CodeOfConductFactory, ParentalRelationshipFactory, PupilFactory

ON = dt.date(2027, 9, 1)
E = rules.EarlierNotice


def _n(reference: str, issued_on: dt.date, withdrawn: bool = False) -> rules.EarlierNotice:
    return E(reference, issued_on, withdrawn)


# fmt: off
LIMIT_CASES = [
    # earlier notices (to this parent for this pupil), expected sequence (None = refused), counted refs
    ([], 1, ()),
    ([_n("A", dt.date(2026, 1, 5))], 2, ("A",)),
    ([_n("A", dt.date(2026, 1, 5)), _n("B", dt.date(2027, 3, 1))], None, ("A", "B")),
    # 3 years ending with 1 September 2027 begin on 2 September 2024
    ([_n("A", dt.date(2024, 9, 2)), _n("B", dt.date(2027, 3, 1))], None, ("A", "B")),  # 3 years minus a day
    ([_n("A", dt.date(2024, 9, 1)), _n("B", dt.date(2027, 3, 1))], 2, ("B",)),  # exactly 3 years: gone
    ([_n("A", dt.date(2024, 8, 31)), _n("B", dt.date(2027, 3, 1))], 2, ("B",)),  # 3 years plus a day
    ([_n("A", dt.date(2026, 1, 5), withdrawn=True), _n("B", dt.date(2027, 3, 1))], 2, ("B",)),
    ([_n("A", dt.date(2024, 8, 18)), _n("B", dt.date(2027, 3, 1))], 2, ("B",)),  # before the 2024 framework
    ([_n("A", dt.date(2027, 9, 1)), _n("B", dt.date(2027, 3, 1))], None, ("B", "A")),  # same day counts, oldest first
    ([_n("A", dt.date(2027, 9, 2)), _n("B", dt.date(2027, 3, 1))], 2, ("B",)),  # a later notice does not
]
# fmt: on


@pytest.mark.parametrize(
    ("earlier", "sequence", "counted"),
    LIMIT_CASES,
    ids=["first", "second", "third-refused", "three-years-minus-a-day-counts", "exactly-three-years-ago",
         "three-years-plus-a-day", "withdrawn-does-not-count", "pre-august-2024-does-not-count",
         "same-day-counts", "later-notice-ignored"],
)
def test_which_earlier_notices_count(earlier, sequence, counted):
    terms = rules.penalty_notice_terms(earlier, on=ON)
    assert terms.sequence == sequence
    assert terms.allowed is (sequence is not None)
    assert terms.counted_references == counted


@pytest.mark.parametrize(
    ("earlier", "full", "reduced", "full_days", "reduced_days"),
    [
        ([], Decimal("160.00"), Decimal("80.00"), 28, 21),
        ([_n("A", dt.date(2026, 1, 5))], Decimal("160.00"), None, 28, None),
        ([_n("A", dt.date(2026, 1, 5)), _n("B", dt.date(2026, 2, 5))], None, None, None, None),
    ],
    ids=["first-160-or-80-in-21-days", "second-160-no-reduced-rate", "third-nothing"],
)
def test_amounts_and_deadlines(earlier, full, reduced, full_days, reduced_days):
    terms = rules.penalty_notice_terms(earlier, on=ON)
    assert (terms.full_amount, terms.reduced_amount, terms.full_days, terms.reduced_days) == (
        full, reduced, full_days, reduced_days
    )


def test_third_notice_is_refused_with_the_alternative_to_consider():
    terms = rules.penalty_notice_terms([_n("A", dt.date(2026, 1, 5)), _n("B", dt.date(2026, 2, 5))], on=ON)
    assert "third penalty notice cannot be issued" in terms.reason
    assert "prosecution" in terms.reason


def test_rules_in_force_before_the_2024_framework_carry_the_old_amounts():
    terms = rules.penalty_notice_terms([], on=dt.date(2024, 8, 18))
    assert (terms.full_amount, terms.reduced_amount) == (Decimal("120.00"), Decimal("60.00"))
    assert rules.penalty_notice_terms([], on=dt.date(2024, 8, 19)).full_amount == Decimal("160.00")


# fmt: off
OUTCOME_CASES = [
    # the earlier notice B (A, a paid notice, always counts): B counts?
    (E("B", dt.date(2027, 3, 1), withdrawn=False), True),  # paid, unpaid or prosecution pending: counts
    (E("B", dt.date(2027, 3, 1), withdrawn=False, acquitted=False), True),  # pleaded or found guilty: counts
    (E("B", dt.date(2027, 3, 1), withdrawn=False, acquitted=True), False),  # acquitted: no longer counts
    (E("B", dt.date(2027, 3, 1), withdrawn=True), False),  # withdrawn: never counts
]
# fmt: on


@pytest.mark.parametrize(("b", "counts"), OUTCOME_CASES, ids=["pending", "guilty", "acquitted", "withdrawn"])
def test_an_acquitted_or_withdrawn_notice_does_not_count(b, counts):
    terms = rules.penalty_notice_terms([_n("A", dt.date(2026, 1, 5)), b], on=ON)
    assert terms.counted_references == (("A", "B") if counts else ("A",))
    assert terms.allowed is not counts
    assert terms.sequence == (None if counts else 2)


@pytest.mark.parametrize(
    ("on", "start"),
    [(dt.date(2027, 9, 1), dt.date(2024, 9, 2)), (dt.date(2028, 2, 29), dt.date(2025, 3, 1))],
    ids=["ordinary", "leap-day"],
)
def test_the_three_year_window_starts_the_day_after_the_same_date(on, start):
    assert rules.counting_window_start(on) == start


# --- penalty_notice_check over the database (contract section 3) ---


@pytest.fixture
def family(school):
    pupil = PupilFactory(upn="A123456789012", school=school)
    sibling = PupilFactory(school=school)
    mother = ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1").parent
    ParentalRelationshipFactory(pupil=sibling, parent=mother)
    father = ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="F1", relationship="father").parent
    return pupil, sibling, mother, father


def _on_record(pupil, parent, reference, issued_on, state=PenaltyNoticeState.PAID_FULL):
    return PenaltyNotice.objects.create(
        local_authority=pupil.school.local_authority, reference=reference, pupil=pupil, parent=parent,
        state=state, issued_on=issued_on, amount_full=Decimal("160.00"), imported=True, created_at=timezone.now(),
    )


def _check(upn="A123456789012", ref="M1", on="2027-09-01", *receipt: str) -> dict:
    out = StringIO()
    call_command("penalty_notice_check", "--upn", upn, "--parent-ref", ref, "--on", on, *receipt, "--format", "json",
                 stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_check_prints_the_contract_object_for_a_first_notice(family):
    assert _check() == {
        "upn": "A123456789012", "parent_ref": "M1", "on": "2027-09-01", "allowed": True, "sequence": 1,
        "full_amount": "160.00", "reduced_amount": "80.00", "full_days": 28, "reduced_days": 21,
        "counted_references": [],
        "reason": "This would be a first penalty notice: £80.00 if paid within 21 days, £160.00 within 28 days.",
        "received_on": None, "reduced_by": None, "full_by": None,  # no day of receipt given
    }


@pytest.mark.django_db
def test_check_counts_only_the_same_parent_for_the_same_pupil(family):
    pupil, sibling, mother, father = family
    _on_record(pupil, mother, "PN-1", dt.date(2026, 1, 5))
    _on_record(pupil, father, "PN-2", dt.date(2026, 2, 5))  # the other parent
    _on_record(sibling, mother, "PN-3", dt.date(2026, 3, 5))  # a sibling
    result = _check()
    assert (result["sequence"], result["reduced_amount"], result["counted_references"]) == (2, None, ["PN-1"])


@pytest.mark.django_db
def test_check_refuses_a_third_and_lists_the_two_that_count_oldest_first(family):
    pupil, _, mother, _ = family
    _on_record(pupil, mother, "PN-9", dt.date(2027, 1, 5), state=PenaltyNoticeState.UNPAID)
    _on_record(pupil, mother, "PN-8", dt.date(2026, 1, 5), state=PenaltyNoticeState.PROSECUTED)
    _on_record(pupil, mother, "PN-7", dt.date(2025, 1, 5), state=PenaltyNoticeState.WITHDRAWN)
    result = _check()
    assert result["allowed"] is False
    assert result["sequence"] is None and result["full_amount"] is None and result["full_days"] is None
    assert result["counted_references"] == ["PN-8", "PN-9"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "outcome", "counts"),
    [
        (PenaltyNoticeState.PROSECUTED, "", True),  # the prosecution is pending
        (PenaltyNoticeState.PROSECUTED, ProsecutionOutcome.GUILTY, True),
        (PenaltyNoticeState.PROSECUTED, ProsecutionOutcome.NOT_GUILTY, False),
        (PenaltyNoticeState.WITHDRAWN, "", False),
    ],
    ids=["pending", "guilty", "acquitted", "withdrawn"],
)
def test_check_counts_a_prosecuted_notice_by_its_outcome(family, state, outcome, counts):
    pupil, _, mother, _ = family
    _on_record(pupil, mother, "PN-1", dt.date(2026, 1, 5))
    notice = _on_record(pupil, mother, "PN-2", dt.date(2027, 1, 5), state=state)
    PenaltyNotice.objects.filter(pk=notice.pk).update(prosecution_outcome=outcome)
    result = _check()
    assert result["counted_references"] == (["PN-1", "PN-2"] if counts else ["PN-1"])
    assert result["allowed"] is not counts


@pytest.mark.django_db
def test_a_draft_never_issued_does_not_count(family):
    pupil, _, mother, _ = family
    PenaltyNotice.objects.create(local_authority=pupil.school.local_authority, reference="D1", pupil=pupil,
                                 parent=mother, created_at=timezone.now())
    assert _check()["sequence"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Z999999999999", "M1", "2027-09-01"), "unknown UPN"),
        (("A123456789012", "NOPE", "2027-09-01"), "no parent 'NOPE'"),
        (("A123456789012", "M1", "2027-02-30"), "is not a date"),
    ],
    ids=["unknown-upn", "unknown-parent", "bad-date"],
)
def test_check_bad_input_is_a_clear_error(family, args, message):
    with pytest.raises(CommandError, match=message):
        _check(*args)


# --- the day of receipt and the payment deadlines (--received-on / --posted-on) ---

DEADLINE_KEYS = ("received_on", "reduced_by", "full_by")


# fmt: off
RECEIPT_CASES = [
    # --on, receipt option, its date, expected received_on, reduced_by, full_by
    ("2027-09-01", "--received-on", "2027-09-01", ("2027-09-01", "2027-09-21", "2027-09-28")),  # handed over
    ("2027-09-01", "--received-on", "2027-09-03", ("2027-09-03", "2027-09-23", "2027-09-30")),  # handed over later
    # Thursday before Easter 2026: Good Friday and Easter Monday are off, so Tuesday 7th then Wednesday 8th.
    ("2026-04-02", "--posted-on", "2026-04-02", ("2026-04-08", "2026-04-28", "2026-05-05")),
    # Wednesday 23 December 2026: Thursday 24th is day 1; Christmas (Friday), the weekend and Monday 28th (for
    # Boxing Day, a Saturday) are off, so Tuesday 29th is day 2.
    ("2026-12-23", "--posted-on", "2026-12-23", ("2026-12-29", "2027-01-18", "2027-01-25")),
    ("2026-11-26", "--posted-on", "2026-11-26", ("2026-11-30", "2026-12-20", "2026-12-27")),  # Thursday: Fri, Mon
    ("2026-11-26", "--posted-on", "2026-11-27", ("2026-12-01", "2026-12-21", "2026-12-28")),  # posted a day later
]
# fmt: on


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "option", "day", "expected"),
    RECEIPT_CASES,
    ids=["handed-over", "handed-over-later", "posted-before-easter", "posted-before-christmas", "posted-thursday",
         "posted-friday"],
)
def test_check_gives_the_day_of_receipt_and_the_deadlines(family, on, option, day, expected):
    result = _check("A123456789012", "M1", on, option, day)
    assert tuple(result[k] for k in DEADLINE_KEYS) == expected
    assert (result["sequence"], result["reduced_days"], result["full_days"]) == (1, 21, 28)


@pytest.mark.django_db
@pytest.mark.parametrize(("working_days", "received"), [(1, "2026-04-07"), (3, "2026-04-09")], ids=str)
def test_a_posted_notice_is_received_when_the_las_code_of_conduct_says(family, working_days, received):
    pupil = family[0]
    CodeOfConductFactory(local_authority=pupil.school.local_authority, pn_deemed_receipt_working_days=working_days)
    assert _check("A123456789012", "M1", "2026-04-02", "--posted-on", "2026-04-02")["received_on"] == received


@pytest.mark.django_db
def test_a_second_notice_has_no_reduced_by(family):
    pupil, _, mother, _ = family
    _on_record(pupil, mother, "PN-1", dt.date(2026, 1, 5))
    result = _check("A123456789012", "M1", "2027-09-01", "--received-on", "2027-09-01")
    assert result["sequence"] == 2
    assert tuple(result[k] for k in DEADLINE_KEYS) == ("2027-09-01", None, "2027-09-28")


@pytest.mark.django_db
def test_a_refused_notice_has_no_receipt_and_no_deadlines(family):
    pupil, _, mother, _ = family
    _on_record(pupil, mother, "PN-1", dt.date(2026, 1, 5))
    _on_record(pupil, mother, "PN-2", dt.date(2027, 1, 5))
    for option in ("--received-on", "--posted-on"):
        result = _check("A123456789012", "M1", "2027-09-01", option, "2027-09-01")
        assert result["allowed"] is False
        assert tuple(result[k] for k in DEADLINE_KEYS) == (None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("receipt", "message"),
    [
        (("--received-on", "2027-09-01", "--posted-on", "2027-09-01"), "not allowed with argument"),
        (("--received-on", "2027-02-30"), "--received-on: '2027-02-30' is not a date"),
        (("--posted-on", "1 Sept 2027"), "--posted-on: '1 Sept 2027' is not a date"),
        (("--received-on", "2027-08-31"), "cannot be received before it"),
        (("--posted-on", "2027-08-31"), "cannot be posted before it"),
    ],
    ids=["both", "bad-received-on", "bad-posted-on", "received-before-issue", "posted-before-issue"],
)
def test_check_bad_receipt_is_a_clear_error(family, receipt, message):
    with pytest.raises(CommandError, match=message):
        _check("A123456789012", "M1", "2027-09-01", *receipt)


def test_both_receipt_options_exit_non_zero_from_the_command_line():
    # The options are refused before the database is touched, so no test database is needed here.
    done = subprocess.run(
        [sys.executable, "manage.py", "penalty_notice_check", "--upn", "A123456789012", "--parent-ref", "M1",
         "--on", "2027-09-01", "--received-on", "2027-09-01", "--posted-on", "2027-09-01"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode != 0
    assert "--posted-on: not allowed with argument --received-on" in done.stderr
    assert done.stdout == ""
