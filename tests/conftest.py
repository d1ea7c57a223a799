"""Personas and shared fixtures: a school and its staff, another school in the same LA, an LA officer."""
from __future__ import annotations

import os

import factory.random
import pytest

from cases.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def _same_fake_names_every_run():
    # Faker draws from factory_boy's shared random: reseeded per test, a test sees the same names
    # whatever ran before it, so a name that happens to match an assertion fails every time, not once a week.
    # TEST_NAME_SEED lets a run try other names, to shake out assertions that depend on them.
    factory.random.reseed_random(os.environ.get("TEST_NAME_SEED", "attendance-tests"))


@pytest.fixture
def la(db):
    return factories.LocalAuthorityFactory(code="873", name="Fenshire County Council")


@pytest.fixture
def school(la):
    return factories.SchoolFactory(urn="123456", name="Meadow Lane Primary School", local_authority=la)


@pytest.fixture
def other_school(la):
    return factories.SchoolFactory(urn="654321", name="Hillcrest Academy", local_authority=la)


@pytest.fixture
def other_la_school(db):
    other = factories.LocalAuthorityFactory(code="312", name="Riverside Borough Council")
    return factories.SchoolFactory(urn="777777", name="Riverside High School", local_authority=other)


def _staff(username, role, position, *, school=None, la=None):
    user = factories.UserFactory(username=username)
    factories.StaffProfileFactory(user=user, role=role, position=position, school=school, local_authority=la)
    return user


@pytest.fixture
def dsl(school):
    return _staff("dsl", Role.DSL, "Deputy Headteacher (Attendance Lead)", school=school)


@pytest.fixture
def attendance_officer(school):
    return _staff("attendance", Role.ATTENDANCE_OFFICER, "Attendance Officer", school=school)


@pytest.fixture
def senco(school):
    return _staff("senco", Role.SENCO, "SENCo", school=school)


@pytest.fixture
def headteacher(school):
    return _staff("head", Role.HEADTEACHER, "Headteacher", school=school)


@pytest.fixture
def other_school_dsl(other_school):
    return _staff("other_dsl", Role.DSL, "Assistant Headteacher", school=other_school)


@pytest.fixture
def la_officer(la):
    return _staff("la_officer", Role.LA_OFFICER, "Senior Attendance Officer", la=la)


@pytest.fixture
def pupil(school):
    return factories.PupilFactory(upn="A123456789012", forename="Amelia", surname="Hughes", school=school)


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process even when a real broker is configured (CI's second run): tests check what a
    task does, deterministically. Tests marked celery_worker opt out and go through a real worker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    from config.celery import app

    keys = ("task_always_eager", "task_eager_propagates")
    before = {key: app.conf.get(key) for key in keys}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(before)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's cost is the point in production and a waste in tests (0.3 s a persona).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def second_factor_only_where_tested(request, settings):
    """Most tests sign in with ``client.force_login`` and test something else: for them the second factor
    (TWO_FACTOR_REQUIRED, on in every real deployment) is off. Tests marked ``two_factor`` and the
    browser journeys, which sign in through the real pages (tests/browser/conftest.py ``sign_in``), keep it."""
    if not (request.node.get_closest_marker("two_factor") or request.node.get_closest_marker("browser")):
        settings.TWO_FACTOR_REQUIRED = False
