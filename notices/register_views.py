"""The LA's register of penalty notices (Penalty Notices Regulations): the page and the CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.audit import audit
from cases.selectors import local_authority_for_user
from notices import selectors
from notices.models import PenaltyNotice
from notices.penalty_views import NOTICES_PER_PAGE

REGISTER_COLUMNS = [
    "reference", "school_urn", "school_name", "pupil_upn", "pupil_name", "parent_name", "parent_ref",
    "issued_on", "received_on", "sequence", "amount_full", "amount_reduced", "reduced_by", "full_by", "state",
    "paid_on", "paid_amount", "withdrawn_on", "withdrawn_reason", "referred_on", "offence_from", "offence_to",
    "imported", "letter_sha256",
]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def register_row(notice: PenaltyNotice) -> list[str]:
    pupil, parent, school = notice.pupil, notice.parent, notice.pupil.school
    return [
        notice.reference, school.urn, _text(school.name), pupil.upn, _text(f"{pupil.forename} {pupil.surname}"),
        _text(f"{parent.forename} {parent.surname}"), _text(parent.parent_ref),
        _cell(notice.issued_on), _cell(notice.received_on), _cell(notice.sequence), _cell(notice.amount_full),
        _cell(notice.amount_reduced), _cell(notice.reduced_by), _cell(notice.full_by), notice.state,
        _cell(notice.paid_on), _cell(notice.paid_amount), _cell(notice.withdrawn_on), _text(notice.withdrawn_reason),
        _cell(notice.referred_on), _cell(notice.offence_from), _cell(notice.offence_to),
        "Y" if notice.imported else "N", notice.letter_sha256 or "",
    ]


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


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
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(REGISTER_COLUMNS)
        for notice in notices.iterator(chunk_size=500):
            yield writer.writerow(register_row(notice))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"penalty-notices-{local_authority.code}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
