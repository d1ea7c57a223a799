"""The penalty notice request: the school asks its LA, an LA officer decides, the notices follow.

notices.flows orchestrates the steps; these services decide whether each may happen, write it, and
put it on the case's chronology and the audit trail. The case's state machine keeps the case's stage:
a request made before the penalty notice stage takes the ladder's request_penalty_notice step with it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from viewflow.workflow import STATUS

from cases import facts
from cases.audit import audit
from cases.errors import DomainError
from cases.models import Case, CaseState, EventKind, Parent
from cases.my_work import announce
from cases.permissions import can_move_case, can_reassign_la_work, is_la_officer_of, require
from cases.services import case_transition
from cases.services.case import transition_sources
from cases.services.chronology import case_event_record
from notices.models import PenaltyNotice, PenaltyNoticeState
from notices.penalty import services as penalty
from notices.penalty.letters import penalty_notice_issue_with_letter
from notices.penalty.services import (
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_terms_for,
)
from notices.review.requests import PenaltyNoticeRequest, RequestDecision
from notices.review.services.flow_tasks import (
    lock_process,
    locked_process,
    open_flow_task,
    reassign_review_task,
    take_review_task,
    task_still,
)


class RequestRefused(DomainError):
    pass


def _flow():
    from notices.flows import PenaltyNoticeRequestFlow  # the flow imports the pages, which import this

    return PenaltyNoticeRequestFlow


def la_officer_of_request(user, request: PenaltyNoticeRequest) -> bool:
    return is_la_officer_of(user, request.case.school.local_authority)


def open_task(request: PenaltyNoticeRequest, node_name: str):
    """The request's open task at ``node_name`` ("review" or "answer"), or None."""
    return open_flow_task(_flow(), request, node_name)


def _liable_parent_ids(case: Case) -> set[int]:
    from notices.selectors import liable_parent_links

    return {link.parent_id for link in liable_parent_links(pupil=case.pupil)}


def _parent_names(request: PenaltyNoticeRequest) -> str:
    return ", ".join(str(parent) for parent in request.parents.all())


def _still(activation, status: str, owner=None) -> None:
    task_still(activation, status, owner=owner, refused=RequestRefused, what="request")


def _locked_request(activation) -> PenaltyNoticeRequest:
    """The request object the flow's next nodes will save: write to this one, never to another copy, or
    the End node's save would put the stale copy's fields back."""
    return locked_process(activation)


def _not_with_the_la(request: PenaltyNoticeRequest) -> str:
    """Why a request (read under its lock) has no open review: said so that an officer who acted a moment
    after a colleague, or in a second tab, learns what happened instead of a bare refusal."""
    by = request.decided_by.get_full_name() if request.decided_by_id else "another officer"
    if request.decision == RequestDecision.MORE_INFORMATION:
        return (f"This request is not waiting for the local authority: {by} has already asked the school for more "
                "information, and it waits for the school's answer.")
    if request.decision:
        outcome = {RequestDecision.APPROVE: "approved", RequestDecision.REJECT: "rejected"}[request.decision]
        return f"This request has already been decided: {outcome} by {by}."
    return "This request is not waiting for the local authority."


def _exchange(request: PenaltyNoticeRequest, kind: str, text: str, by, at) -> None:
    request.exchanges = [*request.exchanges, {
        "kind": kind, "text": text, "by": by.get_full_name() or by.get_username(), "at": at.isoformat(),
    }]


