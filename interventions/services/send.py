"""Reasonable adjustments for pupils with SEND (Equality Act 2010 s20), their reviews, and the EHC plan
notification to the LA (domain.md 4). A notice for a pupil with SEND must show the adjustments were considered.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from cases import facts
from cases.models import EventKind, Pupil, SenStatus
from cases.permissions import can_record_adjustment, require
from interventions.models import (
    AdjustmentReview,
    AdjustmentStatus,
    LANotification,
    NotificationKind,
    ReasonableAdjustment,
)
from interventions.services._common import (
    InterventionRefused,
    long_date,
    long_text,
    open_case_of,
    record,
    short_text,
)


@transaction.atomic
def reasonable_adjustment_create(
    *,
    pupil: Pupil,
    by,
    area: str,
    description: str,
    barrier: str,
    agreed_with: str,
    starts_on: date,
    review_on: date,
    status: str = AdjustmentStatus.ACTIVE,
) -> ReasonableAdjustment:
    """Logs an adjustment, who agreed it and when it is reviewed."""
    require(can_record_adjustment(by, pupil), "record reasonable adjustments")
    if status == AdjustmentStatus.ENDED:
        raise InterventionRefused("A new adjustment is either proposed or in place.")
    long_text(description, what="What is adjusted", field="description")
    long_text(barrier, what="The barrier it removes", field="barrier")
    short_text(agreed_with, what="Who agreed it", field="agreed_with")
    today = timezone.localdate()
    # An adjustment may have been in place for years before it is logged here, or start soon.
    facts.plausible(starts_on, what="The start date", today=today, field="starts_on")
    if starts_on > today:
        facts.planned(starts_on, what="The start date", today=today, field="starts_on")
    if review_on <= starts_on:
        raise facts.ImpossibleFact("The review date must be after the date the adjustment starts.", field="review_on")
    facts.planned(review_on, what="The review date", today=today, field="review_on")
    adjustment = ReasonableAdjustment.objects.create(
        pupil=pupil, area=area, description=description.strip(), barrier=barrier.strip(),
        agreed_with=agreed_with.strip(), starts_on=starts_on, review_on=review_on, status=status,
        recorded_by=by, recorded_at=timezone.now(),
    )
    record(
        user=by, pupil=pupil, case=open_case_of(pupil), action="adjustment.create", kind=EventKind.ADJUSTMENT,
        summary=f"Reasonable adjustment ({adjustment.get_area_display().lower()}, "
        f"{adjustment.get_status_display().lower()}) agreed with {adjustment.agreed_with}: {adjustment.description}",
        reason=adjustment.barrier, evidence=[f"adjustment:{adjustment.pk}"],
    )
    return adjustment


@transaction.atomic
def reasonable_adjustment_update(
    *, adjustment: ReasonableAdjustment, by, status: str, review_on: date, note: str = ""
) -> ReasonableAdjustment:
    """Puts a proposed adjustment in place, moves its review date, or ends it (with why)."""
    adjustment = ReasonableAdjustment.objects.select_for_update(of=("self",)).select_related("pupil").get(pk=adjustment.pk)
    require(can_record_adjustment(by, adjustment.pupil), "record reasonable adjustments")
    if adjustment.status == AdjustmentStatus.ENDED:
        raise InterventionRefused("This adjustment has ended. Record a new adjustment instead.")
    if status not in AdjustmentStatus.values:
        raise InterventionRefused("Choose whether the adjustment is proposed, in place or ended.")
    if status == AdjustmentStatus.ENDED and not note.strip():
        raise InterventionRefused("Say why the adjustment is ending.")
    long_text(note, what="The notes", field="note")
    if review_on <= adjustment.starts_on:
        raise facts.ImpossibleFact(
            f"The review date must be after the adjustment started ({long_date(adjustment.starts_on)}).",
            field="review_on",
        )
    # A review date kept as it was may be overdue; a new one is planned now.
    if review_on != adjustment.review_on:
        facts.planned(review_on, what="The review date", today=timezone.localdate(), field="review_on")
    changes = []
    if status != adjustment.status:
        changes.append(f"now {AdjustmentStatus(status).label.lower()}")
    if review_on != adjustment.review_on:
        changes.append(f"review by {long_date(review_on)}")
    if not changes:
        raise InterventionRefused("Nothing has changed: choose a new status or a new review date.")
    adjustment.status, adjustment.review_on = status, review_on
    adjustment.save(update_fields=["status", "review_on"])
    record(
        user=by, pupil=adjustment.pupil, case=open_case_of(adjustment.pupil), action="adjustment.update",
        kind=EventKind.ADJUSTMENT,
        summary=f"Reasonable adjustment ({adjustment.get_area_display().lower()}) {', '.join(changes)}",
        reason=note.strip(), evidence=[f"adjustment:{adjustment.pk}"],
    )
    return adjustment


@transaction.atomic
def adjustment_review_record(*, pupil: Pupil, by, reviewed_on: date, conclusion: str,
                             next_review_on: date | None = None) -> AdjustmentReview:
    """Records the review of a pupil's adjustments that a notice to improve or a penalty notice needs; with
    ``next_review_on``, every adjustment proposed or in place is next reviewed on that day (the review was done,
    so none of them stays overdue)."""
    require(can_record_adjustment(by, pupil), "review reasonable adjustments")
    if not conclusion.strip():
        raise InterventionRefused("Say whether the adjustments are right and enough, and what changes.")
    long_text(conclusion, what="The conclusion", field="conclusion")
    today = timezone.localdate()
    facts.happened(reviewed_on, what="The date of the review", today=today, field="reviewed_on")
    if next_review_on is not None and next_review_on <= reviewed_on:
        raise facts.ImpossibleFact("The next review must be after the date of this review.", field="next_review_on")
    if next_review_on is not None:
        facts.planned(next_review_on, what="The next review", today=today, field="next_review_on")
    case = open_case_of(pupil)
    current = pupil.adjustments.exclude(status=AdjustmentStatus.ENDED)
    in_place = current.count()
    review = AdjustmentReview.objects.create(
        pupil=pupil, case=case, reviewed_on=reviewed_on, reviewed_by=by, conclusion=conclusion.strip()
    )
    summary = (f"Reasonable adjustments reviewed on {long_date(reviewed_on)} "
               f"({in_place} adjustment{'s' if in_place != 1 else ''} proposed or in place)")
    if next_review_on is not None and in_place:
        current.update(review_on=next_review_on)
        summary += f"; next review {long_date(next_review_on)}"
    record(
        user=by, pupil=pupil, case=case, action="adjustment.review", kind=EventKind.ADJUSTMENT,
        summary=summary, reason=review.conclusion, evidence=[f"adjustment_review:{review.pk}"],
    )
    return review


@transaction.atomic
def ehc_plan_notification_send(*, pupil: Pupil, by, sent_on: date, details: str) -> LANotification:
    """Records that the LA was told of falling attendance or need-related barriers of a pupil with an EHC plan."""
    require(can_record_adjustment(by, pupil), "notify the LA about a pupil with an EHC plan")
    if pupil.sen_status != SenStatus.EHC_PLAN:
        raise InterventionRefused(
            f"{pupil} does not have an EHC plan (SEN status: {pupil.get_sen_status_display()}). "
            "This notification is only for pupils with an EHC plan; record the concern on the case instead."
        )
    if not details.strip():
        raise InterventionRefused("Say what the concern is: the attendance, and the barriers linked to the pupil's needs.")
    long_text(details, what="What the LA was told", field="details")
    facts.happened(sent_on, what="The date the LA was told", today=timezone.localdate(), field="sent_on")
    case = open_case_of(pupil)
    notification = LANotification.objects.create(
        pupil=pupil, case=case, kind=NotificationKind.EHC_PLAN_CONCERN, sent_on=sent_on,
        details=details.strip(), sent_by=by,
    )
    from notices.letters.school_letters import (
        la_notification_letter_generate,  # notices owns letters and their PDFs
    )

    letter = la_notification_letter_generate(notification=notification, by=by)
    record(
        user=by, pupil=pupil, case=case, action="la_notification.ehc_plan", kind=EventKind.NOTIFICATION,
        summary=f"LA told on {long_date(sent_on)} of an attendance concern for a pupil with an EHC plan",
        reason=notification.details, evidence=[f"la_notification:{notification.pk}", f"letter:{letter.pk}"],
    )
    return notification
