"""The notice to improve's pages: issuing one, recording its outcome, invoking an early ground.

Thin: a scoped selector finds the case or notice, a form validates, one service writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases import ladder, rules
from cases.confirmation import Confirmation, changing, confirmation_page, confirmed
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import CaseState
from cases.permissions import can_move_case
from cases.selectors import case_for_user
from notices.form_parts import show_refusal
from notices.improvement import services
from notices.improvement.forms import (
    NoticeToImproveEarlyGroundForm,
    NoticeToImproveForm,
    NoticeToImproveOutcomeForm,
)
from notices.improvement.support import recorded_support, support_text
from notices.models import NoticeToImprove

# --- notices to improve --------------------------------------------------------------------------------


def _require_nti_mover(user, pupil) -> None:
    if not can_move_case(user, pupil):
        raise PermissionDenied("Your role does not include issuing notices to improve.")


def _notice_for_user(user, pk: int) -> NoticeToImprove:
    """A notice on a case the user may read (another school's notice is 404, as its case is)."""
    try:
        notice = NoticeToImprove.objects.get(pk=pk)
    except NoticeToImprove.DoesNotExist:
        raise Http404("No such notice to improve") from None
    notice.case = case_for_user(user=user, pk=notice.case_id)
    return notice


def _to_case_notices(case):
    return redirect(reverse("case_notices", kwargs={"pk": case.pk}) + "#notices-heading")


def _nti_confirmation(case, form: NoticeToImproveForm, support_so_far: str, check) -> Confirmation:
    parents = ", ".join(str(parent) for parent in form.selected_parents())
    data = form.cleaned_data
    consequences = [
        f"A notice to improve is issued on {long_date(data['issued_on'])}, with a letter to each of {parents}, "
        "served by post on that date.",
        f"The improvement period runs until {long_date(data['improvement_period_ends_on'])}; its outcome is "
        "recorded after it ends.",
        "The sessions it covers are stored with it and never count toward a later threshold.",
    ]
    if case.state != CaseState.NOTICE_TO_IMPROVE:
        consequences.insert(0, f"The case moves from “{case.get_state_display()}” to the notice to improve stage.")
    return Confirmation(
        heading="Check before you issue the notice to improve",
        button="Confirm and issue the notice",
        consequences=consequences,
        rests_on=list(check.evidence) if check else [],
        answers=[
            ("Parents or carers", parents),
            ("Support provided so far", support_so_far),
            ("Further support offered", data["further_support"]),
            ("Sufficient improvement means", data["sufficient_improvement"]),
            ("Grounds for an earlier penalty notice", data["early_penalty_grounds"]),
            ("Why a notice to improve now", data["reason"]),
        ],
        warning="The letters are made at once and kept as issued: they cannot be changed afterwards.",
        cancel_url=reverse("case_detail", args=[case.pk]) + "#actions-heading",
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_to_improve_issue(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The notice to improve: its support so far drawn from the case's records, confirmed before it is issued."""
    case = case_for_user(user=request.user, pk=case_pk)
    _require_nti_mover(request.user, case.pupil)
    today = timezone.localdate()
    form = NoticeToImproveForm(
        request.POST or None,
        parent_links=services.eligible_parent_links(pupil=case.pupil),
        support=recorded_support(case=case),
        initial={"issued_day": today.day, "issued_month": today.month, "issued_year": today.year},
    )
    check = ladder.check(case, "issue_notice_to_improve") if case.state != CaseState.NOTICE_TO_IMPROVE else None
    if request.method == "POST" and form.is_valid() and not changing(request):
        try:
            # The period is refused before the confirmation, beside its field, rather than after it.
            services.improvement_period_check(form.cleaned_data["issued_on"],
                                              form.cleaned_data["improvement_period_ends_on"])
        except services.ImprovementPeriodRefused as error:
            form.add_error("ends_day", str(error))
    if request.method == "POST" and form.is_valid() and not changing(request):
        chosen = form.chosen_support()
        support_so_far = support_text(chosen, form.cleaned_data["support_so_far"])
        if not confirmed(request):
            return confirmation_page(request, case=case, action_url=reverse("notices:nti_issue", args=[case.pk]),
                                     confirmation=_nti_confirmation(case, form, support_so_far, check))
        try:
            notice = services.notice_to_improve_issue(
                case=case,
                by=request.user,
                parents=form.selected_parents(),
                issued_on=form.cleaned_data["issued_on"],
                improvement_period_ends_on=form.cleaned_data["improvement_period_ends_on"],
                sufficient_improvement=form.cleaned_data["sufficient_improvement"],
                early_penalty_grounds=form.cleaned_data["early_penalty_grounds"],
                support_so_far=support_so_far,
                further_support=form.cleaned_data["further_support"],
                reason=form.cleaned_data["reason"],
                support_references=[record.key for record in chosen],
            )
        except services.ImprovementPeriodRefused as error:
            # Said next to the last day of the period, and the error summary links there (GOV.UK pattern).
            form.add_error("ends_day", str(error))
        except DomainError as error:
            show_refusal(form, error, {"issued_on": "issued_day", "support_so_far": "support_records"})
        else:
            messages.success(
                request,
                f"Notice to improve issued, with a letter to each parent: the improvement period ends on "
                f"{long_date(notice.improvement_period_ends_on)}",
            )
            return _to_case_notices(case)
    earliest, latest = services.improvement_period_limits(today)
    return render(
        request,
        "notices/nti_form.html",
        {
            "case": case,
            "pupil": case.pupil,
            "form": form,
            "check": check,
            "offences": services.notice_to_improve_offences(pupil=case.pupil, as_of=today),
            "ends_hint": (
                f"Between {rules.NTI_MIN_IMPROVEMENT_WEEKS} and {rules.NTI_MAX_IMPROVEMENT_WEEKS} weeks after the date "
                f"of issue. For a notice issued today: from "
                f"{long_date(earliest)} to {long_date(latest)}."
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_to_improve_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice_for_user(request.user, pk)
    case = notice.case
    _require_nti_mover(request.user, case.pupil)
    form = NoticeToImproveOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.notice_to_improve_record_outcome(
                notice=notice, by=request.user, improved=form.cleaned_data["improved"] == "improved",
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Outcome of the notice to improve recorded: {recorded.get_outcome_display().lower()}")
            return _to_case_notices(case)
    ended = notice.improvement_period_ends_on < timezone.localdate()
    return render(
        request,
        "notices/nti_outcome.html",
        {
            "case": case,
            "pupil": case.pupil,
            "notice": notice,
            "form": form,
            "period": services.improvement_period_attendance(notice=notice) if ended else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_to_improve_early_ground(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice_for_user(request.user, pk)
    case = notice.case
    _require_nti_mover(request.user, case.pupil)
    available = services.early_ground_sessions_available(notice=notice, today=timezone.localdate())
    form = NoticeToImproveEarlyGroundForm(request.POST or None, available=available)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_to_improve_invoke_early_ground(
                notice=notice, by=request.user, ground=form.cleaned_data["ground"], sessions=form.chosen_sessions()
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Recorded that a stated ground for an earlier penalty notice has arisen")
            return _to_case_notices(case)
    return render(
        request, "notices/nti_early_ground.html",
        {"case": case, "pupil": case.pupil, "notice": notice, "form": form, "available": available},
    )
