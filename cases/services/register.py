"""Register amendments made in the product: one session, or many stale N codes at once.

A change of a recorded code is an amendment (domain.md 1, the Pupil Registration Regulations 2024): the
original code, the amended code, the reason, when, and the name and position of who made it are kept.
``mark_amendment`` builds that record for the MIS import and for these services alike, so an amendment
means the same whichever way it was made. After a change the school is re-scanned, as after an import,
so snapshots and alerts follow the register.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from cases import facts, rules
from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import Mark, MarkAmendment, Pupil, Role, School
from cases.permissions import can_amend_register, require

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = MarkAmendment._meta.get_field("reason").max_length


class AmendmentRefused(DomainError):
    """The amendment breaks a rule of the register; ``field`` names the form field it is about."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class AmendmentsRefused(DomainError):
    """Some sessions of a bulk amendment were refused, so none was changed; ``problems`` says which and why."""

    def __init__(self, problems: list[str]):
        count = len(problems)
        super().__init__(
            f"Nothing was changed: {count} of the sessions chosen cannot be amended. " + " ".join(problems)
        )
        self.problems = problems


@dataclass(frozen=True)
class SessionChoice:
    """One session chosen for a bulk amendment, with the code the person saw when choosing it."""

    pupil: Pupil
    date: date
    session: int
    seen_code: str


def mark_amendment(
    *,
    pupil_id: int,
    day: date,
    session: int,
    original_code: str,
    amended_code: str,
    reason: str,
    amended_at: datetime,
    amended_by_name: str,
    amended_by_position: str,
) -> MarkAmendment:
    """The record of one change of a recorded code (unsaved, so an import can write thousands in bulk)."""
    return MarkAmendment(
        pupil_id=pupil_id,
        date=day,
        session=session,
        original_code=original_code,
        amended_code=amended_code,
        reason=reason,
        amended_at=amended_at,
        amended_by_name=amended_by_name,
        amended_by_position=amended_by_position,
    )


def amender_name_and_position(user) -> tuple[str, str]:
    """Who made an amendment, as the register keeps it: the person's name and job title (their role's name
    when no job title is recorded)."""
    name = (user.get_full_name() or user.get_username()).strip()
    staff = getattr(user, "staff", None)
    position = (staff.position or Role(staff.role).label) if staff is not None else ""
    return name, position


def register_rescan_on_commit(school_ids: Sequence[int]) -> None:
    """Re-scans the schools once the change is committed, as a register import does (snapshots, alerts).

    The amendment is saved whatever happens to the scan: a scan that cannot be queued is logged, and the
    nightly scan brings the figures up to date."""
    from cases.tasks import nightly_attendance_scan

    ids = sorted(set(school_ids))

    def enqueue() -> None:
        try:
            nightly_attendance_scan.delay(school_ids=ids)
        except Exception:  # noqa: BLE001 - the nightly scan will catch up
            logger.exception("register amended, but the re-scan of schools %s could not be queued", ids)

    transaction.on_commit(enqueue)


def _reason(reason: str) -> str:
    try:
        reason = facts.text(reason.strip(), what="The reason", field="reason", limit=REASON_MAX_LENGTH)
    except facts.ImpossibleFact as refused:
        raise AmendmentRefused(str(refused), field="reason") from None
    if not reason:
        raise AmendmentRefused("Enter the reason for the amendment", field="reason")
    return reason


def _code(code: str, day: date) -> str:
    code = code.strip()
    if not code:
        raise AmendmentRefused("Choose the new code", field="code")
    problem = rules.code_problem(code, day)
    if problem:
        raise AmendmentRefused(f"The new code cannot be used on {long_date(day)}: {problem}", field="code")
    return code


def _session_name(session: int) -> str:
    name = rules.SESSION_NAMES.get(session)
    if name is None:
        raise AmendmentRefused("Choose the session: AM or PM", field="session")
    return name


