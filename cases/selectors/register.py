"""Reads of the register for its screens: the years on record, a session's mark, a school's stale N codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from cases import roles, rules
from cases.models import Mark, Pupil, School
from cases.selectors.access import _school_staff_profile


def register_school_for_user(*, user, urn: str) -> School:
    """The school whose register the user amends: its DSL or attendance officer, their own school only."""
    profile = _school_staff_profile(user)
    if profile.school.urn != urn:
        raise Http404("No such school")
    if not roles.has(profile.role, roles.AMEND_REGISTER):
        raise PermissionDenied("Your role does not include amending the register.")
    return profile.school


def pupil_register_years(*, pupil: Pupil, today: date) -> list[date]:
    """The first days of the academic years in which the pupil has marks, newest first; this year always."""
    months = pupil.marks.filter(date__lte=today).dates("date", "month")
    starts = {rules.academic_year_start(month) for month in months}
    starts.add(rules.academic_year_start(today))
    return sorted(starts, reverse=True)


def pupil_mark(*, pupil: Pupil, day: date, session: int) -> Mark | None:
    return Mark.objects.filter(pupil=pupil, date=day, session=session).first()


@dataclass(frozen=True)
class StaleNRow:
    """One stale N session of a pupil of the school, as the scan counts it (rules.stale_n_sessions)."""

    pupil: Pupil
    date: date
    session: int
    school_days_after: int
    recorded_here: bool  # False when another school recorded the mark: only that school amends it

    @property
    def key(self) -> str:
        return session_key(self.pupil.pk, self.date, self.session)

    @property
    def session_name(self) -> str:
        return rules.SESSION_NAMES[self.session]


def session_key(pupil_id: int, day: date, session: int) -> str:
    """How a session is named in a form: ``<pupil id>:<YYYY-MM-DD>:<0|1>``."""
    return f"{pupil_id}:{day.isoformat()}:{session}"


def parse_session_key(key: str) -> tuple[int, date, int] | None:
    """The (pupil id, date, session) a form's session key names, or None if it names none."""
    parts = key.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or parts[2] not in ("0", "1"):
        return None
    try:
        return int(parts[0]), date.fromisoformat(parts[1]), int(parts[2])
    except ValueError:
        return None


def school_stale_n(
    *, school: School, today: date, year_group: str = "", search: str = ""
) -> list[StaleNRow]:
    """Every stale N session of the school's pupils this academic year, pupil by pupil (surname order).

    Three queries whatever the number of rows: the pupils with an N this year, their marks since 1 September,
    and nothing per pupil. Stale is decided by rules.stale_n_sessions over the same marks the scan reads for
    it (a stale N is this year's, and only the school days after it count), so the list and the scan agree.
    """
    year_start = rules.academic_year_start(today)
    with_n = Mark.objects.filter(
        pupil__school=school, code=rules.NOT_ESTABLISHED_CODE, date__gte=year_start, date__lte=today
    ).values("pupil_id")
    pupils = Pupil.objects.filter(school=school, pk__in=with_n)
    if year_group:
        pupils = pupils.filter(year_group=year_group)
    if search.strip():
        term = search.strip()
        pupils = pupils.filter(Q(surname__icontains=term) | Q(forename__icontains=term) | Q(upn__iexact=term))
    by_id = {pupil.pk: pupil for pupil in pupils.order_by("surname", "forename", "upn")}
    if not by_id:
        return []
    marks: dict[int, list[rules.Mark]] = {pk: [] for pk in by_id}
    recorded_by: dict[tuple[int, date, int], int] = {}
    rows = (
        Mark.objects.filter(pupil__in=pupils, date__gte=year_start, date__lte=today)
        .order_by("pupil_id", "date", "session")
        .values_list("pupil_id", "date", "session", "code", "school_id")
    )
    for pupil_id, day, session, code, school_id in rows.iterator(chunk_size=5000):
        marks[pupil_id].append((day, session, code))
        if code == rules.NOT_ESTABLISHED_CODE:
            recorded_by[(pupil_id, day, session)] = school_id
    found = []
    for pupil_id, pupil in by_id.items():
        for stale in rules.stale_n_sessions(marks[pupil_id], as_of=today, since=year_start):
            found.append(
                StaleNRow(
                    pupil=pupil,
                    date=stale.date,
                    session=stale.session,
                    school_days_after=stale.school_days_after,
                    recorded_here=recorded_by[(pupil_id, stale.date, stale.session)] == school.pk,
                )
            )
    return found


def pupils_of_school(*, school: School, ids: Sequence[int]) -> dict[int, Pupil]:
    """The school's pupils among ``ids`` (another school's pupil is simply not found)."""
    return {pupil.pk: pupil for pupil in Pupil.objects.filter(school=school, pk__in=sorted(set(ids)))}
