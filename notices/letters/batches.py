"""Letter batches: this half term's attendance concern letters, or this week's persistent absence letters,
made on Celery with visible progress and one combined PDF to print.

Who gets a letter is decided when the batch starts (``letter_batch_plan``) and travels with the task as
ids, so a retried or re-run batch makes the same letters and never a second copy of one.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import Alert, AlertKind, Case, CaseState, Parent, ParentalRelationship, Pupil, School
from cases.permissions import CASE_MOVERS, NotPermitted
from cases.selectors import school_for_user
from notices.letters.school_letters import (
    CONCERN_TEMPLATE,
    PERSISTENT_ABSENCE_TEMPLATE,
    attendance_concern_letter_generate,
    persistent_absence_letter_generate,
)
from notices.models import BatchStatus, Letter, LetterBatch

logger = logging.getLogger(__name__)

KIND_CONCERN = "concern"
KIND_PERSISTENT = "persistent"
KIND_NAMES = {
    KIND_CONCERN: "Attendance concern letters",
    KIND_PERSISTENT: "Persistent absence letters",
}
# A pupil gets one attendance letter a half term: a concern or persistent absence letter in the last 6 weeks
# means no concern letter yet.
CONCERN_LETTER_INTERVAL = timedelta(weeks=6)
# "This week's new persistent absentees": persistent absence alerts raised in the last 7 days.
NEW_ALERT_WINDOW = timedelta(days=7)
UNFINISHED = (BatchStatus.QUEUED, BatchStatus.RUNNING)
# A support letter ("this letter is not a penalty ... let us work together early") contradicts a case that
# has reached formal action: from the notice to improve on, the parents hear from the case, not a batch.
FORMAL_ACTION_STATES = (CaseState.NOTICE_TO_IMPROVE, CaseState.PENALTY_NOTICE, CaseState.PROSECUTION_REFERRAL)
FINISHED_FOR_GOOD = (BatchStatus.DONE, BatchStatus.CANCELLED)
# Letters made by one task; the task then queues the next step. Each step must finish well inside the
# broker's visibility timeout (BROKER_VISIBILITY_TIMEOUT_SECONDS), or the broker hands it out again while it
# runs: 20 letters take about 10 seconds.
LETTER_BATCH_STEP = 20


class LetterBatchRefused(DomainError):
    """The batch cannot start: nothing to send, or the same letters are already being made."""


@dataclass(frozen=True)
class PlannedLetter:
    pupil: Pupil
    parent_id: int
    parent_name: str


@dataclass(frozen=True)
class SkippedPupil:
    """A pupil the batch would have written to, and why it does not."""

    pupil: Pupil
    reason: str

    def as_record(self) -> dict:
        """What the batch keeps: the pupil's name and UPN as they were, so the record reads without a join."""
        return {"pupil_id": self.pupil.pk, "pupil": f"{self.pupil.forename} {self.pupil.surname}",
                "upn": self.pupil.upn, "reason": self.reason}


@dataclass(frozen=True)
class BatchPlan:
    kind: str
    letters: list[PlannedLetter]
    pupils: list[Pupil]
    pupils_without_parent: list[Pupil]
    skipped: list[SkippedPupil] = field(default_factory=list)

    @property
    def ids(self) -> list[list[int]]:
        """The plan as [pupil id, parent id] pairs: what the Celery task receives."""
        return [[planned.pupil.pk, planned.parent_id] for planned in self.letters]


# --- who may send, and who gets a letter -----------------------------------------------------------------


def can_send_school_letters(user, school: School) -> bool:
    """The people who move cases (the DSL and the attendance officer) send the school's letters."""
    profile = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    return profile is not None and profile.role in CASE_MOVERS and profile.school_id == school.pk


def letters_school_for_user(*, user, urn: str) -> School:
    """The school whose letter batches the user may see and start: other school 404, other roles 403."""
    school = school_for_user(user=user, urn=urn)
    if not can_send_school_letters(user, school):
        raise PermissionDenied("Only the attendance lead and the attendance officer send the school's letters.")
    return school


