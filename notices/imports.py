"""notices.csv: penalty notices from the LA's records (contract section 3), all or nothing.

Past notices carry the amounts of their time. A notice issued in this system is changed here by its
transitions, never by an import: a reference that names one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cases import rules
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
)
from cases.models import Parent, ParentalRelationship, Pupil
from notices.models import PenaltyNotice, PenaltyNoticeState

SPEC = Spec(
    name="notices.csv",
    required=("reference", "upn", "parent_ref", "issued_on", "amount_full", "status"),
    optional=("amount_reduced", "paid_on", "withdrawn_reason", "offence_from", "offence_to"),
)
STATUSES = {
    "issued": PenaltyNoticeState.ISSUED,
    "paid": PenaltyNoticeState.PAID_FULL,  # refined to the reduced rate below when the dates say so
    "unpaid": PenaltyNoticeState.UNPAID,
    "withdrawn": PenaltyNoticeState.WITHDRAWN,
    "prosecuted": PenaltyNoticeState.PROSECUTED,
}
FIELDS = (
    "issued_on", "amount_full", "amount_reduced", "state", "paid_on", "withdrawn_reason", "offence_from",
    "offence_to", "received_on", "full_by", "reduced_by",
)


def parse_money(value: str) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise Invalid(f"{value!r} is not an amount in pounds, e.g. 160.00") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("100000"):
        raise Invalid(f"{value!r} is not an amount in pounds and pence, e.g. 160.00")
    return amount.quantize(Decimal("0.01"))


@dataclass
class _Row:
    line: int
    reference: str
    pupil_id: int
    parent_id: int
    la_id: int
    values: dict


def import_notices(*, path: str | Path, today: date | None = None) -> ImportResult:
    """Records every notice of the file, or nothing (ImportFailed lists every problem)."""
    table = read_table(path, SPEC)
    today = today or timezone.localdate()
    problems: list[Problem] = list(table.problems)
    records = list(table.records())
    upns = sorted({r["upn"] for _, r in records if r.get("upn")})
    pupils: dict[str, tuple[int, int, int]] = {}
    for chunk in chunked(upns):
        for pk, upn, school_id, la_id in Pupil.objects.filter(upn__in=chunk).values_list(
            "id", "upn", "school_id", "school__local_authority_id"
        ):
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
    rows: list[_Row] = []
    seen: dict[tuple[int, str], int] = {}
    for line, record in records:
        check = RowCheck(table.file, line, record, problems)
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
        pupil = pupils.get(upn) if upn else None
        if upn and pupil is None:
            check.problem("upn", unknown_upn_reason(upn))
        parent_id = None
        if pupil and parent_ref:
            parent_id = parents.get((pupil[1], parent_ref))
            if parent_id is None:
                check.problem("parent_ref", f"no parent {parent_ref!r} at the pupil's school (import parents.csv first)")
            elif (pupil[0], parent_id) not in links:
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
        if (offence_from is None) != (offence_to is None):
            check.problem("offence_to" if offence_to is None else "offence_from", "give both ends of the offence period")
        elif offence_from and offence_to and offence_to < offence_from:
            check.problem("offence_to", "before offence_from")
        if offence_to and issued_on and offence_to > issued_on:
            check.problem("offence_to", "after the notice was issued")
        if amount_reduced and amount_full and amount_reduced >= amount_full:
            check.problem("amount_reduced", "must be less than amount_full")
        if pupil and reference:
            key = (pupil[2], reference)
            if key in seen:
                check.problem("reference", f"{reference!r} is on line {seen[key]} already")
            else:
                seen[key] = line
        if not check.ok:
            continue
        state = status
        # The LA's file gives no date of receipt: the deadlines of their time ran from the date of issue.
        received = issued_on
        reduced_by = received + timedelta(days=rules.PN_REDUCED_DAYS) if amount_reduced else None
        if state == PenaltyNoticeState.PAID_FULL and amount_reduced and paid_on <= reduced_by:
            state = PenaltyNoticeState.PAID_REDUCED
        rows.append(_Row(line, reference, pupil[0], parent_id, pupil[2], {
            "issued_on": issued_on, "amount_full": amount_full, "amount_reduced": amount_reduced, "state": state,
            "paid_on": paid_on, "withdrawn_reason": withdrawn_reason or "", "offence_from": offence_from,
            "offence_to": offence_to, "received_on": received, "reduced_by": reduced_by,
            "full_by": received + timedelta(days=rules.PN_FULL_DAYS),
        }))
    existing = {
        (n.local_authority_id, n.reference): n
        for n in PenaltyNotice.objects.filter(reference__in=[r.reference for r in rows])
    }
    for row in rows:
        found = existing.get((row.la_id, row.reference))
        if found is None:
            continue
        if not found.imported:
            problems.append(Problem(table.file, row.line, "reference",
                                    f"{row.reference!r} was issued in this system: record changes to it here"))
        elif (found.pupil_id, found.parent_id) != (row.pupil_id, row.parent_id):
            problems.append(Problem(table.file, row.line, "reference",
                                    f"{row.reference!r} is recorded for another pupil or parent"))
    if problems:
        raise ImportFailed(problems)

    created = updated = unchanged = 0
    now = timezone.now()
    with transaction.atomic():
        for row in rows:
            found = existing.get((row.la_id, row.reference))
            if found is None:
                # Imported history enters in the state it reached; PenaltyNotice.save allows this only for imports.
                PenaltyNotice.objects.create(
                    local_authority_id=row.la_id, reference=row.reference, pupil_id=row.pupil_id,
                    parent_id=row.parent_id, imported=True, created_at=now, **row.values,
                )
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
