"""The letter store: render a letter template to PDF and keep it, immutably, with what it was made from.

Every letter the casework sends goes through ``letter_generate``: the PDF, its sha256, the JSON
context and who made it are stored as a new ``Letter`` version. Regenerating makes a new version;
no row is ever updated, so what a parent received can always be shown again, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from cases import facts
from cases.audit import audit
from cases.context_processors import figures
from cases.errors import DomainError
from cases.models import Case, EventKind, Parent, Pupil
from cases.permissions import can_read_case
from cases.selectors import staff_profile
from cases.services.chronology import case_event_record
from notices.models import Letter, ServiceMethod

# Two people generating the same letter at once both read the same max version; the unique constraint
# refuses the second, which then reads again.
VERSION_RETRIES = 3


def json_faithful(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context as JSON values: dates and times as ISO 8601 strings, decimals as strings.

    Raises TypeError for anything else that JSON cannot hold (a model instance, say): pass its fields.
    """
    try:
        return json.loads(json.dumps(dict(context), cls=DjangoJSONEncoder))
    except TypeError as error:
        raise TypeError(f"A letter's context must hold plain values (strings, numbers, dates, lists): {error}") from None


def render_pdf(html: str) -> bytes:
    """HTML (with its print CSS) to PDF bytes. Imported late: WeasyPrint loads Pango on first import."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def _signatory(by) -> tuple[str, str]:
    name = by.get_full_name() or by.get_username()
    profile = getattr(by, "staff", None)
    return name, (profile.position if profile is not None else "")


def _address_lines(address: str) -> list[str]:
    return [line.strip() for line in address.replace(",", "\n").splitlines() if line.strip()]


class LetterNotServable(DomainError):
    """The letter or notice cannot reach the parent the way it would be served (no address to post it to,
    or email the parent has not agreed to)."""


def require_servable(*, parent: Parent, method: str, what: str) -> None:
    """Refuses to serve ``what`` ("the penalty notice", "the letter") on ``parent`` by ``method`` when it cannot
    reach them: posting needs an address on record, email needs the parent's agreement and an email address."""
    if method == ServiceMethod.POST and not parent.address.strip():
        raise LetterNotServable(
            f"{what[0].upper()}{what[1:]} cannot be posted to {parent}: there is no address on their record. "
            f"Add an address for {parent} on their record, or hand {what} over in person."
        )
    if method == ServiceMethod.EMAIL and not (parent.email_service_agreed and parent.email.strip()):
        raise LetterNotServable(
            f"{what[0].upper()}{what[1:]} cannot be emailed to {parent}: they have not agreed to receive letters "
            f"and notices by email{'' if parent.email.strip() else ', and there is no email address on their record'}. "
            f"Post {what} or hand it over in person."
        )
    if method not in ServiceMethod.values:
        raise ValueError(f"Unknown method of service {method!r}: one of {', '.join(ServiceMethod.values)}.")


def letter_context(*, pupil: Pupil, parent: Parent | None, title: str, by, context: Mapping[str, Any],
                   letter_date: date | None = None) -> dict:
    """What the letter template receives: the caller's values plus the letterhead, recipient and signature.

    The letterhead (school, LA, date), the pupil's name, the title and the signatory always come from
    the records, never from the caller; the recipient's name and address default to the parent's. The
    letter's date is the day it is made unless the caller gives the date of issue it carries.
    """
    signatory_name, signatory_position = _signatory(by)
    full = dict(context)
    if parent is not None:
        full.setdefault("recipient_name", f"{parent.forename} {parent.surname}")
        full.setdefault("recipient_address", _address_lines(parent.address))
    if not full.get("recipient_name"):
        raise ValueError("A letter needs a recipient: pass parent=..., or recipient_name in the context.")
    full.setdefault("recipient_address", [])
    full.update(
        school_name=pupil.school.name,
        school_address=_address_lines(pupil.school.address),
        school_phone=pupil.school.phone,
        school_email=pupil.school.email,
        local_authority_name=pupil.school.local_authority.name,
        letter_date=letter_date or timezone.localdate(),
        signatory_name=signatory_name,
        signatory_position=signatory_position,
        pupil_name=f"{pupil.forename} {pupil.surname}",
        title=title,
        **figures(),
    )
    return full


