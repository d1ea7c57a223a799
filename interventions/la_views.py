"""The LA officer's list of notifications from the LA's schools that wait for an acknowledgement.

Thin: the scoped selector finds the LA or the notification (an officer of another LA gets 404, school staff
403), a form validates, one service writes.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases.audit import audit, audit_list
from cases.errors import DomainError
from cases.selectors import local_authority_for_user
from interventions import forms, selectors, services
from interventions.models import NotificationKind


def _filters(data, schools) -> tuple[str, str]:
    """The kind and the school the list is filtered to, from a query or the acknowledge form; unknown ones dropped."""
    kind = data.get("kind", "")
    if kind not in NotificationKind.values:
        kind = ""
    school_urn = data.get("school", "")
    if school_urn not in {s.urn for s in schools}:
        school_urn = ""
    return kind, school_urn


def _notifications_page(request: HttpRequest, local_authority, data, *, refused=None) -> HttpResponse:
    """The list, filtered by ``data``; ``refused`` is (notification, note typed, message) when a note was refused."""
    schools = list(local_authority.schools.order_by("name"))
    kind, school_urn = _filters(data, schools)
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
        "refused_pk": refused[0].pk if refused else None,
        "refused_note": refused[1] if refused else "",
        "refused_message": refused[2] if refused else "",
        "errors": [(f"note-{refused[0].pk}", refused[2])] if refused else [],
    })


@login_required
@require_GET
def la_notifications(request: HttpRequest, code: str) -> HttpResponse:
    local_authority = local_authority_for_user(user=request.user, code=code)
    audit_list(request, "la_notifications.list", detail=f"LA {local_authority.code}")
    return _notifications_page(request, local_authority, request.GET)


@login_required
@require_POST
def la_notification_acknowledge(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    notification = selectors.la_notification_for_user(user=request.user, code=code, pk=pk)
    local_authority = local_authority_for_user(user=request.user, code=code)
    form = forms.LANotificationAcknowledgeForm(request.POST)
    if not form.is_valid():
        # Shown on the list as a GOV.UK error, by the note, with what was typed: the officer shortens it.
        limit = form.fields["note"].max_length
        message = (f"The note on the {notification.get_kind_display().lower()} for {notification.pupil} "
                   f"must be {limit} characters or less")
        return _notifications_page(request, local_authority, request.POST,
                                   refused=(notification, request.POST.get("note", ""), message))
    try:
        services.la_notification_acknowledge(notification=notification, by=request.user,
                                             note=form.cleaned_data["note"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{notification.get_kind_display()} for {notification.pupil} acknowledged")
    # Back to the list as the officer filtered it.
    kind, school_urn = _filters(request.POST, local_authority.schools.all())
    query = urlencode({k: v for k, v in (("kind", kind), ("school", school_urn)) if v})
    url = reverse("interventions:la_notifications", kwargs={"code": code})
    return redirect(f"{url}?{query}" if query else url)
