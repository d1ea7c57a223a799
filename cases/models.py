"""Schools, local authorities and their codes of conduct, pupils, parents, the register, alerts, audit."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from cases import rules

LA_CODE_VALIDATOR = RegexValidator(r"^\d{3}$", "A local authority number is 3 digits.")
URN_VALIDATOR = RegexValidator(r"^\d{6}$", "A URN is 6 digits.")
UPN_VALIDATOR = RegexValidator(r"^[A-Z]\d{12}$", "A UPN is a capital letter then 12 digits.")


class LocalAuthority(models.Model):
    code = models.CharField("LA number", max_length=3, unique=True, validators=[LA_CODE_VALIDATOR])
    name = models.CharField(max_length=200)

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
        )


class School(models.Model):
    urn = models.CharField("URN", max_length=6, unique=True, validators=[URN_VALIDATOR])
    name = models.CharField(max_length=200)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class YearGroup(models.TextChoices):
    RECEPTION = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"
    Y14 = "14", "Year 14"


class SenStatus(models.TextChoices):
    NONE = "N", "No special educational needs"
    SEN_SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "EHC plan"


class Pupil(models.Model):
    upn = models.CharField("UPN", max_length=13, unique=True, validators=[UPN_VALIDATOR])
    forename = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    year_group = models.CharField(max_length=2, choices=YearGroup.choices)
    sen_status = models.CharField("SEN status", max_length=1, choices=SenStatus.choices, default=SenStatus.NONE)
    fsm = models.BooleanField("free school meals", default=False)
    social_worker = models.BooleanField("has a social worker", default=False)
    looked_after = models.BooleanField("looked after", default=False)
    young_carer = models.BooleanField(default=False)
    eal = models.BooleanField("English as an additional language", default=False)

    class Meta:
        ordering = ["surname", "forename"]
        indexes = [models.Index(fields=["school", "surname", "forename"])]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def has_send(self) -> bool:
        return self.sen_status in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN)


class Parent(models.Model):
    """A parent under s576 Education Act 1996: parental responsibility, or care of the child."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="parents")
    parent_ref = models.CharField("MIS reference", max_length=50)
    forename = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    address = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    pupils = models.ManyToManyField(Pupil, through="ParentalRelationship", related_name="parents")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "parent_ref"], name="parent_ref_unique_in_school")]
        ordering = ["surname", "forename"]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"


class ParentalRelationship(models.Model):
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="pupil_links")
    relationship = models.CharField(max_length=50)
    parental_responsibility = models.BooleanField()
    lives_with_pupil = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "parent"], name="one_relationship_per_pair")]

    def __str__(self) -> str:
        return f"{self.parent} ({self.relationship}) of {self.pupil}"


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

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pupil", "kind", "dedup_key"], name="alert_once")]
        indexes = [models.Index(fields=["school", "resolved_at"])]
        ordering = ["-raised_on", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.pupil}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Role(models.TextChoices):
    DSL = "dsl", "Designated senior leader for attendance"
    ATTENDANCE_OFFICER = "attendance_officer", "School attendance officer"
    SENCO = "senco", "SENCo"
    HEADTEACHER = "headteacher", "Headteacher"
    LA_OFFICER = "la_officer", "LA attendance officer"


SCHOOL_ROLES = frozenset({Role.DSL, Role.ATTENDANCE_OFFICER, Role.SENCO, Role.HEADTEACHER})
LA_ROLES = frozenset({Role.LA_OFFICER})


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


class AuditEvent(models.Model):
    """Every read and change of a child's record: who, when, what, from where."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} by {self.user_id}"
