"""Passwords of 12 characters that are not common; sessions that end when idle; the admin for superusers."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from config.env import admin_path
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("attendance", False),
        ("Fenbridge2026", False),
        ("Attendance2026!", False),
        ("password1234", False),
        ("123456789012", False),
        ("elevenchars", False),
        ("attendance-demo-2026", True),
        ("correct-horse-battery", True),
        ("marmalade tuesday kettle", True),
    ],
    ids=["short", "school-name-and-year", "word-year-symbol", "common", "numeric", "eleven-letters",
         "demo-password", "three-words", "three-words-spaces"],
)
def test_passwords(db, password, accepted):
    user = factories.UserFactory.build(username="teacher")
    if accepted:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def test_an_idle_session_ends_and_an_active_one_does_not(client, dsl, settings):
    idle = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    with time_machine.travel(NOW, tick=False):
        client.force_login(dsl)
        assert client.get("/").status_code == 302  # the caseload
    with time_machine.travel(NOW + idle - dt.timedelta(minutes=1), tick=False):
        assert not client.get("/")["Location"].startswith(reverse("login"))  # and the session goes on
    with time_machine.travel(NOW + 2 * idle - dt.timedelta(minutes=2), tick=False):
        assert not client.get("/")["Location"].startswith(reverse("login"))
    with time_machine.travel(NOW + 3 * idle, tick=False):
        assert client.get("/")["Location"].startswith(reverse("login"))


def test_the_admin_is_for_superusers_only(client, dsl):
    staff_member = factories.UserFactory(username="helpdesk", is_staff=True)
    client.force_login(staff_member)
    assert client.get("/admin/", follow=True).status_code == 403
    client.force_login(dsl)
    assert client.get("/admin/", follow=True).status_code == 403
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("raw", "embedded", "expected"),
    [
        (None, True, "admin/"),
        (None, False, None),
        ("", False, None),
        ("/site-office-7f3k/", False, "site-office-7f3k/"),
        ("ops/admin", True, "ops/admin/"),
    ],
    ids=["embedded-default", "production-unset", "switched-off", "slashes-trimmed", "nested"],
)
def test_admin_path(monkeypatch, raw, embedded, expected):
    if raw is None:
        monkeypatch.delenv("ADMIN_PATH", raising=False)
    else:
        monkeypatch.setenv("ADMIN_PATH", raw)
    assert admin_path("ADMIN_PATH", embedded=embedded) == expected


@pytest.mark.parametrize("raw", ["a b", "admin?x=1", "x//y", "../admin"])
def test_an_admin_path_that_is_not_a_plain_path_is_refused(monkeypatch, raw):
    monkeypatch.setenv("ADMIN_PATH", raw)
    with pytest.raises(ImproperlyConfigured, match="ADMIN_PATH"):
        admin_path("ADMIN_PATH", embedded=False)


def _production_resolve(env_extra: dict[str, str], path: str) -> str:
    env = {key: value for key, value in os.environ.items() if key not in {"ADMIN_PATH", "DEBUG"}}
    env.update({"EMBEDDED_DEFAULT": "false", "SECRET_KEY": "k" * 30 + "0123456789abcdefghij",
                "ALLOWED_HOSTS": "attendance.example.org", "DJANGO_SETTINGS_MODULE": "config.settings"})
    env.update(env_extra)
    code = (
        "import django; django.setup()\n"
        "from django.urls import resolve, Resolver404\n"
        f"try:\n    print(resolve({path!r}).app_name)\nexcept Resolver404:\n    print('404')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_has_the_admin_only_at_the_path_it_names():
    assert _production_resolve({}, "/admin/") == "404"
    assert _production_resolve({"ADMIN_PATH": "site-office-7f3k"}, "/admin/") == "404"
    assert _production_resolve({"ADMIN_PATH": "site-office-7f3k"}, "/site-office-7f3k/") == "admin"
