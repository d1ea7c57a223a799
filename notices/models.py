"""Notices to improve, and the immutable store of every letter the casework sends.

The penalty notice with its own state machine, and the letters' full contents, come with the
notices capability; the notice to improve here holds what the case's ladder needs to decide.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Case, Parent, Pupil


class NoticeOutcome(models.TextChoices):
    PENDING = "pending", "Improvement period running"
    IMPROVED = "improved", "Sufficient improvement"
    NOT_IMPROVED = "not_improved", "Not sufficient improvement"


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
    outcome = models.CharField(max_length=15, choices=NoticeOutcome.choices, default=NoticeOutcome.PENDING)
    outcome_recorded_on = models.DateField(null=True, blank=True)
    early_ground_invoked = models.TextField(
        blank=True, help_text="Which of the stated grounds for an earlier penalty notice has arisen"
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


class Letter(models.Model):
    """A generated letter, stored immutably: the PDF, its hash, the data it was made from, who and when.

    Regenerating makes a new version; nothing here is ever updated.
    """

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="letters")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    parent = models.ForeignKey(Parent, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    recipient = models.CharField(max_length=100, help_text="Who it is addressed to, e.g. parent:17 or la:873")
    template = models.CharField(max_length=100)
    subject_key = models.CharField(max_length=100, help_text="What the letter is about, e.g. meeting:42")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    context = models.JSONField(help_text="The data the letter was made from")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField()

    class Meta:
        ordering = ["-generated_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "recipient", "version"], name="letter_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args, **kwargs):
        # A letter sent is evidence: it is never changed, only superseded by a new version.
        if not self._state.adding:
            raise ValueError("A generated letter cannot be changed; generate a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A generated letter is kept as evidence and cannot be deleted.")
