"""The evidence an LA officer decides with: the pupil's register for the offence period and the academic
year, with the offence's counted sessions marked and a count of each code, read-only.

The counted sessions are the offence's own (the stored cases.Offence row of a referral, or what the request
page states, from cases.services.offence): the register is only drawn around them, never counted again
differently.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from cases import rules
from cases.models import Offence as OffenceRecord
from cases.selectors import pupil_amendments, pupil_marks
from cases.templatetags.casework import RegisterGrid, build_register_grid, code_category


@dataclass(frozen=True)
class EvidenceCell:
    """A cell of the school's register grid, and whether the offence counts that session."""

    cell: object  # cases.templatetags.casework.RegisterCell
    counted: bool


@dataclass(frozen=True)
class EvidenceWeek:
    week_start: date
    cells: list[EvidenceCell]


@dataclass(frozen=True)
class EvidenceGrid:
    columns: list[str]
    weeks: list[EvidenceWeek]


@dataclass(frozen=True)
class CodeCount:
    code: str
    meaning: str
    category: str
    in_period: int
    in_year: int


def _marked(grid: RegisterGrid, counted: set[tuple[date, int]]) -> EvidenceGrid:
    """The grid with each counted session marked: cells run Monday AM, Monday PM, ... in each week."""
    weeks = []
    for week in grid.weeks:
        cells = [
            EvidenceCell(cell, (week.week_start + timedelta(days=index // 2),
                                (rules.AM, rules.PM)[index % 2]) in counted)
            for index, cell in enumerate(week.cells)
        ]
        weeks.append(EvidenceWeek(week.week_start, cells))
    return EvidenceGrid(grid.columns, weeks)


def offence_marks(offence) -> list[rules.Mark]:
    """The counted sessions of a stored offence or of the service's answer, as rules.py tuples."""
    return offence.marks() if isinstance(offence, OffenceRecord) else list(offence.sessions)


def register_evidence(*, pupil, offence, today: date) -> dict:
    """What the LA's register page shows: ``offence`` is a cases.Offence row or a rules.Offence (or None when
    the referral rests on a failure of support alone: the year is shown without an offence)."""
    counted_marks = offence_marks(offence) if offence is not None else []
    counted = {(d, s) for d, s, _ in counted_marks}
    anchor = offence.offence_to if offence is not None else today
    year_start = rules.academic_year_start(anchor)
    year_end = min(rules.academic_year_end(anchor), today)
    # The offence's window may begin in the summer term before this academic year (domain.md 2: the rolling
    # windows look back over the holiday): the period is read from its own first day.
    since = min(year_start, offence.offence_from) if offence is not None else year_start
    all_marks = [mark for mark in pupil_marks(pupil=pupil, as_of=year_end) if mark[0] >= since]
    marks = [mark for mark in all_marks if mark[0] >= year_start]
    amended = {(a.date, a.session) for a in pupil_amendments(pupil=pupil, since=since, until=year_end)}
    year_grid = _marked(build_register_grid(marks, since=year_start, until=year_end, amended=amended), counted)
    period_grid = None
    in_period: Counter = Counter()
    if offence is not None:
        period_from, period_to = offence.offence_from, offence.offence_to
        period_grid = _marked(build_register_grid(all_marks, since=period_from, until=period_to, amended=amended),
                              counted)
        in_period = Counter(code for d, _, code in all_marks if period_from <= d <= period_to)
    in_year = Counter(code for _, _, code in marks)
    codes = sorted(in_year | in_period, key=lambda code: (-in_period[code], -in_year[code], code))
    return {
        "year_start": year_start, "year_end": year_end, "year_grid": year_grid, "period_grid": period_grid,
        "counted_marks": counted_marks, "counted_count": len(counted_marks),
        "code_counts": [CodeCount(code, rules.code_meaning(code), code_category(code), in_period[code], in_year[code])
                        for code in codes],
        "period_total": sum(in_period.values()), "year_total": sum(in_year.values()),
        "has_amendments": bool(amended),
    }
