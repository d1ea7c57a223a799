"""The interventions screens. Thin: a scoped selector finds the objects (another school's record: 404;
a role that may not make the change: 403), a form validates, one service writes, then back to the case
(or to the pupil, for a pupil-level record when there is no open case)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases.audit import audit
from cases.errors import DomainError
from cases.models import Case, Pupil
from cases.permissions import can_record_adjustment, can_record_support, can_refer_child_missing_education
from cases.selectors import case_for_user, pupil_for_user
from interventions import forms, selectors, services
from interventions.models import NotificationKind

FORM_TEMPLATE = "interventions/form.html"
get_or_post = require_http_methods(["GET", "POST"])


def _posted(request: HttpRequest):
    """The submitted data on a POST (even an empty one: it must show its errors), None on a GET."""
    return request.POST if request.method == "POST" else None


def _refuse_unless(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"Your role does not allow you to {what}.")


def _case_url(case: Case) -> str:
    return reverse("case_detail", args=[case.pk])


def _pupil_return_url(pupil: Pupil) -> str:
    """The pupil's open case if there is one (the record is on its chronology), else the pupil's page."""
    case = selectors.open_case_of(pupil=pupil)
    return _case_url(case) if case is not None else reverse("pupil_detail", args=[pupil.upn])


def _anchor(bound: django_forms.BoundField) -> str:
    if isinstance(bound.field.widget, django_forms.RadioSelect):
        return f"{bound.auto_id}_0"
    return bound.auto_id


def error_summary(form: django_forms.Form, formsets: Iterable = ()) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the GOV.UK error summary, in the order the fields appear."""
    first = next(iter(form), None)
    top = _anchor(first) if first is not None else "main-content"
    found = [(top, str(e)) for e in form.non_field_errors()]
    found += [(_anchor(form[name]), str(e)) for name in form.fields for e in form.errors.get(name, [])]
    for formset in formsets:
        first_row = next(iter(formset.forms[0]), None) if formset.forms else None
        found += [(_anchor(first_row) if first_row else top, str(e)) for e in formset.non_form_errors()]
        for sub in formset.forms:
            found += [(_anchor(sub[name]), str(e)) for name in sub.fields for e in sub.errors.get(name, [])]
    return found


def _form_page(
    request: HttpRequest,
    *,
    form: django_forms.Form,
    save: Callable[[dict], object],
    success: str,
    done_url: str | Callable[[], str],
    context: dict,
    template: str = FORM_TEMPLATE,
    formsets: tuple = (),
) -> HttpResponse:
    """Validates and saves a POST, or renders the page with the form's errors (and any refusal) on it."""
    if request.method == "POST":
        valid = form.is_valid()
        valid = all(formset.is_valid() for formset in formsets) and valid
        if valid:
            try:
                save(form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, success)
                return redirect(done_url() if callable(done_url) else done_url)
    return render(
        request, template, {"form": form, "formsets": formsets, "errors": error_summary(form, formsets), **context}
    )


def _case_context(case: Case, *, title: str, **extra) -> dict:
    return {"case": case, "pupil": case.pupil, "title": title, "back_url": _case_url(case), **extra}


def _pupil_context(pupil: Pupil, *, title: str, **extra) -> dict:
    return {"pupil": pupil, "title": title, "back_url": _pupil_return_url(pupil), **extra}


def _case_for_support(request: HttpRequest, case_pk: int) -> Case:
    case = case_for_user(user=request.user, pk=case_pk)
    _refuse_unless(can_record_support(request.user, case.pupil), "record support for this pupil")
    return case


# --- support plans -----------------------------------------------------------------------------------


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


# --- attendance contracts ------------------------------------------------------------------------------


def _contract_for_support(request: HttpRequest, case_pk: int, pk: int):
    contract = selectors.contract_for_user(user=request.user, case_pk=case_pk, pk=pk)
    _refuse_unless(can_record_support(request.user, contract.case.pupil), "record an attendance contract")
    return contract


