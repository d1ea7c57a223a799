"""The children-missing-education referral page: the school refers a pupil to the LA."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cases.permissions import can_refer_child_missing_education
from interventions import forms, services
from interventions.views._common import (
    _form_page,
    _posted,
    _pupil_context,
    _pupil_for,
    _pupil_return_url,
    get_or_post,
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
