"""The penalty notice screens: the school drafts, consults the LA and issues (when the LA's code of conduct
leaves issuing to the school; otherwise these pages send the school to the penalty notice request); the LA's
officer records payments, withdraws, refers for prosecution and works through their tasks (the register:
register_views).

Thin: a scoped selector finds the case or notice, a form validates, one service writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import rules
from cases.audit import audit, audit_list
from cases.confirmation import Confirmation, changing, confirmation_page, confirmed
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import CaseState
from cases.permissions import can_move_case
from cases.selectors import case_for_user, local_authority_for_user
from notices import selectors
from notices.form_parts import show_refusal
from notices.models import Letter, OfficerTaskKind, PenaltyNotice, PenaltyNoticeState
from notices.penalty.forms import (
    ConsultLaForm,
    PaymentForm,
    PenaltyNoticeDraftForm,
    PenaltyNoticeIssueForm,
    ReferForProsecutionForm,
    StopProsecutionForm,
    WithdrawForm,
)
from notices.penalty.letters import la_payment_site, penalty_notice_issue_with_letter
from notices.penalty.officer_tasks import officer_task_complete
from notices.penalty.services import (
    NOT_YET_ISSUED,
    la_issues_message,
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_record_payment,
    penalty_notice_refer_for_prosecution,
    penalty_notice_terms_for,
    penalty_notice_withdraw,
    school_issues,
)

NOTICES_PER_PAGE = 50
WITHDRAWABLE = (*NOT_YET_ISSUED, PenaltyNoticeState.ISSUED, PenaltyNoticeState.UNPAID, PenaltyNoticeState.PROSECUTED)
PAYABLE = (PenaltyNoticeState.ISSUED, PenaltyNoticeState.UNPAID, PenaltyNoticeState.PROSECUTED)


# The form field that shows a refusal about each fact a service names (cases.facts.ImpossibleFact.field).
FACT_FIELDS = {"offence_from": "from_day", "offence_to": "to_day", "issued_on": "issued_day", "paid_on": "paid_day"}


def form_errors(*forms) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the error summary, in the order the fields appear."""
    found = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        first = next(iter(form.fields))
        found += [(_anchor(form[first]), str(e)) for e in form.non_field_errors()]
        for name in form.fields:
            found += [(_anchor(form[name]), str(e)) for e in form.errors.get(name, [])]
    return found


def _anchor(bound) -> str:
    if getattr(bound.field.widget, "input_type", "") in ("radio",):
        return f"{bound.auto_id}_0"
    return bound.id_for_label or bound.auto_id


# --- the school's side ----------------------------------------------------------------------------------


def _require_mover(user, pupil) -> None:
    if not can_move_case(user, pupil):
        raise PermissionDenied("Your role does not include preparing or issuing penalty notices.")


def _to_request(request: HttpRequest, case, local_authority) -> HttpResponse | None:
    """Where the LA's code of conduct has the LA issue, the school's drafting, consulting and issuing pages send
    the DSL to the penalty notice request instead (the service refuses the same steps)."""
    if school_issues(local_authority):
        return None
    messages.warning(request, la_issues_message(local_authority))
    return redirect("pn_requests:new", case_pk=case.pk)


def _to_notice(notice: PenaltyNotice):
    return redirect("penalty_notices:case_notice", case_pk=notice.case_id, pk=notice.pk)


@login_required
@require_http_methods(["GET", "POST"])
def penalty_notice_draft_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for_user(user=request.user, pk=case_pk)
    pupil = case.pupil
    _require_mover(request.user, pupil)
    if steer := _to_request(request, case, pupil.school.local_authority):
        return steer
    today = timezone.localdate()
    links = selectors.liable_parent_links(pupil=pupil)
    period = selectors.default_offence_period(pupil=pupil, today=today, case=case)
    chosen = request.GET.get("parent", "")
    form = PenaltyNoticeDraftForm(
        request.POST if request.method == "POST" else None, parent_links=links,
        offence_from=period.offence_from if period else None, offence_to=period.offence_to if period else None,
        parent_id=int(chosen) if chosen.isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = penalty_notice_draft(
                case=case, parent=form.selected_parent(), by=request.user,
                offence_from=form.cleaned_data["offence_from"], offence_to=form.cleaned_data["offence_to"],
            )
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, f"Penalty notice {notice.reference} to {notice.parent} drafted: "
                                      "check with the local authority before issuing it")
            return _to_notice(notice)
    return render(request, "notices/penalty/draft.html", {
        "case": case, "pupil": pupil, "form": form, "errors": form_errors(form), "period": period,
        "at_stage": case.state == CaseState.PENALTY_NOTICE, "today": today,
        "parent_terms": selectors.terms_by_parent(pupil=pupil, links=links, on=today),
    })


