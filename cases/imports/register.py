"""register.csv: attendance marks, set-based so a school's whole year imports in seconds.

A mark that already has a different code is amended, never overwritten silently: the 2024
regulations keep the original code, the new one, the reason, when and by whom (MarkAmendment).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.db import connection
from django.utils import timezone

from cases import facts, rules
from cases.audit import audit
from cases.imports.csvfile import (
    ImportFailed,
    ImportResult,
    Invalid,
    Problem,
    Progress,
    Spec,
    Table,
    chunked,
    parse_date,
    parse_urn,
    read_table,
    unknown_upn_reason,
    upn_shape_problem,
)
from cases.imports.lock import import_transaction
from cases.models import Mark, MarkAmendment, Pupil, School
from cases.services.register import REASON_MAX_LENGTH, mark_amendment

SPEC = Spec(
    name="register.csv",
    required=("upn", "date", "session", "code"),
    optional=("school_urn", "reason"),
)
SESSIONS = {"AM": rules.AM, "PM": rules.PM}
DEFAULT_REASON = "MIS import"
DEFAULT_AMENDED_BY = "MIS import"
DEFAULT_POSITION = "Management information system"
WRITE_BATCH = 5000
PUPIL_CHUNK = 500  # pupils per query when reading their existing marks
EMPTY = "required, but the cell is empty"


# (pupil_id, date, session) -> (code, school_id, reason, line): the marks a file asks for.
Wanted = dict[tuple[int, date, int], tuple[str, int, str, int]]


def import_register(
    *,
    path: str | Path,
    amended_by: str = DEFAULT_AMENDED_BY,
    position: str = DEFAULT_POSITION,
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Records every mark of the file, or nothing (ImportFailed lists every problem).

    Identical marks are left alone; a mark with a new code is updated and a MarkAmendment recorded,
    with the row's ``reason`` or "MIS import". A mark is dated from facts.EARLIEST_FACT to ``today``: a
    register is taken on the day.
    """
    table = read_table(path, SPEC)
    if progress:
        progress(f"{table.file}: read {len(table.rows)} rows")
    today = today or timezone.localdate()

    with import_transaction(SPEC.name, table.file, progress):
        wanted = _validate(table, today)
        if progress:
            progress(f"{table.file}: {len(table.rows)} rows valid, comparing with the recorded register")
        existing = _existing_marks(wanted)
        new_rows, changed_rows, amendments = _changes(wanted, existing, amended_by, position)
        touched = {row[0] for row in new_rows} | {amendment.pupil_id for amendment in amendments}
        if progress:
            progress(
                f"{table.file}: writing {len(new_rows)} new marks, {len(changed_rows)} changed, "
                f"{len(amendments)} amendments"
            )
        _write(new_rows, changed_rows)
        MarkAmendment.objects.bulk_create(amendments, batch_size=WRITE_BATCH)
        if new_rows or changed_rows:
            _audit(table.file, wanted, len(new_rows), len(amendments))

    return ImportResult(
        file=table.file,
        rows=len(table.rows),
        created=len(new_rows),
        updated=len(changed_rows),
        unchanged=len(wanted) - len(new_rows) - len(changed_rows),
        amendments=len(amendments),
        rescan_school_ids=_pupil_schools(touched),
    )


def _validate(table: Table, today: date) -> Wanted:
    """Every row checked in one pass, with the repeated values (dates, codes) parsed once each."""
    file, index = table.file, table.index
    i_upn, i_date, i_session, i_code = (index[c] for c in SPEC.required)
    i_urn, i_reason = index.get("school_urn"), index.get("reason")
    upns = sorted({cells[i_upn] for _, cells in table.rows if cells[i_upn]})
    pupils = {  # upn -> (pupil id, school id)
        upn: (pk, school_id)
        for chunk in chunked(upns)
        for upn, pk, school_id in Pupil.objects.filter(upn__in=chunk).values_list("upn", "id", "school_id")
    }
    urns = sorted({cells[i_urn] for _, cells in table.rows if cells[i_urn]}) if i_urn is not None else []
    schools = {
        urn: pk
        for chunk in chunked(urns)
        for urn, pk in School.objects.filter(urn__in=chunk).values_list("urn", "id")
    }

    problems: list[Problem] = list(table.problems)
    dates: dict[str, date | str] = {}  # cell -> date, or the reason it is not one
    code_reasons: dict[tuple[str, date], str | None] = {}
    wanted: Wanted = {}
    for line, cells in table.rows:
        bad: list[tuple[str, str]] = []
        upn = cells[i_upn]
        pupil = pupils.get(upn)
        if pupil is None:
            bad.append(("upn", upn_shape_problem(upn) or unknown_upn_reason(upn) if upn else EMPTY))
        day = dates.get(cells[i_date])
        if day is None:
            day = dates[cells[i_date]] = _parse_day(cells[i_date], today)
        if isinstance(day, str):
            bad.append(("date", day))
            day = None
        session = SESSIONS.get(cells[i_session])
        if session is None:
            bad.append(("session", f"{cells[i_session]!r} is not AM or PM" if cells[i_session] else EMPTY))
        code = cells[i_code]
        if not code:
            bad.append(("code", EMPTY))
        elif day is not None:
            if (code, day) not in code_reasons:
                code_reasons[(code, day)] = rules.code_problem(code, day)
            if code_reasons[(code, day)]:
                bad.append(("code", code_reasons[(code, day)]))
        school_id = pupil[1] if pupil else None  # the pupil's school unless the row names another
        if i_urn is not None and cells[i_urn]:
            school_id = schools.get(cells[i_urn])
            if school_id is None:
                bad.append(("school_urn", _unknown_school(cells[i_urn])))
        reason = DEFAULT_REASON
        if i_reason is not None and cells[i_reason]:
            reason = cells[i_reason]
            if len(reason) > REASON_MAX_LENGTH:
                bad.append(("reason", f"longer than {REASON_MAX_LENGTH} characters ({len(reason)})"))
        if pupil is not None and day is not None and session is not None:
            key = (pupil[0], day, session)
            if key in wanted:
                earlier = wanted[key][3]
                bad.append(
                    ("session", f"{upn} {day.isoformat()} {cells[i_session]} is also on line {earlier}")
                )
            else:
                # Kept even when the row has problems, to find its duplicates; nothing is written then.
                wanted[key] = (code, school_id, reason, line)
        if bad:
            problems.extend(Problem(file, line, column, why) for column, why in bad)
    if problems:
        raise ImportFailed(problems)
    return wanted


