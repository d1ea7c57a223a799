"""Notifications that need the LA's acknowledgement: the CME referral, the LA officer's list and its scoping,
the acknowledgement, the service level in working days, and the nightly sweep that flags what waited too long."""
from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from cases import rules
from cases.errors import DomainError
from cases.models import CaseEvent, EventKind, Role
from cases.permissions import NotPermitted
from config.celery import app
from interventions.models import LANotification, NotificationKind
from interventions.services import (
    InterventionRefused,
    cme_referral_send,
    la_notification_acknowledge,
)
from interventions.tasks import la_service_level_sweep
from tests import factories
from tests.cases.test_views import _snapshot
from tests.interventions.conftest import TODAY

D = dt.date
FRIDAY_BEFORE = D(2025, 11, 14)  # 5 working days before TODAY (Friday 21 November 2025)
THURSDAY_BEFORE = D(2025, 11, 13)  # 6 working days before


def _notification(pupil, by, *, sent_on=FRIDAY_BEFORE, kind=NotificationKind.SICKNESS_RETURN, **extra):
    return LANotification.objects.create(pupil=pupil, kind=kind, sent_on=sent_on, details="Told the LA", sent_by=by,
                                         **extra)


def _list_url(code="873"):
    return reverse("interventions:la_notifications", kwargs={"code": code})


def _ack_url(notification, code="873"):
    return reverse("interventions:la_notification_acknowledge", kwargs={"code": code, "pk": notification.pk})


@pytest.fixture
def other_la_officer(other_la_school):
    user = factories.UserFactory(username="other_la_officer")
    factories.StaffProfileFactory(user=user, role=Role.LA_OFFICER, position="Officer", school=None,
                                  local_authority=other_la_school.local_authority)
    return user


# --- working days (pure) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "today", "waiting", "overdue"),
    [
        (D(2025, 11, 21), D(2025, 11, 21), 0, False),
        (D(2025, 11, 21), D(2025, 11, 23), 0, False),
        (D(2025, 11, 21), D(2025, 11, 24), 1, False),
        (FRIDAY_BEFORE, TODAY, 5, False),
        (THURSDAY_BEFORE, TODAY, 6, True),
        (D(2025, 11, 15), D(2025, 11, 24), 6, True),
        (D(2025, 10, 31), TODAY, 15, True),
        (D(2026, 3, 27), D(2026, 4, 7), 5, False),  # Good Friday and Easter Monday are not working days
        (D(2026, 3, 26), D(2026, 4, 7), 6, True),
        (D(2026, 12, 18), D(2027, 1, 4), 8, True),  # the 25th, 28th and 1st are off
    ],
    ids=["same-day", "over-a-weekend", "next-monday", "five-is-within", "six-is-overdue", "from-a-saturday",
         "three-weeks", "over-easter-within", "over-easter-overdue", "over-christmas-and-new-year"],
)
def test_working_days_waiting_skip_weekends_and_bank_holidays(since, today, waiting, overdue):
    assert rules.working_days_waiting(since, today) == waiting
    assert rules.past_service_level(since, today, rules.LA_SERVICE_LEVEL_WORKING_DAYS) is overdue


def test_code_of_conduct_defaults_to_the_named_service_level(la):
    conduct = factories.CodeOfConductFactory(local_authority=la)
    assert conduct.la_response_days == rules.LA_SERVICE_LEVEL_WORKING_DAYS == 5
    assert la.conduct().la_response_days == 5


# --- the CME referral --------------------------------------------------------------------------------------


def test_cme_referral_for_a_pupil_at_risk_goes_on_the_open_case(pupil, dsl, case):
    _snapshot(pupil, cme=True)
    notification = cme_referral_send(pupil=pupil, by=dsl, details="Not seen since 3 November; home visit, no answer")
    assert notification.kind == NotificationKind.CHILD_MISSING_EDUCATION
    assert notification.case == case and notification.sent_on == TODAY
    event = CaseEvent.objects.get(case=case, kind=EventKind.NOTIFICATION)
    assert "Child missing education referral" in event.summary
    assert event.evidence == [f"la_notification:{notification.pk}"]


