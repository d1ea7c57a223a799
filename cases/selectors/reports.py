"""The reports' reads: the register grouped by pupil and school week in the database, folded by cases.reporting.

A fixed number of queries, whatever the number of pupils: the academic years with marks, the pupils' cohort
facts, the weekly counts, the term dates (and, for the LA, its schools and the caseload). Never a name or a UPN.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery

from cases import reporting, rules
from cases.models import Case, LocalAuthority, Mark, Pupil, School, TermDate
from cases.models.case import CaseState
from cases.models.pupils import YearGroup


class WeekIndex(Func):
    """The Monday-to-Sunday week a date falls in, numbered as ``date.toordinal`` counts days: the week's Monday is
    ``date.fromordinal(index * 7 + 1)`` (1 January of year 1 was a Monday). SQLite and PostgreSQL each in
    their own arithmetic, so the grouping runs in the database without a Python function per row."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # julianday('0001-01-01') is 1721425.5; the difference is never negative, so CAST floors it.
        return self.as_sql(compiler, connection, template="CAST((julianday(%(expressions)s) - 1721425.5) / 7 AS INTEGER)",
                           **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s - DATE '0001-01-01') / 7)", **extra)


def monday_of(week_index: int) -> date:
    return date.fromordinal(week_index * 7 + 1)


def academic_years(schools) -> list[int]:
    """The academic years (by the calendar year they start in) from the first to the last mark recorded at these
    schools, newest first. Each school's first and last mark come from its (school, date) index."""
    dated = Mark.objects.filter(school=OuterRef("pk")).values("date")
    span = schools.annotate(first=Subquery(dated.order_by("date")[:1]), last=Subquery(dated.order_by("-date")[:1])
                            ).values_list("first", "last")
    firsts = [first for first, _ in span if first is not None]
    lasts = [last for _, last in span if last is not None]
    if not firsts:
        return []
    first = rules.academic_year_start(min(firsts)).year
    last = rules.academic_year_start(max(lasts)).year
    return list(range(last, first - 1, -1))


def year_bounds(year: int, today: date) -> tuple[date, date]:
    """1 September of ``year`` and the report's as-of day: today in the year running, else 31 August."""
    start = date(year, rules.ACADEMIC_YEAR_START_MONTH, rules.ACADEMIC_YEAR_START_DAY)
    return start, min(rules.academic_year_end(start), today)


def year_label(year: int) -> str:
    return f"{year} to {year + 1}"


@dataclass(frozen=True)
class Register:
    """What a report folds: pupils' cohort facts, their weekly counted sessions, the half terms."""

    pupils: dict[int, reporting.PupilFacts]
    weekly: dict[int, list[reporting.WeekCount]]
    terms: dict[int, list[reporting.Term]]
    year_groups: list[tuple[str, str]]
    start: date
    as_of: date


def register(*, pupils, schools, start: date, as_of: date) -> Register:
    """The pupils (a queryset) and their counted sessions from ``start`` to ``as_of``, by pupil and week."""
    facts = {
        row["pk"]: reporting.PupilFacts(**row)
        for row in pupils.values("pk", "school_id", "year_group", "sen_status", "fsm", "social_worker",
                                 "looked_after", "young_carer", "eal")
    }
    counted = (
        Mark.objects.filter(pupil__in=pupils, date__gte=start, date__lte=as_of)
        .exclude(code__in=rules.NOT_COUNTED_CODES)
        .annotate(week=WeekIndex(F("date")))
        .values("pupil_id", "week")
        .annotate(possible=Count("pk"), attended=Count("pk", filter=Q(code__in=rules.ATTENDED_CODES)))
        .order_by()
        .values_list("pupil_id", "week", "possible", "attended")
    )
    # Read through the cursor: the rows are four integers each, and the LA's year is some 100,000 of them.
    sql, params = counted.query.sql_with_params()
    weekly: dict[int, list[reporting.WeekCount]] = defaultdict(list)
    mondays: dict[int, date] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pupil_id, week, possible, attended in cursor.fetchall():
            monday = mondays.get(week)
            if monday is None:
                monday = mondays[week] = monday_of(week)
            weekly[pupil_id].append(reporting.WeekCount(monday, possible, attended))
    for weeks in weekly.values():
        weeks.sort(key=lambda w: w.week_start)
    terms: dict[int, list[reporting.Term]] = defaultdict(list)
    for school_id, name, starts_on, ends_on in TermDate.objects.filter(
            school__in=schools, starts_on__gte=start, starts_on__lte=as_of).values_list(
            "school_id", "name", "starts_on", "ends_on"):
        terms[school_id].append(reporting.Term(name, starts_on, ends_on))
    present = {p.year_group for p in facts.values()}
    year_groups = [(value, label) for value, label in YearGroup.choices if value in present]
    return Register(facts, dict(weekly), dict(terms), year_groups, start, as_of)


