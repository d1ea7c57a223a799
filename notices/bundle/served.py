"""What was served on the parents: each letter and notice sent to them on the case, with how and when it was
served, and the stored PDFs the bundle appends as copies (a court asks for the documents, not a list)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from pypdf import PdfReader

from cases.formatting import long_date
from cases.models import Case
from notices.bundle._common import BUNDLE_TEMPLATE, _local
from notices.models import Letter, NoticeToImprove, PenaltyNotice
from notices.selectors import LETTER_SUBJECT_PREFIX

SERVICE_METHODS = {"post": "By post", "hand": "By hand", "email": "By email"}
NOT_RECORDED = "Not recorded"


def notice_to_improve_reference(notice: NoticeToImprove) -> str:
    """As the notice's letter names it (notices.improvement.services: ``notice_reference``)."""
    return f"NTI-{notice.pk}"


def letter_service(letter: Letter, notice: PenaltyNotice | None = None) -> dict:
    """How and when the letter was served, as recorded; for a penalty notice with no service recorded on its
    letter, what the notice itself records (received on the day of issue means it was handed over).

    ``service_method`` and ``served_on`` are read with getattr: a letter made before they were recorded,
    or a store without them, says "Not recorded" rather than guessing.
    """
    method = getattr(letter, "service_method", None) or ""
    served_on: date | None = getattr(letter, "served_on", None)
    if method or served_on:
        label = SERVICE_METHODS.get(method, method.capitalize() if method else "Method not recorded")
        # A posted penalty notice is received when the LA's code of conduct says: the notice holds that day.
        received = notice.received_on if notice is not None and method == "post" else None
        return {"method": label, "served_on": served_on, "received_on": received, "recorded": True}
    return penalty_notice_service(notice) if notice is not None else {
        "method": NOT_RECORDED, "served_on": None, "received_on": None, "recorded": False}


def penalty_notice_service(notice: PenaltyNotice) -> dict:
    """A notice's service from its own dates: handed over when received on the day of issue, else posted on
    the day of issue and received when the LA's code of conduct treats it as received."""
    if notice.issued_on is None or notice.received_on is None:
        return {"method": NOT_RECORDED, "served_on": None, "received_on": None, "recorded": False}
    if notice.received_on == notice.issued_on:
        return {"method": SERVICE_METHODS["hand"], "served_on": notice.issued_on, "received_on": notice.received_on,
                "recorded": True}
    return {"method": SERVICE_METHODS["post"], "served_on": notice.issued_on, "received_on": notice.received_on,
            "recorded": True}


def service_sentence(service: dict) -> str:
    """One line for the bundle: "By post on 1 October 2026 (treated as received 5 October 2026)"."""
    if not service["recorded"]:
        return NOT_RECORDED
    text = service["method"]
    if service["served_on"] is not None:
        text += f" on {long_date(service['served_on'])}"
    if service["received_on"] is not None and service["received_on"] != service["served_on"]:
        text += f" (treated as received {long_date(service['received_on'])})"
    return text


@dataclass(frozen=True)
class ServedCopy:
    """One stored letter the bundle appends, and its line in the table of copies."""

    letter: Letter
    entry: dict


def _reference(letter: Letter, notices: dict[int, PenaltyNotice]) -> tuple[str, PenaltyNotice | None]:
    key = letter.subject_key
    if key.startswith("nti:"):
        return f"NTI-{key.removeprefix('nti:')}", None
    if key.startswith(LETTER_SUBJECT_PREFIX):
        notice = notices.get(int(key.removeprefix(LETTER_SUBJECT_PREFIX)))
        return (notice.reference if notice else ""), notice
    return "", None


def served_or_newest(versions: list[Letter]) -> list[Letter]:
    """Of one letter's versions to one recipient: those whose service is recorded, or else the newest."""
    served = [v for v in versions if getattr(v, "service_method", None) or getattr(v, "served_on", None)]
    return served or [max(versions, key=lambda v: v.version)]


def _pages(letter: Letter) -> int:
    return len(PdfReader(io.BytesIO(bytes(letter.pdf))).pages)


def served_copies(case: Case) -> list[ServedCopy]:
    """Every letter to a parent on the case, oldest first: of each letter's versions, those whose service is
    recorded, or the newest when none is (the one most likely sent, and said to be unrecorded)."""
    letters = list(Letter.objects.filter(case=case, parent__isnull=False).exclude(template=BUNDLE_TEMPLATE)
                   .select_related("parent").order_by("generated_at", "pk"))
    notices = {n.pk: n for n in PenaltyNotice.objects.filter(case=case)}
    groups: dict[tuple[str, str], list[Letter]] = {}
    for letter in letters:
        groups.setdefault((letter.subject_key, letter.recipient), []).append(letter)
    chosen: list[Letter] = []
    for versions in groups.values():
        chosen += served_or_newest(versions)
    chosen.sort(key=lambda v: (v.generated_at, v.pk))

    copies = []
    for number, letter in enumerate(chosen, start=1):
        reference, notice = _reference(letter, notices)
        service = letter_service(letter, notice)
        copies.append(ServedCopy(letter, {
            "number": number, "title": letter.title, "reference": reference, "to": str(letter.parent),
            "version": letter.version, "made": _local(letter.generated_at), "sha256": letter.sha256,
            "service": service_sentence(service), "service_recorded": service["recorded"],
            "pages": _pages(letter), "first_page": None, "last_page": None,
        }))
    return copies


def number_copies(entries: list[dict], own_pages: int) -> int:
    """Where each copy starts and ends in the bundle's PDF file, after its ``own_pages``; the file's total."""
    page = own_pages
    for entry in entries:
        entry["first_page"], entry["last_page"] = page + 1, page + entry["pages"]
        page += entry["pages"]
    return page
