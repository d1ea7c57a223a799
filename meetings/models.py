"""Attendance meetings, attendance improvement meetings, TAC/TAF meetings and reviews, with attendees
and the TAC's three-part notes. Agreed actions are ``interventions.Action`` rows tied to the meeting."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases import roles
from cases.models import Case, Parent


class MeetingKind(models.TextChoices):
    ATTENDANCE = "attendance", "Attendance meeting"
    IMPROVEMENT = "improvement", "Attendance improvement meeting"
    TAC = "tac", "Team Around the Child (TAC) meeting"
    TAF = "taf", "Team Around the Family (TAF) meeting"
    REVIEW = "review", "Review meeting"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    barriers_discussed = models.TextField(blank=True)
    # The usual three parts of TAC/TAF notes.
    what_is_working = models.TextField(blank=True)
    what_we_are_worried_about = models.TextField(blank=True)
    what_needs_to_happen = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.starts_at:%Y-%m-%d}"

    @property
    def parents_attended(self) -> bool:
        return self.attendees.filter(role=AttendeeRole.PARENT, attended=True).exists()


class AttendeeRole(models.TextChoices):
    PARENT = "parent", "Parent or carer"
    PUPIL = "pupil", "Pupil"
    STAFF = "staff", "School staff"
    AGENCY = "agency", "Other agency"


class MeetingAttendee(models.Model):
    """Someone invited to a meeting; whether a parent attended is evidence later."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    role = models.CharField(max_length=10, choices=AttendeeRole.choices)
    parent = models.ForeignKey(Parent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True, help_text="Job title or agency")
    attended = models.BooleanField(null=True, help_text="Unknown until the meeting is recorded")

    class Meta:
        ordering = ["role", "name"]
        constraints = [
            models.CheckConstraint(
                name="parent_attendee_names_the_parent",
                condition=~Q(role=AttendeeRole.PARENT) | Q(parent__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["meeting", "parent"], condition=Q(parent__isnull=False), name="parent_invited_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


# --- contacts with the family -------------------------------------------------------------------------


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    HOME_VISIT = "home_visit", "Home visit"
    MEETING = "meeting", "Meeting in person"


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke with them"
    NO_ANSWER = "no_answer", "No answer"
    MESSAGE_LEFT = "message_left", "Message left"
    NUMBER_NOT_IN_USE = "number_not_in_use", "Number not in use"
    LETTER_SENT = "letter_sent", "Letter sent"
    EMAIL_SENT = "email_sent", "Email sent"
    REPLY_RECEIVED = "reply_received", "Reply received"
    RETURNED = "returned", "Returned undelivered"
    NO_ONE_HOME = "no_one_home", "Visited, no one home"
    DID_NOT_COME = "did_not_come", "Did not come"
    REFUSED = "refused", "Would not speak with us"


# What can come of each way of making contact: a letter is never "no answer", a phone call never "visited".
# A calling card put through the door on a home visit is a message left.
OUTCOMES_BY_METHOD: dict[str, tuple[str, ...]] = {
    ContactMethod.PHONE: (ContactOutcome.SPOKE, ContactOutcome.NO_ANSWER, ContactOutcome.MESSAGE_LEFT,
                          ContactOutcome.NUMBER_NOT_IN_USE, ContactOutcome.REFUSED),
    ContactMethod.LETTER: (ContactOutcome.LETTER_SENT, ContactOutcome.REPLY_RECEIVED, ContactOutcome.RETURNED),
    ContactMethod.EMAIL: (ContactOutcome.EMAIL_SENT, ContactOutcome.REPLY_RECEIVED, ContactOutcome.RETURNED),
    ContactMethod.HOME_VISIT: (ContactOutcome.SPOKE, ContactOutcome.NO_ONE_HOME, ContactOutcome.MESSAGE_LEFT,
                               ContactOutcome.REFUSED),
    ContactMethod.MEETING: (ContactOutcome.SPOKE, ContactOutcome.DID_NOT_COME, ContactOutcome.REFUSED),
}


# Who makes contact with a family: the school's caseworkers and the LA's officers (a governor never does).
CONTACT_MAKER_ROLES = roles.roles_with(roles.READ_CASES) | roles.roles_with(roles.LA_READ)


class Contact(models.Model):
    """A contact (or an attempt at one) with the family or someone around the pupil: when, how, with whom,
    who made it, what came of it and what follows. Recorded through ``meetings.services.contact_record``.

    With a parent, ``parent`` links the pupil's own parent or carer; ``with_name`` and ``with_role`` keep the
    name and relationship as they were on the day (a later change of name does not rewrite the record)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    made_at = models.DateTimeField(help_text="When the contact was made or tried")
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    parent = models.ForeignKey(Parent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    with_name = models.CharField(max_length=200)
    with_role = models.CharField(max_length=200, blank=True, help_text="Relationship to the pupil, or role")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    summary = models.TextField(blank=True)
    follow_up = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["made_at", "id"]
        indexes = [models.Index(fields=["case", "made_at"])]
        constraints = [
            models.CheckConstraint(name="contact_method_known", condition=Q(method__in=ContactMethod.values)),
            models.CheckConstraint(name="contact_outcome_known", condition=Q(outcome__in=ContactOutcome.values)),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} with {self.with_name} on {self.made_at:%Y-%m-%d}"
