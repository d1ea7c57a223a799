"""notices.csv: penalty notices from the LA's records (contract section 3), all or nothing; and one past
notice entered by hand (past_notice_record), by exactly the rules of one row of the file.

Past notices carry the amounts of their time. A notice issued in this system is changed here by its
transitions, never by an import: a reference that names one is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import facts, rules
from cases.audit import audit
from cases.imports.csvfile import (
    ImportFailed,
    ImportResult,
    Invalid,
    Problem,
    RowCheck,
    Spec,
    choice,
    chunked,
    parse_date,
    parse_upn_shape,
    read_table,
    text,
    unknown_upn_reason,
    upn_check_problem,
)
from cases.imports.lock import import_transaction
from cases.models import LocalAuthority, Parent, ParentalRelationship, Pupil
from notices.models import PenaltyNotice, PenaltyNoticeState, ProsecutionOutcome

SPEC = Spec(
    name="notices.csv",
    required=("reference", "upn", "parent_ref", "issued_on", "amount_full", "status"),
    optional=("amount_reduced", "paid_on", "withdrawn_reason", "offence_from", "offence_to", "prosecution_outcome"),
)
STATUSES = {
    "issued": PenaltyNoticeState.ISSUED,
    "paid": PenaltyNoticeState.PAID_FULL,  # refined to the reduced rate below when the dates say so
    "unpaid": PenaltyNoticeState.UNPAID,
    "withdrawn": PenaltyNoticeState.WITHDRAWN,
    "prosecuted": PenaltyNoticeState.PROSECUTED,
}
OUTCOMES = {"guilty": ProsecutionOutcome.GUILTY, "not_guilty": ProsecutionOutcome.NOT_GUILTY}


# What a notice's amount fields hold (7 digits, 2 of them pence); notices of any era were £50 to £160.
AMOUNT_FIELD_MAX = Decimal("99999.99")


def parse_money(value: str) -> Decimal:
    """An amount by the one policy of cases.facts: NaN, Infinity, 1e309, negative or fractions of a penny refused."""
    try:
        return facts.amount(value, what=repr(value), maximum=AMOUNT_FIELD_MAX,
                            maximum_why="the most a notice's amount can hold")
    except facts.ImpossibleFact as refused:
        raise Invalid(str(refused)) from None


def _on_record(check: RowCheck, column: str, on: date | None, today: date) -> None:
    """A date of a notice on record happened: not after today, not before any notice the casework keeps."""
    if on is None:
        return
    if on < facts.EARLIEST_FACT:
        check.problem(column, f"before {facts.EARLIEST_FACT.isoformat()}: no notice on record is that old")
    elif on > today and column != "issued_on":  # issued_on has its own sentence below
        check.problem(column, "after today: a notice's dates on record have happened")


@dataclass
class _Row:
    line: int
    reference: str
    pupil_id: int
    parent_id: int
    la_id: int
    values: dict


@dataclass
class _Known:
    """The pupils (upn -> (pupil, school, LA)), their schools' parents and the parent links rows may name."""

    pupils: dict[str, tuple[int, int, int]]
    parents: dict[tuple[int, str], int]
    links: set[tuple[int, int]]


def _known(upns: list[str], *, local_authority_id: int | None = None) -> _Known:
    pupils: dict[str, tuple[int, int, int]] = {}
    for chunk in chunked(upns):
        found = Pupil.objects.filter(upn__in=chunk)
        if local_authority_id is not None:
            found = found.filter(school__local_authority_id=local_authority_id)
        for pk, upn, school_id, la_id in found.values_list("id", "upn", "school_id", "school__local_authority_id"):
            pupils[upn] = (pk, school_id, la_id)
    links = {
        (pupil_id, parent_id)
        for pupil_id, parent_id in ParentalRelationship.objects.filter(
            pupil_id__in=[p[0] for p in pupils.values()]
        ).values_list("pupil_id", "parent_id")
    }
    parents = {
        (school_id, ref): pk
        for pk, school_id, ref in Parent.objects.filter(
            school_id__in={p[1] for p in pupils.values()}
        ).values_list("id", "school_id", "parent_ref")
    }
    return _Known(pupils=pupils, parents=parents, links=links)


