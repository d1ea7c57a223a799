"""What the bundle's parts share: its template and sections, how it names the case, formatting helpers."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from cases.models import Case

BUNDLE_TEMPLATE = "bundles/evidence_bundle.html"

# The bundle's sections in order; each is an <h1>, so a PDF bookmark and a line of the contents.
SECTIONS = (
    ("cover", "Cover sheet"),
    ("attendance", "Attendance summary and the threshold calculation"),
    ("register", "The register for the offence period"),
    ("chronology", "Chronology of contact and action"),
    ("support", "Support offered and the parents' engagement"),
    ("meetings", "Meetings and their notes"),
    ("contacts", "Contacts with the family"),
    ("adjustments", "Reasonable adjustments considered (Equality Act 2010, s20)"),
    ("notices", "Notices, their service and payment"),
    ("certificate", "Certificate of the register extract (Education Act 1996, s566)"),
    ("copies", "Copies of the notices and letters served"),
)
SECTION_NUMBER = {key: number for number, (key, _) in enumerate(SECTIONS, start=1)}


def case_reference(case: Case) -> str:
    """How the bundle names the case: the school's URN and the case number."""
    return f"{case.school.urn}/{case.pk:05d}"


# --- small formatting helpers ------------------------------------------------------------------------


def _person(user) -> dict:
    if user is None:
        return {"name": "The system (scheduled task)", "position": ""}
    profile = getattr(user, "staff", None)
    return {"name": user.get_full_name() or user.get_username(), "position": profile.position if profile else ""}


def _local(at: datetime) -> datetime:
    return timezone.localtime(at) if timezone.is_aware(at) else at


def _money(amount) -> str:
    return "" if amount is None else f"£{amount:,.2f}"
