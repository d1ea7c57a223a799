"""The LA's register of penalty notices (Penalty Notices Regulations): the page and the CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.audit import audit
from cases.csv_export import Column, csv_response
from cases.selectors import local_authority_for_user
from notices import selectors
from notices.penalty.views import NOTICES_PER_PAGE

# The register's columns (their names are a stable interface for the LA's own tools). Every cell goes through
# cases.csv_export: text made safe from formulas, dates ISO, numbers plain, Y/N, and the state as its label.
REGISTER_EXPORT = (
    Column("reference"), Column("school_urn", "pupil.school.urn"), Column("school_name", "pupil.school.name"),
    Column("pupil_upn", "pupil.upn"), Column("pupil_name", lambda n: f"{n.pupil.forename} {n.pupil.surname}"),
    Column("parent_name", lambda n: f"{n.parent.forename} {n.parent.surname}"),
    Column("parent_ref", "parent.parent_ref"), Column("issued_on"), Column("received_on"), Column("sequence"),
    Column("amount_full"), Column("amount_reduced"), Column("reduced_by"), Column("full_by"), Column("state"),
    Column("paid_on"), Column("paid_amount"), Column("withdrawn_on"), Column("withdrawn_reason"),
    Column("referred_on"), Column("offence_from"), Column("offence_to"), Column("imported"),
    Column("letter_sha256"),
)
REGISTER_COLUMNS = [column.header for column in REGISTER_EXPORT]


@login_required
@require_GET
def la_register(request: HttpRequest, code: str) -> HttpResponse:
    local_authority = local_authority_for_user(user=request.user, code=code)
    audit(request=request, action="penalty_notice.register", detail=f"LA {local_authority.code}: register viewed")
    page = Paginator(selectors.penalty_register(local_authority=local_authority), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notices/penalty/register.html", {"local_authority": local_authority, "page": page})


@login_required
@require_GET
def la_register_csv(request: HttpRequest, code: str) -> StreamingHttpResponse:
    local_authority = local_authority_for_user(user=request.user, code=code)
    audit(request=request, action="penalty_notice.register", detail=f"LA {local_authority.code}: register CSV downloaded")
    notices = selectors.penalty_register(local_authority=local_authority)
    filename = f"penalty-notices-{local_authority.code}-{timezone.localdate().isoformat()}.csv"
    return csv_response(filename=filename, columns=REGISTER_EXPORT, rows=notices.iterator(chunk_size=500))
