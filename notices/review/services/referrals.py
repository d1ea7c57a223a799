"""The prosecution referral: the school refers the case with its evidence bundle, an LA officer decides,
records the outcome, and closes the case or returns it to the school with advice.

notices.flows (ProsecutionReferralFlow) orchestrates the steps; these services decide whether each may
happen, write it, and put it on the case's chronology and the audit trail.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from viewflow.workflow import STATUS

from cases import facts, ladder, rules
from cases.audit import audit
from cases.errors import DomainError
from cases.models import Case, CaseOutcome, CaseState, EventKind
from cases.models import Offence as OffenceRecord
from cases.my_work import announce
from cases.permissions import can_move_case, can_reassign_la_work, is_la_officer_of, require
from cases.services.case import case_close, case_transition, transition_sources
from cases.services.chronology import case_event_record
from cases.services.offence import ThresholdNotMet, offence_record
from notices.bundle import evidence_bundle_generate
from notices.models import PenaltyNotice, PenaltyNoticeState, ProsecutionOutcome
from notices.penalty.services import penalty_notice_refer_for_prosecution
from notices.review.referrals import (
    HearingResult,
    Offence,
    ProsecutionReferral,
    ReferralConclusion,
    ReferralDecision,
)
from notices.review.services.flow_tasks import (
    lock_process,
    locked_process,
    open_flow_task,
    reassign_review_task,
    take_review_task,
    task_still,
)

# The most the court may fine for each offence.
MAX_FINE = {
    Offence.S444_1: (rules.S444_1_MAX_FINE, "level 3 on the standard scale, the most for s444(1)"),
    Offence.S444_1A: (rules.S444_1A_MAX_FINE, "level 4 on the standard scale, the most for s444(1A)"),
}

# The stages from which the ladder's refer_for_prosecution step may be taken, as the case's state machine says.
REFERABLE_FROM = transition_sources("refer_for_prosecution")


# The hearing's result as the outcome of the notices prosecuted with it; a withdrawn prosecution or another
# result leaves them pending (domain.md 3.5: only an acquittal stops a notice counting).
NOTICE_OUTCOME_OF_HEARING = {
    HearingResult.CONVICTED: ProsecutionOutcome.GUILTY,
    HearingResult.ACQUITTED: ProsecutionOutcome.NOT_GUILTY,
}


class ReferralRefused(DomainError):
    pass


def _flow():
    from notices.flows import ProsecutionReferralFlow  # the flow imports the pages, which import this

    return ProsecutionReferralFlow


def la_officer_of_referral(user, referral: ProsecutionReferral) -> bool:
    return is_la_officer_of(user, referral.case.school.local_authority)


def open_task(referral: ProsecutionReferral, node_name: str):
    """The referral's open task at ``node_name`` ("review" or "outcome"), or None."""
    return open_flow_task(_flow(), referral, node_name)


def may_refer(case: Case) -> bool:
    """Whether the school's "Refer for prosecution" form belongs on the case page."""
    if case.state == CaseState.PROSECUTION_REFERRAL:
        return True
    return case.state in REFERABLE_FROM and ladder.check(case, "refer_for_prosecution").allowed


def _still(activation, status: str, owner=None) -> None:
    task_still(activation, status, owner=owner, refused=ReferralRefused, what="referral")


def _locked_referral(activation) -> ProsecutionReferral:
    """The referral object the flow's next nodes will save: write to this one, never another copy."""
    return locked_process(activation)


def _not_waiting(referral: ProsecutionReferral, node_name: str) -> str:
    """Why a referral (read under its lock) has no open task at ``node_name``: said so that an officer who
    acted a moment after a colleague, or in a second tab, learns what happened instead of a bare refusal."""
    if referral.outcome_at is not None:
        by = referral.outcome_by.get_full_name() if referral.outcome_by_id else "another officer"
        return f"The outcome of this referral has already been recorded by {by}."
    if referral.decision and node_name == "review":
        by = referral.decided_by.get_full_name() if referral.decided_by_id else "another officer"
        return f"This referral has already been decided: {_decision_text(referral).lower()}, by {by}."
    if node_name == "review":
        return "This referral is not waiting for a decision."
    return "This referral is not waiting for its outcome."


def _decision_text(referral: ProsecutionReferral) -> str:
    text = referral.get_decision_display()
    if referral.decision == ReferralDecision.PROSECUTE:
        text += f" under {referral.get_offence_display()}"
    return text


