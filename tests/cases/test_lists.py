"""The working lists (issue 12): the caseload, alerts, pupils and adjustments filter, sort, search, page and export
exactly what they show; case owners; the alerts' bulk actions with their confirmation step."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cases.errors import DomainError
from cases.models import (
    Alert,
    AlertKind,
    AttendanceSnapshot,
    AuditEvent,
    Case,
    CaseEvent,
    CaseState,
    EventKind,
    Role,
)
from cases.permissions import NotPermitted
from cases.selectors.lists import ALERT_OVERDUE_AFTER_DAYS
from cases.services import (
    AlertsRefused,
    OwnerNotAllowed,
    alerts_open_cases,
    case_assign_owner,
    case_close,
    case_open,
)
from interventions.models import Action, ReasonableAdjustment, SupportPlan, SupportPlanStatus
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 26)
NOW = dt.datetime(2025, 11, 26, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def _snapshot(pupil, pct: str):
    return AttendanceSnapshot.objects.create(
        pupil=pupil, as_of=TODAY, possible_sessions=100, attended_sessions=int(Decimal(pct)),
        attendance_pct=Decimal(pct), persistent_absence=Decimal(pct) < 90, severe_absence=Decimal(pct) <= 50,
        unauthorised_in_window=0, pn_threshold_met=False, pn_threshold_first_met=None, pending_n_sessions=0,
        stale_n_sessions=0, illness_sessions=0, sickness_return_due=False, unexplained_run_sessions=0,
        cme_risk=False, late_marks_recent=0, lateness_concern=False,
    )


def _pupil(school, forename, surname, *, year="5", sen="N", fsm=False, pct="95.0"):
    pupil = factories.PupilFactory(school=school, forename=forename, surname=surname, year_group=year,
                                   sen_status=sen, fsm=fsm)
    _snapshot(pupil, pct)
    return pupil


def _at_stage(case, state, *, entered_days_ago: int):
    # Bare rows: what the lists are asked about, not how the case got there (the ladder has its own tests).
    entered = NOW - dt.timedelta(days=entered_days_ago)
    Case.objects.filter(pk=case.pk).update(state=state, stage_entered_at=entered, opened_at=entered)


@pytest.fixture
def world(school, other_school, dsl, attendance_officer, senco):
    """Three open cases and their alerts at the school, one closed case, and a pupil of another school."""
    ava = _pupil(school, "Ava", "Archer", year="7", sen="K", fsm=True, pct="71.5")
    ben = _pupil(school, "Ben", "Brook", year="10", sen="E", pct="88.0")
    cara = _pupil(school, "Cara", "Cole", year="R", pct="93.2")
    dan = _pupil(school, "Dan", "Dale", year="2", pct="60.0")
    stranger = _pupil(other_school, "Ava", "Stranger", year="7", sen="K", fsm=True, pct="10.0")
    cases = {
        "ava": case_open(pupil=ava, by=dsl, reason="Attendance 71.5%"),
        "ben": case_open(pupil=ben, by=dsl, reason="Attendance 88%"),
        "cara": case_open(pupil=cara, by=attendance_officer, reason="Lateness"),
    }
    case_close(case=case_open(pupil=dan, by=dsl, reason="x"), by=dsl, outcome="improved", reason="Better now")
    _at_stage(cases["ava"], CaseState.CONCERN, entered_days_ago=5)
    _at_stage(cases["ben"], CaseState.TARGETED_SUPPORT, entered_days_ago=30)
    _at_stage(cases["cara"], CaseState.ON_HOLD, entered_days_ago=12)
    plan = SupportPlan.objects.create(case=cases["ava"], barriers="Bus", status=SupportPlanStatus.AGREED,
                                      agreed_on=TODAY, review_on=TODAY + dt.timedelta(days=20), created_by=dsl,
                                      created_at=NOW)
    Action.objects.create(case=cases["ava"], support_plan=plan, description="Call the bus company", owner="DSL",
                          due_on=TODAY - dt.timedelta(days=1), created_at=NOW)
    other_dsl = factories.UserFactory(username="hillcrest_dsl")
    factories.StaffProfileFactory(user=other_dsl, role=Role.DSL, position="DSL", school=other_school)
    case_open(pupil=stranger, by=other_dsl, reason="x")
    old = TODAY - dt.timedelta(days=ALERT_OVERDUE_AFTER_DAYS + 1)
    alerts = {
        "ava": Alert.objects.create(pupil=ava, school=school, kind=AlertKind.PERSISTENT_ABSENCE, dedup_key="2025",
                                    raised_on=old, detail="Attendance 71.5%"),
        "ben": Alert.objects.create(pupil=ben, school=school, kind=AlertKind.STALE_N, dedup_key="2025",
                                    raised_on=TODAY - dt.timedelta(days=ALERT_OVERDUE_AFTER_DAYS), detail="2 N",
                                    assigned_to=senco),
        "dan": Alert.objects.create(pupil=dan, school=school, kind=AlertKind.LATENESS_CONCERN, dedup_key="2025",
                                    raised_on=TODAY - dt.timedelta(days=1), detail="7 late marks"),
        "stranger": Alert.objects.create(pupil=stranger, school=other_school, kind=AlertKind.PERSISTENT_ABSENCE,
                                         dedup_key="2025", raised_on=old, detail="x"),
    }
    return {"pupils": {"ava": ava, "ben": ben, "cara": cara, "dan": dan, "stranger": stranger},
            "cases": cases, "alerts": alerts}


def _names(html: str, marker: str) -> list[str]:
    """The pupils' surnames in the table rows carrying ``marker`` (data-case, data-alert, ...), in order."""
    rows = re.findall(rf'<tr class="govuk-table__row" {marker}="\d+">(.*?)</tr>', html, re.S)
    return [re.search(r">(\w+), \w+</a>", row).group(1) for row in rows]


