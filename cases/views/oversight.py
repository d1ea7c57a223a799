"""The governor's figures, and the audit trail for the DSL (their school) and the LA manager (their LA)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.audit import audit, audit_list
from cases.csv_export import Column, csv_response
from cases.forms import AuditFilterForm
from cases.selectors.access import audit_scope_for_user, figures_school_for_user
from cases.selectors.oversight import audit_events, school_figures

AUDIT_EVENTS_PER_PAGE = 50
AUDIT_CSV_COLUMNS = [
    Column("at", lambda e: timezone.localtime(e.at).isoformat(timespec="seconds")),
    Column("username"), Column("action"), Column("upn"),
    Column("school_urn", lambda e: e.school.urn if e.school_id and e.school else ""),
    Column("method"), Column("status", lambda e: e.status or ""), Column("path"), Column("detail"),
]


@login_required
@require_GET
def school_figures_view(request: HttpRequest, urn: str) -> HttpResponse:
    """The school's attendance in figures: what a governor sees, and all a governor sees."""
    school = figures_school_for_user(user=request.user, urn=urn)
    audit(request=request, action="school_figures.view", school=school)
    return render(request, "cases/school_figures.html", {"school": school, "stats": school_figures(school=school)})


def _audit_page(request: HttpRequest, *, place: str, title: str, scope: str) -> HttpResponse:
    profile = audit_scope_for_user(user=request.user)
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    events = audit_events(profile=profile, **filters)
    if form.is_bound and not form.is_valid():
        events = events.none()
    if request.GET.get("format") == "csv":
        audit_list(request, "audit.export", count=events.count())
        return csv_response(filename=f"audit-{scope}-{timezone.localdate().isoformat()}.csv",
                            columns=AUDIT_CSV_COLUMNS,
                            rows=events.select_related("school").iterator(chunk_size=500))
    page = Paginator(events.select_related("school"), AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read before this read is itself written down
    audit_list(request, "audit.view", count=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return render(request, "cases/audit.html", {
        "place": place, "title": title, "form": form, "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "csv_query": query.urlencode(), "nav_audit": True,
    }, status=400 if form.is_bound and not form.is_valid() else 200)


@login_required
@require_GET
def school_audit(request: HttpRequest, urn: str) -> HttpResponse:
    profile = audit_scope_for_user(user=request.user)
    if profile.school is None:
        raise PermissionDenied("The school's audit trail is for the school's designated senior leader.")
    if profile.school.urn != urn:
        raise Http404("No such school")
    return _audit_page(request, place=profile.school.name, title="Audit trail", scope=urn)


@login_required
@require_GET
def la_audit(request: HttpRequest, code: str) -> HttpResponse:
    profile = audit_scope_for_user(user=request.user)
    if profile.local_authority is None:
        raise PermissionDenied("The LA's audit trail is for the LA's attendance manager.")
    if profile.local_authority.code != code:
        raise Http404("No such local authority")
    return _audit_page(request, place=profile.local_authority.name, title="Audit trail", scope=code)

