"""The penalty notice request pages: the school asks and answers; the LA officer's inbox and decision.

Thin: a scoped selector finds the case or request, a form validates, one service of
notices.review.services.requests writes (and moves the flow of notices.flows on).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import ladder
from cases.audit import audit, audit_list
from cases.confirmation import Confirmation, changing, confirmation_page, confirmed
from cases.errors import DomainError
from cases.models import CaseState
from cases.permissions import can_move_case, can_reassign_la_work, is_la_officer_of
from cases.selectors import case_for_user, local_authority_for_user
from cases.services.case import transition_sources
from notices import selectors
from notices.bundle import latest_bundle
from notices.form_parts import ReassignForm, show_refusal
from notices.review.forms.requests import AnswerForm, DecisionForm, PenaltyNoticeRequestForm
from notices.review.requests import PenaltyNoticeRequest
from notices.review.services import requests as services
from notices.review.services.flow_tasks import la_officers


def _school_request(user, case_pk: int, pk: int) -> PenaltyNoticeRequest:
    case = case_for_user(user=user, pk=case_pk)
    try:
        return PenaltyNoticeRequest.objects.select_related("case__pupil__school__local_authority").get(pk=pk, case=case)
    except PenaltyNoticeRequest.DoesNotExist:
        raise Http404("No such penalty notice request on this case.") from None


def _la_request(user, code: str, pk: int) -> PenaltyNoticeRequest:
    """A request from a school of the officer's own LA; another LA's is 404, school staff get 403."""
    local_authority = local_authority_for_user(user=user, code=code)
    try:
        return PenaltyNoticeRequest.objects.select_related(
            "case__pupil__school__local_authority", "requested_by", "consideration__authorised_by"
        ).get(pk=pk, case__school__local_authority=local_authority)
    except PenaltyNoticeRequest.DoesNotExist:
        raise Http404("No such penalty notice request in your local authority.") from None


# --- the school's side ----------------------------------------------------------------------------------


def _request_confirmation(case, form: PenaltyNoticeRequestForm) -> Confirmation:
    local_authority = case.school.local_authority
    parents = ", ".join(str(parent) for parent in form.selected_parents())
    consequences = [f"The request goes to {local_authority.name}, naming {parents}."]
    if case.state != CaseState.PENALTY_NOTICE:
        consequences.append(f"The case moves from “{case.get_state_display()}” to the penalty notice stage.")
    consequences.append(
        "If the local authority approves, the school issues each notice from its page under Penalty notices."
        if local_authority.pn_issued_by == "school"
        else "If the local authority approves, it issues and posts a notice to each parent named."
    )
    return Confirmation(
        heading="Check before you request penalty notices",
        button="Confirm and send the request",
        consequences=consequences,
        rests_on=list(ladder.check(case, "request_penalty_notice").evidence),
        answers=[("Parents or carers", parents), ("What you are asking, and why", form.cleaned_data["reason"])],
        cancel_url=reverse("case_detail", args=[case.pk]) + "#actions-heading",
    )


@login_required
@require_http_methods(["GET", "POST"])
def pn_request_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The request to the LA: the ladder box's one "Request a penalty notice", confirmed before it is sent."""
    case = case_for_user(user=request.user, pk=case_pk)
    links = selectors.liable_parent_links(pupil=case.pupil)
    form = PenaltyNoticeRequestForm(request.POST if request.method == "POST" else None, parent_links=links)
    if request.method == "POST" and form.is_valid() and not changing(request):
        if not confirmed(request):
            return confirmation_page(request, case=case, confirmation=_request_confirmation(case, form),
                                     action_url=reverse("pn_requests:new", args=[case.pk]))
        try:
            pn_request = services.pn_request_start(
                case=case, by=request.user, parents=form.selected_parents(), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Penalty notice request sent to {case.school.local_authority.name}")
            return redirect("pn_requests:school_detail", case_pk=case.pk, pk=pn_request.pk)
    at_stage = case.state == CaseState.PENALTY_NOTICE
    return render(request, "notices/requests/new.html", {
        "case": case, "pupil": case.pupil, "form": form, "can_move": can_move_case(request.user, case.pupil),
        "at_stage": at_stage, "check": None if at_stage else ladder.check(case, "request_penalty_notice"),
        "may_request": at_stage or case.state in transition_sources("request_penalty_notice"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def school_request_detail(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """The request as the school sees it, with the answer form while the LA waits for more information."""
    pn_request = _school_request(request.user, case_pk, pk)
    answer_task = services.open_task(pn_request, "answer")
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pn_request_answer(request=pn_request, by=request.user, answer=form.cleaned_data["answer"])
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Your answer was sent to the local authority")
            return redirect("pn_requests:school_detail", case_pk=case_pk, pk=pk)
    audit(request=request, action="pn_request.view", pupil=pn_request.case.pupil, detail=f"request {pk}")
    return render(request, "notices/requests/school_detail.html", {
        "pn_request": pn_request, "case": pn_request.case, "pupil": pn_request.case.pupil, "form": form,
        "answer_task": answer_task, "can_move": can_move_case(request.user, pn_request.case.pupil),
        "review_task": services.open_task(pn_request, "review"),
        "to_issue": list(services.notices_to_issue(pn_request)),
    })


# --- the local authority's side -------------------------------------------------------------------------


@login_required
@require_GET
def la_requests_inbox(request: HttpRequest, code: str) -> HttpResponse:
    local_authority = local_authority_for_user(user=request.user, code=code)
    schools = list(selectors.la_schools(local_authority=local_authority))
    school_urn = request.GET.get("school", "")
    if school_urn not in {school.urn for school in schools}:
        school_urn = ""
    today = timezone.localdate()
    inbox = selectors.la_request_inbox(local_authority=local_authority, user=request.user, today=today,
                                       school_urn=school_urn)
    referrals = selectors.la_referral_inbox(local_authority=local_authority, user=request.user, today=today,
                                            school_urn=school_urn)
    audit_list(request, "la_inbox.view", detail=f"LA {local_authority.code}")
    return render(request, "notices/requests/la_inbox.html", {
        "local_authority": local_authority, "inbox": inbox, "referrals": referrals, "now": timezone.now(),
        "service_level": local_authority.conduct().la_response_days, "schools": schools, "school_urn": school_urn,
    })


@login_required
@require_GET
def la_request_detail(request: HttpRequest, code: str, pk: int, form=None) -> HttpResponse:
    """The request for the LA officer: the case read-only, the conditions that hold, and the decision."""
    pn_request = _la_request(request.user, code, pk)
    case, today = pn_request.case, timezone.localdate()
    audit(request=request, action="pn_request.view", pupil=case.pupil, detail=f"request {pk}")
    parents = list(pn_request.parents.all())
    return render(request, "notices/requests/la_detail.html", {
        "local_authority": case.school.local_authority, "pn_request": pn_request, "case": case,
        "pupil": case.pupil, "today": today,
        "check": ladder.check(case, "request_penalty_notice", today=today),
        "parent_terms": [
            (parent, services.penalty_notice_terms_for(pupil=case.pupil, parent=parent, on=today))
            for parent in parents
        ],
        "period": selectors.default_offence_period(pupil=case.pupil, today=today, case=case),
        "review_task": services.open_task(pn_request, "review"),
        "answer_task": services.open_task(pn_request, "answer"),
        "form": form or DecisionForm(),
        "can_reassign": can_reassign_la_work(request.user, case.school.local_authority),
        "reassign_form": ReassignForm(officers=la_officers(case.school.local_authority)),
        "reassign_url": "pn_requests:la_reassign",
        "notices": case.penalty_notices.filter(parent__in=parents).select_related("parent"),
        "events": case.events.select_related("by")[:15],
        **_bundle_context(pn_request, request.user),
    }, status=400 if form is not None else 200)


def _bundle_context(pn_request, user) -> dict:
    """The case's latest evidence bundle, whether it was made since the request was sent, and whether this
    officer may make one (notices.review.views.evidence)."""
    bundle = latest_bundle(case=pn_request.case)
    return {"bundle": bundle, "bundle_is_new": bundle is not None and bundle.generated_at >= pn_request.created,
            "can_make_bundle": is_la_officer_of(user, pn_request.case.school.local_authority)}


@login_required
@require_POST
def la_request_assign(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    pn_request = _la_request(request.user, code, pk)
    try:
        services.pn_request_assign(request=pn_request, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The request is assigned to you")
    return redirect("pn_requests:la_detail", code=code, pk=pk)


@login_required
@require_POST
def la_request_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    pn_request = _la_request(request.user, code, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = services.pn_request_decide(
                request=pn_request, by=request.user, decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Decision recorded: {decided.get_decision_display()}")
            return redirect("pn_requests:la_detail", code=code, pk=pk)
    request.method = "GET"
    return la_request_detail(request, code, pk, form=form)


@login_required
@require_POST
def la_request_reassign(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The LA manager gives the request's review to another officer."""
    pn_request = _la_request(request.user, code, pk)
    form = ReassignForm(request.POST, officers=la_officers(pn_request.case.school.local_authority))
    if not form.is_valid():
        messages.error(request, form.errors["officer"][0])
        return redirect("pn_requests:la_detail", code=code, pk=pk)
    try:
        services.pn_request_reassign(request=pn_request, to=form.chosen(), by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The request is given to {form.chosen().get_full_name()}")
    return redirect("pn_requests:la_detail", code=code, pk=pk)
