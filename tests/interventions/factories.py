"""Factories for the interventions tests: an open case, parents linked to a pupil, adjustments."""
from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case, CaseOutcome, CaseState
from interventions import models
from tests import factories

CASE_AGE = dt.timedelta(days=60)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    pupil = factory.SubFactory(factories.PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    # Opened at the start of the half term: what happened on the case since is dated after it (cases.facts).
    opened_at = factory.LazyFunction(lambda: timezone.now() - CASE_AGE)
    opened_by = factory.SubFactory(factories.UserFactory)
    opening_reason = "Persistent absence this term"
    stage_entered_at = factory.LazyFunction(lambda: timezone.now() - CASE_AGE)


def parent_of(pupil, **extra):
    """A parent linked to ``pupil`` by a ParentalRelationship."""
    return factories.ParentalRelationshipFactory(pupil=pupil, **extra).parent


class ReasonableAdjustmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReasonableAdjustment

    pupil = factory.SubFactory(factories.PupilFactory)
    area = models.AdjustmentArea.UNIFORM
    description = "May wear trainers instead of school shoes"
    barrier = "Sensory needs: school shoes are painful"
    agreed_with = "Mother and SENCo"
    starts_on = dt.date(2025, 9, 8)
    review_on = dt.date(2025, 12, 12)
    status = models.AdjustmentStatus.ACTIVE
    recorded_by = factory.SubFactory(factories.UserFactory)
    recorded_at = factory.LazyFunction(timezone.now)


def closed_case(pupil, opened_by):
    """A case that was closed (written directly: the case app's services own the real closing)."""
    case = CaseFactory(pupil=pupil, opened_by=opened_by)
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED, outcome=CaseOutcome.IMPROVED, closed_at=timezone.now())
    return Case.objects.get(pk=case.pk)