def _amend(
    *, pupil: Pupil, day: date, session: int, code: str, reason: str, by, today: date, now: datetime,
    seen_code: str | None = None,
) -> MarkAmendment:
    """Checks and makes one amendment inside the caller's transaction; raises AmendmentRefused."""
    require(can_amend_register(by, pupil), "amend the register")
    session_name = _session_name(session)
    if day > today:
        raise AmendmentRefused(
            f"{long_date(day)} is in the future: a session is amended after its register was taken",
            field="date",
        )
    mark = Mark.objects.select_for_update().filter(pupil=pupil, date=day, session=session).first()
    if mark is None:
        # Creating a mark is taking the register, not amending it: the MIS import records it on the day, and
        # an amendment needs an original entry to keep (domain.md 1).
        raise AmendmentRefused(
            f"No mark is recorded for {long_date(day)} {session_name}: only a recorded code can be amended. "
            "Record the missing mark in the MIS; it arrives with the next register import",
            field="date",
        )
    if mark.school_id != pupil.school_id:
        raise AmendmentRefused(
            f"The mark for {long_date(day)} {session_name} was recorded by another school: only that school "
            "can amend its register",
            field="date",
        )
    if seen_code is not None and mark.code != seen_code:
        raise AmendmentRefused(
            f"{long_date(day)} {session_name} changed to {mark.code} since you chose it (it was {seen_code})",
            field="date",
        )
    code = _code(code, day)
    if mark.code == code:
        raise AmendmentRefused(
            f"{long_date(day)} {session_name} is already coded {code}: choose a different code", field="code"
        )
    reason = _reason(reason)
    name, position = amender_name_and_position(by)
    amendment = mark_amendment(
        pupil_id=pupil.pk, day=day, session=session, original_code=mark.code, amended_code=code, reason=reason,
        amended_at=now, amended_by_name=name, amended_by_position=position,
    )
    amendment.save()
    Mark.objects.filter(pk=mark.pk).update(code=code)
    audit(
        user=by,
        action="register.amend",
        pupil=pupil,
        detail=f"{day.isoformat()} {session_name}: {amendment.original_code} amended to {code}",
    )
    return amendment


@transaction.atomic
def mark_amend(
    *, pupil: Pupil, date: date, session: int, code: str, reason: str, by, today: date | None = None
) -> MarkAmendment:
    """Changes one recorded session's code, keeping the original, the reason, when and who (their position).

    Refused: a session after today, a session with no mark (or one another school recorded), a code not
    valid on the date (the pre-2024 codes only before 19 August 2024), the code already recorded, no reason,
    and anyone but the DSL or attendance officer of the pupil's school."""
    today = today or timezone.localdate()
    amendment = _amend(
        pupil=pupil, day=date, session=session, code=code, reason=reason, by=by, today=today, now=timezone.now()
    )
    register_rescan_on_commit([pupil.school_id])
    return amendment


@transaction.atomic
def marks_amend(
    *, school: School, sessions: Sequence[SessionChoice], code: str, reason: str, by, today: date | None = None
) -> list[MarkAmendment]:
    """Gives many sessions the same new code and reason, all or nothing, then re-scans the school once.

    Each session must still hold the code the person saw (someone may have amended it meanwhile). When any
    session is refused nothing is changed, and ``AmendmentsRefused`` lists each refused session and why."""
    today = today or timezone.localdate()
    if not sessions:
        raise AmendmentRefused("Choose at least one session to amend", field="sessions")
    # The code and the reason are the same for every session: refused once, on their own fields.
    _reason(reason)
    if not code.strip():
        raise AmendmentRefused("Choose the new code", field="code")
    now = timezone.now()
    made: list[MarkAmendment] = []
    problems: list[str] = []
    for choice in sessions:
        if choice.pupil.school_id != school.pk:
            problems.append(f"{choice.pupil}: not a pupil of {school.name}.")
            continue
        try:
            made.append(
                _amend(pupil=choice.pupil, day=choice.date, session=choice.session, code=code, reason=reason,
                       by=by, today=today, now=now, seen_code=choice.seen_code)
            )
        except DomainError as refused:
            problems.append(
                f"{choice.pupil}, {long_date(choice.date)} {rules.SESSION_NAMES.get(choice.session, '?')}: "
                f"{refused}."
            )
    if problems:
        # Raising rolls back the amendments already made in this transaction: all or nothing.
        raise AmendmentsRefused(problems)
    register_rescan_on_commit([school.pk])
    return made
