"""Repeated failed sign-ins lock the account, or the address, even for the right password; audited; unlockable."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accounts.throttling import LOCKED_OUT, REFUSED_WHILE_LOCKED, UNLOCKED
from cases.models import AuditEvent
from tests import factories

PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def teacher(db):
    user = factories.UserFactory(username="teacher")
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_the_account_locks_at_its_limit_and_the_right_password_is_then_refused(client, teacher, settings):
    limit = settings.SIGN_IN_FAILURES_PER_ACCOUNT
    for n in range(limit - 1):
        assert _sign_in(client, "teacher", "wrong", address=f"198.51.100.{n}").status_code == 200
    assert not AuditEvent.objects.filter(action=LOCKED_OUT).exists()

    # The failure that reaches the limit, from yet another address: the count is per account.
    locked = _sign_in(client, "teacher", "wrong", address="198.51.100.99")
    assert locked.status_code == 429 and "Sign-in is locked" in locked.content.decode()
    event = AuditEvent.objects.get(action=LOCKED_OUT)
    assert event.user == teacher and "'teacher'" in event.detail and "198.51.100.99" in event.detail

    refused = _sign_in(client, "teacher", PASSWORD)
    assert refused.status_code == 429 and not _signed_in(refused)
    assert AuditEvent.objects.filter(action=REFUSED_WHILE_LOCKED, user=teacher).count() == 1


def test_the_lock_ends_after_the_cool_off(client, teacher, settings):
    for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        _sign_in(client, "teacher", "wrong")
    assert _sign_in(client, "teacher", PASSWORD).status_code == 429
    later = NOW + dt.timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES, seconds=1)
    with time_machine.travel(later, tick=False):
        assert _signed_in(_sign_in(client, "teacher", PASSWORD))


@pytest.mark.parametrize(
    ("failures_from_address", "locked"),
    [(-1, False), (0, True)],
    ids=["one-below-the-address-limit", "at-the-address-limit"],
)
def test_one_address_trying_many_accounts_is_locked_at_the_address_limit(
    client, teacher, settings, failures_from_address, locked
):
    # Password spraying: one wrong password for each of many usernames, from one address.
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS + failures_from_address):
        _sign_in(client, f"guess{n}", "wrong")
    response = _sign_in(client, "teacher", PASSWORD)
    assert (response.status_code == 429) is locked
    assert _signed_in(response) is not locked
    if locked:  # another address is not affected
        assert _signed_in(_sign_in(client, "teacher", PASSWORD, address="192.0.2.1"))


def test_an_administrator_unlocks_an_account_and_the_unlock_is_audited(client, teacher, settings):
    for _ in range(settings.SIGN_IN_FAILURES_PER_ACCOUNT):
        _sign_in(client, "teacher", "wrong")
    assert _sign_in(client, "teacher", PASSWORD).status_code == 429

    call_command("unlock_sign_in", username="teacher", by="Service desk ticket 4411")

    assert _signed_in(_sign_in(client, "teacher", PASSWORD))
    event = AuditEvent.objects.get(action=UNLOCKED)
    assert event.user == teacher and "Service desk ticket 4411" in event.detail


def test_unlocking_an_address(client, teacher, settings):
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        _sign_in(client, f"guess{n}", "wrong")
    assert _sign_in(client, "teacher", PASSWORD).status_code == 429
    call_command("unlock_sign_in", address="203.0.113.7")
    assert _signed_in(_sign_in(client, "teacher", PASSWORD))


@pytest.mark.django_db  # an anonymous visitor's request is audited too
def test_the_admin_sign_in_is_the_throttled_one(client, settings):
    # The admin has no password form of its own to guess at: it sends people to the service's sign-in.
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post("/admin/login/", {"username": "admin", "password": "guess"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(client, teacher, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        # The client may write anything on the left; the proxy appends the real address.
        client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong"}, REMOTE_ADDR="10.0.0.2",
                    HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.50")
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert _signed_in(response)  # another client behind the same proxy
    client.logout()
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert response.status_code == 429
