"""The support a case rests on: plans and their actions, attendance contracts, early help, reasonable
adjustments and their reviews, part-time timetables, notifications to the LA, sickness returns, and
leave of absence. Writes go through ``interventions.services``."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases import rules
from cases.models import Case, Parent, Pupil


class SupportPlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed with the family"
    CLOSED = "closed", "Closed"


class SupportPlan(models.Model):
    """The action/support plan from an attendance meeting: barriers, actions, review dates, outcome."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_plans")
    barriers = models.TextField(help_text="What stands in the way of attending, in the family's and the pupil's words")
    status = models.CharField(max_length=10, choices=SupportPlanStatus.choices, default=SupportPlanStatus.DRAFT)
    agreed_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(help_text="When the plan is next reviewed")
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="agreed_plan_has_date",
                condition=~Q(status=SupportPlanStatus.AGREED) | Q(agreed_on__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"Support plan for {self.case.pupil} ({self.get_status_display()})"


class Action(models.Model):
    """A named action with an owner and a due date: from a support plan or agreed at a meeting."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    support_plan = models.ForeignKey(
        SupportPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=200, help_text="Who will do it: a person, a parent, an agency")
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.description} ({self.owner}, due {self.due_on})"

    def is_overdue(self, today: date) -> bool:
        return self.completed_on is None and self.due_on < today


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OFFERED = "offered", "Offered to parents"
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined by parents"
    BREACHED = "breached", "Not kept by parents"
    ENDED = "ended", "Ended"


class AttendanceContract(models.Model):
    """A voluntary written agreement between parents and the school or LA (formerly parenting contract)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contracts")
    school_commitments = models.TextField(help_text="The support the school and the LA commit to")
    parent_commitments = models.TextField(help_text="What the parents commit to")
    starts_on = models.DateField()
    review_on = models.DateField()
    status = models.CharField(max_length=10, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    status_changed_on = models.DateField(null=True, blank=True)
    # Each parent's response (ContractParty.responded_on) answers the offer, so it cannot be earlier.
    offered_on = models.DateField(null=True, blank=True, help_text="The day the contract was offered to the parents")
    status_note = models.TextField(blank=True, help_text="Why it was declined, breached or ended")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Attendance contract for {self.case.pupil} ({self.get_status_display()})"


class PartyResponse(models.TextChoices):
    PENDING = "pending", "Awaiting a response"
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"


class ContractParty(models.Model):
    """Each parent who is party to a contract, and their own response."""

    contract = models.ForeignKey(AttendanceContract, on_delete=models.CASCADE, related_name="parties")
    parent = models.ForeignKey(Parent, on_delete=models.PROTECT, related_name="contract_parties")
    response = models.CharField(max_length=10, choices=PartyResponse.choices, default=PartyResponse.PENDING)
    responded_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "parent"], name="one_party_row_per_parent")]

    def __str__(self) -> str:
        return f"{self.parent} ({self.get_response_display()})"


class EarlyHelpKind(models.TextChoices):
    REFERRAL = "referral", "Referral to wider services"
    VOLUNTARY_PLAN = "voluntary_plan", "Voluntary early help plan"


