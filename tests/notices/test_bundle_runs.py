"""The evidence bundle made in the background: the page that asks only queues it, its progress page follows
it to the download, a failure or a stopped worker is said plainly and can be tried again, and a run stores its
bundle once however often it is delivered. Also: with a broker, starting a letter batch runs nothing inline."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEvent
from cases.services import case_open
from config.celery import app
from notices.bundle import BUNDLE_TEMPLATE, generate
from notices.bundle.runs import evidence_bundle_request, evidence_bundle_retry, evidence_bundle_run
from notices.models import BatchStatus, BundleStatus, EvidenceBundleRun, Letter, LetterBatch
from tests.factories import add_marks
from tests.notices.test_batches import pupil_at

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
PRESENT_DAY = ["/", "\\"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(pupil, dsl):
    add_marks(pupil, dt.date(2026, 9, 7), PRESENT_DAY * 5 + ["O", "O"] * 5)
    return case_open(pupil=pupil, by=dsl, reason="A week of unexplained absence")


def _bundles():
    return Letter.objects.filter(template=BUNDLE_TEMPLATE)


def _run_page(client, run):
    return client.get(reverse("bundles:run", args=[run.case_id, run.pk]))


def test_asking_queues_the_bundle_and_the_page_follows_it_to_the_download(
    client, case, dsl, django_capture_on_commit_callbacks
):
    client.force_login(dsl)
    with django_capture_on_commit_callbacks() as queued:  # the request queues; nothing is made in it
        response = client.post(reverse("bundles:generate", args=[case.pk]))
    run = EvidenceBundleRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bundles:run", args=[case.pk, run.pk])
    assert len(queued) == 1 and not _bundles().exists()
    page = _run_page(client, run).content.decode()
    assert "Waiting to start" in page and "js/batch-progress.js" in page and 'data-finished="no"' in page
    assert AuditEvent.objects.filter(action="bundle.request", user=dsl, pupil=case.pupil).exists()

    queued[0]()  # the worker's turn (eager here)
    run.refresh_from_db()
    assert run.status == BundleStatus.DONE and run.bundle == _bundles().get()
    page = _run_page(client, run).content.decode()
    assert 'data-finished="yes"' in page and "js/batch-progress.js" not in page
    assert reverse("bundles:pdf", args=[case.pk]) in page and run.bundle.sha256[:12] in page
    assert AuditEvent.objects.filter(action="bundle.run_view", user=dsl, detail=f"bundle run {run.pk}").count() == 2


def test_asking_again_while_it_is_being_made_follows_the_same_run(case, dsl):
    first = evidence_bundle_request(case=case, by=dsl)
    assert evidence_bundle_request(case=case, by=dsl) == first
    assert EvidenceBundleRun.objects.count() == 1


def test_a_run_delivered_twice_stores_one_bundle(case, dsl):
    run = evidence_bundle_request(case=case, by=dsl)
    assert evidence_bundle_run(run_id=run.pk).status == BundleStatus.DONE
    again = evidence_bundle_run(run_id=run.pk)
    assert again.status == BundleStatus.DONE and _bundles().count() == 1 and again.bundle.version == 1


def test_a_delivery_that_finds_the_bundle_stored_by_another_keeps_that_one(case, dsl):
    """Two deliveries rendering at once: the second to store finds the run's bundle under the lock."""
    run = evidence_bundle_request(case=case, by=dsl)
    stored = generate.evidence_bundle_generate(case=case, by=dsl, run_id=run.pk)
    EvidenceBundleRun.objects.filter(pk=run.pk).update(status=BundleStatus.RUNNING)  # the other one is mid-way
    assert generate.evidence_bundle_generate(case=case, by=dsl, run_id=run.pk) == stored
    assert _bundles().count() == 1


@pytest.mark.parametrize(
    ("offence_from", "offence_to", "field", "message"),
    [
        ("2026-09-07", "", "id_offence_to", "Give both the first and the last date"),
        ("2026-09-20", "2026-09-07", "id_offence_to", "must end on or after the day it starts"),
        ("2026-12-01", "2026-12-05", "id_offence_from", "cannot start after today"),
        ("2026-02-30", "2026-03-02", "id_offence_from", "Enter the first day as a real date"),
    ],
    ids=["one-date", "end-before-start", "starts-after-today", "no-such-date"],
)
def test_an_offence_period_that_cannot_be_used_is_refused_on_the_field_and_nothing_is_queued(
    client, case, dsl, offence_from, offence_to, field, message
):
    client.force_login(dsl)
    response = client.post(reverse("bundles:generate", args=[case.pk]),
                           {"offence_from": offence_from, "offence_to": offence_to})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert f'href="#{field}"' in page and f'id="{field}-error"' in page and message in page
    assert not EvidenceBundleRun.objects.exists()


