"""factory-boy factories for the whole project's tests."""
from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from cases import models
from cases.rules import upn_check_letter


def valid_upn(serial: int, la_code: str = "873") -> str:
    """A UPN with a correct DfE check letter, so factory pupils could have come through pupils.csv."""
    digits = f"{la_code}{serial:09d}"
    return upn_check_letter(digits) + digits


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LocalAuthority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{800 + n % 199:03d}")
    name = factory.Sequence(lambda n: f"Borough {n}")
    # A penalty notice gives the LA's address and its ways to pay (reg 3): an LA issues none without them.
    address = "Civic Centre, 1 Town Hall Square, Fenby, FE1 9ZZ"
    pay_online_url = factory.LazyAttribute(lambda la: f"https://pay.la{la.code}.example/penalty-notices")


class CodeOfConductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CodeOfConduct

    local_authority = factory.SubFactory(LocalAuthorityFactory)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.School
        django_get_or_create = ("urn",)

    urn = factory.Sequence(lambda n: f"{100000 + n:06d}")
    name = factory.Sequence(lambda n: f"Meadow Lane Primary {n}")
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    phone = "01632 960123"
    email = "office@meadow-lane.example.com"


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Pupil

    upn = factory.Sequence(lambda n: valid_upn(n))
    forename = factory.Faker("first_name", locale="en_GB")
    surname = factory.Faker("last_name", locale="en_GB")
    date_of_birth = dt.date(2015, 3, 14)
    school = factory.SubFactory(SchoolFactory)
    year_group = "5"


class ParentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Parent

    school = factory.SubFactory(SchoolFactory)
    parent_ref = factory.Sequence(lambda n: f"P{n:05d}")
    forename = factory.Faker("first_name", locale="en_GB")
    surname = factory.Faker("last_name", locale="en_GB")
    # Letters and notices are posted: a parent has an address unless a test is about one without.
    address = factory.Sequence(lambda n: f"{n % 200 + 1} Mill Lane, Fenby, FE2 {n % 9 + 1}AB")


class ParentalRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ParentalRelationship

    pupil = factory.SubFactory(PupilFactory)
    parent = factory.SubFactory(ParentFactory, school=factory.SelfAttribute("..pupil.school"))
    relationship = "mother"
    parental_responsibility = True
    lives_with_pupil = True


class MarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Mark

    pupil = factory.SubFactory(PupilFactory)
    date = dt.date(2025, 9, 8)
    session = models.Session.AM
    code = "/"
    school = factory.SelfAttribute("pupil.school")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StaffProfile

    user = factory.SubFactory(UserFactory)
    role = models.Role.DSL
    position = "Deputy Headteacher (Attendance)"
    school = factory.SubFactory(SchoolFactory)
    local_authority = None


def add_marks(pupil, start: dt.date, codes: str | list[str], school=None) -> list[models.Mark]:
    """Saves a run of marks from ``start``, AM then PM, skipping weekends.

    ``codes`` is a list of codes or a string of one-character codes, e.g. "//\\\\GG".
    """
    seq = list(codes)
    day, session, made = start, 0, []
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    for code in seq:
        made.append(models.Mark(pupil=pupil, date=day, session=session, code=code, school=school or pupil.school))
        session += 1
        if session == 2:
            session = 0
            day += dt.timedelta(days=1)
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
    return models.Mark.objects.bulk_create(made)