def _get(client, name, school, query=""):
    return client.get(reverse(name, kwargs={"urn": school.urn}) + (f"?{query}" if query else ""))


def _csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def _query(query: str, world, users) -> str:
    """Fills the placeholders of a parametrised query: {upn:ben}, {user:attendance}."""
    query = re.sub(r"\{upn:(\w+)\}", lambda m: world["pupils"][m.group(1)].upn[:6], query)
    return re.sub(r"\{user:(\w+)\}", lambda m: str(users[m.group(1)].pk), query)


@pytest.fixture
def users(dsl, attendance_officer, senco):
    return {"dsl": dsl, "attendance": attendance_officer, "senco": senco}


# --- the caseload ---------------------------------------------------------------------------------------------

CASELOAD_FILTERS = [
    ("", ["Archer", "Brook", "Cole"]),
    ("stage=targeted_support", ["Brook"]),
    ("stage=on_hold", ["Cole"]),
    ("stage=penalty_notice", []),
    ("owner={user:attendance}", ["Cole"]),
    ("owner={user:dsl}", ["Archer", "Brook"]),
    ("owner=none", []),
    ("year_group=10", ["Brook"]),
    ("year_group=R", ["Cole"]),
    ("sen=K", ["Archer"]),
    ("sen=E", ["Brook"]),
    ("sen=any", ["Archer", "Brook"]),
    ("sen=N", ["Cole"]),
    ("fsm=on", ["Archer"]),
    ("overdue=on", ["Archer"]),
    ("q=arch", ["Archer"]),
    ("q=Ben+Brook", ["Brook"]),
    ("q={upn:ben}", ["Brook"]),
    ("q=Stranger", []),
    ("sen=any&fsm=on&owner={user:dsl}", ["Archer"]),
    ("stage=nonsense&year_group=99", ["Archer", "Brook", "Cole"]),
]


@pytest.mark.parametrize(("query", "expected"), CASELOAD_FILTERS, ids=[q or "none" for q, _ in CASELOAD_FILTERS])
def test_each_caseload_filter_shows_only_the_cases_it_names(client, dsl, school, world, users, query, expected):
    client.force_login(dsl)
    html = _get(client, "school_caseload", school, _query(query, world, users)).content.decode()
    assert sorted(_names(html, "data-case")) == expected
    n = len(expected)
    assert f"{n} case{'s' if n != 1 else ''} match" in html


