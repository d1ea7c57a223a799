"""The notices rows already stored that break the policy of cases.facts: what `check_records` lists.

Rows written before the policy (or by hand, or by an old import) may hold facts that cannot be true: a
payment before the notice was issued, a fine above the court's maximum, an early ground without the register
sessions it rests on. Each problem is ``(model label, id, field, problem)``, a sentence an officer can act on;
nothing here changes a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from django.utils import timezone

from cases import facts, rules
from cases.models import Mark
from cases.record_checks import Problem as CheckProblem
from cases.record_checks import record_check
from notices.models import NoticeOutcome, NoticeToImprove, PenaltyNotice
from notices.review.referrals import HearingResult, ProsecutedParent, ProsecutionReferral
from notices.review.requests import PenaltyNoticeRequest

Problem = tuple[str, int, str, str]

MAX_FINE = {"s444_1": rules.S444_1_MAX_FINE, "s444_1a": rules.S444_1A_MAX_FINE}


def _date_problem(on: date | None, today: date, *, not_before: date | None = None, not_before_what: str = "") -> str:
    if on is None:
        return ""
    if on > today:
        return f"{on.isoformat()} is after today"
    if on < facts.EARLIEST_FACT:
        return f"{on.isoformat()} is before {facts.EARLIEST_FACT.isoformat()}"
    if not_before is not None and on < not_before:
        return f"{on.isoformat()} is before {not_before_what} ({not_before.isoformat()})"
    return ""


def _long_texts(label: str, pk: int, values: dict[str, str]) -> Iterator[Problem]:
    for field, value in values.items():
        if value and len(value) > facts.LONG_TEXT_MAX:
            yield label, pk, field, f"{len(value):,} characters, over the limit of {facts.LONG_TEXT_MAX:,}"


def _notices_to_improve(today: date) -> Iterator[Problem]:
    label = NoticeToImprove._meta.label
    notices = list(NoticeToImprove.objects.select_related("case").order_by("pk"))
    marks = {
        (pupil_id, on, session): code
        for pupil_id, on, session, code in Mark.objects.filter(
            pupil_id__in={n.case.pupil_id for n in notices if n.early_ground_sessions}
        ).values_list("pupil_id", "date", "session", "code")
    }
    for n in notices:
        if problem := _date_problem(n.issued_on, today):
            yield label, n.pk, "issued_on", problem
        earliest = n.issued_on + timedelta(weeks=rules.NTI_MIN_IMPROVEMENT_WEEKS)
        latest = n.issued_on + timedelta(weeks=rules.NTI_MAX_IMPROVEMENT_WEEKS)
        if not earliest <= n.improvement_period_ends_on <= latest:
            yield (label, n.pk, "improvement_period_ends_on",
                   f"{n.improvement_period_ends_on.isoformat()} is not {rules.NTI_MIN_IMPROVEMENT_WEEKS} to "
                   f"{rules.NTI_MAX_IMPROVEMENT_WEEKS} weeks after the date of issue ({n.issued_on.isoformat()})")
        if n.outcome != NoticeOutcome.PENDING and (problem := _date_problem(
            n.outcome_recorded_on, today, not_before=n.improvement_period_ends_on + timedelta(days=1),
            not_before_what="the day after the improvement period ended",
        )):
            yield label, n.pk, "outcome_recorded_on", problem
        if n.early_ground_invoked and not n.early_ground_sessions:
            yield (label, n.pk, "early_ground_sessions",
                   "an early ground is recorded without the register sessions it rests on")
        for stored in n.early_ground_sessions:
            yield from _ground_session_problems(label, n, stored, marks)
        yield from _long_texts(label, n.pk, {
            "sufficient_improvement": n.sufficient_improvement, "early_penalty_grounds": n.early_penalty_grounds,
            "early_ground_invoked": n.early_ground_invoked,
        })


def _ground_session_problems(label: str, notice: NoticeToImprove, stored: dict, marks: dict) -> Iterator[Problem]:
    try:
        on = date.fromisoformat(stored["date"])
        session = {"AM": rules.AM, "PM": rules.PM}[stored["session"]]
    except (KeyError, TypeError, ValueError):
        yield label, notice.pk, "early_ground_sessions", f"{stored!r} is not a register session"
        return
    where = f"{on.isoformat()} {stored['session']}"
    if not notice.issued_on < on <= notice.improvement_period_ends_on:
        yield label, notice.pk, "early_ground_sessions", f"{where} is not within the improvement period"
    code = marks.get((notice.case.pupil_id, on, session))
    if rules.CATEGORY.get(code or "") is not rules.Category.UNAUTHORISED:
        recorded = f"recorded as code {code}" if code else "not in the register"
        yield label, notice.pk, "early_ground_sessions", f"{where} is {recorded}, not an unauthorised absence"


def _penalty_notices(today: date) -> Iterator[Problem]:
    label = PenaltyNotice._meta.label
    for n in PenaltyNotice.objects.order_by("pk").iterator():
        for field in ("amount_full", "amount_reduced", "paid_amount"):
            value = getattr(n, field)
            if value is not None and value <= 0:
                yield label, n.pk, field, f"£{value} is not more than £0"
        if n.amount_reduced is not None and n.amount_full is not None and n.amount_reduced >= n.amount_full:
            yield label, n.pk, "amount_reduced", "is not less than the full amount"
        if n.paid_amount is not None and n.paid_amount not in (n.amount_reduced, n.amount_full):
            yield label, n.pk, "paid_amount", f"£{n.paid_amount} is not an amount of the notice"
        if problem := _date_problem(n.issued_on, today, not_before=n.offence_to,
                                    not_before_what="the last day of the offence period"):
            yield label, n.pk, "issued_on", problem
        for field in ("paid_on", "withdrawn_on", "referred_on"):
            if problem := _date_problem(getattr(n, field), today, not_before=n.issued_on,
                                        not_before_what="the date of issue"):
                yield label, n.pk, field, problem
        yield from _long_texts(label, n.pk, {"withdrawn_reason": n.withdrawn_reason})


def _referrals(today: date) -> Iterator[Problem]:
    label = ProsecutionReferral._meta.label
    for r in ProsecutionReferral.objects.order_by("pk").iterator():
        if problem := _date_problem(r.hearing_date, today, not_before=timezone.localdate(r.created),
                                    not_before_what="the date of the referral"):
            yield label, r.pk, "hearing_date", problem
        if r.fine_amount is not None:
            maximum = MAX_FINE.get(r.offence)
            if r.fine_amount <= 0:
                yield label, r.pk, "fine_amount", f"£{r.fine_amount} is not more than £0"
            elif maximum is not None and r.fine_amount > maximum:
                yield label, r.pk, "fine_amount", f"£{r.fine_amount:,.2f} is over the maximum for {r.offence} " \
                                                  f"(£{maximum:,.2f})"
            if r.hearing_result != HearingResult.CONVICTED:
                yield label, r.pk, "fine_amount", "a fine is recorded without a conviction"
        yield from _long_texts(label, r.pk, {
            "reason": r.reason, "decision_reasons": r.decision_reasons, "outcome_notes": r.outcome_notes,
            "advice": r.advice,
        })


def _prosecuted_parents() -> Iterator[Problem]:
    """Each prosecuted parent's own fine, under that parent's section, and only with a conviction."""
    label = ProsecutedParent._meta.label
    for p in ProsecutedParent.objects.order_by("pk").iterator():
        if p.fine_amount is None:
            continue
        maximum = MAX_FINE.get(p.offence)
        if p.fine_amount <= 0:
            yield label, p.pk, "fine_amount", f"£{p.fine_amount} is not more than £0"
        elif maximum is not None and p.fine_amount > maximum:
            yield label, p.pk, "fine_amount", f"£{p.fine_amount:,.2f} is over the maximum for {p.offence} " \
                                              f"(£{maximum:,.2f})"
        if p.hearing_result != HearingResult.CONVICTED:
            yield label, p.pk, "fine_amount", "a fine is recorded without a conviction"


def _requests() -> Iterator[Problem]:
    label = PenaltyNoticeRequest._meta.label
    for r in PenaltyNoticeRequest.objects.order_by("pk").iterator():
        yield from _long_texts(label, r.pk, {"reason": r.reason, "decision_reasons": r.decision_reasons})
        for n, exchange in enumerate(r.exchanges or []):
            yield from _long_texts(label, r.pk, {f"exchanges[{n}].text": str(exchange.get("text", ""))})


def notices_record_problems(*, today: date | None = None) -> Iterable[Problem]:
    """Every stored notices row that breaks the policy, as (model label, id, field, problem), in model and id order."""
    today = today or timezone.localdate()
    yield from _notices_to_improve(today)
    yield from _penalty_notices(today)
    yield from _referrals(today)
    yield from _prosecuted_parents()
    yield from _requests()


@record_check
def notices_checks(today: date) -> Iterator[CheckProblem]:
    """The notices app's rows for ``manage.py check_records`` (cases.record_checks)."""
    for model, pk, field, problem in notices_record_problems(today=today):
        yield CheckProblem(model, pk, field, problem)
