"""The nightly scan as a Celery beat task (eager here; a real worker in CI's test_celery_worker.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from cases.models import Alert, AttendanceSnapshot
from cases.tasks import nightly_attendance_scan
from config.celery import app
from tests.factories import PupilFactory, add_marks


def test_nightly_scan_is_scheduled_and_the_scheduled_name_is_a_registered_task():
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-attendance-scan"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].name == nightly_attendance_scan.name


@pytest.mark.django_db
def test_task_scans_as_of_today_when_no_date_is_given(school):
    pupil = PupilFactory(school=school)
    add_marks(pupil, dt.date(2025, 9, 1), "GG" * 5)
    with time_machine.travel(dt.datetime(2025, 9, 5, 23, 30, tzinfo=dt.UTC), tick=False):
        summary = nightly_attendance_scan.delay().get()
    # 23:30 UTC on 5 September is already 6 September in London: the scan follows the local date.
    assert summary["as_of"] == "2025-09-06"
    assert AttendanceSnapshot.objects.get(pupil=pupil).as_of == dt.date(2025, 9, 6)
    assert Alert.objects.filter(pupil=pupil, kind="threshold_met", dedup_key="2025-09-05").exists()
