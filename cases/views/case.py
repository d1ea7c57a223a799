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

from cases import ladder, selectors
from cases.audit import audit
from cases.confirmation import Confirmation, changing, confirmation_page, confirmed
from cases.errors import DomainError
from cases.form_fields import add_refusal
from cases.formatting import long_date
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


# The other apps cite their records on the chronology as "<kind>:<id>"; the page shows them as links, to the
# record's own page or to the section of the case page that lists it.
EVIDENCE_REFERENCE = re.compile(r"^(?P<kind>[a-z_]+):(?P<pk>\d+)$")


def _in_section(url_name: str, anchor: str):
    return lambda case, pk: reverse(url_name, kwargs={"pk": case.pk}) + anchor


EVIDENCE_LINKS = {
    "meeting": ("Meeting record", lambda case, pk: reverse("meetings:detail", args=[pk])),
    "contact": ("Contact record", lambda case, pk: "#contacts-heading"),
    "support_plan": ("Support plan", lambda case, pk: reverse("interventions:support_plan_detail", args=[case.pk, pk])),
    "contract": ("Attendance contract", lambda case, pk: reverse("interventions:contract_detail", args=[case.pk, pk])),
    "letter": ("Letter (PDF)", lambda case, pk: reverse("notices:letter_pdf", args=[pk])),
    "action": ("Agreed action", _in_section("case_support", "#support-heading")),
    "early_help": ("Early help record", _in_section("case_support", "#early-help-heading")),
    "part_time": ("Part-time timetable", _in_section("case_support", "#part-time-heading")),
    "la_notification": ("Notification to the LA", _in_section("case_support", "#notifications-heading")),
    "adjustment": ("Reasonable adjustment", _in_section("case_support", "#adjustments-heading")),
    "adjustment_review": ("Review of the adjustments", _in_section("case_support", "#adjustments-heading")),
    "contract_party": ("Parent's response to the contract", _in_section("case_support", "#contracts-heading")),
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


@dataclass(frozen=True)
class Section:
    """One tab of the case page: its key, its URL name and its title."""

    key: str
    url_name: str
    title: str


SECTIONS = (
    Section("overview", "case_detail", "Overview"),
    Section("chronology", "case_chronology", "Chronology"),
    Section("meetings", "case_meetings", "Meetings"),
    Section("support", "case_support", "Support"),
    Section("notices", "case_notices", "Notices and referrals"),
    Section("documents", "case_documents", "Letters and documents"),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}


def case_section_url(case, section: str, anchor: str = "") -> str:
    return reverse(SECTION_BY_KEY[section].url_name, kwargs={"pk": case.pk}) + anchor


@dataclass(frozen=True)
class LadderStep:
    """One entry of "Actions available now": a step taken here (a reason and a button), or on its own page
    (``url``: the notice to improve, the request to the LA, the referral), each with what it rests on or lacks."""

    transition: str
    label: str
    allowed: bool
    missing: tuple[str, ...]
    evidence: tuple[str, ...]
    url: str = ""
    url_text: str = ""


@dataclass(frozen=True)
class StepPage:
    """Where a step of the ladder is taken when it needs more than a reason: its page, and what happens there."""

    url_name: str
    label: str
    explains: str


# The steps taken on their own page; the case moves with the record they make.
STEPS_WITH_A_PAGE = {
    "issue_notice_to_improve": StepPage(
        "notices:nti_issue", "Issue a notice to improve",
        "The notice, its letters to the parents and the improvement period are made on the next page; the case "
        "moves to this stage when it is issued."),
    "request_penalty_notice": StepPage(
        "pn_requests:new", "Request a penalty notice",
        "Name the parents and say why on the next page; the case moves to this stage when the request goes to "
        "the local authority."),
    "refer_for_prosecution": StepPage(
        "referrals:new", "Refer the case to the local authority",
        "The referral goes with a fresh evidence bundle, and the case moves to this stage when it is sent."),
}


def _still_with_the_la(processes, what: str) -> ladder.Check | None:
    """A request or referral still open with the LA: another waits until it is decided (said, not offered)."""
    open_one = processes.filter(finished__isnull=True).order_by("-created").first()
    if open_one is None:
        return None
    return ladder.Check("", (f"The {what} of {long_date(open_one.created)} is with the local authority: another "
                             "can be made once it has been decided.",), ())


def _request_at_the_stage(case) -> ladder.Check:
    """At the stage the ladder's step is taken: a (further) request needs only the headteacher's authority on
    the latest considerations, as pn_request_start does."""
    consideration = case.pn_considerations.order_by("-recorded_at").first()
    if consideration is None:
        return ladder.Check("request_penalty_notice", ("Record the penalty notice considerations first.",), ())
    if consideration.authorised_by_id is None:
        return ladder.Check("request_penalty_notice",
                            ("The headteacher must authorise the latest penalty notice considerations.",), ())
    return ladder.Check("request_penalty_notice", (), (
        f"Considerations recorded on {long_date(consideration.recorded_at)}, authorised by the headteacher on "
        f"{long_date(consideration.authorised_at)}",))


def _ladder_steps(case, user) -> list[LadderStep]:
    """The ladder box: each step up from here once, and at the stage a step that still waits for its record
    (a notice to improve not issued yet, no request or referral with the LA), taken on its own page."""
    if not case.is_open:
        return []
    steps = []
    for a in case_available_actions(case=case, user=user):
        page = STEPS_WITH_A_PAGE.get(a.transition)
        if page is None:
            steps.append(LadderStep(a.transition, a.label, a.allowed, a.missing, a.evidence))
        else:
            steps.append(LadderStep(a.transition, page.label, a.allowed, a.missing, a.evidence,
                                    reverse(page.url_name, args=[case.pk]), page.explains))
    if not can_move_case(user, case.pupil):
        return steps
    waiting = None
    if case.state == CaseState.NOTICE_TO_IMPROVE and not case.notices_to_improve.exists():
        waiting = ("issue_notice_to_improve", ladder.Check("issue_notice_to_improve", (), ()))
    elif case.state == CaseState.PENALTY_NOTICE:
        waiting = ("request_penalty_notice", _still_with_the_la(case.pn_requests, "request")
                   or _request_at_the_stage(case))
    elif case.state == CaseState.PROSECUTION_REFERRAL:
        waiting = ("refer_for_prosecution", _still_with_the_la(case.prosecution_referrals, "referral")
                   or ladder.Check("refer_for_prosecution", (), ()))
    if waiting:
        name, check = waiting
        page = STEPS_WITH_A_PAGE[name]
        steps.insert(0, LadderStep(name, page.label, check.allowed, check.missing, check.evidence,
                                   reverse(page.url_name, args=[case.pk]),
                                   "Taken on its own page; the case is already at this stage."))
    return steps


def _case_page(request: HttpRequest, case, *, section: str = "overview", errors=(), step_form=None, note_form=None,
               consideration_form=None, status: int = 200) -> HttpResponse:
    """One section of the case page, read through the scoped selector by the caller and audited here."""
    today = timezone.localdate()
    pupil = case.pupil
    audit(request=request, action="case.view", pupil=pupil, detail=f"case {case.pk}: {section}")
    context = {
        "case": case,
        "pupil": pupil,
        "section": section,
        "section_title": SECTION_BY_KEY[section].title,
        "sections": SECTIONS,
        "today": today,
        "errors": list(errors),
        "can_move": can_move_case(request.user, pupil),
        "can_record_support": can_record_support(request.user, pupil),
        "can_record_adjustment": can_record_adjustment(request.user, pupil),
        "can_authorise": can_authorise_penalty_notice(request.user, pupil),
    }
    if section == "chronology":
        kind = request.GET.get("kind", "")
        if kind not in EventKind.values:
            kind = ""
        events = list(selectors.case_chronology(case=case, kind=kind))
        for event in events:
            event.evidence_items = _evidence_items(case, event.evidence)
        context |= {"events": events, "kind": kind, "kinds": EventKind.choices,
                    "note_form": note_form or CaseNoteForm()}
    else:
        context["records"] = records = selectors.case_records(case=case)
    if section == "overview":
        deadline = selectors.case_next_deadline(records, today=today)
        step = step_form.data.get("transition") if step_form is not None else ""
        context |= {
            "days_in_stage": (today - timezone.localtime(case.stage_entered_at).date()).days,
            "next_deadline": deadline,
            "deadline_overdue": deadline is not None and deadline.on < today,
            "availabilities": _ladder_steps(case, request.user),
            "stored_offence": _stored_offence(case),
            "step": step,
            "step_form": step_form,
            "outcomes": CaseOutcome.choices,
        }
    elif section == "notices":
        context["consideration_form"] = consideration_form or PnConsiderationForm()
    return render(request, f"cases/case/{section}.html", context, status=status)


def _section_view(section: str):
    @login_required
    @require_GET
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_for_user(user=request.user, pk=pk)
        return _case_page(request, case, section=section)

    view.__name__ = view.__qualname__ = f"case_{section}"
    view.__doc__ = f"The case page's “{SECTION_BY_KEY[section].title}” section."
    return view


case_detail = _section_view("overview")
case_chronology = _section_view("chronology")
case_meetings = _section_view("meetings")
case_support = _section_view("support")
case_notices = _section_view("notices")
case_documents = _section_view("documents")


def _close_confirmation(case, form: CaseStepForm) -> Confirmation:
    outcome = CaseOutcome(form.cleaned_data["outcome"])
    open_work = []
    if case.pn_requests.filter(finished__isnull=True).exists():
        open_work.append("A penalty notice request is still with the local authority: closing the case does not "
                         "withdraw it.")
    if case.prosecution_referrals.filter(finished__isnull=True).exists():
        open_work.append("A prosecution referral is still with the local authority: closing the case does not "
                         "withdraw it.")
    return Confirmation(
        heading="Check before you close the case",
        button="Confirm and close the case",
        consequences=[
            f"The case closes at “{case.get_state_display()}” with the outcome “{outcome.label}”.",
            "No further step can be taken on it: a new concern opens a new case.",
            "The reason goes on the case's chronology with your name.",
            *open_work,
        ],
        answers=[("Outcome", outcome.label), ("Reason", form.cleaned_data["reason"])],
        cancel_url=case_section_url(case, "overview", "#actions-heading"),
    )


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
    if transition == "close" and changing(request):
        return _case_page(request, case, step_form=form)
    if transition == "close" and not confirmed(request):
        return confirmation_page(request, case=case, action_url=reverse("case_step", args=[case.pk]),
                                 confirmation=_close_confirmation(case, form))
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
            return redirect(case_section_url(case, "chronology", "#chronology-heading"))
    return _case_page(request, case, section="chronology", errors=_form_errors(form, "note"), note_form=form)


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
            return redirect(case_section_url(case, "notices", "#penalty-notice-heading"))
    return _case_page(request, case, section="notices", errors=_form_errors(form, "pn"), consideration_form=form)
