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


class SuperuserAdminConfig(admin_apps.AdminConfig):
    """The Django admin, as ``accounts.admin_site.SuperuserAdminSite``: for superusers only."""

    default = False
    default_site = "accounts.admin_site.SuperuserAdminSite"
