"""Rows already saved that break the policy of cases.facts, for ``python manage.py check_records``.

Each app registers its checks with ``@record_check`` in its own ``record_checks`` module, imported from its
``AppConfig.ready``: this module never imports the apps above it. A check takes ``today`` and yields one
``Problem`` per row and field. The helpers run the same ``facts`` functions the services run, so a row is
listed exactly when a service would refuse it today.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Model, QuerySet
from django.db.models.functions import Length
from django.utils import timezone

from cases import facts


@dataclass(frozen=True, order=True)
class Problem:
    """One row's field that breaks the policy, as the command prints it: ``model id: field: problem``."""

    model: str
    pk: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.model} {self.pk}: {self.field}: {self.problem}"


RecordCheck = Callable[[date], Iterable[Problem]]
_CHECKS: dict[str, RecordCheck] = {}


def record_check(check: RecordCheck) -> RecordCheck:
    """Registers ``check`` (once, however often its module is imported)."""
    _CHECKS[f"{check.__module__}.{check.__qualname__}"] = check
    return check


def registered() -> list[RecordCheck]:
    return list(_CHECKS.values())


def all_problems(*, today: date) -> list[Problem]:
    """Every problem every registered check finds, sorted by model, row and field."""
    return sorted(problem for check in registered() for problem in check(today))


# --- helpers the apps' checks are written with ------------------------------------------------------------


def label(row: Model) -> str:
    return row._meta.label


def local_day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def refused(row: Model, field: str, rule: Callable[..., object], *args, **kwargs) -> Iterator[Problem]:
    """The problem ``rule`` (a facts function) finds with ``row``'s ``field``, if it refuses."""
    try:
        rule(*args, **kwargs)
    except facts.ImpossibleFact as refusal:
        yield Problem(label(row), row.pk, field, str(refusal))


def happened(row: Model, field: str, *, today: date, not_before: date | None = None, not_before_what: str = "",
             what: str = "") -> Iterator[Problem]:
    """``row.field`` (a date, or a datetime read as its local day) happened: not in the future, not before
    ``not_before``. An empty date is no problem: whether it must be set is the model's rule."""
    on = local_day(getattr(row, field))
    if on is None:
        return
    yield from refused(row, field, facts.happened, on, what=what or f"The {field.replace('_', ' ')}", today=today,
                       not_before=not_before, not_before_what=not_before_what)


def planned(row: Model, field: str, *, planned_on: date, not_before: date | None = None,
            not_before_what: str = "", what: str = "") -> Iterator[Problem]:
    """``row.field`` was a sane plan on the day it was planned (``planned_on``): not before it, within the
    horizon. A plan made long ago is not refused for being past now."""
    on = local_day(getattr(row, field))
    if on is None:
        return
    yield from refused(row, field, facts.planned, on, what=what or f"The {field.replace('_', ' ')}",
                       today=planned_on, not_before=not_before, not_before_what=not_before_what)


def in_order(row: Model, start: str, end: str, *, what: str = "", strictly: bool = False) -> Iterator[Problem]:
    """A range ends on or after it starts (after it, ``strictly``)."""
    first, last = local_day(getattr(row, start)), local_day(getattr(row, end))
    if first is None or last is None:
        return
    if strictly and last == first:
        yield Problem(label(row), row.pk, end, f"{what or end} must be after the {start.replace('_', ' ')}")
        return
    yield from refused(row, end, facts.date_range, first, last, what=what or f"The {end.replace('_', ' ')}")


def long_texts(queryset: QuerySet, fields: Iterable[str], *, limit: int = facts.LONG_TEXT_MAX) -> Iterator[Problem]:
    """Rows whose free text is over ``limit`` characters (counted by the database, so a big table is cheap)."""
    for field in fields:
        for row in queryset.annotate(_length=Length(field)).filter(_length__gt=limit).only("pk"):
            yield Problem(label(row), row.pk, field, f"{row._length:,} characters, over the limit of {limit:,}")