@dataclass
class _Checked:
    """One record's cells as read by _check_record (None where empty or invalid)."""

    reference: str | None
    pupil: tuple[int, int, int] | None
    parent_id: int | None
    fields: dict


def _check_record(check: RowCheck, known: _Known, today: date,
                  unknown_upn: Callable[[str], str] = unknown_upn_reason) -> _Checked:
    """The rules of one notice (a row of notices.csv or one entered by hand); problems go to ``check``."""
    reference = check.get("reference", text(40), required=True)
    upn = check.get("upn", parse_upn_shape, required=True)
    parent_ref = check.get("parent_ref", text(50), required=True)
    issued_on = check.get("issued_on", parse_date, required=True)
    amount_full = check.get("amount_full", parse_money, required=True)
    amount_reduced = check.get("amount_reduced", parse_money)
    status = check.get("status", choice(STATUSES, "one of issued, paid, unpaid, withdrawn, prosecuted"),
                       required=True)
    paid_on = check.get("paid_on", parse_date)
    withdrawn_reason = check.get("withdrawn_reason", text(1000))
    offence_from = check.get("offence_from", parse_date)
    offence_to = check.get("offence_to", parse_date)
    prosecution_outcome = check.get(
        "prosecution_outcome", choice(OUTCOMES, "one of guilty, not_guilty (or empty while the prosecution is pending)"))
    pupil = known.pupils.get(upn) if upn else None
    if upn and pupil is None:
        check.problem("upn", unknown_upn(upn))
    parent_id = None
    if pupil and parent_ref:
        parent_id = known.parents.get((pupil[1], parent_ref))
        if parent_id is None:
            check.problem("parent_ref", f"no parent {parent_ref!r} at the pupil's school (import parents.csv first)")
        elif (pupil[0], parent_id) not in known.links:
            check.problem("parent_ref", f"parent {parent_ref!r} is not linked to pupil {upn}")
    if issued_on and issued_on > today:
        check.problem("issued_on", "a notice cannot be dated after today")
    if status == PenaltyNoticeState.PAID_FULL and paid_on is None:
        check.problem("paid_on", "required when status is paid")
    if status != PenaltyNoticeState.PAID_FULL and paid_on is not None:
        check.problem("paid_on", "only a paid notice has a payment date")
    if paid_on and issued_on and paid_on < issued_on:
        check.problem("paid_on", "before the notice was issued")
    if status == PenaltyNoticeState.WITHDRAWN and not withdrawn_reason:
        check.problem("withdrawn_reason", "required when status is withdrawn")
    if prosecution_outcome and status and status != PenaltyNoticeState.PROSECUTED:
        check.problem("prosecution_outcome", "only a prosecuted notice has a prosecution outcome")
    if (offence_from is None) != (offence_to is None):
        check.problem("offence_to" if offence_to is None else "offence_from", "give both ends of the offence period")
    elif offence_from and offence_to and offence_to < offence_from:
        check.problem("offence_to", "before offence_from")
    if offence_to and issued_on and offence_to > issued_on:
        check.problem("offence_to", "after the notice was issued")
    if amount_reduced and amount_full and amount_reduced >= amount_full:
        check.problem("amount_reduced", "must be less than amount_full")
    for column, on in (("issued_on", issued_on), ("paid_on", paid_on), ("offence_from", offence_from),
                       ("offence_to", offence_to)):
        _on_record(check, column, on, today)
    return _Checked(reference=reference, pupil=pupil, parent_id=parent_id, fields={
        "issued_on": issued_on, "amount_full": amount_full, "amount_reduced": amount_reduced, "status": status,
        "paid_on": paid_on, "withdrawn_reason": withdrawn_reason, "offence_from": offence_from,
        "offence_to": offence_to, "prosecution_outcome": prosecution_outcome,
    })


