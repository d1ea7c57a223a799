"""Browser journeys: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

The live server serves static files through staticfiles' finders, so the compiled CSS (static/css/app.css,
from `npm run build:css`) and GOV.UK Frontend's JavaScript (node_modules, via STATICFILES_DIRS) load
as they would in production. Screenshots of each screen go to /tmp/shots/ for a person to look at.
"""

from __future__ import annotations

import os
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases import rules
from cases.models import (
    Alert,
    AlertKind,
    AttendanceSnapshot,
    CodeOfConduct,
    Mark,
    MarkAmendment,
    Role,
    SenStatus,
)
from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path("/tmp/shots")
PASSWORD = "correct-horse-battery"
FEATURED_UPN = "A123456789012"

# Register profiles for the synthetic school: weights of the codes a pupil's sessions get.
PROFILES = {
    "regular": {"/": 96, "I": 2, "M": 1, "L": 1},
    "some_absence": {"/": 88, "I": 6, "M": 2, "L": 2, "O": 1, "G": 1},
    "persistent": {"/": 78, "I": 9, "N": 2, "O": 5, "G": 4, "U": 2},
    "severe": {"/": 45, "O": 30, "N": 10, "I": 10, "G": 5},
}
SURNAMES = ["Hughes", "Khan", "Williams", "Nowak", "Taylor", "Begum", "Evans", "Okafor", "Smith", "Jones",
            "Patel", "Brown", "Murphy", "Ali", "Wilson", "Davies", "Clarke", "Ahmed", "Thomas", "Roberts"]