@transaction.atomic
def pn_request_start(*, case: Case, by, parents: list[Parent], reason: str) -> PenaltyNoticeRequest:
    """Asks the LA to issue penalty notices to the named parents, on the headteacher's authority."""
    require(can_move_case(by, case.pupil), "request penalty notices")
    case = Case.objects.select_for_update(of=("self",)).select_related("pupil__school__local_authority").get(
        pk=case.pk
    )
    if case.state != CaseState.PENALTY_NOTICE and case.state not in transition_sources("request_penalty_notice"):
        raise RequestRefused(
            f"A case at “{case.get_state_display()}” cannot request a penalty notice."
        )
    consideration = case.pn_considerations.order_by("-recorded_at").first()
    if consideration is not None and consideration.declined_at is not None:
        raise RequestRefused(
            "The headteacher declined the latest penalty notice considerations: record new considerations "
            "for the headteacher to authorise before a request goes to the local authority."
        )
    if consideration is None or consideration.authorised_by_id is None:
        raise RequestRefused(
            "The headteacher must authorise the penalty notice request (the latest penalty notice "
            "considerations) before it goes to the local authority."
        )
    if not parents:
        raise RequestRefused("Choose the parents or carers the penalty notices are for.")
    liable = _liable_parent_ids(case)
    strangers = [str(parent) for parent in parents if parent.pk not in liable]
    if strangers:
        raise RequestRefused(
            f"{', '.join(strangers)}: not a parent of {case.pupil} under s576 (parental responsibility or care)."
        )
    if not reason.strip():
        raise RequestRefused("Say what you are asking the local authority, and why.")
    facts.text(reason, what="What you are asking the local authority", field="reason")
    if PenaltyNoticeRequest.objects.filter(case=case, finished__isnull=True).exists():
        raise RequestRefused("A penalty notice request for this case is already with the local authority.")
    if case.state != CaseState.PENALTY_NOTICE:
        # One action: the request to the LA takes the ladder's step with it, on the ladder's own conditions.
        case = case_transition(case=case, transition="request_penalty_notice", by=by, reason=reason.strip())
    request = _flow().start.run(case=case, consideration=consideration, by=by, reason=reason.strip())
    request.parents.set(parents)
    case_event_record(
        case=case, kind=EventKind.NOTICE, by=by, reason=request.reason,
        summary=f"Penalty notices requested from {case.school.local_authority.name} for {_parent_names(request)}",
        evidence=[f"pn_request:{request.pk}",
                  f"Authorised by the headteacher on {consideration.authorised_at:%d %B %Y}"],
    )
    audit(user=by, action="pn_request.start", pupil=case.pupil, detail=f"request {request.pk}")
    announce("pn_request_arrived", request.pk)
    return request


@transaction.atomic
def pn_request_assign(*, request: PenaltyNoticeRequest, by) -> PenaltyNoticeRequest:
    """An LA officer of the school's LA takes the request from the team's queue."""
    if not la_officer_of_request(by, request):
        require(False, "take this penalty notice request")
    request = lock_process(request)
    task = open_task(request, "review")
    if task is None:
        raise RequestRefused(_not_with_the_la(request))
    take_review_task(task, by, refused=RequestRefused, what="request")
    case_event_record(case=request.case, kind=EventKind.NOTICE, by=by,
                      summary=f"Penalty notice request taken by {by.get_full_name()} (local authority)",
                      evidence=[f"pn_request:{request.pk}"])
    audit(user=by, action="pn_request.assign", pupil=request.case.pupil, detail=f"request {request.pk}")
    return request


@transaction.atomic
def pn_request_reassign(*, request: PenaltyNoticeRequest, to, by) -> PenaltyNoticeRequest:
    """The LA manager gives the request's review to another officer of the LA."""
    local_authority = request.case.school.local_authority
    require(can_reassign_la_work(by, local_authority), "reassign this penalty notice request")
    if not is_la_officer_of(to, local_authority):
        raise RequestRefused("Choose an officer of the local authority to give the request to.")
    request = lock_process(request)
    previous = reassign_review_task(open_task(request, "review"), to, refused=RequestRefused, what="request")
    whom = to.get_full_name() or to.get_username()
    was = f" (was {previous.get_full_name() or previous.get_username()})" if previous is not None else ""
    case_event_record(case=request.case, kind=EventKind.NOTICE, by=by,
                      summary=f"Penalty notice request given to {whom} by the local authority's manager{was}",
                      evidence=[f"pn_request:{request.pk}"])
    audit(user=by, action="pn_request.reassign", pupil=request.case.pupil,
          detail=f"request {request.pk} to {to.get_username()}{was}")
    return request


def refused_parents(request: PenaltyNoticeRequest, on) -> list[str]:
    """The named parents to whom no further notice may go (the limit of two in three years)."""
    return [
        f"{parent}: {terms.reason}"
        for parent in request.parents.all()
        if not (terms := penalty_notice_terms_for(pupil=request.case.pupil, parent=parent, on=on)).allowed
    ]