def _historic_row(line: int, checked: _Checked) -> _Row:
    """The notice in the state it reached, from a record that passed _check_record."""
    f = checked.fields
    state = f["status"]
    # The LA's file gives no date of receipt: the deadlines of their time ran from the date of issue.
    received = f["issued_on"]
    reduced_by, full_by = rules.payment_deadlines(
        received, reduced_days=rules.PN_REDUCED_DAYS if f["amount_reduced"] else None)
    if state == PenaltyNoticeState.PAID_FULL and f["amount_reduced"] and f["paid_on"] <= reduced_by:
        state = PenaltyNoticeState.PAID_REDUCED
    paid_amount = {PenaltyNoticeState.PAID_REDUCED: f["amount_reduced"],
                   PenaltyNoticeState.PAID_FULL: f["amount_full"]}.get(state)
    pupil = checked.pupil
    return _Row(line, checked.reference, pupil[0], checked.parent_id, pupil[2], {
        "issued_on": f["issued_on"], "amount_full": f["amount_full"], "amount_reduced": f["amount_reduced"],
        "state": state, "paid_on": f["paid_on"], "withdrawn_reason": f["withdrawn_reason"] or "",
        "offence_from": f["offence_from"], "offence_to": f["offence_to"], "received_on": received,
        "reduced_by": reduced_by, "full_by": full_by,
        "paid_amount": paid_amount, "prosecution_outcome": f["prosecution_outcome"] or "",
    })


def _existing_problem(found: PenaltyNotice, row: _Row) -> str | None:
    """Why a recorded notice of the same reference may not take this record's values (None: it may)."""
    if not found.imported:
        return f"{row.reference!r} was issued in this system: record changes to it here"
    if (found.pupil_id, found.parent_id) != (row.pupil_id, row.parent_id):
        return f"{row.reference!r} is recorded for another pupil or parent"
    return None


def _create(row: _Row, *, now, by=None) -> PenaltyNotice:
    # Imported history enters in the state it reached; PenaltyNotice.save allows this only for imports.
    return PenaltyNotice.objects.create(
        local_authority_id=row.la_id, reference=row.reference, pupil_id=row.pupil_id,
        parent_id=row.parent_id, imported=True, created_at=now, created_by=by, **row.values,
    )


def import_notices(*, path: str | Path, today: date | None = None) -> ImportResult:
    """Records every notice of the file, or nothing (ImportFailed lists every problem)."""
    table = read_table(path, SPEC)
    today = today or timezone.localdate()
    problems: list[Problem] = list(table.problems)
    records = list(table.records())
    # Everything from the first read of the database on holds the notices import's lock: a second run of
    # the file at the same moment waits, then finds the first's notices recorded and leaves them unchanged.
    with import_transaction(SPEC.name, table.file):
        known = _known(sorted({r["upn"] for _, r in records if r.get("upn")}))
        rows: list[_Row] = []
        seen: dict[tuple[int, str], int] = {}
        for line, record in records:
            check = RowCheck(table.file, line, record, problems)
            checked = _check_record(check, known, today)
            pupil, reference = checked.pupil, checked.reference
            if pupil and reference:
                key = (pupil[2], reference)
                if key in seen:
                    check.problem("reference", f"{reference!r} is on line {seen[key]} already")
                else:
                    seen[key] = line
            if not check.ok:
                continue
            rows.append(_historic_row(line, checked))
        existing = {
            (n.local_authority_id, n.reference): n
            for n in PenaltyNotice.objects.filter(reference__in=[r.reference for r in rows])
        }
        for row in rows:
            found = existing.get((row.la_id, row.reference))
            if found is None:
                continue
            reason = _existing_problem(found, row)
            if reason:
                problems.append(Problem(table.file, row.line, "reference", reason))
        if problems:
            raise ImportFailed(problems)

        created = updated = unchanged = 0
        now = timezone.now()
        for row in rows:
            found = existing.get((row.la_id, row.reference))
            if found is None:
                _create(row, now=now)
                created += 1
            elif any(getattr(found, f) != v for f, v in row.values.items()):
                # Historic records are corrected by the LA's file, not by transitions: update in place.
                PenaltyNotice.objects.filter(pk=found.pk).update(**row.values)
                updated += 1
            else:
                unchanged += 1
        if created or updated:
            audit(action="import_notices", detail=f"{Path(table.file).name}: {created} created, {updated} updated")
    return ImportResult(file=table.file, rows=len(records), created=created, updated=updated, unchanged=unchanged)