# --- the report --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    cohort: reporting.Cohort
    cohorts: list[reporting.Cohort]
    overall: reporting.Figures
    weeks: list[reporting.Figures]
    half_terms: list[reporting.Figures]
    by_cohort: list[reporting.Figures]
    has_terms: bool


def report(reg: Register, *, cohort_slug: str = "all") -> Report:
    all_cohorts = reporting.cohorts(reg.year_groups)
    chosen = next((c for c in all_cohorts if c.slug == cohort_slug), all_cohorts[0])
    pupil_totals = reporting.totals(reg.weekly)
    in_cohort = [pk for pk, p in reg.pupils.items() if chosen.test(p)]
    weeks = reporting.period_figures(in_cohort, reg.weekly, periods=reporting.week_periods(reg.weekly),
                                     period_of=lambda pk, monday: monday)
    periods, period_of = reporting.half_term_lookup(reg.terms, {pk: p.school_id for pk, p in reg.pupils.items()})
    half_terms = reporting.period_figures(in_cohort, reg.weekly, periods=periods, period_of=period_of)
    by_cohort = [reporting.figures_of(c.slug, c.label, [pk for pk, p in reg.pupils.items() if c.test(p)],
                                      pupil_totals) for c in all_cohorts]
    overall = reporting.figures_of("all", "All pupils", reg.pupils, pupil_totals)
    return Report(chosen, all_cohorts, overall, weeks, half_terms, by_cohort, bool(reg.terms))


def school_rows(reg: Register, schools: list[School]) -> list[reporting.Figures]:
    """Each school's year to date, from the same register."""
    pupil_totals = reporting.totals(reg.weekly)
    by_school: dict[int, list[int]] = defaultdict(list)
    for pk, p in reg.pupils.items():
        by_school[p.school_id].append(pk)
    return [reporting.figures_of(s.urn, s.name, by_school.get(s.pk, ()), pupil_totals) for s in schools]


# --- the LA's caseload --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadRow:
    school: School
    counts: list[int]  # one per stage of CASELOAD_STAGES
    total: int


CASELOAD_STAGES = [state for state in CaseState if state != CaseState.CLOSED]


def caseload_by_school(*, local_authority: LocalAuthority, schools: list[School]) -> list[CaseloadRow]:
    """Open cases now, by school and stage (on hold apart): one grouped query."""
    counts = defaultdict(int)
    for school_id, state, n in (Case.objects.filter(school__local_authority=local_authority)
                                .exclude(state=CaseState.CLOSED).values("school_id", "state")
                                .annotate(n=Count("pk")).order_by().values_list("school_id", "state", "n")):
        counts[(school_id, state)] = n
    rows = []
    for school in schools:
        row = [counts[(school.pk, stage.value)] for stage in CASELOAD_STAGES]
        rows.append(CaseloadRow(school, row, sum(row)))
    return rows


def la_schools(*, local_authority: LocalAuthority) -> list[School]:
    return list(School.objects.filter(local_authority=local_authority).order_by("name"))


def la_pupils(*, local_authority: LocalAuthority):
    return Pupil.objects.filter(school__local_authority=local_authority)


def school_pupils(*, school: School):
    """The school's pupils now on roll: a report of an earlier year is of these pupils' marks that year."""
    return Pupil.objects.filter(school=school)


def pupil_year_groups(pupils) -> list[tuple[str, str]]:
    """The year groups these pupils are in, in the year groups' order (for the choice of pupils)."""
    present = set(pupils.values_list("year_group", flat=True).distinct().order_by())
    return [(value, label) for value, label in YearGroup.choices if value in present]
