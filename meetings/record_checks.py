"""The meetings app's checks for ``check_records``: meetings and contacts dated where none of the case can be."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from cases.formatting import long_date
from cases.record_checks import Problem, happened, local_day, long_texts, planned, record_check
from meetings.models import Contact, Meeting, MeetingStatus
from meetings.services import FOLLOW_UP_MAX, RECORD_TEXTS


@record_check
def meetings(today: date) -> Iterator[Problem]:
    for meeting in Meeting.objects.select_related("case").only(
        "pk", "status", "starts_at", "created_at", "case__opened_at"
    ):
        opened = local_day(meeting.case.opened_at)
        if meeting.status == MeetingStatus.HELD:
            # A held meeting is evidence on the ladder: it happened, during the case.
            yield from happened(meeting, "starts_at", today=today, what="The date of the meeting held",
                                not_before=opened, not_before_what="the date the case was opened")
        elif local_day(meeting.starts_at) < opened:
            yield Problem("meetings.Meeting", meeting.pk, "starts_at",
                          f"The date of the meeting must be on or after the date the case was opened "
                          f"({long_date(opened)})")
        elif local_day(meeting.starts_at) > local_day(meeting.created_at):
            # Planned ahead: within the horizon of the day it was planned (a past day is a meeting recorded after it).
            yield from planned(meeting, "starts_at", planned_on=local_day(meeting.created_at),
                               what="The date of the meeting")
    yield from long_texts(Meeting.objects.all(), [name for name, _ in RECORD_TEXTS])


@record_check
def contacts(today: date) -> Iterator[Problem]:
    for contact in Contact.objects.select_related("case").only(
        "pk", "made_at", "follow_up_on", "recorded_at", "case__opened_at"
    ):
        yield from happened(contact, "made_at", today=today, what="The date of the contact",
                            not_before=local_day(contact.case.opened_at),
                            not_before_what="the date the case was opened")
        # A follow-up was planned on the day the contact was recorded: not before the contact itself.
        yield from planned(contact, "follow_up_on", planned_on=local_day(contact.recorded_at),
                           not_before=local_day(contact.made_at), not_before_what="the date of the contact",
                           what="The follow-up date")
    yield from long_texts(Contact.objects.all(), ["summary"])
    yield from long_texts(Contact.objects.all(), ["follow_up"], limit=FOLLOW_UP_MAX)