def _concern_pupils(school: School, now) -> list[Pupil]:
    # One attendance letter at a time: the persistent absence letter says all a concern letter would and
    # invites the parents to a meeting, so a pupil who had one recently, or is due one this week, is skipped.
    recent_letter = Letter.objects.filter(
        pupil=OuterRef("pk"), template__in=(CONCERN_TEMPLATE, PERSISTENT_ABSENCE_TEMPLATE),
        # By date, so the batch run on the same weekday six weeks later may write again, whatever the hour.
        generated_at__date__gt=timezone.localdate(now) - CONCERN_LETTER_INTERVAL,
    )
    due_persistent = [pupil.pk for pupil in _new_persistent_pupils(school, timezone.localdate(now))]
    return list(
        Pupil.objects.filter(
            school=school,
            snapshot__attendance_pct__isnull=False,
            snapshot__attendance_pct__lt=school.concern_letter_below_pct,
        )
        .exclude(Exists(recent_letter))
        .exclude(pk__in=due_persistent)
        .select_related("snapshot", "school__local_authority")
        .order_by("surname", "forename", "upn")
    )


def _new_persistent_pupils(school: School, today: date) -> list[Pupil]:
    new_alerts = Alert.objects.filter(
        school=school, kind=AlertKind.PERSISTENT_ABSENCE, resolved_at__isnull=True,
        raised_on__gt=today - NEW_ALERT_WINDOW, raised_on__lte=today,
    )
    # A pupil already written to about this alert (a batch run twice in a week) is not written to again.
    already = Letter.objects.filter(
        pupil=OuterRef("pupil_id"), template=PERSISTENT_ABSENCE_TEMPLATE, generated_at__date__gte=OuterRef("raised_on")
    )
    pupil_ids = new_alerts.exclude(Exists(already)).values("pupil_id")
    return list(
        Pupil.objects.filter(pk__in=pupil_ids, school=school, snapshot__isnull=False)
        .select_related("snapshot", "school__local_authority")
        .order_by("surname", "forename", "upn")
    )


def _formal_action_reasons(pupils: list[Pupil]) -> dict[int, str]:
    """Why each pupil whose open case is at a notice to improve or beyond (or on hold from there) is skipped."""
    cases = Case.objects.filter(pupil__in=pupils).exclude(state=CaseState.CLOSED).filter(
        Q(state__in=FORMAL_ACTION_STATES) | Q(state=CaseState.ON_HOLD, held_from__in=FORMAL_ACTION_STATES)
    )
    reasons = {}
    for case in cases:
        if case.state == CaseState.ON_HOLD:
            stage = CaseState(case.held_from).label.lower()
            reasons[case.pupil_id] = f"The case is on hold at the {stage} stage: the case's own letters apply."
        else:
            reasons[case.pupil_id] = (
                f"The case is at the {case.get_state_display().lower()} stage: the case's own letters apply."
            )
    return reasons


