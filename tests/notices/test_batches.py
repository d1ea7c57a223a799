"""Letter batches: who gets a concern or persistent absence letter, the Celery run to one combined PDF, and the pages."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from cases import rules
from cases.models import Alert, AlertKind, AttendanceSnapshot, AuditEvent, Parent
from cases.permissions import NotPermitted
from notices.letters import batches
from notices.letters.batches import LetterBatchRefused, letter_batch_plan, letter_batch_start
from notices.letters.school_letters import CONCERN_TEMPLATE, PERSISTENT_ABSENCE_TEMPLATE
from notices.letters.tasks import letter_batch_run_task
from notices.models import BatchStatus, Letter, LetterBatch
from tests import factories

NOW = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC)  # a Friday in the autumn term
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def snapshot(pupil, *, attended: int, possible: int = 1000, illness: int = 0) -> AttendanceSnapshot:
    absent = possible - attended
    return AttendanceSnapshot.objects.create(
        pupil=pupil, as_of=TODAY, possible_sessions=possible, attended_sessions=attended,
        attendance_pct=Decimal(str(rules.percent_one_place(attended, possible))),
        persistent_absence=rules.is_persistent_absence(absent, possible),
        severe_absence=rules.is_severe_absence(absent, possible), unauthorised_in_window=0, pn_threshold_met=False,
        pn_threshold_first_met=None, pending_n_sessions=0, stale_n_sessions=0, illness_sessions=illness,
        sickness_return_due=False, unexplained_run_sessions=0, cme_risk=False, late_marks_recent=0,
        lateness_concern=False,
    )


def pupil_at(school, forename: str, *, attended: int | None, possible: int = 1000, parents: int = 1):
    """A pupil with a snapshot (attended of possible sessions) and ``parents`` parents with parental responsibility."""
    pupil = factories.PupilFactory(school=school, forename=forename, surname="Test")
    if attended is not None:
        snapshot(pupil, attended=attended, possible=possible)
    for n in range(parents):
        factories.ParentalRelationshipFactory(
            pupil=pupil, parent__forename=f"Parent{n}", parent__surname=f"Of{forename}",
            parent__address="1 High Street\nFenby\nFE1 1AA",
        )
    return pupil


def earlier_letter(pupil, by, *, template: str, weeks_ago: float) -> Letter:
    return Letter.objects.create(
        pupil=pupil, recipient="parent:0", template=template, subject_key=f"earlier:{pupil.pk}:{weeks_ago}",
        version=1, title="Earlier letter", pdf=b"", sha256="", context={}, generated_by=by,
        generated_at=NOW - dt.timedelta(weeks=weeks_ago),
    )


def planned_pupils(school, kind: str) -> list[str]:
    return [p.forename for p in letter_batch_plan(school=school, kind=kind).pupils]


def alert(pupil, *, days_ago: int, kind=AlertKind.PERSISTENT_ABSENCE, resolved: bool = False) -> Alert:
    return Alert.objects.create(
        pupil=pupil, school=pupil.school, kind=kind, dedup_key=f"2025:{days_ago}",
        raised_on=TODAY - dt.timedelta(days=days_ago), detail="Persistent absence",
        resolved_at=NOW if resolved else None,
    )


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(bytes(pdf))).pages)


# --- who gets a letter -----------------------------------------------------------------------------------


def test_concern_letter_below_the_schools_threshold_and_not_at_it(school, other_school):
    pupil_at(school, "AtThreshold", attended=960)  # 96.0%
    pupil_at(school, "JustBelow", attended=959)  # 95.9%
    pupil_at(school, "WellBelow", attended=800)
    pupil_at(school, "NoScanYet", attended=None)
    pupil_at(other_school, "OtherSchool", attended=500)

    assert school.concern_letter_below_pct == Decimal("96.0")
    assert sorted(planned_pupils(school, "concern")) == ["JustBelow", "WellBelow"]


def test_the_schools_own_threshold_decides(school):
    pupil_at(school, "At91", attended=910)
    pupil_at(school, "At89", attended=890)
    school.concern_letter_below_pct = Decimal("90.0")
    school.save()

    assert planned_pupils(school, "concern") == ["At89"]


@pytest.mark.parametrize(("template", "weeks_ago", "in_batch"), [
    (CONCERN_TEMPLATE, 5, False),
    (CONCERN_TEMPLATE, 6 - 1 / 7, False),
    (CONCERN_TEMPLATE, 6, True),  # the same weekday six weeks on: the half term has passed
    (CONCERN_TEMPLATE, 7, True),
    (PERSISTENT_ABSENCE_TEMPLATE, 1, False),  # the stronger letter already went
    (PERSISTENT_ABSENCE_TEMPLATE, 7, True),
], ids=["concern-5-weeks", "concern-6-weeks-less-a-day", "concern-6-weeks", "concern-7-weeks", "persistent-1-week", "persistent-7-weeks"])
def test_an_attendance_letter_in_the_last_six_weeks_skips_the_pupil(school, dsl, template, weeks_ago, in_batch):
    written = pupil_at(school, "Written", attended=900)
    pupil_at(school, "NotWritten", attended=900)
    earlier_letter(written, dsl, template=template, weeks_ago=weeks_ago)

    assert sorted(planned_pupils(school, "concern")) == (["NotWritten", "Written"] if in_batch else ["NotWritten"])


def test_a_pupil_due_a_persistent_absence_letter_this_week_is_not_also_sent_a_concern_letter(school, dsl):
    due = pupil_at(school, "DuePersistent", attended=880)
    alert(due, days_ago=2)
    old_alert = pupil_at(school, "AlertTenDaysAgo", attended=880)
    alert(old_alert, days_ago=10)
    pupil_at(school, "BelowNinetySixOnly", attended=940)

    assert planned_pupils(school, "persistent") == ["DuePersistent"]
    assert sorted(planned_pupils(school, "concern")) == ["AlertTenDaysAgo", "BelowNinetySixOnly"]


def test_one_letter_per_parent_with_parental_responsibility(school):
    two = pupil_at(school, "TwoParents", attended=900, parents=2)
    factories.ParentalRelationshipFactory(pupil=two, relationship="stepfather", parental_responsibility=False)
    pupil_at(school, "NoParent", attended=900, parents=0)

    plan = letter_batch_plan(school=school, kind="concern")

    assert [(p.pupil.forename, p.parent_name) for p in plan.letters] == [
        ("TwoParents", "Parent0 OfTwoParents"), ("TwoParents", "Parent1 OfTwoParents"),
    ]
    assert [p.forename for p in plan.pupils_without_parent] == ["NoParent"]


def test_a_parent_without_an_address_is_left_out_with_the_reason(school):
    two = pupil_at(school, "TwoParents", attended=900, parents=2)
    Parent.objects.filter(pupil_links__pupil=two, forename="Parent1").update(address="")

    plan = letter_batch_plan(school=school, kind="concern")

    assert [(p.pupil.forename, p.parent_name) for p in plan.letters] == [("TwoParents", "Parent0 OfTwoParents")]
    assert [(s.pupil.forename, s.reason) for s in plan.skipped] == [
        ("TwoParents", "Parent1 OfTwoParents has no address on record: add one to their record to write to them.")
    ]


def test_persistent_batch_picks_only_this_weeks_new_open_alerts(school):
    new = pupil_at(school, "NewThisWeek", attended=880)
    alert(new, days_ago=2)
    old = pupil_at(school, "RaisedTenDaysAgo", attended=880)
    alert(old, days_ago=10)
    resolved = pupil_at(school, "Resolved", attended=880)
    alert(resolved, days_ago=1, resolved=True)
    severe = pupil_at(school, "SevereOnly", attended=400)
    alert(severe, days_ago=1, kind=AlertKind.SEVERE_ABSENCE)
    pupil_at(school, "PersistentButNoAlert", attended=880)

    assert planned_pupils(school, "persistent") == ["NewThisWeek"]


def test_persistent_batch_does_not_write_twice_about_the_same_alert(school, dsl):
    pupil = pupil_at(school, "AlreadyWritten", attended=880)
    alert(pupil, days_ago=3)
    earlier_letter(pupil, dsl, template=PERSISTENT_ABSENCE_TEMPLATE, weeks_ago=2 / 7)

    assert planned_pupils(school, "persistent") == []


# --- the batch on Celery ---------------------------------------------------------------------------------


@pytest.fixture
def three_letters(school):
    """Two pupils below the threshold: one with two parents, one with one. Three letters."""
    return [pupil_at(school, "Ava", attended=950, parents=2), pupil_at(school, "Ben", attended=850)]


def test_starting_queues_the_batch_and_runs_it_after_commit(school, dsl, three_letters,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = letter_batch_start(school=school, kind="concern", by=dsl)

    assert len(callbacks) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done) == (BatchStatus.QUEUED, 3, 0)
    assert not Letter.objects.exists()


def test_batch_runs_to_done_with_one_combined_pdf(school, dsl, three_letters, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(school=school, kind="concern", by=dsl)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert batch.done == batch.total == 3
    assert batch.finished_at is not None and batch.error == ""
    letters = list(batch.letters.all())
    assert len(letters) == 3
    assert {letter.template for letter in letters} == {CONCERN_TEMPLATE}
    assert {letter.recipient for letter in letters} == {
        f"parent:{link.parent_id}" for pupil in three_letters for link in pupil.parent_links.all()
    }
    assert page_count(batch.combined_pdf) == sum(page_count(letter.pdf) for letter in letters)
    # Those pupils have had their concern letter this half term now.
    assert letter_batch_plan(school=school, kind="concern").letters == []


def test_persistent_batch_makes_persistent_absence_letters(school, dsl, django_capture_on_commit_callbacks):
    pupil = pupil_at(school, "Cara", attended=880)
    alert(pupil, days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(school=school, kind="persistent", by=dsl)

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == (BatchStatus.DONE, 1, 1)
    assert batch.letters.get().template == PERSISTENT_ABSENCE_TEMPLATE


def test_an_error_marks_the_batch_failed_and_a_rerun_makes_no_duplicates(
    school, dsl, three_letters, monkeypatch, django_capture_on_commit_callbacks
):
    plan = letter_batch_plan(school=school, kind="concern").ids
    real = batches.attendance_concern_letter_generate
    made = []

    def fails_on_the_third(**kwargs):
        if len(made) == 2:
            raise RuntimeError("The PDF renderer stopped")
        made.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(batches, "attendance_concern_letter_generate", fails_on_the_third)
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(school=school, kind="concern", by=dsl)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "RuntimeError: The PDF renderer stopped" in batch.error
    assert (batch.done, batch.total) == (2, 3) and not batch.combined_pdf

    monkeypatch.setattr(batches, "attendance_concern_letter_generate", real)
    letter_batch_run_task.apply(args=[batch.pk, plan])  # the retry
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.error) == (BatchStatus.DONE, 3, 3, "")
    assert Letter.objects.count() == 3
    assert set(Letter.objects.values_list("version", flat=True)) == {1}


def test_a_redelivered_task_does_not_duplicate_letters(school, dsl, three_letters, django_capture_on_commit_callbacks):
    plan = letter_batch_plan(school=school, kind="concern").ids
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(school=school, kind="concern", by=dsl)
    # acks_late: a worker lost after the letters were made but before it acknowledged runs the task again.
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)

    letter_batch_run_task.apply(args=[batch.pk, plan])

    batch.refresh_from_db()
    assert (batch.status, batch.done) == (BatchStatus.DONE, 3)
    assert Letter.objects.count() == 3 and batch.letters.count() == 3


def test_nothing_to_send_is_refused(school, dsl):
    pupil_at(school, "Fine", attended=990)
    with pytest.raises(LetterBatchRefused, match="no pupil needs one"):
        letter_batch_start(school=school, kind="concern", by=dsl)
    assert not LetterBatch.objects.exists()


def test_a_second_batch_of_the_same_kind_waits_for_the_first(school, dsl, three_letters,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        letter_batch_start(school=school, kind="concern", by=dsl)
        with pytest.raises(LetterBatchRefused, match="still being made"):
            letter_batch_start(school=school, kind="concern", by=dsl)


@pytest.mark.parametrize("persona", ["senco", "headteacher", "other_school_dsl"])
def test_only_the_schools_case_movers_start_a_batch(request, school, three_letters, persona):
    with pytest.raises(NotPermitted):
        letter_batch_start(school=school, kind="concern", by=request.getfixturevalue(persona))


# --- the pages -------------------------------------------------------------------------------------------


def _list_url(school):
    return reverse("letters:batches", kwargs={"urn": school.urn})


@pytest.mark.parametrize("persona", ["dsl", "attendance_officer"])
def test_the_letters_page_shows_what_each_batch_would_make(request, client, school, three_letters, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_list_url(school))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="plan-count-concern">3 letters</strong>' in html
    assert 'data-testid="plan-count-persistent">0 letters</strong>' in html
    assert "Make 3 letters" in html
    assert 'href="/schools/123456/letters/"' in html  # the navigation item


@pytest.mark.parametrize(("persona", "status"), [
    ("other_school_dsl", 404), ("la_officer", 403), ("senco", 403), ("headteacher", 403),
])
def test_the_letters_page_is_only_for_the_schools_case_movers(request, client, school, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_list_url(school)).status_code == status


def test_anonymous_visitor_is_sent_to_sign_in(client, school):
    response = client.get(_list_url(school))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_starting_from_the_page_makes_the_letters_and_offers_the_pdf(client, school, dsl, three_letters,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:batch_start", kwargs={"urn": school.urn}), {"kind": "concern"})

    batch = LetterBatch.objects.get()
    detail = reverse("letters:batch_detail", kwargs={"urn": school.urn, "pk": batch.pk})
    assert response.status_code == 302 and response.url == detail
    page = client.get(detail).content.decode()
    assert "3 of 3 letters made (100%)" in page
    assert 'http-equiv="refresh"' not in page and 'data-finished="yes"' in page and "setTimeout" not in page
    pdf_url = reverse("letters:batch_pdf", kwargs={"urn": school.urn, "pk": batch.pk})
    assert pdf_url in page

    download = client.get(pdf_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content == bytes(batch.combined_pdf)
    assert AuditEvent.objects.filter(action="letter_batch.download", user=dsl).count() == 1
    listing = client.get(_list_url(school)).content.decode()
    assert batch.title in listing and "3 of 3 (100%)" in listing


def test_a_running_batch_page_refreshes_itself_and_has_no_pdf_yet(client, school, dsl, three_letters,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        batch = letter_batch_start(school=school, kind="concern", by=dsl)
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, done=1)
    client.force_login(dsl)

    page = client.get(reverse("letters:batch_detail", kwargs={"urn": school.urn, "pk": batch.pk})).content.decode()

    head = page.split("</head>")[0]
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in head  # without JavaScript
    assert 'id="batch-live" aria-live="polite" data-finished="no"' in page and "js/batch-progress.js" in page
    assert "1 of 3 letters made (33%)" in page
    assert client.get(reverse("letters:batch_pdf", kwargs={"urn": school.urn, "pk": batch.pk})).status_code == 404


def test_a_failed_batch_shows_the_error(client, school, dsl, three_letters, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        batch = letter_batch_start(school=school, kind="concern", by=dsl)
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, error="OSError: disk full")
    client.force_login(dsl)

    page = client.get(reverse("letters:batch_detail", kwargs={"urn": school.urn, "pk": batch.pk})).content.decode()

    assert "OSError: disk full" in page and 'http-equiv="refresh"' not in page


@pytest.mark.parametrize(("persona", "status"), [("other_school_dsl", 404), ("la_officer", 403)])
def test_another_schools_batch_and_its_pdf_are_out_of_reach(request, client, school, dsl, three_letters, persona,
                                                           status, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = letter_batch_start(school=school, kind="concern", by=dsl)
    client.force_login(request.getfixturevalue(persona))
    own_urn = "654321" if persona == "other_school_dsl" else school.urn

    assert client.get(reverse("letters:batch_detail", kwargs={"urn": own_urn, "pk": batch.pk})).status_code == status
    assert client.get(reverse("letters:batch_pdf", kwargs={"urn": own_urn, "pk": batch.pk})).status_code == status
    assert client.get(reverse("letters:batch_pdf", kwargs={"urn": school.urn, "pk": batch.pk})).status_code == status


def test_starting_with_nothing_to_send_shows_why(client, school, dsl):
    client.force_login(dsl)
    response = client.post(reverse("letters:batch_start", kwargs={"urn": school.urn}), {"kind": "persistent"},
                           follow=True)
    assert "no pupil needs one" in response.content.decode()
    assert not LetterBatch.objects.exists()


# --- pupils whose case has reached formal action ---------------------------------------------------------


def case_at(pupil, state: str, *, held_from: str = ""):
    """Test set-up only: an open case at a stage without walking the ladder (bypasses the protected field)."""
    from cases.models import Case

    case = Case.objects.create(pupil=pupil, school=pupil.school, opened_at=NOW, opened_by=factories.UserFactory(),
                               opening_reason="Attendance below 90%", stage_entered_at=NOW)
    Case.objects.filter(pk=case.pk).update(state=state, held_from=held_from)
    return case


@pytest.mark.parametrize(("state", "held_from", "skipped"), [
    ("concern", "", False),
    ("targeted_support", "", False),
    ("formal_support", "", False),
    ("notice_to_improve", "", True),
    ("penalty_notice", "", True),
    ("prosecution_referral", "", True),
    ("on_hold", "formal_support", False),
    ("on_hold", "notice_to_improve", True),
    ("on_hold", "penalty_notice", True),
    ("on_hold", "prosecution_referral", True),
], ids=lambda v: v or "-")
@pytest.mark.parametrize("kind", ["concern", "persistent"])
def test_a_pupil_whose_case_is_at_formal_action_is_skipped_with_the_reason(school, kind, state, held_from, skipped):
    pupil = pupil_at(school, "OnTheLadder", attended=880)
    pupil_at(school, "NoCase", attended=880)
    if kind == "persistent":
        alert(pupil, days_ago=1)
        alert(pupil_named(school, "NoCase"), days_ago=1)
    case_at(pupil, state, held_from=held_from)

    plan = letter_batch_plan(school=school, kind=kind)

    assert sorted(p.forename for p in plan.pupils) == (["NoCase"] if skipped else ["NoCase", "OnTheLadder"])
    assert [(s.pupil.forename, s.reason) for s in plan.skipped] == (
        [("OnTheLadder", SKIP_REASONS[(state, held_from)])] if skipped else []
    )


SKIP_REASONS = {
    ("notice_to_improve", ""): "The case is at the notice to improve stage: the case's own letters apply.",
    ("penalty_notice", ""): "The case is at the penalty notice stage: the case's own letters apply.",
    ("prosecution_referral", ""): "The case is at the prosecution referral stage: the case's own letters apply.",
    ("on_hold", "notice_to_improve"): "The case is on hold at the notice to improve stage: the case's own letters apply.",
    ("on_hold", "penalty_notice"): "The case is on hold at the penalty notice stage: the case's own letters apply.",
    ("on_hold", "prosecution_referral"): "The case is on hold at the prosecution referral stage: the case's own letters apply.",
}


def pupil_named(school, forename):
    from cases.models import Pupil

    return Pupil.objects.get(school=school, forename=forename)


def test_a_closed_case_at_penalty_notice_does_not_skip_the_pupil(school):
    from cases.models import Case

    pupil = pupil_at(school, "Closed", attended=880)
    case = case_at(pupil, "concern")
    Case.objects.filter(pk=case.pk).update(state="closed", closed_at=NOW, outcome="improved")

    assert planned_pupils(school, "concern") == ["Closed"]


def test_the_letters_page_lists_who_is_skipped_and_why_before_anything_is_made(client, school, dsl, three_letters):
    penalised = pupil_at(school, "Penalised", attended=800, parents=2)
    case_at(penalised, "penalty_notice")
    client.force_login(dsl)

    html = client.get(_list_url(school)).content.decode()

    assert LetterBatch.objects.count() == 0 and Letter.objects.count() == 0
    table = html.split('data-testid="skipped-concern"')[1].split("</table>")[0]
    assert "1 pupil skipped: no letter will be made" in table
    assert "Penalised Test" in table
    assert "The case is at the penalty notice stage: the case&#x27;s own letters apply." in table
    assert 'data-testid="plan-count-concern">3 letters</strong>' in html  # Ava's two parents and Ben's one
    assert 'data-testid="skipped-persistent"' not in html


def test_the_batch_keeps_who_was_skipped_and_makes_no_letter_for_them(client, school, dsl, three_letters,
                                                                      django_capture_on_commit_callbacks):
    referred = pupil_at(school, "Referred", attended=800)
    case_at(referred, "on_hold", held_from="prosecution_referral")
    client.force_login(dsl)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:batch_start", kwargs={"urn": school.urn}), {"kind": "concern"})
    batch = LetterBatch.objects.get()

    assert batch.status == BatchStatus.DONE and batch.total == 3
    assert not Letter.objects.filter(pupil=referred).exists()
    assert batch.skipped == [{
        "pupil_id": referred.pk, "pupil": "Referred Test", "upn": referred.upn,
        "reason": "The case is on hold at the prosecution referral stage: the case's own letters apply.",
    }]
    detail = client.get(response["Location"]).content.decode()
    assert "Pupils skipped" in detail and "Referred Test" in detail


def test_nothing_to_send_but_skipped_pupils_says_so(school, dsl):
    penalised = pupil_at(school, "Penalised", attended=800)
    case_at(penalised, "notice_to_improve")

    with pytest.raises(LetterBatchRefused, match=r"no pupil needs one now \(1 skipped: the Letters page says why\)"):
        letter_batch_start(school=school, kind="concern", by=dsl)
    assert LetterBatch.objects.count() == 0
