"""The letter store is exercised with the meetings tests' case, parents and planned meeting."""
from __future__ import annotations

import pytest

from cases.models import PenaltyNoticeIssuer
from tests import factories
from tests.meetings.conftest import case, father, meeting, mother, planning_day, stranger  # noqa: F401


@pytest.fixture
def school_issues_notices(la):
    """The LA's code of conduct leaves issuing penalty notices to the school (CodeOfConduct.pn_issued_by); without
    it, the LA issues them and the school's draft, consult and issue steps are refused."""
    return factories.CodeOfConductFactory(local_authority=la, pn_issued_by=PenaltyNoticeIssuer.SCHOOL)
