""""My work" (each person's page of what waits for them) and the headteacher's answer to a penalty notice request.

The page's sections come from every app through the registry of ``cases.my_work``; the views only render them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import my_work, selectors
from cases.audit import audit
from cases.errors import DomainError
from cases.form_fields import add_refusal
from cases.forms import NewsReadForm, PnDeclineForm
from cases.permissions import can_authorise_penalty_notice
from cases.services import pn_consideration_authorise, pn_consideration_decline
from cases.services.my_work import work_news_mark_read
from cases.views.case import case_section_url


@login_required
@require_GET
def my_work_view(request: HttpRequest) -> HttpResponse:
    profile = selectors.staff_profile(user=request.user)
    sections = my_work.my_work(user=request.user, today=timezone.localdate())
    total = sum(section.count for section in sections)
    audit(request=request, action="my_work.view", school=profile.school, detail=f"{total} items")
    return render(request, "cases/my_work.html", {
        "profile": profile, "sections": sections, "nav_my_work": True, "nothing": not total,
        "my_work_count": total,  # the header's figure, already counted by the sections
    })


@login_required
@require_POST
def my_work_news_read(request: HttpRequest) -> HttpResponse:
    """Marks one piece of news as read for this person; the page says so and the item leaves it."""
    selectors.staff_profile(user=request.user)
    form = NewsReadForm(request.POST)
    if not form.is_valid() or not my_work.is_news_kind(form.cleaned_data["kind"]):
        messages.error(request, "That news item could not be found: nothing was changed.")
        return redirect("my_work")
    work_news_mark_read(user=request.user, kind=form.cleaned_data["kind"], object_id=form.cleaned_data["object_id"])
    messages.success(request, "Marked as read")
    return redirect("my_work")


def _consideration_for_head(request: HttpRequest, pk: int, consideration_pk: int):
    consideration = selectors.pn_consideration_for_user(user=request.user, case_pk=pk, pk=consideration_pk)
    if not can_authorise_penalty_notice(request.user, consideration.case.pupil):
        raise PermissionDenied("Only the headteacher can authorise or decline a penalty notice request.")
    return consideration


def _answer_page(request, consideration, template: str, *, form=None, errors=()) -> HttpResponse:
    case = consideration.case
    audit(request=request, action="case.view", pupil=case.pupil, detail=f"case {case.pk}: pn considerations")
    return render(request, template, {
        "case": case, "pupil": case.pupil, "consideration": consideration, "form": form, "errors": list(errors),
        "case_url": case_section_url(case, "notices", "#penalty-notice-heading"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def pn_consideration_authorise_view(request: HttpRequest, pk: int, consideration_pk: int) -> HttpResponse:
    """GET: "Are you sure?", saying what the authorisation allows. POST: the headteacher authorises."""
    consideration = _consideration_for_head(request, pk, consideration_pk)
    case = consideration.case
    if request.method == "GET":
        return _answer_page(request, consideration, "cases/pn_authorise_confirm.html")
    try:
        pn_consideration_authorise(consideration=consideration, by=request.user)
    except DomainError as error:
        return _answer_page(request, consideration, "cases/pn_authorise_confirm.html",
                            errors=[("authorise-button", str(error))])
    messages.success(request, "Penalty notice request authorised")
    return redirect(case_section_url(case, "notices", "#penalty-notice-heading"))


@login_required
@require_http_methods(["GET", "POST"])
def pn_consideration_decline_view(request: HttpRequest, pk: int, consideration_pk: int) -> HttpResponse:
    """The headteacher declines a penalty notice request, with reasons."""
    consideration = _consideration_for_head(request, pk, consideration_pk)
    form = PnDeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            pn_consideration_decline(consideration=consideration, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, "Penalty notice request declined: the DSL has been told your reasons")
            return redirect("my_work")
    return _answer_page(request, consideration, "cases/pn_decline.html", form=form)
