"""The case page in sections: each its own URL, scoped and audited like the case; the ladder box on the
overview; the confirmation before closing a case."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from cases.models import AuditEvent, CaseEvent, CaseOutcome, CaseState, EventKind
from cases.services import case_open
from interventions.models import ReasonableAdjustment
from meetings.models import Meeting, MeetingKind, MeetingStatus
from notices.models import Letter

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 11, 26, 10, 0, tzinfo=dt.UTC)
SECTIONS = {
    "case_detail": "Overview",
    "case_chronology": "Chronology",
    "case_meetings": "Meetings",
    "case_support": "Support",
    "case_notices": "Notices and referrals",
    "case_documents": "Letters and documents",
}
# What marks each section's own content: present there, absent from every other section.
OWN_CONTENT = {
    "case_detail": 'data-testid="case-summary"',
    "case_chronology": 'data-testid="note-form"',
    "case_meetings": 'id="meetings-heading"',
    "case_support": 'id="support-heading"',
    "case_notices": 'id="penalty-notice-heading"',
    "case_documents": 'id="evidence-bundle-heading"',
}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(pupil, dsl):
    return case_open(pupil=pupil, by=dsl, reason="Attendance 84% and falling")


def _url(case, name):
    return reverse(name, kwargs={"pk": case.pk})


def _html(client, case, name) -> str:
    response = client.get(_url(case, name))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", SECTIONS)
def test_each_section_shows_its_own_records_and_none_of_the_others(client, dsl, case, name):
    client.force_login(dsl)
    html = _html(client, case, name)
    assert OWN_CONTENT[name] in html
    for other, marker in OWN_CONTENT.items():
        if other != name:
            assert marker not in html, f"{other}'s content on {name}"
    # One h1, the sub-navigation with every section, this one marked as the current page.
    assert html.count("<h1") == 1
    nav = re.search(r'data-testid="case-sections"(.*?)</nav>', html, re.S).group(1)
    assert all(_url(case, section) in nav for section in SECTIONS)
    assert re.search(rf'href="{re.escape(_url(case, name))}" aria-current="page">{SECTIONS[name]}<', nav)
    assert nav.count('aria-current="page"') == 1
    assert f"<title>{SECTIONS[name]} – attendance case" in html


@pytest.mark.parametrize("name", SECTIONS)
def test_each_section_is_audited_as_a_read_of_the_case(client, dsl, case, name):
    client.force_login(dsl)
    client.get(_url(case, name))
    event = AuditEvent.objects.get(action="case.view")
    assert (event.user, event.pupil_id) == (dsl, case.pupil_id)
    assert event.detail == f"case {case.pk}: {'overview' if name == 'case_detail' else name.removeprefix('case_')}"


@pytest.mark.parametrize("name", SECTIONS)
def test_each_section_is_scoped_like_the_case(client, case, other_school_dsl, la_officer, name):
    client.force_login(other_school_dsl)
    assert client.get(_url(case, name)).status_code == 404
    client.force_login(la_officer)
    assert client.get(_url(case, name)).status_code == 403
    assert not AuditEvent.objects.filter(action="case.view").exists()


def test_the_records_go_to_their_section(client, dsl, case):
    pupil = case.pupil
    Meeting.objects.create(case=case, kind=MeetingKind.ATTENDANCE, starts_at=NOW - dt.timedelta(days=2),
                           location="Room 4", status=MeetingStatus.HELD, created_by=dsl, created_at=NOW)
    ReasonableAdjustment.objects.create(pupil=pupil, area="uniform", description="Trainers allowed",
                                        barrier="Sensory needs", agreed_with="Parents", starts_on=NOW.date(),
                                        review_on=NOW.date() + dt.timedelta(days=60), recorded_by=dsl, recorded_at=NOW)
    Letter.objects.create(pupil=pupil, case=case, recipient="school", template="meeting_invitation",
                          subject_key="x", version=1, title="Invitation to an attendance meeting", pdf=b"%PDF-1.7",
                          sha256="0" * 64, context={}, generated_by=dsl, generated_at=NOW)
    CaseEvent.objects.create(case=case, at=NOW, by=dsl, kind=EventKind.NOTE, summary="Phoned about Mondays")
    client.force_login(dsl)
    where = {"Room 4": "case_meetings", "Trainers allowed": "case_support",
             "Invitation to an attendance meeting": "case_documents", "Phoned about Mondays": "case_chronology"}
    pages = {name: _html(client, case, name) for name in SECTIONS}
    for text, section in where.items():
        assert [name for name, html in pages.items() if text in html] == [section], text


def test_the_ladder_box_is_on_the_overview_with_what_each_step_rests_on_or_lacks(client, dsl, case):
    client.force_login(dsl)
    overview = _html(client, case, "case_detail")
    box = re.search(r'data-testid="actions"(.*?)</section>', overview, re.S).group(1)
    assert "Actions available now" in box
    assert 'data-testid="step-start_targeted_support"' in box
    assert 'data-testid="not-possible-start_targeted_support"' in box and "Not possible yet because" in box
    for name in SECTIONS:
        if name != "case_detail":
            assert 'data-testid="actions"' not in _html(client, case, name)


def _close(client, case, **extra):
    return client.post(_url(case, "case_step"), {
        "transition": "close", "reason": "Attendance back to 97%", "expected_state": case.state,
        "outcome": CaseOutcome.IMPROVED, **extra,
    })


def test_closing_asks_for_confirmation_first_and_changes_nothing_until_confirmed(client, dsl, case):
    client.force_login(dsl)
    page = _close(client, case).content.decode()
    assert "<h1 class=\"govuk-heading-l\">Check before you close the case</h1>" in page
    consequences = re.search(r'data-testid="confirm-consequences"(.*?)</ul>', page, re.S).group(1)
    assert "closes at “Concern” with the outcome “Attendance improved”" in consequences
    assert "Attendance back to 97%" in page
    assert 'name="confirm" value="yes"' in page and ">Confirm and close the case<" in page
    assert 'name="reason" value="Attendance back to 97%"' in page  # the answers travel with the confirmation
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN and not CaseEvent.objects.filter(kind=EventKind.CLOSED).exists()

    changed = _close(client, case, change="yes").content.decode()
    # "Change" shows the form again, open, with the answers kept.
    assert 'data-testid="actions"' in changed
    assert re.search(r'<textarea[^>]*id="reason-close"[^>]*>Attendance back to 97%</textarea>', changed)
    assert re.search(r'id="outcome-close-0" name="outcome" type="radio" value="improved" checked', changed)
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN

    response = _close(client, case, confirm="yes")
    assert response.status_code == 302 and response.url == _url(case, "case_detail")
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.CLOSED, CaseOutcome.IMPROVED)


def test_a_refused_note_comes_back_on_the_chronology_section_with_the_error_summary(client, dsl, case):
    client.force_login(dsl)
    response = client.post(_url(case, "case_note_add"), {"kind": "", "summary": ""})
    html = response.content.decode()
    assert "govuk-error-summary" in html and 'href="#note-summary"' in html
    assert 'data-testid="note-form"' in html and "<title>Error: Chronology" in html


def test_a_refused_consideration_comes_back_on_the_notices_section(client, dsl, case):
    client.force_login(dsl)
    html = client.post(_url(case, "pn_consideration_record"), {}).content.decode()
    assert "govuk-error-summary" in html and 'id="penalty-notice-heading"' in html
    assert "<title>Error: Notices and referrals" in html
