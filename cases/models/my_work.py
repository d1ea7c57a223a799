"""What a person has read on their "My work" page: news (a decision arrived) once read leaves the page.

Things that need action are never stored here: they leave the page when the action is done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class WorkNewsRead(models.Model):
    """One person marked one piece of news as read: ``kind`` names the news ("pn_request.decided"),
    ``object_id`` the record it is about (in the app that provides it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=50)
    object_id = models.PositiveIntegerField()
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_id"], name="news_read_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.kind} {self.object_id}"
