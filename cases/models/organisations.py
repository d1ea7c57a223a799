"""Local authorities and their codes of conduct, schools, and the staff who work for them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from cases import rules

LA_CODE_VALIDATOR = RegexValidator(r"^\d{3}$", "A local authority number is 3 digits.")
URN_VALIDATOR = RegexValidator(r"^\d{6}$", "A URN is 6 digits.")


class LocalAuthority(models.Model):
    code = models.CharField("LA number", max_length=3, unique=True, validators=[LA_CODE_VALIDATOR])
    name = models.CharField(max_length=200)
    # What a penalty notice must give (2007 Regulations reg 3): the address of the authority to which it is paid
    # and to which correspondence goes, and every method of payment. Each payment method configured is printed.
    address = models.TextField(blank=True, help_text="Postal address for correspondence about penalty notices")
    phone = models.CharField(max_length=40, blank=True, help_text="The attendance service's phone number")
    email = models.EmailField(blank=True, help_text="The attendance service's email address")
    pay_online_url = models.URLField("pay online at", blank=True, help_text="The page where a penalty is paid online")
    pay_phone = models.CharField("pay by phone on", max_length=40, blank=True, help_text="The card payment line")
    pay_post_address = models.TextField(
        "pay by post to", blank=True, help_text="Where a cheque or postal order is sent"
    )
    pay_cheque_payee = models.CharField(
        "cheques payable to", max_length=200, blank=True, help_text="The payee written on a cheque"
    )

    class Meta:
        verbose_name_plural = "local authorities"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def conduct(self) -> rules.Conduct:
        """The rules-side figures of this LA's code of conduct (national defaults when it has none)."""
        try:
            return self.code_of_conduct.as_rules()
        except CodeOfConduct.DoesNotExist:
            return rules.NATIONAL

    def pn_issued_by(self) -> str:
        """Who issues penalty notices on an approved request: "la" (also without a code of conduct) or "school"."""
        try:
            return self.code_of_conduct.pn_issued_by
        except CodeOfConduct.DoesNotExist:
            return PenaltyNoticeIssuer.LA


class PenaltyNoticeIssuer(models.TextChoices):
    LA = "la", "The local authority issues the notices"
    SCHOOL = "school", "The school issues the notices"


class CodeOfConduct(models.Model):
    """The LA's local code of conduct for penalty notices: every [LA] figure of domain.md, national by default."""

    local_authority = models.OneToOneField(LocalAuthority, on_delete=models.CASCADE, related_name="code_of_conduct")
    pn_threshold_sessions = models.PositiveSmallIntegerField(
        "unauthorised sessions that meet the threshold",
        default=rules.PN_THRESHOLD_SESSIONS,
        validators=[MinValueValidator(1)],
    )
    pn_threshold_school_weeks = models.PositiveSmallIntegerField(
        "rolling window in school weeks", default=rules.PN_THRESHOLD_SCHOOL_WEEKS, validators=[MinValueValidator(1)]
    )
    pn_threshold_codes = models.CharField(
        "codes counted toward the threshold",
        max_length=40,
        default=",".join(sorted(rules.PN_THRESHOLD_CODES)),
        help_text="Comma-separated attendance codes, e.g. G,O,U",
    )
    cme_unexplained_sessions = models.PositiveSmallIntegerField(
        "unexplained sessions in a row that raise a children-missing-education risk",
        default=rules.CME_UNEXPLAINED_SESSIONS,
        validators=[MinValueValidator(1)],
    )
    lateness_marks = models.PositiveSmallIntegerField(
        "late marks that raise a lateness concern", default=rules.LATENESS_MARKS, validators=[MinValueValidator(1)]
    )
    lateness_school_weeks = models.PositiveSmallIntegerField(
        "lateness window in school weeks", default=rules.LATENESS_SCHOOL_WEEKS, validators=[MinValueValidator(1)]
    )
    pn_deemed_receipt_working_days = models.PositiveSmallIntegerField(
        "working days after posting when a notice is treated as received",
        default=rules.PN_DEEMED_RECEIPT_WORKING_DAYS,
    )
    la_response_days = models.PositiveSmallIntegerField(
        "working days to acknowledge a notification or decide a referral",
        default=rules.LA_SERVICE_LEVEL_WORKING_DAYS,
        validators=[MinValueValidator(1)],
        help_text="The LA's service level: a notification or request waiting longer is flagged as overdue",
    )
    pn_issued_by = models.CharField(
        "who issues penalty notices once the LA approves a request",
        max_length=6,
        choices=PenaltyNoticeIssuer.choices,
        default=PenaltyNoticeIssuer.LA,
        help_text="The LA (the default) issues each notice with its letter on approval; or the approval drafts "
        "each notice and records the LA's consultation, and the school issues them",
    )
    case_retention_years = models.PositiveSmallIntegerField(
        "years a closed case file is kept",
        default=rules.CASE_RETENTION_YEARS,
        validators=[MinValueValidator(1)],
        help_text="After the case closed; then the case file is deleted, unless an LA process is still open on it",
    )

    def __str__(self) -> str:
        return f"Code of conduct of {self.local_authority}"

    def threshold_codes(self) -> frozenset[str]:
        return frozenset(c.strip() for c in self.pn_threshold_codes.split(",") if c.strip())

    def as_rules(self) -> rules.Conduct:
        return rules.Conduct(
            threshold_sessions=self.pn_threshold_sessions,
            threshold_school_weeks=self.pn_threshold_school_weeks,
            threshold_codes=self.threshold_codes(),
            cme_unexplained_sessions=self.cme_unexplained_sessions,
            lateness_marks=self.lateness_marks,
            lateness_school_weeks=self.lateness_school_weeks,
            la_response_days=self.la_response_days,
        )


