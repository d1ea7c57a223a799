"""A penalty notice request never goes to the LA on considerations the headteacher declined."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.models import Case, CaseState
from cases.services import case_open, pn_consideration_decline, pn_consideration_record
from notices.models import PenaltyNoticeRequest
from notices.review.services.requests import RequestRefused, pn_request_start
from tests.factories import ParentalRelationshipFactory, add_marks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


def test_a_request_on_declined_considerations_is_refused_saying_what_to_do(pupil, dsl, headteacher):
    mother = ParentalRelationshipFactory(pupil=pupil, relationship="Mother").parent
    add_marks(pupil, dt.date(2026, 9, 28), "O" * 12)
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met")
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)  # set-up: the ladder is tested elsewhere
    case = Case.objects.get(pk=case.pk)
    consideration = pn_consideration_record(case=case, by=dsl, why_penalty_notice_is_the_best_tool="w",
                                            alternatives_considered="a", equality_act_consideration="e")
    pn_consideration_decline(consideration=consideration, by=headteacher, reason="A notice to improve first")
    with pytest.raises(RequestRefused, match="declined the latest penalty notice considerations"):
        pn_request_start(case=case, by=dsl, parents=[mother], reason="Please issue")
    assert not PenaltyNoticeRequest.objects.exists()
