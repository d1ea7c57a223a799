"""The prosecution referral pages: the school refers and follows it; the LA officer reviews, decides and
records the outcome, and downloads the evidence bundle attached to the referral.

Thin: a scoped selector finds the case or referral, a form validates, one service of
notices.review.services.referrals writes (and moves the flow of notices.flows on).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import ladder
from cases.audit import audit
from cases.confirmation import Confirmation, changing, confirmation_page, confirmed
from cases.errors import DomainError
from cases.models import CaseState
from cases.permissions import can_move_case, can_reassign_la_work
from cases.selectors import case_for_user, local_authority_for_user
from cases.services.offence import offence_lines, offence_sentence
from notices.bundle import case_reference, latest_bundle
from notices.form_parts import ReassignForm, show_refusal
from notices.review.forms.referrals import ReferralDecisionForm, ReferralForm, ReferralOutcomeForm
from notices.review.referrals import ProsecutionReferral, ReferralDecision
from notices.review.services import referrals as services
from notices.review.services.flow_tasks import la_officers

# The form field that shows a refusal about each fact a service names (cases.facts.ImpossibleFact.field).
FACT_FIELDS = {"hearing_date": "hearing_day"}


def _decision_form(referral, data=None) -> ReferralDecisionForm:
    return ReferralDecisionForm(data, parent_links=services.prosecutable_links(referral))


def _outcome_form(referral, data=None) -> ReferralOutcomeForm:
    prosecuted = referral.decision == ReferralDecision.PROSECUTE
    return ReferralOutcomeForm(data, prosecuted=prosecuted,
                               prosecuted_parents=referral.prosecuted_parents.select_related("parent"))


def _offence_context(referral) -> dict:
    """The offence the referral rests on, as stored when it was made (none for a failure of support alone)."""
    if referral.offence_record_id is None:
        return {}
    return {"offence_sentence": offence_sentence(referral.offence_record),
            "offence_lines": offence_lines(referral.offence_record)}


def _newer_bundle(referral):
    """The case's latest evidence bundle when the school made one after the referral's own, else None."""
    latest = latest_bundle(case=referral.case)
    return latest if latest is not None and latest.pk != referral.bundle_id else None


def _school_referral(user, case_pk: int, pk: int) -> ProsecutionReferral:
    case = case_for_user(user=user, pk=case_pk)
    try:
        return ProsecutionReferral.objects.select_related("case__pupil__school__local_authority", "referred_by").get(
            pk=pk, case=case
        )
    except ProsecutionReferral.DoesNotExist:
        raise Http404("No such prosecution referral on this case.") from None


def _la_referral(user, code: str, pk: int) -> ProsecutionReferral:
    """A referral from a school of the officer's own LA; another LA's is 404, school staff get 403."""
    local_authority = local_authority_for_user(user=user, code=code)
    try:
        return ProsecutionReferral.objects.select_related(
            "case__pupil__school__local_authority", "referred_by", "bundle", "decided_by", "outcome_by"
        ).get(pk=pk, case__school__local_authority=local_authority)
    except ProsecutionReferral.DoesNotExist:
        raise Http404("No such prosecution referral in your local authority.") from None


# --- the school's side ----------------------------------------------------------------------------------


def _referral_confirmation(case, form: ReferralForm) -> Confirmation:
    local_authority = case.school.local_authority
    consequences = [f"The case goes to {local_authority.name} with a new evidence bundle, made now."]
    if case.state != CaseState.PROSECUTION_REFERRAL:
        consequences.append(f"The case moves from “{case.get_state_display()}” to the prosecution referral stage.")
    consequences.append(f"{local_authority.name} decides whether to prosecute, apply for an education supervision "
                        "order, take other action, or take no further action.")
    rests_on = ([] if case.state == CaseState.PROSECUTION_REFERRAL
                else list(ladder.check(case, "refer_for_prosecution").evidence))
    return Confirmation(
        heading="Check before you refer the case for prosecution",
        button="Confirm and refer the case",
        consequences=consequences,
        rests_on=rests_on,
        answers=[("Why you are referring the case", form.cleaned_data["reason"])],
        cancel_url=reverse("case_detail", args=[case.pk]) + "#actions-heading",
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for_user(user=request.user, pk=case_pk)
    form = ReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and not changing(request):
        if not confirmed(request):
            return confirmation_page(request, case=case, confirmation=_referral_confirmation(case, form),
                                     action_url=reverse("referrals:new", args=[case.pk]))
        try:
            referral = services.referral_start(case=case, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, f"Case referred to {case.school.local_authority.name} for prosecution")
            return redirect("referrals:school_detail", case_pk=case.pk, pk=referral.pk)
    return render(request, "notices/referrals/new.html", {
        "case": case, "pupil": case.pupil, "form": form, "can_move": can_move_case(request.user, case.pupil),
        "may_refer": services.may_refer(case),
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def school_referral_detail(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """The referral as the school sees it: where it stands, the LA's decision, the outcome and advice."""
    referral = _school_referral(request.user, case_pk, pk)
    audit(request=request, action="referral.view", pupil=referral.case.pupil, detail=f"referral {pk}")
    return render(request, "notices/referrals/school_detail.html", {
        "referral": referral, "case": referral.case, "pupil": referral.case.pupil,
        **_offence_context(referral),
        "prosecuted_parents": referral.prosecuted_parents.select_related("parent"),
        "review_task": services.open_task(referral, "review"),
        "outcome_task": services.open_task(referral, "outcome"),
    })


