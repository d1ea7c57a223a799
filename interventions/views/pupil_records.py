"""The pupil's support page: every pupil-level record, whether or not there is an open case."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.audit import audit
from cases.permissions import can_record_adjustment, can_record_support
from cases.selectors import pupil_for_user
from interventions import selectors, services


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
