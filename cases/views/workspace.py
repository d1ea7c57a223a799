"""The school's and the LA's screens: home, pupils, alerts, a pupil's record, the caseload, the LA overview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cases import roles, rules, selectors
from cases.audit import audit, audit_list
from cases.errors import DomainError
from cases.forms import PupilFilterForm
from cases.models import Role
from cases.permissions import (
    can_amend_register,
    can_move_case,
    can_refer_child_missing_education,
)
from cases.scan import offence_periods
from cases.selectors.register import pupil_register_years
from cases.services import (
    alert_resolve,
)
from cases.templatetags.casework import build_register_grid

PUPILS_PER_PAGE = 50
ALERTS_PER_PAGE = 50
# The people who run casework start on their caseload; everyone else on the pupils or the LA overview.
CASELOAD_HOME_ROLES = frozenset({Role.DSL, Role.ATTENDANCE_OFFICER})


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Sends the DSL and the attendance officer to their caseload, the SENCo to the register of adjustments,
    a governor to the school's figures, the headteacher to "My work", other school staff to the school's pupils,
    and LA staff to their LA's overview."""
    profile = selectors.staff_profile(user=request.user)
    if profile.is_school_staff and not roles.has(profile.role, roles.VIEW_PUPIL_NAMES):
        return redirect("school_figures", urn=profile.school.urn)
    if profile.is_la_staff:
        return redirect("la_overview", code=profile.local_authority.code)
    if profile.role in CASELOAD_HOME_ROLES:
        return redirect("school_caseload", urn=profile.school.urn)
    if profile.role == Role.SENCO:
        return redirect("interventions:adjustment_register", urn=profile.school.urn)
    if roles.has(profile.role, roles.AUTHORISE_PN):
        # The headteacher's day is decisions others wait for: authorisations and leave.
        return redirect("my_work")
    return redirect("school_pupils", urn=profile.school.urn)


@login_required
@require_GET
def school_pupils(request: HttpRequest, urn: str) -> HttpResponse:
    school = selectors.school_for_user(user=request.user, urn=urn)
    form = PupilFilterForm(request.GET or None)
    pupils = selectors.workspace_pupils(school=school, **form.filters())
    page = Paginator(pupils, PUPILS_PER_PAGE).get_page(request.GET.get("page"))
    audit_list(request, "pupils.list", school=school, count=page.paginator.count,
               detail="search" if request.GET.get("q") else "")
    return render(
        request,
        "cases/school_pupils.html",
        {
            "school": school,
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "summary": selectors.school_summary(school=school),
        },
    )


@login_required
@require_POST
def alert_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.open_alert_for_user(user=request.user, pk=pk)
    try:
        alert_resolve(alert=alert, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{alert.get_kind_display()} for {alert.pupil} marked as dealt with")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("school_alerts", kwargs={"urn": alert.school.urn})
    return redirect(next_url)


@login_required
@require_GET
def pupil_detail(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = selectors.pupil_for_user(user=request.user, upn=upn)
    today = timezone.localdate()
    # Any academic year on record (?year=2024 for 2024/25); this year unless a year with marks is asked for.
    years = pupil_register_years(pupil=pupil, today=today)
    year_start = next((start for start in years if str(start.year) == request.GET.get("year")), years[0])
    as_of = min(today, rules.academic_year_end(year_start))
    conduct = pupil.school.local_authority.conduct()
    marks = selectors.pupil_marks(pupil=pupil, as_of=as_of)
    amendments = list(selectors.pupil_amendments(pupil=pupil, since=year_start, until=as_of))
    audit(request=request, action="pupil.view", pupil=pupil,
          detail="" if year_start == years[0] else f"register of {rules.academic_year_name(year_start)}")
    return render(
        request,
        "cases/pupil_detail.html",
        {
            "pupil": pupil,
            "as_of": as_of,
            "year_start": year_start,
            "is_this_year": year_start == years[0],
            "years": [(start, rules.academic_year_name(start)) for start in years],
            "year_name": rules.academic_year_name(year_start),
            "conduct": conduct,
            "snapshot": selectors.pupil_snapshot(pupil),
            "alerts": selectors.open_alerts_for_pupil(pupil=pupil),
            "parents": selectors.pupil_parents(pupil=pupil),
            "weeks": rules.weekly_series(
                marks, as_of=as_of, conduct=conduct, covered=offence_periods([pupil.pk], as_of=as_of).get(pupil.pk, ())
            ),
            "grid": build_register_grid(
                marks, since=year_start, until=as_of, amended={(a.date, a.session) for a in amendments}
            ),
            "breakdown": rules.code_breakdown(marks, as_of=as_of),
            "amendments": amendments,
            "open_case": selectors.open_case_of_pupil(pupil=pupil),
            "can_open_case": can_move_case(request.user, pupil),
            "can_refer_cme": can_refer_child_missing_education(request.user, pupil),
            "can_amend_register": can_amend_register(request.user, pupil),
        },
    )


@login_required
@require_GET
def la_overview(request: HttpRequest, code: str) -> HttpResponse:
    # The notices app builds on this one: its LA work summary is imported here, not at the top.
    from notices.la_work import la_work

    local_authority = selectors.local_authority_for_user(user=request.user, code=code)
    rows = selectors.la_school_rows(local_authority=local_authority)
    audit_list(request, "la_overview.view", detail=f"LA {local_authority.code}")
    return render(
        request,
        "cases/la_overview.html",
        {
            "local_authority": local_authority,
            "work": la_work(local_authority=local_authority, user=request.user, today=timezone.localdate()),
            "rows": rows,
            "totals": {
                "on_roll": sum(r.on_roll for r in rows),
                "persistent_pct": rules.percent_one_place(
                    sum(r.persistent for r in rows), sum(r.on_roll for r in rows)
                ),
                "severe": sum(r.severe for r in rows),
                "threshold_met": sum(r.threshold_met for r in rows),
                "open_alerts": sum(r.open_alerts for r in rows),
            },
        },
    )