def _case_notice_page(request: HttpRequest, notice: PenaltyNotice, *, consult_form=None, status: int = 200):
    today = timezone.localdate()
    audit(request=request, action="penalty_notice.view", pupil=notice.pupil, detail=notice.reference)
    not_issued = notice.state in NOT_YET_ISSUED
    return render(request, "notices/penalty/case_notice.html", {
        "notice": notice, "case": notice.case, "pupil": notice.pupil, "today": today,
        "terms": penalty_notice_terms_for(pupil=notice.pupil, parent=notice.parent, on=today) if not_issued else None,
        "not_issued": not_issued,
        "can_move": can_move_case(request.user, notice.pupil),
        "school_issues": school_issues(notice.local_authority),
        "consult_form": consult_form or ConsultLaForm(prefix="consult"),
        "errors": form_errors(consult_form),
        "letters": selectors.penalty_notice_letters(notice=notice),
    }, status=status)


@login_required
@require_GET
def penalty_notice_case_detail(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    notice = selectors.case_penalty_notice_for_user(user=request.user, case_pk=case_pk, pk=pk)
    return _case_notice_page(request, notice)


@login_required
@require_POST
def penalty_notice_consult_view(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    notice = selectors.case_penalty_notice_for_user(user=request.user, case_pk=case_pk, pk=pk)
    _require_mover(request.user, notice.pupil)
    if steer := _to_request(request, notice.case, notice.local_authority):
        return steer
    form = ConsultLaForm(request.POST, prefix="consult")
    if form.is_valid():
        try:
            penalty_notice_consult_la(notice=notice, by=request.user)
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, f"Recorded that {notice.local_authority.name} was consulted on {notice.reference}")
            return _to_notice(notice)
    notice.refresh_from_db(fields=["state"])
    return _case_notice_page(request, notice, consult_form=form)


def _issue_confirmation(notice, form, terms) -> Confirmation:
    issued_on = form.cleaned_data["issued_on"]
    amounts = (f"£{terms.reduced_amount} if paid within {terms.reduced_days} days of receipt, otherwise "
               f"£{terms.full_amount} within {terms.full_days} days" if terms.reduced_amount
               else f"£{terms.full_amount} within {terms.full_days} days of receipt (no reduced rate)")
    posted = form.cleaned_data["posted"] == "yes"
    return Confirmation(
        heading="Check before you issue the penalty notice",
        button="Confirm and issue the notice",
        consequences=[
            f"Penalty notice {notice.reference} is issued to {notice.parent} on {long_date(issued_on)}"
            f"{', by post' if posted else ', handed over'}, and its letter is made.",
            f"{notice.parent} owes {amounts}.",
            "Only the local authority can withdraw it once it is issued.",
        ],
        rests_on=[terms.reason] if terms.reason else [],
        answers=[("Date of issue", long_date(issued_on)), ("Given", "By post" if posted else "Handed over")],
        cancel_url=reverse("penalty_notices:case_notice", kwargs={"case_pk": notice.case_id, "pk": notice.pk}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def penalty_notice_issue_view(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    notice = selectors.case_penalty_notice_for_user(user=request.user, case_pk=case_pk, pk=pk)
    _require_mover(request.user, notice.pupil)
    if steer := _to_request(request, notice.case, notice.local_authority):
        return steer
    if notice.state not in NOT_YET_ISSUED:
        messages.info(request, f"{notice.reference} is already {notice.get_state_display().lower()}")
        return _to_notice(notice)
    today = timezone.localdate()
    form = PenaltyNoticeIssueForm(request.POST if request.method == "POST" else None, today=today)
    terms_on = today
    if request.method == "POST" and form.is_valid():
        issued_on = form.cleaned_data["issued_on"]
        terms_on = issued_on
        if form.cleaned_data.get("terms_on") != issued_on:
            # The terms follow the date of issue: show the ones for the date entered before issuing.
            messages.info(request, "The terms below are for the date of issue you entered: check them, then issue")
        elif not changing(request) and not confirmed(request):
            return confirmation_page(request, case=notice.case, action_url=reverse(
                "penalty_notices:issue", kwargs={"case_pk": notice.case_id, "pk": notice.pk}),
                confirmation=_issue_confirmation(notice, form, penalty_notice_terms_for(
                    pupil=notice.pupil, parent=notice.parent, on=issued_on)))
        elif confirmed(request):
            try:
                letter = penalty_notice_issue_with_letter(
                    notice=notice, by=request.user, issued_on=issued_on, posted=form.cleaned_data["posted"] == "yes"
                )
            except DomainError as error:
                show_refusal(form, error, FACT_FIELDS)
            else:
                messages.success(request, f"Penalty notice {notice.reference} issued to {notice.parent}, and the "
                                          f"letter made (version {letter.version})")
                return _to_notice(notice)
    return render(request, "notices/penalty/issue.html", {
        "notice": notice, "case": notice.case, "pupil": notice.pupil, "form": form, "errors": form_errors(form),
        "terms": penalty_notice_terms_for(pupil=notice.pupil, parent=notice.parent, on=terms_on),
        "terms_on": terms_on,
        "consulted": notice.state == PenaltyNoticeState.LA_CONSULTED,
    })


@login_required
@require_http_methods(["GET", "POST"])
def penalty_notice_school_withdraw(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """The school may withdraw a notice it has not issued yet; after issue, only the LA may."""
    notice = selectors.case_penalty_notice_for_user(user=request.user, case_pk=case_pk, pk=pk)
    _require_mover(request.user, notice.pupil)
    form = WithdrawForm(request.POST if request.method == "POST" else None, school_side=True)
    if request.method == "POST" and form.is_valid():
        try:
            penalty_notice_withdraw(notice=notice, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, f"Penalty notice {notice.reference} withdrawn")
            return _to_notice(notice)
    return render(request, "notices/penalty/withdraw.html", {
        "notice": notice, "case": notice.case, "pupil": notice.pupil, "form": form, "errors": form_errors(form),
        "back_url": reverse("penalty_notices:case_notice", kwargs={"case_pk": notice.case_id, "pk": notice.pk}),
        "allowed": notice.state in NOT_YET_ISSUED,
    })


# --- the local authority's side -------------------------------------------------------------------------


@login_required
@require_GET
def la_penalty_notices(request: HttpRequest, code: str) -> HttpResponse:
    local_authority = local_authority_for_user(user=request.user, code=code)
    schools = list(selectors.la_schools(local_authority=local_authority))
    school_urn = request.GET.get("school", "")
    if school_urn not in {s.urn for s in schools}:
        school_urn = ""
    state = request.GET.get("state", "")
    if state not in PenaltyNoticeState.values:
        state = ""
    notices = selectors.la_penalty_notices(local_authority=local_authority, school_urn=school_urn, state=state)
    page = Paginator(notices, NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    audit_list(request, "penalty_notices.la_list", count=page.paginator.count, detail=f"LA {local_authority.code}")
    counts = {}
    for notice in selectors.la_penalty_notices(local_authority=local_authority, school_urn=school_urn):
        counts[notice.state] = counts.get(notice.state, 0) + 1
    return render(request, "notices/penalty/la_list.html", {
        "local_authority": local_authority,
        "tasks": selectors.open_officer_tasks(local_authority=local_authority),
        "page": page,
        "schools": schools,
        "school_urn": school_urn,
        "state": state,
        "states": [(value, PenaltyNoticeState(value).label, counts.get(value, 0)) for value in selectors.STATE_ORDER],
        "filtered": bool(school_urn or state),
    })


def _la_notice_page(request: HttpRequest, notice: PenaltyNotice, *, payment_form=None, withdraw_form=None,
                    refer_form=None, task_form=None, task_pk=None) -> HttpResponse:
    audit(request=request, action="penalty_notice.view", pupil=notice.pupil, detail=notice.reference)
    tasks = selectors.open_officer_tasks(local_authority=notice.local_authority, notice=notice)
    letters = selectors.penalty_notice_letters(notice=notice)
    return render(request, "notices/penalty/la_notice.html", {
        "local_authority": notice.local_authority,
        "notice": notice,
        "pupil": notice.pupil,
        "today": timezone.localdate(),
        "tasks": tasks,
        "task_form": task_form,
        "task_pk": task_pk,
        "payment_form": payment_form or PaymentForm(prefix="payment"),
        "withdraw_form": withdraw_form or WithdrawForm(prefix="withdraw"),
        "refer_form": refer_form or ReferForProsecutionForm(prefix="refer"),
        "stop_form": StopProsecutionForm(prefix="task"),
        "errors": form_errors(payment_form, withdraw_form, refer_form, task_form),
        "can_pay": notice.state in PAYABLE,
        "can_withdraw": notice.state in WITHDRAWABLE,
        "can_refer": notice.state == PenaltyNoticeState.UNPAID,
        "latest_letter": letters[0] if letters else None,
        "payment_site": la_payment_site(notice),
        "stop_kind": OfficerTaskKind.STOP_PROSECUTION,
        "full_days": rules.PN_FULL_DAYS,
    })


def _to_la_notice(notice: PenaltyNotice):
    return redirect("penalty_notices:la_notice", code=notice.local_authority.code, pk=notice.pk)


@login_required
@require_GET
def la_penalty_notice_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    notice = selectors.la_penalty_notice_for_user(user=request.user, code=code, pk=pk)
    return _la_notice_page(request, notice)


@login_required
@require_POST
def la_record_payment(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    notice = selectors.la_penalty_notice_for_user(user=request.user, code=code, pk=pk)
    form = PaymentForm(request.POST, prefix="payment")
    if form.is_valid():
        try:
            paid = penalty_notice_record_payment(
                notice=notice, by=request.user, paid_on=form.cleaned_data["paid_on"], amount=form.cleaned_data["amount"]
            )
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            done = f"Payment of £{paid.paid_amount:.2f} recorded: {paid.reference} is {paid.get_state_display().lower()}"
            if paid.officer_tasks.filter(kind=OfficerTaskKind.STOP_PROSECUTION, done_at__isnull=True).exists():
                messages.warning(request, f"{paid.reference} was referred for prosecution: withdraw the prosecution now")
            messages.success(request, done)
            return _to_la_notice(notice)
    notice.refresh_from_db()
    return _la_notice_page(request, notice, payment_form=form)


@login_required
@require_POST
def la_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    notice = selectors.la_penalty_notice_for_user(user=request.user, code=code, pk=pk)
    form = WithdrawForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            penalty_notice_withdraw(notice=notice, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, f"Penalty notice {notice.reference} withdrawn")
            return _to_la_notice(notice)
    notice.refresh_from_db()
    return _la_notice_page(request, notice, withdraw_form=form)


@login_required
@require_POST
def la_refer_for_prosecution(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    notice = selectors.la_penalty_notice_for_user(user=request.user, code=code, pk=pk)
    form = ReferForProsecutionForm(request.POST, prefix="refer")
    if form.is_valid():
        try:
            penalty_notice_refer_for_prosecution(notice=notice, by=request.user)
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, f"Penalty notice {notice.reference} referred for prosecution")
            return _to_la_notice(notice)
    notice.refresh_from_db()
    return _la_notice_page(request, notice, refer_form=form)


@login_required
@require_POST
def la_task_done(request: HttpRequest, code: str, task_pk: int) -> HttpResponse:
    task = selectors.officer_task_for_user(user=request.user, code=code, pk=task_pk)
    form = StopProsecutionForm(request.POST, prefix="task")
    if form.is_valid():
        try:
            officer_task_complete(task=task, by=request.user, note=form.cleaned_data["note"])
        except DomainError as error:
            show_refusal(form, error, FACT_FIELDS)
        else:
            messages.success(request, f"Task done: {task.get_kind_display()} ({task.notice.reference})")
            return _to_la_notice(task.notice)
    notice = selectors.la_penalty_notice_for_user(user=request.user, code=code, pk=task.notice_id)
    return _la_notice_page(request, notice, task_form=form, task_pk=task.pk)


@login_required
@require_GET
def la_letter_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The LA's copy of the notice's latest letter (the school sends the LA a copy of every notice it issues)."""
    notice = selectors.la_penalty_notice_for_user(user=request.user, code=code, pk=pk)
    letters = selectors.penalty_notice_letters(notice=notice)
    if not letters:
        raise Http404("No letter was made for this notice here.")
    letter = Letter.objects.get(pk=letters[0].pk)
    audit(request=request, action="letter.download", pupil=notice.pupil,
          detail=f"letter {letter.pk}: {letter.subject_key} v{letter.version} to {letter.recipient}")
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(notice.reference)}-v{letter.version}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