CASELOAD_SORTS = [
    ("sort=name", ["Archer", "Brook", "Cole"]),
    ("sort=year", ["Cole", "Archer", "Brook"]),  # Reception, Year 7, Year 10: school order, not text order
    ("sort=-year", ["Brook", "Archer", "Cole"]),
    ("sort=attendance", ["Archer", "Brook", "Cole"]),
    ("sort=stage", ["Brook", "Archer", "Cole"]),  # further up the ladder first, on hold last
    ("sort=days", ["Brook", "Cole", "Archer"]),  # most days at the stage first
    ("sort=opened", ["Archer", "Cole", "Brook"]),
    ("sort=-opened", ["Brook", "Cole", "Archer"]),
]


@pytest.mark.parametrize(("query", "expected"), CASELOAD_SORTS, ids=[q for q, _ in CASELOAD_SORTS])
def test_each_caseload_sort_orders_the_cases(client, dsl, school, world, query, expected):
    client.force_login(dsl)
    assert _names(_get(client, "school_caseload", school, query).content.decode(), "data-case") == expected


def test_the_stage_tiles_link_to_the_caseload_filtered_by_their_stage(client, dsl, school, world):
    client.force_login(dsl)
    html = _get(client, "school_caseload", school).content.decode()
    tiles = dict(re.findall(r'data-stage="(\w+)"><a class="[^"]*" href="([^"]+)"', html))
    assert tiles["targeted_support"] == f"/schools/{school.urn}/caseload/?stage=targeted_support"
    followed = client.get(tiles["targeted_support"]).content.decode()
    assert _names(followed, "data-case") == ["Brook"]


def test_the_caseload_states_what_overdue_means(client, dsl, school, world):
    client.force_login(dsl)
    html = " ".join(_get(client, "school_caseload", school).content.decode().split())
    assert "an agreed action not done by its due date" in html


def test_the_caseload_shows_each_cases_owner(client, dsl, school, world):
    client.force_login(dsl)
    html = _get(client, "school_caseload", school).content.decode()
    cara = re.search(rf'data-case="{world["cases"]["cara"].pk}"(.*?)</tr>', html, re.S).group(1)
    assert world["cases"]["cara"].opened_by.get_full_name() in cara


# --- the alerts -----------------------------------------------------------------------------------------------

ALERT_FILTERS = [
    ("", ["Archer", "Brook", "Dale"]),
    ("kind=stale_n", ["Brook"]),
    ("assigned={user:senco}", ["Brook"]),
    ("assigned=none", ["Archer", "Dale"]),
    ("year_group=2", ["Dale"]),
    ("sen=any", ["Archer", "Brook"]),
    ("fsm=on", ["Archer"]),
    ("overdue=on", ["Archer"]),  # raised more than ALERT_OVERDUE_AFTER_DAYS ago; exactly that many is not yet
    ("q=dale", ["Dale"]),
    ("q={upn:ava}", ["Archer"]),
    ("q=Stranger", []),
    ("q={upn:stranger}", []),
]


@pytest.mark.parametrize(("query", "expected"), ALERT_FILTERS, ids=[q or "none" for q, _ in ALERT_FILTERS])
def test_each_alert_filter_shows_only_the_alerts_it_names(client, dsl, school, world, users, query, expected):
    client.force_login(dsl)
    html = _get(client, "school_alerts", school, _query(query, world, users)).content.decode()
    assert sorted(_names(html, "data-alert")) == expected


ALERT_SORTS = [
    ("", ["Dale", "Brook", "Archer"]),  # newest first
    ("sort=raised", ["Archer", "Brook", "Dale"]),
    ("sort=name", ["Archer", "Brook", "Dale"]),
    ("sort=year", ["Dale", "Archer", "Brook"]),
    ("sort=attendance", ["Dale", "Archer", "Brook"]),
]


@pytest.mark.parametrize(("query", "expected"), ALERT_SORTS, ids=[q or "default" for q, _ in ALERT_SORTS])
def test_each_alert_sort_orders_the_alerts(client, dsl, school, world, query, expected):
    client.force_login(dsl)
    assert _names(_get(client, "school_alerts", school, query).content.decode(), "data-alert") == expected


