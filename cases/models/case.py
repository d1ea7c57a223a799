"""The attendance case: the escalation ladder of domain.md section 3 as a protected state machine.

A transition method only changes fields on the case (django-fsm-2 asks this for concurrency
safety); the guards that carry the law live in ``cases.ladder``, and every write, with its
chronology entry, goes through ``cases.case_services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from cases.models.organisations import School
from cases.models.pupils import Pupil
from cases.models.register import Alert


class CaseState(models.TextChoices):
    CONCERN = "concern", "Concern"
    TARGETED_SUPPORT = "targeted_support", "Targeted support"
    FORMAL_SUPPORT = "formal_support", "Formal support (attendance contract)"
    NOTICE_TO_IMPROVE = "notice_to_improve", "Notice to improve"
    PENALTY_NOTICE = "penalty_notice", "Penalty notice"
    PROSECUTION_REFERRAL = "prosecution_referral", "Prosecution referral"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


# The rungs of the ladder in order; "on hold" and "closed" stand beside it.
LADDER = (
    CaseState.CONCERN,
    CaseState.TARGETED_SUPPORT,
    CaseState.FORMAL_SUPPORT,
    CaseState.NOTICE_TO_IMPROVE,
    CaseState.PENALTY_NOTICE,
    CaseState.PROSECUTION_REFERRAL,
)
OPEN_STATES = (*LADDER, CaseState.ON_HOLD)


class CaseOutcome(models.TextChoices):
    IMPROVED = "improved", "Attendance improved"
    LEFT_ROLL = "left_roll", "Pupil left the school roll"
    MOVED_LA = "moved_la", "Moved to another local authority"
    SUPPORT_ENDED = "support_ended", "Support ended"
    LA_DECISION = "la_decision", "Local authority decision"


def _guarded_by(transition: str):
    """The django-fsm condition for ``transition``: the same check that explains a refusal."""

    def condition(case: Case) -> bool:
        from cases import ladder  # the ladder reads other apps' records; import it when first used

        return ladder.check(case, transition).allowed

    condition.__name__ = f"ladder_allows_{transition}"
    return condition


class Case(ConcurrentTransitionMixin, models.Model):
    """One pupil's attendance case. At most one open case per pupil, enforced by the database."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="cases")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cases")
    state = FSMField(default=CaseState.CONCERN, choices=CaseState.choices, protected=True)
    # Where a case on hold resumes; empty unless on hold.
    held_from = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The member of the school's staff who carries the case day to day (the person who opened it unless
    # reassigned through case_assign_owner). Empty only if that person's account was deleted.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_cases")
    opening_reason = models.TextField()
    source_alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    stage_entered_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=CaseOutcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=~Q(state=CaseState.CLOSED), name="one_open_case_per_pupil"
            ),
            models.CheckConstraint(
                name="closed_case_has_outcome",
                condition=Q(state=CaseState.CLOSED, closed_at__isnull=False) & ~Q(outcome="")
                | (~Q(state=CaseState.CLOSED) & Q(closed_at__isnull=True, outcome="")),
            ),
        ]
        indexes = [models.Index(fields=["school", "state"])]
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Case of {self.pupil} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        # protected=True stops assignment but not create(state=...): a case is born a concern, and only
        # transitions move it on.
        if self._state.adding and self.state != CaseState.CONCERN:
            raise ValueError("A new case starts at the concern stage; use the case's transitions to move it.")
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    def _enter(self, at) -> None:
        self.stage_entered_at = at

    # Each transition's guard is a named check in cases.ladder; django-fsm evaluates the same check,
    # so a forged call to the method is refused as well as the button being hidden.

    @transition(field=state, source=CaseState.CONCERN, target=CaseState.TARGETED_SUPPORT,
                conditions=[_guarded_by("start_targeted_support")])
    def start_targeted_support(self, *, at) -> None:
        self._enter(at)

    @transition(field=state, source=CaseState.TARGETED_SUPPORT, target=CaseState.FORMAL_SUPPORT,
                conditions=[_guarded_by("start_formal_support")])
    def start_formal_support(self, *, at) -> None:
        self._enter(at)

    @transition(field=state, source=[CaseState.TARGETED_SUPPORT, CaseState.FORMAL_SUPPORT],
                target=CaseState.NOTICE_TO_IMPROVE, conditions=[_guarded_by("issue_notice_to_improve")])
    def issue_notice_to_improve(self, *, at) -> None:
        self._enter(at)

    @transition(field=state,
                source=[CaseState.TARGETED_SUPPORT, CaseState.FORMAL_SUPPORT, CaseState.NOTICE_TO_IMPROVE],
                target=CaseState.PENALTY_NOTICE, conditions=[_guarded_by("request_penalty_notice")])
    def request_penalty_notice(self, *, at) -> None:
        self._enter(at)

    @transition(field=state,
                source=[CaseState.FORMAL_SUPPORT, CaseState.NOTICE_TO_IMPROVE, CaseState.PENALTY_NOTICE],
                target=CaseState.PROSECUTION_REFERRAL, conditions=[_guarded_by("refer_for_prosecution")])
    def refer_for_prosecution(self, *, at) -> None:
        self._enter(at)

    @transition(field=state, source=list(LADDER), target=CaseState.ON_HOLD)
    def put_on_hold(self, *, at) -> None:
        self.held_from = self.state
        self._enter(at)

    @transition(
        field=state,
        source=CaseState.ON_HOLD,
        target=GET_STATE(lambda case, *args, **kwargs: case._resume_to, states=list(LADDER)),
    )
    def resume(self, *, at) -> None:
        # django-fsm reads the target after the method runs, so keep it before clearing held_from.
        self._resume_to = self.held_from
        self.held_from = ""
        self._enter(at)

    @transition(field=state, source=list(OPEN_STATES), target=CaseState.CLOSED)
    def close(self, *, at, outcome: str) -> None:
        self.outcome = outcome
        self.closed_at = at
        self.held_from = ""
        self._enter(at)