def referral_offence(*, case: Case) -> OffenceRecord | None:
    """The offence a referral rests on: that of the case's unpaid (or latest) penalty notice, else of its
    notice to improve, as stored when they were made; else the register's now, stored; None when the
    referral rests on a failure of support alone and the threshold is not met."""
    notices = case.penalty_notices.exclude(state=PenaltyNoticeState.WITHDRAWN).filter(offence_record__isnull=False)
    notice = (notices.filter(state=PenaltyNoticeState.UNPAID).order_by("-issued_on", "-pk").first()
              or notices.order_by("-issued_on", "-pk").first())
    if notice is not None:
        return notice.offence_record
    nti = case.notices_to_improve.filter(offence_record__isnull=False).order_by("-issued_on", "-pk").first()
    if nti is not None:
        return nti.offence_record
    try:
        return offence_record(pupil=case.pupil, as_of=timezone.localdate())
    except ThresholdNotMet:
        return None


@transaction.atomic
def referral_start(*, case: Case, by, reason: str) -> ProsecutionReferral:
    """Refers the case to the LA for prosecution with a fresh evidence bundle; the case moves to the
    prosecution referral stage first if the ladder allows it."""
    require(can_move_case(by, case), "refer a case for prosecution")
    reason = reason.strip()
    if not reason:
        raise ReferralRefused("Say why you are referring the case to the local authority.")
    facts.text(reason, what="Why you are referring the case", field="reason")
    case = Case.objects.select_for_update(of=("self",)).select_related("pupil__school__local_authority").get(
        pk=case.pk
    )
    if ProsecutionReferral.objects.filter(case=case, finished__isnull=True).exists():
        raise ReferralRefused("A prosecution referral for this case is already with the local authority.")
    if case.state != CaseState.PROSECUTION_REFERRAL:
        if case.state not in REFERABLE_FROM:
            raise ReferralRefused(
                f"A case at “{case.get_state_display()}” cannot be referred for prosecution."
            )
        case = case_transition(case=case, transition="refer_for_prosecution", by=by, reason=reason,
                               by_its_process=True)
    offence = referral_offence(case=case)
    bundle = evidence_bundle_generate(case=case, by=by, offence=offence)
    referral = _flow().start.run(case=case, bundle=bundle, by=by, reason=reason, offence=offence)
    case_event_record(
        case=case, kind=EventKind.NOTICE, by=by, reason=reason,
        summary=f"Referred to {case.school.local_authority.name} for prosecution, "
                f"with the evidence bundle (version {bundle.version})",
        evidence=[f"prosecution_referral:{referral.pk}", f"letter:{bundle.pk}"],
    )
    audit(user=by, action="referral.start", pupil=case.pupil,
          detail=f"referral {referral.pk}: bundle letter {bundle.pk} sha256 {bundle.sha256[:12]}")
    announce("referral_arrived", referral.pk)
    return referral


@transaction.atomic
def referral_reassign(*, referral: ProsecutionReferral, to, by) -> ProsecutionReferral:
    """The LA manager gives the referral's open task (its decision, or recording the court's outcome) to
    another officer of the LA."""
    local_authority = referral.case.school.local_authority
    require(can_reassign_la_work(by, local_authority), "reassign this prosecution referral")
    if not is_la_officer_of(to, local_authority):
        raise ReferralRefused("Choose an officer of the local authority to give the referral to.")
    referral = lock_process(referral)
    task = open_task(referral, "review") or open_task(referral, "outcome")
    previous = reassign_review_task(task, to, refused=ReferralRefused, what="referral")
    whom = to.get_full_name() or to.get_username()
    was = f" (was {previous.get_full_name() or previous.get_username()})" if previous is not None else ""
    case_event_record(case=referral.case, kind=EventKind.NOTICE, by=by,
                      summary=f"Prosecution referral given to {whom} by the local authority's manager{was}",
                      evidence=[f"prosecution_referral:{referral.pk}"])
    audit(user=by, action="referral.reassign", pupil=referral.case.pupil,
          detail=f"referral {referral.pk} to {to.get_username()}{was}")
    return referral


@transaction.atomic
def referral_assign(*, referral: ProsecutionReferral, by) -> ProsecutionReferral:
    """An LA officer of the school's LA takes the referral from the team's queue."""
    if not la_officer_of_referral(by, referral):
        require(False, "take this prosecution referral")
    referral = lock_process(referral)
    task = open_task(referral, "review")
    if task is None:
        raise ReferralRefused(_not_waiting(referral, "review"))
    take_review_task(task, by, refused=ReferralRefused, what="referral")
    case_event_record(case=referral.case, kind=EventKind.NOTICE, by=by,
                      summary=f"Prosecution referral taken by {by.get_full_name()} (local authority)",
                      evidence=[f"prosecution_referral:{referral.pk}"])
    audit(user=by, action="referral.assign", pupil=referral.case.pupil, detail=f"referral {referral.pk}")
    return referral


