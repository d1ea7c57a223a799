"""The evidence bundle's pages: ask for a new version (made in the background), follow its progress, try a
failed or stuck one again, and download the latest.

Thin: the scoped selector finds the case (another school's is 404, a role outside casework 403), the
services record the request and queue it; every page read and every download is audited.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.audit import audit
from cases.errors import DomainError
from cases.permissions import can_move_case
from cases.selectors import case_for_user
from notices.bundle import case_reference, latest_bundle
from notices.bundle.generate import BundleRefused, offence_period_check
from notices.bundle.models import BundleStatus
from notices.bundle.runs import (
    UNFINISHED,
    bundle_run_can_retry,
    bundle_run_for_case,
    bundle_run_is_stuck,
    evidence_bundle_request,
    evidence_bundle_retry,
)


class EvidenceBundleForm(forms.Form):
    """The offence period, when the person making the bundle chooses it (both dates, or neither)."""

    offence_from = forms.DateField(required=False, label="First day of the offence period",
                                   error_messages={"invalid": "Enter the first day as a real date, e.g. 2026-09-07"})
    offence_to = forms.DateField(required=False, label="Last day of the offence period",
                                 error_messages={"invalid": "Enter the last day as a real date, e.g. 2026-09-07"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("offence_from"), cleaned.get("offence_to")
        if self.errors:
            return cleaned
        try:
            offence_period_check(offence_from=start, offence_to=end, today=timezone.localdate())
        except BundleRefused as refusal:
            # On the field the refusal is about: the missing date, the start after today, or the end.
            field = ("offence_to" if end is None else "offence_from") if (start is None) != (end is None) else (
                "offence_from" if start is not None and start > timezone.localdate() else "offence_to")
            self.add_error(field, str(refusal))
        return cleaned


def _case_for_bundle_maker(request: HttpRequest, case_pk: int):
    case = case_for_user(user=request.user, pk=case_pk)
    if not can_move_case(request.user, case.pupil):
        raise PermissionDenied("Your role does not include making the evidence bundle.")
    return case


@login_required
@require_http_methods(["GET", "POST"])
def evidence_bundle_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    """GET: the offence period to choose; POST: the bundle is queued and its progress page follows."""
    case = _case_for_bundle_maker(request, case_pk)
    form = EvidenceBundleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run = evidence_bundle_request(case=case, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("bundles:run", case_pk=case.pk, pk=run.pk)
    audit(request=request, action="bundle.form", pupil=case.pupil, detail=f"case {case.pk}")
    return render(request, "notices/bundle/new.html", {"case": case, "pupil": case.pupil, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_GET
def evidence_bundle_run_detail(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """Where the bundle asked for has got to; the page polls itself until it is made or has failed."""
    case = _case_for_bundle_maker(request, case_pk)
    run = bundle_run_for_case(case=case, pk=pk)
    audit(request=request, action="bundle.run_view", pupil=case.pupil, detail=f"bundle run {run.pk}")
    latest = latest_bundle(case=case) if run.status == BundleStatus.DONE else None
    return render(request, "notices/bundle/run.html", {
        "case": case, "pupil": case.pupil, "run": run,
        "finished": run.status not in UNFINISHED,
        "stuck": bundle_run_is_stuck(run),
        "can_retry": bundle_run_can_retry(run),
        "stuck_minutes": settings.BUNDLE_STUCK_MINUTES,
        "is_latest": latest is not None and latest.pk == run.bundle_id,
    })


@login_required
@require_POST
def evidence_bundle_run_retry(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case_for_bundle_maker(request, case_pk)
    run = bundle_run_for_case(case=case, pk=pk)
    try:
        evidence_bundle_retry(run=run, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The evidence bundle is being made again.")
    return redirect("bundles:run", case_pk=case.pk, pk=run.pk)


@login_required
@require_GET
def evidence_bundle_pdf(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for_user(user=request.user, pk=case_pk)
    bundle = latest_bundle(case=case)
    if bundle is None:
        raise Http404("No evidence bundle has been made for this case yet.")
    audit(
        request=request,
        action="bundle.download",
        pupil=case.pupil,
        detail=f"letter {bundle.pk}: {bundle.subject_key} v{bundle.version} sha256 {bundle.sha256[:12]}",
    )
    filename = slugify(f"evidence bundle {case_reference(case)} {case.pupil} v{bundle.version}") + ".pdf"
    response = HttpResponse(bytes(bundle.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
