"""Making the bundle: its content from every section, stored as a versioned PDF addressed to the LA."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import Case, EventKind, Offence
from cases.permissions import can_move_case, is_la_officer_of, require
from cases.selectors import pupil_marks
from cases.services.chronology import case_event_record
from notices.bundle._common import BUNDLE_TEMPLATE, SECTION_NUMBER, SECTIONS
from notices.bundle.attendance import OffencePeriodChoice, _attendance, _register, offence_period_default
from notices.bundle.case_record import (
    _adjustments,
    _chronology,
    _contacts,
    _cover,
    _meetings,
    _notices,
    _support,
)
from notices.bundle.models import BundleStatus, EvidenceBundleRun
from notices.bundle.served import ServedCopy, number_copies, served_copies
from notices.letters.store import VERSION_RETRIES, json_faithful
from notices.models import Letter

BUNDLE_TITLE = "Evidence bundle"
SECURITY_MARKING = "OFFICIAL-SENSITIVE"  # Government Security Classifications: personal data about a child
NUMBERING_PASSES = 4


class BundleRefused(DomainError):
    """The bundle cannot be made as asked (e.g. an offence period that ends before it starts)."""


def bundle_subject_key(case: Case) -> str:
    return f"bundle:case:{case.pk}"


def latest_bundle(*, case: Case) -> Letter | None:
    return (
        Letter.objects.filter(case=case, subject_key=bundle_subject_key(case), template=BUNDLE_TEMPLATE)
        .order_by("-version")
        .first()
    )


def offence_period_check(*, offence_from: date | None, offence_to: date | None, today: date) -> None:
    """Refuses an offence period the bundle cannot be made for: checked when the bundle is asked for, so the
    page says so at once, and again when it is made."""
    if (offence_from is None) != (offence_to is None):
        raise BundleRefused("Give both the first and the last date of the offence period, or neither.")
    if offence_from is not None and offence_to is not None and offence_from > offence_to:
        raise BundleRefused("The offence period must end on or after the day it starts.")
    if offence_from is not None and offence_from > today:
        raise BundleRefused("The offence period cannot start after today.")


def bundle_context(*, case: Case, by, offence_from: date | None = None, offence_to: date | None = None,
                   now: datetime | None = None, offence: Offence | None = None,
                   copies: list[ServedCopy] | None = None) -> dict:
    """Everything the bundle shows, as plain values (dates stay dates): what the template renders and,
    in its JSON form, what the stored record keeps. ``copies``: the letters served, when already read."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    offence_period_check(offence_from=offence_from, offence_to=offence_to, today=today)
    pupil = case.pupil
    conduct = pupil.school.local_authority.conduct()
    # The pupil's whole register: the rolling windows may reach back over any gap (domain.md 2).
    marks = pupil_marks(pupil=pupil, as_of=today)
    period = (OffencePeriodChoice(offence_from, offence_to, "chosen by the person who made this bundle")
              if offence_from is not None and offence_to is not None
              else offence_period_default(case=case, marks=marks, today=today, offence=offence))
    attendance = _attendance(case, marks, period, conduct, today)
    sections = [{"id": key, "number": n, "title": title} for n, (key, title) in enumerate(SECTIONS, start=1)]
    return {
        "title": BUNDLE_TITLE,
        "security_marking": SECURITY_MARKING,
        "sections": sections,
        # The same sections by key, so a template names "section.register.number" and not a position.
        "section": {entry["id"]: entry for entry in sections},
        "cover": _cover(case, period, by, now),
        "attendance": attendance,
        "register": _register(case, marks, attendance["counted"], period),
        "chronology": _chronology(case),
        "support": _support(case),
        "meetings": _meetings(case),
        "contacts": _contacts(case, now),
        "adjustments": _adjustments(case),
        "notices": _notices(case),
        "copies": {"items": [copy.entry for copy in (served_copies(case) if copies is None else copies)],
                   "own_pages": None,
                   "first_copy_page": None, "total_pages": None},
    }


