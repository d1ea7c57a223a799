"""The casework screens over HTTP: opening a case, the case page and its forms, the caseload."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from cases.models import (
    Alert,
    AlertKind,
    AuditEvent,
    Case,
    CaseEvent,
    CaseOutcome,
    CaseState,
    EventKind,
    PenaltyNoticeConsideration,
    SenStatus,
)
from cases.services import case_close, case_hold, case_open
from interventions.models import (
    Action,
    AdjustmentArea,
    AttendanceContract,
    ContractParty,
    ContractStatus,
    ReasonableAdjustment,
    SupportPlan,
    SupportPlanStatus,
)
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from notices.models import Letter
from tests import factories
from tests.factories import ParentalRelationshipFactory, add_marks

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 26)
NOW = dt.datetime(2025, 11, 26, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def alert(pupil):
    return Alert.objects.create(pupil=pupil, school=pupil.school, kind=AlertKind.PERSISTENT_ABSENCE,
                                dedup_key="2025", raised_on=TODAY, detail="Attendance 84.0% this academic year")


@pytest.fixture
def case(pupil, dsl):
    return case_open(pupil=pupil, by=dsl, reason="Attendance 84% and falling")


def _url(case, name="case_detail", **extra):
    return reverse(name, kwargs={"pk": case.pk, **extra})


def _html(response) -> str:
    return response.content.decode()


def _plan_agreed(case, user, *, review_on=TODAY, status=SupportPlanStatus.AGREED):
    return SupportPlan.objects.create(case=case, barriers="Anxiety about the bus", status=status,
                                      agreed_on=TODAY if status == SupportPlanStatus.AGREED else None,
                                      review_on=review_on, created_by=user, created_at=NOW)


def _step(client, case, transition, reason="Agreed at the attendance meeting", expected=None, **extra):
    return client.post(_url(case, "case_step"), {
        "transition": transition, "reason": reason, "expected_state": expected or case.state, **extra,
    })


# --- opening a case ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dsl", "attendance_officer"])
def test_case_movers_open_a_case_from_an_alert_with_the_reason_prefilled(client, request, pupil, alert, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("case_open", kwargs={"upn": pupil.upn}) + f"?alert={alert.pk}"
    form = client.get(url)
    assert form.status_code == 200
    assert "New persistent absence: Attendance 84.0% this academic year</textarea>" in _html(form)

    response = client.post(url, {"reason": "Persistent absence since September", "alert": alert.pk})
    case = Case.objects.get(pupil=pupil)
    assert response.status_code == 302 and response.url == _url(case)
    assert (case.state, case.opened_by, case.source_alert) == (CaseState.CONCERN, user, alert)
    assert case.opening_reason == "Persistent absence since September"
    page = client.get(response.url)
    assert "Case opened for Amelia Hughes at the concern stage" in _html(page)


def test_opening_a_case_needs_a_reason(client, dsl, pupil):
    client.force_login(dsl)
    response = client.post(reverse("case_open", kwargs={"upn": pupil.upn}), {"reason": "  "})
    assert response.status_code == 200
    html = _html(response)
    assert "govuk-error-summary" in html and "Say why the case is being opened" in html
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["senco", "headteacher"])
def test_other_school_staff_cannot_open_a_case(client, request, pupil, alert, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("case_open", kwargs={"upn": pupil.upn})
    assert client.post(url, {"reason": "Concern"}).status_code == 403
    assert client.get(url).status_code == 403
    assert not Case.objects.exists()
    assert "Open an attendance case" not in _html(client.get(reverse("pupil_detail", kwargs={"upn": pupil.upn})))
    assert "Open a case" not in _html(client.get(reverse("school_alerts", kwargs={"urn": pupil.school.urn})))


def test_another_schools_dsl_and_la_officer_cannot_open_our_pupils_case(client, other_school_dsl, la_officer, pupil):
    url = reverse("case_open", kwargs={"upn": pupil.upn})
    client.force_login(other_school_dsl)
    assert client.post(url, {"reason": "Concern"}).status_code == 404
    client.force_login(la_officer)
    assert client.post(url, {"reason": "Concern"}).status_code == 403


def test_an_alert_of_another_pupil_cannot_be_used(client, dsl, pupil, school):
    other = factories.PupilFactory(school=school)
    theirs = Alert.objects.create(pupil=other, school=school, kind=AlertKind.SEVERE_ABSENCE, dedup_key="2025",
                                  raised_on=TODAY, detail="x")
    client.force_login(dsl)
    assert client.get(reverse("case_open", kwargs={"upn": pupil.upn}) + f"?alert={theirs.pk}").status_code == 404


def test_a_pupil_with_an_open_case_gets_a_link_not_a_second_case(client, dsl, pupil, alert, case):
    client.force_login(dsl)
    pupil_page = _html(client.get(reverse("pupil_detail", kwargs={"upn": pupil.upn})))
    assert "Open an attendance case" not in pupil_page
    assert _url(case) in pupil_page and "Concern" in pupil_page
    alerts = _html(client.get(reverse("school_alerts", kwargs={"urn": pupil.school.urn})))
    assert "Open a case" not in alerts and "Case open" in alerts
    response = client.post(reverse("case_open", kwargs={"upn": pupil.upn}), {"reason": "Again"})
    assert "already has an open case" in _html(response)
    assert Case.objects.count() == 1


def test_pupil_page_and_alerts_offer_to_open_a_case_to_the_dsl(client, dsl, pupil, alert):
    client.force_login(dsl)
    pupil_page = _html(client.get(reverse("pupil_detail", kwargs={"upn": pupil.upn})))
    assert "Open an attendance case" in pupil_page
    alerts = _html(client.get(reverse("school_alerts", kwargs={"urn": pupil.school.urn})))
    assert f"/pupils/{pupil.upn}/cases/new/?alert={alert.pk}" in alerts


# --- the case page: who may see it --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dsl", "attendance_officer", "senco", "headteacher"])
def test_school_casework_roles_read_the_case_and_each_view_is_audited(client, request, case, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(_url(case))
    assert response.status_code == 200
    html = _html(response)
    assert "Amelia Hughes" in html and case.pupil.upn in html and "Attendance 84% and falling" in html
    assert AuditEvent.objects.filter(user=user, action="case.view", pupil=case.pupil).count() == 1


def test_only_case_movers_see_the_actions(client, case, dsl, senco, headteacher):
    client.force_login(dsl)
    assert "Actions available now" in _html(client.get(_url(case)))
    for reader in (senco, headteacher):
        client.force_login(reader)
        html = _html(client.get(_url(case)))
        assert "Actions available now" not in html
        assert "Move to targeted support" not in html


def test_other_school_and_la_officer_cannot_read_the_case(client, case, other_school_dsl, la_officer):
    client.force_login(other_school_dsl)
    assert client.get(_url(case)).status_code == 404
    client.force_login(la_officer)
    assert client.get(_url(case)).status_code == 403
    assert not AuditEvent.objects.filter(action="case.view").exists()


# --- the case page: header, actions and refusals ------------------------------------------------------


def test_header_shows_stage_days_in_stage_and_the_earliest_deadline_labelled(client, dsl, case):
    Case.objects.filter(pk=case.pk).update(stage_entered_at=NOW - dt.timedelta(days=12))
    plan = _plan_agreed(case, dsl, review_on=TODAY + dt.timedelta(days=20))
    Action.objects.create(case=case, support_plan=plan, description="Call the family each Monday", owner="DSL",
                          due_on=TODAY + dt.timedelta(days=5), created_at=NOW)
    Meeting.objects.create(case=case, kind=MeetingKind.REVIEW, starts_at=NOW + dt.timedelta(days=3),
                           location="Office", created_by=dsl, created_at=NOW)
    client.force_login(dsl)
    html = _html(client.get(_url(case)))
    assert re.search(r'data-testid="days-in-stage">12 days', html)
    deadline = re.search(r'data-testid="next-deadline">(.*?)</dd>', html, re.S).group(1)
    assert "29 November 2025: Review meeting" in deadline
    assert "Overdue" not in deadline


def test_an_overdue_action_is_the_next_deadline_and_tagged(client, dsl, case):
    plan = _plan_agreed(case, dsl, review_on=TODAY + dt.timedelta(days=20))
    Action.objects.create(case=case, support_plan=plan, description="Book the school nurse", owner="DSL",
                          due_on=TODAY - dt.timedelta(days=2), created_at=NOW)
    client.force_login(dsl)
    html = _html(client.get(_url(case)))
    deadline = re.search(r'data-testid="next-deadline">(.*?)</dd>', html, re.S).group(1)
    assert "24 November 2025: Action due: Book the school nurse" in deadline and "Overdue" in deadline


def test_refused_step_shows_what_is_missing_instead_of_a_button(client, dsl, case):
    client.force_login(dsl)
    html = _html(client.get(_url(case)))
    block = re.search(r'data-testid="step-start_targeted_support">(.*?)</div>\s*<hr', html, re.S).group(1)
    assert "Not possible yet because:" in block
    assert "Hold an attendance meeting with the parents, or agree a support plan with them, first." in block
    assert "<button" not in block


def test_posting_a_refused_step_shows_the_error_summary_and_saves_nothing(client, dsl, case):
    client.force_login(dsl)
    response = _step(client, case, "start_targeted_support")
    assert response.status_code == 200
    html = _html(response)
    assert "govuk-error-summary" in html
    assert "Move to targeted support is not possible yet: Hold an attendance meeting" in html
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).exists()


def test_allowed_step_moves_the_case_with_the_reason_and_evidence(client, dsl, case):
    _plan_agreed(case, dsl)
    client.force_login(dsl)
    html = _html(client.get(_url(case)))
    block = re.search(r'data-testid="step-start_targeted_support">(.*?)</div>\s*<hr', html, re.S).group(1)
    assert "Support plan agreed on 26 November 2025" in block and "Move to targeted support</button>" in block
    response = _step(client, case, "start_targeted_support", reason="Plan agreed with mum")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.TARGETED_SUPPORT
    event = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).get()
    assert (event.by, event.reason) == (dsl, "Plan agreed with mum")
    page = _html(client.get(response.url))
    assert "Case is now at “Targeted support”" in page


def test_a_step_needs_a_reason(client, dsl, case):
    _plan_agreed(case, dsl)
    client.force_login(dsl)
    response = _step(client, case, "start_targeted_support", reason="")
    html = _html(response)
    assert "Give the reason for this step" in html and 'href="#reason-start_targeted_support"' in html
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN


def test_a_stale_expected_state_is_refused_and_nothing_is_saved(client, dsl, case):
    _plan_agreed(case, dsl)
    client.force_login(dsl)
    # Someone else put the case on hold while the DSL looked at it at "concern".
    case_hold(case=case, by=dsl, reason="Hospital stay")
    events_before = CaseEvent.objects.filter(case=case).count()
    response = _step(client, case, "start_targeted_support", expected=CaseState.CONCERN)
    html = _html(response)
    assert "govuk-error-summary" in html
    assert "This case moved to “On hold” while you were looking at it" in html
    assert "nothing you entered was saved" in html
    case.refresh_from_db()
    assert case.state == CaseState.ON_HOLD
    assert CaseEvent.objects.filter(case=case).count() == events_before


@pytest.mark.parametrize("persona", ["senco", "headteacher"])
def test_readers_who_do_not_move_cases_are_refused_every_step(client, request, case, persona):
    client.force_login(request.getfixturevalue(persona))
    for transition in ("start_targeted_support", "put_on_hold", "close"):
        assert _step(client, case, transition, outcome=CaseOutcome.IMPROVED).status_code == 403
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN


def test_hold_and_resume(client, attendance_officer, case):
    client.force_login(attendance_officer)
    assert _step(client, case, "put_on_hold", reason="Hospital stay").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ON_HOLD
    html = _html(client.get(_url(case)))
    assert "resumes at concern" in html and "Resume the case</button>" in html
    assert _step(client, case, "resume", reason="Back in school").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN


def test_close_needs_an_outcome_then_closes_with_it(client, dsl, case):
    client.force_login(dsl)
    response = _step(client, case, "close", reason="Attendance back to 97%")
    html = _html(response)
    assert "Choose the outcome the case is closing with" in html and 'href="#outcome-close-0"' in html
    case.refresh_from_db()
    assert case.state == CaseState.CONCERN

    response = _step(client, case, "close", reason="Attendance back to 97%", outcome=CaseOutcome.IMPROVED,
                     confirm="yes")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.CLOSED, CaseOutcome.IMPROVED)
    html = _html(client.get(_url(case)))
    assert "Attendance improved" in html
    assert "Actions available now" not in html and "Add to the chronology" not in html


# --- notes and the chronology ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["dsl", "attendance_officer"])
def test_support_recorders_add_a_note_to_the_chronology(client, request, case, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.post(_url(case, "case_note_add"), {
        "kind": EventKind.NOTE, "summary": "Phoned mum about Monday mornings", "details": "She will walk him in",
    })
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind=EventKind.NOTE)
    assert (event.by, event.summary, event.reason) == (user, "Phoned mum about Monday mornings", "She will walk him in")
    assert response.url == _url(case, "case_chronology") + "#chronology-heading"
    html = _html(client.get(_url(case, "case_chronology")))
    assert "Note added to the chronology" in html
    assert "Phoned mum about Monday mornings" in html and user.staff.position in html


def test_the_senco_may_not_add_a_note(client, senco, case):
    client.force_login(senco)
    response = client.post(_url(case, "case_note_add"), {"kind": EventKind.NOTE, "summary": "Phoned mum"})
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).exists()


def test_the_note_form_no_longer_offers_a_contact_but_old_contact_notes_stay_on_the_chronology(client, dsl, case):
    """A contact is a record with its date, time, method and outcome (meetings.Contact), not a free note."""
    CaseEvent.objects.create(case=case, at=case.opened_at, by=dsl, kind=EventKind.CONTACT,
                             summary="Phoned mum about Monday mornings")
    client.force_login(dsl)
    html = _html(client.get(_url(case, "case_chronology")))
    assert 'name="kind" type="radio" value="contact"' not in html
    assert "Phoned mum about Monday mornings" in html and "Contact with family" in html
    assert f'href="/cases/{case.pk}/contacts/new/"' in html

    response = client.post(_url(case, "case_note_add"), {"kind": EventKind.CONTACT, "summary": "Phoned dad"})
    assert response.status_code == 200 and "Choose what kind of entry this is" in _html(response)
    assert not CaseEvent.objects.filter(case=case, summary="Phoned dad").exists()


def test_note_form_errors_are_shown_and_nothing_saved(client, dsl, case):
    client.force_login(dsl)
    response = client.post(_url(case, "case_note_add"), {"kind": "", "summary": ""})
    html = _html(response)
    assert "Choose what kind of entry this is" in html and "Write a one-line summary" in html
    assert 'href="#note-kind-0"' in html and 'href="#note-summary"' in html
    assert CaseEvent.objects.filter(case=case).count() == 1  # only "opened"


def test_headteacher_cannot_add_notes(client, headteacher, case):
    client.force_login(headteacher)
    response = client.post(_url(case, "case_note_add"), {"kind": EventKind.NOTE, "summary": "x"})
    assert response.status_code == 403


def test_chronology_is_newest_first_with_who_and_filters_by_kind(client, dsl, case):
    client.force_login(dsl)
    client.post(_url(case, "case_note_add"), {"kind": EventKind.NOTE, "summary": "First note"})
    # Within the session's idle timeout, or the second note would meet the sign-in page.
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        client.post(_url(case, "case_note_add"), {"kind": EventKind.NON_ENGAGEMENT, "summary": "Did not reply"})
    html = _html(client.get(_url(case, "case_chronology")))
    chronology = re.search(r'data-testid="chronology"(.*?)</ol>', html, re.S).group(1)
    assert chronology.index("Did not reply") < chronology.index("First note") < chronology.index("Case opened")
    assert "Deputy Headteacher (Attendance Lead)" in chronology
    filtered = _html(client.get(_url(case, "case_chronology") + "?kind=non_engagement"))
    chronology = re.search(r'data-testid="chronology"(.*?)</ol>', filtered, re.S).group(1)
    assert "Did not reply" in chronology and "First note" not in chronology and "Case opened" not in chronology


# --- penalty notice considerations ------------------------------------------------------------------------


def _threshold_met(pupil):
    add_marks(pupil, dt.date(2025, 11, 3), "GG" * 5)


CONSIDERATIONS = {
    "why_penalty_notice_is_the_best_tool": "Support refused twice",
    "alternatives_considered": "NTI already issued; an ESO is not proportionate",
    "equality_act_consideration": "No disability; no adjustments needed",
}


def test_dsl_records_considerations_and_only_the_headteacher_authorises(client, dsl, headteacher, senco, case):
    _threshold_met(case.pupil)
    client.force_login(dsl)
    response = client.post(_url(case, "pn_consideration_record"), CONSIDERATIONS)
    assert response.status_code == 302
    consideration = PenaltyNoticeConsideration.objects.get(case=case)
    assert consideration.threshold_first_met == dt.date(2025, 11, 7)
    assert response.url == _url(case, "case_notices") + "#penalty-notice-heading"
    html = _html(client.get(_url(case, "case_notices")))
    assert "Awaiting the headteacher" in html and "Authorise<span" not in html

    authorise = reverse("pn_consideration_authorise", kwargs={"pk": case.pk, "consideration_pk": consideration.pk})
    for not_head in (dsl, senco):
        client.force_login(not_head)
        assert client.post(authorise).status_code == 403
    client.force_login(headteacher)
    assert "Authorise<span" in _html(client.get(_url(case, "case_notices")))
    assert client.post(authorise).status_code == 302
    consideration.refresh_from_db()
    assert consideration.authorised_by == headteacher
    html = _html(client.get(_url(case, "case_notices")))
    assert "Penalty notice request authorised" in html and "Authorise<span" not in html
    # A second authorisation is refused with the service's words, on the page.
    html = _html(client.post(authorise))
    assert "govuk-error-summary" in html and "This request was already authorised." in html


def test_considerations_need_every_answer_and_the_threshold(client, dsl, case):
    client.force_login(dsl)
    html = _html(client.post(_url(case, "pn_consideration_record"), {**CONSIDERATIONS, "equality_act_consideration": ""}))
    assert "Record the Equality Act 2010 consideration" in html and 'href="#pn-equality_act_consideration"' in html
    html = _html(client.post(_url(case, "pn_consideration_record"), CONSIDERATIONS))
    assert "The threshold for a notice is not met this academic year" in html
    assert not PenaltyNoticeConsideration.objects.exists()


@pytest.mark.parametrize("persona", ["senco", "headteacher"])
def test_only_case_movers_record_considerations(client, request, case, persona):
    _threshold_met(case.pupil)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_url(case, "pn_consideration_record"), CONSIDERATIONS).status_code == 403


# --- the case page's records, and its query count ---------------------------------------------------------


def _rich_case(case, user, n=1):
    pupil = case.pupil
    pupil.sen_status = SenStatus.SEN_SUPPORT
    pupil.save()
    for i in range(n):
        parent = ParentalRelationshipFactory(pupil=pupil).parent
        plan = _plan_agreed(case, user, review_on=TODAY - dt.timedelta(days=1))
        Action.objects.create(case=case, support_plan=plan, description=f"Morning check-in {i}", owner="Mentor",
                              due_on=TODAY - dt.timedelta(days=3), created_at=NOW)
        contract = AttendanceContract.objects.create(
            case=case, school_commitments="Mentor", parent_commitments="Bring to school", starts_on=TODAY,
            review_on=TODAY + dt.timedelta(days=30), status=ContractStatus.OFFERED, created_by=user, created_at=NOW)
        ContractParty.objects.create(contract=contract, parent=parent, response="declined", responded_on=TODAY)
        meeting = Meeting.objects.create(case=case, kind=MeetingKind.ATTENDANCE, starts_at=NOW - dt.timedelta(days=2),
                                         location="Office", status=MeetingStatus.HELD, created_by=user, created_at=NOW)
        MeetingAttendee.objects.create(meeting=meeting, role=AttendeeRole.PARENT, parent=parent, name=str(parent),
                                       attended=False)
        ReasonableAdjustment.objects.create(pupil=pupil, area=AdjustmentArea.UNIFORM, description="Trainers allowed",
                                            barrier="Sensory needs", agreed_with="Parents", starts_on=TODAY,
                                            review_on=TODAY + dt.timedelta(days=60), recorded_by=user, recorded_at=NOW)
        Letter.objects.create(pupil=pupil, case=case, parent=parent, recipient=f"parent:{parent.pk}",
                              template="meeting_invitation", subject_key=f"meeting:{meeting.pk}", version=1,
                              title="Invitation to an attendance meeting", pdf=b"%PDF-1.7", sha256="0" * 64,
                              context={}, generated_by=user, generated_at=NOW)
        CaseEvent.objects.create(case=case, at=NOW, by=user, kind=EventKind.NOTE, summary=f"Note {i}")
    return case


def _section(client, case, name):
    return _html(client.get(_url(case, name)))


def test_case_sections_list_plans_contracts_meetings_adjustments_and_letters_each_in_its_own(client, dsl, case):
    _rich_case(case, dsl)
    client.force_login(dsl)
    support = _section(client, case, "case_support")
    plans = re.search(r'data-testid="support-plans"(.*?)</section>', support, re.S).group(1)
    assert "Morning check-in 0" in plans and "Overdue" in plans and "Review overdue" in plans
    contracts = re.search(r'data-testid="contracts"(.*?)</section>', support, re.S).group(1)
    assert "Offered to parents" in contracts and "Declined" in contracts
    assert "Trainers allowed" in support
    meetings = _section(client, case, "case_meetings")
    listed = re.search(r'data-testid="meetings"(.*?)</section>', meetings, re.S).group(1)
    assert "Did not attend" in listed and "Held" in listed
    letter = Letter.objects.get()
    documents = _section(client, case, "case_documents")
    assert reverse("notices:letter_pdf", kwargs={"pk": letter.pk}) in documents
    # Each section holds its own records and not the others'.
    assert "Morning check-in 0" not in meetings + documents
    assert "Did not attend" not in support + documents
    assert reverse("notices:letter_pdf", kwargs={"pk": letter.pk}) not in support + meetings
    overview = _section(client, case, "case_detail")
    assert 'data-testid="support-plans"' not in overview and "Trainers allowed" not in overview
    assert 'data-testid="chronology"' not in overview and "Note 0" in _section(client, case, "case_chronology")


SECTION_NAMES = ["case_detail", "case_chronology", "case_meetings", "case_support", "case_notices", "case_documents"]


@pytest.mark.parametrize("name", SECTION_NAMES)
def test_case_section_query_count_does_not_grow_with_the_records(client, dsl, case, django_assert_max_num_queries,
                                                                name):
    client.force_login(dsl)
    _rich_case(case, dsl, n=1)
    with django_assert_max_num_queries(60) as small:
        client.get(_url(case, name))
    _rich_case(case, dsl, n=6)
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        assert client.get(_url(case, name)).status_code == 200


# --- the caseload ------------------------------------------------------------------------------------------


def _caseload(school):
    return reverse("school_caseload", kwargs={"urn": school.urn})


@pytest.mark.parametrize("persona", ["dsl", "attendance_officer"])
def test_dsl_and_attendance_officer_start_on_the_caseload(client, request, school, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.url == _caseload(school)
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("persona", "start"),
    [("senco", "interventions:adjustment_register"), ("headteacher", "my_work")],
)
def test_senco_and_headteacher_have_their_own_start_page_and_can_read_the_caseload(
    client, request, school, persona, start
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/").url == reverse(start, kwargs={"urn": school.urn} if start != "my_work" else {})
    html = _html(client.get(_caseload(school)))
    assert "Caseload" in html and "Open a case" not in html


def test_caseload_is_refused_to_other_schools_and_la_officers(client, school, other_school_dsl, la_officer):
    client.force_login(other_school_dsl)
    assert client.get(_caseload(school)).status_code == 404
    client.force_login(la_officer)
    assert client.get(_caseload(school)).status_code == 403


def test_caseload_counts_stages_and_lists_open_cases_with_their_next_deadline(client, dsl, school, case):
    second = factories.PupilFactory(school=school, forename="Noah", surname="Khan")
    held = case_open(pupil=second, by=dsl, reason="Lateness")
    case_hold(case=held, by=dsl, reason="Hospital stay")
    closed_pupil = factories.PupilFactory(school=school, forename="Isla", surname="Begum")
    case_close(case=case_open(pupil=closed_pupil, by=dsl, reason="x"), by=dsl, outcome=CaseOutcome.LEFT_ROLL,
               reason="Moved away")
    _plan_agreed(case, dsl, review_on=TODAY + dt.timedelta(days=9))
    client.force_login(dsl)
    html = _html(client.get(_caseload(school)))
    counts = dict(re.findall(r'data-stage="(\w+)"><a[^>]*><span class="app-stat__figure">(\d+)', html))
    assert counts["concern"] == "1" and counts["on_hold"] == "1" and counts["targeted_support"] == "0"
    assert "closed" not in counts
    table = re.search(r'data-testid="case-table"(.*?)</table>', html, re.S).group(1)
    assert "Hughes, Amelia" in table and "Khan, Noah" in table and "Begum, Isla" not in table
    amelia = re.search(rf'data-case="{case.pk}"(.*?)</tr>', table, re.S).group(1)
    assert "5 Dec 2025" in amelia and "Support plan review" in amelia


def test_caseload_lists_overdue_actions_and_reviews(client, dsl, school, case):
    plan = _plan_agreed(case, dsl, review_on=TODAY - dt.timedelta(days=4))
    Action.objects.create(case=case, support_plan=plan, description="Refer to the school nurse", owner="DSL",
                          due_on=TODAY - dt.timedelta(days=1), created_at=NOW)
    Action.objects.create(case=case, support_plan=plan, description="Already done", owner="DSL",
                          due_on=TODAY - dt.timedelta(days=1), completed_on=TODAY, created_at=NOW)
    Action.objects.create(case=case, support_plan=plan, description="Not due yet", owner="DSL",
                          due_on=TODAY + dt.timedelta(days=1), created_at=NOW)
    AttendanceContract.objects.create(case=case, school_commitments="x", parent_commitments="y", starts_on=TODAY,
                                      review_on=TODAY - dt.timedelta(days=2), status=ContractStatus.SIGNED,
                                      created_by=dsl, created_at=NOW)
    ReasonableAdjustment.objects.create(pupil=case.pupil, area=AdjustmentArea.TRANSPORT, description="Taxi",
                                        barrier="Distance", agreed_with="LA", starts_on=TODAY,
                                        review_on=TODAY - dt.timedelta(days=6), recorded_by=dsl, recorded_at=NOW)
    client.force_login(dsl)
    html = _html(client.get(_caseload(school)))
    actions = re.search(r'data-testid="overdue-actions"(.*?)</table>', html, re.S).group(1)
    assert "Refer to the school nurse" in actions
    assert "Already done" not in actions and "Not due yet" not in actions
    reviews = re.search(r'data-testid="overdue-reviews"(.*?)</table>', html, re.S).group(1)
    assert "Support plan review" in reviews and "Attendance contract review" in reviews
    assert "Review of the transport adjustment" in reviews
    assert reviews.index("20 Nov 2025") < reviews.index("22 Nov 2025") < reviews.index("24 Nov 2025")


def test_caseload_lists_open_alerts_of_pupils_without_an_open_case(client, dsl, school, pupil, alert):
    other = factories.PupilFactory(school=school, forename="Noah", surname="Khan")
    Alert.objects.create(pupil=other, school=school, kind=AlertKind.SEVERE_ABSENCE, dedup_key="2025",
                         raised_on=TODAY, detail="Attendance 40.0%")
    resolved = factories.PupilFactory(school=school, forename="Isla", surname="Begum")
    Alert.objects.create(pupil=resolved, school=school, kind=AlertKind.STALE_N, dedup_key="2025", raised_on=TODAY,
                         detail="2 N codes", resolved_at=NOW)
    case_open(pupil=pupil, by=dsl, reason="Concern")
    client.force_login(dsl)
    html = _html(client.get(_caseload(school)))
    section = re.search(r'data-testid="alerts-without-case"(.*?)</section>', html, re.S).group(1)
    assert "Khan, Noah" in section and "Open a case" in section
    assert "Hughes, Amelia" not in section and "Begum, Isla" not in section


def test_caseload_query_count_does_not_grow_with_the_cases(client, dsl, school, django_assert_max_num_queries):
    def add_cases(n):
        for _ in range(n):
            pupil = factories.PupilFactory(school=school)
            case = case_open(pupil=pupil, by=dsl, reason="Concern")
            plan = _plan_agreed(case, dsl, review_on=TODAY - dt.timedelta(days=1))
            Action.objects.create(case=case, support_plan=plan, description="x", owner="y",
                                  due_on=TODAY - dt.timedelta(days=1), created_at=NOW)
            Alert.objects.create(pupil=factories.PupilFactory(school=school), school=school,
                                 kind=AlertKind.SEVERE_ABSENCE, dedup_key="2025", raised_on=TODAY, detail="x")

    client.force_login(dsl)
    add_cases(1)
    with django_assert_max_num_queries(20) as small:
        client.get(_caseload(school))
    add_cases(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(_caseload(school)).status_code == 200


def test_caseload_is_in_the_service_navigation(client, senco, school):
    client.force_login(senco)
    html = _html(client.get(reverse("school_pupils", kwargs={"urn": school.urn})))
    assert f'href="{_caseload(school)}"' in html and ">Caseload<" in html



def test_caseload_shows_the_newest_alerts_without_a_case_and_counts_them_all(client, dsl, school):
    for n in range(30):
        Alert.objects.create(pupil=factories.PupilFactory(school=school), school=school,
                             kind=AlertKind.SEVERE_ABSENCE, dedup_key="2025",
                             raised_on=TODAY - dt.timedelta(days=n), detail=f"Alert number {n}")
    client.force_login(dsl)
    html = _html(client.get(_caseload(school)))
    section = re.search(r'data-testid="alerts-without-case"(.*?)</section>', html, re.S).group(1)
    assert "The newest 25 of 30 open alerts" in section
    assert section.count("data-alert=") == 25
    assert "Alert number 0<" in section and "Alert number 29<" not in section