@transaction.atomic
def referral_decide(*, referral: ProsecutionReferral, by, decision: str, offence: str = "",
                    reasons: str) -> ProsecutionReferral:
    """The officer who took the referral decides, with reasons; a prosecution names the offence."""
    if not la_officer_of_referral(by, referral):
        require(False, "decide this prosecution referral")
    if decision not in ReferralDecision.values:
        raise ReferralRefused("Choose the local authority's decision.")
    if decision == ReferralDecision.PROSECUTE and offence not in Offence.values:
        raise ReferralRefused("Choose the offence: s444(1) or s444(1A) of the Education Act 1996.")
    reasons = reasons.strip()
    if not reasons:
        raise ReferralRefused("Give the reasons for the decision: the school sees them.")
    facts.text(reasons, what="The reasons for the decision", field="reasons")
    referral = lock_process(referral)
    task = open_task(referral, "review")
    if task is None:
        raise ReferralRefused(_not_waiting(referral, "review"))
    if task.owner_id != by.pk:
        raise ReferralRefused("Take the referral first (Assign to me): only the officer who took it decides.")
    now = timezone.now()
    with task.activation() as activation:
        _still(activation, STATUS.ASSIGNED, owner=by)
        referral = _locked_referral(activation)
        referral.decision, referral.decision_reasons = decision, reasons
        referral.offence = offence if decision == ReferralDecision.PROSECUTE else ""
        referral.decided_by, referral.decided_at = by, now
        referral.save()
        case_event_record(case=referral.case, kind=EventKind.NOTICE, by=by, reason=reasons, at=now,
                          summary=f"Prosecution referral decided by the local authority: {_decision_text(referral)}",
                          evidence=[f"prosecution_referral:{referral.pk}"])
        audit(user=by, action=f"referral.{decision}", pupil=referral.case.pupil,
              detail=f"referral {referral.pk}{': ' + offence if referral.offence else ''}")
        activation.start(None)
        activation.execute()  # the flow's decision gate routes on referral.decision
    announce("referral_decided", referral.pk)
    return referral


def _record_notice_outcomes(referral: ProsecutionReferral, hearing_result: str) -> list[str]:
    """The outcome on each notice this referral took to court (referred since the LA's decision, still
    pending); the lines for the chronology."""
    outcome = NOTICE_OUTCOME_OF_HEARING.get(hearing_result)
    if outcome is None:
        return []
    notices = PenaltyNotice.objects.select_for_update().filter(
        pupil=referral.case.pupil, local_authority=referral.case.school.local_authority,
        state=PenaltyNoticeState.PROSECUTED, prosecution_outcome="",
        referred_on__gte=timezone.localdate(referral.decided_at),
    ).order_by("issued_on", "pk")
    references = list(notices.values_list("reference", flat=True))
    notices.update(prosecution_outcome=outcome)
    after = ("no longer counts toward the limit of penalty notices" if outcome == ProsecutionOutcome.NOT_GUILTY
             else "still counts toward the limit of penalty notices")
    return [f"{reference}: {ProsecutionOutcome(outcome).label.lower()}, {after}" for reference in references]


def referral_refer_unpaid_notices(*, referral: ProsecutionReferral) -> list[PenaltyNotice]:
    """On a prosecution, each of the pupil's penalty notices that is unpaid goes with it; a paid one never."""
    notices = PenaltyNotice.objects.filter(
        pupil=referral.case.pupil, local_authority=referral.case.school.local_authority,
        state=PenaltyNoticeState.UNPAID,
    ).order_by("issued_on", "pk")
    return [penalty_notice_refer_for_prosecution(notice=notice, by=referral.decided_by) for notice in notices]


