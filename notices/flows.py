"""The penalty notice request, as a viewflow process: the school asks, the LA decides, the notices follow.

Read it top to bottom like the diagram. The flow only orchestrates: every check and every write is a
service of notices.review.services.requests, which the pages (notices.review.views.requests) call. The prosecution referral
(ProsecutionReferralFlow, services in notices.review.services.referrals) follows the same pattern. The human tasks
are done on our own GOV.UK pages, not viewflow's: its URLs are not mounted, so its task views (and their
``notices.view_penaltynoticerequest`` permission) never answer.
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow

from notices.review.referrals import ProsecutionReferral, ReferralConclusion, ReferralDecision
from notices.review.requests import PenaltyNoticeRequest, RequestDecision
from notices.review.services.flow_tasks import process_row_lock
from notices.review.views import referrals as referral_views
from notices.review.views import requests as views


class PenaltyNoticeRequestFlow(flow.Flow):
    """Penalty notice request

    The school (DSL or attendance officer, with the headteacher's authority) asks its local authority to
    issue penalty notices to the parents it names. An LA officer of that LA picks the request up, checks
    it against the code of conduct, and approves it, rejects it with reasons, or asks the school for more
    information; the school's answer comes back to the same officer.
    """

    process_class = PenaltyNoticeRequest
    # Row lock on the process (SELECT ... FOR UPDATE, waiting) so two officers cannot act on one request at
    # once; on SQLite, which has no row locks, Django leaves FOR UPDATE out and the transaction serialises.
    lock_impl = process_row_lock

    start = flow.StartHandle(this.start_request).Annotation(title="School requests penalty notices").Next(this.review)

    # Unassigned the first time (the LA team's queue); after the school answers, back to the same officer.
    review = (
        flow.View(views.la_request_detail)
        .Annotation(title="LA officer checks the request against the code of conduct")
        .Assign(this.review.owner)
        .Next(this.decision)
    )

    decision = (
        flow.Switch()
        .Annotation(title="Approved, rejected, or more information needed?")
        .Case(this.issue_notices, this.is_approved)
        .Case(this.rejected, this.is_rejected)
        .Default(this.answer)
    )

    answer = (
        flow.View(views.school_request_detail)
        .Annotation(title="School answers the LA's question")
        .Next(this.review)
    )

    issue_notices = (
        flow.Function(this.issue_notices_for_parents)
        .Annotation(title="Penalty notices issued to each named parent")
        .Next(this.approved)
    )

    approved = flow.End().Annotation(title="Request approved")
    rejected = flow.End().Annotation(title="Request rejected")

    def start_request(self, activation, *, case, consideration, by, reason):
        request = activation.process
        request.case, request.consideration, request.requested_by, request.reason = case, consideration, by, reason
        activation.task.owner = by
        return request

    def is_approved(self, activation) -> bool:
        """The LA officer approved the request."""
        return _request(activation).decision == RequestDecision.APPROVE

    def is_rejected(self, activation) -> bool:
        """The LA officer rejected the request, with reasons."""
        return _request(activation).decision == RequestDecision.REJECT

    def issue_notices_for_parents(self, activation) -> None:
        from notices.review.services.requests import pn_request_issue_notices

        pn_request_issue_notices(request=_request(activation))


def _request(activation) -> PenaltyNoticeRequest:
    """The request as the service just wrote it (the activation's process may hold an older copy)."""
    return PenaltyNoticeRequest.objects.select_related("case__pupil__school__local_authority", "decided_by").get(
        pk=activation.process.pk
    )


class ProsecutionReferralFlow(flow.Flow):
    """Prosecution referral

    The school (DSL or attendance officer) refers the case to its local authority with a fresh evidence
    bundle. An LA officer of that LA takes it from the team's queue, reviews the case and the bundle, and
    decides with reasons: prosecute under s444(1) or s444(1A), apply for an education supervision order,
    other action, or no further action. On a prosecution the pupil's unpaid penalty notices are referred
    too. The same officer records the outcome, then closes the case or returns it to the school with advice.
    """

    process_class = ProsecutionReferral
    # As for the penalty notice request: a row lock on the process so two officers cannot act at once.
    lock_impl = process_row_lock

    start = (
        flow.StartHandle(this.start_referral)
        .Annotation(title="School refers the case with its evidence bundle")
        .Next(this.review)
    )

    # Unassigned: the LA team's queue; an officer takes it (Assign to me).
    review = (
        flow.View(referral_views.la_referral_detail)
        .Annotation(title="LA officer reviews the case and the evidence bundle")
        .Assign(this.review.owner)
        .Next(this.decision)
    )

    decision = (
        flow.Switch()
        .Annotation(title="Prosecute, or another course of action?")
        .Case(this.refer_notices, this.is_prosecution)
        .Default(this.outcome)
    )

    refer_notices = (
        flow.Function(this.refer_unpaid_notices)
        .Annotation(title="Unpaid penalty notices referred for prosecution")
        .Next(this.outcome)
    )

    # The officer who decided records the outcome.
    outcome = (
        flow.View(referral_views.la_referral_detail)
        .Annotation(title="LA officer records the outcome")
        .Assign(this.review.owner)
        .Next(this.conclusion)
    )

    conclusion = (
        flow.Switch()
        .Annotation(title="Close the case, or return it to the school?")
        .Case(this.close_case, this.is_closing)
        .Default(this.return_case)
    )

    close_case = (
        flow.Function(this.close_the_case)
        .Annotation(title="Case closed on the local authority's decision")
        .Next(this.closed)
    )

    return_case = (
        flow.Function(this.return_to_school)
        .Annotation(title="Case returned to the school with advice")
        .Next(this.returned)
    )

    closed = flow.End().Annotation(title="Referral concluded, case closed")
    returned = flow.End().Annotation(title="Referral concluded, case returned to the school")

    def start_referral(self, activation, *, case, bundle, by, reason, offence=None):
        referral = activation.process
        referral.case, referral.bundle, referral.referred_by, referral.reason = case, bundle, by, reason
        referral.offence_record = offence
        activation.task.owner = by
        return referral

    def is_prosecution(self, activation) -> bool:
        """The LA officer decided to prosecute the parents (s444(1) or s444(1A))."""
        return _referral(activation).decision == ReferralDecision.PROSECUTE

    def is_closing(self, activation) -> bool:
        """The LA officer closes the case; otherwise it goes back to the school with advice."""
        return _referral(activation).conclusion == ReferralConclusion.CLOSE

    def refer_unpaid_notices(self, activation) -> None:
        from notices.review.services.referrals import referral_refer_unpaid_notices

        referral_refer_unpaid_notices(referral=_referral(activation))

    def close_the_case(self, activation) -> None:
        from notices.review.services.referrals import referral_close_case

        referral_close_case(referral=_referral(activation))

    def return_to_school(self, activation) -> None:
        from notices.review.services.referrals import referral_return_to_school

        referral_return_to_school(referral=_referral(activation))


def _referral(activation) -> ProsecutionReferral:
    """The referral as the service just wrote it (the activation's process may hold an older copy)."""
    return ProsecutionReferral.objects.select_related(
        "case__pupil__school__local_authority", "decided_by", "outcome_by"
    ).get(pk=activation.process.pk)
