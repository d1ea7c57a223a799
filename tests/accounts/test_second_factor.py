"""A second factor for the roles that see many children's records, with single-use recovery codes."""
from __future__ import annotations

import datetime as dt
from base64 import b32decode

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import AuditEvent, Role
from cases.permissions import PASSWORD_ONLY_ROLES, SECOND_FACTOR_ROLES
from tests import factories

pytestmark = pytest.mark.two_factor
PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0 - steps_ahead * device.step, digits=device.digits)
    return f"{value:0{device.digits}d}"


def _superuser():
    return factories.UserFactory(username="admin", is_staff=True, is_superuser=True)


def test_every_role_is_either_second_factor_or_password_only():
    assert set(Role.values) == SECOND_FACTOR_ROLES | PASSWORD_ONLY_ROLES
    assert not SECOND_FACTOR_ROLES & PASSWORD_ONLY_ROLES


@pytest.mark.parametrize("persona", ["dsl", "headteacher", "la_officer", "superuser"])
def test_the_roles_that_need_it_meet_the_second_step_before_any_page(client, db, request, persona):
    user = _superuser() if persona == "superuser" else request.getfixturevalue(persona)
    client.force_login(user)
    for path in ("/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("accounts:set_up")), path


@pytest.mark.parametrize("persona", ["senco", "attendance_officer"])
def test_the_senco_and_the_attendance_officer_sign_in_with_a_password_alone(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert all("two-factor" not in url for url, _ in response.redirect_chain)


def test_setting_up_then_signing_in_again_with_the_app(client, dsl):
    dsl.set_password(PASSWORD)
    dsl.save()
    response = client.post(reverse("login"), {"username": "dsl", "password": PASSWORD}, follow=True)
    assert response.request["PATH_INFO"] == reverse("accounts:set_up")
    secret = response.context["secret"]
    assert secret in response.content.decode() and "otpauth://totp/" in response.context["uri"]
    device = TOTPDevice.objects.get(user=dsl, confirmed=False)
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key

    wrong = client.post(reverse("accounts:set_up"), {"code": "000000"})
    assert "The code is wrong or has expired" in wrong.content.decode()
    with time_machine.travel(NOW + dt.timedelta(seconds=5), tick=False):  # past django-otp's throttle delay
        shown = client.post(reverse("accounts:set_up"), {"code": _code(device), "next": "/"})
    codes = shown.context["codes"]
    assert len(codes) == 10 and all(code in shown.content.decode() for code in codes)
    assert client.get("/").status_code in (200, 302) and "two-factor" not in client.get("/").get("Location", "")
    assert AuditEvent.objects.filter(action="second_factor_set_up", user=dsl).exists()

    # A new session needs the code again; a password alone cannot set up a second app over the first.
    client.logout()
    client.post(reverse("login"), {"username": "dsl", "password": PASSWORD})
    assert client.get("/")["Location"].startswith(reverse("accounts:verify"))
    assert client.get(reverse("accounts:set_up")).status_code == 302
    assert TOTPDevice.objects.filter(user=dsl).count() == 1
    refused = client.post(reverse("accounts:verify"), {"code": "123 456"})
    assert "The code is wrong or has expired" in refused.content.decode()
    assert AuditEvent.objects.filter(action="second_factor_refused", user=dsl).exists()
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        device.refresh_from_db()
        # Throttling after the wrong code has passed (django-otp doubles a delay per failure).
        passed = client.post(reverse("accounts:verify"), {"code": _code(device), "next": "/"})
        assert passed.status_code == 302 and passed["Location"] == "/"
        assert client.get("/").status_code == 302 and "two-factor" not in client.get("/")["Location"]


def test_a_recovery_code_works_once(client, la_officer):
    from accounts.second_factor import issue_recovery_codes

    TOTPDevice.objects.create(user=la_officer, name="Authenticator app", confirmed=True)
    codes = issue_recovery_codes(la_officer)

    client.force_login(la_officer)
    passed = client.post(reverse("accounts:verify"), {"code": codes[0].upper(), "next": "/"})
    assert passed.status_code == 302 and passed["Location"] == "/"
    assert "two-factor" not in client.get("/").get("Location", "")
    assert AuditEvent.objects.get(action="second_factor_recovery_code").detail.endswith("9 left")

    client.logout()
    client.force_login(la_officer)
    again = client.post(reverse("accounts:verify"), {"code": codes[0]})
    assert again.status_code == 200 and "The code is wrong or has expired" in again.content.decode()
    with time_machine.travel(NOW + dt.timedelta(seconds=5), tick=False):  # past django-otp's throttle delay
        assert client.post(reverse("accounts:verify"), {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, headteacher):
    from accounts.second_factor import issue_recovery_codes

    TOTPDevice.objects.create(user=headteacher, name="Authenticator app", confirmed=True)
    old = issue_recovery_codes(headteacher)
    client.force_login(headteacher)
    client.post(reverse("accounts:verify"), {"code": old[0]})
    fresh = client.post(reverse("accounts:recovery_codes")).context["codes"]
    client.logout()
    client.force_login(headteacher)
    assert client.post(reverse("accounts:verify"), {"code": old[1]}).status_code == 200
    with time_machine.travel(NOW + dt.timedelta(seconds=5), tick=False):  # past django-otp's throttle delay
        assert client.post(reverse("accounts:verify"), {"code": fresh[0]}).status_code == 302


def test_the_setting_switches_it_off(client, dsl, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(dsl)
    assert "two-factor" not in client.get("/").get("Location", "")


def test_demo_code_prints_what_the_demo_users_app_would_show(dsl, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    device = TOTPDevice.objects.create(user=dsl, name="Demo authenticator", confirmed=True)
    out = StringIO()
    call_command("demo_code", "dsl", stdout=out)
    assert out.getvalue().strip() == _code(device)
    settings.EMBEDDED = False
    with pytest.raises(CommandError, match="only on the embedded default"):
        call_command("demo_code", "dsl")
