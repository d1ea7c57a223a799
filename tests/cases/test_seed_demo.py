"""The demo authority that seed_demo builds: valid identifiers and codes, a believable register, users."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from cases import demo, rules
from cases.models import LocalAuthority, Mark, MarkAmendment, Parent, Pupil, StaffProfile

AS_OF = date(2026, 11, 26)
FROM = date(2026, 1, 5)  # spans the February move between schools and the summer holiday
PASSWORD = "attendance-demo-2026"

# Days with no school in the demo's span: half terms, Easter, summer, bank holidays, weekends aside.
HOLIDAYS = [
    (date(2026, 2, 16), date(2026, 2, 20)),
    (date(2026, 3, 30), date(2026, 4, 10)),
    (date(2026, 5, 4), date(2026, 5, 4)),
    (date(2026, 5, 25), date(2026, 5, 29)),
    (date(2026, 7, 18), date(2026, 8, 31)),
    (date(2026, 10, 26), date(2026, 10, 30)),
]


def _dfe_check_letter(digits: str) -> str:
    """Written out again here, apart from cases.demo, so the test does not check the code against itself."""
    total = 0
    for position in range(2, 14):
        total += int(digits[position - 2]) * position
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        "--pupils",
        "60",
        "--from",
        FROM.isoformat(),
        "--as-of",
        AS_OF.isoformat(),
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


@pytest.fixture
def seeded(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return _seed()


def test_check_letter_matches_a_worked_example():
    # 8*2 + 7*3 + 3*4 + 4*5 + 0*6 + 0*7 + 7*8 + 2*9 + 5*10 + 0*11 + 0*12 + 1*13 = 206; 206 mod 23 = 22 -> Z
    assert rules.upn_check_letter("873400725001") == "Z"


def test_every_demo_upn_passes_the_dfe_check_letter_rule(seeded):
    upns = list(Pupil.objects.values_list("upn", flat=True))
    assert len(upns) == 60
    bad = [u for u in upns if len(u) != 13 or not u[1:].isdigit() or u[0] != _dfe_check_letter(u[1:])]
    assert bad == []


def test_demo_register_holds_only_valid_codes(seeded):
    invalid = [(d, c) for d, c in Mark.objects.values_list("date", "code") if not rules.is_valid_code(c, d)]
    assert invalid == []
    assert Mark.objects.count() > 60 * 2 * 120  # new Reception and Year 7 pupils only since September


def test_no_marks_on_weekends_holidays_or_after_the_as_of_date(seeded):
    dates = set(Mark.objects.values_list("date", flat=True))
    assert min(dates) >= FROM and max(dates) <= AS_OF
    assert [d for d in dates if d.weekday() >= 5] == []
    assert [d for d in dates if any(first <= d <= last for first, last in HOLIDAYS)] == []


def test_inset_days_are_whole_school_closures(seeded):
    codes = set(Mark.objects.filter(date=date(2026, 9, 1)).values_list("code", flat=True))
    assert codes == {"#"}


def test_some_but_not_most_pupils_are_persistently_absent(seeded):
    possible: dict[int, int] = defaultdict(int)
    absent: dict[int, int] = defaultdict(int)
    for pupil_id, code in Mark.objects.filter(date__gte=date(2026, 9, 1)).values_list("pupil_id", "code"):
        if code in rules.NOT_COUNTED_CODES:
            continue
        possible[pupil_id] += 1
        absent[pupil_id] += code not in rules.ATTENDED_CODES
    persistent = [p for p in possible if absent[p] * 10 >= possible[p]]
    assert 3 <= len(persistent) <= 30


def test_register_shows_the_patterns_the_alerts_look_for(seeded):
    counts = defaultdict(int)
    for code in Mark.objects.values_list("code", flat=True):
        counts[code] += 1
    for code in ("I", "L", "G", "O", "N", "M"):
        assert counts[code] > 0, code
    illness = defaultdict(int)
    for pupil_id in Mark.objects.filter(date__gte=date(2026, 9, 1), code="I").values_list(
        "pupil_id", flat=True
    ):
        illness[pupil_id] += 1
    assert max(illness.values()) >= rules.SICKNESS_RETURN_SESSIONS


def test_n_corrections_are_kept_as_amendments_matching_the_register(seeded):
    amendments = list(MarkAmendment.objects.all())
    assert amendments
    for a in amendments[:50]:
        assert a.original_code == "N"
        assert Mark.objects.get(pupil_id=a.pupil_id, date=a.date, session=a.session).code == a.amended_code
        assert a.amended_by_name and a.amended_by_position


def test_a_pupil_who_moved_school_has_marks_at_both(seeded):
    moved = [p for p in Pupil.objects.all() if len(set(p.marks.values_list("school_id", flat=True))) == 2]
    assert moved
    for pupil in moved:
        assert pupil.marks.filter(date__gte=date(2026, 2, 23)).exclude(school=pupil.school).count() == 0


def test_siblings_share_a_parent_record_at_their_school(seeded):
    shared = [p for p in Parent.objects.all() if p.pupils.count() > 1]
    assert shared
    for parent in shared:
        assert {pupil.school_id for pupil in parent.pupils.all()} == {parent.school_id}
    assert Parent.objects.filter(phone__startswith="07700 900").count() == Parent.objects.count()
    assert (
        not Parent.objects.exclude(email__endswith="example.com").exclude(email__endswith=".invalid").exists()
    )


def test_demo_users_sign_in_with_the_demo_password(seeded, client):
    for username in demo.DEMO_USERNAMES:
        assert client.login(username=username, password=PASSWORD), username
    dsl = StaffProfile.objects.get(user__username="dsl")
    assert dsl.position == "Deputy Headteacher (Attendance Lead)"
    assert dsl.school.name == "Fenbridge Academy"
    assert StaffProfile.objects.get(user__username="la_officer").local_authority.code == "873"


def test_second_run_changes_nothing(seeded):
    before = (Pupil.objects.count(), Mark.objects.count(), Parent.objects.count())
    assert "demo data already present" in _seed()
    assert (Pupil.objects.count(), Mark.objects.count(), Parent.objects.count()) == before


def test_reset_rebuilds_the_same_data_from_the_same_seed(seeded):
    upns = set(Pupil.objects.values_list("upn", flat=True))
    marks = Mark.objects.count()
    _seed("--reset")
    assert LocalAuthority.objects.filter(code="873").count() == 1
    assert set(Pupil.objects.values_list("upn", flat=True)) == upns
    assert Mark.objects.count() == marks


def test_reset_after_a_letter_batch_and_a_bundle_were_made_on_the_demo(seeded):
    """What a demo user makes (a batch, a bundle asked for) points at the demo's users: the reset removes it."""
    from django.utils import timezone

    from cases.services import case_open
    from notices.models import EvidenceBundleRun, LetterBatch

    dsl = StaffProfile.objects.get(user__username="dsl")
    LetterBatch.objects.create(school=dsl.school, kind="concern", title="Concern letters", created_by=dsl.user,
                               created_at=timezone.now())
    case = case_open(pupil=Pupil.objects.filter(school=dsl.school).order_by("pk").first(), by=dsl.user,
                     reason="Attendance falling")
    EvidenceBundleRun.objects.create(case=case, requested_by=dsl.user, requested_at=timezone.now())
    _seed("--reset")
    assert not LetterBatch.objects.exists() and not EvidenceBundleRun.objects.exists()
    assert StaffProfile.objects.filter(user__username="dsl").exists()


