"""The penalty notice, with its own state machine, and the LA officer's tasks it raises (domain.md 3.5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from cases import rules
from cases.models import Case, LocalAuthority, Parent, Pupil


class PenaltyNoticeState(models.TextChoices):
    DRAFT = "draft", "Draft"
    LA_CONSULTED = "la_consulted", "LA consulted"
    ISSUED = "issued", "Issued"
    PAID_REDUCED = "paid_reduced", "Paid at the reduced rate"
    PAID_FULL = "paid_full", "Paid in full"
    UNPAID = "unpaid", f"Unpaid after {rules.PN_FULL_DAYS} days"
    WITHDRAWN = "withdrawn", "Withdrawn"
    PROSECUTED = "prosecuted", "Referred for prosecution"


PAID_STATES = (PenaltyNoticeState.PAID_REDUCED, PenaltyNoticeState.PAID_FULL)


class ProsecutionOutcome(models.TextChoices):
    """How the prosecution of a notice's offence ended; empty while it is pending (domain.md 3.5)."""

    GUILTY = "guilty", "Guilty (pleaded or found guilty)"
    NOT_GUILTY = "not_guilty", "Not guilty (acquitted)"


class PenaltyNotice(ConcurrentTransitionMixin, models.Model):
    """One penalty notice to one parent for one pupil (domain.md 3.5), with its own state machine.

    Amounts and deadlines are fixed at issue from the rules in force on the date of issue and the
    earlier notices that count; imported history keeps the amounts of its time.
    """

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="penalty_notices")
    reference = models.CharField(max_length=40)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="penalty_notices")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="penalty_notices")
    parent = models.ForeignKey(Parent, on_delete=models.PROTECT, related_name="penalty_notices")
    state = FSMField(default=PenaltyNoticeState.DRAFT, choices=PenaltyNoticeState.choices, protected=True)
    sequence = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1st or 2nd notice (2024 framework)")
    issued_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(
        null=True, blank=True, help_text="When the parent received it, or is treated as having received it"
    )
    amount_full = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    amount_reduced = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    reduced_by = models.DateField(null=True, blank=True)
    full_by = models.DateField(null=True, blank=True)
    offence_from = models.DateField(null=True, blank=True)
    offence_to = models.DateField(null=True, blank=True)
    offence_record = models.ForeignKey(
        "cases.Offence", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The offence, as computed and stored when this was drafted (imported notices have none); every surface reads it",
    )
    paid_on = models.DateField(null=True, blank=True)
    paid_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    referred_on = models.DateField(null=True, blank=True)
    # An acquittal means the notice no longer counts toward the limit; pending or guilty, it still does.
    prosecution_outcome = models.CharField(max_length=10, choices=ProsecutionOutcome.choices, blank=True, default="")
    imported = models.BooleanField(default=False, help_text="From the LA's records, not issued here")
    # The authorised officer in whose name the notice is issued (2007 Regulations reg 3): every later version
    # of its letter names this person, whoever makes it.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "reference"], name="pn_reference_unique_in_la"),
            models.CheckConstraint(
                name="pn_offence_period_in_order",
                condition=Q(offence_from__isnull=True) | Q(offence_to__gte=models.F("offence_from")),
            ),
        ]
        indexes = [models.Index(fields=["pupil", "parent"]), models.Index(fields=["state", "full_by"])]

    def __str__(self) -> str:
        return f"Penalty notice {self.reference} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        # Only the import of the LA's historic records may create a notice past its first state.
        if self._state.adding and self.state != PenaltyNoticeState.DRAFT and not self.imported:
            raise ValueError("A new penalty notice starts as a draft; only imported history may start later.")
        super().save(*args, **kwargs)

    @transition(field=state, source=PenaltyNoticeState.DRAFT, target=PenaltyNoticeState.LA_CONSULTED)
    def consult_la(self) -> None:
        pass

    @transition(field=state, source=PenaltyNoticeState.LA_CONSULTED, target=PenaltyNoticeState.ISSUED)
    def issue(self, *, issued_on, received_on, sequence, amount_full, amount_reduced, reduced_by, full_by,
              issued_by=None) -> None:
        self.issued_by = issued_by
        self.issued_on, self.received_on, self.sequence = issued_on, received_on, sequence
        self.amount_full, self.amount_reduced = amount_full, amount_reduced
        self.reduced_by, self.full_by = reduced_by, full_by

    @transition(
        field=state,
        source=[PenaltyNoticeState.ISSUED, PenaltyNoticeState.UNPAID, PenaltyNoticeState.PROSECUTED],
        target=RETURN_VALUE(PenaltyNoticeState.PAID_REDUCED, PenaltyNoticeState.PAID_FULL),
    )
    def record_payment(self, *, paid_on, amount, at_reduced_rate: bool) -> str:
        self.paid_on, self.paid_amount = paid_on, amount
        return PenaltyNoticeState.PAID_REDUCED if at_reduced_rate else PenaltyNoticeState.PAID_FULL

    @transition(field=state, source=PenaltyNoticeState.ISSUED, target=PenaltyNoticeState.UNPAID)
    def mark_unpaid(self) -> None:
        pass

    @transition(
        field=state,
        source=[
            PenaltyNoticeState.DRAFT, PenaltyNoticeState.LA_CONSULTED, PenaltyNoticeState.ISSUED,
            PenaltyNoticeState.UNPAID, PenaltyNoticeState.PROSECUTED,
        ],
        target=PenaltyNoticeState.WITHDRAWN,
    )
    def withdraw(self, *, on, reason: str) -> None:
        self.withdrawn_on, self.withdrawn_reason = on, reason

    @transition(field=state, source=PenaltyNoticeState.UNPAID, target=PenaltyNoticeState.PROSECUTED)
    def refer_for_prosecution(self, *, on) -> None:
        self.referred_on = on


class OfficerTaskKind(models.TextChoices):
    DECIDE_UNPAID = "decide_unpaid", f"Unpaid after {rules.PN_FULL_DAYS} days: decide to prosecute or withdraw"
    STOP_PROSECUTION = "stop_prosecution", "Paid after referral: withdraw the prosecution now"


class OfficerTask(models.Model):
    """Something an LA attendance officer must decide about a penalty notice; urgent ones come first."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="officer_tasks")
    notice = models.ForeignKey(PenaltyNotice, on_delete=models.PROTECT, related_name="officer_tasks")
    kind = models.CharField(max_length=20, choices=OfficerTaskKind.choices)
    urgent = models.BooleanField(default=False)
    detail = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-urgent", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "kind"], condition=Q(done_at__isnull=True), name="one_open_task_per_notice_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.notice.reference}"
