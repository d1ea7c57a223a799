"""The LA report's notices section: notices to improve, penalty notices and prosecution referrals of the year,
by outcome. Registered with cases.report_sections from NoticesConfig.ready (cases does not import this app)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from cases.report_sections import la_report_section
from cases.reporting import Table, TableColumn
from notices.improvement.models import NoticeOutcome, NoticeToImprove
from notices.penalty.models import PenaltyNotice, PenaltyNoticeState
from notices.review.referrals import HearingResult, ProsecutionReferral, ReferralDecision

AWAITING_DECISION = "Awaiting the LA's decision"
AWAITING_HEARING = "No hearing result yet"


def _counts(rows, choices, blank_label: str | None = None) -> tuple[tuple, ...]:
    """Every outcome in the order of its choices, zeros included, so a year's tables line up with another's."""
    found = dict(rows)
    labelled = [(label, found.get(value, 0)) for value, label in choices]
    if blank_label is not None:
        labelled.insert(0, (blank_label, found.get("", 0)))
    return (*labelled, ("Total", sum(n for _, n in labelled)))


def _table(slug: str, caption: str, first: str, rows: tuple[tuple, ...]) -> Table:
    return Table(slug, caption, (TableColumn("outcome", first, "text"), TableColumn("count", "Number")), rows)


@la_report_section
def notices_by_outcome(*, local_authority, start: date, as_of: date) -> list[Table]:
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=zone)
    improvement = (NoticeToImprove.objects.filter(case__school__local_authority=local_authority,
                                                  issued_on__gte=start, issued_on__lte=as_of)
                   .values("outcome").annotate(n=Count("pk")).order_by().values_list("outcome", "n"))
    penalty = (PenaltyNotice.objects.filter(local_authority=local_authority, issued_on__gte=start,
                                            issued_on__lte=as_of)
               .values("state").annotate(n=Count("pk")).order_by().values_list("state", "n"))
    referrals = ProsecutionReferral.objects.filter(case__school__local_authority=local_authority,
                                                   created__gte=since, created__lt=until)
    decisions = referrals.values("decision").annotate(n=Count("pk")).order_by().values_list("decision", "n")
    hearings = (referrals.filter(decision=ReferralDecision.PROSECUTE).values("hearing_result")
                .annotate(n=Count("pk")).order_by().values_list("hearing_result", "n"))
    issued_states = [(s.value, s.label) for s in PenaltyNoticeState
                     if s not in (PenaltyNoticeState.DRAFT, PenaltyNoticeState.LA_CONSULTED)]
    return [
        _table("notices-to-improve", "Notices to improve issued this year, by outcome", "Outcome",
               _counts(improvement, NoticeOutcome.choices)),
        _table("penalty-notices", "Penalty notices issued this year, by where they stand", "Where it stands",
               _counts(penalty, issued_states)),
        _table("referral-decisions", "Prosecution referrals made this year, by the LA's decision", "Decision",
               _counts(decisions, ReferralDecision.choices, AWAITING_DECISION)),
        _table("referral-hearings", "Referrals the LA decided to prosecute, by the hearing's result", "Result",
               _counts(hearings, HearingResult.choices, AWAITING_HEARING)),
    ]