@transaction.atomic
def referral_record_outcome(
    *, referral: ProsecutionReferral, by, conclusion: str, advice: str = "", notes: str = "",
    hearing_date: date | None = None, hearing_result: str = "", fine_amount: Decimal | None = None,
    parenting_order: bool | None = None,
) -> ProsecutionReferral:
    """The officer records the outcome (the hearing, for a prosecution), then closes the case or returns it
    to the school with advice."""
    if not la_officer_of_referral(by, referral):
        require(False, "record the outcome of this prosecution referral")
    referral = lock_process(referral)
    task = open_task(referral, "outcome")
    if task is None:
        raise ReferralRefused(_not_waiting(referral, "outcome"))
    if task.owner_id != by.pk:
        raise ReferralRefused("Only the officer who decided the referral records its outcome.")
    prosecuted = referral.decision == ReferralDecision.PROSECUTE
    if prosecuted:
        if hearing_date is None:
            raise ReferralRefused("Enter the date of the hearing.")
        # The outcome is recorded once the hearing has happened, after the school referred the case.
        facts.happened(hearing_date, what="The date of the hearing", today=timezone.localdate(), field="hearing_date",
                       not_before=timezone.localdate(referral.created), not_before_what="the date of the referral")
        if hearing_result not in HearingResult.values:
            raise ReferralRefused("Choose the result of the hearing.")
        if parenting_order is None:
            raise ReferralRefused("Say whether the court made a parenting order.")
        if fine_amount is not None:
            if hearing_result != HearingResult.CONVICTED:
                raise facts.ImpossibleFact("Only a parent convicted at the hearing can be fined: leave the fine "
                                           "empty, or record the result as convicted.", field="fine_amount")
            maximum, why = MAX_FINE[referral.offence]
            fine_amount = facts.amount(fine_amount, what="The fine", field="fine_amount", maximum=maximum,
                                       maximum_why=why)
    else:
        hearing_date, hearing_result, fine_amount, parenting_order = None, "", None, None
    if conclusion not in ReferralConclusion.values:
        raise ReferralRefused("Choose whether to close the case or return it to the school.")
    advice = advice.strip()
    if conclusion == ReferralConclusion.RETURN_TO_SCHOOL and not advice:
        raise ReferralRefused("Give the school your advice: the case returns to it.")
    facts.text(notes, what="The notes on the outcome", field="notes")
    facts.text(advice, what="Your advice to the school", field="advice")
    now = timezone.now()
    with task.activation() as activation:
        _still(activation, STATUS.ASSIGNED, owner=by)
        referral = _locked_referral(activation)
        referral.hearing_date, referral.hearing_result = hearing_date, hearing_result
        referral.fine_amount, referral.parenting_order = fine_amount, parenting_order
        referral.outcome_notes, referral.conclusion, referral.advice = notes.strip(), conclusion, advice
        referral.outcome_by, referral.outcome_at = by, now
        referral.save()
        if prosecuted:
            summary = (f"Prosecution outcome: {referral.get_hearing_result_display().lower()} at the hearing of "
                       f"{hearing_date:%d %B %Y}")
            details = [f"Fine £{fine_amount}" if fine_amount is not None else "No fine",
                       "parenting order made" if parenting_order else "no parenting order",
                       *_record_notice_outcomes(referral, hearing_result)]
        else:
            summary, details = f"Prosecution referral outcome recorded: {_decision_text(referral)}", []
        case_event_record(case=referral.case, kind=EventKind.NOTICE, by=by, at=now, summary=summary,
                          reason="; ".join([*details, referral.outcome_notes] if referral.outcome_notes else details),
                          evidence=[f"prosecution_referral:{referral.pk}"])
        audit(user=by, action="referral.outcome", pupil=referral.case.pupil,
              detail=f"referral {referral.pk}: {hearing_result or referral.decision}, {conclusion}")
        activation.start(None)
        activation.execute()  # the flow's conclusion gate routes on referral.conclusion
    announce("referral_outcome", referral.pk)
    return referral


def referral_close_case(*, referral: ProsecutionReferral) -> Case:
    """The case closes on the LA's decision, the decision and its reasons the reason."""
    return case_close(
        case=referral.case, by=referral.outcome_by, outcome=CaseOutcome.LA_DECISION,
        reason=f"{_decision_text(referral)}: {referral.decision_reasons}",
    )


def referral_return_to_school(*, referral: ProsecutionReferral) -> None:
    """The case stays at its stage with the school; the LA's advice goes on the chronology."""
    case_event_record(
        case=referral.case, kind=EventKind.NOTICE, by=referral.outcome_by, reason=referral.advice,
        summary=f"Case returned to the school by {referral.case.school.local_authority.name}, with advice",
        evidence=[f"prosecution_referral:{referral.pk}"],
    )
    audit(user=referral.outcome_by, action="referral.return_to_school", pupil=referral.case.pupil,
          detail=f"referral {referral.pk}")
