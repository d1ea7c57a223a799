"""The one write of "My work": a person marks a piece of news as read."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.models import WorkNewsRead


@transaction.atomic
def work_news_mark_read(*, user, kind: str, object_id: int) -> WorkNewsRead:
    """Idempotent: marking news already read keeps the first time it was read."""
    read, _ = WorkNewsRead.objects.get_or_create(user=user, kind=kind, object_id=object_id,
                                                 defaults={"read_at": timezone.now()})
    return read
