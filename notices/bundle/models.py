"""A request to make the evidence bundle, made on Celery: what was asked, where it has got to, and the stored
bundle (a ``Letter``) when it is made."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BundleStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Failed"


class EvidenceBundleRun(models.Model):
    """One "Make the evidence bundle": queued by the page, made by the worker, its PDF kept as a versioned Letter.

    The bundle itself is the immutable Letter (``bundle``); this row is the work, so that the page that asked
    can show its progress and a retried run knows it has already stored its bundle.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="bundle_runs")
    status = models.CharField(max_length=10, choices=BundleStatus.choices, default=BundleStatus.QUEUED)
    # The offence period chosen by the person who asked (both or neither); none: the bundle's own default.
    offence_from = models.DateField(null=True, blank=True)
    offence_to = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    bundle = models.OneToOneField("notices.Letter", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="bundle_run")

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Evidence bundle for case {self.case_id} ({self.get_status_display()})"
