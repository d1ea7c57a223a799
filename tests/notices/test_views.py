"""Downloading a stored letter: the exact bytes, as an attachment, only for staff who can read the case."""
from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import AuditEvent
from meetings.services import meeting_invitations_generate


@pytest.fixture
def letter(meeting, dsl, mother):
    return next(letter for letter in meeting_invitations_generate(meeting=meeting, by=dsl) if letter.parent == mother)


def _url(letter):
    return reverse("notices:letter_pdf", args=[letter.pk])


def test_url_ends_in_pdf(letter):
    assert _url(letter) == f"/letters/{letter.pk}.pdf"


@pytest.mark.parametrize("persona", ["dsl", "attendance_officer", "senco", "headteacher"])
def test_staff_who_read_the_case_download_the_stored_pdf(request, client, letter, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(_url(letter))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(letter.pdf)
    assert response["Content-Disposition"] == (
        'attachment; filename="invitation-to-attendance-meeting-on-8-october-2026-jane-hughes-v1.pdf"'
    )
    assert AuditEvent.objects.filter(action="letter.download", user=user, pupil=letter.pupil).count() == 1


def test_another_schools_letter_is_not_found(client, letter, other_school_dsl):
    client.force_login(other_school_dsl)
    assert client.get(_url(letter)).status_code == 404
    assert not AuditEvent.objects.filter(action="letter.download").exists()


def test_la_officer_cannot_download_a_schools_letter(client, letter, la_officer):
    client.force_login(la_officer)
    assert client.get(_url(letter)).status_code == 403
    assert not AuditEvent.objects.filter(action="letter.download").exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, letter):
    response = client.get(_url(letter))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_letter_that_does_not_exist_is_not_found(client, dsl, letter):
    client.force_login(dsl)
    assert client.get(reverse("notices:letter_pdf", args=[letter.pk + 100])).status_code == 404
