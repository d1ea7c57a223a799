"""Leave of absence pages: recording a request for term-time leave, and the headteacher's decision."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cases.permissions import can_record_support
from interventions import forms, selectors, services
from interventions.views._common import (
    _form_page,
    _posted,
    _pupil_context,
    _pupil_for,
    _pupil_return_url,
    _refuse_unless,
    get_or_post,
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
    school_days = services.term_time_days(school=leave.pupil.school, first_day=leave.first_day,
                                          last_day=leave.last_day)
    if not school_days:
        term_note = ("The school is closed on every day asked for (school holidays): no leave is needed. "
                     "The decision is recorded as not needed, and the parents are told so.")
    else:
        term_note = (f"The school is open on {len(school_days)} of the days asked for: the decision covers only "
                     "those days. Leave in term time is granted only in exceptional circumstances.")
    return _form_page(
        request, form=form, success="Decision recorded", done_url=lambda: _pupil_return_url(leave.pupil),
        save=lambda c: services.leave_request_decide(leave=leave, by=request.user, **c),
        context=_pupil_context(
            leave.pupil, title="Decide the request for leave of absence", submit="Record decision",
            intro=[f"{leave.requested_by} asked for leave from {leave.first_day:%-d %B %Y} to "
                   f"{leave.last_day:%-d %B %Y}: {leave.reason}",
                   term_note],
        ),
    )
