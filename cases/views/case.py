"""The case page and its forms: open a case, move it up the ladder, notes, penalty notice considerations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors
from cases.audit import audit
from cases.errors import DomainError
from cases.form_fields import add_refusal
from cases.forms import CaseNoteForm, CaseOpenForm, CaseStepForm, PnConsiderationForm
from cases.models import CaseOutcome, CaseState, EventKind
from cases.permissions import (
    can_authorise_penalty_notice,
    can_move_case,
    can_record_adjustment,
    can_record_support,
)
from cases.services import (
    case_available_actions,
    case_close,
    case_hold,
    case_note_add,
    case_open,
    case_resume,
    case_transition,
    pn_consideration_record,
)
from cases.services.offence import case_stored_offence, offence_lines, offence_sentence


@login_required
@require_http_methods(["GET", "POST"])
def case_open_view(request: HttpRequest, upn: str) -> HttpResponse:
    """Opens a case for a pupil, from the pupil's page or from one of their alerts (?alert=<id>)."""
    pupil = selectors.pupil_for_user(user=request.user, upn=upn)
    if not can_move_case(request.user, pupil):
        raise PermissionDenied("Your role does not include opening attendance cases.")
    alert = None
    alert_id = request.POST.get("alert") or request.GET.get("alert")
    if alert_id:
        if not str(alert_id).isdigit():
            raise Http404("No such open alert")
        alert = selectors.open_alert_for_user(user=request.user, pk=int(alert_id))
        if alert.pupil_id != pupil.pk:
            raise Http404("No such open alert for this pupil")
    existing = selectors.open_case_of_pupil(pupil=pupil)
    if existing is not None and request.method == "GET":
        messages.info(request, f"{pupil} already has an open case")
        return redirect("case_detail", pk=existing.pk)
    initial = {"reason": f"{alert.get_kind_display()}: {alert.detail}"} if alert else {}
    form = CaseOpenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open(pupil=pupil, by=request.user, reason=form.cleaned_data["reason"], alert=alert)
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, f"Case opened for {pupil} at the concern stage")
            return redirect("case_detail", pk=case.pk)
    errors = [("reason", str(e)) for e in form.non_field_errors()] + [
        ("reason", str(e)) for e in form.errors.get("reason", [])
    ]
    return render(request, "cases/case_open.html", {"pupil": pupil, "alert": alert, "form": form, "errors": errors})


def _step_errors(form: CaseStepForm) -> list[tuple[str, str]]:
    transition = form.data.get("transition", "")
    found = [(f"reason-{transition}", str(e)) for e in form.non_field_errors()]
    found += [(f"reason-{transition}", str(e)) for e in form.errors.get("reason", [])]
    found += [(f"outcome-{transition}-0", str(e)) for e in form.errors.get("outcome", [])]
    for name in ("transition", "expected_state"):
        found += [("actions-heading", f"Choose an action from the page ({e})") for e in form.errors.get(name, [])]
    return found


def _form_errors(form, prefix: str) -> list[tuple[str, str]]:
    found = [(f"{prefix}-{next(iter(form.fields))}", str(e)) for e in form.non_field_errors()]
    for name, field in form.fields.items():
        anchor = f"{prefix}-{name}-0" if getattr(field.widget, "input_type", "") == "radio" else f"{prefix}-{name}"
        found += [(anchor, str(e)) for e in form.errors.get(name, [])]
    return found


# The other apps cite their records on the chronology as "<kind>:<id>"; the page shows them as links.
EVIDENCE_REFERENCE = re.compile(r"^(?P<kind>[a-z_]+):(?P<pk>\d+)$")
EVIDENCE_LINKS = {
    "meeting": ("Meeting record", lambda case, pk: reverse("meetings:detail", args=[pk])),
    "contact": ("Contact record", lambda case, pk: "#contacts-heading"),
    "support_plan": ("Support plan", lambda case, pk: reverse("interventions:support_plan_detail", args=[case.pk, pk])),
    "contract": ("Attendance contract", lambda case, pk: reverse("interventions:contract_detail", args=[case.pk, pk])),
    "letter": ("Letter (PDF)", lambda case, pk: reverse("notices:letter_pdf", args=[pk])),
    "action": ("Agreed action", lambda case, pk: "#support-heading"),
    "early_help": ("Early help record", lambda case, pk: "#early-help-heading"),
    "part_time": ("Part-time timetable", lambda case, pk: "#part-time-heading"),
    "la_notification": ("Notification to the LA", lambda case, pk: "#notifications-heading"),
    "adjustment": ("Reasonable adjustment", lambda case, pk: "#adjustments-heading"),
    "adjustment_review": ("Review of the adjustments", lambda case, pk: "#adjustments-heading"),
    "contract_party": ("Parent's response to the contract", lambda case, pk: "#contracts-heading"),
    "pn_request": ("Penalty notice request",
                   lambda case, pk: reverse("pn_requests:school_detail", args=[case.pk, pk])),
    "prosecution_referral": ("Prosecution referral",
                             lambda case, pk: reverse("referrals:school_detail", args=[case.pk, pk])),
    "penalty_notice": ("Penalty notice", lambda case, pk: reverse("penalty_notices:case_notice", args=[case.pk, pk])),
    "leave_request": ("Leave of absence request",
                      lambda case, pk: reverse("interventions:pupil_interventions", args=[case.pupil.upn])),
}