def test_cme_referral_without_a_risk_needs_a_reason(pupil, dsl):
    _snapshot(pupil, cme=False)
    with pytest.raises(InterventionRefused, match="does not show a children-missing-education risk"):
        cme_referral_send(pupil=pupil, by=dsl, details="Family said they are moving")
    notification = cme_referral_send(pupil=pupil, by=dsl, details="Family said they are moving",
                                     reason="Removed from the roll to move abroad; no new school known")
    assert "no new school known" in notification.details
    assert notification.case is None  # no open case: audited, not on a chronology
    assert not CaseEvent.objects.exists()


def test_cme_referral_without_a_scan_needs_a_reason(pupil, attendance_officer):
    with pytest.raises(InterventionRefused):
        cme_referral_send(pupil=pupil, by=attendance_officer, details="Not seen")
    assert cme_referral_send(pupil=pupil, by=attendance_officer, details="Not seen", reason="Neighbour says gone")


@pytest.mark.parametrize("persona", ["senco", "headteacher", "other_school_dsl", "la_officer"])
def test_cme_referral_is_only_for_the_schools_dsl_or_attendance_officer(request, pupil, persona):
    _snapshot(pupil, cme=True)
    with pytest.raises(NotPermitted):
        cme_referral_send(pupil=pupil, by=request.getfixturevalue(persona), details="Not seen")


def test_cme_referral_page_sends_and_the_pupil_page_offers_it(client, pupil, dsl, senco):
    _snapshot(pupil, cme=True)
    client.force_login(senco)
    assert "cme-referral" not in client.get(reverse("pupil_detail", args=[pupil.upn])).content.decode()
    assert client.get(reverse("interventions:cme_referral_create", args=[pupil.upn])).status_code == 403
    client.force_login(dsl)
    assert 'data-testid="cme-referral"' in client.get(reverse("pupil_detail", args=[pupil.upn])).content.decode()
    response = client.post(reverse("interventions:cme_referral_create", args=[pupil.upn]), {"details": "Not seen"})
    assert response.status_code == 302
    assert LANotification.objects.get().kind == NotificationKind.CHILD_MISSING_EDUCATION


# --- the LA officer's list ---------------------------------------------------------------------------------


def test_la_list_shows_only_its_own_schools_notifications_oldest_first(
    client, la_officer, pupil, dsl, other_school, other_la_school
):
    ours = _notification(pupil, dsl, sent_on=FRIDAY_BEFORE)
    older = _notification(factories.PupilFactory(school=other_school, surname="Okafor"), dsl,
                          sent_on=THURSDAY_BEFORE, kind=NotificationKind.EHC_PLAN_CONCERN)
    theirs = _notification(factories.PupilFactory(school=other_la_school, surname="Elsewhere"), dsl)
    _notification(pupil, dsl, acknowledged_on=TODAY)
    client.force_login(la_officer)
    html = client.get(_list_url()).content.decode()
    assert f'data-notification="{older.pk}"' in html and f'data-notification="{ours.pk}"' in html
    assert html.index(f'data-notification="{older.pk}"') < html.index(f'data-notification="{ours.pk}"')
    assert f'data-notification="{theirs.pk}"' not in html and "Elsewhere" not in html
    assert html.count('data-notification="') == 2
    assert html.count('data-testid="overdue"') == 1  # 6 working days waiting; 5 is within the service level
    filtered = client.get(_list_url(), {"kind": NotificationKind.EHC_PLAN_CONCERN}).content.decode()
    assert f'data-notification="{older.pk}"' in filtered and f'data-notification="{ours.pk}"' not in filtered
    by_school = client.get(_list_url(), {"school": pupil.school.urn}).content.decode()
    assert f'data-notification="{ours.pk}"' in by_school and f'data-notification="{older.pk}"' not in by_school


