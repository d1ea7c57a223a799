"""Making the bundle: its content from every section, stored as a versioned PDF addressed to the LA."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import Case, EventKind, Offence
from cases.permissions import can_move_case, require
from cases.selectors import pupil_marks
from cases.services.chronology import case_event_record
from notices.bundle._common import BUNDLE_TEMPLATE, SECTIONS
from notices.bundle.attendance import OffencePeriodChoice, _attendance, _register, offence_period_default
from notices.bundle.case_record import _adjustments, _chronology, _cover, _meetings, _notices, _support
from notices.letters import VERSION_RETRIES, json_faithful, render_pdf
from notices.models import Letter

BUNDLE_TITLE = "Evidence bundle"
SECURITY_MARKING = "OFFICIAL-SENSITIVE"  # Government Security Classifications: personal data about a child


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


def bundle_context(*, case: Case, by, offence_from: date | None = None, offence_to: date | None = None,
                   now: datetime | None = None, offence: Offence | None = None) -> dict:
    """Everything the bundle shows, as plain values (dates stay dates): what the template renders and,
    in its JSON form, what the stored record keeps."""
    if (offence_from is None) != (offence_to is None):
        raise BundleRefused("Give both the first and the last date of the offence period, or neither.")
    if offence_from is not None and offence_to is not None and offence_from > offence_to:
        raise BundleRefused("The offence period must end on or after the day it starts.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    if offence_from is not None and offence_from > today:
        raise BundleRefused("The offence period cannot start after today.")
    pupil = case.pupil
    conduct = pupil.school.local_authority.conduct()
    # The pupil's whole register: the rolling windows may reach back over any gap (domain.md 2).
    marks = pupil_marks(pupil=pupil, as_of=today)
    period = (OffencePeriodChoice(offence_from, offence_to, "chosen by the person who made this bundle")
              if offence_from is not None and offence_to is not None
              else offence_period_default(case=case, marks=marks, today=today, offence=offence))
    attendance = _attendance(case, marks, period, conduct, today)
    return {
        "title": BUNDLE_TITLE,
        "security_marking": SECURITY_MARKING,
        "sections": [{"id": key, "number": n, "title": title} for n, (key, title) in enumerate(SECTIONS, start=1)],
        "cover": _cover(case, period, by, now),
        "attendance": attendance,
        "register": _register(case, marks, attendance["counted"], period),
        "chronology": _chronology(case),
        "support": _support(case),
        "meetings": _meetings(case),
        "adjustments": _adjustments(case),
        "notices": _notices(case),
    }


def evidence_bundle_generate(*, case: Case, by, offence_from: date | None = None,
                             offence_to: date | None = None, offence: Offence | None = None) -> Letter:
    """Renders the case's evidence bundle and stores it as the next version, addressed to the LA.

    Only the school's DSL or attendance officer make it. Nothing stored is ever changed: a new bundle is a
    new version beside the old. Writes a chronology entry and an audit event.
    """
    require(can_move_case(by, case.pupil), "make an evidence bundle")
    now = timezone.now()
    context = bundle_context(case=case, by=by, offence_from=offence_from, offence_to=offence_to, now=now,
                             offence=offence)
    stored = json_faithful(context)
    pdf = render_pdf(render_to_string(BUNDLE_TEMPLATE, context))
    digest = hashlib.sha256(pdf).hexdigest()
    recipient = f"la:{case.school.local_authority.code}"
    subject_key = bundle_subject_key(case)
    period = context["cover"]

    for attempt in range(VERSION_RETRIES):
        try:
            with transaction.atomic():
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
                return letter
        except IntegrityError:
            if attempt == VERSION_RETRIES - 1:
                raise
    raise AssertionError("unreachable")
