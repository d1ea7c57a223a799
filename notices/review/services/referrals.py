"""The prosecution referral: the school refers the case with its evidence bundle, an LA officer decides,
records the outcome, and closes the case or returns it to the school with advice.

notices.flows (ProsecutionReferralFlow) orchestrates the steps; these services decide whether each may
happen, write it, and put it on the case's chronology and the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from viewflow.workflow import STATUS

from cases import facts, ladder, rules
from cases.audit import audit
from cases.errors import DomainError
from cases.models import Case, CaseOutcome, CaseState, EventKind, ParentalRelationship
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
    ProsecutedParent,
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


# The more serious section first: the referral's own ``offence`` names the gravest charged, for the readers
# of the whole referral (each parent's own section is on ProsecutedParent).
OFFENCE_GRAVITY = [Offence.S444_1A, Offence.S444_1]


@dataclass(frozen=True)
class ParentOutcome:
    """What the court decided for one prosecuted parent."""

    hearing_result: str
    fine_amount: Decimal | None = None
    parenting_order: bool | None = None


def prosecutable_links(referral: ProsecutionReferral) -> list[ParentalRelationship]:
    """The parents of the referral's pupil the LA may choose to prosecute: those with parental responsibility."""
    return list(
        ParentalRelationship.objects.filter(pupil_id=referral.case.pupil_id)
        .select_related("parent").order_by("-parental_responsibility", "parent__surname", "parent__forename")
    )


def _chosen_parents(referral: ProsecutionReferral, parents: Mapping[int, str]) -> list[tuple]:
    """The chosen parents as (parent, section), checked: at least one, each on the case with parental
    responsibility, each with a section. A refusal names the field "parents"."""
    if not parents:
        raise facts.ImpossibleFact("Choose at least one parent to prosecute.", field="parents")
    links = {link.parent_id: link for link in prosecutable_links(referral)}
    chosen = []
    for parent_pk, section in parents.items():
        link = links.get(int(parent_pk))
        if link is None:
            raise facts.ImpossibleFact("Choose only parents of this pupil: that person is not a parent on the case.",
                                       field="parents")
        if not link.parental_responsibility:
            raise facts.ImpossibleFact(f"{link.parent} has no parental responsibility for {referral.case.pupil.forename} "
                                       "and cannot be chosen for prosecution.", field="parents")
        if section not in Offence.values:
            raise facts.ImpossibleFact(f"Choose the offence for {link.parent}: s444(1) or s444(1A) of the Education "
                                       "Act 1996.", field=f"offence_{link.parent_id}")
        chosen.append((link.parent, section))
    return sorted(chosen, key=lambda item: (item[0].surname, item[0].forename, item[0].pk))


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
        chosen = list(referral.prosecuted_parents.select_related("parent"))
        if chosen:
            text += ": " + "; ".join(f"{p.parent} under {p.get_offence_display().split(' Education')[0]}"
                                     for p in chosen)
        else:
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
def referral_decide(*, referral: ProsecutionReferral, by, decision: str, reasons: str,
                    parents: Mapping[int, str] | None = None) -> ProsecutionReferral:
    """The officer who took the referral decides, with reasons; a prosecution names which parents, each
    with parental responsibility and under the section chosen for them (``parents``: parent id to section)."""
    if not la_officer_of_referral(by, referral):
        require(False, "decide this prosecution referral")
    if decision not in ReferralDecision.values:
        raise ReferralRefused("Choose the local authority's decision.")
    chosen = _chosen_parents(referral, parents or {}) if decision == ReferralDecision.PROSECUTE else []
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
        sections = {section for _, section in chosen}
        referral.offence = next((o for o in OFFENCE_GRAVITY if o in sections), "")
        referral.decided_by, referral.decided_at = by, now
        referral.save()
        ProsecutedParent.objects.bulk_create(
            ProsecutedParent(referral=referral, parent=parent, offence=section) for parent, section in chosen
        )
        case_event_record(case=referral.case, kind=EventKind.NOTICE, by=by, reason=reasons, at=now,
                          summary=f"Prosecution referral decided by the local authority: {_decision_text(referral)}",
                          evidence=[f"prosecution_referral:{referral.pk}"])
        audit(user=by, action=f"referral.{decision}", pupil=referral.case.pupil,
              detail=f"referral {referral.pk}" + "".join(f"; parent {p.pk} {o}" for p, o in chosen))
        activation.start(None)
        activation.execute()  # the flow's decision gate routes on referral.decision
    announce("referral_decided", referral.pk)
    return referral


