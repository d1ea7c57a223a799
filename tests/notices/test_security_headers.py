"""Pages and files that name a child are never cached and carry the Content-Security-Policy; production
settings pass Django's deployment check and refuse a missing or weak SECRET_KEY whatever DEBUG says."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from meetings.services import meeting_invitations_generate

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "p7Qx-2vK9mZr4Lw8sT1nYb6Jc3Hd0Fg5Ue_AaVoXiEkRqSlNtMwPyBzCuDjGh" + "1234"


@pytest.fixture
def letter(meeting, dsl, mother):
    return next(letter for letter in meeting_invitations_generate(meeting=meeting, by=dsl) if letter.parent == mother)


@pytest.mark.parametrize("page", ["case", "pupil", "letter_pdf"])
def test_personal_data_is_never_cached_and_has_the_policy(client, dsl, case, letter, page):
    client.force_login(dsl)
    url = {
        "case": reverse("case_detail", kwargs={"pk": case.pk}),
        "pupil": reverse("pupil_detail", kwargs={"upn": case.pupil.upn}),
        "letter_pdf": reverse("notices:letter_pdf", args=[letter.pk]),
    }[page]
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_no_page_needs_inline_script_or_style(client, dsl, case):
    # What the policy forbids must not be in the pages: a script or style element with content inline.
    client.force_login(dsl)
    for url in (reverse("case_detail", kwargs={"pk": case.pk}), reverse("login")):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert all('src="' in tag for tag in html.split("<script")[1:]), url


def _production(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # Only what a server would have: the test run's own variables (the browser journeys' async switch,
    # a test database) are not part of a deployment.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update({"EMBEDDED_DEFAULT": "false", "ALLOWED_HOSTS": "attendance.example.org", **env_extra})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    result = _production({"SECRET_KEY": STRONG_KEY}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "env",
    [{}, {"DEBUG": "1"}, {"DEBUG": "1", "SECRET_KEY": "embedded-default-not-secret"},
     {"SECRET_KEY": "too-short"}, {"SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}],
    ids=["unset", "unset-with-debug", "the-public-embedded-key", "short", "django-insecure"],
)
def test_production_refuses_to_start_without_a_real_secret_key(env):
    result = _production(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
