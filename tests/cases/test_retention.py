"""The register's retention: entries kept for 6 years from the date they were made, then deleted."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cases import rules
from cases.models import AuditEvent, Mark, MarkAmendment
from cases.tasks import register_retention
from config.celery import app
from tests.factories import add_marks

D = dt.date
TODAY = D(2031, 11, 26)


@pytest.mark.parametrize(
    ("today", "kept_from"),
    [
        (D(2031, 11, 26), D(2025, 11, 26)),  # made 26 Nov 2025: kept through 26 Nov 2031
        (D(2032, 2, 29), D(2026, 3, 1)),  # made 28 Feb 2026: kept through 28 Feb 2032, gone on the 29th
        (D(2032, 3, 1), D(2026, 3, 1)),
        (D(2030, 2, 28), D(2024, 2, 28)),
    ],
    ids=["ordinary-day", "leap-day", "day-after-leap-day", "from-a-leap-year"],
)
def test_register_kept_from(today, kept_from):
    assert rules.register_kept_from(today) == kept_from


def _amend(pupil, on, session, at):
    return MarkAmendment.objects.create(
        pupil=pupil, date=on, session=session, original_code="N", amended_code="I", reason="Parent rang",
        amended_at=dt.datetime.combine(at, dt.time(10), tzinfo=dt.UTC), amended_by_name="Sam Patel",
        amended_by_position="Attendance Officer",
    )


@pytest.fixture
def register(pupil):
    """Marks on Tuesday 25 Nov 2025 (a day past the 6 years), Wednesday 26th (exactly 6 years) and Thursday
    27th, AM and PM; the 25th's AM was amended in 2025, the 25th's PM amended again in 2027."""
    add_marks(pupil, D(2025, 11, 25), ["/", "N", "/", "/", "/", "/"])
    _amend(pupil, D(2025, 11, 25), rules.AM, D(2025, 11, 25))
    _amend(pupil, D(2025, 11, 25), rules.PM, D(2025, 11, 27))
    _amend(pupil, D(2025, 11, 25), rules.PM, D(2027, 1, 8))
    return pupil


def register_retention_purge_now(**kwargs):
    from cases.services.retention import register_retention_purge

    return register_retention_purge(today=TODAY, **kwargs)


@pytest.mark.django_db
def test_entries_past_six_years_go_and_an_entry_made_again_later_stays(register):
    result = register_retention_purge_now()
    assert (result.marks, result.amendments) == (1, 1)  # the 25th's AM and its amendment
    kept = set(Mark.objects.values_list("date", "session"))
    assert (D(2025, 11, 25), rules.AM) not in kept
    assert (D(2025, 11, 25), rules.PM) in kept  # changed in 2027: made again then, kept with its history
    assert {(D(2025, 11, 26), rules.AM), (D(2025, 11, 26), rules.PM)} <= kept  # exactly 6 years: still kept
    assert MarkAmendment.objects.filter(date=D(2025, 11, 25), session=rules.PM).count() == 2
    assert not MarkAmendment.objects.filter(date=D(2025, 11, 25), session=rules.AM).exists()
    assert "1 marks and 1 amendments made before 2025-11-26" in AuditEvent.objects.get(
        action="register.retention_purge").detail
    assert (register_retention_purge_now().marks, AuditEvent.objects.count()) == (0, 1)  # a re-run finds none


@pytest.mark.django_db
def test_a_dry_run_counts_and_deletes_nothing(register):
    out = StringIO()
    call_command("register_retention", "--as-of", TODAY.isoformat(), "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Register entries made before 2025-11-26: would delete 1 marks and 1 amendments"
    assert Mark.objects.count() == 6 and MarkAmendment.objects.count() == 3
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_command_deletes_and_refuses_a_bad_date(register):
    with pytest.raises(CommandError, match="'26/11/2031' is not a date"):
        call_command("register_retention", "--as-of", "26/11/2031", stdout=StringIO())
    assert Mark.objects.count() == 6
    out = StringIO()
    call_command("register_retention", "--as-of", TODAY.isoformat(), stdout=out)
    assert "deleted 1 marks and 1 amendments" in out.getvalue() and Mark.objects.count() == 5


@pytest.mark.django_db
def test_the_monthly_task_is_scheduled_and_runs(register):
    entry = settings.CELERY_BEAT_SCHEDULE["register-retention"]
    app.loader.import_default_modules()
    assert entry["task"] == register_retention.name and entry["task"] in app.tasks
    assert register_retention.delay(as_of=TODAY.isoformat()).get() == {"kept_from": "2025-11-26", "marks": 1,
                                                                        "amendments": 1}
