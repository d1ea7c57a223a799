"""A pupil's open case with two parents who share it, a stranger parent, and a fixed clock for meetings."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Case
from meetings.models import MeetingKind
from meetings.services import OtherAttendee, meeting_plan
from tests import factories

LONDON = ZoneInfo("Europe/London")
PLANNED_ON = dt.datetime(2026, 9, 28, 10, 0, tzinfo=LONDON)  # a Monday
MEETING_AT = dt.datetime(2026, 10, 8, 9, 30, tzinfo=LONDON)  # Thursday of the following week
AFTER_MEETING = dt.datetime(2026, 10, 8, 11, 0, tzinfo=LONDON)


@pytest.fixture
def planning_day():
    with time_machine.travel(PLANNED_ON, tick=False):
        yield


@pytest.fixture
def case(pupil, dsl):
    """Opened on the planning day: a meeting's date is checked against the day its case opened."""
    return Case.objects.create(
        pupil=pupil, school=pupil.school, opened_at=PLANNED_ON, opened_by=dsl,
        opening_reason="Persistent absence: 86.2% this academic year", stage_entered_at=PLANNED_ON,
    )


@pytest.fixture
def mother(pupil):
    parent = factories.ParentFactory(
        school=pupil.school, forename="Jane", surname="Hughes", address="12 Station Road\nFenton\nFE1 2AB"
    )
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="mother")
    return parent


@pytest.fixture
def father(pupil):
    parent = factories.ParentFactory(school=pupil.school, forename="Mark", surname="Hughes", address="4 Mill Lane, Fenton")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="father", lives_with_pupil=False)
    return parent


@pytest.fixture
def stranger(pupil):
    """A parent at the same school, of another pupil."""
    other_pupil = factories.PupilFactory(school=pupil.school)
    parent = factories.ParentFactory(school=pupil.school, forename="Tina", surname="Stranger")
    factories.ParentalRelationshipFactory(pupil=other_pupil, parent=parent)
    return parent


@pytest.fixture
def meeting(case, mother, father, dsl, planning_day):
    """An attendance meeting with both parents, the pupil and the attendance officer invited."""
    return meeting_plan(
        case=case, kind=MeetingKind.ATTENDANCE, starts_at=MEETING_AT, location="Family room, Meadow Lane Primary School",
        parents=[mother, father], pupil_attends=True,
        others=[OtherAttendee(role="staff", name="Sam Patel", organisation="Attendance Officer")], by=dsl,
    )