FORENAMES = ["Oliver", "Amelia", "Noah", "Isla", "Muhammad", "Ava", "George", "Freya", "Leo", "Lily",
             "Arthur", "Sophia", "Oscar", "Grace", "Harry", "Ivy", "Jack", "Ella", "Theo", "Zara"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        # The set-up script installs it, so in CI a missing browser is a failure, not a skip.
        if os.environ.get("CI"):
            pytest.fail("Debian's Chromium is not installed (apt-get install chromium)")
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def shoot():
    """Saves a full-page screenshot to /tmp/shots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name: str, *, full_page: bool = True) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return _shoot


def _school_days(start: date, end: date) -> list[date]:
    """Weekdays from ``start`` to ``end``, skipping October half term (the week containing 31 October)."""
    half_term = rules.week_start(date(start.year, 10, 31))
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and not (half_term <= day < half_term + timedelta(days=7)):
            days.append(day)
        day += timedelta(days=1)
    return days


def _codes(rng: random.Random, profile: str, sessions: int) -> list[str]:
    weights = PROFILES[profile]
    return rng.choices(list(weights), weights=list(weights.values()), k=sessions)


def _present_code(session: int, code: str) -> str:
    return "\\" if code == "/" and session == rules.PM else code


@pytest.fixture
def demo_school(db):
    """A school of 64 pupils with a term of register marks up to today, scanned with rules.measure."""
    today = timezone.localdate()
    year_start = rules.academic_year_start(today)
    la = factories.LocalAuthorityFactory(code="873", name="Fenshire County Council")
    CodeOfConduct.objects.create(local_authority=la)
    school = factories.SchoolFactory(urn="123456", name="Meadow Lane Primary School", local_authority=la)
    other = factories.SchoolFactory(urn="654321", name="Hillcrest Academy", local_authority=la)
    conduct = la.conduct()

    dsl = factories.UserFactory(username="dsl", first_name="Sarah", last_name="Whitfield")
    factories.StaffProfileFactory(user=dsl, role=Role.DSL, position="Deputy Headteacher (Attendance Lead)",
                                  school=school)
    officer = factories.UserFactory(username="la_officer", first_name="Fiona", last_name="Hargreaves")
    factories.StaffProfileFactory(user=officer, role=Role.LA_OFFICER, position="Senior Education Welfare Officer",
                                  school=None, local_authority=la)

    rng = random.Random(873)
    days = _school_days(year_start, today)
    # The previous summer term's last weeks, so the rolling window is complete in September.
    summer = _school_days(year_start - timedelta(weeks=8), year_start - timedelta(weeks=2))
    pupils, marks = [], []
    for n in range(64):
        at = school if n < 56 else other
        profile = "regular" if n % 5 in (0, 1) else "some_absence" if n % 5 == 2 else "persistent"
        if n % 17 == 3:
            profile = "severe"
        featured = n == 0
        pupil = factories.PupilFactory(
            upn=FEATURED_UPN if featured else f"B{872000000000 + n:012d}",
            forename="Amelia" if featured else FORENAMES[n % 20],
            surname="Hughes" if featured else SURNAMES[(n * 7) % 20],
            date_of_birth=date(2016, 3, 14) if featured else date(2014 + n % 6, 1 + n % 12, 1 + n % 28),
            school=at,
            year_group="5" if featured else str(1 + n % 6),
            sen_status=SenStatus.SEN_SUPPORT if featured or n % 9 == 4 else SenStatus.EHC_PLAN if n % 23 == 5
            else SenStatus.NONE,
            fsm=featured or n % 4 == 1,
            social_worker=n % 13 == 6,
            looked_after=n % 29 == 7,
            young_carer=n % 19 == 8,
            eal=n % 7 == 2,
        )
        pupils.append((pupil, "persistent" if featured else profile))
        for day in summer + days:
            codes = _codes(rng, "persistent" if featured else profile, 2)
            for session in (rules.AM, rules.PM):
                marks.append(Mark(pupil=pupil, school=at, date=day, session=session,
                                  code=_present_code(session, codes[session])))
    Mark.objects.bulk_create(marks)

    featured_pupil = pupils[0][0]
    # An N later explained as a holiday not granted: the register keeps both codes.
    amended_day = days[len(days) // 2]
    Mark.objects.filter(pupil=featured_pupil, date=amended_day, session=rules.AM).update(code="G")
    MarkAmendment.objects.create(
        pupil=featured_pupil, date=amended_day, session=rules.AM, original_code="N", amended_code="G",
        reason="Parent confirmed a family holiday; leave had been refused",
        amended_at=timezone.make_aware(datetime.combine(amended_day + timedelta(days=3), time(9, 40))),
        amended_by_name="Kiran Patel", amended_by_position="Attendance Officer",
    )
    mother = factories.ParentFactory(school=school, forename="Rachel", surname="Hughes", phone="07700 900123",
                                     email="rachel.hughes@example.com")
    father = factories.ParentFactory(school=school, forename="Daniel", surname="Hughes", phone="07700 900456")
    factories.ParentalRelationshipFactory(pupil=featured_pupil, parent=mother, relationship="mother",
                                          parental_responsibility=True, lives_with_pupil=True)
    factories.ParentalRelationshipFactory(pupil=featured_pupil, parent=father, relationship="father",
                                          parental_responsibility=True, lives_with_pupil=False)

    for pupil, _ in pupils:
        pupil_marks = list(pupil.marks.order_by("date", "session").values_list("date", "session", "code"))
        m = rules.measure(pupil_marks, as_of=today, conduct=conduct)
        AttendanceSnapshot.objects.create(
            pupil=pupil, as_of=today, possible_sessions=m.possible_sessions, attended_sessions=m.attended_sessions,
            attendance_pct=m.attendance_pct, persistent_absence=m.persistent_absence, severe_absence=m.severe_absence,
            unauthorised_in_window=m.unauthorised_in_window, pn_threshold_met=m.pn_threshold_met,
            pn_threshold_first_met=m.pn_threshold_first_met, pending_n_sessions=m.pending_n_sessions,
            stale_n_sessions=m.stale_n_sessions, illness_sessions=m.illness_sessions,
            sickness_return_due=m.sickness_return_due, unexplained_run_sessions=m.unexplained_run_sessions,
            cme_risk=m.cme_risk, late_marks_recent=m.late_marks_recent, lateness_concern=m.lateness_concern,
        )
        raised = [
            (m.persistent_absence, AlertKind.PERSISTENT_ABSENCE, f"Attendance {m.attendance_pct}% this academic year"),
            (m.severe_absence, AlertKind.SEVERE_ABSENCE, f"Attendance {m.attendance_pct}% this academic year"),
            (m.pn_threshold_met, AlertKind.THRESHOLD_MET,
             f"{m.unauthorised_in_window} unauthorised sessions in {conduct.threshold_school_weeks} school weeks"),
            (m.stale_n_sessions > 0, AlertKind.STALE_N, f"{m.stale_n_sessions} N codes older than 5 school days"),
        ]
        for flagged, kind, detail in raised:
            if flagged:
                Alert.objects.create(pupil=pupil, school=pupil.school, kind=kind, dedup_key=str(year_start.year),
                                     raised_on=today - timedelta(days=rng.randrange(0, 20)), detail=detail)
    return {"school": school, "other": other, "la": la, "dsl": dsl, "la_officer": officer,
            "featured": featured_pupil, "amended_day": amended_day, "today": today}


# The authenticator key the journeys' users get (base32, as a person would type it into an app).
TEST_AUTHENTICATOR_SECRET = "JOURNEYSAUTHENTICATORKEY234567AB"


def ensure_authenticator(username: str) -> None:
    """A confirmed authenticator for a user whose role needs one and has none yet (the demo's have theirs)."""
    from base64 import b32decode

    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.permissions import needs_second_factor

    user = get_user_model().objects.filter(username=username).first()
    if user is None or not needs_second_factor(user):
        return
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True,
                                  key=b32decode(TEST_AUTHENTICATOR_SECRET).hex())


def current_code(username: str) -> str:
    """What the user's authenticator app shows now. The device forgets the last code used, since a journey
    may sign the same person in twice within one 30-second step (a code is accepted once)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


def complete_second_factor(page, username: str) -> None:
    """The second sign-in step, when the page shows it: the code from the user's authenticator."""
    page.wait_for_load_state()
    if "/accounts/two-factor/" not in page.url:
        return
    page.get_by_label("Code").fill(current_code(username))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Signs in through the sign-in page and, for the roles that need it, the authenticator code."""
    ensure_authenticator(username)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    complete_second_factor(page, username)


def open_case_section(page, title: str) -> None:
    """Opens a section of the case page (Overview, Chronology, Meetings, Support, Notices and referrals,
    Letters and documents) from its sub-navigation."""
    page.get_by_test_id("case-sections").get_by_role("link", name=title, exact=True).click()
    from playwright.sync_api import expect

    expect(page.get_by_test_id("case-sections").locator("[aria-current=page]")).to_have_text(title)
