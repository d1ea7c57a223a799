"""The admin is for superusers only, and has no sign-in of its own."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Attendance casework administration"
    site_title = "Attendance casework administration"

    def has_permission(self, request) -> bool:
        # Django's default lets in any is_staff user; here the admin can move pupils between schools and
        # edit codes of conduct, so only a superuser (who also passed the second factor) may use it.
        return request.user.is_active and request.user.is_superuser

    def login(self, request, extra_context=None):
        """One sign-in for the whole service (throttled by django-axes, followed by the second factor)."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            # Not redirect_to_login: the service's sign-in would send a signed-in user straight back here.
            raise PermissionDenied("The admin is for superusers only.")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))
