"""The attendance reports: a school's and an LA's attendance and persistent absence by week, half term and group
of pupils, with a CSV of every table. Figures only: no page or file here names a pupil."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import report_charts, reporting
from cases.audit import audit
from cases.csv_export import Column, csv_response
from cases.models import School
from cases.report_forms import ReportFilterForm
from cases.report_sections import la_report_tables
from cases.selectors import reports as selectors
from cases.selectors.access import local_authority_for_user, report_place_for_user


def _figure_tables(report: selectors.Report) -> list[reporting.Table]:
    cohort = report.cohort.label
    return [
        reporting.figures_table(
            "weeks", f"By school week: {cohort} (persistently absent: over the year to the end of each week)",
            reporting.TableColumn("week_beginning", "Week beginning", "date"), report.weeks,
            first_cell=lambda r: r.starts_on),
        reporting.figures_table(
            "half_terms", f"By half term: {cohort} (persistently absent: over the year to the end of each half term)",
            reporting.TableColumn("half_term", "Half term", "text"), report.half_terms),
        reporting.figures_table(
            "groups", "By group of pupils: the year to date",
            reporting.TableColumn("group", "Group of pupils", "text"), report.by_cohort),
    ]


def _caseload_table(rows: list[selectors.CaseloadRow], links: list[str]) -> reporting.Table:
    """Schools by stages. The cases are the school's to read (an LA role has no case reader's capability), so a
    school's name opens its report, not its caseload."""
    columns = (reporting.TableColumn("school", "School", "text"),
               *(reporting.TableColumn(stage.value, stage.label) for stage in selectors.CASELOAD_STAGES),
               reporting.TableColumn("open_cases", "All open cases"))
    totals = [sum(r.counts[i] for r in rows) for i in range(len(selectors.CASELOAD_STAGES))]
    body = [(r.school.name, *r.counts, r.total) for r in rows]
    body.append(("All schools", *totals, sum(totals)))
    return reporting.Table("caseload", "Open cases now, by school and stage", columns, tuple(body),
                           links=(*links, None))


def _page(request: HttpRequest, *, template: str, place: dict, schools, pupils, scope: str,
          extra_tables=None) -> HttpResponse:
    """The report of ``pupils`` (a queryset) at ``schools``: the filter, the figures, the charts, or a table's CSV."""
    today = timezone.localdate()
    years = selectors.academic_years(schools)
    cohorts = reporting.cohorts(selectors.pupil_year_groups(pupils))
    form = ReportFilterForm(request.GET or None, years=years, cohorts=cohorts)
    context = {**place, "form": form, "years": years, "smallest": reporting.SMALLEST_COHORT_SHOWN,
               "suppressed_text": reporting.SUPPRESSED_TEXT, "nav_reports": True}
    if not years or (form.is_bound and not form.is_valid()):
        audit(request=request, action=f"{scope}_report.view", school=place.get("school"), detail="no figures")
        return render(request, template, context, status=400 if form.is_bound and not form.is_valid() else 200)
    year = (form.cleaned_data.get("year") if form.is_bound else None) or years[0]
    cohort = (form.cleaned_data.get("cohort") if form.is_bound else None) or "all"
    start, as_of = selectors.year_bounds(year, today)
    reg = selectors.register(pupils=pupils, schools=schools, start=start, as_of=as_of)
    report = selectors.report(reg, cohort_slug=cohort)
    tables = _figure_tables(report)
    if extra_tables is not None:
        tables += extra_tables(reg=reg, start=start, as_of=as_of)
    download = request.GET.get("download")
    if download:
        table = next((t for t in tables if t.slug == download), None)
        if table is None:
            raise Http404("No such table")
        audit(request=request, action=f"{scope}_report.export", school=place.get("school"),
              detail=f"{download} {selectors.year_label(year)}")
        name = place.get("school").urn if place.get("school") else place["local_authority"].code
        return csv_response(
            filename=f"attendance-{name}-{year}-{year + 1}-{download}.csv",
            columns=[Column(c.key, lambda row, i=i: row[i]) for i, c in enumerate(table.columns)],
            rows=table.rows)
    audit(request=request, action=f"{scope}_report.view", school=place.get("school"),
          detail=f"{selectors.year_label(year)}; {report.cohort.label}")
    query = request.GET.copy()
    query.pop("download", None)
    query["year"], query["cohort"] = str(year), report.cohort.slug
    by_slug = {t.slug: t for t in tables}
    context.update({
        "year": year, "year_label": selectors.year_label(year), "start": start, "as_of": as_of,
        "running": as_of == today, "report": report, "query": query.urlencode(), "tables": by_slug,
        "rows": {slug: reporting.display_rows(t) for slug, t in by_slug.items()},
        "week_chart": report_charts.time_chart(report.weeks),
        "half_term_chart": report_charts.time_chart(report.half_terms),
        "cohort_chart": report_charts.cohort_chart(report.by_cohort),
        "other_tables": [(t, reporting.display_rows(t)) for t in tables
                         if t.slug not in {"weeks", "half_terms", "groups", "schools", "caseload"}],
    })
    return render(request, template, context)


@login_required
@require_GET
def school_report(request: HttpRequest, urn: str) -> HttpResponse:
    """A school's attendance report: its staff, its governors, and its LA's officers and manager."""
    school = report_place_for_user(user=request.user, urn=urn)
    return _page(request, template="cases/reports/school_report.html", place={"school": school},
                 schools=School.objects.filter(pk=school.pk), pupils=selectors.school_pupils(school=school),
                 scope="school")


@login_required
@require_GET
def la_report(request: HttpRequest, code: str) -> HttpResponse:
    """The LA's attendance report: its schools side by side, the caseload by stage, the notices by outcome."""
    local_authority = local_authority_for_user(user=request.user, code=code)
    schools = selectors.la_schools(local_authority=local_authority)

    def extra(*, reg, start, as_of):
        rows = selectors.school_rows(reg, schools)
        links = [reverse("school_report", kwargs={"urn": s.urn}) for s in schools]
        return [
            reporting.figures_table("schools", "By school: the year to date",
                                    reporting.TableColumn("school", "School", "text"), rows, links=links),
            _caseload_table(selectors.caseload_by_school(local_authority=local_authority, schools=schools), links),
            *la_report_tables(local_authority=local_authority, start=start, as_of=as_of),
        ]

    return _page(request, template="cases/reports/la_report.html",
                 place={"local_authority": local_authority},
                 schools=School.objects.filter(local_authority=local_authority),
                 pupils=selectors.la_pupils(local_authority=local_authority), scope="la", extra_tables=extra)
