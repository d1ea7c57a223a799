"""A letter batch that stops part way (its worker killed, an error): it is shown stuck after a while, resumes
where it stopped with nothing lost or made twice, or is cancelled; runs go in steps shorter than the broker's
visibility timeout, and two runs of one batch at once take turns."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.models import AuditEvent
from notices.letters import batches
from notices.letters.batches import (
    LetterBatchRefused,
    letter_batch_cancel,
    letter_batch_resume,
    letter_batch_start,
)
from notices.letters.tasks import letter_batch_run_task
from notices.models import BatchStatus, Letter, LetterBatch
from tests.notices.test_batches import pupil_at

NOW = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def five_letters(school):
    return [pupil_at(school, name, attended=850) for name in ("Ava", "Ben", "Cat", "Dan", "Eve")]


def started(school, dsl, django_capture_on_commit_callbacks) -> LetterBatch:
    """A started batch whose task has not run (the worker died before it got there)."""
    with django_capture_on_commit_callbacks(execute=False):
        return letter_batch_start(school=school, kind="concern", by=dsl)


def one_letter_per_parent(batch: LetterBatch) -> None:
    keys = list(Letter.objects.values_list("subject_key", "recipient", "version"))
    assert len(keys) == len(set(keys)) == batch.total
    assert {(k, r) for k, r, _ in keys} == {
        (f"letter_batch:{batch.pk}:pupil:{pupil}", f"parent:{parent}") for pupil, parent in batch.plan
    }
    assert {v for _, _, v in keys} == {1}


def test_the_plan_is_stored_on_the_batch_and_the_task_needs_only_its_id(school, dsl, five_letters,
                                                                       django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    assert len(batch.plan) == batch.total == 5

    letter_batch_run_task.apply(args=[batch.pk])

    batch.refresh_from_db()
    assert (batch.status, batch.done) == (BatchStatus.DONE, 5)
    one_letter_per_parent(batch)


def test_a_run_makes_one_step_of_letters_and_queues_the_next(school, dsl, five_letters, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    monkeypatch.setattr(batches, "LETTER_BATCH_STEP", 2)
    batch = started(school, dsl, django_capture_on_commit_callbacks)

    batch = batches.letter_batch_run(batch_id=batch.pk)
    assert (batch.status, batch.done, Letter.objects.count()) == (BatchStatus.RUNNING, 2, 2)

    queued = []
    monkeypatch.setattr(letter_batch_run_task, "delay", lambda *args: queued.append(args))
    letter_batch_run_task.apply(args=[batch.pk])
    batch.refresh_from_db()
    assert batch.done == 4 and queued == [(batch.pk,)]


def test_a_run_cut_short_resumes_where_it_stopped(school, dsl, five_letters, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    batches.letter_batch_run(batch_id=batch.pk, step=3)  # then the worker was killed

    # The broker hands the message back: the run carries on from the fourth letter.
    letter_batch_run_task.apply(args=[batch.pk])

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.letters.count()) == (BatchStatus.DONE, 5, 5)
    one_letter_per_parent(batch)


def test_two_runs_of_one_batch_at_once_make_each_letter_once(school, dsl, five_letters,
                                                            django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    batches.letter_batch_run(batch_id=batch.pk, step=1)
    todo_seen_by_both = batches._letters_to_make(LetterBatch.objects.get(pk=batch.pk))

    # The second run made the letters the first had listed as still to make: the first finds them made.
    for pupil_id, parent_id in todo_seen_by_both:
        assert batches._make_one(batch.pk, pupil_id, parent_id)
        assert batches._make_one(batch.pk, pupil_id, parent_id)

    batch.refresh_from_db()
    assert batch.done == 5
    one_letter_per_parent(batch)


@pytest.mark.parametrize(("minutes_since_last_letter", "stuck"), [
    (0, False), (14, False), (15, True), (60, True),
], ids=["just-made", "under-the-setting", "at-the-setting", "an-hour"])
def test_a_batch_is_stuck_after_the_set_minutes_without_a_letter(school, dsl, five_letters, clock, settings,
                                                                 django_capture_on_commit_callbacks,
                                                                 minutes_since_last_letter, stuck):
    settings.LETTER_BATCH_STUCK_MINUTES = 15
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    batches.letter_batch_run(batch_id=batch.pk, step=2)
    batch.refresh_from_db()

    later = NOW + dt.timedelta(minutes=minutes_since_last_letter)
    assert batches.letter_batch_is_stuck(batch, now=later) is stuck
    assert batches.letter_batch_can_resume(batch) is False  # at NOW the last letter was just made


@pytest.mark.parametrize("status", [BatchStatus.DONE, BatchStatus.CANCELLED, BatchStatus.FAILED])
def test_a_finished_batch_is_never_stuck(school, dsl, five_letters, status, django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    batch.status = status
    assert not batches.letter_batch_is_stuck(batch, now=NOW + dt.timedelta(days=1))


def test_a_stuck_batch_is_resumed_and_finishes_without_duplicates(school, dsl, five_letters, clock,
                                                                  django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    batches.letter_batch_run(batch_id=batch.pk, step=2)
    with pytest.raises(LetterBatchRefused, match="still being made"):
        letter_batch_resume(batch=batch, by=dsl)
    clock.shift(dt.timedelta(hours=1))
    with pytest.raises(LetterBatchRefused, match="Resume or cancel"):
        letter_batch_start(school=school, kind="concern", by=dsl)
    with django_capture_on_commit_callbacks(execute=True):
        letter_batch_resume(batch=batch, by=dsl)

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == (BatchStatus.DONE, 5, 5)
    one_letter_per_parent(batch)
    assert AuditEvent.objects.filter(action="letter_batch.resume", detail__contains="2 of 5").exists()


def test_a_cancelled_batch_makes_no_more_letters_and_frees_the_kind(school, dsl, five_letters, clock,
                                                                    django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    batches.letter_batch_run(batch_id=batch.pk, step=2)

    letter_batch_cancel(batch=batch, by=dsl)
    letter_batch_run_task.apply(args=[batch.pk])  # the message handed back after all

    batch.refresh_from_db()
    assert (batch.status, batch.done, Letter.objects.count()) == (BatchStatus.CANCELLED, 2, 2)
    assert not batch.combined_pdf and batch.finished_at == NOW
    assert AuditEvent.objects.filter(action="letter_batch.cancel").exists()
    with pytest.raises(LetterBatchRefused, match="were cancelled"):
        letter_batch_resume(batch=batch, by=dsl)
    # The three pupils without a letter are in the next batch; the two written to are not.
    with django_capture_on_commit_callbacks(execute=True):
        second = letter_batch_start(school=school, kind="concern", by=dsl)
    second.refresh_from_db()
    assert (second.status, second.total) == (BatchStatus.DONE, 3)


def test_a_failed_batch_can_be_resumed(school, dsl, five_letters, django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, error="OSError: disk full")
    batch.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        letter_batch_resume(batch=batch, by=dsl)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.error) == (BatchStatus.DONE, 5, "")


@pytest.mark.parametrize("persona", ["senco", "headteacher"])
def test_only_the_schools_case_movers_resume_or_cancel(request, school, dsl, five_letters, clock, persona,
                                                       django_capture_on_commit_callbacks):
    from cases.permissions import NotPermitted

    batch = started(school, dsl, django_capture_on_commit_callbacks)
    clock.shift(dt.timedelta(hours=1))
    for service in (letter_batch_resume, letter_batch_cancel):
        with pytest.raises(NotPermitted):
            service(batch=batch, by=request.getfixturevalue(persona))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED


# --- the page --------------------------------------------------------------------------------------------


def _url(name, batch):
    return reverse(f"letters:{name}", kwargs={"urn": batch.school.urn, "pk": batch.pk})


def test_the_page_of_a_stuck_batch_offers_resume_and_cancel_with_confirmation(
    client, school, dsl, five_letters, clock, django_capture_on_commit_callbacks
):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    client.force_login(dsl)
    html = client.get(_url("batch_detail", batch)).content.decode()
    assert 'data-testid="batch-stuck"' not in html and _url("batch_resume", batch) not in html

    # Past the stuck time (15 minutes), within the sign-in's idle timeout (30).
    clock.shift(dt.timedelta(minutes=20))
    html = client.get(_url("batch_detail", batch)).content.decode()
    assert 'data-testid="batch-stuck"' in html
    assert _url("batch_resume", batch) in html and _url("batch_cancel", batch) in html

    confirm = client.get(_url("batch_cancel", batch))
    assert confirm.status_code == 200 and "the other 5 will not be made" in confirm.content.decode()
    LetterBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED)  # a GET changed nothing
    response = client.post(_url("batch_cancel", batch))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CANCELLED
    assert 'data-testid="batch-cancelled"' in client.get(_url("batch_detail", batch)).content.decode()


def test_resuming_a_batch_that_is_still_running_shows_why_not(client, school, dsl, five_letters,
                                                             django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    client.force_login(dsl)
    response = client.post(_url("batch_resume", batch), follow=True)
    assert "still being made" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED


def test_another_schools_batch_cannot_be_cancelled(client, school, dsl, other_school_dsl, five_letters,
                                                  django_capture_on_commit_callbacks):
    batch = started(school, dsl, django_capture_on_commit_callbacks)
    client.force_login(other_school_dsl)
    assert client.post(_url("batch_cancel", batch)).status_code == 404
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED
