"""Part-time timetables (code C2), time-limited and notified to the LA, and sickness returns (domain.md 2, 4)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from cases import facts, rules
from cases.models import AttendanceSnapshot, EventKind, Pupil
from cases.permissions import can_record_support, require
from interventions.models import LANotification, NotificationKind, PartTimeTimetable
from interventions.services._common import (
    InterventionRefused,
    long_date,
    long_text,
    open_case_of,
    record,
    short_text,
)


def _lock(timetable: PartTimeTimetable) -> PartTimeTimetable:
    return PartTimeTimetable.objects.select_for_update(of=("self",)).select_related("pupil").get(pk=timetable.pk)


@transaction.atomic
def part_time_timetable_create(
    *,
    pupil: Pupil,
    by,
    agreed_hours: str,
    reason: str,
    agreed_with_parents_on: date,
    starts_on: date,
    planned_end_on: date,
    review_on: date,
) -> PartTimeTimetable:
    """Records a part-time timetable agreed with the parents; it must end on a planned date."""
    require(can_record_support(by, pupil), "record a part-time timetable")
    short_text(agreed_hours, what="The hours agreed", field="agreed_hours")
    long_text(reason, what="Why a part-time timetable", field="reason")
    today = timezone.localdate()
    facts.happened(agreed_with_parents_on, what="The date agreed with the parents", today=today,
                   field="agreed_with_parents_on")
    facts.plausible(starts_on, what="The start date", today=today, field="starts_on")
    if planned_end_on <= starts_on:
        raise facts.ImpossibleFact(
            "A part-time timetable must be time-limited: the planned end date must be after the start date.",
            field="planned_end_on",
        )
    # Time-limited means weeks, not years: the planned end is a plan, so within the planning horizon.
    if planned_end_on > today + facts.PLANNING_HORIZON:
        facts.planned(planned_end_on, what="The planned end date", today=today, field="planned_end_on")
    if not (starts_on <= review_on <= planned_end_on):
        raise facts.ImpossibleFact("The review date must fall between the start and the planned end.", field="review_on")
    if agreed_with_parents_on > starts_on:
        raise facts.ImpossibleFact("A part-time timetable must be agreed with the parents before it starts.",
                                   field="agreed_with_parents_on")
    current = pupil.part_time_timetables.filter(ended_on__isnull=True, planned_end_on__gte=starts_on).first()
    if current is not None:
        raise InterventionRefused(
            f"{pupil} already has a part-time timetable from {long_date(current.starts_on)}. End it first."
        )
    case = open_case_of(pupil)
    timetable = PartTimeTimetable.objects.create(
        pupil=pupil, case=case, agreed_hours=agreed_hours.strip(), reason=reason.strip(),
        agreed_with_parents_on=agreed_with_parents_on, starts_on=starts_on, planned_end_on=planned_end_on,
        review_on=review_on, recorded_by=by, recorded_at=timezone.now(),
    )
    record(
        user=by, pupil=pupil, case=case, action="part_time.create", kind=EventKind.PART_TIME,
        summary=f"Part-time timetable ({timetable.agreed_hours}) from {long_date(starts_on)} to "
        f"{long_date(planned_end_on)}, agreed with parents on {long_date(agreed_with_parents_on)}",
        reason=timetable.reason, evidence=[f"part_time:{timetable.pk}"],
    )
    return timetable


@transaction.atomic
def part_time_timetable_review(
    *, timetable: PartTimeTimetable, by, reviewed_on: date, notes: str, next_review_on: date
) -> PartTimeTimetable:
    """Records a review of the timetable and when it is next reviewed (before it is due to end)."""
    timetable = _lock(timetable)
    require(can_record_support(by, timetable.pupil), "record a part-time timetable")
    if timetable.ended_on is not None:
        raise InterventionRefused(f"This part-time timetable ended on {long_date(timetable.ended_on)}.")
    if not notes.strip():
        raise InterventionRefused("Say what the review found and what happens next.")
    long_text(notes, what="What the review found", field="notes")
    today = timezone.localdate()
    facts.happened(reviewed_on, what="The date of the review", today=today, field="reviewed_on",
                   not_before=timetable.starts_on, not_before_what="the start date")
    facts.planned(next_review_on, what="The next review date", today=today, field="next_review_on")
    if not (reviewed_on < next_review_on <= timetable.planned_end_on):
        raise InterventionRefused(
            f"The next review must be after this review and no later than the planned end "
            f"({long_date(timetable.planned_end_on)})."
        )
    timetable.review_on = next_review_on
    timetable.save(update_fields=["review_on"])
    record(
        user=by, pupil=timetable.pupil, case=open_case_of(timetable.pupil), action="part_time.review",
        kind=EventKind.PART_TIME,
        summary=f"Part-time timetable reviewed on {long_date(reviewed_on)}; next review by {long_date(next_review_on)}",
        reason=notes.strip(), evidence=[f"part_time:{timetable.pk}"],
    )
    return timetable


@transaction.atomic
def part_time_timetable_end(*, timetable: PartTimeTimetable, by, ended_on: date, note: str = "") -> PartTimeTimetable:
    """Records the day the pupil went back to a full timetable (or the timetable otherwise ended)."""
    timetable = _lock(timetable)
    require(can_record_support(by, timetable.pupil), "record a part-time timetable")
    if timetable.ended_on is not None:
        raise InterventionRefused(f"This part-time timetable already ended on {long_date(timetable.ended_on)}.")
    long_text(note, what="The notes", field="note")
    facts.happened(ended_on, what="The date it ended", today=timezone.localdate(), field="ended_on",
                   not_before=timetable.starts_on, not_before_what="the date it started")
    timetable.ended_on = ended_on
    timetable.save(update_fields=["ended_on"])
    record(
        user=by, pupil=timetable.pupil, case=open_case_of(timetable.pupil), action="part_time.end",
        kind=EventKind.PART_TIME,
        summary=f"Part-time timetable ended on {long_date(ended_on)}; the LA must be told",
        reason=note.strip(), evidence=[f"part_time:{timetable.pk}"],
    )
    return timetable


@transaction.atomic
def part_time_la_notification_record(
    *, timetable: PartTimeTimetable, by, kind: str, sent_on: date, details: str = ""
) -> LANotification:
    """Records that the LA was told the timetable started, or ended."""
    timetable = _lock(timetable)
    require(can_record_support(by, timetable.pupil), "notify the LA about a part-time timetable")
    long_text(details, what="What the LA was told", field="details")
    told = timetable.agreed_with_parents_on if kind == NotificationKind.PART_TIME_START else timetable.ended_on
    facts.happened(sent_on, what="The date the LA was told", today=timezone.localdate(), field="sent_on",
                   not_before=told, not_before_what="the date it was agreed" if kind == NotificationKind.PART_TIME_START
                   else "the date it ended")
    if kind == NotificationKind.PART_TIME_START:
        if timetable.la_notified_of_start_on is not None:
            raise InterventionRefused(f"The LA was already told of the start on {long_date(timetable.la_notified_of_start_on)}.")
        timetable.la_notified_of_start_on = sent_on
        field, what = "la_notified_of_start_on", f"started on {long_date(timetable.starts_on)}"
    elif kind == NotificationKind.PART_TIME_END:
        if timetable.ended_on is None:
            raise InterventionRefused("Record the day the part-time timetable ended before telling the LA it ended.")
        if timetable.la_notified_of_end_on is not None:
            raise InterventionRefused(f"The LA was already told of the end on {long_date(timetable.la_notified_of_end_on)}.")
        timetable.la_notified_of_end_on = sent_on
        field, what = "la_notified_of_end_on", f"ended on {long_date(timetable.ended_on)}"
    else:
        raise InterventionRefused("Say whether the LA was told of the start or of the end.")
    timetable.save(update_fields=[field])
    case = open_case_of(timetable.pupil)
    notification = LANotification.objects.create(
        pupil=timetable.pupil, case=case, kind=kind, part_time_timetable=timetable, sent_on=sent_on,
        details=details.strip() or f"Part-time timetable ({timetable.agreed_hours}) {what}.", sent_by=by,
    )
    letter = _school_letters().la_notification_letter_generate(notification=notification, by=by)
    record(
        user=by, pupil=timetable.pupil, case=case, action=f"la_notification.{kind}", kind=EventKind.NOTIFICATION,
        summary=f"LA told on {long_date(sent_on)} that the part-time timetable {what}",
        evidence=[f"part_time:{timetable.pk}", f"la_notification:{notification.pk}", f"letter:{letter.pk}"],
    )
    return notification


def illness_summary(pupil: Pupil) -> str:
    """The illness figure for the return, from the latest attendance scan when there is one."""
    try:
        snapshot = pupil.snapshot
    except AttendanceSnapshot.DoesNotExist:
        return "No attendance scan figures yet for this pupil: illness sessions this academic year not counted."
    days = snapshot.illness_sessions / 2
    shown = f"{days:g}"
    return (
        f"Illness (code I) this academic year: {snapshot.illness_sessions} sessions ({shown} school days) "
        f"as of {long_date(snapshot.as_of)}; the return is due at {rules.SICKNESS_RETURN_SESSIONS} sessions."
    )


@transaction.atomic
def sickness_return_send(*, pupil: Pupil, by, sent_on: date, details: str = "") -> LANotification:
    """Records the sickness return to the LA, with the pupil's illness sessions this academic year."""
    require(can_record_support(by, pupil), "send a sickness return")
    long_text(details, what="Anything else the LA was told", field="details")
    facts.happened(sent_on, what="The date the LA was told", today=timezone.localdate(), field="sent_on")
    case = open_case_of(pupil)
    text = illness_summary(pupil) + (f"\n\n{details.strip()}" if details.strip() else "")
    notification = LANotification.objects.create(
        pupil=pupil, case=case, kind=NotificationKind.SICKNESS_RETURN, sent_on=sent_on, details=text, sent_by=by,
    )
    letter = _school_letters().la_notification_letter_generate(notification=notification, by=by)
    record(
        user=by, pupil=pupil, case=case, action="la_notification.sickness_return", kind=EventKind.NOTIFICATION,
        summary=f"Sickness return sent to the LA on {long_date(sent_on)}",
        reason=text, evidence=[f"la_notification:{notification.pk}", f"letter:{letter.pk}"],
    )
    return notification


def _school_letters():
    """notices.letters.school_letters, imported late: the notices app owns letters and their PDFs."""
    from notices.letters import school_letters
    return school_letters