@transaction.atomic
def pn_request_decide(*, request: PenaltyNoticeRequest, by, decision: str, reasons: str) -> PenaltyNoticeRequest:
    """The officer who took the request approves it, rejects it with reasons, or asks for more information."""
    if not la_officer_of_request(by, request):
        require(False, "decide this penalty notice request")
    if decision not in RequestDecision.values:
        raise RequestRefused("Choose whether to approve, reject or ask for more information.")
    reasons = reasons.strip()
    if decision == RequestDecision.REJECT and not reasons:
        raise RequestRefused("Give the reasons for rejecting the request: the school sees them.")
    if decision == RequestDecision.MORE_INFORMATION and not reasons:
        raise RequestRefused("Say what more information the school should give.")
    facts.text(reasons, what="The reasons, or the question to the school", field="reasons")
    request = lock_process(request)
    task = open_task(request, "review")
    if task is None:
        raise RequestRefused(_not_with_the_la(request))
    if task.owner_id != by.pk:
        raise RequestRefused("Take the request first (Assign to me): only the officer who took it decides.")
    if decision == RequestDecision.APPROVE:
        refused = refused_parents(request, timezone.localdate())
        if refused:
            raise RequestRefused("No penalty notice can be issued to " + "; ".join(refused))
    now = timezone.now()
    with task.activation() as activation:
        _still(activation, STATUS.ASSIGNED, owner=by)
        request = _locked_request(activation)
        request.decision, request.decision_reasons = decision, reasons
        request.decided_by, request.decided_at = by, now
        if decision == RequestDecision.MORE_INFORMATION:
            _exchange(request, "question", reasons, by, now)
        request.save()
        summary = {
            RequestDecision.APPROVE: "Penalty notice request approved by the local authority: "
            + ("the school issues the notices" if school_issues(request) else "the local authority issues the notices"),
            RequestDecision.REJECT: "Penalty notice request rejected by the local authority",
            RequestDecision.MORE_INFORMATION: "The local authority asked the school for more information",
        }[decision]
        case_event_record(case=request.case, kind=EventKind.NOTICE, by=by, summary=summary, reason=reasons,
                          evidence=[f"pn_request:{request.pk}"], at=now)
        audit(user=by, action=f"pn_request.{decision}", pupil=request.case.pupil, detail=f"request {request.pk}")
        activation.start(None)
        activation.execute()  # the flow's decision gate routes on request.decision
    announce("pn_request_decided", request.pk)
    return request


@transaction.atomic
def pn_request_answer(*, request: PenaltyNoticeRequest, by, answer: str) -> PenaltyNoticeRequest:
    """The school answers the LA's question; the request goes back to the same officer."""
    require(can_move_case(by, request.case.pupil), "answer the local authority")
    if not answer.strip():
        raise RequestRefused("Write your answer to the local authority's question.")
    facts.text(answer, what="Your answer", field="answer")
    request = lock_process(request)
    task = open_task(request, "answer")
    if task is None:
        if request.exchanges and request.exchanges[-1]["kind"] == "answer":
            raise RequestRefused("Your answer has already been sent: the request is back with the local authority.")
        raise RequestRefused("The local authority has not asked a question on this request.")
    now = timezone.now()
    with task.activation() as activation:
        _still(activation, STATUS.NEW)
        request = _locked_request(activation)
        _exchange(request, "answer", answer.strip(), by, now)
        request.decision = ""
        request.save()
        case_event_record(case=request.case, kind=EventKind.NOTICE, by=by, reason=answer.strip(), at=now,
                          summary="The school answered the local authority's question on the penalty notice request",
                          evidence=[f"pn_request:{request.pk}"])
        audit(user=by, action="pn_request.answer", pupil=request.case.pupil, detail=f"request {request.pk}")
        activation.assign(by)
        activation.start(None)
        activation.execute()
    return request


def school_issues(request: PenaltyNoticeRequest) -> bool:
    """Whether the LA's code of conduct leaves issuing the approved notices to the school (CodeOfConduct.pn_issued_by)."""
    return penalty.school_issues(request.case.school.local_authority)


def notices_to_issue(request: PenaltyNoticeRequest):
    """The approved request's notices the school still has to issue: drafted, the LA consulted, not yet issued."""
    if not (request.finished and request.decision == RequestDecision.APPROVE and school_issues(request)):
        return PenaltyNotice.objects.none()
    return request.case.penalty_notices.filter(
        parent__in=request.parents.all(), state=PenaltyNoticeState.LA_CONSULTED
    ).select_related("parent").order_by("parent__surname", "parent__forename")


def pn_request_issue_notices(*, request: PenaltyNoticeRequest) -> None:
    """On approval each named parent's notice is drafted and the LA's approval recorded as the consultation, by
    the approving officer; then, when the LA issues (CodeOfConduct.pn_issued_by, the default), it is issued with
    its letter; otherwise the school issues it from the notice's page. A refusal undoes them all."""
    from notices.selectors import default_offence_period

    by, case, today = request.decided_by, request.case, timezone.localdate()
    period = default_offence_period(pupil=case.pupil, today=today, case=case)
    if period is None:
        raise RequestRefused("The threshold is not met this academic year: no offence period to put on the notices.")
    for parent in request.parents.order_by("surname", "forename"):
        notice = penalty_notice_draft(case=case, parent=parent, by=by, offence_from=period.offence_from,
                                      offence_to=period.offence_to)
        penalty_notice_consult_la(notice=notice, by=by)
        if not school_issues(request):
            penalty_notice_issue_with_letter(notice=notice, by=by, issued_on=today, posted=True)
