"""The attendance reports: figures worked out by hand from a small register, the same answer as the scan, small
groups withheld, no name for a governor, each place's people only, a CSV equal to its table, and a query count
that does not grow with the pupils."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from cases import reporting, rules
from cases.models import Mark, Role, TermDate
from cases.selectors.oversight import school_figures
from cases.selectors.reports import WeekIndex, monday_of
from tests import factories
from tests.conftest import _staff

pytestmark = pytest.mark.django_db

# Frozen inside the autumn half term of 2025 to 2026: the report's as-of day is "today".
TODAY = dt.datetime(2025, 9, 19, 17, 0, tzinfo=dt.UTC)
WEEK_1 = dt.date(2025, 9, 8)
REPORT = "/schools/123456/reports/"


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


# Two school weeks of ten sessions (Monday AM to Friday PM): "/" present, "O" unauthorised absence, "X" not
# counted (not a possible session). Worked out by hand:
#   A  20 possible, 2 absent  = exactly 10%: persistently absent (the boundary counts); week 1 alone 20%
#   B  20 possible, 1 absent  = 5%, but 10% at the end of week 1 (persistently absent then, not now)
#   C  20 possible, 10 absent = 50%: persistently and severely absent; SEN support (a group of one)
#   D  10 possible (the X is not one), 1 absent = exactly 10%: persistently absent (1 in 11 would not be)
#   E, F  20 possible, none absent; F has an EHC plan and no free school meals
# A to E have free school meals.
REGISTER = {
    "A": ("OO////////" "//////////", {"fsm": True}),
    "B": ("O/////////" "//////////", {"fsm": True}),
    "C": ("OOOOO/////" "OOOOO/////", {"fsm": True, "sen_status": "K"}),
    "D": ("XO////////" "/", {"fsm": True}),
    "E": ("//////////" "//////////", {"fsm": True}),
    "F": ("//////////" "//////////", {"sen_status": "E"}),
}


@pytest.fixture
def register(school):
    TermDate.objects.create(school=school, name="Autumn 1", starts_on=dt.date(2025, 9, 3),
                            ends_on=dt.date(2025, 10, 24))
    pupils = {}
    for letter, (codes, facts) in REGISTER.items():
        pupils[letter] = factories.PupilFactory(school=school, forename=f"Pupil{letter}", surname=f"Surname{letter}x",
                                                **facts)
        factories.add_marks(pupils[letter], WEEK_1, codes)
    return pupils


def _cells(html: str, testid: str) -> list[list[str]]:
    """The text of each body row's cells of the table marked ``data-testid``."""

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside = self.body = False
            self.rows, self.cell = [], None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table" and attrs.get("data-testid") == testid:
                self.inside = True
            elif self.inside and tag == "tbody":
                self.body = True
            elif self.body and tag == "tr":
                self.rows.append([])
            elif self.body and tag in ("td", "th"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag == "table" and self.inside:
                self.inside = self.body = False
            elif self.body and tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(" ".join(self.cell.split()))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    parser = Rows()
    parser.feed(html)
    return parser.rows


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# --- the week a date falls in, as the database groups it --------------------------------------------------


def test_the_databases_week_is_the_rules_week(pupil):
    days = [dt.date(2025, 8, 31), dt.date(2025, 9, 1), dt.date(2025, 9, 7), dt.date(2025, 9, 8), dt.date(2026, 2, 28),
            dt.date(2026, 3, 1), dt.date(2027, 1, 1), dt.date(2024, 12, 29), dt.date(2024, 12, 30)]
    Mark.objects.bulk_create(Mark(pupil=pupil, date=d, session=0, code="/", school=pupil.school) for d in days)
    grouped = dict(Mark.objects.annotate(week=WeekIndex(F("date"))).values_list("date", "week"))
    assert {d: monday_of(w) for d, w in grouped.items()} == {d: rules.week_start(d) for d in days}


# --- figures worked out by hand ----------------------------------------------------------------------------


def test_the_groups_table_is_the_register_worked_out_by_hand(client, dsl, register, frozen):
    client.force_login(dsl)
    page = client.get(REPORT).content.decode()
    rows = {row[0]: row[1:] for row in _cells(page, "table-groups")}
    # pupils, possible, attended, attendance, PA n, PA %, severe n, severe %
    assert rows["All pupils"] == ["6", "110", "96", "87.3%", "3", "50.0%", "1", "16.7%"]
    assert rows["Free school meals"] == ["5", "90", "76", "84.4%", "3", "60.0%", "1", "20.0%"]
    for small in ("SEN support", "EHC plan", "Not free school meals"):
        assert rows[small] == ["fewer than 5", "–", "–", "–", "–", "–", "–", "–"], small
    assert rows["Looked after"] == ["0", "0", "0", "–", "0", "–", "0", "–"]
    assert rows["Year 5"] == rows["All pupils"]


def test_persistent_absence_by_week_is_the_year_to_the_end_of_each_week(client, dsl, register, frozen):
    client.force_login(dsl)
    page = client.get(REPORT).content.decode()
    assert _cells(page, "table-weeks") == [
        # week 1: 59 possible (D's X is not one), 50 attended; A, B, C, D persistently absent so far
        ["8 Sep 2025", "6", "59", "50", "84.7%", "4", "66.7%", "1", "16.7%"],
        # week 2: B's one absence is now 1 in 20; A and D stand at exactly 10%
        ["15 Sep 2025", "6", "51", "46", "90.2%", "3", "50.0%", "1", "16.7%"],
    ]
    assert _cells(page, "table-half_terms") == [
        ["Autumn 1", "6", "110", "96", "87.3%", "3", "50.0%", "1", "16.7%"]]
    assert "persistently absent: over the year to the end of each week" in page


def test_a_group_too_small_to_show_says_so_and_shows_no_figure(client, dsl, register, frozen):
    client.force_login(dsl)
    page = client.get(REPORT, {"cohort": "sen-support"}).content.decode()
    assert 'data-testid="suppressed-cohort"' in page
    assert all(row[1:] == ["fewer than 5"] + ["–"] * 7 for row in _cells(page, "table-weeks"))
    assert 'data-testid="chart-weeks"' not in page  # no bar for a child to be read from
    assert "fewer than 5 pupils" in page and "so that nobody can work out one child's attendance" in page


def test_figures_agree_with_the_scan_on_the_same_day(client, dsl, school, register, frozen):
    """One truth: the report's year to date is what the scan stored, for the school figures page."""
    pick = random.Random(12)
    for _ in range(30):
        pupil = factories.PupilFactory(school=school, fsm=pick.random() < 0.3)
        factories.add_marks(pupil, dt.date(2025, 9, 3), "".join(pick.choice("//////////OGIMLX") for _ in range(26)))
    call_command("attendance_scan", "--as-of", "2025-09-19", "--save", stdout=StringIO(), stderr=StringIO())
    stored = school_figures(school=school)
    client.force_login(dsl)
    response = client.get(REPORT)
    report = response.context["report"]
    assert (report.overall.possible, report.overall.attended) == (stored.possible_sessions, stored.attended_sessions)
    assert report.overall.attendance_pct == stored.attendance_pct
    assert (report.overall.persistent, report.overall.severe) == (stored.persistent, stored.severe)
    assert report.overall.persistent_pct == stored.persistent_pct
    assert report.weeks[-1].persistent == stored.persistent  # the last week's year to date is the same count


# --- the CSV is the table ------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["groups", "weeks", "half_terms"])
def test_each_csv_holds_what_its_table_shows(client, dsl, register, frozen, table):
    client.force_login(dsl)
    page = client.get(REPORT).content.decode()
    response = client.get(REPORT, {"download": table})
    assert response["Content-Disposition"] == f'attachment; filename="attendance-123456-2025-2026-{table}.csv"'
    header, *rows = _csv(response)
    assert header[1:] == ["pupils", "possible_sessions", "attended_sessions", "attendance_pct", "persistently_absent",
                          "persistently_absent_pct", "severely_absent", "severely_absent_pct"]

    def shown(cell: str) -> str:
        return "" if cell == "–" else cell.rstrip("%").replace(",", "")

    on_page = _cells(page, f"table-{table}")
    if table == "weeks":  # the page writes the week as "8 Sep 2025", the file as 2025-09-08
        on_page = [[dt.datetime.strptime(r[0], "%d %b %Y").date().isoformat(), *r[1:]] for r in on_page]
    assert rows == [[shown(c) for c in r] for r in on_page]


def test_an_unknown_table_is_not_found(client, dsl, register, frozen):
    client.force_login(dsl)
    assert client.get(REPORT, {"download": "pupils"}).status_code == 404


# --- the year ------------------------------------------------------------------------------------------------


def test_a_year_without_marks_is_a_clear_message_on_the_field(client, dsl, register, frozen):
    client.force_login(dsl)
    for year in ("1999", "abc", "99999999999999999999"):
        response = client.get(REPORT, {"year": year})
        page = response.content.decode()
        assert response.status_code == 400
        assert "There is a problem" in page and "There are no attendance marks for the academic year" in page
        assert 'data-testid="table-groups"' not in page
    assert "1999 to 2000" in client.get(REPORT, {"year": "1999"}).content.decode()


def test_an_earlier_year_is_reported_to_its_last_day(client, dsl, school, register, frozen):
    pupil = register["E"]
    factories.add_marks(pupil, dt.date(2025, 7, 14), "OOOOOOOOOO")  # 2024 to 2025: 10 sessions, all missed
    client.force_login(dsl)
    response = client.get(REPORT, {"year": "2024"})
    assert response.status_code == 200
    assert response.context["as_of"] == dt.date(2025, 8, 31)
    assert [o[1] for o in response.context["form"].fields["year"].choices] == ["2025 to 2026", "2024 to 2025"]
    assert response.context["report"].overall.pupils == 1


def test_a_school_with_no_marks_says_there_is_nothing_yet(client, dsl, frozen):
    client.force_login(dsl)
    page = client.get(REPORT).content.decode()
    assert 'data-testid="no-marks"' in page


# --- who sees what ------------------------------------------------------------------------------------------


def test_a_governor_sees_the_report_without_a_name_or_a_link_to_a_pupil(client, school, register, frozen):
    governor = _staff("governor", Role.GOVERNOR, "Chair of Governors", school=school)
    client.force_login(governor)
    bodies = []
    for query in ({}, {"cohort": "fsm"}, {"cohort": "sen-support"}, {"year": "2025"}):
        response = client.get(REPORT, query)
        assert response.status_code == 200
        bodies.append(response.content.decode())
    for table in ("groups", "weeks", "half_terms"):
        bodies.append(b"".join(client.get(REPORT, {"download": table}).streaming_content).decode("utf-8-sig"))
    for body in bodies:
        for pupil in register.values():
            assert pupil.forename not in body and pupil.surname not in body and pupil.upn not in body
        assert not re.search(r'href="[^"]*/(pupils|cases)/', body)
    assert 'href="/schools/123456/reports/"' in bodies[0]  # the menu's "Reports"


@pytest.mark.parametrize("username", ["dsl", "attendance", "senco", "head", "governor"])
def test_the_schools_own_staff_see_its_report(client, school, register, frozen, username):
    role = {"dsl": Role.DSL, "attendance": Role.ATTENDANCE_OFFICER, "senco": Role.SENCO, "head": Role.HEADTEACHER,
            "governor": Role.GOVERNOR}[username]
    client.force_login(_staff(username, role, "Staff", school=school))
    assert client.get(REPORT).status_code == 200
    assert client.get("/la/873/reports/").status_code == 403


def test_the_las_people_see_its_report_and_its_schools_but_no_other(client, la, school, other_la_school, register,
                                                                       frozen):
    for username, role in (("officer", Role.LA_OFFICER), ("manager", Role.LA_MANAGER)):
        client.force_login(_staff(username, role, "Officer", la=la))
        page = client.get("/la/873/reports/").content.decode()
        assert 'href="/schools/123456/reports/"' in page  # each school's name opens its report
        assert client.get(REPORT).status_code == 200
        assert client.get("/schools/777777/reports/").status_code == 404
        assert client.get("/la/312/reports/").status_code == 404


def test_another_schools_staff_and_another_las_officer_are_refused(client, school, other_school_dsl,
                                                                  other_la_school, register, frozen):
    client.force_login(other_school_dsl)
    assert client.get(REPORT).status_code == 404
    assert client.get(REPORT, {"download": "groups"}).status_code == 404
    other_officer = _staff("riverside", Role.LA_OFFICER, "Officer", la=other_la_school.local_authority)
    client.force_login(other_officer)
    assert client.get(REPORT).status_code == 404
    assert client.get("/la/873/reports/").status_code == 404


def test_reading_and_downloading_a_report_are_audited(client, dsl, register, frozen):
    from cases.models import AuditEvent

    client.force_login(dsl)
    client.get(REPORT)
    b"".join(client.get(REPORT, {"download": "groups"}).streaming_content)
    assert list(AuditEvent.objects.filter(action__startswith="school_report").values_list("action", flat=True)
                .order_by("pk")) == ["school_report.view", "school_report.export"]


# --- the LA report -------------------------------------------------------------------------------------------


def test_the_la_report_puts_its_schools_side_by_side_with_the_caseload_and_the_notices(
        client, la, school, other_school, register, la_officer, frozen):
    from cases.models import Case

    other = factories.PupilFactory(school=other_school)
    factories.add_marks(other, WEEK_1, "//////////")
    Case.objects.create(pupil=register["C"], school=school, opened_by=la_officer, opened_at=TODAY,
                        stage_entered_at=TODAY, opening_reason="-")
    client.force_login(la_officer)
    page = client.get("/la/873/reports/").content.decode()
    schools = {row[0]: row[1:] for row in _cells(page, "table-schools")}
    assert schools["Meadow Lane Primary School"][:4] == ["6", "110", "96", "87.3%"]
    assert schools["Hillcrest Academy"][0] == "fewer than 5"
    caseload = {row[0]: row for row in _cells(page, "table-caseload")}
    assert caseload["Meadow Lane Primary School"][1] == "1" and caseload["All schools"][-1] == "1"
    for caption in ("Notices to improve issued this year", "Penalty notices issued this year",
                    "Prosecution referrals made this year"):
        assert caption in page
    assert _cells(page, "table-groups")[0][:2] == ["All pupils", "7"]


def test_the_notices_section_counts_by_outcome(la, school, register, dsl, frozen):
    from django.utils import timezone

    from cases.models import Case
    from cases.report_sections import la_report_tables
    from notices.penalty.models import PenaltyNotice

    case = Case.objects.create(pupil=register["C"], school=school, opened_by=dsl, opened_at=TODAY,
                               stage_entered_at=TODAY, opening_reason="-")
    parent = factories.ParentFactory(school=school)
    for reference, issued, state in (("PN-1", dt.date(2025, 9, 10), "paid_reduced"),
                                     ("PN-2", dt.date(2025, 9, 12), "issued"),
                                     ("PN-OLD", dt.date(2025, 6, 1), "unpaid")):
        notice = PenaltyNotice.objects.create(local_authority=la, reference=reference, case=case, pupil=case.pupil,
                                              parent=parent, issued_on=issued, created_at=timezone.now())
        PenaltyNotice.objects.filter(pk=notice.pk).update(state=state)  # bare rows: how they came to be is not asked
    tables = {t.slug: t for t in la_report_tables(local_authority=la, start=dt.date(2025, 9, 1),
                                                  as_of=dt.date(2025, 9, 19))}
    penalty = dict(tables["penalty-notices"].rows)
    assert penalty["Total"] == 2  # the one issued in June belongs to the year before
    assert (penalty["Paid at the reduced rate"], penalty["Issued"], penalty[f"Unpaid after {rules.PN_FULL_DAYS} days"]
            ) == (1, 1, 0)
    assert tables["notices-to-improve"].rows[-1] == ("Total", 0)


# --- the cost does not grow with the pupils ------------------------------------------------------------------


def _pupils_with_marks(school, n: int, start: int) -> None:
    for i in range(n):
        pupil = factories.PupilFactory(school=school, upn=factories.valid_upn(5000 + start + i),
                                       year_group=str(7 + i % 5), fsm=bool(i % 2))
        factories.add_marks(pupil, WEEK_1, "/O////////" * 2)


def test_the_query_count_does_not_grow_with_the_pupils(client, la, school, other_school, la_officer, dsl, frozen):
    TermDate.objects.create(school=school, name="Autumn 1", starts_on=dt.date(2025, 9, 3),
                            ends_on=dt.date(2025, 10, 24))
    counts = []
    for size in (6, 30):
        _pupils_with_marks(school, size, start=len(counts) * 100)
        _pupils_with_marks(other_school, size, start=1000 + len(counts) * 100)
        found = []
        for user, path in ((dsl, REPORT), (la_officer, "/la/873/reports/")):
            client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            found.append(len(queries))
        counts.append(found)
    assert counts[0] == counts[1]


def test_the_smallest_group_shown_is_a_named_figure():
    row = reporting.Figures("x", "x", pupils=reporting.SMALLEST_COHORT_SHOWN, possible=10, attended=9, persistent=1,
                            severe=0)
    assert not row.suppressed
    assert reporting.Figures("x", "x", reporting.SMALLEST_COHORT_SHOWN - 1, 10, 9, 1, 0).suppressed
    assert f"fewer than {reporting.SMALLEST_COHORT_SHOWN}" == reporting.SUPPRESSED_TEXT


def test_half_terms_follow_each_schools_own_term_dates_and_a_holiday_week_stays_in_the_year():
    terms = {
        1: [reporting.Term("Autumn 1", dt.date(2025, 9, 1), dt.date(2025, 10, 24)),
            reporting.Term("Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))],
        2: [reporting.Term("Autumn 1", dt.date(2025, 9, 3), dt.date(2025, 10, 17)),
            reporting.Term("Autumn 2", dt.date(2025, 10, 27), dt.date(2025, 12, 19))],
    }
    week = reporting.WeekCount
    weekly = {
        10: [week(dt.date(2025, 9, 8), 10, 9), week(dt.date(2025, 10, 27), 10, 10), week(dt.date(2025, 11, 3), 10, 8)],
        20: [week(dt.date(2025, 9, 8), 10, 10), week(dt.date(2025, 10, 27), 10, 5)],
    }
    periods, period_of = reporting.half_term_lookup(terms, {10: 1, 20: 2})
    assert [key for key, _, _ in periods] == ["Autumn 1", "Autumn 2"]
    # Pupil 10's week of 27 October is school 1's holiday: it stays with Autumn 1 (nothing lost from the year);
    # it is pupil 20's first week of Autumn 2.
    assert period_of(10, dt.date(2025, 10, 27)) == "Autumn 1" and period_of(20, dt.date(2025, 10, 27)) == "Autumn 2"
    rows = reporting.period_figures([10, 20], weekly, periods=periods, period_of=period_of)
    assert [(r.label, r.possible, r.attended, r.pupils, r.persistent) for r in rows] == [
        ("Autumn 1", 30, 29, 2, 0),  # pupil 10: 1 absent in 20 (5%); pupil 20: none
        ("Autumn 2", 20, 13, 2, 2),  # by the end of Autumn 2: pupil 20 5 absent in 20; pupil 10 3 in 30, exactly 10%
    ]


@pytest.mark.parametrize("table", ["schools", "caseload", "penalty-notices", "referral-decisions"])
def test_each_la_table_downloads_as_it_shows(client, la, school, register, la_officer, frozen, table):
    client.force_login(la_officer)
    page = client.get("/la/873/reports/").content.decode()
    response = client.get("/la/873/reports/", {"download": table})
    assert response["Content-Disposition"] == f'attachment; filename="attendance-873-2025-2026-{table}.csv"'
    _, *rows = _csv(response)
    assert rows and rows == [[c.rstrip("%").replace(",", "").replace("–", "") for c in r]
                             for r in _cells(page, f"table-{table}")]
