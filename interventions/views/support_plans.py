"""Support plan pages: the plan, the family's agreement, its actions and their completion, its review."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.audit import audit
from cases.permissions import can_record_support
from interventions import forms, selectors, services
from interventions.views._common import (
    _case_context,
    _case_for_support,
    _case_url,
    _form_page,
    _posted,
    _refuse_unless,
    get_or_post,
)


@login_required
@get_or_post
def support_plan_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_for_support(request, case_pk)
    data = _posted(request)
    form = forms.SupportPlanForm(data)
    actions = forms.ActionFormSet(data, prefix="actions")

    def save(cleaned):
        services.support_plan_create(
            case=case, by=request.user, barriers=cleaned["barriers"], review_on=cleaned["review_on"],
            actions=[
                services.ActionInput(description=f["description"], owner=f["owner"], due_on=f["due_on"])
                for f in actions.cleaned_data if f
            ],
        )

    return _form_page(
        request, form=form, save=save, formsets=(actions,), template="interventions/support_plan_form.html",
        success="Support plan saved as a draft", done_url=_case_url(case),
        context=_case_context(case, title="New support plan", actions=actions),
    )


@login_required
@require_GET
def support_plan_detail(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    plan = selectors.support_plan_for_user(user=request.user, case_pk=case_pk, pk=pk)
    audit(request=request, action="support_plan.view", pupil=plan.case.pupil, detail=f"support plan {plan.pk}")
    return render(request, "interventions/support_plan_detail.html", {
        "plan": plan, "case": plan.case, "pupil": plan.case.pupil, "today": timezone.localdate(),
        "can_edit": can_record_support(request.user, plan.case.pupil),
    })


def _plan_for_support(request: HttpRequest, case_pk: int, pk: int):
    plan = selectors.support_plan_for_user(user=request.user, case_pk=case_pk, pk=pk)
    _refuse_unless(can_record_support(request.user, plan.case.pupil), "record support for this pupil")
    return plan


def _plan_url(plan) -> str:
    return reverse("interventions:support_plan_detail", args=[plan.case.pk, plan.pk])


@login_required
@get_or_post
def support_plan_agree(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    plan = _plan_for_support(request, case_pk, pk)
    form = forms.SupportPlanAgreeForm(_posted(request), initial={"agreed_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Support plan recorded as agreed with the family", done_url=_case_url(plan.case),
        save=lambda c: services.support_plan_agree(plan=plan, by=request.user, agreed_on=c["agreed_on"]),
        context=_case_context(plan.case, title="Record that the family agreed the plan", submit="Record agreement",
                              back_url=_plan_url(plan)),
    )


@login_required
@get_or_post
def support_plan_action_add(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    plan = _plan_for_support(request, case_pk, pk)
    form = forms.ActionForm(_posted(request))
    return _form_page(
        request, form=form, success="Action added to the support plan", done_url=_case_url(plan.case),
        save=lambda c: services.support_plan_action_add(plan=plan, by=request.user, **c),
        context=_case_context(plan.case, title="Add an action to the support plan", submit="Add action",
                              back_url=_plan_url(plan)),
    )


@login_required
@get_or_post
def action_complete(request: HttpRequest, case_pk: int, plan_pk: int, pk: int) -> HttpResponse:
    action = selectors.action_for_user(user=request.user, case_pk=case_pk, plan_pk=plan_pk, pk=pk)
    _refuse_unless(can_record_support(request.user, action.case.pupil), "record support for this pupil")
    form = forms.ActionCompleteForm(_posted(request), initial={"completed_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Action marked as done", done_url=_case_url(action.case),
        save=lambda c: services.action_complete(action=action, by=request.user, **c),
        context=_case_context(action.case, title="Mark the action as done", submit="Mark as done",
                              intro=[f"{action.description} ({action.owner}, due {action.due_on:%-d %B %Y})"],
                              back_url=_plan_url(action.support_plan)),
    )


@login_required
@get_or_post
def support_plan_review(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    plan = _plan_for_support(request, case_pk, pk)
    form = forms.SupportPlanReviewForm(_posted(request), initial={"reviewed_on": timezone.localdate()})

    def save(c):
        services.support_plan_review(
            plan=plan, by=request.user, reviewed_on=c["reviewed_on"], outcome=c["outcome"],
            close=c["next_step"] == forms.REVIEW_CLOSE, next_review_on=c.get("next_review_on"),
        )

    return _form_page(
        request, form=form, save=save, success="Support plan review recorded", done_url=_case_url(plan.case),
        context=_case_context(plan.case, title="Review the support plan", submit="Record review",
                              back_url=_plan_url(plan)),
    )