def test_a_failed_run_says_what_went_wrong_and_can_be_tried_again(client, case, dsl, monkeypatch):
    run = evidence_bundle_request(case=case, by=dsl)

    def broken(context, copies):
        raise RuntimeError("Pango could not load a font")

    monkeypatch.setattr(generate, "bundle_pdf", broken)
    assert evidence_bundle_run(run_id=run.pk).status == BundleStatus.FAILED
    client.force_login(dsl)
    page = _run_page(client, run).content.decode()
    assert "The evidence bundle could not be made" in page and "RuntimeError: Pango could not load a font" in page
    assert "Try again" in page and not _bundles().exists()

    monkeypatch.undo()
    response = client.post(reverse("bundles:retry", args=[case.pk, run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.error) == (BundleStatus.QUEUED, "")
    assert AuditEvent.objects.filter(action="bundle.retry", user=dsl).exists()
    assert evidence_bundle_run(run_id=run.pk).status == BundleStatus.DONE and _bundles().count() == 1


def test_a_run_no_worker_took_shows_as_stopped_after_the_stuck_minutes_and_can_be_tried_again(
    client, case, dsl, settings
):
    run = evidence_bundle_request(case=case, by=dsl)
    client.force_login(dsl)
    with time_machine.travel(NOW + dt.timedelta(minutes=settings.BUNDLE_STUCK_MINUTES - 1), tick=False):
        page = _run_page(client, run).content.decode()
        assert "bundle-stuck" not in page and "Try again" not in page
        with pytest.raises(generate.BundleRefused, match="still being made"):
            evidence_bundle_retry(run=run, by=dsl)
    with time_machine.travel(NOW + dt.timedelta(minutes=settings.BUNDLE_STUCK_MINUTES), tick=False):
        page = _run_page(client, run).content.decode()
        assert "bundle-stuck" in page and "background worker is probably not running" in page
        assert "Try again" in page and "js/batch-progress.js" not in page
        client.post(reverse("bundles:retry", args=[case.pk, run.pk]))
        run.refresh_from_db()
        assert run.status == BundleStatus.QUEUED and run.requested_at == timezone.now()


def test_a_done_run_cannot_be_tried_again(client, case, dsl):
    run = evidence_bundle_request(case=case, by=dsl)
    evidence_bundle_run(run_id=run.pk)
    client.force_login(dsl)
    response = client.post(reverse("bundles:retry", args=[case.pk, run.pk]), follow=True)
    assert "nothing to try again" in response.content.decode() and _bundles().count() == 1


@pytest.mark.parametrize(("persona", "statuses"), [
    ("senco", {403}), ("headteacher", {403}), ("other_school_dsl", {404}), ("la_officer", {403, 404}),
])
def test_the_progress_page_and_its_retry_are_for_the_schools_bundle_makers_only(
    client, case, dsl, persona, statuses, request
):
    run = evidence_bundle_request(case=case, by=dsl)
    EvidenceBundleRun.objects.filter(pk=run.pk).update(status=BundleStatus.FAILED, error="x")
    client.force_login(request.getfixturevalue(persona))
    assert _run_page(client, run).status_code in statuses
    assert client.post(reverse("bundles:retry", args=[case.pk, run.pk])).status_code in statuses
    assert client.get(reverse("bundles:generate", args=[case.pk])).status_code in statuses
    run.refresh_from_db()
    assert run.status == BundleStatus.FAILED
    assert not AuditEvent.objects.filter(action__in=["bundle.run_view", "bundle.retry"]).exists()


def test_another_cases_run_is_not_found_through_this_case(client, case, dsl, school):
    from tests.factories import PupilFactory

    other_pupil = PupilFactory(school=school)
    add_marks(other_pupil, dt.date(2026, 9, 7), PRESENT_DAY * 5)
    other = case_open(pupil=other_pupil, by=dsl, reason="Falling")
    run = evidence_bundle_request(case=other, by=dsl)
    client.force_login(dsl)
    assert client.get(reverse("bundles:run", args=[case.pk, run.pk])).status_code == 404


# --- with a broker, the page that starts slow work does not do it ------------------------------------------


@pytest.fixture
def broker_without_worker(monkeypatch):
    """A real broker (kombu's in-memory transport) and no worker: a message sent waits on the queue."""
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")  # Celery reads it before its configuration
    keys = ("broker_url", "task_always_eager")
    before = {key: app.conf.get(key) for key in keys}
    app.conf.update(broker_url="memory://", task_always_eager=False)
    app._pool, app.amqp._producer_pool = None, None
    yield
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    app.conf.update(before)
    app._pool, app.amqp._producer_pool = None, None


def _queued_messages() -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare("celery", passive=True).message_count


def test_with_a_broker_the_batch_post_queues_the_letters_and_makes_none(
    client, school, dsl, broker_without_worker, django_capture_on_commit_callbacks
):
    for n in range(3):
        pupil_at(school, f"Pupil{n}", attended=850)
    client.force_login(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:batch_start", args=[school.urn]), {"kind": "concern"})
    batch = LetterBatch.objects.get()
    assert response.status_code == 302
    assert (batch.status, batch.done, batch.total) == (BatchStatus.QUEUED, 0, 3)
    assert not Letter.objects.exists() and _queued_messages() == 1


def test_with_a_broker_the_bundle_post_queues_the_bundle_and_makes_none(
    client, case, dsl, broker_without_worker, django_capture_on_commit_callbacks
):
    client.force_login(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bundles:generate", args=[case.pk]))
    assert EvidenceBundleRun.objects.get().status == BundleStatus.QUEUED
    assert not _bundles().exists() and _queued_messages() == 1


def test_the_case_page_points_to_a_bundle_not_made_yet_until_it_is_made(client, case, dsl):
    run = evidence_bundle_request(case=case, by=dsl)
    client.force_login(dsl)
    page = client.get(reverse("case_documents", args=[case.pk])).content.decode()
    assert 'data-testid="evidence-bundle-run"' in page and reverse("bundles:run", args=[case.pk, run.pk]) in page
    assert "waiting to start" in page
    evidence_bundle_run(run_id=run.pk)
    page = client.get(reverse("case_documents", args=[case.pk])).content.decode()
    assert 'data-testid="evidence-bundle-run"' not in page