def test_every_alert_row_has_a_labelled_checkbox(client, dsl, school, world):
    client.force_login(dsl)
    html = _get(client, "school_alerts", school).content.decode()
    for alert in ("ava", "ben", "dan"):
        pk = world["alerts"][alert].pk
        assert f'id="alert-{pk}" name="alert" type="checkbox" value="{pk}"' in html
        assert re.search(rf'<label [^>]*for="alert-{pk}"><span class="govuk-visually-hidden">Select .+ for ', html)
    assert "<script>" not in html and 'src="/static/js/select-all.js"' in html


# --- pupils and adjustments ---------------------------------------------------------------------------------


PUPIL_SORTS = [("sort=year", ["Cole", "Dale", "Archer", "Brook"]), ("sort=-year", ["Brook", "Archer", "Dale", "Cole"])]


@pytest.mark.parametrize(("query", "expected"), PUPIL_SORTS, ids=[q for q, _ in PUPIL_SORTS])
def test_pupils_sort_by_year_group_in_school_order(client, dsl, school, world, query, expected):
    client.force_login(dsl)
    html = _get(client, "school_pupils", school, query).content.decode()
    rows = re.findall(r'data-upn="\w+">.*?>(\w+), \w+</a>', html, re.S)
    assert rows == expected


ADJUSTMENT_FILTERS = [
    ("", ["Archer", "Brook", "Cole"]),
    ("q=brook", ["Brook"]),
    ("year_group=R", ["Cole"]),
    ("sen=any", ["Archer", "Brook"]),
    ("fsm=on", ["Archer"]),
    ("overdue=on", ["Cole"]),
    ("q={upn:stranger}", []),
]


@pytest.fixture
def adjustments(world, senco):
    made = {}
    for key, review in (("ava", 10), ("ben", 3), ("cara", -2), ("stranger", -5)):
        made[key] = ReasonableAdjustment.objects.create(
            pupil=world["pupils"][key], area="uniform", description="Trainers", barrier="Sensory",
            agreed_with="Parents", starts_on=TODAY - dt.timedelta(days=30),
            review_on=TODAY + dt.timedelta(days=review), recorded_by=senco, recorded_at=NOW)
    return made


@pytest.mark.parametrize(("query", "expected"), ADJUSTMENT_FILTERS, ids=[q or "none" for q, _ in ADJUSTMENT_FILTERS])
def test_each_adjustment_filter_shows_only_the_adjustments_it_names(client, senco, school, world, users, adjustments,
                                                                    query, expected):
    client.force_login(senco)
    html = _get(client, "interventions:adjustment_register", school, _query(query, world, users)).content.decode()
    rows = re.findall(r'data-adjustment="\d+">.*?>(\w+), \w+</a>', html, re.S)
    assert sorted(rows) == expected


@pytest.mark.parametrize(("query", "expected"), [("sort=review", ["Cole", "Brook", "Archer"]),
                                                 ("sort=name", ["Archer", "Brook", "Cole"]),
                                                 ("sort=year", ["Cole", "Archer", "Brook"])])
def test_each_adjustment_sort_orders_the_register(client, senco, school, world, adjustments, query, expected):
    client.force_login(senco)
    html = _get(client, "interventions:adjustment_register", school, query).content.decode()
    assert re.findall(r'data-adjustment="\d+">.*?>(\w+), \w+</a>', html, re.S) == expected


# --- CSV: exactly what the filter shows, every page -----------------------------------------------------------

EXPORTS = [
    ("school_caseload", "school_caseload_csv", "sen=any", "data-case", "surname"),
    ("school_alerts", "school_alerts_csv", "sort=name", "data-alert", "surname"),
    ("school_pupils", "school_pupils_csv", "sort=year&q=a", "data-upn", "surname"),
    ("interventions:adjustment_register", "interventions:adjustment_register_csv", "sort=name", "data-adjustment",
     "surname"),
]


@pytest.mark.parametrize(("page_name", "csv_name", "query", "marker", "column"), EXPORTS,
                         ids=[e[1] for e in EXPORTS])
def test_the_csv_holds_exactly_the_rows_the_filter_shows(client, dsl, school, world, adjustments, page_name,
                                                         csv_name, query, marker, column):
    client.force_login(dsl)
    html = _get(client, page_name, school, query).content.decode()
    shown = re.findall(rf'{marker}="[^"]+">.*?>(\w+), \w+</a>', html, re.S)
    assert shown
    assert f'href="{reverse(csv_name, kwargs={"urn": school.urn})}?{query.replace("&", "&amp;")}"' in html
    response = _get(client, csv_name, school, query)
    assert response["Content-Type"].startswith("text/csv")
    assert [row[column] for row in _csv_rows(response)] == shown
    assert "Stranger" not in str(_csv_rows(_get(client, csv_name, school, query)))
    assert AuditEvent.objects.filter(user=dsl, action__endswith=".export").exists()


def test_the_csv_holds_every_page_not_only_the_one_shown(client, dsl, school, world, monkeypatch):
    from cases.views import lists

    monkeypatch.setattr(lists, "ALERTS_PER_PAGE", 2)
    client.force_login(dsl)
    html = _get(client, "school_alerts", school, "sort=name").content.decode()
    assert _names(html, "data-alert") == ["Archer", "Brook"] and "3 alerts match" in html
    rows = _csv_rows(_get(client, "school_alerts_csv", school, "sort=name&page=1"))
    assert [row["surname"] for row in rows] == ["Archer", "Brook", "Dale"]
    assert rows[0]["alert"] == "New persistent absence" and rows[1]["given_to"] == world["alerts"]["ben"].assigned_to \
        .get_full_name() and rows[0]["overdue"] == "Y"


def test_the_caseload_csv_carries_owner_stage_and_overdue(client, dsl, school, world):
    client.force_login(dsl)
    rows = {row["surname"]: row for row in _csv_rows(_get(client, "school_caseload_csv", school))}
    assert set(rows) == {"Archer", "Brook", "Cole"}
    assert rows["Brook"]["stage"] == "Targeted support" and rows["Brook"]["days_at_stage"] == "30"
    assert rows["Archer"]["overdue"] == "Y" and rows["Brook"]["overdue"] == "N"
    assert rows["Cole"]["owner"] == world["cases"]["cara"].opened_by.get_full_name()


@pytest.mark.parametrize("name", ["school_caseload_csv", "school_alerts_csv", "school_pupils_csv",
                                  "interventions:adjustment_register_csv"])
def test_another_schools_staff_cannot_export_the_list(client, other_school_dsl, school, world, name):
    client.force_login(other_school_dsl)
    assert _get(client, name, school).status_code == 404


def test_another_schools_pupil_never_appears_even_searched_by_upn(client, dsl, school, world):
    client.force_login(dsl)
    upn = world["pupils"]["stranger"].upn
    for name in ("school_caseload", "school_alerts", "school_pupils", "interventions:adjustment_register"):
        html = _get(client, name, school, f"q={upn}").content.decode()
        assert "Stranger" not in html and upn not in html.replace(f"value=\"{upn}\"", "")


# --- bulk actions on alerts -----------------------------------------------------------------------------------


def _bulk(client, school, **data):
    return client.post(reverse("school_alerts_bulk", kwargs={"urn": school.urn}), data)


def test_a_bulk_action_with_no_alert_selected_is_an_error_and_changes_nothing(client, dsl, school, world):
    client.force_login(dsl)
    response = _bulk(client, school, action="resolve")
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert f'<a href="#alert-{world["alerts"]["dan"].pk}">Select at least one alert</a>' in html
    assert not Alert.objects.filter(resolved_at__isnull=False).exists()


def test_a_bulk_action_with_none_chosen_is_an_error_that_keeps_the_selection(client, dsl, school, world):
    client.force_login(dsl)
    pk = world["alerts"]["dan"].pk
    html = _bulk(client, school, alert=[pk]).content.decode()
    assert "Choose what to do with the selected alerts" in html
    assert f'id="alert-{pk}" name="alert" type="checkbox" value="{pk}" checked' in html


