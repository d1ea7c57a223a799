"""One pupil's record: the pupil, their snapshot, open alerts, parents, marks and mark amendments."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from cases import rules
from cases.models import Alert, AttendanceSnapshot, MarkAmendment, ParentalRelationship, Pupil
from cases.selectors.access import _school_staff_profile


def pupil_for_user(*, user, upn: str) -> Pupil:
    """A pupil of the user's own school, with the school's LA and its code of conduct for the page."""
    profile = _school_staff_profile(user)
    try:
        return Pupil.objects.select_related("school__local_authority__code_of_conduct", "snapshot").get(
            upn=upn, school=profile.school
        )
    except Pupil.DoesNotExist:
        raise Http404("No such pupil") from None


def pupil_snapshot(pupil: Pupil) -> AttendanceSnapshot | None:
    """The pupil's snapshot if the scan has made one (None, not an exception, when it has not)."""
    try:
        return pupil.snapshot
    except AttendanceSnapshot.DoesNotExist:
        return None


def open_alerts_for_pupil(*, pupil: Pupil) -> QuerySet[Alert]:
    return Alert.objects.filter(pupil=pupil, resolved_at__isnull=True).order_by("-raised_on", "kind")


def pupil_parents(*, pupil: Pupil) -> QuerySet[ParentalRelationship]:
    return (
        ParentalRelationship.objects.filter(pupil=pupil)
        .select_related("parent")
        .order_by("-parental_responsibility", "parent__surname", "parent__forename")
    )


def pupil_marks(*, pupil: Pupil, as_of: date) -> list[rules.Mark]:
    """All of one pupil's marks up to ``as_of``, as rules.py tuples.

    One pupil's whole register is a few thousand rows at most, so the windows never need the scan's
    look-back: a gap of any length before this year is read as it is.
    """
    return list(
        pupil.marks.filter(date__lte=as_of).order_by("date", "session").values_list(
            "date", "session", "code"
        )
    )


def pupil_amendments(*, pupil: Pupil, since: date, until: date) -> QuerySet[MarkAmendment]:
    return MarkAmendment.objects.filter(pupil=pupil, date__gte=since, date__lte=until).order_by(
        "date", "session", "amended_at", "id"
    )
