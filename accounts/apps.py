from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from accounts.throttling import audit_lockout

        user_locked_out.connect(audit_lockout, dispatch_uid="accounts.audit_lockout")

        # The emails of "My work" (cases.my_work.announce) go through this app's Celery task, which takes ids.
        from accounts.tasks import send_work_email
        from cases import my_work

        my_work.set_dispatcher(lambda event, object_id: send_work_email.delay(event, object_id))


class SuperuserAdminConfig(admin_apps.AdminConfig):
    """The Django admin, as ``accounts.admin_site.SuperuserAdminSite``: for superusers only."""

    default = False
    default_site = "accounts.admin_site.SuperuserAdminSite"