def test_opening_cases_is_confirmed_first_then_done(client, dsl, school, world):
    client.force_login(dsl)
    alert = world["alerts"]["dan"]
    confirm = _bulk(client, school, alert=[alert.pk], action="open_cases", query="sort=name")
    html = confirm.content.decode()
    assert "Check before you open cases" in html and "Dale, Dan" in html
    assert not Case.objects.filter(pupil=alert.pupil).exclude(state=CaseState.CLOSED).exists()
    done = _bulk(client, school, alert=[alert.pk], action="open_cases", query="sort=name", confirmed="on")
    assert done.status_code == 302 and done.url == f"/schools/{school.urn}/alerts/?sort=name"
    case = Case.objects.get(pupil=alert.pupil, state=CaseState.CONCERN)
    assert case.source_alert == alert and case.owner == dsl
    assert "1 case opened" in client.get(done.url).content.decode()


def test_opening_cases_is_refused_by_name_when_a_pupil_has_a_case_and_nothing_is_opened(client, dsl, school, world):
    client.force_login(dsl)
    chosen = [world["alerts"]["dan"].pk, world["alerts"]["ava"].pk]  # Ava Archer already has an open case
    for confirmed in ("", "on"):
        html = _bulk(client, school, alert=chosen, action="open_cases", confirmed=confirmed).content.decode()
        assert "Ava Archer already has an open case" in html and "no case was opened" in html
    assert not Case.objects.filter(pupil=world["pupils"]["dan"]).exclude(state=CaseState.CLOSED).exists()


def test_the_open_cases_service_refuses_whole_when_one_pupil_has_a_case(school, dsl, world):
    with pytest.raises(AlertsRefused, match="Ava Archer already has an open case"):
        alerts_open_cases(alerts=[world["alerts"]["dan"], world["alerts"]["ava"]], by=dsl, school=school)
    assert not Case.objects.filter(pupil=world["pupils"]["dan"]).exclude(state=CaseState.CLOSED).exists()


def test_marking_alerts_as_dealt_with_is_confirmed_first_then_done(client, dsl, school, world):
    client.force_login(dsl)
    chosen = [world["alerts"]["dan"].pk, world["alerts"]["ben"].pk]
    html = _bulk(client, school, alert=chosen, action="resolve").content.decode()
    assert "Check before you mark alerts as dealt with" in html and "These 2 alerts" in html
    assert Alert.objects.filter(pk__in=chosen, resolved_at__isnull=True).count() == 2
    done = _bulk(client, school, alert=chosen, action="resolve", confirmed="on")
    assert done.status_code == 302
    assert Alert.objects.filter(pk__in=chosen, resolved_by=dsl).count() == 2
    assert AuditEvent.objects.filter(action="alert.resolve", user=dsl).count() == 2


def test_a_bulk_action_on_an_alert_dealt_with_meanwhile_does_nothing(client, dsl, senco, school, world):
    client.force_login(dsl)
    chosen = [world["alerts"]["dan"].pk, world["alerts"]["ben"].pk]
    Alert.objects.filter(pk=world["alerts"]["ben"].pk).update(resolved_at=NOW, resolved_by=senco)
    html = _bulk(client, school, alert=chosen, action="resolve", confirmed="on").content.decode()
    assert "no longer open" in html
    assert Alert.objects.get(pk=world["alerts"]["dan"].pk).resolved_at is None


def test_giving_alerts_to_a_member_of_staff_needs_who_then_a_confirmation(client, dsl, attendance_officer, school,
                                                                          world):
    client.force_login(dsl)
    chosen = [world["alerts"]["dan"].pk, world["alerts"]["ava"].pk]
    html = _bulk(client, school, alert=chosen, action="assign").content.decode()
    assert "Choose the member of staff to give the alerts to" in html
    html = _bulk(client, school, alert=chosen, action="assign", assign_to=attendance_officer.pk).content.decode()
    assert "Check before you give alerts to someone" in html and attendance_officer.get_full_name() in html
    assert not Alert.objects.filter(assigned_to=attendance_officer).exists()
    _bulk(client, school, alert=chosen, action="assign", assign_to=attendance_officer.pk, confirmed="on")
    assert set(Alert.objects.filter(assigned_to=attendance_officer).values_list("pk", flat=True)) == set(chosen)


