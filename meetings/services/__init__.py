"""Every write of the meetings app, by subject: meetings (plan, invite, record, agree actions, cancel) and
contacts with the family."""

from meetings.services.contacts import FOLLOW_UP_MAX, ContactRefused, contact_record
from meetings.services.meetings import (
    ACTION_DESCRIPTION_MAX,
    INVITATION_NOTICE_WORKING_DAYS,
    KINDS_WITH_THREE_PART_NOTES,
    RECORD_TEXTS,
    MeetingRefused,
    OtherAttendee,
    ParentNotLinked,
    describe,
    first_upper,
    kind_name,
    long_date,
    meeting_action_add,
    meeting_cancel,
    meeting_invitations_generate,
    meeting_plan,
    meeting_record,
)

__all__ = [
    "ACTION_DESCRIPTION_MAX",
    "FOLLOW_UP_MAX",
    "INVITATION_NOTICE_WORKING_DAYS",
    "KINDS_WITH_THREE_PART_NOTES",
    "RECORD_TEXTS",
    "ContactRefused",
    "MeetingRefused",
    "OtherAttendee",
    "ParentNotLinked",
    "describe",
    "first_upper",
    "kind_name",
    "long_date",
    "contact_record",
    "meeting_action_add",
    "meeting_cancel",
    "meeting_invitations_generate",
    "meeting_plan",
    "meeting_record",
]
