"""The second factor: a TOTP authenticator app (django-otp), with single-use recovery codes."""
from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.permissions import needs_second_factor

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
# Pages a signed-in person reaches before the second factor: the step itself, and signing out.
BEFORE_SECOND_FACTOR = frozenset({"login", "logout", "accounts:verify", "accounts:set_up"})


def second_factor_due(user) -> bool:
    """Whether this signed-in user must still pass the second factor in this session."""
    return bool(settings.TWO_FACTOR_REQUIRED and needs_second_factor(user) and not user.is_verified())


def authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def device_for_code(user, code: str):
    """The device a code is for: the authenticator for digits of its length, else the recovery codes."""
    device = authenticator(user)
    if device is not None and code.isdigit() and len(code) == device.digits:
        return device
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def authenticator_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it when typed in: base32, without padding."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def pending_authenticator(user) -> TOTPDevice:
    """The device being set up: kept until confirmed, so reloading the page shows the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def issue_recovery_codes(user) -> list[str]:
    """A new set of recovery codes; any earlier set stops working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.SECOND_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


class SecondFactorMiddleware:
    """Sends a signed-in user who needs a second factor, and has not passed it in this session, to the
    code page (or to setting up an authenticator app, the first time) before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not second_factor_due(request.user):
            return None
        if request.resolver_match.view_name in BEFORE_SECOND_FACTOR:
            return None
        step = "accounts:verify" if authenticator(request.user) else "accounts:set_up"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
