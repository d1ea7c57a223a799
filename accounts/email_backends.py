"""GOV.UK Notify as a Django email backend: used when GOV_UK_NOTIFY_API_KEY and GOV_UK_NOTIFY_TEMPLATE_ID are set.

Notify sends from a template; the template has two placeholders, ((subject)) and ((body)), and each email's
subject and body fill them. The client (notifications-python-client) is imported only when this backend is
used, so the embedded default and SMTP need it not at all.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.client = None

    def open(self) -> bool:
        if self.client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            self.client = NotificationsAPIClient(settings.GOV_UK_NOTIFY_API_KEY)
            return True
        return False

    def close(self) -> None:
        self.client = None

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.open()
        sent = 0
        for message in email_messages:
            for address in message.recipients():
                try:
                    self.client.send_email_notification(
                        email_address=address, template_id=settings.GOV_UK_NOTIFY_TEMPLATE_ID,
                        personalisation={"subject": message.subject, "body": message.body},
                    )
                except Exception:
                    if not self.fail_silently:
                        raise
                    continue
                sent += 1
        return sent
