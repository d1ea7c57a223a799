"""Fixtures of the interventions tests: a fixed 'today', an open case for the persona pupil, two parents."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.interventions.factories import CaseFactory, parent_of

TODAY = dt.date(2025, 11, 21)  # a Friday in the autumn term


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def case(pupil, dsl):
    return CaseFactory(pupil=pupil, opened_by=dsl)


@pytest.fixture
def mother(pupil):
    return parent_of(pupil, relationship="mother", parent__forename="Sarah", parent__surname="Hughes",
                     parent__address="12 Mill Lane\nFenby\nFE1 2AB")


@pytest.fixture
def father(pupil):
    return parent_of(pupil, relationship="father", parent__forename="David", parent__surname="Hughes")


@pytest.fixture
def letters(monkeypatch):
    """notices.letters.store.letter_generate replaced by a recorder: the contract tests check what is asked of it."""
    from interventions.services import contracts

    calls = []

    class FakeLetter:
        def __init__(self, pk):
            self.pk = pk

    def fake(**kwargs):
        calls.append(kwargs)
        return FakeLetter(len(calls))

    monkeypatch.setattr(contracts, "_letter_generate", fake)
    return calls
