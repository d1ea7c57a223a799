"""Failed sign-ins counted per account and per address (django-axes), and each lockout audited."""
from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.shortcuts import render

from cases.audit import audit

LOCKED_OUT = "sign_in_locked_out"
REFUSED_WHILE_LOCKED = "sign_in_refused_locked"
UNLOCKED = "sign_in_unlocked"


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes' refusal of a locked account or address, before any password is checked.

    A sign-in without a request (a shell, the test client's ``login()``) has no address to count and is
    not throttled; every sign-in over HTTP passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Two limits where django-axes has one: SIGN_IN_FAILURES_PER_ACCOUNT failures for one username
    (from any address), SIGN_IN_FAILURES_PER_ADDRESS from one address (for any usernames).

    django-axes locks when ``get_failures`` reaches AXES_FAILURE_LIMIT (= the account limit); the count
    from the address is scaled so that it reaches that figure exactly at the address limit.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        per_account = settings.SIGN_IN_FAILURES_PER_ACCOUNT
        return max(by_account, by_address * per_account // settings.SIGN_IN_FAILURES_PER_ADDRESS)


def client_address(request) -> str | None:
    """The client's address: the peer, or behind TRUSTED_PROXY_HOPS proxies the address the outermost of
    them saw (each appends to X-Forwarded-For; anything further left was written by the client)."""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """django-axes' user_locked_out: once when a limit is reached, and again for each try while locked."""
    account = get_user_model().objects.filter(username=username).first() if username else None
    newly = getattr(request, "axes_failures_since_start", None) is not None
    cooloff = settings.SIGN_IN_LOCKOUT_MINUTES
    if newly:
        detail = (
            f"Sign-in locked for {cooloff} minutes after repeated failures: username {username!r}, "
            f"address {ip_address}"
        )
    else:
        detail = f"Sign-in refused while locked: username {username!r}, address {ip_address}"
    audit(request=request, user=account, action=LOCKED_OUT if newly else REFUSED_WHILE_LOCKED, detail=detail)


def lockout_page(request, original_response=None, credentials=None):
    """django-axes' answer to a locked sign-in (AXES_LOCKOUT_CALLABLE): a GOV.UK page, 429."""
    return render(request, "accounts/locked_out.html",
                  {"lockout_minutes": settings.SIGN_IN_LOCKOUT_MINUTES}, status=429)
