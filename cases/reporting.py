"""The reports' figures, folded from per-pupil weekly counts: pure, like ``cases.rules``, whose definitions it uses.

The database groups the register by pupil and school week (``cases.selectors.reports``); this module folds those
rows into the school's or the LA's figures by week, by half term and by cohort. Every percentage is
``rules.percent_one_place`` and every persistent or severe absence is ``rules.is_persistent_absence`` /
``rules.is_severe_absence`` on a pupil's own sessions, so a report and the scan cannot disagree.

"Persistently absent at the end of a week" is the pupil's year to date at that week's end: the share of pupils
persistently absent by week is the count a scan run on that Sunday would have found.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from cases import rules

# A cohort of fewer pupils than this has its figures withheld, so nobody reading a report (a governor above
# all) can work out one child's attendance from it: 1 to 4 pupils are shown as "fewer than 5".
SMALLEST_COHORT_SHOWN = 5
SUPPRESSED_TEXT = f"fewer than {SMALLEST_COHORT_SHOWN}"


@dataclass(frozen=True)
class PupilFacts:
    """What a cohort is chosen by: no name, no UPN."""

    pk: int
    school_id: int
    year_group: str
    sen_status: str
    fsm: bool
    social_worker: bool
    looked_after: bool
    young_carer: bool
    eal: bool


class WeekCount(NamedTuple):
    """One pupil's counted sessions in one school week (not-counted codes left out, as the rules leave them).
    A tuple: the LA's year is some 100,000 of them."""

    week_start: date
    possible: int
    attended: int


@dataclass(frozen=True)
class Figures:
    """One row of a report: a week, a half term, a cohort or a school.

    ``pupils`` are the pupils with at least one possible session in the year to the row's end; ``persistent``
    and ``severe`` count those persistently or severely absent over that year to date. ``possible`` and
    ``attended`` are the row's own sessions (the week's, the half term's, or the year to date's)."""

    key: Hashable
    label: str
    pupils: int
    possible: int
    attended: int
    persistent: int
    severe: int
    starts_on: date | None = None

    @property
    def suppressed(self) -> bool:
        return 0 < self.pupils < SMALLEST_COHORT_SHOWN

    @property
    def attendance_pct(self) -> float | None:
        return rules.percent_one_place(self.attended, self.possible)

    @property
    def persistent_pct(self) -> float | None:
        return rules.percent_one_place(self.persistent, self.pupils)

    @property
    def severe_pct(self) -> float | None:
        return rules.percent_one_place(self.severe, self.pupils)


# --- cohorts -------------------------------------------------------------------------------------------------

SEN_SUPPORT, EHC_PLAN = "K", "E"  # cases.models.SenStatus values (this module imports no model)


@dataclass(frozen=True)
class Cohort:
    slug: str
    label: str
    test: Callable[[PupilFacts], bool]


FLAG_COHORTS: tuple[Cohort, ...] = (
    Cohort("all", "All pupils", lambda p: True),
    Cohort("sen-support", "SEN support", lambda p: p.sen_status == SEN_SUPPORT),
    Cohort("ehc-plan", "EHC plan", lambda p: p.sen_status == EHC_PLAN),
    Cohort("fsm", "Free school meals", lambda p: p.fsm),
    Cohort("not-fsm", "Not free school meals", lambda p: not p.fsm),
    Cohort("social-worker", "Has a social worker", lambda p: p.social_worker),
    Cohort("looked-after", "Looked after", lambda p: p.looked_after),
    Cohort("young-carer", "Young carer", lambda p: p.young_carer),
    Cohort("eal", "English as an additional language", lambda p: p.eal),
)


def cohorts(year_groups: Sequence[tuple[str, str]]) -> list[Cohort]:
    """The flag cohorts, then one per year group (``(value, label)`` in the year groups' own order)."""
    return [*FLAG_COHORTS, *(Cohort(f"year-{value}", label, lambda p, v=value: p.year_group == v)
                             for value, label in year_groups)]


# --- folding -------------------------------------------------------------------------------------------------


