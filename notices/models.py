"""Notices to improve, and the immutable store of every letter the casework sends.

The penalty notice has its own state machine; the notice to improve holds what the case's ladder
needs to decide.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from cases import rules
from cases.formatting import long_date
from cases.models import Case, LocalAuthority, Parent, Pupil


class NoticeOutcome(models.TextChoices):
    PENDING = "pending", "Improvement period running"
    IMPROVED = "improved", "Sufficient improvement"
    NOT_IMPROVED = "not_improved", "Not sufficient improvement"


def ground_session_sentence(on: date, session: str, code: str) -> str:
    """One register session an early ground rests on, as the chronology, the case page and the bundle say it."""
    return f"{on:%A} {long_date(on)} {session} ({code})"


class NoticeToImprove(models.Model):
    """A notice to improve (domain.md 3.4): the improvement period and what counts as improvement."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices_to_improve")
    parents = models.ManyToManyField(Parent, related_name="notices_to_improve")
    issued_on = models.DateField()
    improvement_period_ends_on = models.DateField()
    sufficient_improvement = models.TextField(help_text="What sufficient improvement means for this pupil")
    early_penalty_grounds = models.TextField(
        blank=True, help_text="Grounds on which a penalty notice may be issued before the period ends"
    )
    offence_from = models.DateField(help_text="First date of the sessions this notice covers")
    offence_to = models.DateField(help_text="Last date of the sessions this notice covers")
    offence_record = models.ForeignKey(
        "cases.Offence", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The offence, as computed and stored when this was issued; every surface reads it",
    )
    outcome = models.CharField(max_length=15, choices=NoticeOutcome.choices, default=NoticeOutcome.PENDING)
    outcome_recorded_on = models.DateField(null=True, blank=True)
    early_ground_invoked = models.TextField(
        blank=True, help_text="Which of the stated grounds for an earlier penalty notice has arisen"
    )
    # The register evidence of that ground: [{"date": "2025-12-01", "session": "AM", "code": "G"}, ...], each an
    # unauthorised mark after the date of issue, within the improvement period.
    early_ground_sessions = models.JSONField(
        default=list, blank=True, help_text="The unauthorised register sessions the early ground rests on"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(
                name="nti_offence_period_in_order", condition=Q(offence_to__gte=models.F("offence_from"))
            ),
        ]

    def __str__(self) -> str:
        return f"Notice to improve for {self.case.pupil}, issued {self.issued_on}"

    def early_ground_session_lines(self) -> list[str]:
        return [
            ground_session_sentence(date.fromisoformat(s["date"]), s["session"], s["code"])
            for s in self.early_ground_sessions
        ]


class ServiceMethod(models.TextChoices):
    """How a letter or notice reached its recipient (domain.md 3.5: method and date of service recorded)."""

    POST = "post", "By post"
    HAND = "hand", "By hand"
    EMAIL = "email", "By email (the parent agreed)"


class Letter(models.Model):
    """A generated letter, stored immutably: the PDF, its hash, the data it was made from, who and when.

    Regenerating makes a new version; nothing here is ever updated.
    """

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="letters")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    parent = models.ForeignKey(Parent, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    recipient = models.CharField(max_length=100, help_text="Who it is addressed to, e.g. parent:17 or la:873")
    template = models.CharField(max_length=100)
    subject_key = models.CharField(max_length=100, help_text="What the letter is about, e.g. meeting:42")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    context = models.JSONField(help_text="The data the letter was made from")
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField()
    # Recorded when the letter is made (it is never changed afterwards); empty for a letter not served on a
    # parent (a copy to the LA) and for letters made before service was recorded.
    # Null, not "": "no service recorded" is a different fact from a method, and other readers test for None.
    service_method = models.CharField(  # noqa: DJ001
        max_length=5, choices=ServiceMethod.choices, null=True, blank=True
    )
    served_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-generated_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "recipient", "version"], name="letter_version_unique"),
            models.CheckConstraint(
                name="letter_service_method_with_date",
                condition=Q(service_method__isnull=True, served_on__isnull=True)
                | Q(service_method__isnull=False, served_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args, **kwargs):
        # A letter sent is evidence: it is never changed, only superseded by a new version.
        if not self._state.adding:
            raise ValueError("A generated letter cannot be changed; generate a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A generated letter is kept as evidence and cannot be deleted.")

    @property
    def service_sentence(self) -> str:
        """ "By post on 4 December 2026", or "" when no service is recorded."""
        if not self.service_method or self.served_on is None:
            return ""
        return f"{self.get_service_method_display()} on {long_date(self.served_on)}"


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


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Making the letters"
    DONE = "done", "Ready to print"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class LetterBatch(models.Model):
    """A run of letters made on Celery (e.g. this week's concern letters), with progress and one PDF to print."""

    school = models.ForeignKey("cases.School", on_delete=models.PROTECT, related_name="letter_batches")
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # The pupils the plan left out and why ({"pupil_id", "pupil", "upn", "reason"}), as they were at the start.
    skipped = models.JSONField(default=list, blank=True)
    letters = models.ManyToManyField(Letter, blank=True, related_name="batches")
    combined_pdf = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who gets a letter, fixed when the batch starts ([pupil id, parent id] pairs), so that a resumed run
    # makes the same letters; and when a letter was last made, so that a batch whose worker died shows stuck.
    plan = models.JSONField(default=list, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"


# The viewflow processes (penalty notice request, prosecution referral) live in their own modules;
# notices.flows drives them.
from notices.referrals import ProsecutionReferral  # noqa: E402, F401
from notices.requests import PenaltyNoticeRequest, RequestDecision  # noqa: E402, F401