def bundle_pdf(context: dict, copies: list[ServedCopy]) -> bytes:
    """The bundle's own pages rendered from ``context``, then the stored PDFs of ``copies`` appended unchanged,
    each with a bookmark under the copies section.

    The table of copies gives the pages of the file each copy takes, which depend on how many pages the
    bundle's own part has: it is rendered again with the numbers until that count settles (the numbers are
    a few digits in a table, so a second pass almost always agrees). ``context["copies"]`` is filled in.
    """
    from weasyprint import HTML

    numbers = context["copies"]
    document = HTML(string=render_to_string(BUNDLE_TEMPLATE, context)).render()
    own_pages: int | None = None
    for _ in range(NUMBERING_PASSES):
        if len(document.pages) == own_pages:
            break
        own_pages = len(document.pages)
        total = number_copies(numbers["items"], own_pages)
        numbers.update(own_pages=own_pages, first_copy_page=own_pages + 1, total_pages=total)
        if not copies:
            break
        document = HTML(string=render_to_string(BUNDLE_TEMPLATE, context)).render()
    if copies and len(document.pages) != own_pages:
        raise RuntimeError("The evidence bundle's page numbers did not settle; make it again.")
    own = document.write_pdf()
    if not copies:
        return own

    # append (not clone_from) makes the bookmarks tree objects the copies' bookmarks can hang under.
    rendered = PdfReader(io.BytesIO(own))
    writer = PdfWriter()
    writer.append(rendered)
    if rendered.metadata:
        writer.add_metadata(rendered.metadata)
    section = _outline_item(writer, f"{SECTION_NUMBER['copies']}. {dict(SECTIONS)['copies']}")
    for copy in copies:
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(bytes(copy.letter.pdf))), import_outline=False)
        writer.add_outline_item(title=f"{copy.entry['number']}. {copy.entry['title']}: {copy.entry['to']}",
                                page_number=start, parent=section)
    merged = io.BytesIO()
    writer.write(merged)
    return merged.getvalue()


def _outline_item(writer: PdfWriter, title: str):
    """The top-level bookmark with this title, as the parent of the copies' bookmarks (None: top level)."""
    outlines = writer.get_outline_root()
    node = outlines.raw_get("/First") if "/First" in outlines else None
    while node is not None:
        item = node.get_object()
        if item.get("/Title") == title:
            return node
        node = item.raw_get("/Next") if "/Next" in item else None
    return None


def la_may_make_bundle(user, case: Case) -> bool:
    """An officer of the case's LA may make its bundle while deciding: only for a case the school has
    sent to that LA (a penalty notice request or a prosecution referral)."""
    return is_la_officer_of(user, case.school.local_authority_id) and (
        case.pn_requests.exists() or case.prosecution_referrals.exists()
    )


def evidence_bundle_generate(*, case: Case, by, offence_from: date | None = None,
                             offence_to: date | None = None, offence: Offence | None = None,
                             run_id: int | None = None) -> Letter:
    """Renders the case's evidence bundle and stores it as the next version, addressed to the LA.

    The school's DSL or attendance officer make it, and an officer of the LA the school sent the case to
    (la_may_make_bundle). Nothing stored is ever changed: a new bundle is a new version beside the old.
    Writes a chronology entry and an audit event. With ``run_id`` (the worker making an EvidenceBundleRun) the
    bundle is stored and the run marked done in one transaction, under a lock on the run: a second delivery of
    the same run finds the bundle stored and returns it, not a new version.
    """
    require(can_move_case(by, case.pupil) or la_may_make_bundle(by, case), "make an evidence bundle")
    now = timezone.now()
    copies = served_copies(case)
    context = bundle_context(case=case, by=by, offence_from=offence_from, offence_to=offence_to, now=now,
                             offence=offence, copies=copies)
    pdf = bundle_pdf(context, copies)
    stored = json_faithful(context)
    digest = hashlib.sha256(pdf).hexdigest()
    recipient = f"la:{case.school.local_authority.code}"
    subject_key = bundle_subject_key(case)
    period = context["cover"]

    for attempt in range(VERSION_RETRIES):
        try:
            with transaction.atomic():
                run = None
                if run_id is not None:
                    run = EvidenceBundleRun.objects.select_for_update().get(pk=run_id)
                    if run.bundle_id is not None:
                        return run.bundle
                previous = Letter.objects.filter(subject_key=subject_key, recipient=recipient).aggregate(
                    v=Max("version"))["v"]
                letter = Letter.objects.create(
                    pupil=case.pupil, case=case, parent=None, recipient=recipient, template=BUNDLE_TEMPLATE,
                    subject_key=subject_key, version=(previous or 0) + 1, title=BUNDLE_TITLE, pdf=pdf,
                    sha256=digest, context=stored, generated_by=by, generated_at=now,
                )
                case_event_record(
                    case=case, kind=EventKind.LETTER, by=by, at=now,
                    summary=f"Evidence bundle for the LA made (version {letter.version})",
                    reason=f"Offence period {long_date(period['offence_from'])} to {long_date(period['offence_to'])}: "
                           f"{period['offence_source']}",
                    evidence=[f"letter:{letter.pk}"],
                )
                audit(user=by, action="bundle.generate", pupil=case.pupil,
                      detail=f"letter {letter.pk}: {subject_key} v{letter.version} sha256 {digest[:12]}")
                if run is not None:
                    run.bundle, run.status, run.finished_at, run.error = letter, BundleStatus.DONE, timezone.now(), ""
                    run.save(update_fields=["bundle", "status", "finished_at", "error"])
                return letter
        except IntegrityError:
            if attempt == VERSION_RETRIES - 1:
                raise
    raise AssertionError("unreachable")
