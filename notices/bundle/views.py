"""The evidence bundle's two endpoints: make a new version (POST) and download the latest (GET).

Thin: the scoped selector finds the case (another school's is 404, a role outside casework 403), the
service makes and stores the bundle; every download is audited.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from cases.audit import audit
from cases.errors import DomainError
from cases.permissions import can_move_case
from cases.selectors import case_for_user
from notices.bundle import case_reference, evidence_bundle_generate, latest_bundle


class EvidenceBundleForm(forms.Form):
    """The offence period, when the person making the bundle chooses it (both dates, or neither)."""

    offence_from = forms.DateField(required=False, label="First day of the offence period")
    offence_to = forms.DateField(required=False, label="Last day of the offence period")


def _to_bundle_section(case):
    return redirect(reverse("case_documents", kwargs={"pk": case.pk}) + "#evidence-bundle-heading")


@login_required
@require_POST
def evidence_bundle_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_for_user(user=request.user, pk=case_pk)
    if not can_move_case(request.user, case.pupil):
        raise PermissionDenied("Your role does not include making the evidence bundle.")
    form = EvidenceBundleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the offence period's dates as real dates, e.g. 2026-09-07.")
        return _to_bundle_section(case)
    try:
        bundle = evidence_bundle_generate(case=case, by=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Evidence bundle version {bundle.version} made")
    return _to_bundle_section(case)


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
