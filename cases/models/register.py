"""The register (one mark per pupil per session) with its amendments, the scan's snapshots and alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases import rules
from cases.models.organisations import School
from cases.models.pupils import Pupil


class Session(models.IntegerChoices):
    AM = rules.AM, "AM"
    PM = rules.PM, "PM"


class Mark(models.Model):
    """One register entry: a pupil's code for one session. The (pupil, date, session) key orders the scan."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="marks")
    date = models.DateField()
    session = models.PositiveSmallIntegerField(choices=Session.choices)
    code = models.CharField(max_length=2)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pupil", "date", "session"], name="one_mark_per_pupil_session"),
        ]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.date} {self.get_session_display()} {self.code}"


class MarkAmendment(models.Model):
    """A change of a recorded code, kept as the 2024 regulations require (original, amended, reason, who, when)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="amendments")
    date = models.DateField()
    session = models.PositiveSmallIntegerField(choices=Session.choices)
    original_code = models.CharField(max_length=2)
    amended_code = models.CharField(max_length=2)
    reason = models.CharField(max_length=200)
    amended_at = models.DateTimeField()
    amended_by_name = models.CharField(max_length=200)
    amended_by_position = models.CharField(max_length=200)

    class Meta:
        ordering = ["date", "session", "amended_at", "id"]
        indexes = [models.Index(fields=["pupil", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.get_session_display()}: {self.original_code} -> {self.amended_code}"


class AttendanceSnapshot(models.Model):
    """The latest scan's measures per pupil, so lists and filters read a row instead of a year of marks."""

    pupil = models.OneToOneField(Pupil, on_delete=models.CASCADE, related_name="snapshot")
    as_of = models.DateField()
    possible_sessions = models.PositiveIntegerField()
    attended_sessions = models.PositiveIntegerField()
    attendance_pct = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    persistent_absence = models.BooleanField()
    severe_absence = models.BooleanField()
    unauthorised_in_window = models.PositiveIntegerField()
    pn_threshold_met = models.BooleanField()
    pn_threshold_first_met = models.DateField(null=True)
    pending_n_sessions = models.PositiveIntegerField()
    stale_n_sessions = models.PositiveIntegerField()
    illness_sessions = models.PositiveIntegerField()
    sickness_return_due = models.BooleanField()
    unexplained_run_sessions = models.PositiveIntegerField()
    cme_risk = models.BooleanField()
    late_marks_recent = models.PositiveIntegerField()
    lateness_concern = models.BooleanField()
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Measures of pupil {self.pupil_id} as of {self.as_of}"


class AlertKind(models.TextChoices):
    THRESHOLD_MET = "threshold_met", "Penalty notice threshold met"
    PERSISTENT_ABSENCE = "persistent_absence", "New persistent absence"
    SEVERE_ABSENCE = "severe_absence", "New severe absence"
    STALE_N = "stale_n", "N code not resolved within 5 school days"
    SICKNESS_RETURN_DUE = "sickness_return_due", "Sickness return to the LA due"
    CME_RISK = "cme_risk", "Children missing education risk"
    LATENESS_CONCERN = "lateness_concern", "Lateness concern"


class Alert(models.Model):
    """Something the nightly scan found that a person at the school should act on.

    ``dedup_key`` says what makes two findings the same alert (the academic year, or the date the
    threshold was first met), so re-running a scan never raises the same alert twice.
    """

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="alerts")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    dedup_key = models.CharField(max_length=40)
    raised_on = models.DateField(help_text="The as-of date of the scan that raised it")
    detail = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Who at the school is to look at it (alert_assign); empty until someone is given it.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="assigned_alerts")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "kind", "dedup_key"], name="alert_once")]
        indexes = [models.Index(fields=["school", "resolved_at"])]
        ordering = ["-raised_on", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.pupil}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