# --- one past notice entered by hand, by the rules of one row of notices.csv -----------------------------

ENTERED = "past notice"  # the "file" of the problems of a notice entered by hand (they have no line)


def _check_past_notice(*, local_authority: LocalAuthority, values: dict[str, str],
                       today: date) -> tuple[_Row | None, list[Problem]]:
    record = {column: str(values.get(column) or "").strip() for column in SPEC.columns}
    problems: list[Problem] = []
    check = RowCheck(ENTERED, 1, record, problems)
    upn = record["upn"]
    # Only this LA's pupils: a pupil of another LA reads as unknown here (nothing about it is shown).
    known = _known([upn] if upn else [], local_authority_id=local_authority.pk)

    def unknown_upn(value: str) -> str:
        hint = upn_check_problem(value)
        return f"no pupil with UPN {value!r} at a school of {local_authority.name}" + (f" ({hint})" if hint else "")

    checked = _check_record(check, known, today, unknown_upn)
    reference = checked.reference
    found = reference and PenaltyNotice.objects.filter(local_authority=local_authority, reference=reference).first()
    if found:
        # By hand a past notice is entered once; a correction to imported history comes with the LA's file.
        if not found.imported:
            check.problem("reference", f"{reference!r} was issued in this system: record changes to it here")
        elif checked.pupil and (found.pupil_id, found.parent_id) != (checked.pupil[0], checked.parent_id):
            check.problem("reference", f"{reference!r} is recorded for another pupil or parent")
        else:
            check.problem("reference", f"{reference!r} is already recorded")
    if not check.ok:
        return None, [Problem(p.file, None, p.column, p.reason) for p in problems]
    return _historic_row(1, checked), []


def past_notice_problems(*, local_authority: LocalAuthority, values: dict[str, str],
                         today: date | None = None) -> list[Problem]:
    """What is wrong with this past notice (the columns of notices.csv as ``values``), saving nothing."""
    return _check_past_notice(local_authority=local_authority, values=values,
                              today=today or timezone.localdate())[1]


def past_notice_record(*, local_authority: LocalAuthority, values: dict[str, str], by,
                       today: date | None = None) -> PenaltyNotice:
    """Records one past notice of ``local_authority`` entered by hand, by the rules of a row of notices.csv.

    ``values`` holds that row's cells by column name. Raises ImportFailed, one Problem per bad field
    (column as in the file, no line), and saves nothing then.
    """
    row, problems = _check_past_notice(local_authority=local_authority, values=values,
                                       today=today or timezone.localdate())
    if problems:
        raise ImportFailed(problems)
    try:
        with transaction.atomic():
            notice = _create(row, now=timezone.now(), by=by)
            audit(user=by, action="penalty_notice.past_entered", pupil=notice.pupil,
                  detail=f"{notice.reference}: past notice entered ({notice.get_state_display().lower()})")
    except IntegrityError:  # the same reference entered at the same moment
        raise ImportFailed([Problem(ENTERED, None, "reference", f"{row.reference!r} is already recorded")]) from None
    return notice