def _record_notice_outcomes(referral: ProsecutionReferral, hearing_result: str, parent=None) -> list[str]:
    """The outcome on each notice this referral took to court (referred since the LA's decision, still
    pending), of ``parent`` alone when given; the lines for the chronology."""
    outcome = NOTICE_OUTCOME_OF_HEARING.get(hearing_result)
    if outcome is None:
        return []
    notices = PenaltyNotice.objects.select_for_update().filter(
        pupil=referral.case.pupil, local_authority=referral.case.school.local_authority,
        state=PenaltyNoticeState.PROSECUTED, prosecution_outcome="",
        referred_on__gte=timezone.localdate(referral.decided_at),
    ).order_by("issued_on", "pk")
    if parent is not None:
        notices = notices.filter(parent=parent)
    references = list(notices.values_list("reference", flat=True))
    notices.update(prosecution_outcome=outcome)
    after = ("no longer counts toward the limit of penalty notices" if outcome == ProsecutionOutcome.NOT_GUILTY
             else "still counts toward the limit of penalty notices")
    return [f"{reference}: {ProsecutionOutcome(outcome).label.lower()}, {after}" for reference in references]


def referral_refer_unpaid_notices(*, referral: ProsecutionReferral) -> list[PenaltyNotice]:
    """On a prosecution, each unpaid penalty notice of the parents chosen for prosecution goes with it; a paid
    one never, nor one of a parent the LA did not prosecute."""
    notices = PenaltyNotice.objects.filter(
        pupil=referral.case.pupil, local_authority=referral.case.school.local_authority,
        state=PenaltyNoticeState.UNPAID,
    ).order_by("issued_on", "pk")
    chosen = referral.prosecuted_parents.values_list("parent_id", flat=True)
    if chosen:
        notices = notices.filter(parent_id__in=list(chosen))
    return [penalty_notice_refer_for_prosecution(notice=notice, by=referral.decided_by) for notice in notices]


@transaction.atomic
def referral_record_outcome(
    *, referral: ProsecutionReferral, by, conclusion: str, advice: str = "", notes: str = "",
    hearing_date: date | None = None, hearing_result: str = "", fine_amount: Decimal | None = None,
    parenting_order: bool | None = None, parent_outcomes: Mapping[int, ParentOutcome] | None = None,
) -> ProsecutionReferral:
    """The officer records the outcome (the hearing, for a prosecution), then closes the case or returns it
    to the school with advice. A prosecution's result, fine and parenting order are each prosecuted
    parent's (``parent_outcomes`` by parent id; the one ``hearing_result``/``fine_amount``/``parenting_order``
    applies to every parent when not given), and each parent's notices take that parent's result."""
    if not la_officer_of_referral(by, referral):
        require(False, "record the outcome of this prosecution referral")
    referral = lock_process(referral)
    task = open_task(referral, "outcome")
    if task is None:
        raise ReferralRefused(_not_waiting(referral, "outcome"))
    if task.owner_id != by.pk:
        raise ReferralRefused("Only the officer who decided the referral records its outcome.")
    prosecuted = referral.decision == ReferralDecision.PROSECUTE
    outcomes: list[tuple[ProsecutedParent, ParentOutcome]] = []
    if prosecuted:
        if hearing_date is None:
            raise ReferralRefused("Enter the date of the hearing.")
        # The outcome is recorded once the hearing has happened, after the school referred the case.
        facts.happened(hearing_date, what="The date of the hearing", today=timezone.localdate(), field="hearing_date",
                       not_before=timezone.localdate(referral.created), not_before_what="the date of the referral")
        same_for_all = ParentOutcome(hearing_result, fine_amount, parenting_order)
        outcomes = _parent_outcomes(referral, parent_outcomes, same_for_all)
        if outcomes:
            hearing_result, fine_amount, parenting_order = _referral_summary(outcomes)
        else:
            checked = _check_outcome(same_for_all, referral.offence, "", "")
            hearing_result, fine_amount, parenting_order = (checked.hearing_result, checked.fine_amount,
                                                            checked.parenting_order)
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
        if prosecuted and not outcomes:  # decided before parents were chosen one by one
            summary = (f"Prosecution outcome: {referral.get_hearing_result_display().lower()} at the hearing of "
                       f"{hearing_date:%d %B %Y}")
            details = [f"Fine £{fine_amount}" if fine_amount is not None else "No fine",
                       "parenting order made" if parenting_order else "no parenting order",
                       *_record_notice_outcomes(referral, hearing_result)]
        elif prosecuted:
            summary = f"Prosecution outcome at the hearing of {hearing_date:%d %B %Y}: " + "; ".join(
                f"{chosen.parent} {HearingResult(outcome.hearing_result).label.lower()}" for chosen, outcome in outcomes
            )
            details = []
            for chosen, outcome in outcomes:
                chosen.hearing_result, chosen.fine_amount = outcome.hearing_result, outcome.fine_amount
                chosen.parenting_order = outcome.parenting_order
                chosen.save(update_fields=["hearing_result", "fine_amount", "parenting_order"])
                details += [
                    f"{chosen.parent}: " + (f"fine £{outcome.fine_amount}" if outcome.fine_amount is not None
                                            else "no fine")
                    + (", parenting order made" if outcome.parenting_order else ", no parenting order"),
                    *_record_notice_outcomes(referral, outcome.hearing_result, parent=chosen.parent),
                ]
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