@dataclass(frozen=True)
class EvidenceItem:
    text: str
    url: str = ""


def _evidence_items(case, evidence: list[str]) -> list[EvidenceItem]:
    """Evidence as the DSL reads it: sentences as they are, record references as links to the record."""
    items = []
    for entry in evidence:
        match = EVIDENCE_REFERENCE.match(str(entry))
        link = EVIDENCE_LINKS.get(match["kind"]) if match else None
        if link is None:
            items.append(EvidenceItem(str(entry)))
            continue
        try:
            items.append(EvidenceItem(link[0], link[1](case, int(match["pk"]))))
        except NoReverseMatch:
            items.append(EvidenceItem(link[0]))
    return items


def _stored_offence(case) -> dict | None:
    found = case_stored_offence(case=case)
    if found is None:
        return None
    offence, rests_on = found
    return {"offence": offence, "rests_on": rests_on, "sentence": offence_sentence(offence),
            "lines": offence_lines(offence)}


def _case_page(request: HttpRequest, case, *, errors=(), step_form=None, note_form=None, consideration_form=None,
               status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    kind = request.GET.get("kind", "")
    if kind not in EventKind.values:
        kind = ""
    records = selectors.case_records(case=case)
    pupil = case.pupil
    audit(request=request, action="case.view", pupil=pupil, detail=f"case {case.pk}")
    deadline = selectors.case_next_deadline(records, today=today)
    events = list(selectors.case_chronology(case=case, kind=kind))
    for event in events:
        event.evidence_items = _evidence_items(case, event.evidence)
    step = step_form.data.get("transition") if step_form is not None else ""
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "pupil": pupil,
            "snapshot": selectors.pupil_snapshot(pupil),
            "today": today,
            "days_in_stage": (today - timezone.localtime(case.stage_entered_at).date()).days,
            "next_deadline": deadline,
            "deadline_overdue": deadline is not None and deadline.on < today,
            "availabilities": case_available_actions(case=case, user=request.user) if case.is_open else [],
            "events": events,
            "stored_offence": _stored_offence(case),
            "kind": kind,
            "kinds": EventKind.choices,
            "records": records,
            "errors": list(errors),
            "step": step,
            "step_form": step_form,
            "note_form": note_form or CaseNoteForm(),
            "consideration_form": consideration_form or PnConsiderationForm(),
            "outcomes": CaseOutcome.choices,
            "can_move": can_move_case(request.user, pupil),
            "can_record_support": can_record_support(request.user, pupil),
            "can_record_adjustment": can_record_adjustment(request.user, pupil),
            "can_authorise": can_authorise_penalty_notice(request.user, pupil),
            "ladder_states": [CaseState.CONCERN, CaseState.TARGETED_SUPPORT, CaseState.FORMAL_SUPPORT,
                              CaseState.NOTICE_TO_IMPROVE, CaseState.PENALTY_NOTICE,
                              CaseState.PROSECUTION_REFERRAL],
        },
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(user=request.user, pk=pk)
    return _case_page(request, case)


@login_required
@require_POST
def case_step(request: HttpRequest, pk: int) -> HttpResponse:
    """One button of "Actions available now": a step up the ladder, hold, resume or close."""
    case = selectors.case_for_user(user=request.user, pk=pk)
    if not can_move_case(request.user, case.pupil):
        raise PermissionDenied("Your role does not include moving attendance cases.")
    form = CaseStepForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, errors=_step_errors(form), step_form=form)
    transition, reason = form.cleaned_data["transition"], form.cleaned_data["reason"]
    common = {"case": case, "by": request.user, "reason": reason, "expected_state": form.cleaned_data["expected_state"]}
    try:
        if transition == "put_on_hold":
            moved = case_hold(**common)
        elif transition == "resume":
            moved = case_resume(**common)
        elif transition == "close":
            moved = case_close(outcome=form.cleaned_data["outcome"], **common)
        else:
            moved = case_transition(transition=transition, **common)
    except DomainError as error:
        case = selectors.case_for_user(user=request.user, pk=pk)  # what is true now, for the page
        add_refusal(form, error)
        return _case_page(request, case, errors=_step_errors(form), step_form=form)
    messages.success(request, f"Case is now at “{moved.get_state_display()}”")
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def case_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(user=request.user, pk=pk)
    if not can_record_support(request.user, case.pupil):
        raise PermissionDenied("Your role does not include adding to the case file.")
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        try:
            event = case_note_add(case=case, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, f"{event.get_kind_display()} added to the chronology")
            return redirect(reverse("case_detail", kwargs={"pk": case.pk}) + "#chronology-heading")
    return _case_page(request, case, errors=_form_errors(form, "note"), note_form=form)


@login_required
@require_POST
def pn_consideration_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(user=request.user, pk=pk)
    if not can_move_case(request.user, case.pupil):
        raise PermissionDenied("Your role does not include recording penalty notice considerations.")
    form = PnConsiderationForm(request.POST)
    if form.is_valid():
        try:
            pn_consideration_record(case=case, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, "Penalty notice considerations recorded: the headteacher can now authorise them")
            return redirect(reverse("case_detail", kwargs={"pk": case.pk}) + "#penalty-notice-heading")
    return _case_page(request, case, errors=_form_errors(form, "pn"), consideration_form=form)
