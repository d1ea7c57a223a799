"""The register in the product: one session amended, stale N codes resolved in bulk, any year on record with its
per-code breakdown. The amendment rules are domain.md 1's; the stale N and the figures are the scan's own."""
from __future__ import annotations

import datetime as dt
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import rules
from cases.models import AuditEvent, Mark, MarkAmendment, Role
from cases.permissions import NotPermitted
from cases.scan import scan
from cases.selectors.register import school_stale_n
from cases.services.register import (
    AmendmentRefused,
    AmendmentsRefused,
    SessionChoice,
    mark_amend,
    marks_amend,
)
from tests import factories
from tests.conftest import _staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)  # a Thursday
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
frozen = time_machine.travel(NOW, tick=False)


def _weekdays(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _mark(pupil, day: date, session: int, code: str, school=None) -> Mark:
    return Mark.objects.create(pupil=pupil, date=day, session=session, code=code, school=school or pupil.school)


def _term(pupil, start: date, end: date, code: str = "/", school=None) -> None:
    Mark.objects.bulk_create(
        Mark(pupil=pupil, date=day, session=session, code=code if session == rules.AM or code != "/" else "\\",
             school=school or pupil.school)
        for day in _weekdays(start, end) for session in (rules.AM, rules.PM)
    )


@pytest.fixture
def officer(school):
    user = _staff("attendance", Role.ATTENDANCE_OFFICER, "Attendance Officer", school=school)
    user.first_name, user.last_name = "Kiran", "Patel"
    user.save()
    return user


# --- the rules: what a stale N is, what the breakdown counts --------------------------------------------------


def test_the_stale_n_sessions_are_the_ones_the_scan_counts_with_their_school_days_after():
    monday = date(2026, 11, 2)
    marks = [(monday, rules.AM, "N"), (monday, rules.PM, "N")]
    marks += [(monday + timedelta(days=d), s, "/") for d in (1, 2, 3, 4, 7) for s in (rules.AM, rules.PM)]
    marks += [(date(2026, 11, 10), rules.AM, "N")]  # two school days after it: not stale
    marks += [(date(2026, 11, 11), s, "#") for s in (rules.AM, rules.PM)]  # a closure is no school day
    marks += [(date(2026, 11, 12), rules.AM, "/")]
    marks.sort()
    stale = list(rules.stale_n_sessions(marks, as_of=date(2026, 11, 12), since=date(2026, 9, 1)))
    assert [(s.date, s.session, s.school_days_after) for s in stale] == [
        (monday, rules.AM, 7), (monday, rules.PM, 7)]
    assert len(stale) == rules.stale_n_count(marks, as_of=date(2026, 11, 12), since=date(2026, 9, 1))


@pytest.mark.parametrize(("code", "on", "valid"), [
    ("H", date(2024, 8, 18), True),
    ("H", date(2024, 8, 19), False),
    ("Y", date(2024, 8, 18), True),
    ("Y", date(2024, 8, 19), False),
    ("Y1", date(2024, 8, 19), True),
    ("N", date(2024, 8, 19), True),
], ids=["H-day-before", "H-first-day-of-2024-codes", "Y-day-before", "Y-after", "Y1", "N"])
def test_codes_valid_on_a_date_are_the_regulations_of_that_date(code, on, valid):
    assert (code in rules.codes_valid_on(on)) is valid


def test_the_code_breakdown_counts_each_code_and_its_share_of_the_possible_sessions():
    monday = date(2025, 9, 8)
    codes = ["/", "\\", "/", "\\", "I", "I", "N", "O", "#", "#"]
    marks = [(monday + timedelta(days=n // 2), n % 2, code) for n, code in enumerate(codes)]
    marks.append((date(2025, 8, 29), rules.AM, "G"))  # the year before: not in 2025/26
    marks.sort()
    breakdown = rules.code_breakdown(marks, as_of=date(2026, 8, 31))
    rows = {row.code: (row.sessions, row.percent_of_possible, row.category_name) for row in breakdown.rows}
    assert rows == {
        "/": (2, 25.0, "Present"), "\\": (2, 25.0, "Present"), "I": (2, 25.0, "Authorised absence: other"),
        "N": (1, 12.5, "Unauthorised absence"), "O": (1, 12.5, "Unauthorised absence"),
        "#": (2, None, "Not counted (not a possible session)"),
    }
    assert [row.code for row in breakdown.rows] == ["/", "\\", "I", "N", "O", "#"]  # by category, then code
    assert (breakdown.possible, breakdown.attended, breakdown.attendance_pct) == (8, 4, 50.0)
    assert all(row.meaning == rules.code_meaning(row.code) for row in breakdown.rows)


# --- one session amended: the rules of the register ----------------------------------------------------------


@pytest.fixture
def register(pupil, other_school):
    _mark(pupil, TODAY, rules.AM, "N")
    _mark(pupil, TODAY - timedelta(days=1), rules.PM, "O")
    _mark(pupil, date(2024, 8, 18), rules.AM, "O")  # a Sunday: the day before the 2024 codes
    _mark(pupil, date(2024, 8, 19), rules.AM, "O")
    _mark(pupil, TODAY - timedelta(days=2), rules.AM, "N", school=other_school)  # before the pupil moved here
    return pupil


REFUSALS = [
    ("tomorrow", TODAY + timedelta(days=1), rules.AM, "O", "Parent phoned", "date", "in the future"),
    ("no-mark", TODAY, rules.PM, "O", "Parent phoned", "date", "No mark is recorded"),
    ("old-code-on-2024-08-19", date(2024, 8, 19), rules.AM, "H", "Agreed holiday", "code",
     "withdrawn by the 2024 regulations"),
    ("not-a-code", TODAY, rules.AM, "ZZ", "Parent phoned", "code", "not an attendance code"),
    ("same-code", TODAY, rules.AM, "N", "Parent phoned", "code", "already coded N"),
    ("empty-reason", TODAY, rules.AM, "O", "   ", "reason", "Enter the reason"),
    ("reason-too-long", TODAY, rules.AM, "O", "x" * 201, "reason", "200 characters or fewer"),
    ("another-schools-mark", TODAY - timedelta(days=2), rules.AM, "O", "Parent phoned", "date",
     "recorded by another school"),
]


@pytest.mark.parametrize(("day", "session", "code", "reason", "field", "message"),
                         [row[1:] for row in REFUSALS], ids=[row[0] for row in REFUSALS])
def test_an_amendment_the_register_does_not_allow_is_refused_and_changes_nothing(
        register, officer, day, session, code, reason, field, message):
    before = sorted(Mark.objects.values_list("date", "session", "code"))
    with pytest.raises(AmendmentRefused, match=message) as refused:
        mark_amend(pupil=register, date=day, session=session, code=code, reason=reason, by=officer, today=TODAY)
    assert refused.value.field == field
    assert sorted(Mark.objects.values_list("date", "session", "code")) == before
    assert not MarkAmendment.objects.exists()
    assert not AuditEvent.objects.filter(action="register.amend").exists()


ALLOWED = [
    ("today", TODAY, rules.AM, "O"),
    ("old-code-on-2024-08-18", date(2024, 8, 18), rules.AM, "H"),
    ("new-code-on-2024-08-19", date(2024, 8, 19), rules.AM, "G"),
]


@pytest.mark.parametrize(("day", "session", "code"), [row[1:] for row in ALLOWED], ids=[row[0] for row in ALLOWED])
def test_an_allowed_amendment_changes_the_code(register, officer, day, session, code):
    with frozen:
        mark_amend(pupil=register, date=day, session=session, code=code, reason="Parent phoned", by=officer,
                   today=TODAY)
    assert Mark.objects.get(pupil=register, date=day, session=session).code == code


def test_the_amendment_keeps_the_original_the_new_code_the_reason_when_and_who_with_their_position(
        register, officer):
    with frozen:
        amendment = mark_amend(pupil=register, date=TODAY, session=rules.AM, code="O", reason="No reason given",
                               by=officer, today=TODAY)
    stored = MarkAmendment.objects.get()
    assert stored == amendment
    assert (stored.pupil_id, stored.date, stored.session) == (register.pk, TODAY, rules.AM)
    assert (stored.original_code, stored.amended_code, stored.reason) == ("N", "O", "No reason given")
    assert stored.amended_at == NOW
    assert (stored.amended_by_name, stored.amended_by_position) == ("Kiran Patel", "Attendance Officer")
    row = AuditEvent.objects.get(action="register.amend")
    assert (row.username, row.upn) == ("attendance", register.upn) and "N amended to O" in row.detail


def test_without_a_job_title_the_position_is_the_role(register, school):
    dsl = _staff("dsl2", Role.DSL, "", school=school)
    dsl.first_name = dsl.last_name = ""
    dsl.save()
    amendment = mark_amend(pupil=register, date=TODAY, session=rules.AM, code="O", reason="x", by=dsl, today=TODAY)
    assert amendment.amended_by_name == "dsl2"
    assert amendment.amended_by_position == Role.DSL.label


@pytest.mark.parametrize("persona", ["senco", "headteacher", "la_officer", "other_school_dsl", "governor"])
def test_only_the_dsl_and_the_attendance_officer_of_the_pupils_school_amend(request, register, school, persona):
    if persona == "governor":
        user = _staff("governor", Role.GOVERNOR, "Chair of Governors", school=school)
    else:
        user = request.getfixturevalue(persona)
    with pytest.raises(NotPermitted):
        mark_amend(pupil=register, date=TODAY, session=rules.AM, code="O", reason="x", by=user, today=TODAY)
    assert Mark.objects.get(pupil=register, date=TODAY, session=rules.AM).code == "N"


def test_an_amendment_queues_one_rescan_of_the_school_after_commit(
        register, officer, monkeypatch, django_capture_on_commit_callbacks):
    from cases import tasks

    queued = []
    monkeypatch.setattr(tasks.nightly_attendance_scan, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mark_amend(pupil=register, date=TODAY, session=rules.AM, code="O", reason="x", by=officer, today=TODAY)
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [{"school_ids": [register.school_id]}]


def test_after_an_amendment_the_pupils_figures_follow_the_register(
        pupil, officer, django_capture_on_commit_callbacks):
    from cases.models import Alert, AlertKind, AttendanceSnapshot
    from cases.nightly import nightly_scan

    with frozen:
        _term(pupil, date(2026, 11, 2), TODAY)
        Mark.objects.filter(pupil=pupil, date=date(2026, 11, 2), session=rules.AM).update(code="N")
        nightly_scan()
        assert AttendanceSnapshot.objects.get(pupil=pupil).stale_n_sessions == 1
        with django_capture_on_commit_callbacks(execute=True):
            mark_amend(pupil=pupil, date=date(2026, 11, 2), session=rules.AM, code="I", reason="Ill, mother phoned",
                       by=officer)
    snapshot = AttendanceSnapshot.objects.get(pupil=pupil)
    assert (snapshot.stale_n_sessions, snapshot.pending_n_sessions, snapshot.illness_sessions) == (0, 0, 1)
    assert Alert.objects.filter(pupil=pupil, kind=AlertKind.STALE_N).count() == 1  # raised before, not again


# --- the amendment screen -------------------------------------------------------------------------------------


def test_the_officer_amends_a_session_from_the_register_and_sees_it_there(client, register, officer):
    client.force_login(officer)
    with frozen:
        form = client.get(f"/pupils/{register.upn}/register/amend/", {"date": TODAY.isoformat(), "session": "AM"})
        assert form.status_code == 200
        assert "Recorded now for Thursday 26 November 2026 AM" in form.content.decode()
        page = client.get(f"/pupils/{register.upn}/").content.decode()
        assert f"/pupils/{register.upn}/register/amend/?date={TODAY.isoformat()}&amp;session=AM" in page

        missing = client.post(f"/pupils/{register.upn}/register/amend/",
                              {"date": TODAY.isoformat(), "session": "0", "code": "O", "reason": ""})
        assert missing.status_code == 200
        body = missing.content.decode()
        assert "Enter the reason for the amendment" in body and 'href="#id_reason"' in body
        assert not MarkAmendment.objects.exists()

        done = client.post(f"/pupils/{register.upn}/register/amend/",
                           {"date": TODAY.isoformat(), "session": "0", "code": "O", "reason": "No reason given"})
        assert done.status_code == 302 and done.url == f"/pupils/{register.upn}/?year=2026#amendments-heading"
        page = client.get(done.url).content.decode()
    assert "amended from N to O" in page
    assert "No reason given" in page and "Kiran Patel" in page and "Attendance Officer" in page
    assert rules.code_meaning("N") in page and rules.code_meaning("O") in page


def test_a_refusal_of_the_service_is_shown_on_its_field(client, register, officer):
    client.force_login(officer)
    with frozen:
        response = client.post(f"/pupils/{register.upn}/register/amend/",
                               {"date": "2024-08-19", "session": "0", "code": "H", "reason": "Agreed holiday"})
    body = response.content.decode()
    assert response.status_code == 200 and "withdrawn by the 2024 regulations" in body
    assert 'id="id_code-error"' in body
    assert Mark.objects.get(pupil=register, date=date(2024, 8, 19)).code == "O"


@pytest.mark.parametrize(("persona", "status"), [("senco", 403), ("headteacher", 403), ("la_officer", 403),
                                                 ("other_school_dsl", 404)])
def test_the_amendment_screen_refuses_other_roles_and_other_schools(client, request, register, persona, status):
    client.force_login(request.getfixturevalue(persona))
    path = f"/pupils/{register.upn}/register/amend/"
    assert client.get(path).status_code == status
    posted = client.post(path, {"date": TODAY.isoformat(), "session": "0", "code": "O", "reason": "x"})
    assert posted.status_code == status
    assert not MarkAmendment.objects.exists()


def test_the_senco_sees_the_register_without_amendment_links(client, register, senco):
    client.force_login(senco)
    with frozen:
        page = client.get(f"/pupils/{register.upn}/").content.decode()
    assert 'data-code="N"' in page and 'data-code="O"' in page  # the register is there, as text
    assert "/register/amend/" not in page and "/register/stale-n/" not in page


# --- stale N codes, in bulk ----------------------------------------------------------------------------------


def _stale_pupils(school, count: int, start: int = 0) -> list:
    """Pupils with a fortnight of marks each, and N on the first Monday's morning and afternoon (stale)."""
    pupils = []
    for n in range(start, start + count):
        pupil = factories.PupilFactory(school=school, surname=f"Stale{n:02d}", forename="Pat",
                                       upn=f"B{873000000000 + n:012d}")
        _term(pupil, date(2026, 11, 9), TODAY)
        Mark.objects.filter(pupil=pupil, date=date(2026, 11, 9)).update(code="N")
        pupils.append(pupil)
    return pupils


def test_the_stale_n_list_is_what_the_scan_counts(school, other_school):
    pupils = _stale_pupils(school, 3)
    recent = factories.PupilFactory(school=school, surname="Recent", upn="B873999999999")
    _term(recent, date(2026, 11, 9), TODAY)
    Mark.objects.filter(pupil=recent, date=date(2026, 11, 23), session=rules.AM).update(code="N")  # 3 days after
    rows = school_stale_n(school=school, today=TODAY)
    assert [(row.pupil, row.date, row.session) for row in rows] == [
        (pupil, date(2026, 11, 9), session) for pupil in pupils for session in (rules.AM, rules.PM)]
    assert all(row.school_days_after == 13 for row in rows)
    assert len(rows) == sum(result.measures.stale_n_sessions for result in scan(as_of=TODAY, school_ids=[school.pk]))


def test_the_stale_n_list_filters_by_year_group_and_search(school):
    pupils = _stale_pupils(school, 3)
    pupils[1].year_group = "9"
    pupils[1].save()
    assert {row.pupil for row in school_stale_n(school=school, today=TODAY, year_group="9")} == {pupils[1]}
    assert {row.pupil for row in school_stale_n(school=school, today=TODAY, search="stale02")} == {pupils[2]}
    assert {row.pupil for row in school_stale_n(school=school, today=TODAY, search=pupils[0].upn)} == {pupils[0]}


def test_the_stale_n_page_reads_the_same_number_of_queries_whatever_its_rows(client, officer, school):
    client.force_login(officer)

    def queries_for_page(pupils: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/schools/123456/register/stale-n/")
        assert response.content.decode().count('name="sessions"') == 2 * pupils
        return len(queries)

    with frozen:
        _stale_pupils(school, 2)
        client.get("/schools/123456/register/stale-n/")
        small = queries_for_page(2)
        _stale_pupils(school, 10, start=2)
        large = queries_for_page(12)
    assert small == large <= 10


def test_two_stale_n_codes_are_resolved_after_the_confirmation_page(client, officer, school,
                                                                  django_capture_on_commit_callbacks):
    pupils = _stale_pupils(school, 2)
    client.force_login(officer)
    chosen = [f"{pupils[0].pk}:2026-11-09:0", f"{pupils[1].pk}:2026-11-09:1"]
    with frozen:
        check = client.post("/schools/123456/register/stale-n/",
                            {"sessions": chosen, "code": "O", "reason": "No reason given after two letters"})
        body = check.content.decode()
        assert check.status_code == 200 and "Check the amendments before they are made" in body
        assert "Amend 2 sessions" in body and "Stale00" in body and "Stale01" in body
        assert Mark.objects.filter(code="N").count() == 4  # nothing changed yet
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            done = client.post("/schools/123456/register/stale-n/confirm/",
                               {"sessions": chosen, "code": "O", "reason": "No reason given after two letters"})
    assert done.status_code == 302 and done.url == "/schools/123456/register/stale-n/"
    assert sorted(MarkAmendment.objects.values_list("pupil_id", "session", "original_code", "amended_code")) == [
        (pupils[0].pk, rules.AM, "N", "O"), (pupils[1].pk, rules.PM, "N", "O")]
    assert set(MarkAmendment.objects.values_list("reason", flat=True)) == {"No reason given after two letters"}
    assert Mark.objects.filter(code="N").count() == 2
    assert len(callbacks) == 1  # one re-scan for the whole batch
    assert AuditEvent.objects.filter(action="register.amend").count() == 2


def test_one_bad_session_in_a_bulk_amendment_changes_nothing_and_is_named(school, officer, pupil,
                                                                          django_capture_on_commit_callbacks):
    pupils = _stale_pupils(school, 3)
    Mark.objects.filter(pupil=pupils[1], date=date(2026, 11, 9), session=rules.PM).update(code="I")  # meanwhile
    choices = [SessionChoice(pupil=p, date=date(2026, 11, 9), session=s, seen_code="N")
               for p in pupils for s in (rules.AM, rules.PM)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks, \
            pytest.raises(AmendmentsRefused) as refused:
        marks_amend(school=school, sessions=choices, code="O", reason="No reason given", by=officer, today=TODAY)
    assert refused.value.problems == [
        f"{pupils[1]}, 9 November 2026 PM: 9 November 2026 PM changed to I since you chose it (it was N)."]
    assert "Nothing was changed" in str(refused.value)
    assert Mark.objects.filter(code="N").count() == 5
    assert not MarkAmendment.objects.exists() and not callbacks


def test_a_bulk_amendment_refused_on_the_page_says_which_session_and_keeps_the_choice(client, officer, school):
    pupils = _stale_pupils(school, 2)
    chosen = [f"{pupils[0].pk}:2026-11-09:0", f"{pupils[1].pk}:2026-11-09:0"]
    client.force_login(officer)
    with frozen:
        # The second session was amended by someone else between the confirmation and the button.
        Mark.objects.filter(pupil=pupils[1], date=date(2026, 11, 9), session=rules.AM).update(code="I")
        response = client.post("/schools/123456/register/stale-n/confirm/",
                               {"sessions": chosen, "code": "O", "reason": "No reason given"})
    body = response.content.decode()
    assert response.status_code == 200 and "no longer a stale N code" in body
    assert not MarkAmendment.objects.exists() and Mark.objects.filter(pupil=pupils[0], code="N").count() == 2


@pytest.mark.parametrize(("persona", "status"), [("senco", 403), ("headteacher", 403), ("la_officer", 403),
                                                 ("other_school_dsl", 404), ("governor", 403)])
def test_the_stale_n_pages_refuse_other_roles_and_other_schools(client, request, school, persona, status):
    pupils = _stale_pupils(school, 1)
    user = (_staff("governor", Role.GOVERNOR, "Chair", school=school) if persona == "governor"
            else request.getfixturevalue(persona))
    client.force_login(user)
    data = {"sessions": [f"{pupils[0].pk}:2026-11-09:0"], "code": "O", "reason": "x"}
    with frozen:
        assert client.get("/schools/123456/register/stale-n/").status_code == status
        assert client.post("/schools/123456/register/stale-n/", data).status_code == status
        assert client.post("/schools/123456/register/stale-n/confirm/", data).status_code == status
    assert not MarkAmendment.objects.exists()


def test_the_dsl_resolves_stale_n_codes_too_and_the_list_is_audited(client, dsl, school):
    _stale_pupils(school, 1)
    client.force_login(dsl)
    with frozen:
        assert client.get("/schools/123456/register/stale-n/", {"year_group": "5"}).status_code == 200
    row = AuditEvent.objects.get(action="register.stale_n.list")
    assert row.path == "/schools/123456/register/stale-n/?year_group=5"


def test_sending_the_stale_n_form_empty_says_what_to_choose(client, officer, school):
    _stale_pupils(school, 1)
    client.force_login(officer)
    with frozen:
        body = client.post("/schools/123456/register/stale-n/", {}).content.decode()
    for message in ("Choose at least one session to amend", "Choose the new code",
                    "Enter the reason for the amendment"):
        assert message in body
    assert 'href="#session-1"' in body


# --- any year on record, with its breakdown -------------------------------------------------------------------


def test_the_pupils_register_shows_any_year_with_marks_and_its_breakdown_matches_the_scan(client, dsl, pupil):
    _term(pupil, date(2024, 9, 2), date(2024, 9, 13))
    Mark.objects.filter(pupil=pupil, date=date(2024, 9, 4)).update(code="G")
    Mark.objects.filter(pupil=pupil, date=date(2024, 9, 5), session=rules.AM).update(code="#")
    _term(pupil, date(2026, 11, 2), date(2026, 11, 6))
    client.force_login(dsl)
    with frozen:
        this_year = client.get(f"/pupils/{pupil.upn}/").content.decode()
        past = client.get(f"/pupils/{pupil.upn}/", {"year": "2024"}).content.decode()
        unknown = client.get(f"/pupils/{pupil.upn}/", {"year": "2019"}).content.decode()
    assert '<option value="2026" selected>2026/27 (this year)</option>' in this_year
    assert '<option value="2024">2024/25</option>' in this_year
    assert '<option value="2025"' not in this_year  # no marks in 2025/26
    assert "Register from 1 September 2024 to 31 August 2025" in past
    assert "Register from 1 September 2026 to 26 November 2026" in unknown  # not on record: this year

    (result,) = scan(as_of=date(2025, 8, 31), upns=[pupil.upn])
    assert result.measures.possible_sessions == 19
    assert f'data-testid="breakdown-possible">{result.measures.possible_sessions}<' in past
    assert f"{result.measures.attendance_pct}% ({result.measures.attended_sessions} of 19 possible" in past
    assert '<tr class="govuk-table__row" data-code="G">' in past
    assert f"<td class=\"govuk-table__cell\">{rules.code_meaning('G')}</td>" in past
    g_row = past[past.index('<tr class="govuk-table__row" data-code="G">'):]
    assert ">2<" in g_row[:900] and "10.5%" in g_row[:900]  # 2 of 19 possible
    assert AuditEvent.objects.filter(action="pupil.view", detail="register of 2024/25").count() == 1