def letter_batch_plan(*, school: School, kind: str, now=None) -> BatchPlan:
    """Who a batch of this kind would write to now: one letter per parent with parental responsibility.

    A pupil whose case has reached formal action is skipped, with the reason, so the page can say so
    before anything is made and the batch can keep it.
    """
    now = now or timezone.now()
    if kind == KIND_CONCERN:
        pupils = _concern_pupils(school, now)
    elif kind == KIND_PERSISTENT:
        pupils = _new_persistent_pupils(school, timezone.localdate(now))
    else:
        raise LetterBatchRefused("Choose which letters to make: attendance concern or persistent absence.")
    reasons = _formal_action_reasons(pupils)
    skipped = [SkippedPupil(pupil=pupil, reason=reasons[pupil.pk]) for pupil in pupils if pupil.pk in reasons]
    pupils = [pupil for pupil in pupils if pupil.pk not in reasons]
    links = (
        ParentalRelationship.objects.filter(pupil__in=pupils, parental_responsibility=True)
        .select_related("parent")
        .order_by("parent__surname", "parent__forename", "parent_id")
    )
    by_pupil: dict[int, list[ParentalRelationship]] = {}
    for link in links:
        by_pupil.setdefault(link.pupil_id, []).append(link)
    letters, without = [], []
    for pupil in pupils:
        found = by_pupil.get(pupil.pk, [])
        if not found:
            without.append(pupil)
        for link in found:
            name = f"{link.parent.forename} {link.parent.surname}"
            if not link.parent.address.strip():
                # A letter is posted: one that cannot reach its parent is left out, and the page says whom to fix.
                skipped.append(SkippedPupil(
                    pupil=pupil, reason=f"{name} has no address on record: add one to their record to write to them."
                ))
                continue
            letters.append(PlannedLetter(pupil=pupil, parent_id=link.parent_id, parent_name=name))
    planned = {letter.pupil.pk for letter in letters}
    return BatchPlan(kind=kind, letters=letters, pupils=[p for p in pupils if p.pk in planned],
                     pupils_without_parent=without, skipped=skipped)


# --- starting and running a batch ------------------------------------------------------------------------


@transaction.atomic
def letter_batch_start(*, school: School, kind: str, by) -> LetterBatch:
    """Plans the batch, records it as queued with its total, and makes the letters on Celery after commit."""
    if not can_send_school_letters(by, school):
        raise NotPermitted("Your role does not allow you to send the school's letters.")
    # One batch of a kind at a time per school: two at once would both plan the same pupils.
    School.objects.select_for_update().filter(pk=school.pk).first()
    running = LetterBatch.objects.filter(school=school, kind=kind, status__in=UNFINISHED).first()
    if running is not None:
        if letter_batch_is_stuck(running):
            raise LetterBatchRefused(
                f"{running.title} have stopped before all the letters were made. "
                "Resume or cancel them from their page first."
            )
        raise LetterBatchRefused(f"{running.title} are still being made. Wait for them to finish first.")
    plan = letter_batch_plan(school=school, kind=kind)
    if not plan.letters:
        skipped = f" ({len(plan.skipped)} skipped: the Letters page says why)" if plan.skipped else ""
        raise LetterBatchRefused(
            f"There are no {KIND_NAMES[kind].lower()} to make: no pupil needs one now{skipped}."
        )
    now = timezone.now()
    batch = LetterBatch.objects.create(
        school=school, kind=kind, title=f"{KIND_NAMES[kind]}, {long_date(now)}", total=len(plan.letters),
        skipped=[entry.as_record() for entry in plan.skipped], created_by=by, created_at=now, plan=plan.ids,
        progressed_at=now,
    )
    audit(user=by, action="letter_batch.start", school=school,
          detail=f"batch {batch.pk}: {batch.title} ({batch.total} letters, {len(plan.skipped)} pupils skipped)")
    _enqueue(batch)
    return batch


def _enqueue(batch: LetterBatch) -> None:
    from notices.letters.tasks import letter_batch_run_task

    letter_batch_run_task.delay_on_commit(batch.pk)


def _subject_key(batch: LetterBatch, pupil_id: int) -> str:
    return f"letter_batch:{batch.pk}:pupil:{pupil_id}"


def _make_letter(batch: LetterBatch, pupil: Pupil, parent, subject_key: str) -> Letter:
    generate = (
        attendance_concern_letter_generate if batch.kind == KIND_CONCERN else persistent_absence_letter_generate
    )
    return generate(pupil=pupil, parent=parent, snapshot=pupil.snapshot, by=batch.created_by, subject_key=subject_key)


