"""The letter store is exercised with the meetings tests' case, parents and planned meeting."""
from __future__ import annotations

from tests.meetings.conftest import case, father, meeting, mother, planning_day, stranger  # noqa: F401