def totals(weekly: dict[int, Sequence[WeekCount]]) -> dict[int, tuple[int, int, bool, bool]]:
    """Each pupil's possible and attended sessions over all their weeks, and whether that makes them persistently
    and severely absent: worked out once per pupil, then summed for every group they are in."""
    found = {}
    for pk, weeks in weekly.items():
        possible = attended = 0
        for week in weeks:
            possible += week.possible
            attended += week.attended
        found[pk] = (possible, attended, rules.is_persistent_absence(possible - attended, possible),
                     rules.is_severe_absence(possible - attended, possible))
    return found


NOT_MEASURED = (0, 0, False, False)


def figures_of(key: Hashable, label: str, pupil_ids: Iterable[int],
               pupil_totals: dict[int, tuple[int, int, bool, bool]]) -> Figures:
    """The year-to-date figures of a set of pupils."""
    pupils = possible = attended = persistent = severe = 0
    for pk in pupil_ids:
        p, a, pa, sa = pupil_totals.get(pk, NOT_MEASURED)
        if p <= 0:
            continue
        pupils += 1
        possible += p
        attended += a
        persistent += pa
        severe += sa
    return Figures(key, label, pupils, possible, attended, persistent, severe)


def period_figures(
    pupil_ids: Iterable[int],
    weekly: dict[int, Sequence[WeekCount]],
    *,
    periods: Sequence[tuple[Hashable, str, date]],
    period_of: Callable[[int, date], Hashable],
) -> list[Figures]:
    """One row per period (``(key, label, first day)``, in order): the period's own sessions, and the pupils
    persistently or severely absent over the year to the period's end.

    A pupil's status changes only at the weeks they have marks, so each change is added where it happens and the
    counts at each period's end are running sums: one pass over the rows, whatever the number of periods."""
    position = {key: i for i, (key, _, _) in enumerate(periods)}
    n = len(periods)
    possible, attended = [0] * n, [0] * n
    measured, persistent, severe = [0] * n, [0] * n, [0] * n
    for pk in pupil_ids:
        so_far_possible = so_far_attended = 0
        was = (False, False, False)
        for week in weekly.get(pk, ()):
            i = position.get(period_of(pk, week.week_start))
            if i is None:
                continue
            possible[i] += week.possible
            attended[i] += week.attended
            so_far_possible += week.possible
            so_far_attended += week.attended
            absent = so_far_possible - so_far_attended
            now = (so_far_possible > 0, rules.is_persistent_absence(absent, so_far_possible),
                   rules.is_severe_absence(absent, so_far_possible))
            if now != was:
                measured[i] += now[0] - was[0]
                persistent[i] += now[1] - was[1]
                severe[i] += now[2] - was[2]
                was = now
    rows, pupils_now, persistent_now, severe_now = [], 0, 0, 0
    for i, (key, label, first_day) in enumerate(periods):
        pupils_now += measured[i]
        persistent_now += persistent[i]
        severe_now += severe[i]
        if possible[i] == 0:
            continue  # no school week in this period (yet)
        rows.append(Figures(key, label, pupils_now, possible[i], attended[i], persistent_now, severe_now,
                            starts_on=first_day))
    return rows


def week_periods(weekly: dict[int, Sequence[WeekCount]]) -> list[tuple[Hashable, str, date]]:
    """Every school week with a mark, in order, keyed by its Monday."""
    mondays = sorted({w.week_start for weeks in weekly.values() for w in weeks})
    return [(monday, f"{monday:%-d %b %Y}", monday) for monday in mondays]


@dataclass(frozen=True)
class Term:
    """A school's half term, from its term dates."""

    name: str
    starts_on: date
    ends_on: date


