"""Pupils, and their parents and carers under s576 Education Act 1996."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from cases.models.organisations import School

UPN_VALIDATOR = RegexValidator(r"^[A-Z]\d{12}$", "A UPN is a capital letter then 12 digits.")


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
    # A notice or letter may be served by email only where the parent agreed to it (domain.md 3.5).
    email_service_agreed = models.BooleanField(
        "agreed to receive letters and notices by email", default=False
    )
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