def test_school_days_skip_bank_holidays_and_holidays():
    calendar = demo.school_calendar(date(2025, 9, 1), date(2026, 8, 31))
    assert date(2026, 4, 6) not in calendar.days  # Easter Monday
    assert date(2025, 12, 22) not in calendar.days
    assert all(d.weekday() < 5 for d in calendar.days)
    open_days = sum(1 for closed in calendar.closed if not closed)
    assert 185 <= open_days <= 195  # a school year is 190 days
    assert calendar.days[0] + timedelta(days=1) == calendar.days[1]


def _seed_dated_today(*extra: str) -> str:
    """Seeds on the as-of day, as casework needs; call inside time_machine.travel to AS_OF."""
    out = StringIO()
    call_command("seed_demo", "--pupils", "400", "--from", FROM.isoformat(), "--as-of", AS_OF.isoformat(), *extra,
                 stdout=out, stderr=StringIO())
    return out.getvalue()


def test_casework_is_made_through_the_ladder_when_the_demo_is_dated_today(db, monkeypatch):
    """Seeded on its as-of day, the demo opens cases at several stages, each step with its evidence."""
    import datetime as dt

    import time_machine

    from cases.models import Case, CaseEvent, CaseState, EventKind

    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with time_machine.travel(dt.datetime.combine(AS_OF, dt.time(18)), tick=False):
        out = _seed_dated_today()
    assert "Casework:" in out
    states = set(Case.objects.values_list("state", flat=True))
    assert {CaseState.CONCERN, CaseState.TARGETED_SUPPORT, CaseState.FORMAL_SUPPORT} <= states
    for event in CaseEvent.objects.filter(kind=EventKind.TRANSITION):
        assert event.evidence, f"{event} moved without evidence"
        assert event.at.date() <= AS_OF


