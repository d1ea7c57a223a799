"""A school's prosecution referral to its LA: the second viewflow process of notices.flows.

The process carries what the school sent (the case and the evidence bundle made for it), what the LA
decided and why, and the outcome (the hearing, or the case closed or returned to the school with advice);
the case's own state machine still holds the case's stage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from viewflow.workflow.models import Process

from cases.models import Case


class ReferralDecision(models.TextChoices):
    PROSECUTE = "prosecute", "Prosecute the parents"
    EDUCATION_SUPERVISION_ORDER = "eso", "Apply for an education supervision order (s36 Children Act 1989)"
    OTHER_ACTION = "other_action", "Other action"
    NO_FURTHER_ACTION = "nfa", "No further action"


class Offence(models.TextChoices):
    # Education Act 1996 s444: (1) strict liability, a fine; (1A) knowing failure, a higher fine or prison.
    S444_1 = "s444_1", "s444(1) Education Act 1996: failure to secure regular attendance"
    S444_1A = "s444_1a", "s444(1A) Education Act 1996: knowingly failing to secure regular attendance"


class HearingResult(models.TextChoices):
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    OTHER = "other", "Other"


class ReferralConclusion(models.TextChoices):
    CLOSE = "close", "Close the case"
    RETURN_TO_SCHOOL = "return_to_school", "Return the case to the school, with advice"


class ProsecutionReferral(Process):
    """One referral from a school (DSL or attendance officer) to its LA, with the evidence bundle."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="prosecution_referrals")
    # The bundle made when the school referred (a Letter, stored and hashed; never changed).
    bundle = models.ForeignKey("notices.Letter", on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(help_text="Why the school refers the case")
    offence_record = models.ForeignKey(
        "cases.Offence", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The offence, as computed and stored when this was referred (none when the referral rests on a failure of support alone); every surface reads it",
    )
    # The LA officer's decision: the flow's branch reads it.
    decision = models.CharField(max_length=20, choices=ReferralDecision.choices, blank=True)
    offence = models.CharField(max_length=10, choices=Offence.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The outcome: the hearing (a prosecution only), then the case closed or returned to the school.
    hearing_date = models.DateField(null=True, blank=True)
    hearing_result = models.CharField(max_length=10, choices=HearingResult.choices, blank=True)
    fine_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    parenting_order = models.BooleanField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True)
    conclusion = models.CharField(max_length=20, choices=ReferralConclusion.choices, blank=True)
    advice = models.TextField(blank=True, help_text="The LA's advice to the school, when the case returns to it")
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "prosecution referral"

    def __str__(self) -> str:
        return f"Prosecution referral for {self.case.pupil} ({self.created:%Y-%m-%d})"


class ProsecutedParent(models.Model):
    """One parent the LA decided to prosecute on a referral, under the section chosen for that parent, and
    what the court decided for that parent (each parent is liable separately: domain.md 5)."""

    referral = models.ForeignKey(ProsecutionReferral, on_delete=models.CASCADE, related_name="prosecuted_parents")
    parent = models.ForeignKey("cases.Parent", on_delete=models.PROTECT, related_name="prosecutions")
    offence = models.CharField(max_length=10, choices=Offence.choices)
    hearing_result = models.CharField(max_length=10, choices=HearingResult.choices, blank=True)
    fine_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    parenting_order = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["parent__surname", "parent__forename", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "parent"], name="prosecuted_parent_once_per_referral"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} under {self.get_offence_display()}"
