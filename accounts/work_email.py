"""Sends the emails of ``cases.my_work``: to each person who has not switched that kind off, a link and no
pupil's or parent's details (the events' messages say only the school or LA and what arrived)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import EmailPreference, WorkEmailSent
from cases import my_work


def product_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def email_body(announcement: my_work.Announcement) -> str:
    return "\n\n".join([
        *announcement.lines,
        f"Sign in to see it: {product_link(announcement.path)}",
        "You can choose which emails you receive on the Email settings page of Attendance casework.",
    ])


def work_email_send(*, event: str, object_id: int) -> int:
    """Sends ``event``'s email about record ``object_id`` to each recipient who wants it and has not had it.

    Returns how many were sent. Each send is recorded first, in its own transaction, so a retry after a
    failure part-way sends only to those not yet recorded.
    """
    spec = my_work.EMAIL_EVENTS.get(event)
    if spec is None:
        return 0
    announcement = spec.message(object_id)
    if announcement is None or not announcement.recipient_ids:
        return 0
    switched_off = EmailPreference.objects.filter(choice=spec.choice, wanted=False).values("user_id")
    recipients = (get_user_model().objects.filter(pk__in=announcement.recipient_ids, is_active=True)
                  .exclude(email="").exclude(pk__in=switched_off).order_by("pk"))
    body, sent = email_body(announcement), 0
    connection = get_connection()
    for user in recipients:
        try:
            with transaction.atomic():
                WorkEmailSent.objects.create(user=user, event=event, object_id=object_id,
                                             stamp=announcement.stamp[:40], sent_at=timezone.now())
                EmailMessage(announcement.subject, body, to=[user.email], connection=connection).send()
        except IntegrityError:
            continue  # already sent by an earlier run of this task
        sent += 1
    return sent