# --- the local authority's side -------------------------------------------------------------------------


@login_required
@require_GET
def la_referral_detail(request: HttpRequest, code: str, pk: int, decision_form=None,
                       outcome_form=None) -> HttpResponse:
    """The referral for the LA officer: the case read-only, the bundle, the decision, then the outcome."""
    referral = _la_referral(request.user, code, pk)
    case, today = referral.case, timezone.localdate()
    audit(request=request, action="referral.view", pupil=case.pupil, detail=f"referral {pk}")
    return render(request, "notices/referrals/la_detail.html", {
        "local_authority": case.school.local_authority, "referral": referral, "case": case, "pupil": case.pupil,
        **_offence_context(referral),
        "check": ladder.check(case, "refer_for_prosecution", today=today),
        "review_task": services.open_task(referral, "review"),
        "outcome_task": services.open_task(referral, "outcome"),
        "decision_form": decision_form or _decision_form(referral),
        "outcome_form": outcome_form or _outcome_form(referral),
        "prosecuted_parents": referral.prosecuted_parents.select_related("parent"),
        "latest_bundle": _newer_bundle(referral),
        "form": decision_form or outcome_form,
        "can_reassign": can_reassign_la_work(request.user, case.school.local_authority),
        "reassign_form": ReassignForm(officers=la_officers(case.school.local_authority)),
        "reassign_url": "referrals:la_reassign",
        "notices": case.pupil.penalty_notices.select_related("parent").order_by("issued_on", "pk"),
        "events": case.events.select_related("by")[:15],
    }, status=400 if decision_form is not None or outcome_form is not None else 200)


@login_required
@require_POST
def la_referral_assign(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    referral = _la_referral(request.user, code, pk)
    try:
        services.referral_assign(referral=referral, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The referral is assigned to you")
    return redirect("referrals:la_detail", code=code, pk=pk)


@login_required
@require_POST
def la_referral_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    referral = _la_referral(request.user, code, pk)
    form = _decision_form(referral, request.POST)
    if form.is_valid():
        try:
            decided = services.referral_decide(
                referral=referral, by=request.user, decision=form.cleaned_data["decision"],
                parents=form.chosen(), reasons=form.cleaned_data["reasons"],
            )
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, f"Decision recorded: {decided.get_decision_display()}")
            return redirect("referrals:la_detail", code=code, pk=pk)
    request.method = "GET"
    return la_referral_detail(request, code, pk, decision_form=form)


@login_required
@require_POST
def la_referral_outcome(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    referral = _la_referral(request.user, code, pk)
    form = _outcome_form(referral, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_record_outcome(
                referral=referral, by=request.user, conclusion=data["conclusion"], advice=data["advice"],
                notes=data["notes"], hearing_date=data["hearing_date"], hearing_result=data.get("hearing_result", ""),
                fine_amount=data.get("fine_amount"), parenting_order=data["parenting_order_made"],
                parent_outcomes=form.parent_outcomes(),
            )
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, "Outcome recorded")
            return redirect("referrals:la_detail", code=code, pk=pk)
    request.method = "GET"
    return la_referral_detail(request, code, pk, outcome_form=form)


@login_required
@require_GET
def la_referral_bundle_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The evidence bundle attached to the referral, for the LA officers of the school's LA; audited."""
    referral = _la_referral(request.user, code, pk)
    bundle, case = referral.bundle, referral.case
    audit(request=request, action="bundle.download", pupil=case.pupil,
          detail=f"letter {bundle.pk}: {bundle.subject_key} v{bundle.version} sha256 {bundle.sha256[:12]} "
                 f"(referral {referral.pk})")
    filename = slugify(f"evidence bundle {case_reference(case)} {case.pupil} v{bundle.version}") + ".pdf"
    response = HttpResponse(bytes(bundle.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def la_referral_reassign(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The LA manager gives the referral's open task to another officer."""
    referral = _la_referral(request.user, code, pk)
    form = ReassignForm(request.POST, officers=la_officers(referral.case.school.local_authority))
    if not form.is_valid():
        messages.error(request, form.errors["officer"][0])
        return redirect("referrals:la_detail", code=code, pk=pk)
    try:
        services.referral_reassign(referral=referral, to=form.chosen(), by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The referral is given to {form.chosen().get_full_name()}")
    return redirect("referrals:la_detail", code=code, pk=pk)
