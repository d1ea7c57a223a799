"""The school's working lists: the caseload, the alerts and the pupils, each filtered from the URL, paged, and
downloadable as CSV of exactly what the filter shows; the alerts' bulk actions; a case's owner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import roles, selectors
from cases.audit import audit, audit_list
from cases.csv_export import Column, csv_response
from cases.errors import DomainError
from cases.forms import AlertBulkForm, AlertFilterForm, CaseloadFilterForm, CaseOwnerForm, PupilFilterForm
from cases.permissions import CASE_MOVERS, can_move_case
from cases.selectors.caseload import caseload_row
from cases.selectors.lists import (
    ALERT_OVERDUE_DEFINITION,
    CASE_OVERDUE_DEFINITION,
    caseload_cases,
    school_alerts_list,
    school_staff_choices,
)
from cases.services import alerts_assign, alerts_open_cases, alerts_resolve, case_assign_owner

CASES_PER_PAGE = 50
ALERTS_PER_PAGE = 50
PUPILS_PER_PAGE = 50


def _page(request: HttpRequest, rows, per_page: int):
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return page, page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _sort_label(form) -> str:
    return dict(form.fields["sort"].choices).get(form.filters()["sort"], "")


def _owners(school):
    return school_staff_choices(school=school, capability=roles.READ_CASES)


# --- the caseload ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def school_caseload(request: HttpRequest, urn: str) -> HttpResponse:
    school = selectors.caseload_school_for_user(user=request.user, urn=urn)
    today = timezone.localdate()
    form = CaseloadFilterForm(request.GET or None, owners=_owners(school))
    page, page_range = _page(request, caseload_cases(school=school, today=today, **form.filters()), CASES_PER_PAGE)
    audit_list(request, "caseload.view", school=school, count=page.paginator.count)
    return render(request, "cases/caseload.html", {
        "school": school,
        "today": today,
        "form": form,
        "page": page,
        "page_range": page_range,
        "rows": [caseload_row(case, today=today) for case in page.object_list],
        "overdue_definition": CASE_OVERDUE_DEFINITION,
        "sort_label": _sort_label(form),
        "caseload": selectors.caseload(school=school, today=today),
        "can_open_cases": request.user.staff.role in CASE_MOVERS,
    })


CASELOAD_COLUMNS = [
    Column("upn", "case.pupil.upn"),
    Column("surname", "case.pupil.surname"),
    Column("forename", "case.pupil.forename"),
    Column("year_group", "case.pupil.year_group"),
    Column("sen_status", "case.pupil.sen_status"),
    Column("fsm", "case.pupil.fsm"),
    Column("attendance_pct", lambda row: _attendance(row.case.pupil)),
    Column("stage", "case.state"),
    Column("owner", lambda row: _name(row.case.owner)),
    Column("opened_on", lambda row: timezone.localtime(row.case.opened_at).date()),
    Column("days_at_stage", "days_in_stage"),
    Column("next_deadline", lambda row: row.next_deadline.on if row.next_deadline else None),
    Column("next_deadline_is", lambda row: row.next_deadline.label if row.next_deadline else ""),
    Column("overdue", lambda row: row.case.action_late or row.case.plan_late or row.case.contract_late),
]


def _attendance(pupil):
    snapshot = selectors.pupil_snapshot(pupil)
    return snapshot.attendance_pct if snapshot is not None else None


@login_required
@require_GET
def school_caseload_csv(request: HttpRequest, urn: str):
    school = selectors.caseload_school_for_user(user=request.user, urn=urn)
    today = timezone.localdate()
    form = CaseloadFilterForm(request.GET or None, owners=_owners(school))
    cases = caseload_cases(school=school, today=today, **form.filters())
    audit_list(request, "caseload.export", school=school, count=cases.count())
    return csv_response(filename=f"caseload-{school.urn}-{today.isoformat()}.csv", columns=CASELOAD_COLUMNS,
                        rows=(caseload_row(case, today=today) for case in cases.iterator(chunk_size=500)))


# --- the alerts -----------------------------------------------------------------------------------------------


def _alert_staff(school):
    return school_staff_choices(school=school, capability=roles.VIEW_PUPIL_NAMES)


def _bulk_actions(user) -> list[str]:
    """Anyone who reads the alerts may mark them as dealt with; opening cases and handing out work is casework."""
    if user.staff.role in CASE_MOVERS:
        return ["open_cases", "resolve", "assign"]
    return ["resolve"]


def _alerts_page(request: HttpRequest, school, *, bulk_form: AlertBulkForm | None = None,
                 query: str | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    query = request.GET.urlencode() if query is None else query
    from django.http import QueryDict

    params = QueryDict(query)
    staff = _alert_staff(school)
    form = AlertFilterForm(params or None, staff=staff)
    page = Paginator(school_alerts_list(school=school, today=today, **form.filters()), ALERTS_PER_PAGE).get_page(
        params.get("page"))
    audit_list(request, "alerts.list", school=school, count=page.paginator.count)
    errors = _bulk_errors(bulk_form, first_alert=page.object_list[0].pk if page.object_list else None) \
        if bulk_form is not None else []
    chosen = {int(pk) for pk in (bulk_form.data.getlist("alert") if bulk_form is not None else [])
              if str(pk).isdigit()}
    return render(request, "cases/school_alerts.html", {
        "school": school,
        "form": form,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "can_open_cases": request.user.staff.role in CASE_MOVERS,
        "overdue_definition": ALERT_OVERDUE_DEFINITION,
        "sort_label": _sort_label(form),
        "bulk_form": bulk_form or AlertBulkForm(staff=staff, actions=_bulk_actions(request.user)),
        "bulk_actions": list(AlertBulkForm(actions=_bulk_actions(request.user)).fields["action"].choices),
        "staff": staff,
        "chosen": chosen,
        "errors": errors,
        "query": query,
    }, status=status)


@login_required
@require_GET
def school_alerts(request: HttpRequest, urn: str) -> HttpResponse:
    school = selectors.school_for_user(user=request.user, urn=urn)
    return _alerts_page(request, school)


ALERT_COLUMNS = [
    Column("raised_on"),
    Column("upn", "pupil.upn"),
    Column("surname", "pupil.surname"),
    Column("forename", "pupil.forename"),
    Column("year_group", "pupil.year_group"),
    Column("sen_status", "pupil.sen_status"),
    Column("fsm", "pupil.fsm"),
    Column("attendance_pct", lambda alert: _attendance(alert.pupil)),
    Column("alert", "kind"),
    Column("detail"),
    Column("given_to", lambda alert: _name(alert.assigned_to)),
    Column("open_case", "has_open_case"),
    Column("overdue"),
]


@login_required
@require_GET
def school_alerts_csv(request: HttpRequest, urn: str):
    school = selectors.school_for_user(user=request.user, urn=urn)
    today = timezone.localdate()
    form = AlertFilterForm(request.GET or None, staff=_alert_staff(school))
    alerts = school_alerts_list(school=school, today=today, **form.filters())
    audit_list(request, "alerts.export", school=school, count=alerts.count())
    return csv_response(filename=f"alerts-{school.urn}-{today.isoformat()}.csv", columns=ALERT_COLUMNS,
                        rows=alerts.iterator(chunk_size=500))


def _bulk_errors(form: AlertBulkForm, *, first_alert: int | None) -> list[tuple[str, str]]:
    """The error summary's links: each field's first error, pointing at the first box of its group."""
    anchors = {"alert": f"alert-{first_alert}" if first_alert else "alerts-table", "action": "action",
               "assign_to": "assign_to"}
    found = [(anchors.get(name, name), str(errs[0])) for name, errs in form.errors.items() if name != "__all__"]
    return found + [(anchors["alert"], str(error)) for error in form.non_field_errors()]


@login_required
@require_POST
def school_alerts_bulk(request: HttpRequest, urn: str) -> HttpResponse:
    """The selected alerts and the action chosen: first a confirmation page, then (confirmed) the action."""
    school = selectors.school_for_user(user=request.user, urn=urn)
    query = request.POST.get("query", "")
    staff = _alert_staff(school)
    today = timezone.localdate()
    open_ids = list(school_alerts_list(school=school, today=today).values_list("pk", flat=True))
    form = AlertBulkForm(request.POST, alert_ids=open_ids, staff=staff, actions=_bulk_actions(request.user))
    if not form.is_valid():
        return _alerts_page(request, school, bulk_form=form, query=query)
    action, ids = form.cleaned_data["action"], form.cleaned_data["alert"]
    alerts = list(school_alerts_list(school=school, today=today).filter(pk__in=ids))
    assignee = get_user_model().objects.select_related("staff").get(pk=form.cleaned_data["assign_to"]) \
        if action == "assign" else None
    refusal = _refusal_before(action, alerts)
    if refusal:
        form.add_error(None, refusal)
        return _alerts_page(request, school, bulk_form=form, query=query)
    if not form.cleaned_data["confirmed"]:
        audit_list(request, "alerts.bulk_confirm", school=school, count=len(alerts), detail=action)
        return render(request, "cases/alerts_bulk_confirm.html", {
            "school": school, "alerts": alerts, "action": action, "assignee": assignee, "query": query,
            "action_verb": ACTION_VERBS[action],
        })
    try:
        if action == "open_cases":
            done = alerts_open_cases(alerts=alerts, by=request.user, school=school)
            message = f"{len(done)} case{'s' if len(done) != 1 else ''} opened at the concern stage"
        elif action == "resolve":
            done = alerts_resolve(alerts=alerts, by=request.user, school=school)
            message = f"{len(done)} alert{'s' if len(done) != 1 else ''} marked as dealt with"
        else:
            done = alerts_assign(alerts=alerts, to=assignee, by=request.user, school=school)
            message = f"{len(done)} alert{'s' if len(done) != 1 else ''} given to {_name(assignee)}"
    except DomainError as error:
        form.add_error(None, str(error))
        return _alerts_page(request, school, bulk_form=form, query=query)
    messages.success(request, message)
    return redirect(reverse("school_alerts", kwargs={"urn": school.urn}) + (f"?{query}" if query else ""))


# How the confirmation page names each bulk action ("Check before you ...").
ACTION_VERBS = {"open_cases": "open cases", "resolve": "mark alerts as dealt with", "assign": "give alerts to someone"}


def _refusal_before(action: str, alerts) -> str:
    """What the service would refuse, said before the confirmation page rather than after it."""
    if action != "open_cases":
        return ""
    with_case = sorted({str(alert.pupil) for alert in alerts if alert.has_open_case})
    if with_case:
        names = with_case[0] if len(with_case) == 1 else ", ".join(with_case[:-1]) + " and " + with_case[-1]
        return (f"{names} already {'has' if len(with_case) == 1 else 'have'} an open case. Untick their alerts "
                "and try again; no case was opened.")
    return ""


# --- the pupils' CSV ------------------------------------------------------------------------------------------

PUPIL_COLUMNS = [
    Column("upn"),
    Column("surname"),
    Column("forename"),
    Column("year_group"),
    Column("sen_status"),
    Column("fsm"),
    Column("social_worker"),
    Column("looked_after"),
    Column("young_carer"),
    Column("eal"),
    Column("attendance_pct", _attendance),
    Column("persistent_absence", lambda p: getattr(selectors.pupil_snapshot(p), "persistent_absence", None)),
    Column("severe_absence", lambda p: getattr(selectors.pupil_snapshot(p), "severe_absence", None)),
    Column("pn_threshold_met", lambda p: getattr(selectors.pupil_snapshot(p), "pn_threshold_met", None)),
    Column("open_alerts"),
]


@login_required
@require_GET
def school_pupils_csv(request: HttpRequest, urn: str):
    school = selectors.school_for_user(user=request.user, urn=urn)
    pupils = selectors.workspace_pupils(school=school, **PupilFilterForm(request.GET or None).filters())
    audit_list(request, "pupils.export", school=school, count=pupils.count())
    return csv_response(filename=f"pupils-{school.urn}-{timezone.localdate().isoformat()}.csv",
                        columns=PUPIL_COLUMNS, rows=pupils.iterator(chunk_size=500))


# --- the case's owner -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_owner_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(user=request.user, pk=pk)
    if not can_move_case(request.user, case):
        raise PermissionDenied("Your role does not include changing who owns a case.")
    staff = _owners(case.school)
    form = CaseOwnerForm(request.POST or None, staff=staff, initial={"owner": case.owner_id})
    if request.method == "POST" and form.is_valid():
        owner = get_user_model().objects.select_related("staff").get(pk=form.cleaned_data["owner"])
        try:
            case_assign_owner(case=case, owner=owner, by=request.user)
        except DomainError as error:
            form.add_error("owner", str(error))
        else:
            messages.success(request, f"{_name(owner)} now owns this case")
            return redirect("case_detail", pk=case.pk)
    if request.method == "GET":
        audit(request=request, action="case.view", pupil=case.pupil, detail=f"case {case.pk}: owner form")
    return render(request, "cases/case_owner.html", {
        "case": case, "form": form, "staff": staff,
        "errors": [("owner", str(e)) for e in form.errors.get("owner", [])],
    })
