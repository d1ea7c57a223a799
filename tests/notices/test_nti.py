"""The notice to improve (domain.md 3.4): the improvement period's limits, its parents, the offences it covers,
the letter's required content, the outcome, an early ground, the review-due task, permissions and the pages."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from cases.errors import DomainError
from cases.facts import ImpossibleFact
from cases.models import AuditEvent, Case, CaseEvent, CaseOutcome, CaseState, EventKind, Mark
from cases.permissions import NotPermitted
from cases.services import case_close, case_note_add, case_open
from interventions.models import SupportPlan, SupportPlanStatus
from notices.improvement.services import (
    ImprovementPeriodRefused,
    NoticeToImproveRefused,
    notice_to_improve_invoke_early_ground,
    notice_to_improve_issue,
    notice_to_improve_record_outcome,
)
from notices.models import Letter, NoticeOutcome, NoticeToImprove
from notices.tasks import notices_to_improve_review_due
from tests import factories
from tests.factories import add_marks

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 26)  # a Wednesday
NOW = dt.datetime(2025, 11, 26, 10, 0, tzinfo=dt.UTC)
CASE_OPENED = dt.datetime(2025, 9, 15, 10, 0, tzinfo=dt.UTC)
SUPPORT_SO_FAR = "Attendance meeting on 6 October 2025; support plan agreed on 7 October 2025 with a morning mentor."
FURTHER_SUPPORT = "A referral to the Early Help Hub, and a place at the school's breakfast club from Monday."
SUFFICIENT = "No unauthorised absence, and attendance of at least 95% in the improvement period."
EARLY_GROUNDS = "A holiday taken in term time during the improvement period (code G)."


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def _forge_state(case: Case, state: str) -> Case:
    """Test set-up only: puts a case at a stage without walking the ladder (bypasses the protected field)."""
    Case.objects.filter(pk=case.pk).update(state=state)
    return Case.objects.get(pk=case.pk)


def _register(pupil):
    """Present every day from 1 September to half term, ten G sessions in the week of 3 November (the
    threshold, met on Friday 7 November), present again from 10 November to today."""
    add_marks(pupil, dt.date(2025, 9, 1), "/\\" * 40)  # to Friday 24 October
    add_marks(pupil, dt.date(2025, 11, 3), "G" * 10)
    add_marks(pupil, dt.date(2025, 11, 10), "/\\" * 13)  # to Wednesday 26 November


def _support_and_non_engagement(case, dsl):
    SupportPlan.objects.create(case=case, barriers="Mornings", status=SupportPlanStatus.AGREED,
                               agreed_on=dt.date(2025, 10, 7), review_on=TODAY, created_by=dsl, created_at=NOW)
    case_note_add(case=case, by=dsl, kind=EventKind.NON_ENGAGEMENT, summary="Mother did not answer three calls")


@pytest.fixture
def mother(pupil):
    parent = factories.ParentFactory(school=pupil.school, forename="Jane", surname="Hughes",
                                     address="12 Station Road\nFenton\nFE1 2AB")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="mother")
    return parent


@pytest.fixture
def father(pupil):
    parent = factories.ParentFactory(school=pupil.school, forename="Mark", surname="Hughes", address="4 Mill Lane")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="father", lives_with_pupil=False)
    return parent


@pytest.fixture
def case(pupil, dsl):
    case = case_open(pupil=pupil, by=dsl, reason="Attendance falling")
    # Opened in September: the support plan of 7 October is evidence only if agreed during the case.
    Case.objects.filter(pk=case.pk).update(opened_at=CASE_OPENED)
    _support_and_non_engagement(case, dsl)
    _register(pupil)
    return _forge_state(case, CaseState.FORMAL_SUPPORT)


def _issue(case, by, parents, *, issued_on=TODAY, ends_on=TODAY + dt.timedelta(days=21), **changes):
    values = {
        "sufficient_improvement": SUFFICIENT, "early_penalty_grounds": EARLY_GROUNDS,
        "support_so_far": SUPPORT_SO_FAR, "further_support": FURTHER_SUPPORT,
        "reason": "Threshold met and support not taken up",
    }
    values.update(changes)
    return notice_to_improve_issue(case=case, by=by, parents=parents, issued_on=issued_on,
                                   improvement_period_ends_on=ends_on, **values)


def _text(letter: Letter) -> str:
    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# --- the improvement period -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "allowed"),
    [(20, False), (21, True), (42, True), (43, False)],
    ids=["3-weeks-minus-a-day", "3-weeks", "6-weeks", "6-weeks-plus-a-day"],
)
def test_the_improvement_period_is_between_3_and_6_weeks(case, dsl, mother, days, allowed):
    ends_on = TODAY + dt.timedelta(days=days)
    if allowed:
        notice = _issue(case, dsl, [mother], ends_on=ends_on)
        assert notice.improvement_period_ends_on == ends_on
    else:
        with pytest.raises(ImprovementPeriodRefused) as refused:
            _issue(case, dsl, [mother], ends_on=ends_on)
        message = str(refused.value)
        assert "between 3 and 6 weeks from the date of issue" in message
        assert "must end between 17 December 2025 and 7 January 2026" in message
        assert not NoticeToImprove.objects.exists()
        assert Case.objects.get(pk=case.pk).state == CaseState.FORMAL_SUPPORT


def test_the_improvement_period_is_counted_from_the_date_of_issue_not_today(case, dsl, mother):
    issued_on = TODAY - dt.timedelta(days=7)
    with pytest.raises(ImprovementPeriodRefused, match="issued on 19 November 2025 it must end between 10 December"):
        _issue(case, dsl, [mother], issued_on=issued_on, ends_on=TODAY + dt.timedelta(days=36))  # 6 weeks + 1 from issue
    notice = _issue(case, dsl, [mother], issued_on=issued_on, ends_on=TODAY + dt.timedelta(days=14))  # 3 weeks from issue
    assert (notice.issued_on, notice.improvement_period_ends_on) == (dt.date(2025, 11, 19), dt.date(2025, 12, 10))


def test_a_date_of_issue_in_the_future_is_refused(case, dsl, mother):
    with pytest.raises(ImpossibleFact, match="The date of issue must be today or in the past"):
        _issue(case, dsl, [mother], issued_on=TODAY + dt.timedelta(days=1), ends_on=TODAY + dt.timedelta(days=22))


# --- the parents ------------------------------------------------------------------------------------


def test_a_parent_not_linked_to_the_pupil_is_refused(case, dsl, mother, school):
    stranger = factories.ParentalRelationshipFactory(pupil=factories.PupilFactory(school=school)).parent
    with pytest.raises(NoticeToImproveRefused, match="not recorded as a parent or carer"):
        _issue(case, dsl, [mother, stranger])
    assert not NoticeToImprove.objects.exists()
    assert not Letter.objects.exists()


def test_a_parent_without_responsibility_or_care_is_refused(case, dsl, pupil):
    relative = factories.ParentalRelationshipFactory(
        pupil=pupil, relationship="uncle", parental_responsibility=False, lives_with_pupil=False).parent
    with pytest.raises(NoticeToImproveRefused, match="neither parental responsibility for nor care of"):
        _issue(case, dsl, [relative])


def test_at_least_one_parent_is_needed(case, dsl):
    with pytest.raises(NoticeToImproveRefused, match="Choose at least one parent"):
        _issue(case, dsl, [])


@pytest.mark.parametrize("missing", ["support_so_far", "further_support", "sufficient_improvement",
                                     "early_penalty_grounds"])
def test_every_written_item_of_the_notice_is_required(case, dsl, mother, missing):
    with pytest.raises(NoticeToImproveRefused, match="A notice to improve must set out"):
        _issue(case, dsl, [mother], **{missing: "  "})
    assert not NoticeToImprove.objects.exists()
    assert not Letter.objects.exists()


# --- issuing ----------------------------------------------------------------------------------------


def test_issuing_moves_the_case_records_the_notice_and_writes_a_letter_to_each_parent(case, dsl, mother, father):
    notice = _issue(case, dsl, [mother, father])

    case.refresh_from_db()
    assert case.state == CaseState.NOTICE_TO_IMPROVE
    assert notice.case == case
    assert set(notice.parents.all()) == {mother, father}
    assert (notice.offence_from, notice.offence_to) == (dt.date(2025, 11, 3), dt.date(2025, 11, 7))
    assert notice.outcome == NoticeOutcome.PENDING
    letters = Letter.objects.filter(subject_key=f"nti:{notice.pk}").order_by("recipient")
    assert sorted(letter.recipient for letter in letters) == sorted([f"parent:{mother.pk}", f"parent:{father.pk}"])
    assert all(letter.template == "letters/notice_to_improve.html" for letter in letters)
    transition = CaseEvent.objects.get(case=case, kind=EventKind.TRANSITION)
    assert (transition.from_state, transition.to_state) == (CaseState.FORMAL_SUPPORT, CaseState.NOTICE_TO_IMPROVE)
    entry = CaseEvent.objects.get(case=case, kind=EventKind.NOTICE, summary__startswith="Notice to improve issued")
    assert entry.summary == "Notice to improve issued to Jane Hughes, Mark Hughes: improvement period until 17 December 2025"
    assert entry.evidence[0] == ("Threshold met on 7 November 2025: 10 sessions coded G, O or U within 10 school "
                                 "weeks. The offence: 10 unauthorised sessions from 3 November 2025 to 7 November 2025.")
    notice = case.notices_to_improve.get()
    assert (notice.offence_record.first_met, len(notice.offence_record.sessions)) == (dt.date(2025, 11, 7), 10)
    assert f"Support provided so far: {SUPPORT_SO_FAR}" in entry.evidence
    assert {f"letter:{letter.pk}" for letter in letters} <= set(entry.evidence)
    assert AuditEvent.objects.filter(action="nti.issue", user=dsl).count() == 1


def test_a_case_already_at_the_stage_without_a_notice_gets_one_without_moving(case, dsl, mother):
    case = _forge_state(case, CaseState.NOTICE_TO_IMPROVE)
    notice = _issue(case, dsl, [mother])
    assert notice.case_id == case.pk
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).exists()
    with pytest.raises(NoticeToImproveRefused, match="already has a notice to improve, issued on 26 November 2025"):
        _issue(case, dsl, [mother])


def test_the_ladder_still_guards_the_move(pupil, dsl, mother):
    case = case_open(pupil=pupil, by=dsl, reason="Attendance falling")
    _register(pupil)
    case = _forge_state(case, CaseState.TARGETED_SUPPORT)
    with pytest.raises(DomainError, match="Record the support offered"):
        _issue(case, dsl, [mother])
    assert Case.objects.get(pk=case.pk).state == CaseState.TARGETED_SUPPORT
    assert not NoticeToImprove.objects.exists()


def test_the_letter_holds_every_item_the_notice_must_contain(case, dsl, mother, father):
    notice = _issue(case, dsl, [mother, father])
    text = _text(Letter.objects.get(subject_key=f"nti:{notice.pk}", parent=mother))

    assert "Dear Jane Hughes" in text
    assert "notice to improve" in text
    # the attendance record and the offences, from the register
    assert "attended 106 of 116 possible sessions: an attendance of 91.4%" in text
    for day in ("Monday 3 November 2025", "Tuesday 4 November 2025", "Wednesday 5 November 2025",
                "Thursday 6 November 2025", "Friday 7 November 2025"):
        assert day in text
    assert "Holiday not agreed by the school" in text
    # the benefits of attendance and the s7 duty
    assert "Children who attend school regularly learn more" in text
    assert "efficient full-time education suitable to their age, ability and aptitude" in text
    assert "section 7 of the Education Act 1996" in text
    # the support so far and on offer
    assert SUPPORT_SO_FAR in text
    assert FURTHER_SUPPORT in text
    # the improvement period, what sufficient improvement means, the warning, and the early grounds
    assert "26 November 2025" in text
    assert "ends on 17 December 2025: 3 weeks from 26 November 2025" in text
    assert f"sufficient improvement means: {SUFFICIENT}" in text
    assert "you may be issued with a penalty notice" in text
    assert EARLY_GROUNDS in text
    assert "We have also sent this notice to Mark Hughes" in text


def test_the_offence_period_excludes_sessions_an_earlier_notice_covered(pupil, dsl, mother):
    earlier_case = case_open(pupil=pupil, by=dsl, reason="Last half term")
    NoticeToImprove.objects.create(
        case=earlier_case, issued_on=dt.date(2025, 10, 13), improvement_period_ends_on=dt.date(2025, 11, 3),
        sufficient_improvement="x", offence_from=dt.date(2025, 10, 6), offence_to=dt.date(2025, 10, 10),
        outcome=NoticeOutcome.IMPROVED, created_by=dsl, created_at=NOW,
    )
    case_close(case=earlier_case, by=dsl, outcome=CaseOutcome.IMPROVED, reason="Improved")
    add_marks(pupil, dt.date(2025, 9, 1), "/\\" * 25)  # to Friday 3 October
    add_marks(pupil, dt.date(2025, 10, 6), "G" * 12)  # 6-10 October (covered) and Monday 13 October (not)
    add_marks(pupil, dt.date(2025, 10, 14), "/\\" * 9)  # to Friday 24 October
    add_marks(pupil, dt.date(2025, 11, 3), "G" * 10)  # 3-7 November
    case = case_open(pupil=pupil, by=dsl, reason="Unauthorised absence again")
    Case.objects.filter(pk=case.pk).update(opened_at=CASE_OPENED)  # the support plan is of this case
    _support_and_non_engagement(case, dsl)
    case = _forge_state(case, CaseState.FORMAL_SUPPORT)

    notice = _issue(case, dsl, [mother])

    # Without the earlier notice the window would open on 6 October; with it, on 13 October, and the tenth
    # counted session is the afternoon of 6 November.
    assert (notice.offence_from, notice.offence_to) == (dt.date(2025, 10, 13), dt.date(2025, 11, 6))
    sessions = Letter.objects.get(subject_key=f"nti:{notice.pk}").context["offence_sessions"]
    assert len(sessions) == 10
    assert {s["date"] for s in sessions} == {"2025-10-13", "2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06"}


# --- after issue ------------------------------------------------------------------------------------


@pytest.fixture
def notice(case, dsl, mother):
    return _issue(case, dsl, [mother])


def test_the_outcome_is_refused_until_the_period_has_ended(notice, dsl):
    for when in (TODAY, notice.improvement_period_ends_on):
        at = dt.datetime.combine(when, dt.time(12), tzinfo=dt.UTC)
        refused = "runs until 17 December 2025: record the outcome from 18 December 2025"
        with time_machine.travel(at, tick=False), pytest.raises(NoticeToImproveRefused, match=refused):
            notice_to_improve_record_outcome(notice=notice, by=dsl, improved=False, note="Still absent")
    notice.refresh_from_db()
    assert notice.outcome == NoticeOutcome.PENDING


def test_the_outcome_is_recorded_after_the_period_with_the_attendance_in_it(notice, dsl, pupil):
    add_marks(pupil, dt.date(2025, 11, 27), "/\\" * 12 + "OO" + "/\\" * 2)  # 27 November to 17 December
    add_marks(pupil, dt.date(2025, 12, 18), "OO")  # after the period: not counted
    with time_machine.travel(dt.datetime(2025, 12, 18, 12, tzinfo=dt.UTC), tick=False):
        recorded = notice_to_improve_record_outcome(notice=notice, by=dsl, improved=False, note="Two more days missed")
    assert (recorded.outcome, recorded.outcome_recorded_on) == (NoticeOutcome.NOT_IMPROVED, dt.date(2025, 12, 18))
    entry = CaseEvent.objects.get(case=notice.case, summary__contains="not sufficient improvement")
    assert entry.reason == "Two more days missed"
    assert entry.evidence[:2] == [
        "Attendance in the improvement period (27 November 2025 to 17 December 2025): 28 of 30 possible sessions (93.3%)",
        "Unauthorised absence in the period: 2 sessions: 15 December 2025 AM (O); 15 December 2025 PM (O)",
    ]
    with pytest.raises(NoticeToImproveRefused, match="already recorded"):
        notice_to_improve_record_outcome(notice=notice, by=dsl, improved=True, note="x")


# After the notice of Wednesday 26 November: Thursday a holiday morning (G) and present in the afternoon, Friday
# morning unexplained (O), Friday afternoon present; the ground is recorded at Friday noon.
THURSDAY, FRIDAY = dt.date(2025, 11, 27), dt.date(2025, 11, 28)
FRIDAY_NOON = dt.datetime(2025, 11, 28, 12, tzinfo=dt.UTC)
AM, PM = 0, 1


@pytest.fixture
def absent_since(notice):
    add_marks(notice.case.pupil, THURSDAY, "G\\O\\")
    with time_machine.travel(FRIDAY_NOON, tick=False):
        yield notice


def test_a_stated_early_ground_is_recorded_once_with_the_register_sessions_it_rests_on(absent_since, dsl):
    notice = absent_since
    with pytest.raises(NoticeToImproveRefused, match="Say which of the grounds"):
        notice_to_improve_invoke_early_ground(notice=notice, by=dsl, ground="  ", sessions=[(THURSDAY, AM)])
    recorded = notice_to_improve_invoke_early_ground(notice=notice, by=dsl, ground="Holiday 27-28 November",
                                                     sessions=[(FRIDAY, AM), (THURSDAY, AM)])
    assert recorded.early_ground_invoked == "Holiday 27-28 November"
    assert recorded.early_ground_sessions == [
        {"date": "2025-11-27", "session": "AM", "code": "G"}, {"date": "2025-11-28", "session": "AM", "code": "O"},
    ]
    entry = CaseEvent.objects.get(case=notice.case, summary__contains="a stated ground")
    assert ("Register sessions the ground rests on: Thursday 27 November 2025 AM (G); Friday 28 November 2025 AM (O)"
            in entry.evidence)
    with pytest.raises(NoticeToImproveRefused, match="already recorded"):
        notice_to_improve_invoke_early_ground(notice=notice, by=dsl, ground="Another", sessions=[(THURSDAY, AM)])


@pytest.mark.parametrize(
    ("sessions", "refusal"),
    [
        ([], "Choose the unauthorised sessions since the notice was issued"),
        ([(THURSDAY, PM)], "27 November 2025 PM: not an unauthorised session recorded"),
        ([(dt.date(2025, 11, 26), AM)], "26 November 2025 AM: not an unauthorised session recorded"),
        ([(dt.date(2025, 12, 1), AM)], "1 December 2025 AM: not an unauthorised session recorded"),
        ([(THURSDAY, AM), (dt.date(2025, 11, 20), PM)], "20 November 2025 PM: not an unauthorised session"),
    ],
    ids=["none-chosen", "a-present-session", "the-day-of-issue", "after-today", "one-before-the-notice"],
)
def test_an_early_ground_must_rest_on_unauthorised_sessions_after_the_notice(absent_since, dsl, sessions, refusal):
    notice = absent_since
    # A G on the day of issue and one recorded ahead for Monday: neither is evidence after the notice, to today.
    Mark.objects.filter(pupil=notice.case.pupil, date=dt.date(2025, 11, 26), session=AM).update(code="G")
    add_marks(notice.case.pupil, dt.date(2025, 12, 1), "GG")
    with pytest.raises(ImpossibleFact, match=refusal) as refused:
        notice_to_improve_invoke_early_ground(notice=notice, by=dsl, ground="Holiday", sessions=sessions)
    assert refused.value.field == "sessions"
    notice.refresh_from_db()
    assert (notice.early_ground_invoked, notice.early_ground_sessions) == ("", [])
    assert not CaseEvent.objects.filter(case=notice.case, summary__contains="a stated ground").exists()


def test_an_early_ground_is_refused_while_the_register_shows_no_unauthorised_session_since_the_notice(notice, dsl):
    add_marks(notice.case.pupil, THURSDAY, "/\\/\\")
    with time_machine.travel(FRIDAY_NOON, tick=False), pytest.raises(ImpossibleFact, match="No unauthorised session"):
        notice_to_improve_invoke_early_ground(notice=notice, by=dsl, ground="Holiday", sessions=[(THURSDAY, AM)])
    # On the day of issue itself nothing can have arisen yet.
    with pytest.raises(ImpossibleFact, match="arises after the notice was issued on 26 November 2025"):
        notice_to_improve_invoke_early_ground(notice=notice, by=dsl, ground="Holiday", sessions=[(TODAY, AM)])
    assert NoticeToImprove.objects.get(pk=notice.pk).early_ground_invoked == ""


def test_an_early_ground_session_must_fall_within_the_improvement_period(notice, dsl):
    add_marks(notice.case.pupil, dt.date(2025, 12, 17), "GGGG")  # the last day of the period, and the day after
    with time_machine.travel(dt.datetime(2025, 12, 19, 12, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ImpossibleFact, match="18 December 2025 AM: not an unauthorised session recorded"):
            notice_to_improve_invoke_early_ground(notice=notice, by=dsl, ground="Holiday",
                                                  sessions=[(dt.date(2025, 12, 18), AM)])
        recorded = notice_to_improve_invoke_early_ground(notice=notice, by=dsl, ground="Holiday",
                                                         sessions=[(dt.date(2025, 12, 17), PM)])
    assert recorded.early_ground_sessions == [{"date": "2025-12-17", "session": "PM", "code": "G"}]


def test_an_early_ground_needs_grounds_stated_in_the_notice(absent_since, dsl):
    NoticeToImprove.objects.filter(pk=absent_since.pk).update(early_penalty_grounds="")
    with pytest.raises(NoticeToImproveRefused, match="stated no grounds"):
        notice_to_improve_invoke_early_ground(notice=absent_since, by=dsl, ground="Holiday", sessions=[(THURSDAY, AM)])


def test_the_review_due_task_asks_for_the_outcome_once(notice, dsl):
    assert notices_to_improve_review_due.delay(as_of="2025-12-17").get()["entries_created"] == 0
    for _ in range(2):
        notices_to_improve_review_due.delay(as_of="2025-12-18").get()
    with time_machine.travel(dt.datetime(2025, 12, 19, 3, tzinfo=dt.UTC), tick=False):
        assert notices_to_improve_review_due.delay().get()["entries_created"] == 0
    entries = CaseEvent.objects.filter(case=notice.case, summary__startswith="Improvement period ended")
    assert [e.summary for e in entries] == [
        "Improvement period ended on 17 December 2025: record the outcome (notice to improve of 26 November 2025)"
    ]
    assert entries.get().by is None


def test_the_review_due_task_skips_notices_with_an_outcome(notice):
    NoticeToImprove.objects.filter(pk=notice.pk).update(outcome=NoticeOutcome.IMPROVED)
    assert notices_to_improve_review_due.delay(as_of="2025-12-30").get()["entries_created"] == 0


# --- permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["senco", "headteacher", "la_officer", "other_school_dsl"])
def test_only_the_dsl_and_attendance_officer_issue_and_record(request, case, dsl, mother, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotPermitted):
        _issue(case, user, [mother])
    notice = _issue(case, dsl, [mother])
    with time_machine.travel(dt.datetime(2025, 12, 18, 12, tzinfo=dt.UTC), tick=False), pytest.raises(NotPermitted):
        notice_to_improve_record_outcome(notice=notice, by=user, improved=True, note="x")
    with pytest.raises(NotPermitted):
        notice_to_improve_invoke_early_ground(notice=notice, by=user, ground="Holiday", sessions=[])


def test_the_attendance_officer_may_issue(case, attendance_officer, mother):
    assert _issue(case, attendance_officer, [mother]).created_by == attendance_officer


# --- the pages --------------------------------------------------------------------------------------


def _form(case, mother, **changes):
    ends = TODAY + dt.timedelta(days=21)
    data = {
        "parents": [str(mother.pk)],
        "issued_day": TODAY.day, "issued_month": TODAY.month, "issued_year": TODAY.year,
        "ends_day": ends.day, "ends_month": ends.month, "ends_year": ends.year,
        "support_so_far": SUPPORT_SO_FAR, "further_support": FURTHER_SUPPORT,
        "sufficient_improvement": SUFFICIENT, "early_penalty_grounds": EARLY_GROUNDS,
        "reason": "Threshold met and support not taken up", "confirm": "yes",
    }
    data.update(changes)
    return data


def _issue_url(case):
    return reverse("notices:nti_issue", args=[case.pk])


def test_the_case_page_offers_to_issue_a_notice(client, case, dsl):
    client.force_login(dsl)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f'href="{_issue_url(case)}"' in page
    assert _issue_url(case) == f"/cases/{case.pk}/notices-to-improve/new/"


def test_the_issue_page_lists_the_offences_and_issues_the_notice(client, case, dsl, mother):
    client.force_login(dsl)
    page = client.get(_issue_url(case))
    assert page.status_code == 200
    assert "Issue a notice to improve" in page.content.decode()
    assert "Fri 7 Nov 2025" in page.content.decode()
    response = client.post(_issue_url(case), _form(case, mother))
    assert response.status_code == 302
    assert response.url == reverse("case_notices", args=[case.pk]) + "#notices-heading"
    assert NoticeToImprove.objects.get().parents.get() == mother
    assert Case.objects.get(pk=case.pk).state == CaseState.NOTICE_TO_IMPROVE


def test_the_issue_page_shows_field_errors_without_saving(client, case, dsl, mother):
    client.force_login(dsl)
    response = client.post(_issue_url(case), _form(case, mother, parents=[], sufficient_improvement="", ends_day=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Select at least one parent or carer to issue the notice to" in body
    assert "Enter what sufficient improvement means for this pupil" in body
    assert "govuk-error-message" in body
    assert not NoticeToImprove.objects.exists()


def test_the_issue_page_shows_the_services_refusal_without_saving(client, case, dsl, mother):
    client.force_login(dsl)
    ends = TODAY + dt.timedelta(days=20)
    response = client.post(_issue_url(case), _form(case, mother, ends_day=ends.day, ends_month=ends.month))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "must end between 17 December 2025 and 7 January 2026, not on 16 December 2025" in body
    assert not NoticeToImprove.objects.exists()
    assert Case.objects.get(pk=case.pk).state == CaseState.FORMAL_SUPPORT


def test_a_parent_of_another_pupil_is_not_a_choice_on_the_page(client, case, dsl, mother, school):
    stranger = factories.ParentalRelationshipFactory(pupil=factories.PupilFactory(school=school)).parent
    client.force_login(dsl)
    response = client.post(_issue_url(case), _form(case, mother, parents=[str(stranger.pk)]))
    assert "Select only this pupil&#x27;s own parents and carers" in response.content.decode()
    assert not NoticeToImprove.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("senco", 403), ("la_officer", 403), ("other_school_dsl", 404)])
def test_the_issue_page_is_refused_to_others(request, client, case, mother, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_issue_url(case)).status_code == status
    assert client.post(_issue_url(case), _form(case, mother)).status_code == status
    assert not NoticeToImprove.objects.exists()


def test_the_outcome_page_refuses_before_the_end_and_records_after(client, notice, dsl):
    client.force_login(dsl)
    url = reverse("notices:nti_outcome", args=[notice.pk])
    response = client.post(url, {"improved": "improved", "note": "Full attendance"})
    assert response.status_code == 200
    assert "runs until 17 December 2025" in response.content.decode()
    assert NoticeToImprove.objects.get().outcome == NoticeOutcome.PENDING
    with time_machine.travel(dt.datetime(2025, 12, 18, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(dsl)  # the session of three weeks ago has expired
        case_page = client.get(reverse("case_notices", args=[notice.case_id])).content.decode()
        assert f'href="{url}"' in case_page
        assert "Record the outcome" in case_page
        assert "Select whether attendance improved sufficiently" in client.post(url, {"note": "x"}).content.decode()
        response = client.post(url, {"improved": "improved", "note": "Full attendance"})
    assert response.status_code == 302
    assert NoticeToImprove.objects.get().outcome == NoticeOutcome.IMPROVED


def test_the_early_ground_page_records_the_ground_with_the_sessions_ticked(client, absent_since, dsl, other_school_dsl):
    notice = absent_since
    url = reverse("notices:nti_early_ground", args=[notice.pk])
    client.force_login(other_school_dsl)
    assert client.get(url).status_code == 404
    client.force_login(dsl)
    page = client.get(url).content.decode()
    assert EARLY_GROUNDS in page
    # Only the unauthorised sessions since the notice are offered.
    assert 'value="2025-11-27:AM"' in page and 'value="2025-11-28:AM"' in page
    assert "Thursday 27 November 2025 AM (G)" in page and 'value="2025-11-27:PM"' not in page
    assert "Enter which of the stated grounds has arisen" in client.post(url, {"ground": ""}).content.decode()
    refused = client.post(url, {"ground": "Holiday 27-28 November"}).content.decode()
    assert '<a href="#id_sessions_0">Choose the unauthorised sessions' in refused  # the summary links to the boxes
    assert 'id="sessions-error"' in refused
    assert client.post(url, {"ground": "Holiday", "sessions": ["2025-11-26:AM"]}).status_code == 200  # not offered
    assert NoticeToImprove.objects.get().early_ground_invoked == ""
    response = client.post(url, {"ground": "Holiday 27-28 November", "sessions": ["2025-11-27:AM", "2025-11-28:AM"]})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.early_ground_invoked == "Holiday 27-28 November"
    assert [s["date"] for s in notice.early_ground_sessions] == ["2025-11-27", "2025-11-28"]
    case_page = client.get(reverse("case_notices", args=[notice.case_id])).content.decode()
    assert "Register sessions it rests on: Thursday 27 November 2025 AM (G); Friday 28 November 2025 AM (O)" in case_page


def test_the_early_ground_page_says_when_no_session_is_there_to_rest_on(client, notice, dsl):
    url = reverse("notices:nti_early_ground", args=[notice.pk])
    with time_machine.travel(FRIDAY_NOON, tick=False):
        client.force_login(dsl)
        assert "No unauthorised session is recorded in the register since" in client.get(url).content.decode()
        refused = client.post(url, {"ground": "Holiday"}).content.decode()
    assert "No unauthorised session is recorded in the register since the notice was issued on 26 November" in refused
    assert NoticeToImprove.objects.get().early_ground_invoked == ""


def test_a_future_date_of_issue_is_said_next_to_the_date_on_the_page(client, case, dsl, mother):
    client.force_login(dsl)
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client.post(_issue_url(case), _form(case, mother, issued_day=tomorrow.day, issued_month=tomorrow.month,
                                                    issued_year=tomorrow.year))
    body = response.content.decode()
    assert '<a href="#id_issued_day">The date of issue must be today or in the past' in body  # the summary links to it
    assert body.count("The date of issue must be today or in the past") == 2  # in the summary and next to the date
    assert not NoticeToImprove.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"issued_year": "99999999999999999999"}, "issued_day", "Year must include 4 numbers"),
        ({"ends_day": "99999999999999999999"}, "ends_day", "must be a real date"),
        ({"issued_year": "1999"}, "issued_day", "The date of issue must be on or after 1 January 2000"),
        ({"sufficient_improvement": "x" * 10_001}, "sufficient_improvement", "Enter 10,000 characters or fewer"),
    ],
    ids=["absurd-year", "absurd-day", "in-1999", "text-over-the-limit"],
)
def test_the_issue_page_refuses_impossible_facts_at_their_field(client, case, dsl, mother, changes, field, message):
    client.force_login(dsl)
    response = client.post(_issue_url(case), _form(case, mother, **changes))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not NoticeToImprove.objects.exists()


def test_the_notices_written_content_has_the_free_text_limit(case, dsl, mother):
    with pytest.raises(ImpossibleFact, match="10,000 characters or fewer") as refused:
        _issue(case, dsl, [mother], further_support="y" * 10_001)
    assert refused.value.field == "further_support"
    assert not NoticeToImprove.objects.exists()


def test_a_long_unbroken_text_in_the_letter_wraps_and_is_printed_whole(case, dsl, mother):
    written = "жщюя" * 1250
    notice = _issue(case, dsl, [mother], sufficient_improvement=written)
    letter = Letter.objects.get(subject_key=f"nti:{notice.pk}")
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(letter.pdf))).pages)
    assert "".join(ch for ch in raw if ch in "жщюя") == written
    assert max(len(run) for run in re.findall("[жщюя]+", raw)) < 200


# --- the date of issue and service ------------------------------------------------------------------


def test_the_letter_is_dated_and_served_on_the_date_of_issue_not_the_day_it_was_made(case, dsl, mother):
    """Issued (back-dated) on 19 November and recorded on 26 November: the letter's date is the date of issue,
    the date the improvement period runs from."""
    notice = _issue(case, dsl, [mother], issued_on=dt.date(2025, 11, 19), ends_on=dt.date(2025, 12, 10))
    letter = Letter.objects.get(subject_key=f"nti:{notice.pk}")
    top = " ".join(PdfReader(io.BytesIO(bytes(letter.pdf))).pages[0].extract_text().split())[:400]
    assert "19 November 2025" in top and "26 November 2025" not in top
    assert "Date of issue 19 November 2025" in _text(letter)
    assert (letter.service_method, letter.served_on) == ("post", dt.date(2025, 11, 19))
    summaries = [e.summary for e in CaseEvent.objects.filter(case=case, kind=EventKind.LETTER)
                 if f"letter:{letter.pk}" in e.evidence]
    assert summaries == ["Letter to Jane Hughes: Notice to improve, served by post on 19 November 2025"]


def test_a_notice_to_improve_is_not_posted_to_a_parent_without_an_address(case, dsl, mother, father):
    father.address = ""
    father.save()
    with pytest.raises(DomainError, match="Add an address for Mark Hughes on their record, or hand the notice to "
                                          "improve over in person"):
        _issue(case, dsl, [mother, father])
    assert not NoticeToImprove.objects.exists() and not Letter.objects.exists()
    assert Case.objects.get(pk=case.pk).state == CaseState.FORMAL_SUPPORT
    # Handed over in person instead, it is issued and recorded so.
    notice = _issue(case, dsl, [mother, father], service_method="hand")
    assert set(Letter.objects.filter(subject_key=f"nti:{notice.pk}").values_list("service_method", flat=True)) == {
        "hand"}


# --- the confirmation, and the support so far drawn from the case's records -------------------------------


def test_the_issue_page_asks_for_confirmation_and_changes_nothing_until_confirmed(client, case, dsl, mother):
    client.force_login(dsl)
    page = client.post(_issue_url(case), _form(case, mother, confirm="")).content.decode()
    assert "Check before you issue the notice to improve" in page
    consequences = re.search(r'data-testid="confirm-consequences"(.*?)</ul>', page, re.S).group(1)
    assert "The case moves from “Formal support (attendance contract)” to the notice to improve stage." in consequences
    assert "with a letter to each of Jane Hughes" in consequences and "until 17 December 2025" in consequences
    assert 'data-testid="confirm-rests-on"' in page  # the ladder's evidence
    assert not NoticeToImprove.objects.exists() and not Letter.objects.exists()
    assert Case.objects.get(pk=case.pk).state == CaseState.FORMAL_SUPPORT

    changed = client.post(_issue_url(case), _form(case, mother, confirm="", change="yes")).content.decode()
    assert "<h1 class=\"govuk-heading-l\">Issue a notice to improve</h1>" in changed and SUFFICIENT in changed
    assert not NoticeToImprove.objects.exists()

    assert client.post(_issue_url(case), _form(case, mother)).status_code == 302  # confirm=yes
    assert NoticeToImprove.objects.count() == 1


def test_the_support_so_far_is_ticked_from_the_records_and_fixed_in_the_letter_at_issue(client, case, dsl, mother):
    plan = SupportPlan.objects.get(case=case)
    client.force_login(dsl)
    page = client.get(_issue_url(case)).content.decode()
    record = f"support_plan:{plan.pk}"
    assert f'value="{record}"' in page and "Support plan agreed on 7 October 2025: Mornings" in page

    refused = client.post(_issue_url(case), _form(case, mother, support_so_far="")).content.decode()
    assert "Select the support provided so far, or describe it below" in refused
    assert not NoticeToImprove.objects.exists()

    stranger = client.post(_issue_url(case), _form(case, mother, support_so_far="", support_records=["meeting:999"]))
    assert "Select only support recorded on this case" in stranger.content.decode()

    confirm = client.post(_issue_url(case), _form(case, mother, support_so_far="", support_records=[record],
                                                  confirm="")).content.decode()
    assert "- Support plan agreed on 7 October 2025: Mornings" in confirm

    response = client.post(_issue_url(case), _form(case, mother, support_so_far="Lifts offered by the school",
                                                   support_records=[record]))
    assert response.status_code == 302
    letter = Letter.objects.get(case=case)
    assert letter.context["support_so_far"] == "- Support plan agreed on 7 October 2025: Mornings\nLifts offered by the school"
    # Fixed at issue: a later change to the plan does not change what the letter says.
    SupportPlan.objects.filter(pk=plan.pk).update(barriers="Something else")
    letter.refresh_from_db()
    assert "Mornings" in letter.context["support_so_far"]
    issued = CaseEvent.objects.get(case=case, summary__startswith="Notice to improve issued")
    assert record in issued.evidence  # cited, so the chronology links the plan
    chronology = client.get(reverse("case_chronology", args=[case.pk])).content.decode()
    assert reverse("interventions:support_plan_detail", args=[case.pk, plan.pk]) in chronology


def test_the_ladder_box_is_the_one_place_that_offers_the_notice(client, case, dsl):
    client.force_login(dsl)
    overview = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    notices = client.get(reverse("case_notices", args=[case.pk])).content.decode()
    assert overview.count(f'href="{_issue_url(case)}"') == 1
    assert f'href="{_issue_url(case)}"' not in notices


def test_a_period_outside_the_limits_is_refused_beside_its_field_before_any_confirmation(client, case, dsl, mother):
    ends = TODAY + dt.timedelta(weeks=7)
    client.force_login(dsl)
    page = client.post(_issue_url(case), _form(case, mother, confirm="", ends_day=ends.day, ends_month=ends.month,
                                               ends_year=ends.year)).content.decode()
    assert "Check before you issue" not in page
    assert "The improvement period must be between 3 and 6 weeks" in page and 'href="#id_ends_day"' in page
    assert not NoticeToImprove.objects.exists()
