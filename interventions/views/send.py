"""SEND pages: reasonable adjustments and their reviews, the EHC plan notification, the SENCo's register."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.audit import audit, audit_list
from cases.csv_export import Column, csv_response
from cases.permissions import can_record_adjustment
from interventions import forms, selectors, services
from interventions.models import AdjustmentStatus
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


# --- the SENCo's register -----------------------------------------------------------------------------------


ADJUSTMENTS_PER_PAGE = 50


@login_required
@require_GET
def adjustment_register(request: HttpRequest, urn: str) -> HttpResponse:
    school = selectors.adjustment_register_school_for_user(user=request.user, urn=urn)
    today = timezone.localdate()
    form = forms.AdjustmentRegisterFilterForm(request.GET or None)
    page = Paginator(selectors.adjustment_register(school=school, today=today, **form.filters()),
                     ADJUSTMENTS_PER_PAGE).get_page(request.GET.get("page"))
    audit(request=request, action="adjustments.register.view", school=school, detail=f"{page.paginator.count} rows")
    return render(request, "interventions/adjustment_register.html", {
        "school": school, "form": form, "today": today, "page": page, "adjustments": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "is_filtered": form.is_filtered(),
    })


ADJUSTMENT_COLUMNS = [
    Column("upn", "pupil.upn"),
    Column("surname", "pupil.surname"),
    Column("forename", "pupil.forename"),
    Column("year_group", "pupil.year_group"),
    Column("sen_status", "pupil.sen_status"),
    Column("fsm", "pupil.fsm"),
    Column("area"),
    Column("description"),
    Column("barrier"),
    Column("agreed_with"),
    Column("starts_on"),
    Column("review_on"),
    Column("status"),
    Column("review_overdue", lambda a: a.status != AdjustmentStatus.ENDED and a.review_on < timezone.localdate()),
]


@login_required
@require_GET
def adjustment_register_csv(request: HttpRequest, urn: str):
    school = selectors.adjustment_register_school_for_user(user=request.user, urn=urn)
    today = timezone.localdate()
    adjustments = selectors.adjustment_register(
        school=school, today=today, **forms.AdjustmentRegisterFilterForm(request.GET or None).filters())
    audit_list(request, "adjustments.register.export", school=school, count=adjustments.count())
    return csv_response(filename=f"adjustments-{school.urn}-{today.isoformat()}.csv", columns=ADJUSTMENT_COLUMNS,
                        rows=adjustments.iterator(chunk_size=500))
