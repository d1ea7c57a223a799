"""The penalty notice request, as a viewflow process: the school asks, the LA decides, the notices follow.

Read it top to bottom like the diagram. The flow only orchestrates: every check and every write is a
service of notices.services.pn_requests, which the pages (notices.request_views) call. The human tasks
are done on our own GOV.UK pages, not viewflow's: its URLs are not mounted, so its task views (and their
``notices.view_penaltynoticerequest`` permission) never answer.
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow, lock

from notices import request_views as views
from notices.requests import PenaltyNoticeRequest, RequestDecision


class PenaltyNoticeRequestFlow(flow.Flow):
    """Penalty notice request

    The school (DSL or attendance officer, with the headteacher's authority) asks its local authority to
    issue penalty notices to the parents it names. An LA officer of that LA picks the request up, checks
    it against the code of conduct, and approves it, rejects it with reasons, or asks the school for more
    information; the school's answer comes back to the same officer.
    """

    process_class = PenaltyNoticeRequest
    # Row lock on the process (SELECT ... FOR UPDATE) so two officers cannot act on one request at once;
    # on SQLite, which has no row locks, Django leaves FOR UPDATE out and the transaction serialises.
    lock_impl = lock.select_for_update_lock

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
        from notices.services.pn_requests import pn_request_issue_notices

        pn_request_issue_notices(request=_request(activation))


def _request(activation) -> PenaltyNoticeRequest:
    """The request as the service just wrote it (the activation's process may hold an older copy)."""
    return PenaltyNoticeRequest.objects.select_related("case__pupil__school__local_authority", "decided_by").get(
        pk=activation.process.pk
    )
