"""The guards of the escalation ladder: "support first", as domain.md section 3 sets it out.

Each check says what is missing, in words a DSL understands, and what evidence it relied on. The
case's state machine calls the same checks as its transition conditions, so a refused step is refused
whether it comes from a button, a form or code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cases import facts, rules
from cases.formatting import long_date
from cases.models import Case, CaseState, EventKind, Pupil


@dataclass(frozen=True)
class Check:
    """Whether a transition may happen now: what is missing, and what it would rest on."""

    transition: str
    missing: tuple[str, ...]
    evidence: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.missing


# --- the facts the guards look for -----------------------------------------------------------------


def threshold_fact(pupil: Pupil, today: date, *, after_failed_nti_of: Case | None = None) -> tuple[date | None, str]:
    """When this academic year the threshold was met, not counting covered sessions, with its wording.

    ``after_failed_nti_of``: a penalty notice after a notice to improve is for the offence that notice
    warned about (domain.md 3.4), so when that case's notice ended without sufficient improvement, or a
    ground it stated arose, the offence it stored is the one the penalty notice rests on. Either way the
    one computation of ``cases.services.offence`` answers, so the guard, the case page and the notices
    state the same date and sessions.
    """
    from cases.services.offence import (
        case_offence,
        offence_compute,
        offence_sentence,
        threshold_not_met_sentence,
    )

    found = (
        case_offence(case=after_failed_nti_of, as_of=today)
        if after_failed_nti_of is not None
        else offence_compute(pupil=pupil, as_of=today)
    )
    if found is None:
        return None, threshold_not_met_sentence(pupil=pupil, as_of=today)
    return found.first_met, offence_sentence(found)


def failed_notices_to_improve(case: Case):
    from notices.models import NoticeOutcome

    return [
        notice for notice in case.notices_to_improve.all()
        if notice.outcome == NoticeOutcome.NOT_IMPROVED or (notice.early_ground_invoked and notice.early_penalty_grounds)
    ]


# --- which records a guard may rest on: only those the policy of cases.facts allows --------------------


def _opened_on(case: Case) -> date:
    return timezone.localtime(case.opened_at).date()


def _in_case(case: Case, day: date | None, today: date) -> bool:
    """A fact of this case: it happened, and not before the case opened (cases.facts)."""
    return day is not None and max(facts.EARLIEST_FACT, _opened_on(case)) <= day <= today


def _happened(day: date | None, today: date) -> bool:
    """A fact that may predate the case (early help the family already had), but did happen."""
    return day is not None and facts.EARLIEST_FACT <= day <= today


def _meeting_day(meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


def _contract_offered(contract, today: date) -> bool:
    """Offered, on a day that can be true; a contract from before offered_on was kept counts as offered."""
    from interventions.models import ContractStatus

    if contract.status == ContractStatus.DRAFT:
        return False
    return contract.offered_on is None or _happened(contract.offered_on, today)


def _contract_refusal_real(case: Case, contract, today: date) -> bool:
    """A decline or a breach on a day that happened, in this case, and not before the contract was offered."""
    if not _in_case(case, contract.status_changed_on, today):
        return False
    return contract.offered_on is None or contract.status_changed_on >= contract.offered_on


def _support_offered(case: Case, today: date) -> list[str]:
    from interventions.models import SupportPlanStatus

    found = [
        f"Support plan agreed on {long_date(plan.agreed_on)}"
        for plan in case.support_plans.filter(status__in=[SupportPlanStatus.AGREED, SupportPlanStatus.CLOSED])
        if _in_case(case, plan.agreed_on, today)
    ]
    found += [
        f"Attendance contract {contract.get_status_display().lower()} (from {long_date(contract.starts_on)})"
        for contract in case.contracts.all()
        if _contract_offered(contract, today)
    ]
    found += [
        f"{help_.get_kind_display()}: {help_.agency}, from {long_date(help_.started_on)}"
        for help_ in case.early_help.all()
        if _happened(help_.started_on, today)
    ]
    return found


def _meetings_held(case: Case, today: date) -> list[str]:
    """Attendance meetings held with the family: a meeting dated before the case opened, or still to
    come, is not evidence of this case however it was recorded."""
    from meetings.models import MeetingKind, MeetingStatus

    return [
        f"{meeting.get_kind_display()} held on {long_date(meeting.starts_at)}"
        for meeting in case.meetings.filter(
            status=MeetingStatus.HELD, kind__in=[MeetingKind.ATTENDANCE, MeetingKind.IMPROVEMENT]
        )
        if _in_case(case, _meeting_day(meeting), today)
    ]


def _non_engagement(case: Case, today: date) -> list[str]:
    from interventions.models import ContractStatus
    from meetings.models import AttendeeRole, MeetingStatus

    found = [
        f"Attendance contract {contract.get_status_display().lower()} on {long_date(contract.status_changed_on)}"
        for contract in case.contracts.filter(status__in=[ContractStatus.DECLINED, ContractStatus.BREACHED])
        if _contract_refusal_real(case, contract, today)
    ]
    found += [
        f"{attendee.name} did not attend the {attendee.meeting.get_kind_display().lower()} on "
        f"{long_date(attendee.meeting.starts_at)}"
        for attendee in _missed_meetings(case, AttendeeRole.PARENT, MeetingStatus.HELD)
        if _in_case(case, _meeting_day(attendee.meeting), today)
    ]
    # A note the meeting or contract service wrote about a record the policy refuses rests on that record.
    refused = {
        f"meeting:{meeting.pk}" for meeting in case.meetings.filter(status=MeetingStatus.HELD)
        if not _in_case(case, _meeting_day(meeting), today)
    } | {
        f"contract:{contract.pk}" for contract in case.contracts.filter(status__in=[ContractStatus.DECLINED, ContractStatus.BREACHED])
        if not _contract_refusal_real(case, contract, today)
    }
    # Notes the meeting and contract services wrote about the same facts would only repeat them.
    found += [
        f"Non-engagement recorded on {long_date(event.at)}: {event.summary}"
        for event in case.events.filter(kind=EventKind.NON_ENGAGEMENT)
        if not any(event.summary.endswith(line) or line in event.summary for line in found)
        and not refused.intersection(str(ref) for ref in event.evidence or ())
    ]
    return found


def _missed_meetings(case: Case, role: str, held: str):
    from meetings.models import MeetingAttendee

    return MeetingAttendee.objects.filter(
        meeting__case=case, meeting__status=held, role=role, attended=False
    ).select_related("meeting")


def _adjustments_reviewed(case: Case) -> tuple[list[str], list[str]]:
    """For a pupil with SEND, the review of reasonable adjustments that a notice must show (domain.md 4)."""
    pupil = case.pupil
    if not pupil.has_send:
        return [], []
    reviews = pupil.adjustment_reviews.filter(reviewed_on__gte=timezone.localtime(case.opened_at).date())
    latest = reviews.first()
    if latest is None:
        need = "an EHC plan" if pupil.sen_status == "E" else "SEN support"
        return [
            f"{pupil.forename} has {need}: the SENCo must review the reasonable adjustments "
            "(Equality Act 2010, s20) during this case first."
        ], []
    return [], [f"Reasonable adjustments reviewed on {long_date(latest.reviewed_on)}: {latest.conclusion[:120]}"]


def _latest_consideration(case: Case):
    return case.pn_considerations.order_by("-recorded_at").first()


# --- the checks, one per transition ----------------------------------------------------------------


def _targeted_support(case: Case, today: date) -> Check:
    evidence = _meetings_held(case, today)
    from interventions.models import SupportPlanStatus

    evidence += [
        f"Support plan agreed on {long_date(plan.agreed_on)}"
        for plan in case.support_plans.filter(status=SupportPlanStatus.AGREED)
        if _in_case(case, plan.agreed_on, today)
    ]
    missing = [] if evidence else ["Hold an attendance meeting with the parents, or agree a support plan with them, first."]
    return Check("start_targeted_support", tuple(missing), tuple(evidence))


def _formal_support(case: Case, today: date) -> Check:
    from interventions.models import ContractStatus, EarlyHelpKind

    evidence = [
        f"Attendance contract {contract.get_status_display().lower()}"
        for contract in case.contracts.exclude(status=ContractStatus.DRAFT)
        if _contract_offered(contract, today)
    ]
    evidence += [
        f"Voluntary early help plan with {help_.agency} from {long_date(help_.started_on)}"
        for help_ in case.early_help.filter(kind=EarlyHelpKind.VOLUNTARY_PLAN)
        if _happened(help_.started_on, today)
    ]
    missing = [] if evidence else [
        "Offer the parents an attendance contract, or start a voluntary early help plan, first."
    ]
    return Check("start_formal_support", tuple(missing), tuple(evidence))


def _support_and_engagement(case: Case, today: date) -> tuple[list[str], list[str]]:
    missing, evidence = [], []
    support = _support_offered(case, today)
    if support:
        evidence += support
    else:
        missing.append("Record the support offered to the family (a support plan, an attendance contract or early help).")
    engagement = _non_engagement(case, today)
    if engagement:
        evidence += engagement
    else:
        missing.append(
            "Record how the parents have not engaged with that support (a declined or broken contract, a missed "
            "meeting, or a note of non-engagement)."
        )
    return missing, evidence


def _notice_to_improve(case: Case, today: date) -> Check:
    first_met, wording = threshold_fact(case.pupil, today)
    missing, evidence = ([], [wording]) if first_met else ([wording], [])
    more_missing, more_evidence = _support_and_engagement(case, today)
    sen_missing, sen_evidence = _adjustments_reviewed(case)
    return Check(
        "issue_notice_to_improve",
        tuple(missing + more_missing + sen_missing),
        tuple(evidence + more_evidence + sen_evidence),
    )


def _after_notice_to_improve(case: Case, today: date) -> tuple[list[str], list[str]]:
    """After an NTI, a penalty notice only once its period ended without sufficient improvement, or on a
    ground the notice stated (domain.md 3.4)."""
    from notices.models import NoticeOutcome

    notice = case.notices_to_improve.order_by("-issued_on").first()
    if notice is None:
        if case.state == CaseState.NOTICE_TO_IMPROVE:
            return ["Record the notice to improve (its date of issue and improvement period) first."], []
        return [], []
    ends = long_date(notice.improvement_period_ends_on)
    if notice.early_ground_invoked and notice.early_penalty_grounds:
        return [], [f"Notice to improve of {long_date(notice.issued_on)}: a stated ground has arisen: {notice.early_ground_invoked}"]
    if notice.outcome == NoticeOutcome.IMPROVED:
        return [f"Attendance improved sufficiently under the notice to improve that ended on {ends}: "
                "a penalty notice cannot follow it."], []
    if notice.improvement_period_ends_on >= today:
        return [f"The notice to improve's improvement period runs until {ends}: a penalty notice may follow "
                "only once it has ended without sufficient improvement, or on a ground the notice stated."], []
    if notice.outcome != NoticeOutcome.NOT_IMPROVED:
        return [f"Record the outcome of the notice to improve whose period ended on {ends}."], []
    return [], [f"Notice to improve of {long_date(notice.issued_on)}: not sufficient improvement by {ends}"]


def _penalty_notice(case: Case, today: date) -> Check:
    first_met, wording = threshold_fact(case.pupil, today, after_failed_nti_of=case)
    missing, evidence = ([], [wording]) if first_met else ([wording], [])
    more_missing, more_evidence = _support_and_engagement(case, today)
    missing += more_missing
    evidence += more_evidence
    consideration = _latest_consideration(case)
    if consideration is None:
        missing.append(
            "Record the penalty notice considerations: why a penalty notice is the best tool, whether support, a "
            "notice to improve or another legal intervention would be better, and the Equality Act 2010 consideration."
        )
    else:
        evidence.append(
            f"Considerations recorded on {long_date(consideration.recorded_at)}, "
            f"including the Equality Act 2010: {consideration.equality_act_consideration[:120]}"
        )
        if consideration.declined_at is not None:
            missing.append(
                f"The headteacher declined the penalty notice request on {long_date(consideration.declined_at)}: "
                f"{consideration.decline_reason[:200]}. Record new considerations if the case is to go on."
            )
        elif consideration.authorised_by_id is None:
            missing.append("The headteacher must authorise the penalty notice request.")
        else:
            evidence.append(
                f"Authorised by the headteacher on {long_date(consideration.authorised_at)}"
            )
    sen_missing, sen_evidence = _adjustments_reviewed(case)
    nti_missing, nti_evidence = _after_notice_to_improve(case, today)
    return Check(
        "request_penalty_notice",
        tuple(missing + sen_missing + nti_missing),
        tuple(evidence + sen_evidence + nti_evidence),
    )


def _notice_grounds(case: Case, today: date) -> list[str]:
    """A penalty notice unpaid after its 28 days, or a parent who has reached the limit of two notices."""
    from notices.models import PenaltyNotice, PenaltyNoticeState
    from notices.penalty.services import earlier_notices

    grounds = [
        f"Penalty notice {notice.reference} to {notice.parent} unpaid after {rules.PN_FULL_DAYS} days "
        f"(due by {long_date(notice.full_by)})"
        for notice in PenaltyNotice.objects.filter(
            pupil=case.pupil, state__in=[PenaltyNoticeState.UNPAID, PenaltyNoticeState.PROSECUTED]
        ).select_related("parent")
        if notice.full_by
    ]
    for link in case.pupil.parent_links.select_related("parent"):
        terms = rules.penalty_notice_terms(earlier_notices(pupil=case.pupil, parent=link.parent), on=today)
        if not terms.allowed:
            grounds.append(
                f"{link.parent} has had {rules.PN_MAX_COUNTED} penalty notices for {case.pupil.forename} in three "
                f"years ({', '.join(terms.counted_references)}): no further notice is possible"
            )
    return grounds


def _prosecution_referral(case: Case, today: date) -> Check:
    """One of: a penalty notice unpaid after 28 days, the limit of notices reached, or a documented failure
    of support (support offered and not engaged with). The LA decides on the referral itself."""
    grounds = _notice_grounds(case, today)
    missing, evidence = _support_and_engagement(case, today)
    if grounds:
        return Check("refer_for_prosecution", (), tuple(grounds + evidence))
    missing = [
        "A prosecution referral needs a penalty notice unpaid after "
        f"{rules.PN_FULL_DAYS} days, the limit of penalty notices reached, or a documented failure of support. "
        + m
        for m in missing
    ]
    return Check("refer_for_prosecution", tuple(missing), tuple(evidence))


CHECKS: dict[str, Callable[[Case, date], Check]] = {
    "start_targeted_support": _targeted_support,
    "start_formal_support": _formal_support,
    "issue_notice_to_improve": _notice_to_improve,
    "request_penalty_notice": _penalty_notice,
    "refer_for_prosecution": _prosecution_referral,
}


def check(case: Case, transition: str, *, today: date | None = None) -> Check:
    """The guard of ``transition`` for ``case`` as of ``today``; transitions without a guard are allowed."""
    today = today or timezone.localdate()
    guard = CHECKS.get(transition)
    if guard is None:
        return Check(transition, (), ())
    return guard(case, today)


# What the DSL sees for each transition; the order is the ladder's.
TRANSITION_LABELS: dict[str, str] = {
    "start_targeted_support": "Move to targeted support",
    "start_formal_support": "Move to formal support (attendance contract)",
    "issue_notice_to_improve": "Move to notice to improve",
    "request_penalty_notice": "Request a penalty notice",
    "refer_for_prosecution": "Refer for prosecution",
    "put_on_hold": "Put the case on hold",
    "resume": "Resume the case",
    "close": "Close the case",
}
TRANSITION_TARGETS: dict[str, str] = {
    "start_targeted_support": CaseState.TARGETED_SUPPORT,
    "start_formal_support": CaseState.FORMAL_SUPPORT,
    "issue_notice_to_improve": CaseState.NOTICE_TO_IMPROVE,
    "request_penalty_notice": CaseState.PENALTY_NOTICE,
    "refer_for_prosecution": CaseState.PROSECUTION_REFERRAL,
    "put_on_hold": CaseState.ON_HOLD,
    "close": CaseState.CLOSED,
}
