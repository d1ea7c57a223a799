from __future__ import annotations

from django.http import HttpRequest


def staff(request: HttpRequest) -> dict:
    """The signed-in person's role and organisation, for the page header."""
    user = getattr(request, "user", None)
    profile = getattr(user, "staff", None) if user is not None and user.is_authenticated else None
    return {"staff_profile": profile}
