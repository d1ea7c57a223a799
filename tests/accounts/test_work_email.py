"""Emails when something arrives: to the right people of the right school or LA, a link and never a pupil's or
a parent's details, each person's choices honoured, sent once after the work commits; and the backends."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow import STATUS

from accounts.models import EmailPreference, WorkEmailSent
from accounts.work_email import work_email_send
from cases.models import Case, CaseState, Role
from cases.services import case_open, pn_consideration_decline, pn_consideration_record
from config import env
from interventions.services.leave import leave_request_record
from notices.flows import ProsecutionReferralFlow
from notices.models import Letter
from notices.review.referrals import ProsecutionReferral, ReferralConclusion
from notices.review.requests import RequestDecision
from notices.review.services.requests import pn_request_assign, pn_request_decide, pn_request_start
from tests import factories
from tests.factories import ParentalRelationshipFactory, add_marks

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def addresses(dsl, headteacher, la_officer, attendance_officer, senco):
    for user in (dsl, headteacher, la_officer, attendance_officer, senco):
        user.email = f"{user.username}@example.org"
        user.save()


@pytest.fixture
def mother(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1", parent__forename="Josephine",
                                       parent__surname="Quartermaine", relationship="Mother").parent


@pytest.fixture
def pn_case(pupil, dsl):
    add_marks(pupil, dt.date(2026, 9, 28), "O" * 12)  # the threshold: 10 unauthorised sessions in 10 weeks
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met")
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)  # set-up: the ladder is tested elsewhere
    return Case.objects.get(pk=case.pk)


def _record(case, dsl):
    return pn_consideration_record(case=case, by=dsl, why_penalty_notice_is_the_best_tool="Support refused",
                                   alternatives_considered="NTI failed", equality_act_consideration="No SEND")


def _assert_no_details(message: EmailMessage, pupil, *parents) -> None:
    """The email names no pupil or parent and no UPN: only the school or LA, what arrived, and the link."""
    text = message.subject + "\n" + message.body
    for person in (pupil, *parents):
        assert person.forename not in text and person.surname not in text, text
    assert pupil.upn not in text
    assert "http://127.0.0.1:8000/my-work/" in message.body


def test_considerations_recorded_email_the_headteacher_a_link_and_no_names(
        pn_case, dsl, headteacher, mother, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _record(pn_case, dsl)
    assert [m.to for m in mailoutbox] == [["head@example.org"]]
    message = mailoutbox[0]
    assert message.subject == "A penalty notice request waits for your authorisation"
    assert "Meadow Lane Primary School" in message.body
    _assert_no_details(message, pn_case.pupil, mother)


def test_the_heads_decline_emails_the_schools_casework_staff(pn_case, dsl, headteacher, attendance_officer, senco,
                                                               mailoutbox, django_capture_on_commit_callbacks):
    consideration = _record(pn_case, dsl)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pn_consideration_decline(consideration=consideration, by=headteacher, reason="Amelia's mother is unwell")
    assert sorted(m.to[0] for m in mailoutbox) == ["attendance@example.org", "dsl@example.org"]
    for message in mailoutbox:
        _assert_no_details(message, pn_case.pupil)
        assert "unwell" not in message.body  # the reasons stay on the case


def test_a_person_who_switched_an_email_off_is_not_sent_it(client, pn_case, dsl, headteacher, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    client.force_login(headteacher)
    page = client.get(reverse("accounts:email_preferences")).content.decode()
    assert "A penalty notice request waits for my authorisation" in page and "checked" in page
    assert "arrives from a school" not in page  # only the emails of her role are offered
    assert client.post(reverse("accounts:email_preferences"), {}).status_code == 302  # every box unticked
    assert EmailPreference.objects.get(user=headteacher, choice="pn_consideration_waiting").wanted is False
    with django_capture_on_commit_callbacks(execute=True):
        _record(pn_case, dsl)
    assert mailoutbox == []
    client.post(reverse("accounts:email_preferences"), {"wanted": ["pn_consideration_waiting",
                                                                   "leave_request_waiting"]})
    assert EmailPreference.objects.get(user=headteacher, choice="pn_consideration_waiting").wanted is True


def test_a_choice_that_is_not_offered_is_an_error_on_the_page(client, headteacher):
    client.force_login(headteacher)
    html = client.post(reverse("accounts:email_preferences"), {"wanted": ["la_work_arrived"]}).content.decode()
    assert "govuk-error-summary" in html and "Choose only the emails listed" in html
    assert not EmailPreference.objects.exists()


def test_a_leave_request_emails_the_headteacher(pupil, dsl, headteacher, mother, mailoutbox,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        leave_request_record(pupil=pupil, by=dsl, parent=mother, first_day=dt.date(2026, 12, 7),
                             last_day=dt.date(2026, 12, 8), reason="A funeral in Kraków", received_on=NOW.date())
    assert [m.to for m in mailoutbox] == [["head@example.org"]]
    _assert_no_details(mailoutbox[0], pupil, mother)
    assert "Kraków" not in mailoutbox[0].body


def test_a_request_arriving_emails_this_las_officers_and_the_las_question_emails_the_school(
        pn_case, dsl, headteacher, la_officer, other_school_dsl, mother, mailoutbox,
        django_capture_on_commit_callbacks):
    other_officer = factories.UserFactory(username="riverside_officer", email="riverside@example.org")
    factories.StaffProfileFactory(user=other_officer, role=Role.LA_OFFICER, position="Officer", school=None,
                                  local_authority=factories.LocalAuthorityFactory(code="312", name="Riverside"))
    other_school_dsl.email = "other@example.org"
    other_school_dsl.save()
    consideration = _record(pn_case, dsl)
    consideration.authorised_by, consideration.authorised_at = headteacher, timezone.now()
    consideration.save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = pn_request_start(case=pn_case, by=dsl, parents=[mother], reason="Please issue")
    assert [m.to for m in mailoutbox] == [["la_officer@example.org"]]
    assert mailoutbox[0].subject == "A penalty notice request has arrived from a school"
    _assert_no_details(mailoutbox[0], pn_case.pupil, mother)
    mailoutbox.clear()
    pn_request_assign(request=request, by=la_officer)
    with django_capture_on_commit_callbacks(execute=True):
        pn_request_decide(request=request, by=la_officer, decision=RequestDecision.MORE_INFORMATION,
                          reasons=f"Has {mother.forename} replied to the letters?")
    # The school's casework staff, not another school's DSL.
    assert sorted(m.to[0] for m in mailoutbox) == ["attendance@example.org", "dsl@example.org"]
    assert mailoutbox[0].subject == "The local authority asked a question about a penalty notice request"
    _assert_no_details(mailoutbox[0], pn_case.pupil, mother)


def test_a_returned_referral_emails_the_school_once_even_when_the_task_runs_again(pn_case, dsl, mailoutbox):
    bundle = Letter.objects.create(pupil=pn_case.pupil, case=pn_case, recipient="la", template="bundles/evidence.html",
                                   subject_key="bundle", version=1, title="Evidence bundle", pdf=b"%PDF",
                                   sha256="0" * 64, context={}, generated_by=dsl, generated_at=timezone.now())
    referral = ProsecutionReferral.objects.create(
        flow_class=ProsecutionReferralFlow, status=STATUS.NEW, case=pn_case, bundle=bundle, referred_by=dsl,
        reason="Unpaid", conclusion=ReferralConclusion.RETURN_TO_SCHOOL, advice="Try an ESO",
        outcome_at=timezone.now())
    assert work_email_send(event="referral_outcome", object_id=referral.pk) == 2
    assert work_email_send(event="referral_outcome", object_id=referral.pk) == 0  # a retry sends nothing twice
    assert [m.subject for m in mailoutbox] == ["The local authority returned a prosecution referral"] * 2
    assert "Try an ESO" not in mailoutbox[0].body
    assert WorkEmailSent.objects.count() == 2


def test_nothing_is_sent_for_work_that_was_rolled_back(pn_case, dsl, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _record(pn_case, dsl)
        raise RuntimeError("the page failed after the service")
    assert mailoutbox == []


def test_adjustment_reviews_falling_due_today_email_the_school_once_a_day(
        pupil, senco, dsl, headteacher, mailoutbox, settings, django_capture_on_commit_callbacks):
    from interventions.models import AdjustmentArea, ReasonableAdjustment
    from interventions.tasks import adjustment_reviews_due_email

    assert settings.CELERY_BEAT_SCHEDULE["adjustment-reviews-due-email"]["task"] == adjustment_reviews_due_email.name
    for review_on in (NOW.date(), NOW.date() + dt.timedelta(days=1)):
        ReasonableAdjustment.objects.create(pupil=pupil, area=AdjustmentArea.choices[0][0], description="Quiet room",
                                            barrier="Noise", agreed_with="Parents", starts_on=NOW.date(),
                                            review_on=review_on, recorded_by=senco, recorded_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert adjustment_reviews_due_email.delay().get() == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["dsl@example.org", "senco@example.org"]
    assert "1 reasonable adjustment review falls due today" in mailoutbox[0].body
    _assert_no_details(mailoutbox[0], pupil)
    with django_capture_on_commit_callbacks(execute=True):
        adjustment_reviews_due_email.delay()  # the same day again: nobody is emailed twice
    assert len(mailoutbox) == 2


# --- the backends ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("explicit", "key", "template", "host", "expected"), [
    ("", "", "", "", env.CONSOLE_BACKEND),
    ("", "", "", "smtp.example.org", env.SMTP_BACKEND),
    ("", "key-123", "tmpl-456", "smtp.example.org", env.NOTIFY_BACKEND),
    ("django.core.mail.backends.locmem.EmailBackend", "", "", "smtp.example.org",
     "django.core.mail.backends.locmem.EmailBackend"),
], ids=["embedded-console", "smtp", "notify-wins", "explicit"])
def test_the_email_backend_follows_the_environment(explicit, key, template, host, expected):
    assert env.email_backend(explicit=explicit, notify_api_key=key, notify_template_id=template,
                             smtp_host=host) == expected


@pytest.mark.parametrize(("key", "template"), [("key-123", ""), ("", "tmpl-456")], ids=["no-template", "no-key"])
def test_half_a_notify_configuration_is_refused_at_start_up(key, template):
    with pytest.raises(ImproperlyConfigured, match="go together"):
        env.email_backend(explicit="", notify_api_key=key, notify_template_id=template, smtp_host="")


@pytest.mark.parametrize("url", ["attendance.example.org", "ftp://x.org", "https://x.org/path", "https://"])
def test_a_site_url_that_is_not_an_address_is_refused(monkeypatch, url):
    monkeypatch.setenv("SITE_URL", url)
    with pytest.raises(ImproperlyConfigured):
        env.env_site_url("SITE_URL", "http://127.0.0.1:8000")


def test_the_notify_backend_sends_each_recipient_through_the_maintained_client(monkeypatch, settings):
    import notifications_python_client.notifications as notify

    from accounts.email_backends import NotifyEmailBackend

    sent = []

    class FakeClient:
        def __init__(self, api_key):
            self.api_key = api_key

        def send_email_notification(self, **kwargs):
            sent.append((self.api_key, kwargs))

    monkeypatch.setattr(notify, "NotificationsAPIClient", FakeClient)
    settings.GOV_UK_NOTIFY_API_KEY, settings.GOV_UK_NOTIFY_TEMPLATE_ID = "key-123", "tmpl-456"
    message = EmailMessage("Subject line", "Body text", to=["a@example.org", "b@example.org"])
    assert NotifyEmailBackend().send_messages([message]) == 2
    assert sent == [("key-123", {"email_address": address, "template_id": "tmpl-456",
                                 "personalisation": {"subject": "Subject line", "body": "Body text"}})
                    for address in ("a@example.org", "b@example.org")]