def combined_pdf(letters: list[Letter]) -> bytes:
    """The letters one after another in one PDF, to print in one go."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for letter in letters:
        writer.append(PdfReader(io.BytesIO(bytes(letter.pdf))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def letter_batch_run(*, batch_id: int, plan: list[list[int]] | None = None, step: int | None = None) -> LetterBatch:
    """Makes up to ``step`` of the planned letters that the batch does not have yet; when none is left, the PDF.

    Resumable and idempotent: it works from the plan stored on the batch and skips every pupil and parent
    that already has this batch's letter, so a run cut short (a worker killed, a message delivered twice,
    the resume button) carries on where it stopped, with nothing lost and nothing made twice. Each letter is
    made and counted under a lock on the batch row, so two runs of one batch at once take turns rather than
    both making the same letter. A cancelled or finished batch is left alone. An error marks the batch
    FAILED with the message; the letters already made are kept. ``batch.done < batch.total`` after a run
    that did not fail means there is more to do (the task queues the next step).
    """
    step = step or LETTER_BATCH_STEP
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in FINISHED_FOR_GOOD:
            return batch
        if not batch.plan and plan:
            batch.plan = plan  # a task queued before plans were stored on the batch
        batch.status, batch.error, batch.finished_at = BatchStatus.RUNNING, "", None
        batch.save(update_fields=["plan", "status", "error", "finished_at"])
    try:
        todo = _letters_to_make(batch)
        for pupil_id, parent_id in todo[:step]:
            if not _make_one(batch.pk, pupil_id, parent_id):
                return _refreshed(batch)  # cancelled meanwhile
        if len(todo) > step:
            return _refreshed(batch)
        return _finish(batch.pk)
    except Exception as error:
        logger.exception("Letter batch %s failed", batch_id)
        with transaction.atomic():
            batch = LetterBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status not in FINISHED_FOR_GOOD:
                batch.status, batch.finished_at = BatchStatus.FAILED, timezone.now()
                batch.error = f"{type(error).__name__}: {error}"[:2000]
                batch.save(update_fields=["status", "finished_at", "error"])
        return batch


def _refreshed(batch: LetterBatch) -> LetterBatch:
    batch.refresh_from_db()
    return batch


def _letters_to_make(batch: LetterBatch) -> list[tuple[int, int]]:
    have = set(batch.letters.values_list("subject_key", "recipient"))
    return [
        (pupil_id, parent_id) for pupil_id, parent_id in batch.plan
        if (_subject_key(batch, pupil_id), f"parent:{parent_id}") not in have
    ]


@transaction.atomic
def _make_one(batch_id: int, pupil_id: int, parent_id: int) -> bool:
    """Makes one planned letter and counts it, unless another run made it first; False if the batch was stopped."""
    batch = LetterBatch.objects.select_for_update(of=("self",)).select_related("created_by__staff").get(pk=batch_id)
    if batch.status != BatchStatus.RUNNING:
        return False
    subject_key, recipient = _subject_key(batch, pupil_id), f"parent:{parent_id}"
    letter = Letter.objects.filter(subject_key=subject_key, recipient=recipient).order_by("version").first()
    if letter is None:
        pupil = Pupil.objects.select_related("snapshot", "school__local_authority").get(pk=pupil_id)
        letter = _make_letter(batch, pupil, Parent.objects.get(pk=parent_id), subject_key)
    batch.letters.add(letter)
    batch.done, batch.progressed_at = batch.letters.count(), timezone.now()
    batch.save(update_fields=["done", "progressed_at"])
    return True


@transaction.atomic
def _finish(batch_id: int) -> LetterBatch:
    batch = LetterBatch.objects.select_for_update().get(pk=batch_id)
    if batch.status != BatchStatus.RUNNING:
        return batch
    by_key = {(letter.subject_key, letter.recipient): letter for letter in batch.letters.all()}
    # In the planned order (pupils by surname), whatever order the runs made them in.
    ordered = [by_key[(_subject_key(batch, pupil_id), f"parent:{parent_id}")] for pupil_id, parent_id in batch.plan]
    batch.combined_pdf = combined_pdf(ordered)
    batch.status, batch.finished_at = BatchStatus.DONE, timezone.now()
    batch.done = len(ordered)
    batch.save(update_fields=["combined_pdf", "status", "finished_at", "done"])
    return batch


# --- a batch that stopped: resume or cancel --------------------------------------------------------------


def letter_batch_is_stuck(batch: LetterBatch, *, now=None) -> bool:
    """Unfinished, and no letter made for LETTER_BATCH_STUCK_MINUTES: its worker died and it was not handed back."""
    if batch.status not in UNFINISHED:
        return False
    last = batch.progressed_at or batch.created_at
    return (now or timezone.now()) - last >= timedelta(minutes=settings.LETTER_BATCH_STUCK_MINUTES)


def letter_batch_can_resume(batch: LetterBatch) -> bool:
    return batch.status == BatchStatus.FAILED or letter_batch_is_stuck(batch)


@transaction.atomic
def letter_batch_resume(*, batch: LetterBatch, by) -> LetterBatch:
    """Queues the batch again; the run makes only the letters it does not have yet."""
    if not can_send_school_letters(by, batch.school):
        raise NotPermitted("Your role does not allow you to send the school's letters.")
    batch = LetterBatch.objects.select_for_update(of=("self",)).select_related("school").get(pk=batch.pk)
    if not letter_batch_can_resume(batch):
        raise LetterBatchRefused(_why_not(batch, "resumed"))
    batch.status, batch.error, batch.finished_at, batch.progressed_at = BatchStatus.QUEUED, "", None, timezone.now()
    batch.save(update_fields=["status", "error", "finished_at", "progressed_at"])
    audit(user=by, action="letter_batch.resume", school=batch.school,
          detail=f"batch {batch.pk}: {batch.title} ({batch.done} of {batch.total} letters made)")
    _enqueue(batch)
    return batch


@transaction.atomic
def letter_batch_cancel(*, batch: LetterBatch, by) -> LetterBatch:
    """Stops the batch for good: the letters already made are kept, the rest are not made, no PDF is made."""
    if not can_send_school_letters(by, batch.school):
        raise NotPermitted("Your role does not allow you to send the school's letters.")
    batch = LetterBatch.objects.select_for_update(of=("self",)).select_related("school").get(pk=batch.pk)
    if batch.status not in (*UNFINISHED, BatchStatus.FAILED):
        raise LetterBatchRefused(_why_not(batch, "cancelled"))
    batch.status, batch.finished_at = BatchStatus.CANCELLED, timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    audit(user=by, action="letter_batch.cancel", school=batch.school,
          detail=f"batch {batch.pk}: {batch.title} ({batch.done} of {batch.total} letters made)")
    return batch


def _why_not(batch: LetterBatch, what: str) -> str:
    if batch.status == BatchStatus.DONE:
        return f"{batch.title} are all made: there is nothing to be {what}."
    if batch.status == BatchStatus.CANCELLED:
        return f"{batch.title} were cancelled: start a new batch instead."
    return (f"{batch.title} are still being made (the last letter was made less than "
            f"{settings.LETTER_BATCH_STUCK_MINUTES} minutes ago). Wait for them to finish.")


# --- reading batches -------------------------------------------------------------------------------------


def letter_batches_for_school(*, school: School):
    return LetterBatch.objects.filter(school=school).select_related("created_by").defer("combined_pdf")


def letter_batch_for_user(*, user, urn: str, pk: int) -> LetterBatch:
    school = letters_school_for_user(user=user, urn=urn)
    try:
        return LetterBatch.objects.select_related("school", "created_by").get(pk=pk, school=school)
    except LetterBatch.DoesNotExist:
        raise Http404("No such batch of letters at your school.") from None


def letter_batch_percent(batch: LetterBatch) -> int:
    """Progress as a whole percentage; a finished batch is 100."""
    if batch.status == BatchStatus.DONE or batch.total == 0:
        return 100 if batch.status == BatchStatus.DONE else 0
    return min(100, batch.done * 100 // batch.total)
