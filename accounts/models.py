"""What each person chooses to be emailed about, and which emails went (so a retried task sends none twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EmailPreference(models.Model):
    """One person's choice for one kind of email (``cases.my_work.EMAIL_CHOICES``). No row: the email is on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    choice = models.CharField(max_length=50)
    wanted = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "choice"], name="one_preference_per_choice")]

    def __str__(self) -> str:
        return f"{self.user}: {self.choice} {'on' if self.wanted else 'off'}"


class WorkEmailSent(models.Model):
    """An email sent to one person about one event: the task skips anyone already sent it (retries happen)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=50)
    object_id = models.PositiveIntegerField()
    stamp = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event", "object_id", "stamp"], name="work_email_sent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.object_id} to {self.user}"