def test_alerts_cannot_be_given_to_someone_at_another_school(client, dsl, other_school_dsl, school, world):
    client.force_login(dsl)
    html = _bulk(client, school, alert=[world["alerts"]["dan"].pk], action="assign",
                 assign_to=other_school_dsl.pk, confirmed="on").content.decode()
    assert "There is a problem" in html
    assert Alert.objects.get(pk=world["alerts"]["dan"].pk).assigned_to is None


def test_another_schools_alert_cannot_be_slipped_into_a_bulk_action(client, dsl, school, world):
    client.force_login(dsl)
    html = _bulk(client, school, alert=[world["alerts"]["stranger"].pk], action="resolve",
                 confirmed="on").content.decode()
    assert "There is a problem" in html
    assert Alert.objects.get(pk=world["alerts"]["stranger"].pk).resolved_at is None


def test_the_senco_may_mark_alerts_dealt_with_but_not_open_cases_or_hand_out_work(client, senco, school, world):
    client.force_login(senco)
    page = _get(client, "school_alerts", school).content.decode()
    assert 'value="resolve"' in page and 'value="open_cases"' not in page and 'value="assign"' not in page
    _bulk(client, school, alert=[world["alerts"]["dan"].pk], action="open_cases", confirmed="on")
    assert not Case.objects.filter(pupil=world["pupils"]["dan"]).exclude(state=CaseState.CLOSED).exists()


# --- case owners ----------------------------------------------------------------------------------------------


def test_a_new_case_is_owned_by_the_person_who_opened_it(world, attendance_officer):
    assert world["cases"]["cara"].owner == attendance_officer


def _staff(username, role, school, **extra):
    user = factories.UserFactory(username=username, **extra)
    factories.StaffProfileFactory(user=user, role=role, position="Staff", school=school)
    return user


OWNER_RULES = [
    ("attendance officer", Role.ATTENDANCE_OFFICER, "own", {}, True),
    ("SENCo (reads case files)", Role.SENCO, "own", {}, True),
    ("headteacher", Role.HEADTEACHER, "own", {}, True),
    ("governor (no case files)", Role.GOVERNOR, "own", {}, False),
    ("DSL of another school", Role.DSL, "other", {}, False),
    ("account switched off", Role.DSL, "own", {"is_active": False}, False),
]


@pytest.mark.parametrize(("who", "role", "where", "extra", "allowed"), OWNER_RULES, ids=[r[0] for r in OWNER_RULES])
def test_only_staff_of_the_cases_school_who_read_case_files_can_own_it(school, other_school, dsl, world, who, role,
                                                                      where, extra, allowed):
    case = world["cases"]["ava"]
    person = _staff("candidate", role, school if where == "own" else other_school, **extra)
    events = CaseEvent.objects.filter(case=case, kind=EventKind.OWNER)
    if allowed:
        case_assign_owner(case=case, owner=person, by=dsl)
        case.refresh_from_db()
        assert case.owner == person
        event = events.get()
        assert person.get_full_name() in event.summary and dsl.get_full_name() in event.summary
        assert AuditEvent.objects.filter(action="case.assign_owner", user=dsl, pupil=case.pupil).exists()
    else:
        with pytest.raises(OwnerNotAllowed, match="cannot own this case"):
            case_assign_owner(case=case, owner=person, by=dsl)
        case.refresh_from_db()
        assert case.owner == dsl and not events.exists()


@pytest.mark.parametrize("by", ["senco", "headteacher"])
def test_only_those_who_move_cases_may_change_the_owner(request, school, world, attendance_officer, by):
    with pytest.raises(NotPermitted):
        case_assign_owner(case=world["cases"]["ava"], owner=attendance_officer, by=request.getfixturevalue(by))