class EventKind(models.TextChoices):
    OPENED = "opened", "Case opened"
    TRANSITION = "transition", "Stage changed"
    ON_HOLD = "on_hold", "Put on hold"
    RESUMED = "resumed", "Resumed"
    CLOSED = "closed", "Case closed"
    NOTE = "note", "Note"
    CONTACT = "contact", "Contact with family"
    NON_ENGAGEMENT = "non_engagement", "Non-engagement recorded"
    SAFEGUARDING = "safeguarding", "Safeguarding referral (KCSIE)"
    MEETING = "meeting", "Meeting"
    SUPPORT_PLAN = "support_plan", "Support plan"
    ACTION = "action", "Agreed action"
    CONTRACT = "contract", "Attendance contract"
    EARLY_HELP = "early_help", "Early help"
    ADJUSTMENT = "adjustment", "Reasonable adjustment"
    PART_TIME = "part_time", "Part-time timetable"
    NOTIFICATION = "notification", "Notification to the LA"
    LETTER = "letter", "Letter"
    NOTICE = "notice", "Notice"
    CONSIDERATION = "consideration", "Penalty notice considerations"
    OWNER = "owner", "Case owner changed"


class CaseEvent(models.Model):
    """One entry of the case's chronology: who did what, when, why, on what evidence."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    from_state = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()}: {self.summary}"


class PenaltyNoticeConsideration(models.Model):
    """What domain.md 3.5 says must be recorded before a penalty notice, and the headteacher's authority."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pn_considerations")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    threshold_first_met = models.DateField(help_text="From the attendance scan when recorded")
    why_penalty_notice_is_the_best_tool = models.TextField()
    alternatives_considered = models.TextField(
        help_text="Whether support, a notice to improve or another legal intervention would be better"
    )
    equality_act_consideration = models.TextField(
        help_text="Whether Equality Act 2010 duties (reasonable adjustments, s20) make a penalty notice inappropriate"
    )
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    # The headteacher may decline instead, with reasons; a declined consideration is never authorised: the
    # DSL records new considerations if the case is to go on.
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                name="consideration_authorised_or_declined_not_both",
                condition=Q(authorised_at__isnull=True) | Q(declined_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Penalty notice considerations for {self.case} ({self.recorded_at:%Y-%m-%d})"

    @property
    def is_declined(self) -> bool:
        return self.declined_at is not None

    @property
    def is_waiting(self) -> bool:
        """Waiting for the headteacher: neither authorised nor declined."""
        return self.authorised_by_id is None and self.declined_at is None