def _parent_outcomes(referral: ProsecutionReferral, given: Mapping[int, ParentOutcome] | None,
                     same_for_all: ParentOutcome) -> list[tuple[ProsecutedParent, ParentOutcome]]:
    """Each prosecuted parent's outcome, checked: ``given`` by parent id, or ``same_for_all`` when not given.
    A refusal names the parent's own field (``result_<id>``, ``fine_<id>``, ``parenting_order_<id>``), or the
    referral-wide field when one outcome was given for all. Empty for a referral decided before parents
    were chosen one by one."""
    chosen = list(referral.prosecuted_parents.select_related("parent"))
    outcomes = []
    for prosecuted in chosen:
        if given is None:
            outcome, suffix, whose = same_for_all, "", ""
        else:
            outcome = given.get(prosecuted.parent_id) or ParentOutcome("")
            suffix, whose = f"_{prosecuted.parent_id}", f" for {prosecuted.parent}"
        outcomes.append((prosecuted, _check_outcome(outcome, prosecuted.offence, suffix, whose)))
    return outcomes


def _check_outcome(outcome: ParentOutcome, section: str, suffix: str, whose: str) -> ParentOutcome:
    fields = ("result" + suffix, "fine" + suffix, "parenting_order" + suffix) if suffix else (
        "hearing_result", "fine_amount", "parenting_order")
    if outcome.hearing_result not in HearingResult.values:
        raise facts.ImpossibleFact(f"Choose the result of the hearing{whose}.", field=fields[0])
    if outcome.parenting_order is None:
        raise facts.ImpossibleFact(f"Say whether the court made a parenting order{whose}.", field=fields[2])
    fine = outcome.fine_amount
    if fine is not None:
        if outcome.hearing_result != HearingResult.CONVICTED:
            raise facts.ImpossibleFact("Only a parent convicted at the hearing can be fined: leave the fine "
                                       "empty, or record the result as convicted.", field=fields[1])
        maximum, why = MAX_FINE[section]
        fine = facts.amount(fine, what="The fine", field=fields[1], maximum=maximum, maximum_why=why)
    return ParentOutcome(outcome.hearing_result, fine, outcome.parenting_order)


def _referral_summary(outcomes) -> tuple[str, Decimal | None, bool | None]:
    """The referral's own result, fine and parenting order: the one outcome when all parents share it; else
    the gravest (convicted if any parent was, the highest fine, a parenting order if any was made), so a
    reader of the whole referral never understates it. Each parent's own is on ProsecutedParent."""
    results = {outcome.hearing_result for _, outcome in outcomes}
    if len(results) == 1:
        result = results.pop()
    else:
        result = HearingResult.CONVICTED if HearingResult.CONVICTED in results else HearingResult.OTHER
    fines = [outcome.fine_amount for _, outcome in outcomes if outcome.fine_amount is not None]
    return result, (max(fines) if fines else None), any(outcome.parenting_order for _, outcome in outcomes)


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