def letter_generate(
    *,
    template: str,
    title: str,
    pupil: Pupil,
    case: Case | None = None,
    parent: Parent | None = None,
    recipient: str,
    subject_key: str,
    context: dict,
    by,
    letter_date: date | None = None,
    service_method: str | None = None,
    served_on: date | None = None,
) -> Letter:
    """Renders ``template`` to PDF and stores it as the next version of (subject_key, recipient).

    ``context`` must be JSON-serialisable once dates are made ISO strings; the template receives the
    real values (dates stay dates), the stored context is their faithful JSON form. Writes a LETTER
    entry on the case's chronology when there is a case, and an audit event.

    ``letter_date`` is the date printed on the letter: a notice's date of issue (default: today). A letter to
    a parent records how it is served (``service_method``, by default post) and when (``served_on``, by
    default the letter's date); one that cannot reach the parent that way is refused (LetterNotServable).
    """
    if case is not None and case.pupil_id != pupil.pk:
        raise ValueError("The case is not this pupil's.")
    today = timezone.localdate()
    if letter_date is not None:
        facts.happened(letter_date, what="The date of the letter", today=today, field="letter_date")
    if parent is not None and service_method is None:
        service_method = ServiceMethod.POST
    if service_method is not None:
        if parent is not None:
            require_servable(parent=parent, method=service_method,
                             what="the notice" if "notice" in title.lower() else "the letter")
        served_on = served_on or letter_date or today
        facts.happened(served_on, what="The date the letter was served", today=today, field="served_on",
                       not_before=letter_date, not_before_what="the date on the letter")
    elif served_on is not None:
        raise ValueError("Give the method of service with the date it was served.")
    full = letter_context(pupil=pupil, parent=parent, title=title, by=by, context=context, letter_date=letter_date)
    stored = json_faithful(full)
    html = render_to_string(template, full)
    pdf = render_pdf(html)
    digest = hashlib.sha256(pdf).hexdigest()

    for attempt in range(VERSION_RETRIES):
        try:
            with transaction.atomic():
                previous = Letter.objects.filter(subject_key=subject_key, recipient=recipient).aggregate(
                    v=Max("version")
                )["v"]
                letter = Letter.objects.create(
                    pupil=pupil,
                    case=case,
                    parent=parent,
                    recipient=recipient,
                    template=template,
                    subject_key=subject_key,
                    version=(previous or 0) + 1,
                    title=title,
                    pdf=pdf,
                    sha256=digest,
                    context=stored,
                    generated_by=by,
                    generated_at=timezone.now(),
                    service_method=service_method,
                    served_on=served_on,
                )
                if case is not None:
                    case_event_record(
                        case=case,
                        kind=EventKind.LETTER,
                        summary=f"Letter to {full['recipient_name']}: {title}"
                        + (f" (version {letter.version})" if letter.version > 1 else "")
                        + (f", served {letter.service_sentence[0].lower()}{letter.service_sentence[1:]}"
                           if letter.service_sentence else ""),
                        by=by,
                        evidence=[f"letter:{letter.pk}"],
                        at=letter.generated_at,
                    )
                audit(
                    user=by,
                    action="letter.generate",
                    pupil=pupil,
                    detail=f"letter {letter.pk}: {subject_key} v{letter.version} to {recipient}",
                )
                return letter
        except IntegrityError:
            if attempt == VERSION_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def letter_for_user(*, user, pk: int) -> Letter:
    """A letter the user may download: school staff who can read the pupil's case, at the pupil's school.

    Another school's letter, or one that does not exist, is 404; a role that never reads cases is 403.
    """
    profile = staff_profile(user=user)
    if not profile.is_school_staff:
        raise PermissionDenied("Only school staff can download letters about pupils.")
    try:
        letter = Letter.objects.select_related("pupil__school", "parent").get(pk=pk, pupil__school_id=profile.school_id)
    except Letter.DoesNotExist:
        raise Http404("No such letter at your school.") from None
    if not can_read_case(user, letter.pupil):
        raise PermissionDenied("Your role does not include reading attendance cases.")
    return letter
