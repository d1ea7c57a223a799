"""Attendance meetings, attendance improvement meetings, TAC/TAF meetings and reviews, with attendees
and the TAC's three-part notes. Agreed actions are ``interventions.Action`` rows tied to the meeting."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

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
