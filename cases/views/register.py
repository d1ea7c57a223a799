"""The register's screens: amend one session of a pupil, and resolve a school's stale N codes in bulk."""

from __future__ import annotations

import contextlib
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import rules, selectors
from cases.audit import audit, audit_list
from cases.errors import DomainError
from cases.form_fields import add_refusal
from cases.permissions import can_amend_register
from cases.register_forms import MarkAmendForm, StaleNFilterForm, StaleNResolveForm
from cases.selectors.register import (
    pupil_mark,
    register_school_for_user,
    school_stale_n,
)
from cases.services.register import AmendmentsRefused, SessionChoice, mark_amend, marks_amend


def _initial_session(request: HttpRequest) -> dict:
    """The session the register grid's link names (``?date=YYYY-MM-DD&session=AM``), if it names one."""
    initial = {}
    with contextlib.suppress(ValueError):
        initial["date"] = date.fromisoformat(request.GET.get("date", ""))
    session = {"AM": rules.AM, "PM": rules.PM}.get(request.GET.get("session", ""))
    if session is not None:
        initial["session"] = str(session)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def register_amend(request: HttpRequest, upn: str) -> HttpResponse:
    """Amends one session of the pupil's register: the date, AM or PM, the new code and the reason."""
    pupil = selectors.pupil_for_user(user=request.user, upn=upn)
    if not can_amend_register(request.user, pupil):
        raise PermissionDenied("Your role does not include amending the register.")
    initial = _initial_session(request)
    form = MarkAmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["date"]
        try:
            amendment = mark_amend(pupil=pupil, date=day, session=form.cleaned_session(),
                                   code=form.cleaned_data["code"], reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as refused:
            add_refusal(form, refused)
        else:
            messages.success(
                request,
                f"{day.day} {day:%B %Y} {amendment.get_session_display()} amended from "
                f"{amendment.original_code} to {amendment.amended_code}",
            )
            url = reverse("pupil_detail", kwargs={"upn": pupil.upn})
            return redirect(f"{url}?year={rules.academic_year_start(day).year}#amendments-heading")
    if request.method == "GET":
        audit(request=request, action="register.amend_form", pupil=pupil)
    current = None
    if "date" in initial and "session" in initial:
        current = pupil_mark(pupil=pupil, day=initial["date"], session=int(initial["session"]))
    return render(request, "cases/register_amend.html", {"pupil": pupil, "form": form, "current": current})


def _stale_n_page(request: HttpRequest, school, *, form: StaleNResolveForm | None = None) -> HttpResponse:
    today = timezone.localdate()
    filters = StaleNFilterForm(request.GET or None)
    rows = school_stale_n(school=school, today=today, **filters.filters())
    if form is None:
        form = StaleNResolveForm(rows=rows, today=today)
    audit_list(request, "register.stale_n.list", school=school, count=len(rows))
    return render(
        request,
        "cases/register_stale_n.html",
        {"school": school, "rows": rows, "filters": filters, "form": form, "today": today,
         "errors": _stale_n_errors(form, rows),
         "chosen": set(form["sessions"].value() or ()),
         "n_resolve_school_days": rules.N_RESOLVE_SCHOOL_DAYS},
    )


def _stale_n_errors(form: StaleNResolveForm, rows) -> list[tuple[str, str]]:
    """The error summary's links, in the order of the page: the first checkbox, the code, the reason."""
    first = next((f"session-{n}" for n, row in enumerate(rows, start=1) if row.recorded_here), "sessions-heading")
    found = [(first, str(error)) for error in form.non_field_errors()]
    found += [(first, str(error)) for error in form.errors.get("sessions", [])]
    found += [(form["code"].auto_id, str(error)) for error in form.errors.get("code", [])]
    found += [(form["reason"].auto_id, str(error)) for error in form.errors.get("reason", [])]
    return found


def _resolve_form(request: HttpRequest, school) -> StaleNResolveForm:
    """The posted choice, checked against the school's stale N sessions as they are now (all of them: the
    filters narrow what is shown, not what may be chosen)."""
    today = timezone.localdate()
    return StaleNResolveForm(request.POST, rows=school_stale_n(school=school, today=today), today=today)


@login_required
@require_http_methods(["GET", "POST"])
def register_stale_n(request: HttpRequest, urn: str) -> HttpResponse:
    """The school's stale N codes to choose from; a valid choice goes on to the confirmation page."""
    school = register_school_for_user(user=request.user, urn=urn)
    if request.method == "GET":
        return _stale_n_page(request, school)
    form = _resolve_form(request, school)
    if not form.is_valid():
        return _stale_n_page(request, school, form=form)
    chosen = form.chosen_rows()
    audit(request=request, action="register.stale_n.confirm", school=school,
          detail=f"{len(chosen)} sessions to amend from N to {form.cleaned_data['code']}")
    return render(
        request,
        "cases/register_stale_n_confirm.html",
        {"school": school, "form": form, "chosen": chosen, "code": form.cleaned_data["code"],
         "meaning": rules.code_meaning(form.cleaned_data["code"]), "pupils": len({row.pupil.pk for row in chosen}),
         "from_code": rules.NOT_ESTABLISHED_CODE, "from_meaning": rules.code_meaning(rules.NOT_ESTABLISHED_CODE)},
    )


@login_required
@require_POST
def register_stale_n_apply(request: HttpRequest, urn: str) -> HttpResponse:
    """Applies the confirmed choice: every session amended, or none (the list then says which and why)."""
    school = register_school_for_user(user=request.user, urn=urn)
    form = _resolve_form(request, school)
    if not form.is_valid():
        return _stale_n_page(request, school, form=form)
    chosen = form.chosen_rows()
    try:
        made = marks_amend(
            school=school,
            sessions=[SessionChoice(pupil=row.pupil, date=row.date, session=row.session,
                                    seen_code=rules.NOT_ESTABLISHED_CODE) for row in chosen],
            code=form.cleaned_data["code"], reason=form.cleaned_data["reason"], by=request.user,
        )
    except AmendmentsRefused as refused:
        form.add_error(None, str(refused))
        return _stale_n_page(request, school, form=form)
    except DomainError as refused:
        add_refusal(form, refused)
        return _stale_n_page(request, school, form=form)
    pupils = len({amendment.pupil_id for amendment in made})
    messages.success(
        request,
        f"{len(made)} session{'s' if len(made) != 1 else ''} of {pupils} pupil{'s' if pupils != 1 else ''} "
        f"amended from N to {form.cleaned_data['code']}",
    )
    return redirect("register_stale_n", urn=school.urn)