def test_la_service_level_is_the_las_own_setting(client, la, la_officer, pupil, dsl):
    factories.CodeOfConductFactory(local_authority=la, la_response_days=10)
    _notification(pupil, dsl, sent_on=THURSDAY_BEFORE)
    client.force_login(la_officer)
    assert 'data-testid="overdue"' not in client.get(_list_url()).content.decode()


def test_another_las_officer_gets_404_and_school_staff_403(client, other_la_officer, dsl, pupil):
    notification = _notification(pupil, dsl)
    client.force_login(other_la_officer)
    assert client.get(_list_url()).status_code == 404
    assert client.post(_ack_url(notification, code="312")).status_code == 404
    assert client.post(_ack_url(notification)).status_code == 404
    client.force_login(dsl)
    assert client.get(_list_url()).status_code == 403
    assert client.post(_ack_url(notification)).status_code == 403
    notification.refresh_from_db()
    assert notification.acknowledged_on is None


def test_la_nav_links_to_notifications(client, la_officer):
    client.force_login(la_officer)
    response = client.get(_list_url())
    assert f'href="{_list_url()}" aria-current="page"' in response.content.decode()


# --- the acknowledgement -----------------------------------------------------------------------------------


def test_acknowledge_once_with_a_note_on_the_chronology(client, la_officer, pupil, dsl, case):
    notification = _notification(pupil, dsl, case=case)
    client.force_login(la_officer)
    response = client.post(_ack_url(notification), {"note": "Passed to the CME team"})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.acknowledged_on, notification.acknowledged_by, notification.la_note) == (
        TODAY, la_officer, "Passed to the CME team")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.NOTIFICATION, by=la_officer).count() == 1
    assert f'data-notification="{notification.pk}"' not in client.get(_list_url()).content.decode()
    with pytest.raises(InterventionRefused, match="already acknowledged"):
        la_notification_acknowledge(notification=notification, by=la_officer, note="again")
    again = client.post(_ack_url(notification), {"note": "again"}, follow=True)
    assert "already acknowledged" in again.content.decode()
    notification.refresh_from_db()
    assert notification.la_note == "Passed to the CME team"


def test_acknowledge_refused_to_school_staff_and_other_la(pupil, dsl, other_la_officer):
    notification = _notification(pupil, dsl)
    for person in (dsl, other_la_officer):
        with pytest.raises(DomainError):
            la_notification_acknowledge(notification=notification, by=person, note="")


# --- the nightly sweep -------------------------------------------------------------------------------------


def test_sweep_flags_once_and_is_idempotent(pupil, dsl):
    late = _notification(pupil, dsl, sent_on=THURSDAY_BEFORE)
    within = _notification(pupil, dsl, sent_on=FRIDAY_BEFORE)
    done = _notification(pupil, dsl, sent_on=THURSDAY_BEFORE, acknowledged_on=FRIDAY_BEFORE)
    first = la_service_level_sweep()
    assert first["flagged"] == 1 and first["as_of"] == TODAY.isoformat()
    late.refresh_from_db(), within.refresh_from_db(), done.refresh_from_db()
    assert late.overdue_flagged_on == TODAY
    assert within.overdue_flagged_on is None and done.overdue_flagged_on is None
    assert la_service_level_sweep()["flagged"] == 0
    # A later run keeps the first day it was seen late, and flags the next one as it passes the level.
    later = la_service_level_sweep(as_of="2025-11-24")
    assert later["flagged"] == 1
    late.refresh_from_db(), within.refresh_from_db()
    assert late.overdue_flagged_on == TODAY and within.overdue_flagged_on == D(2025, 11, 24)


def test_beat_entry_names_a_registered_task():
    entry = settings.CELERY_BEAT_SCHEDULE["la-service-level-sweep"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].name == la_service_level_sweep.name