class EarlyHelp(models.Model):
    """A referral to early help or another service, or a voluntary early help plan (domain.md 3.2-3.3)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="early_help")
    kind = models.CharField(max_length=20, choices=EarlyHelpKind.choices)
    agency = models.CharField(max_length=200, help_text="e.g. Early Help Hub, school nurse, CAMHS")
    started_on = models.DateField()
    family_consented = models.BooleanField(default=False)
    outcome = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_on"]
        verbose_name_plural = "early help"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.agency}"


class AdjustmentArea(models.TextChoices):
    UNIFORM = "uniform", "Uniform"
    TRANSPORT = "transport", "Transport"
    ROUTINES = "routines", "Routines and transitions"
    TIMETABLE = "timetable", "Timetable"
    LUNCHTIME = "lunchtime", "Lunchtime and breaks"
    ACCESS_TO_SUPPORT = "access_to_support", "Access to support"
    PHASED_RETURN = "phased_return", "Phased return"
    OTHER = "other", "Other"


class AdjustmentStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "In place"
    ENDED = "ended", "Ended"


class ReasonableAdjustment(models.Model):
    """A reasonable adjustment for a pupil with SEND (Equality Act 2010 s20), logged by the SENCo."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="adjustments")
    area = models.CharField(max_length=20, choices=AdjustmentArea.choices)
    description = models.TextField(help_text="What is adjusted")
    barrier = models.TextField(help_text="The barrier to attendance it removes, and how it links to the need")
    agreed_with = models.CharField(max_length=200, help_text="Who agreed it: parents, pupil, professionals")
    starts_on = models.DateField()
    review_on = models.DateField()
    status = models.CharField(max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.ACTIVE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["review_on"]

    def __str__(self) -> str:
        return f"{self.get_area_display()} adjustment for {self.pupil}"


class AdjustmentReview(models.Model):
    """The SENCo's or DSL's review of a pupil's adjustments, which a notice for a pupil with SEND needs."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="adjustment_reviews")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="adjustment_reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    conclusion = models.TextField(help_text="Whether the adjustments are right and enough, and what changes")

    class Meta:
        ordering = ["-reviewed_on"]

    def __str__(self) -> str:
        return f"Adjustments reviewed for {self.pupil} on {self.reviewed_on}"


class PartTimeTimetable(models.Model):
    """A time-limited part-time timetable (code C2), agreed with parents; the LA is told at start and end."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="part_time_timetables")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="part_time_timetables")
    agreed_hours = models.CharField(max_length=200, help_text="e.g. mornings only, 9:00 to 12:15")
    reason = models.TextField()
    agreed_with_parents_on = models.DateField()
    starts_on = models.DateField()
    planned_end_on = models.DateField()
    review_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    la_notified_of_start_on = models.DateField(null=True, blank=True)
    la_notified_of_end_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(name="part_time_is_time_limited", condition=Q(planned_end_on__gt=models.F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"Part-time timetable for {self.pupil} from {self.starts_on}"

    def start_notification_overdue(self, today: date) -> bool:
        return self.la_notified_of_start_on is None and today > self.starts_on + rules.LA_NOTIFICATION_GRACE

    def end_notification_overdue(self, today: date) -> bool:
        ended = self.ended_on or (self.planned_end_on if self.planned_end_on < today else None)
        return ended is not None and self.la_notified_of_end_on is None and today > ended + rules.LA_NOTIFICATION_GRACE


class NotificationKind(models.TextChoices):
    EHC_PLAN_CONCERN = "ehc_plan_concern", "EHC plan: attendance concern"
    PART_TIME_START = "part_time_start", "Part-time timetable started"
    PART_TIME_END = "part_time_end", "Part-time timetable ended"
    SICKNESS_RETURN = "sickness_return", "Sickness return"
    CHILD_MISSING_EDUCATION = "cme", "Child missing education referral"


class LANotification(models.Model):
    """Something the school must tell the LA; the LA's acknowledgement is recorded with the LA review."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="la_notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="la_notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    part_time_timetable = models.ForeignKey(
        PartTimeTimetable, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    sent_on = models.DateField()
    details = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    la_note = models.TextField(blank=True, help_text="The LA officer's note when acknowledging")
    # Set once, by the nightly sweep, when the notification waited longer than the LA's service level.
    overdue_flagged_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_on"]
        indexes = [models.Index(fields=["acknowledged_on", "sent_on"], name="la_notification_waiting")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.pupil} ({self.sent_on})"


class LeaveDecision(models.TextChoices):
    PENDING = "pending", "Awaiting the headteacher's decision"
    GRANTED = "granted", "Granted (exceptional circumstances)"
    REFUSED = "refused", "Refused"
    # Every day asked for is in the school holidays: leave of absence is only about term time.
    NOT_NEEDED = "not_needed", "Not needed: the school is closed"


class LeaveOfAbsenceRequest(models.Model):
    """A parent's request for leave in term time and the headteacher's decision (domain.md 5)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="leave_requests")
    requested_by = models.ForeignKey(Parent, on_delete=models.PROTECT, related_name="leave_requests")
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.TextField()
    received_on = models.DateField()
    decision = models.CharField(max_length=10, choices=LeaveDecision.choices, default=LeaveDecision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_on"]
        constraints = [models.CheckConstraint(name="leave_ends_after_it_starts", condition=Q(last_day__gte=models.F("first_day")))]

    def __str__(self) -> str:
        return f"Leave request for {self.pupil}: {self.first_day} to {self.last_day}"
