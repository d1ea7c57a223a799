"""The notice to improve (domain.md 3.4): what the case's ladder needs to decide, and its early ground."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.formatting import long_date
from cases.models import Case, Parent


class NoticeOutcome(models.TextChoices):
    PENDING = "pending", "Improvement period running"
    IMPROVED = "improved", "Sufficient improvement"
    NOT_IMPROVED = "not_improved", "Not sufficient improvement"


def ground_session_sentence(on: date, session: str, code: str) -> str:
    """One register session an early ground rests on, as the chronology, the case page and the bundle say it."""
    return f"{on:%A} {long_date(on)} {session} ({code})"


class NoticeToImprove(models.Model):
    """A notice to improve (domain.md 3.4): the improvement period and what counts as improvement."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices_to_improve")
    parents = models.ManyToManyField(Parent, related_name="notices_to_improve")
    issued_on = models.DateField()
    improvement_period_ends_on = models.DateField()
    sufficient_improvement = models.TextField(help_text="What sufficient improvement means for this pupil")
    early_penalty_grounds = models.TextField(
        blank=True, help_text="Grounds on which a penalty notice may be issued before the period ends"
    )
    offence_from = models.DateField(help_text="First date of the sessions this notice covers")
    offence_to = models.DateField(help_text="Last date of the sessions this notice covers")
    offence_record = models.ForeignKey(
        "cases.Offence", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The offence, as computed and stored when this was issued; every surface reads it",
    )
    outcome = models.CharField(max_length=15, choices=NoticeOutcome.choices, default=NoticeOutcome.PENDING)
    outcome_recorded_on = models.DateField(null=True, blank=True)
    early_ground_invoked = models.TextField(
        blank=True, help_text="Which of the stated grounds for an earlier penalty notice has arisen"
    )
    # The register evidence of that ground: [{"date": "2025-12-01", "session": "AM", "code": "G"}, ...], each an
    # unauthorised mark after the date of issue, within the improvement period.
    early_ground_sessions = models.JSONField(
        default=list, blank=True, help_text="The unauthorised register sessions the early ground rests on"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(
                name="nti_offence_period_in_order", condition=Q(offence_to__gte=models.F("offence_from"))
            ),
        ]

    def __str__(self) -> str:
        return f"Notice to improve for {self.case.pupil}, issued {self.issued_on}"

    def early_ground_session_lines(self) -> list[str]:
        return [
            ground_session_sentence(date.fromisoformat(s["date"]), s["session"], s["code"])
            for s in self.early_ground_sessions
        ]