def _contract_url(contract) -> str:
    return reverse("interventions:contract_detail", args=[contract.case.pk, contract.pk])


@login_required
@get_or_post
def contract_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_for_support(request, case_pk)
    form = forms.ContractForm(_posted(request), pupil=case.pupil)
    created = {}

    def save(c):
        created["contract"] = services.attendance_contract_create(case=case, by=request.user, **c)

    return _form_page(
        request, form=form, save=save, success="Attendance contract drafted: check it, then offer it to the parents",
        done_url=lambda: _contract_url(created["contract"]),
        context=_case_context(case, title="New attendance contract", submit="Save draft contract",
                              intro=["An attendance contract is a voluntary written agreement between the parents "
                                     "and the school. If the parents decline it or do not keep it, that is recorded "
                                     "as evidence of non-engagement."]),
    )


@login_required
@require_GET
def contract_detail(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    contract = selectors.contract_for_user(user=request.user, case_pk=case_pk, pk=pk)
    audit(request=request, action="contract.view", pupil=contract.case.pupil, detail=f"contract {contract.pk}")
    return render(request, "interventions/contract_detail.html", {
        "contract": contract, "case": contract.case, "pupil": contract.case.pupil,
        "can_edit": can_record_support(request.user, contract.case.pupil),
    })


@login_required
@get_or_post
def contract_offer(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    contract = _contract_for_support(request, case_pk, pk)
    parties = [party.parent for party in contract.parties.all()]
    return _form_page(
        request, form=forms.ContractOfferForm(_posted(request)),
        save=lambda c: services.attendance_contract_offer(contract=contract, by=request.user),
        success="Contract offered: a letter to sign has been made for each parent", done_url=_contract_url(contract),
        context=_case_context(
            contract.case, title="Offer the contract to the parents", submit="Offer contract and make the letters",
            intro=["A letter with the contract to sign will be made for each of: "
                   + ", ".join(str(p) for p in parties) + "."],
            back_url=_contract_url(contract),
        ),
    )


@login_required
@get_or_post
def contract_party_response(request: HttpRequest, case_pk: int, contract_pk: int, pk: int) -> HttpResponse:
    party = selectors.contract_party_for_user(user=request.user, case_pk=case_pk, contract_pk=contract_pk, pk=pk)
    contract = party.contract
    _refuse_unless(can_record_support(request.user, contract.case.pupil), "record an attendance contract")
    form = forms.PartyResponseForm(_posted(request), initial={"responded_on": timezone.localdate()})
    return _form_page(
        request, form=form, success=f"Response from {party.parent} recorded", done_url=_contract_url(contract),
        save=lambda c: services.attendance_contract_party_respond(party=party, by=request.user, **c),
        context=_case_context(contract.case, title=f"Record the response of {party.parent}", submit="Record response",
                              back_url=_contract_url(contract)),
    )


@login_required
@get_or_post
def contract_breach(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    contract = _contract_for_support(request, case_pk, pk)
    form = forms.ContractBreachForm(_posted(request), initial={"breached_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Recorded that the contract was not kept", done_url=_case_url(contract.case),
        save=lambda c: services.attendance_contract_breach(contract=contract, by=request.user, **c),
        context=_case_context(contract.case, title="Record that the parents did not keep the contract",
                              submit="Record contract not kept", back_url=_contract_url(contract),
                              intro=["This is recorded on the case as non-engagement with formal support."]),
    )


@login_required
@get_or_post
def contract_end(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    contract = _contract_for_support(request, case_pk, pk)
    form = forms.ContractEndForm(_posted(request), initial={"ended_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Attendance contract ended", done_url=_case_url(contract.case),
        save=lambda c: services.attendance_contract_end(contract=contract, by=request.user, **c),
        context=_case_context(contract.case, title="End the attendance contract", submit="End contract",
                              back_url=_contract_url(contract)),
    )


# --- early help -------------------------------------------------------------------------------------------


@login_required
@get_or_post
def early_help_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _case_for_support(request, case_pk)
    form = forms.EarlyHelpForm(_posted(request))
    return _form_page(
        request, form=form, success="Early help recorded", done_url=_case_url(case),
        save=lambda c: services.early_help_record(case=case, by=request.user, **c),
        context=_case_context(case, title="Record a referral or early help plan", submit="Save"),
    )


@login_required
@get_or_post
def early_help_end(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    early_help = selectors.early_help_for_user(user=request.user, case_pk=case_pk, pk=pk)
    _refuse_unless(can_record_support(request.user, early_help.case.pupil), "record early help")
    form = forms.EarlyHelpEndForm(_posted(request), initial={"ended_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Outcome recorded", done_url=_case_url(early_help.case),
        save=lambda c: services.early_help_end(early_help=early_help, by=request.user, **c),
        context=_case_context(early_help.case, title=f"Record the outcome: {early_help}", submit="Save outcome"),
    )


# --- pupil-level records -----------------------------------------------------------------------------------


@login_required
@require_GET
def pupil_interventions(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = pupil_for_user(user=request.user, upn=upn)
    audit(request=request, action="pupil.interventions.view", pupil=pupil)
    today = timezone.localdate()
    records = selectors.pupil_interventions(pupil=pupil)
    return render(request, "interventions/pupil_interventions.html", {
        "pupil": pupil, "today": today, "records": records,
        "timetables": [
            (t, t.start_notification_overdue(today), t.end_notification_overdue(today))
            for t in records.part_time_timetables
        ],
        "case": selectors.open_case_of(pupil=pupil),
        "can_record_support": can_record_support(request.user, pupil),
        "can_record_adjustment": can_record_adjustment(request.user, pupil),
        "can_decide_leave": services.can_decide_leave(request.user, pupil),
    })


def _pupil_for(request: HttpRequest, upn: str, allowed: Callable, what: str) -> Pupil:
    pupil = pupil_for_user(user=request.user, upn=upn)
    _refuse_unless(allowed(request.user, pupil), what)
    return pupil


def _records_url(pupil: Pupil) -> str:
    return reverse("interventions:pupil_interventions", args=[pupil.upn])


@login_required
@get_or_post
def adjustment_create(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = _pupil_for(request, upn, can_record_adjustment, "record reasonable adjustments")
    form = forms.AdjustmentForm(_posted(request))
    return _form_page(
        request, form=form, success="Reasonable adjustment recorded", done_url=lambda: _pupil_return_url(pupil),
        save=lambda c: services.reasonable_adjustment_create(pupil=pupil, by=request.user, **c),
        context=_pupil_context(pupil, title="Record a reasonable adjustment", submit="Save adjustment"),
    )


@login_required
@get_or_post
def adjustment_update(request: HttpRequest, upn: str, pk: int) -> HttpResponse:
    adjustment = selectors.adjustment_for_user(user=request.user, upn=upn, pk=pk)
    _refuse_unless(can_record_adjustment(request.user, adjustment.pupil), "record reasonable adjustments")
    form = forms.AdjustmentUpdateForm(
        _posted(request), initial={"status": adjustment.status, "review_on": adjustment.review_on}
    )
    return _form_page(
        request, form=form, success="Reasonable adjustment updated",
        done_url=lambda: _pupil_return_url(adjustment.pupil),
        save=lambda c: services.reasonable_adjustment_update(adjustment=adjustment, by=request.user, **c),
        context=_pupil_context(adjustment.pupil, title="Update a reasonable adjustment", submit="Save",
                               intro=[f"{adjustment.get_area_display()}: {adjustment.description}"]),
    )


@login_required
@get_or_post
def adjustment_review_create(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = _pupil_for(request, upn, can_record_adjustment, "review reasonable adjustments")
    form = forms.AdjustmentReviewForm(_posted(request), initial={"reviewed_on": timezone.localdate()})
    adjustments = list(pupil.adjustments.all())
    return _form_page(
        request, form=form, success="Review of the adjustments recorded", done_url=lambda: _pupil_return_url(pupil),
        save=lambda c: services.adjustment_review_record(pupil=pupil, by=request.user, **c),
        context=_pupil_context(
            pupil, title="Review the reasonable adjustments", submit="Record review",
            intro=[f"{a.get_area_display()} ({a.get_status_display().lower()}): {a.description}" for a in adjustments]
            or ["No adjustments are recorded for this pupil."],
        ),
    )


@login_required
@get_or_post
def ehc_notification_create(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = _pupil_for(request, upn, can_record_adjustment, "notify the LA about a pupil with an EHC plan")
    form = forms.LANotificationForm(_posted(request), initial={"sent_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Notification to the LA recorded", done_url=lambda: _pupil_return_url(pupil),
        save=lambda c: services.ehc_plan_notification_send(pupil=pupil, by=request.user, **c),
        context=_pupil_context(
            pupil, title="Tell the LA about an attendance concern (EHC plan)", submit="Record notification",
            intro=["When a pupil with an EHC plan has falling attendance, or barriers to attendance linked to their "
                   "needs, the school informs the local authority."],
        ),
    )


@login_required
@get_or_post
def part_time_create(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = _pupil_for(request, upn, can_record_support, "record a part-time timetable")
    form = forms.PartTimeTimetableForm(_posted(request))
    return _form_page(
        request, form=form, success="Part-time timetable recorded: tell the LA it has started",
        done_url=lambda: _pupil_return_url(pupil),
        save=lambda c: services.part_time_timetable_create(pupil=pupil, by=request.user, **c),
        context=_pupil_context(
            pupil, title="Record a part-time timetable", submit="Save part-time timetable",
            intro=["A part-time timetable (code C2) is time-limited, agreed with the parents and reviewed. "
                   "The local authority must be told when it starts and when it ends."],
        ),
    )


def _timetable_for(request: HttpRequest, upn: str, pk: int):
    timetable = selectors.part_time_timetable_for_user(user=request.user, upn=upn, pk=pk)
    _refuse_unless(can_record_support(request.user, timetable.pupil), "record a part-time timetable")
    return timetable


@login_required
@get_or_post
def part_time_review(request: HttpRequest, upn: str, pk: int) -> HttpResponse:
    timetable = _timetable_for(request, upn, pk)
    form = forms.PartTimeReviewForm(_posted(request), initial={"reviewed_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Review recorded", done_url=lambda: _pupil_return_url(timetable.pupil),
        save=lambda c: services.part_time_timetable_review(timetable=timetable, by=request.user, **c),
        context=_pupil_context(timetable.pupil, title="Review the part-time timetable", submit="Record review"),
    )


@login_required
@get_or_post
def part_time_end(request: HttpRequest, upn: str, pk: int) -> HttpResponse:
    timetable = _timetable_for(request, upn, pk)
    form = forms.PartTimeEndForm(_posted(request), initial={"ended_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Part-time timetable ended: tell the LA it has ended",
        done_url=lambda: _pupil_return_url(timetable.pupil),
        save=lambda c: services.part_time_timetable_end(timetable=timetable, by=request.user, **c),
        context=_pupil_context(timetable.pupil, title="End the part-time timetable", submit="End timetable"),
    )


NOTIFY_KINDS = {"start": NotificationKind.PART_TIME_START, "end": NotificationKind.PART_TIME_END}
NOTIFY_TITLES = {
    "start": "Record that the LA was told the part-time timetable started",
    "end": "Record that the LA was told the part-time timetable ended",
}


@login_required
@get_or_post
def part_time_notify(request: HttpRequest, upn: str, pk: int, which: str) -> HttpResponse:
    if which not in NOTIFY_KINDS:
        raise Http404("No such notification")
    timetable = _timetable_for(request, upn, pk)
    kind = NOTIFY_KINDS[which]
    form = forms.OptionalDetailsNotificationForm(_posted(request), initial={"sent_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Notification to the LA recorded",
        done_url=lambda: _pupil_return_url(timetable.pupil),
        save=lambda c: services.part_time_la_notification_record(timetable=timetable, by=request.user, kind=kind, **c),
        context=_pupil_context(timetable.pupil, title=NOTIFY_TITLES[which], submit="Record notification"),
    )


@login_required
@get_or_post
def sickness_return_create(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = _pupil_for(request, upn, can_record_support, "send a sickness return")
    form = forms.OptionalDetailsNotificationForm(_posted(request), initial={"sent_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Sickness return recorded", done_url=lambda: _pupil_return_url(pupil),
        save=lambda c: services.sickness_return_send(pupil=pupil, by=request.user, **c),
        context=_pupil_context(pupil, title="Record a sickness return to the LA", submit="Record sickness return",
                               intro=[services.illness_summary(pupil)]),
    )


@login_required
@get_or_post
def cme_referral_create(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = _pupil_for(request, upn, can_refer_child_missing_education, "refer a child missing education")
    form = forms.CmeReferralForm(_posted(request))
    snapshot = getattr(pupil, "snapshot", None)
    intro = (
        ["The latest attendance scan shows a children-missing-education risk."]
        if snapshot is not None and snapshot.cme_risk
        else ["The latest attendance scan does not show a children-missing-education risk: say why you refer."]
    )
    return _form_page(
        request, form=form, success="Children missing education referral sent to the LA",
        done_url=lambda: _pupil_return_url(pupil),
        save=lambda c: services.cme_referral_send(pupil=pupil, by=request.user, **c),
        context=_pupil_context(pupil, title="Refer a child missing education to the LA", submit="Send referral",
                               intro=intro),
    )


@login_required
@get_or_post
def leave_request_create(request: HttpRequest, upn: str) -> HttpResponse:
    pupil = _pupil_for(
        request, upn, lambda user, p: can_record_support(user, p) or services.can_decide_leave(user, p),
        "record a leave of absence request",
    )
    form = forms.LeaveRequestForm(_posted(request), pupil=pupil, initial={"received_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Leave request recorded for the headteacher to decide",
        done_url=lambda: _pupil_return_url(pupil),
        save=lambda c: services.leave_request_record(pupil=pupil, by=request.user, **c),
        context=_pupil_context(pupil, title="Record a request for leave of absence", submit="Save request"),
    )


@login_required
@get_or_post
def leave_request_decide(request: HttpRequest, upn: str, pk: int) -> HttpResponse:
    leave = selectors.leave_request_for_user(user=request.user, upn=upn, pk=pk)
    _refuse_unless(services.can_decide_leave(request.user, leave.pupil),
                   "decide a leave of absence request: only the headteacher can")
    form = forms.LeaveDecisionForm(_posted(request), initial={"decided_on": timezone.localdate()})
    return _form_page(
        request, form=form, success="Decision recorded", done_url=lambda: _pupil_return_url(leave.pupil),
        save=lambda c: services.leave_request_decide(leave=leave, by=request.user, **c),
        context=_pupil_context(
            leave.pupil, title="Decide the request for leave of absence", submit="Record decision",
            intro=[f"{leave.requested_by} asked for leave from {leave.first_day:%-d %B %Y} to "
                   f"{leave.last_day:%-d %B %Y}: {leave.reason}",
                   "Leave in term time is granted only in exceptional circumstances."],
        ),
    )


# --- the SENCo's register -----------------------------------------------------------------------------------


@login_required
@require_GET
def adjustment_register(request: HttpRequest, urn: str) -> HttpResponse:
    school = selectors.adjustment_register_school_for_user(user=request.user, urn=urn)
    today = timezone.localdate()
    form = forms.AdjustmentRegisterFilterForm(request.GET or None)
    filters = form.filters()
    adjustments = list(selectors.adjustment_register(school=school, today=today, **filters))
    audit(request=request, action="adjustments.register.view", school=school, detail=f"{len(adjustments)} rows")
    return render(request, "interventions/adjustment_register.html", {
        "school": school, "form": form, "today": today, "adjustments": adjustments,
        "is_filtered": any(filters.values()),
    })