def half_term_lookup(terms_by_school: dict[int, Sequence[Term]], school_of: dict[int, int]
                     ) -> tuple[list[tuple[Hashable, str, date]], Callable[[int, date], Hashable]]:
    """The half terms (by name across schools, ordered by their earliest start) and the half term a pupil's week
    falls in: the school's last half term that started by the week's Friday (a week in a holiday, where a mark
    should not be, goes with the half term before it, so no session is lost from the year to date)."""
    first_start: dict[str, date] = {}
    starts: dict[int, tuple[list[date], list[str]]] = {}
    for school_id, terms in terms_by_school.items():
        ordered = sorted(terms, key=lambda t: t.starts_on)
        names = [t.name or f"Term from {t.starts_on:%-d %b %Y}" for t in ordered]
        starts[school_id] = ([t.starts_on for t in ordered], names)
        for term, name in zip(ordered, names, strict=True):
            first_start[name] = min(first_start.get(name, term.starts_on), term.starts_on)
    periods = [(name, name, day) for name, day in sorted(first_start.items(), key=lambda item: (item[1], item[0]))]

    looked_up: dict[tuple[int | None, date], Hashable] = {}  # a school's weeks are few; its pupils many

    def period_of(pupil_pk: int, week_start: date) -> Hashable:
        school_id = school_of.get(pupil_pk)
        key = (school_id, week_start)
        if key not in looked_up:
            found = starts.get(school_id)
            if not found or not found[0]:
                looked_up[key] = None
            else:
                i = bisect.bisect_right(found[0], week_start + timedelta(days=4)) - 1
                looked_up[key] = found[1][max(i, 0)]
        return looked_up[key]

    return periods, period_of


# --- tables: what the page shows and the CSV writes, cell for cell ---------------------------------------------


@dataclass(frozen=True)
class TableColumn:
    key: str  # the CSV header
    header: str  # the page's header
    kind: str = "count"  # "text", "date", "count" or "pct"


@dataclass(frozen=True)
class Table:
    slug: str
    caption: str
    columns: tuple[TableColumn, ...]
    rows: tuple[tuple, ...]
    links: tuple[str | None, ...] = ()  # a link for each row's first cell, when the reader may follow it


FIGURE_COLUMNS = (
    TableColumn("pupils", "Pupils"),
    TableColumn("possible_sessions", "Possible sessions"),
    TableColumn("attended_sessions", "Sessions attended"),
    TableColumn("attendance_pct", "Attendance", "pct"),
    TableColumn("persistently_absent", "Persistently absent"),
    TableColumn("persistently_absent_pct", "Persistently absent (%)", "pct"),
    TableColumn("severely_absent", "Severely absent"),
    TableColumn("severely_absent_pct", "Severely absent (%)", "pct"),
)


def figure_cells(row: Figures) -> tuple:
    """A row's cells; a small cohort's figures are withheld, its size said only as "fewer than 5"."""
    if row.suppressed:
        return (SUPPRESSED_TEXT,) + (None,) * (len(FIGURE_COLUMNS) - 1)
    return (row.pupils, row.possible, row.attended, row.attendance_pct, row.persistent, row.persistent_pct,
            row.severe, row.severe_pct)


def figures_table(slug: str, caption: str, first: TableColumn, rows: Sequence[Figures],
                  first_cell: Callable[[Figures], object] = lambda r: r.label,
                  links: Sequence[str | None] = ()) -> Table:
    return Table(slug, caption, (first, *FIGURE_COLUMNS),
                 tuple((first_cell(r), *figure_cells(r)) for r in rows), tuple(links))


def cell_text(column: TableColumn, value: object) -> str:
    """A cell as the page shows it: a dash for no figure, "%" after a percentage, thousands separated."""
    if value is None:
        return "–"
    if column.kind == "pct":
        return f"{value}%"
    if column.kind == "date":
        return f"{value:%-d %b %Y}"
    if column.kind == "count" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def display_rows(table: Table) -> list[tuple[str | None, list[str]]]:
    """The table's rows for a template: each row's link (or None) and its cells' text, formatted here once
    rather than cell by cell in the template (the LA's tables hold some 1,000 cells)."""
    return [(table.links[i] if table.links else None, [cell_text(c, v) for c, v in zip(table.columns, row, strict=True)])
            for i, row in enumerate(table.rows)]
