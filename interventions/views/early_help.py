"""Early help pages: recording a referral or early help plan, and its outcome."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cases.permissions import can_record_support
from interventions import forms, selectors, services
from interventions.views._common import (
    _case_context,
    _case_for_support,
    _case_url,
    _form_page,
    _posted,
    _refuse_unless,
    get_or_post,
)


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