def _changes(
    wanted: Wanted,
    existing: dict[tuple[int, date, int], tuple[int, str, int]],
    amended_by: str,
    position: str,
) -> tuple[list[tuple], list[tuple], list[MarkAmendment]]:
    """The rows to insert, the rows to update, and the amendments recording each changed code."""
    new_rows: list[tuple] = []
    changed_rows: list[tuple] = []
    amendments: list[MarkAmendment] = []
    now = timezone.now()
    adapt = connection.ops.adapt_datefield_value
    adapted: dict[date, object] = {}
    for key, (code, school_id, reason, _line) in wanted.items():
        found = existing.get(key)
        if found is None:
            day = adapted.get(key[1])
            if day is None:
                day = adapted[key[1]] = adapt(key[1])
            new_rows.append((key[0], day, key[2], code, school_id))
            continue
        mark_id, old_code, old_school_id = found
        if old_code == code and old_school_id == school_id:
            continue
        changed_rows.append((code, school_id, mark_id))
        if old_code != code:
            amendments.append(
                mark_amendment(
                    pupil_id=key[0],
                    day=key[1],
                    session=key[2],
                    original_code=old_code,
                    amended_code=code,
                    reason=reason,
                    amended_at=now,
                    amended_by_name=amended_by,
                    amended_by_position=position,
                )
            )
    return new_rows, changed_rows, amendments


def _unknown_school(urn: str) -> str:
    try:
        parse_urn(urn)
    except Invalid as exc:
        return str(exc)
    return f"no school with URN {urn!r}"


def _parse_day(value: str, today: date) -> date | str:
    if not value:
        return EMPTY
    try:
        day = parse_date(value)
    except Invalid as exc:
        return str(exc)
    # A register is taken on the day: a mark after today is a mistyped date (or a plan, which the register
    # does not hold), and the casework keeps nothing from before facts.EARLIEST_FACT.
    if day > today:
        return f"{value} is after today ({today.isoformat()}): a register mark is recorded on or after its day"
    if day < facts.EARLIEST_FACT:
        return f"{value} is before {facts.EARLIEST_FACT.isoformat()}: check the year"
    return day


def _existing_marks(marks: Wanted) -> dict[tuple[int, date, int], tuple[int, str, int]]:
    """The recorded marks of the file's pupils over the file's dates: (pupil_id, date, session) -> (id, code, school_id)."""
    if not marks:
        return {}
    pupil_ids = sorted({key[0] for key in marks})
    first = min(key[1] for key in marks)
    last = max(key[1] for key in marks)
    existing = {}
    for chunk in chunked(pupil_ids, PUPIL_CHUNK):
        query = Mark.objects.filter(pupil_id__in=chunk, date__range=(first, last)).values_list(
            "pupil_id", "date", "session", "id", "code", "school_id"
        )
        for pupil_id, day, session, pk, code, school_id in query.iterator(chunk_size=WRITE_BATCH):
            existing[(pupil_id, day, session)] = (pk, code, school_id)
    return existing


def _write(new_rows: list[tuple], changed_rows: list[tuple]) -> None:
    """Raw executemany: building 760,000 model instances would cost more than the whole insert."""
    qn = connection.ops.quote_name
    table = qn(Mark._meta.db_table)
    insert = (
        f"INSERT INTO {table} ({qn('pupil_id')}, {qn('date')}, {qn('session')}, {qn('code')}, {qn('school_id')}) "
        "VALUES (%s, %s, %s, %s, %s)"
    )
    update = f"UPDATE {table} SET {qn('code')} = %s, {qn('school_id')} = %s WHERE {qn('id')} = %s"
    with connection.cursor() as cursor:
        for batch in chunked(new_rows, WRITE_BATCH):
            cursor.executemany(insert, batch)
        for batch in chunked(changed_rows, WRITE_BATCH):
            cursor.executemany(update, batch)


def _pupil_schools(pupil_ids: set[int]) -> tuple[int, ...]:
    ids = sorted(pupil_ids)
    schools: set[int] = set()
    for i in range(0, len(ids), 900):
        schools.update(Pupil.objects.filter(id__in=ids[i : i + 900]).values_list("school_id", flat=True))
    return tuple(sorted(schools))


def _audit(file: str, marks: dict, created: int, amended: int) -> None:
    schools = {school_id for _code, school_id, _reason, _line in marks.values()}
    for school_id in schools:
        audit(
            action="import_register",
            school=School(id=school_id),
            detail=f"{Path(file).name} imported: {created} new marks, {amended} amendments in the file",
        )
