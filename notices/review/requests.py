"""A school's request to its LA for penalty notices: the viewflow process of notices.flows.

The process carries what the request is about (the case, the headteacher's authority, the parents
named) and what the LA decided; the case's own state machine still holds the case's stage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from viewflow.workflow.models import Process

from cases.models import Case, Parent, PenaltyNoticeConsideration


class RequestDecision(models.TextChoices):
    APPROVE = "approve", "Approve: issue the penalty notices"
    REJECT = "reject", "Reject, with reasons"
    MORE_INFORMATION = "more_information", "Ask the school for more information"


class PenaltyNoticeRequest(Process):
    """One request from a school (DSL or attendance officer, authorised by the headteacher) to its LA."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pn_requests")
    consideration = models.ForeignKey(PenaltyNoticeConsideration, on_delete=models.PROTECT, related_name="+")
    parents = models.ManyToManyField(Parent, related_name="pn_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(help_text="What the school asks the LA, and why")
    # The LA officer's latest decision: the flow's branch reads it.
    decision = models.CharField(max_length=20, choices=RequestDecision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Each question the LA asked and each answer the school gave, in order: {"kind", "text", "by", "at"}.
    exchanges = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "penalty notice request"

    def __str__(self) -> str:
        return f"Penalty notice request for {self.case.pupil} ({self.created:%Y-%m-%d})"