def test_the_owner_is_changed_from_the_case_page(client, dsl, attendance_officer, world):
    case = world["cases"]["ava"]
    client.force_login(dsl)
    page = client.get(reverse("case_detail", kwargs={"pk": case.pk})).content.decode()
    assert 'data-testid="case-owner"' in page and reverse("case_owner", kwargs={"pk": case.pk}) in page
    url = reverse("case_owner", kwargs={"pk": case.pk})
    empty = client.post(url, {"owner": ""}).content.decode()
    assert "Choose who owns this case" in empty and 'href="#owner"' in empty
    assert client.post(url, {"owner": attendance_officer.pk}).url == reverse("case_detail", kwargs={"pk": case.pk})
    case.refresh_from_db()
    assert case.owner == attendance_officer


def test_the_senco_sees_the_owner_but_cannot_change_it(client, senco, attendance_officer, world):
    case = world["cases"]["ava"]
    client.force_login(senco)
    page = client.get(reverse("case_detail", kwargs={"pk": case.pk})).content.decode()
    assert 'data-testid="case-owner"' in page and reverse("case_owner", kwargs={"pk": case.pk}) not in page
    assert client.post(reverse("case_owner", kwargs={"pk": case.pk}), {"owner": attendance_officer.pk}) \
        .status_code == 403


# --- query counts: constant in the number of rows -------------------------------------------------------------


def _grow(school, dsl, n):
    for _ in range(n):
        pupil = factories.PupilFactory(school=school, sen_status="K", fsm=True)
        _snapshot(pupil, "80.0")
        case = case_open(pupil=pupil, by=dsl, reason="Concern")
        plan = SupportPlan.objects.create(case=case, barriers="x", status=SupportPlanStatus.AGREED, agreed_on=TODAY,
                                          review_on=TODAY - dt.timedelta(days=1), created_by=dsl, created_at=NOW)
        Action.objects.create(case=case, support_plan=plan, description="x", owner="y",
                              due_on=TODAY - dt.timedelta(days=1), created_at=NOW)
        Alert.objects.create(pupil=pupil, school=school, kind=AlertKind.SEVERE_ABSENCE, dedup_key="2025",
                             raised_on=TODAY, detail="x", assigned_to=dsl)
        ReasonableAdjustment.objects.create(pupil=pupil, area="uniform", description="x", barrier="x",
                                            agreed_with="x", starts_on=TODAY, review_on=TODAY, recorded_by=dsl,
                                            recorded_at=NOW)


LISTS = ["school_caseload", "school_caseload_csv", "school_alerts", "school_alerts_csv", "school_pupils",
         "school_pupils_csv", "interventions:adjustment_register", "interventions:adjustment_register_csv"]


@pytest.mark.parametrize("name", LISTS)
def test_each_lists_query_count_is_the_same_for_two_rows_and_twelve(client, dsl, school, name,
                                                                   django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def read():
        response = _get(client, name, school, "sen=any&fsm=on")
        if response.streaming:
            return len(_csv_rows(response))
        return len(re.findall(r'<tr class="govuk-table__row" data-', response.content.decode()))

    client.force_login(dsl)
    _grow(school, dsl, 2)
    read()  # the first request of a session reads what later ones have cached
    with CaptureQueriesContext(connection) as small:
        assert read() >= 2
    _grow(school, dsl, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        assert read() >= 12


def test_two_alerts_of_one_pupil_open_no_case_and_say_why(school, dsl, world):
    second = Alert.objects.create(pupil=world["pupils"]["dan"], school=school, kind=AlertKind.STALE_N,
                                  dedup_key="2025", raised_on=TODAY, detail="1 N")
    with pytest.raises(AlertsRefused, match="More than one alert was chosen for Dan Dale"):
        alerts_open_cases(alerts=[world["alerts"]["dan"], second], by=dsl, school=school)
    assert not Case.objects.filter(pupil=world["pupils"]["dan"]).exclude(state=CaseState.CLOSED).exists()


def test_a_closed_case_keeps_its_owner(dsl, attendance_officer, world):
    case = world["cases"]["ava"]
    case_close(case=case, by=dsl, outcome="improved", reason="Better")
    with pytest.raises(DomainError, match="closed"):
        case_assign_owner(case=case, owner=attendance_officer, by=dsl)
    case.refresh_from_db()
    assert case.owner == dsl
