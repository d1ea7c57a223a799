"""The LA officer's list of notifications from the LA's schools that wait for an acknowledgement.

Thin: the scoped selector finds the LA or the notification (an officer of another LA gets 404, school staff
403), a form validates, one service writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases.audit import audit
from cases.errors import DomainError
from cases.selectors import local_authority_for_user
from interventions import forms, selectors, services
from interventions.models import NotificationKind


@login_required
@require_GET
def la_notifications(request: HttpRequest, code: str) -> HttpResponse:
    local_authority = local_authority_for_user(user=request.user, code=code)
    schools = list(local_authority.schools.order_by("name"))
    school_urn = request.GET.get("school", "")
    if school_urn not in {s.urn for s in schools}:
        school_urn = ""
    kind = request.GET.get("kind", "")
    if kind not in NotificationKind.values:
        kind = ""
    waiting = selectors.la_notifications_waiting(
        local_authority=local_authority, today=timezone.localdate(), kind=kind, school_urn=school_urn
    )
    audit(request=request, action="la_notifications.view", detail=f"LA {local_authority.code}")
    return render(request, "interventions/la_notifications.html", {
        "local_authority": local_authority,
        "service_level": local_authority.conduct().la_response_days,
        "waiting": waiting,
        "overdue_count": sum(1 for w in waiting if w.overdue),
        "schools": schools,
        "school_urn": school_urn,
        "kinds": NotificationKind.choices,
        "kind": kind,
        "filtered": bool(kind or school_urn),
        "form": forms.LANotificationAcknowledgeForm(),
    })


@login_required
@require_POST
def la_notification_acknowledge(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    notification = selectors.la_notification_for_user(user=request.user, code=code, pk=pk)
    form = forms.LANotificationAcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long.")
    else:
        try:
            services.la_notification_acknowledge(notification=notification, by=request.user,
                                                 note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{notification.get_kind_display()} for {notification.pupil} acknowledged")
    return redirect("interventions:la_notifications", code=code)