def test_the_demo_cases_hold_their_contacts_with_the_family_the_same_every_time(db, monkeypatch):
    """First-day calls, letters home, welfare visits and talks with the pupil: each dated within its case and
    before the demo's day, each on the chronology in the words of the contacts table, rebuilt identically."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from cases.models import CaseEvent, EventKind
    from meetings.contacts import contact_summary
    from meetings.models import Contact, ContactMethod

    def story():
        return sorted((c.case.pupil.upn, c.made_at, c.method, c.outcome, c.with_name, c.with_role, c.summary)
                      for c in Contact.objects.select_related("case__pupil"))

    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with time_machine.travel(dt.datetime.combine(AS_OF, dt.time(18)), tick=False):
        _seed_dated_today()
        first = story()
        assert {ContactMethod.PHONE, ContactMethod.LETTER, ContactMethod.HOME_VISIT, ContactMethod.MEETING} <= {
            method for _, _, method, *_ in first}
        for contact in Contact.objects.select_related("case"):
            made_on = timezone.localtime(contact.made_at).date()
            assert timezone.localtime(contact.case.opened_at).date() <= made_on < AS_OF, contact
            event = CaseEvent.objects.get(case=contact.case, kind=EventKind.CONTACT, evidence=[f"contact:{contact.pk}"])
            assert event.summary == contact_summary(contact)
        _seed_dated_today("--reset")
        assert story() == first


def test_the_la_officer_finds_requests_and_a_referral_waiting(db, monkeypatch, client):
    """Seeded on its as-of day, the LA officer's inbox holds Fenbridge Academy's penalty notice requests (the
    team's queue oldest first, one past the 5 working days of the service level; one she has taken; one waiting
    for the school's answer to her question) and a prosecution referral with its evidence bundle, from a case
    whose penalty notice went unpaid: each made through the services, on the headteacher's authority.

    Seed 3: at 400 pupils the default seed's register lets casework issue no penalty notice (it can only show
    what the rules allow), so there would be no unpaid notice to refer; the full demo's 3,000 pupils have one."""
    import datetime as dt

    import time_machine
    from django.urls import reverse

    from cases.models import CaseState
    from notices.models import PenaltyNoticeRequest, PenaltyNoticeState, ProsecutionReferral

    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    # One clock for the whole visit: the session and the inbox's waiting days are both as of AS_OF, so the
    # test holds whatever day it runs (a page asked for at the real date would find the session expired).
    with time_machine.travel(dt.datetime.combine(AS_OF, dt.time(18)), tick=False):
        _seed_dated_today("--seed", "3")
        assert client.login(username="la_officer", password=PASSWORD)
        page = client.get(reverse("pn_requests:la_inbox", kwargs={"code": "873"}))
        assert page.status_code == 200
        inbox, referrals = page.context["inbox"], page.context["referrals"]

        assert [(t.working_days_waiting, t.overdue) for t in inbox.queue] == [(7, True), (3, False)]
        assert [t.working_days_waiting for t in inbox.mine] == [4]
        assert [t.working_days_waiting for t in inbox.with_school] == [4]
        asked = inbox.with_school[0].request
        assert asked.decision == "more_information" and asked.decided_by.username == "la_officer"
        assert [e["kind"] for e in asked.exchanges] == ["question"]
        for task in inbox.queue + inbox.mine + inbox.with_school:
            request = task.request
            assert request.case.school.urn == "145872"  # Fenbridge Academy
            assert request.case.state == CaseState.PENALTY_NOTICE
            assert request.consideration.authorised_by.username == "head"
            assert request.consideration.authorised_at < request.created
            assert request.parents.exists()
        assert b"Overdue" in page.content

        [task] = referrals.queue
        referral = task.referral
        assert task.working_days_waiting == 0  # referred today: its evidence bundle prints the day it was made
        assert referral.case.state == CaseState.PROSECUTION_REFERRAL and referral.case.school.urn == "145872"
        assert referral.case.penalty_notices.filter(state=PenaltyNoticeState.UNPAID).exists()
        assert referral.bundle.case == referral.case and referral.bundle.recipient == "la:873"
        bundle = client.get(reverse("referrals:la_bundle", kwargs={"code": "873", "pk": referral.pk}))
        assert bundle.status_code == 200 and b"".join(bundle.streaming_content if bundle.streaming else
                                                      [bundle.content]).startswith(b"%PDF")

        # --reset rebuilds it: the processes go first, as they protect the cases and the bundle.
        _seed_dated_today("--seed", "3", "--reset")
        assert client.login(username="la_officer", password=PASSWORD)  # the demo users are made again
        inbox = client.get(reverse("pn_requests:la_inbox", kwargs={"code": "873"})).context["inbox"]
        assert [(t.working_days_waiting, t.overdue) for t in inbox.queue] == [(7, True), (3, False)]
        assert PenaltyNoticeRequest.objects.count() == 4 and ProsecutionReferral.objects.count() == 1
