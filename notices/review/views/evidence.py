"""The evidence at hand for the LA officer deciding a penalty notice request or a prosecution referral: the
pupil's register (offence period and academic year, read-only) and the latest evidence bundle.

Scoped like the request and referral pages (their own selectors): an officer of another LA gets 404, school
staff 403. Every read is audited; making a bundle goes through the bundle's own service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from cases.audit import audit
from cases.errors import DomainError
from cases.models import Offence as OffenceRecord
from cases.permissions import is_la_officer_of
from cases.services.offence import offence_sentence
from notices import selectors
from notices.bundle import case_reference, evidence_bundle_generate, latest_bundle
from notices.review.evidence import register_evidence
from notices.review.views.referrals import _la_referral
from notices.review.views.requests import _la_request


def request_offence(pn_request, today):
    """The offence the request page states (notices.selectors.default_offence_period): the same answer here."""
    period = selectors.default_offence_period(pupil=pn_request.case.pupil, today=today, case=pn_request.case)
    return period.offence if period is not None else None


def _register_page(request, *, process, kind: str, offence, back_url: str, offence_source: str) -> HttpResponse:
    case, today = process.case, timezone.localdate()
    audit(request=request, action=f"{kind}.register.view", pupil=case.pupil,
          detail=f"{kind} {process.pk}" + (f": offence {offence.pk}" if isinstance(offence, OffenceRecord) else ""))
    return render(request, "notices/la_register.html", {
        "local_authority": case.school.local_authority, "case": case, "pupil": case.pupil, "process": process,
        "kind": kind, "back_url": back_url, "offence": offence, "offence_source": offence_source,
        "offence_sentence": offence_sentence(offence) if offence is not None else "",
        **register_evidence(pupil=case.pupil, offence=offence, today=today),
    })


@login_required
@require_GET
def la_request_register(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    pn_request = _la_request(request.user, code, pk)
    offence = request_offence(pn_request, timezone.localdate())
    source = ("as stored with the notice to improve it follows" if isinstance(offence, OffenceRecord)
              else "as the request page states it, from the register today")
    return _register_page(request, process=pn_request, kind="pn_request", offence=offence, offence_source=source,
                          back_url=reverse("pn_requests:la_detail", kwargs={"code": code, "pk": pk}))


@login_required
@require_GET
def la_referral_register(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    referral = _la_referral(request.user, code, pk)
    return _register_page(request, process=referral, kind="referral", offence=referral.offence_record,
                          offence_source="as stored when the school referred the case",
                          back_url=reverse("referrals:la_detail", kwargs={"code": code, "pk": pk}))


def _pdf(request, bundle, case, detail: str) -> HttpResponse:
    audit(request=request, action="bundle.download", pupil=case.pupil,
          detail=f"letter {bundle.pk}: {bundle.subject_key} v{bundle.version} sha256 {bundle.sha256[:12]} ({detail})")
    filename = slugify(f"evidence bundle {case_reference(case)} {case.pupil} v{bundle.version}") + ".pdf"
    response = HttpResponse(bytes(bundle.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def la_request_bundle_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The case's latest evidence bundle, for the officers of the LA the request was sent to."""
    pn_request = _la_request(request.user, code, pk)
    bundle = latest_bundle(case=pn_request.case)
    if bundle is None:
        raise Http404("No evidence bundle has been made for this case yet.")
    return _pdf(request, bundle, pn_request.case, f"request {pn_request.pk}")


@login_required
@require_POST
def la_request_bundle_make(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The officer deciding the request makes a new bundle (the school made none since it sent the request)."""
    pn_request = _la_request(request.user, code, pk)
    case = pn_request.case
    if not is_la_officer_of(request.user, case.school.local_authority):
        raise PermissionDenied("Only the local authority's attendance officers make an evidence bundle.")
    offence = request_offence(pn_request, timezone.localdate())
    try:
        bundle = evidence_bundle_generate(case=case, by=request.user,
                                          offence=offence if isinstance(offence, OffenceRecord) else None)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Evidence bundle version {bundle.version} made")
    return redirect("pn_requests:la_detail", code=code, pk=pk)


@login_required
@require_GET
def la_referral_latest_bundle_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The case's latest evidence bundle, when the school made a newer version after it referred the case (the
    referral's own stays at referrals:la_bundle)."""
    referral = _la_referral(request.user, code, pk)
    bundle = latest_bundle(case=referral.case)
    if bundle is None:
        raise Http404("No evidence bundle has been made for this case yet.")
    return _pdf(request, bundle, referral.case, f"referral {referral.pk}, latest")
