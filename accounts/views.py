"""The second sign-in step: a code from an authenticator app, or a recovery code; and setting one up."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import second_factor
from accounts.forms import CodeForm
from cases.audit import audit


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    if not second_factor.second_factor_due(request.user):
        return redirect(_next(request))
    if second_factor.authenticator(request.user) is None:
        return redirect(f"{reverse('accounts:set_up')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        # Each code goes to its one device: django-otp throttles a device after each wrong code, so trying a
        # recovery code on the authenticator (or the reverse) would throttle the device that was not meant.
        device = second_factor.device_for_code(request.user, code)
        allowed, _ = device.verify_is_allowed() if device is not None else (True, None)
        if device is not None and allowed and device.verify_token(code):
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                audit(request=request, action="second_factor_recovery_code",
                      detail=f"Signed in with a recovery code; {device.token_set.count()} left")
            return redirect(_next(request))
        audit(request=request, action="second_factor_refused",
              detail="Wrong or expired code" if allowed else "Code refused: too many wrong codes just before")
        form.add_error("code", "The code is wrong or has expired. Enter the code your app shows now, "
                               "or one of your recovery codes" if allowed else
                               "There were too many wrong codes. Wait a minute, then enter the code your app shows")
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def set_up(request):
    # Only before the first authenticator is confirmed: otherwise a stolen password could replace it.
    if not second_factor.second_factor_due(request.user) or second_factor.authenticator(request.user):
        return redirect(_next(request))
    device = second_factor.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = second_factor.issue_recovery_codes(request.user)
            otp_login(request, device)
            audit(request=request, action="second_factor_set_up", detail="Authenticator app set up")
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", "The code is wrong or has expired. Enter the code your app shows now")
    return render(request, "accounts/set_up.html", {
        "form": form,
        "next": _next(request),
        "secret": second_factor.authenticator_secret(device),
        "uri": device.config_url,
    })


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """A new set of recovery codes, for someone who has used or lost theirs (signed in with both factors)."""
    if not request.user.is_verified():
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method == "POST":
        codes = second_factor.issue_recovery_codes(request.user)
        audit(request=request, action="second_factor_new_codes", detail="New recovery codes issued")
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": settings.LOGIN_REDIRECT_URL})
    return render(request, "accounts/recovery_codes_new.html", {})