class School(models.Model):
    urn = models.CharField("URN", max_length=6, unique=True, validators=[URN_VALIDATOR])
    name = models.CharField(max_length=200)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")
    address = models.TextField(blank=True, help_text="For the letterhead")
    # Every letter tells the parent how to reach the school: the letterhead prints these.
    phone = models.CharField(max_length=30, blank=True, help_text="The office telephone number, for the letterhead")
    email = models.EmailField(blank=True, help_text="The office email address, for the letterhead")
    # The school's own letter threshold (domain.md 2: "e.g. a letter when attendance falls below 96%").
    concern_letter_below_pct = models.DecimalField(
        "send an attendance concern letter below this attendance %",
        max_digits=4, decimal_places=1, default=rules.SCHOOL_CONCERN_LETTER_BELOW_PCT,
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TermDate(models.Model):
    """One term (or half term) a school is open: the days between are school holidays.

    A request for leave of absence is only about term time: the school is closed in the holidays, so no
    leave is needed for them (domain.md 5).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="term_dates")
    name = models.CharField(max_length=60, blank=True, help_text='e.g. "Autumn 1"')
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [
            models.CheckConstraint(name="term_ends_after_it_starts", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.UniqueConstraint(fields=["school", "starts_on"], name="one_term_starting_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name or 'Term'}: {self.starts_on} to {self.ends_on}"


class Role(models.TextChoices):
    DSL = "dsl", "Designated senior leader for attendance"
    ATTENDANCE_OFFICER = "attendance_officer", "School attendance officer"
    SENCO = "senco", "SENCo"
    HEADTEACHER = "headteacher", "Headteacher"
    GOVERNOR = "governor", "Governor"
    LA_OFFICER = "la_officer", "LA attendance officer"
    LA_MANAGER = "la_manager", "LA attendance manager"


# Where each role works; what each may do there is the table of cases/roles.py.
SCHOOL_ROLES = frozenset({Role.DSL, Role.ATTENDANCE_OFFICER, Role.SENCO, Role.HEADTEACHER, Role.GOVERNOR})
LA_ROLES = frozenset({Role.LA_OFFICER, Role.LA_MANAGER})


class StaffProfile(models.Model):
    """Who a user is at work: a role at one school, or at one local authority."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=30, choices=Role.choices)
    position = models.CharField(max_length=200, help_text="Job title, as written on register amendments and letters")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="school_role_has_school_la_role_has_la",
                condition=(
                    Q(role__in=sorted(SCHOOL_ROLES), school__isnull=False, local_authority__isnull=True)
                    | Q(role__in=sorted(LA_ROLES), school__isnull=True, local_authority__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_school_staff(self) -> bool:
        return self.role in SCHOOL_ROLES

    @property
    def is_la_staff(self) -> bool:
        return self.role in LA_ROLES
