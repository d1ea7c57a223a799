"""The casework screens over HTTP: who may see what, filters, the pupil page, alerts, the LA overview."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cases.models import Alert, AlertKind, AttendanceSnapshot, AuditEvent, MarkAmendment, SenStatus
from tests import factories

TODAY = dt.date(2025, 11, 21)  # a Friday in the autumn term


def _snapshot(pupil, *, pct="97.0", persistent=False, severe=False, threshold=False, cme=False, **extra):
    fields = {
        "as_of": TODAY,
        "possible_sessions": 100,
        "attended_sessions": int(Decimal(pct)) if pct is not None else 0,
        "attendance_pct": Decimal(pct) if pct is not None else None,
        "persistent_absence": persistent,
        "severe_absence": severe,
        "unauthorised_in_window": 0,
        "pn_threshold_met": threshold,
        "pn_threshold_first_met": None,
        "pending_n_sessions": 0,
        "stale_n_sessions": 0,
        "illness_sessions": 0,
        "sickness_return_due": False,
        "unexplained_run_sessions": 0,
        "cme_risk": cme,
        "late_marks_recent": 0,
        "lateness_concern": False,
    }
    fields.update(extra)
    return AttendanceSnapshot.objects.create(pupil=pupil, **fields)


def _alert(pupil, kind=AlertKind.PERSISTENT_ABSENCE, key="2025", raised_on=TODAY, **extra):
    return Alert.objects.create(
        pupil=pupil, school=pupil.school, kind=kind, dedup_key=key, raised_on=raised_on,
        detail="Attendance 88.0% this academic year", **extra,
    )


def _upns(response) -> list[str]:
    return re.findall(r'data-upn="([A-Z]\d{12})"', response.content.decode())


def _workspace(school):
    return reverse("school_pupils", kwargs={"urn": school.urn})


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/", "/schools/123456/pupils/", "/schools/123456/alerts/", "/pupils/A123456789012/", "/la/873/"],
    ids=["home", "workspace", "alerts", "pupil", "la"],
)
def test_anonymous_visitor_is_sent_to_sign_in(client, pupil, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_signed_in_user_without_a_staff_role_is_refused(client, school, pupil):
    client.force_login(factories.UserFactory(username="nobody"))
    for url in ("/", _workspace(school), reverse("pupil_detail", kwargs={"upn": pupil.upn}), "/la/873/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"You cannot see this page" in response.content


# The DSL and the attendance officer start on their caseload instead (tests/cases/test_case_views.py),
# the SENCo on the register of adjustments.
def test_the_headteacher_starts_on_my_work(client, school, headteacher):
    client.force_login(headteacher)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/my-work/"
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"Meadow Lane Primary School" in page.content


def test_la_officer_starts_on_the_la_overview(client, la_officer):
    client.force_login(la_officer)
    response = client.get("/")
    assert response.url == reverse("la_overview", kwargs={"code": "873"})


@pytest.mark.parametrize("persona", ["dsl", "attendance_officer", "senco", "headteacher"])
def test_school_staff_can_open_their_pupils_page(client, request, pupil, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("pupil_detail", kwargs={"upn": pupil.upn})).status_code == 200


def test_another_schools_dsl_gets_404_for_our_pupil_and_our_workspace(client, other_school_dsl, school, pupil):
    client.force_login(other_school_dsl)
    assert client.get(reverse("pupil_detail", kwargs={"upn": pupil.upn})).status_code == 404
    assert client.get(_workspace(school)).status_code == 404
    assert client.get(reverse("school_alerts", kwargs={"urn": school.urn})).status_code == 404
    assert not AuditEvent.objects.filter(action="pupil.view").exists()


def test_la_officer_cannot_open_pupil_pages_or_school_workspaces(client, la_officer, school, pupil):
    client.force_login(la_officer)
    assert client.get(reverse("pupil_detail", kwargs={"upn": pupil.upn})).status_code == 403
    assert client.get(_workspace(school)).status_code == 403
    assert client.get(reverse("school_alerts", kwargs={"urn": school.urn})).status_code == 403


def test_school_staff_cannot_open_the_la_overview(client, dsl):
    client.force_login(dsl)
    assert client.get(reverse("la_overview", kwargs={"code": "873"})).status_code == 403


def test_la_officer_cannot_open_another_las_overview(client, la_officer, other_la_school):
    client.force_login(la_officer)
    assert client.get(reverse("la_overview", kwargs={"code": "312"})).status_code == 404


def test_unknown_pupil_is_a_gov_uk_styled_404(client, dsl):
    client.force_login(dsl)
    response = client.get(reverse("pupil_detail", kwargs={"upn": "Z999999999999"}))
    assert response.status_code == 404
    assert b"Page not found" in response.content


# --- workspace -------------------------------------------------------------------------------


@pytest.fixture
def cohort(school, other_school):
    """Six pupils with one distinguishing feature each, and one at another school."""
    make = factories.PupilFactory
    pupils = {
        "plain": make(upn="A000000000001", forename="Ava", surname="Adams", school=school, year_group="3"),
        "persistent": make(upn="A000000000002", forename="Ben", surname="Baker", school=school, year_group="5"),
        "severe": make(upn="A000000000003", forename="Cara", surname="Clark", school=school, year_group="5",
                       sen_status=SenStatus.EHC_PLAN),
        "threshold": make(upn="A000000000004", forename="Dev", surname="Doshi", school=school, year_group="6",
                          fsm=True, sen_status=SenStatus.SEN_SUPPORT),
        "cme": make(upn="A000000000005", forename="Ella", surname="Evans", school=school, year_group="6",
                    social_worker=True),
        "no_snapshot": make(upn="A000000000006", forename="Finn", surname="Fox", school=school, year_group="3"),
        "elsewhere": make(upn="B000000000001", forename="Gus", surname="Green", school=other_school,
                          year_group="5"),
    }
    _snapshot(pupils["plain"], pct="98.5")
    _snapshot(pupils["persistent"], pct="85.0", persistent=True)
    _snapshot(pupils["severe"], pct="40.0", persistent=True, severe=True)
    _snapshot(pupils["threshold"], pct="91.0", threshold=True)
    _snapshot(pupils["cme"], pct="70.0", persistent=True, cme=True)
    _snapshot(pupils["elsewhere"], pct="50.0", persistent=True, severe=True)
    _alert(pupils["threshold"], kind=AlertKind.THRESHOLD_MET, key="2025-10-01")
    _alert(pupils["cme"], kind=AlertKind.CME_RISK)
    _alert(pupils["plain"], kind=AlertKind.LATENESS_CONCERN, resolved_at=dt.datetime(2025, 11, 1, tzinfo=dt.UTC))
    _alert(pupils["elsewhere"])
    return pupils


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["A000000000001", "A000000000002", "A000000000003", "A000000000004", "A000000000005",
              "A000000000006"]),
        ({"flag": "persistent"}, ["A000000000002", "A000000000003", "A000000000005"]),
        ({"flag": "severe"}, ["A000000000003"]),
        ({"flag": "threshold"}, ["A000000000004"]),
        ({"flag": "cme"}, ["A000000000005"]),
        ({"flag": "open_alert"}, ["A000000000004", "A000000000005"]),
        ({"flag": ["persistent", "cme"]}, ["A000000000005"]),
        ({"year_group": "6"}, ["A000000000004", "A000000000005"]),
        ({"sen": "E"}, ["A000000000003"]),
        ({"sen": "any"}, ["A000000000003", "A000000000004"]),
        ({"cohort": "fsm"}, ["A000000000004"]),
        ({"cohort": "social_worker"}, ["A000000000005"]),
        ({"q": "baker"}, ["A000000000002"]),
        ({"q": "Cara Clark"}, ["A000000000003"]),
        ({"q": "A000000000004"}, ["A000000000004"]),
        ({"q": "Green"}, []),
        ({"year_group": "not-a-year"}, ["A000000000001", "A000000000002", "A000000000003", "A000000000004",
                                        "A000000000005", "A000000000006"]),
    ],
    ids=["none", "persistent", "severe", "threshold", "cme", "open-alert", "two-flags", "year", "ehc",
         "any-sen", "fsm", "social-worker", "surname", "full-name", "upn", "other-school-name", "bad-value"],
)
def test_workspace_filters_and_search_choose_the_pupils(client, dsl, cohort, query, expected):
    client.force_login(dsl)
    response = client.get(_workspace(dsl.staff.school), query)
    assert response.status_code == 200
    assert sorted(_upns(response)) == expected


def test_workspace_sorts_by_attendance_with_missing_figures_last(client, dsl, cohort):
    client.force_login(dsl)
    response = client.get(_workspace(dsl.staff.school), {"sort": "attendance"})
    assert _upns(response) == [
        "A000000000003", "A000000000005", "A000000000002", "A000000000004", "A000000000001", "A000000000006",
    ]


def test_workspace_shows_attendance_flags_alert_counts_and_summary(client, dsl, cohort):
    client.force_login(dsl)
    html = client.get(_workspace(dsl.staff.school)).content.decode()
    row = re.search(r'data-upn="A000000000004".*?</tr>', html, re.S).group(0)
    assert "91.0%" in row and "PN threshold met" in row and "SEN K" in row and "FSM" in row
    assert re.search(r"govuk-table__cell--numeric\">1</td>", row)
    no_snapshot_row = re.search(r'data-upn="A000000000006".*?</tr>', html, re.S).group(0)
    assert "–" in no_snapshot_row
    assert re.search(r'data-testid="stat-on-roll">6<', html)
    assert re.search(r'data-testid="stat-persistent">3<', html) and "(50.0%)" in html
    assert re.search(r'data-testid="stat-severe">1<', html)
    assert re.search(r'data-testid="stat-open-alerts">2<', html)


def test_workspace_pages_fifty_pupils_at_a_time_and_keeps_the_filters(client, dsl, school):
    for n in range(120):
        pupil = factories.PupilFactory(upn=f"C{n:012d}", surname=f"Surname{n:03d}", school=school)
        _snapshot(pupil, pct="80.0", persistent=True)
    client.force_login(dsl)
    first = client.get(_workspace(school), {"flag": "persistent"})
    assert len(_upns(first)) == 50
    assert "?flag=persistent&amp;page=2" in first.content.decode()
    last = client.get(_workspace(school), {"flag": "persistent", "page": "3"})
    assert len(_upns(last)) == 20
    assert "Showing 101 to 120 of 120 pupils" in last.content.decode()


def test_workspace_query_count_does_not_grow_with_the_pupils(client, dsl, school, django_assert_max_num_queries):
    for n in range(60):
        pupil = factories.PupilFactory(upn=f"D{n:012d}", school=school)
        _snapshot(pupil, pct="88.0", persistent=True)
        _alert(pupil)
        _alert(pupil, kind=AlertKind.STALE_N, key=f"2025-10-{n % 28 + 1:02d}")
    client.force_login(dsl)
    # 6 for the page, 3 for saving the session on every request (the idle timeout: SESSION_SAVE_EVERY_REQUEST),
    # 1 for the audit row of the list read, 1 for the header's count of "My work". None of them grows with the pupils.
    with django_assert_max_num_queries(11):
        response = client.get(_workspace(school), {"sort": "attendance"})
    assert len(_upns(response)) == 50
    assert response.content.decode().count('govuk-table__cell--numeric">2</td>') == 50


# --- pupil page ------------------------------------------------------------------------------


@pytest.fixture
def register(pupil):
    """Two weeks of marks (Mon 3 to Fri 14 November 2025) and one amendment."""
    factories.add_marks(pupil, dt.date(2025, 11, 3), list("/\\/\\GG/\\/\\" + "/\\NNII/\\L\\"))
    MarkAmendment.objects.create(
        pupil=pupil, date=dt.date(2025, 11, 5), session=0, original_code="N", amended_code="G",
        reason="Parent confirmed a holiday", amended_at=dt.datetime(2025, 11, 12, 9, 30, tzinfo=dt.UTC),
        amended_by_name="Sam Patel", amended_by_position="Attendance Officer",
    )
    parent = factories.ParentFactory(school=pupil.school, forename="Rachel", surname="Hughes",
                                     phone="07700 900123", email="rachel@example.org")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="mother",
                                          parental_responsibility=True, lives_with_pupil=False)
    return pupil


@time_machine.travel(dt.datetime(2025, 11, 21, 12, 0, tzinfo=dt.UTC), tick=False)
def test_pupil_page_shows_the_register_grid_with_codes_and_the_amendment(client, dsl, register):
    client.force_login(dsl)
    response = client.get(reverse("pupil_detail", kwargs={"upn": register.upn}))
    html = response.content.decode()
    grid = re.search(r'data-testid="register-grid".*?</table>', html, re.S).group(0)
    # Newest week first; week of 3 November: Mon / \, Tue / \, Wed G G (AM amended), Thu / \, Fri / \
    rows = re.findall(r"<tr>.*?</tr>", grid.split("<tbody>")[1], re.S)
    assert "10 Nov 2025" in rows[0] and "3 Nov 2025" in rows[1]
    codes = re.findall(r'data-code="([^"]*)"', rows[1])
    assert codes == ["/", "\\", "/", "\\", "G", "G", "/", "\\", "/", "\\"]
    assert re.findall(r'data-code="([^"]*)"', rows[0]) == ["/", "\\", "N", "N", "I", "I", "/", "\\", "L", "\\"]
    assert 'app-code--unauthorised app-register__amended" data-code="G"' in grid
    assert 'app-code--authorised" data-code="I"' in grid
    assert "Sat AM" not in grid
    history = re.search(r'data-testid="amendments".*?</table>', html, re.S).group(0)
    for text in ("Wed 5 Nov 2025 AM", "Parent confirmed a holiday", "Sam Patel", "Attendance Officer"):
        assert text in history
    assert "<svg" in html and 'data-testid="weekly-chart"' in html and "<title id=\"chart-title\">" in html
    assert 'data-testid="chart-data"' in html
    parents = re.search(r'data-testid="parents".*?</table>', html, re.S).group(0)
    assert "Rachel Hughes" in parents and "07700 900123" in parents and "rachel@example.org" in parents


@time_machine.travel(dt.datetime(2025, 11, 21, 12, 0, tzinfo=dt.UTC), tick=False)
def test_pupil_page_shows_weekend_columns_only_when_a_weekend_mark_exists(client, dsl, register):
    factories.MarkFactory(pupil=register, date=dt.date(2025, 11, 15), session=0, code="V")
    client.force_login(dsl)
    html = client.get(reverse("pupil_detail", kwargs={"upn": register.upn})).content.decode()
    assert "Sat AM" in html and "Sun PM" in html


@time_machine.travel(dt.datetime(2025, 11, 21, 12, 0, tzinfo=dt.UTC), tick=False)
def test_viewing_a_pupil_writes_an_audit_event(client, dsl, pupil):
    client.force_login(dsl)
    client.get(reverse("pupil_detail", kwargs={"upn": pupil.upn}))
    event = AuditEvent.objects.get(action="pupil.view")
    assert (event.user, event.pupil, event.school) == (dsl, pupil, pupil.school)
    assert event.path == f"/pupils/{pupil.upn}/"


# --- alerts ----------------------------------------------------------------------------------


def test_alerts_list_shows_open_alerts_of_the_school_newest_first(client, dsl, cohort):
    _alert(cohort["persistent"], raised_on=dt.date(2025, 10, 1))
    client.force_login(dsl)
    html = client.get(reverse("school_alerts", kwargs={"urn": "123456"})).content.decode()
    rows = re.findall(r"<tr class=\"govuk-table__row\" data-alert=.*?</tr>", html, re.S)
    assert len(rows) == 3
    assert "New persistent absence" in rows[-1] and "1 Oct 2025" in rows[-1]
    assert "Children missing education risk" in html and "Penalty notice threshold met" in html
    assert f'href="{reverse("pupil_detail", kwargs={"upn": "A000000000005"})}"' in html
    assert not any("Lateness concern" in row for row in rows)  # resolved (the filter still offers the kind)
    assert "B000000000001" not in html and "Gus Green" not in html  # another school's


def test_marking_an_alert_as_dealt_with_resolves_it_and_audits(client, dsl, cohort):
    alert = Alert.objects.get(pupil=cohort["cme"])
    client.force_login(dsl)
    response = client.post(reverse("alert_resolve", kwargs={"pk": alert.pk}))
    assert response.status_code == 302 and response.url == reverse("school_alerts", kwargs={"urn": "123456"})
    alert.refresh_from_db()
    assert alert.resolved_at is not None and alert.resolved_by == dsl
    event = AuditEvent.objects.get(action="alert.resolve")
    assert (event.user, event.pupil) == (dsl, cohort["cme"])
    page = client.get(response.url).content.decode()
    assert "marked as dealt with" in page
    # A second press finds nothing open to resolve.
    assert client.post(reverse("alert_resolve", kwargs={"pk": alert.pk})).status_code == 404


def test_resolving_an_alert_is_post_only(client, dsl, cohort):
    alert = Alert.objects.get(pupil=cohort["cme"])
    client.force_login(dsl)
    assert client.get(reverse("alert_resolve", kwargs={"pk": alert.pk})).status_code == 405
    alert.refresh_from_db()
    assert alert.resolved_at is None


def test_resolve_returns_to_a_safe_next_page_only(client, dsl, cohort):
    client.force_login(dsl)
    alert = Alert.objects.get(pupil=cohort["cme"])
    response = client.post(reverse("alert_resolve", kwargs={"pk": alert.pk}), {"next": "https://evil.example/"})
    assert response.url == reverse("school_alerts", kwargs={"urn": "123456"})
    other = Alert.objects.get(pupil=cohort["threshold"])
    pupil_url = reverse("pupil_detail", kwargs={"upn": "A000000000004"})
    assert client.post(reverse("alert_resolve", kwargs={"pk": other.pk}), {"next": pupil_url}).url == pupil_url


def test_another_schools_staff_and_la_officers_cannot_resolve_our_alerts(client, other_school_dsl, la_officer,
                                                                          cohort):
    alert = Alert.objects.get(pupil=cohort["cme"])
    client.force_login(other_school_dsl)
    assert client.post(reverse("alert_resolve", kwargs={"pk": alert.pk})).status_code == 404
    client.force_login(la_officer)
    assert client.post(reverse("alert_resolve", kwargs={"pk": alert.pk})).status_code == 403
    alert.refresh_from_db()
    assert alert.resolved_at is None


# --- LA overview -----------------------------------------------------------------------------


def test_la_overview_shows_aggregates_of_its_own_schools_only(client, la_officer, cohort, other_la_school):
    factories.PupilFactory(upn="R000000000001", school=other_la_school)
    client.force_login(la_officer)
    html = client.get(reverse("la_overview", kwargs={"code": "873"})).content.decode()
    ours = re.search(r'data-urn="123456".*?</tr>', html, re.S).group(0)
    cells = re.findall(r"govuk-table__cell--numeric\">(.*?)</td>", ours, re.S)
    assert [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells] == ["6", "50.0% (3)", "1", "1", "2"]
    theirs = re.search(r'data-urn="654321".*?</tr>', html, re.S).group(0)
    assert re.findall(r"govuk-table__cell--numeric\">(\d+)</td>", theirs) == ["1", "1", "0", "1"]
    assert "Riverside High School" not in html
    assert "A000000000001" not in html and "Adams" not in html  # no pupil-level data


# --- sign in ---------------------------------------------------------------------------------


def test_sign_in_with_a_wrong_password_shows_the_error_summary(client, dsl):
    response = client.post(reverse("login"), {"username": "dsl", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Enter a correct username and password" in html


def test_sign_in_sends_staff_to_their_start_page(client, dsl):
    response = client.post(reverse("login"), {"username": "dsl", "password": "correct-horse-battery"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("school_caseload", kwargs={"urn": dsl.staff.school.urn})


def test_sign_out_is_a_post_that_ends_the_session(client, dsl):
    client.force_login(dsl)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["dsl", "senco"])
def test_pupil_page_leads_to_the_pupils_support_records_without_a_case(request, client, pupil, persona):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("pupil_detail", kwargs={"upn": pupil.upn})).content.decode()
    support = reverse("interventions:pupil_interventions", kwargs={"upn": pupil.upn})
    assert f'data-testid="support-records-link" href="{support}"' in html
    assert client.get(support).status_code == 200


def test_every_kind_of_record_cited_as_evidence_links_from_the_chronology():
    # Evidence is written as "<kind>:<pk>" by the services; a kind without a link shows the DSL raw text.
    from pathlib import Path

    from cases.views.case import EVIDENCE_LINKS

    root = Path(__file__).resolve().parents[2]
    cited = set()
    for source in [*root.glob("cases/**/*.py"), *root.glob("interventions/**/*.py"), *root.glob("meetings/**/*.py"),
                   *root.glob("notices/**/*.py")]:
        for statement in re.findall(r"evidence\s*=\s*\[[^\]]*\]", source.read_text()):
            cited |= set(re.findall(r'f"([a-z_]+):\{', statement))
    assert {"meeting", "support_plan", "pn_request", "prosecution_referral", "adjustment_review"} <= cited
    assert cited - set(EVIDENCE_LINKS) == set()
