"""Part-time timetable pages (code C2): start, review, end, the LA told of each, and sickness returns."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from cases.permissions import can_record_support
from interventions import forms, selectors, services
from interventions.models import NotificationKind
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
