"""The immutable store of every letter the casework sends, and the school's letter batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.formatting import long_date
from cases.models import Case, Parent, Pupil


class ServiceMethod(models.TextChoices):
    """How a letter or notice reached its recipient (domain.md 3.5: method and date of service recorded)."""

    POST = "post", "By post"
    HAND = "hand", "By hand"
    EMAIL = "email", "By email (the parent agreed)"


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
    # Recorded when the letter is made (it is never changed afterwards); empty for a letter not served on a
    # parent (a copy to the LA) and for letters made before service was recorded.
    # Null, not "": "no service recorded" is a different fact from a method, and other readers test for None.
    service_method = models.CharField(  # noqa: DJ001
        max_length=5, choices=ServiceMethod.choices, null=True, blank=True
    )
    served_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-generated_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "recipient", "version"], name="letter_version_unique"),
            models.CheckConstraint(
                name="letter_service_method_with_date",
                condition=Q(service_method__isnull=True, served_on__isnull=True)
                | Q(service_method__isnull=False, served_on__isnull=False),
            ),
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

    @property
    def service_sentence(self) -> str:
        """ "By post on 4 December 2026", or "" when no service is recorded."""
        if not self.service_method or self.served_on is None:
            return ""
        return f"{self.get_service_method_display()} on {long_date(self.served_on)}"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Making the letters"
    DONE = "done", "Ready to print"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class LetterBatch(models.Model):
    """A run of letters made on Celery (e.g. this week's concern letters), with progress and one PDF to print."""

    school = models.ForeignKey("cases.School", on_delete=models.PROTECT, related_name="letter_batches")
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # The pupils the plan left out and why ({"pupil_id", "pupil", "upn", "reason"}), as they were at the start.
    skipped = models.JSONField(default=list, blank=True)
    letters = models.ManyToManyField(Letter, blank=True, related_name="batches")
    combined_pdf = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who gets a letter, fixed when the batch starts ([pupil id, parent id] pairs), so that a resumed run
    # makes the same letters; and when a letter was last made, so that a batch whose worker died shows stuck.
    plan = models.JSONField(default=list, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"
