"""The meetings screens. Thin: a scoped selector finds the case or meeting, a form validates, one service writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.audit import audit
from cases.errors import DomainError
from cases.form_fields import add_refusal
from cases.permissions import can_record_support
from cases.selectors import case_for_user
from meetings import selectors, services
from meetings.contacts import contact_summary
from meetings.forms import (
    SOMEONE_ELSE,
    AgreedActionForm,
    ContactForm,
    MeetingCancelForm,
    MeetingPlanForm,
    MeetingRecordForm,
)
from meetings.models import MeetingStatus


def _require_writer(user, pupil) -> None:
    if not can_record_support(user, pupil):
        raise PermissionDenied("Your role does not include planning or recording meetings.")


def _to_case(case):
    return redirect("case_meetings", case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_plan(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for_user(user=request.user, pk=case_pk)
    _require_writer(request.user, case.pupil)
    form = MeetingPlanForm(request.POST or None, parent_links=selectors.invitable_parents(case=case))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_plan(
                case=case,
                kind=form.cleaned_data["kind"],
                starts_at=form.cleaned_data["starts_at"],
                location=form.cleaned_data["location"],
                parents=form.selected_parents(),
                pupil_attends=form.cleaned_data["pupil_attends"] == "yes",
                others=form.others(),
                invite_parents=form.cleaned_data["invite_parents"],
                by=request.user,
            )
        except DomainError as error:
            add_refusal(form, error)
        else:
            done = f"{services.first_upper(services.describe(meeting))} planned"
            if form.cleaned_data["invite_parents"] and form.selected_parents():
                done += ", and invitation letters created"
            messages.success(request, done)
            return _to_case(case)
    return render(request, "meetings/plan.html", {"case": case, "pupil": case.pupil, "form": form})


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    audit(request=request, action="meeting.view", pupil=meeting.case.pupil, detail=f"meeting {meeting.pk}")
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "case": meeting.case,
            "pupil": meeting.case.pupil,
            "attendees": list(meeting.attendees.all()),
            "actions": meeting.actions.order_by("due_on", "id"),
            "letters": selectors.meeting_letters(meeting=meeting),
            "cancellation": selectors.meeting_cancellation(meeting=meeting),
            "can_write": can_record_support(request.user, meeting.case.pupil),
            "kind_name": services.kind_name(meeting.kind),
            "three_parts": meeting.kind in services.KINDS_WITH_THREE_PART_NOTES,
        },
    )


@login_required
@require_POST
def meeting_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    _require_writer(request.user, meeting.case.pupil)
    try:
        letters = services.meeting_invitations_generate(meeting=meeting, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("meetings:detail", meeting.pk)
    names = ", ".join(letter.context["recipient_name"] for letter in letters)
    messages.success(request, f"Invitation letters created for {names}")
    return _to_case(meeting.case)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    _require_writer(request.user, meeting.case.pupil)
    if meeting.status != MeetingStatus.PLANNED:
        messages.error(request, f"This meeting is already {meeting.get_status_display().lower()}.")
        return redirect("meetings:detail", meeting.pk)
    form = MeetingRecordForm(request.POST or None, meeting=meeting, attendees=list(meeting.attendees.all()))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(
                meeting=meeting,
                attendance=form.attendance(),
                barriers_discussed=form.cleaned_data["barriers_discussed"],
                what_is_working=form.cleaned_data["what_is_working"],
                what_we_are_worried_about=form.cleaned_data["what_we_are_worried_about"],
                what_needs_to_happen=form.cleaned_data["what_needs_to_happen"],
                notes=form.cleaned_data["notes"],
                by=request.user,
            )
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, f"Meeting on {services.long_date(meeting.starts_at)} recorded")
            return _to_case(meeting.case)
    return render(
        request,
        "meetings/record.html",
        {"meeting": meeting, "case": meeting.case, "pupil": meeting.case.pupil, "form": form,
         "kind_name": services.kind_name(meeting.kind)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    _require_writer(request.user, meeting.case.pupil)
    form = AgreedActionForm(request.POST or None, owners=selectors.action_owners(case=meeting.case))
    if request.method == "POST" and form.is_valid():
        try:
            action = services.meeting_action_add(
                meeting=meeting,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                owner_user=form.cleaned_data["owner_user_obj"],
                due_on=form.cleaned_data["due_on"],
                by=request.user,
            )
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, f"Action added: {action.description} ({action.owner}, due {services.long_date(action.due_on)})")
            return _to_case(meeting.case)
    return render(
        request,
        "meetings/action_form.html",
        {"meeting": meeting, "case": meeting.case, "pupil": meeting.case.pupil, "form": form,
         "kind_name": services.kind_name(meeting.kind)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    _require_writer(request.user, meeting.case.pupil)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, f"Meeting on {services.long_date(meeting.starts_at)} cancelled")
            return _to_case(meeting.case)
    return render(
        request,
        "meetings/cancel.html",
        {"meeting": meeting, "case": meeting.case, "pupil": meeting.case.pupil, "form": form,
         "kind_name": services.kind_name(meeting.kind)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_record(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for_user(user=request.user, pk=case_pk)
    if not can_record_support(request.user, case.pupil):
        raise PermissionDenied("Your role does not include recording contacts with the family.")
    if not case.is_open:
        messages.error(request, "This case is closed. Open a new case to record a contact.")
        return _to_case(case)
    form = ContactForm(request.POST or None, parent_links=selectors.invitable_parents(case=case),
                       makers=selectors.contact_makers(case=case), by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_record(
                case=case,
                by=request.user,
                made_at=form.cleaned_data["made_at"],
                method=form.cleaned_data["method"],
                outcome=form.cleaned_data["outcome"],
                parent=form.parent(),
                other_name=form.cleaned_data["other_name"],
                other_role=form.cleaned_data["other_role"],
                made_by=form.maker(),
                summary=form.cleaned_data["summary"],
                follow_up=form.cleaned_data["follow_up"],
                follow_up_on=form.cleaned_data["follow_up_on"],
            )
        except DomainError as error:
            add_refusal(form, error)
        else:
            messages.success(request, f"Contact recorded: {contact_summary(contact)}")
            return redirect(reverse("case_chronology", kwargs={"pk": case.pk}) + "#contacts-heading")
    else:
        audit(request=request, action="contact.form", pupil=case.pupil, detail=f"case {case.pk}")
    return render(request, "meetings/contact_form.html",
                  {"case": case, "pupil": case.pupil, "form": form, "someone_else": SOMEONE_ELSE})
