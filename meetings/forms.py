"""Forms of the meetings screens. Templates render GOV.UK markup by hand; forms only validate.

Error messages follow the GOV.UK pattern: say what went wrong and how to fix it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import facts
from cases.form_fields import date_from_parts, long_text, text_error_messages
from meetings.models import AttendeeRole, ContactMethod, ContactOutcome, MeetingAttendee, MeetingKind
from meetings.services import (
    ACTION_DESCRIPTION_MAX,
    FOLLOW_UP_MAX,
    KINDS_WITH_THREE_PART_NOTES,
    OtherAttendee,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
TIME_PATTERN = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$", re.IGNORECASE)


def parse_time(text: str) -> time | None:
    """ "9:30am", "2pm", "14:00", "09.15", "midday" to a time; None if it is not a time of day."""
    text = text.strip().lower().replace(" ", "")
    if text in {"midday", "noon", "12noon"}:
        return time(12, 0)
    match = TIME_PATTERN.match(text)
    if not match:
        return None
    hour, minute, half = int(match["hour"]), int(match["minute"] or 0), match["half"]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class DatePartsMixin:
    """GOV.UK date input: three boxes (day, month, year) named ``<prefix>_day`` etc., errors on the day box."""

    def date_from_parts(self, prefix: str, what: str) -> date | None:
        if any(f"{prefix}_{part}" in self.errors for part in ("day", "month", "year")):
            return None
        parts = [self.cleaned_data.get(f"{prefix}_{part}") for part in ("day", "month", "year")]
        if all(p is None for p in parts):
            self.add_error(f"{prefix}_day", f"Enter {what}")
            return None
        missing = [name for name, p in zip(("day", "month", "year"), parts, strict=True) if p is None]
        if missing:
            self.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must include a {' and a '.join(missing)}")
            return None
        day, month, year = parts
        try:
            return date_from_parts(day, month, year, what)
        except ValidationError as refused:
            self.add_error(f"{prefix}_day", refused)
            return None


def _date_part(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=1, error_messages={"invalid": "Enter the date using numbers only"}
    )


def _other_attendees(text: str, role: str) -> list[OtherAttendee]:
    people = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, organisation = line.partition(",")
        people.append(OtherAttendee(role=role, name=name.strip()[:200], organisation=organisation.strip()[:200]))
    return people


class MeetingPlanForm(DatePartsMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Type of meeting",
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of meeting"},
    )
    date_day = _date_part("Day")
    date_month = _date_part("Month")
    date_year = _date_part("Year")
    time = forms.CharField(label="Time", required=False, max_length=20)
    location = forms.CharField(
        label="Where", max_length=facts.SHORT_TEXT_MAX,
        error_messages={"required": "Enter where the meeting will be held",
                        **text_error_messages("Where the meeting will be held", facts.SHORT_TEXT_MAX)},
    )
    parents = forms.MultipleChoiceField(
        label="Parents and carers invited",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only this pupil's own parents and carers"},
    )
    pupil_attends = forms.ChoiceField(
        label="Is the pupil invited?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the pupil is invited to the meeting"},
    )
    staff = long_text("School staff attending", required=False, limit=2000)
    agencies = long_text("Other agencies attending", required=False, limit=2000)
    invite_parents = forms.BooleanField(label="Create the invitation letters to the parents now", required=False)

    def __init__(self, *args, parent_links, **kwargs):
        kwargs.setdefault("initial", {"invite_parents": True})
        super().__init__(*args, **kwargs)
        self.parent_links = list(parent_links)
        self.fields["parents"].choices = [
            (str(link.parent_id), f"{link.parent.forename} {link.parent.surname} ({link.relationship})")
            for link in self.parent_links
        ]

    def clean(self):
        cleaned = super().clean()
        day = self.date_from_parts("date", "the date of the meeting")
        raw_time = (cleaned.get("time") or "").strip()
        at = parse_time(raw_time) if raw_time else None
        if not raw_time:
            self.add_error("time", "Enter the time of the meeting, for example 9:30am or 14:00")
        elif at is None:
            self.add_error("time", "Enter a real time, for example 9:30am or 14:00")
        if day is not None and at is not None:
            cleaned["starts_at"] = timezone.make_aware(datetime.combine(day, at))
        return cleaned

    def selected_parents(self):
        wanted = set(self.cleaned_data.get("parents", []))
        return [link.parent for link in self.parent_links if str(link.parent_id) in wanted]

    def others(self) -> list[OtherAttendee]:
        return _other_attendees(self.cleaned_data.get("staff", ""), AttendeeRole.STAFF) + _other_attendees(
            self.cleaned_data.get("agencies", ""), AttendeeRole.AGENCY
        )


class MeetingRecordForm(forms.Form):
    """Who attended (one yes/no per invitee), what was discussed, and for TAC/TAF the three parts."""

    barriers_discussed = long_text("Barriers to attendance discussed", required=False)
    what_is_working = long_text("What is working", required=False)
    what_we_are_worried_about = long_text("What we are worried about", required=False)
    what_needs_to_happen = long_text("What needs to happen", required=False)
    notes = long_text("Other notes", required=False)

    def __init__(self, *args, meeting, attendees: list[MeetingAttendee], **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.attendees = attendees
        for attendee in attendees:
            self.fields[f"attended_{attendee.pk}"] = forms.ChoiceField(
                label=f"Did {attendee.name} attend?",
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select yes if {attendee.name} attended"},
            )
        self.three_parts = meeting.kind in KINDS_WITH_THREE_PART_NOTES
        if self.three_parts:
            for name, message in (
                ("what_is_working", "Enter what is working"),
                ("what_we_are_worried_about", "Enter what we are worried about"),
                ("what_needs_to_happen", "Enter what needs to happen"),
            ):
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message

    def attendance_rows(self):
        """(bound field, hint) per invitee; the hint says who they are, e.g. "Parent or carer: Mother"."""
        rows = []
        for attendee in self.attendees:
            hint = attendee.get_role_display()
            if attendee.organisation:
                hint += f": {attendee.organisation}"
            rows.append((self[f"attended_{attendee.pk}"], hint))
        return rows

    def attendance(self) -> dict[int, bool]:
        return {a.pk: self.cleaned_data[f"attended_{a.pk}"] == "yes" for a in self.attendees}


class AgreedActionForm(DatePartsMixin, forms.Form):
    description = forms.CharField(
        label="What has been agreed", max_length=ACTION_DESCRIPTION_MAX,
        error_messages={"required": "Enter the action that was agreed",
                        **text_error_messages("What has been agreed", ACTION_DESCRIPTION_MAX)},
    )
    owner_user = forms.ChoiceField(label="Member of staff responsible", required=False)
    owner = forms.CharField(label="Or someone else responsible", required=False, max_length=facts.SHORT_TEXT_MAX,
                            error_messages=text_error_messages("Who else is responsible", facts.SHORT_TEXT_MAX))
    due_day = _date_part("Day")
    due_month = _date_part("Month")
    due_year = _date_part("Year")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {str(user.pk): user for user in owners}
        self.fields["owner_user"].choices = [("", "Not a member of staff")] + [
            (pk, f"{user.get_full_name() or user.get_username()} ({user.staff.position})")
            for pk, user in self.owners.items()
        ]

    def clean(self):
        cleaned = super().clean()
        cleaned["due_on"] = self.date_from_parts("due", "the date it is due")
        cleaned["owner_user_obj"] = self.owners.get(cleaned.get("owner_user") or "")
        if cleaned["owner_user_obj"] is None and not (cleaned.get("owner") or "").strip():
            self.add_error("owner_user", "Select the member of staff responsible, or enter who else is responsible")
        return cleaned


class MeetingCancelForm(forms.Form):
    reason = long_text("Why is the meeting cancelled?", limit=2000, what="The reason",
                       error_messages={"required": "Enter why the meeting is cancelled"})


SOMEONE_ELSE = "other"


class ContactForm(DatePartsMixin, forms.Form):
    """A contact with the family: how, when, with whom, who made it, what came of it, and what follows."""

    method = forms.ChoiceField(
        label="How was the contact made?", choices=ContactMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select how the contact was made"},
    )
    date_day = _date_part("Day")
    date_month = _date_part("Month")
    date_year = _date_part("Year")
    time = forms.CharField(label="Time", required=False, max_length=20)
    with_whom = forms.ChoiceField(
        label="Who was the contact with?", widget=forms.RadioSelect,
        error_messages={"required": "Select who the contact was with",
                        "invalid_choice": "Select one of this pupil's parents or carers, or someone else"},
    )
    other_name = forms.CharField(label="Their name", required=False, max_length=facts.SHORT_TEXT_MAX,
                                 error_messages=text_error_messages("Their name", facts.SHORT_TEXT_MAX))
    other_role = forms.CharField(label="Who they are", required=False, max_length=facts.SHORT_TEXT_MAX,
                                 error_messages=text_error_messages("Who they are", facts.SHORT_TEXT_MAX))
    made_by = forms.ChoiceField(
        label="Who made the contact?",
        error_messages={"required": "Select who made the contact",
                        "invalid_choice": "Select someone from the school or the local authority"},
    )
    outcome = forms.ChoiceField(
        label="What came of it?", choices=ContactOutcome.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select what came of the contact"},
    )
    summary = long_text("What was said or done (optional)", required=False, what="What was said or done")
    follow_up = long_text("Follow-up (optional)", required=False, limit=FOLLOW_UP_MAX, what="The follow-up")
    follow_up_on_day = _date_part("Day")
    follow_up_on_month = _date_part("Month")
    follow_up_on_year = _date_part("Year")

    def __init__(self, *args, parent_links, makers, by, **kwargs):
        kwargs.setdefault("initial", {"made_by": str(by.pk)})
        super().__init__(*args, **kwargs)
        self.parent_links = {str(link.parent_id): link for link in parent_links}
        self.fields["with_whom"].choices = [
            (pk, f"{link.parent.forename} {link.parent.surname} ({link.relationship})")
            for pk, link in self.parent_links.items()
        ] + [(SOMEONE_ELSE, "Someone else")]
        self.makers = {str(user.pk): user for user in makers}
        self.fields["made_by"].choices = [
            (pk, f"{user.get_full_name() or user.get_username()} ({user.staff.position})")
            for pk, user in self.makers.items()
        ]

    def clean(self):
        cleaned = super().clean()
        day = self.date_from_parts("date", "the date of the contact")
        raw_time = (cleaned.get("time") or "").strip()
        at = parse_time(raw_time) if raw_time else None
        if not raw_time:
            self.add_error("time", "Enter the time of the contact, for example 9:30am or 14:00")
        elif at is None:
            self.add_error("time", "Enter a real time, for example 9:30am or 14:00")
        if day is not None and at is not None:
            cleaned["made_at"] = timezone.make_aware(datetime.combine(day, at))
        if cleaned.get("with_whom") == SOMEONE_ELSE:
            if not (cleaned.get("other_name") or "").strip() and "other_name" not in self.errors:
                self.add_error("other_name", "Enter the name of the person the contact was with")
            if not (cleaned.get("other_role") or "").strip() and "other_role" not in self.errors:
                self.add_error("other_role", "Enter who they are, for example pupil or social worker")
        follow_up_given = any(self.data.get(f"follow_up_on_{part}", "").strip() for part in ("day", "month", "year"))
        cleaned["follow_up_on"] = (self.date_from_parts("follow_up_on", "the follow-up date")
                                   if follow_up_given else None)
        return cleaned

    def parent(self):
        link = self.parent_links.get(self.cleaned_data.get("with_whom") or "")
        return link.parent if link is not None else None

    def maker(self):
        return self.makers.get(self.cleaned_data.get("made_by") or "")
