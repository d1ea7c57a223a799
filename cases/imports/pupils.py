"""pupils.csv: create or update pupils, and the schools (and local authorities) they are on roll at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils import timezone

from cases.audit import audit
from cases.facts import ImpossibleFact, school_age_birth
from cases.imports.csvfile import (
    ImportFailed,
    ImportResult,
    Problem,
    Progress,
    RowCheck,
    Spec,
    choice,
    chunked,
    parse_bool,
    parse_date,
    parse_la_code,
    parse_upn,
    parse_urn,
    read_table,
    text,
)
from cases.imports.lock import import_transaction
from cases.models import LocalAuthority, Pupil, School, SenStatus, YearGroup

SPEC = Spec(
    name="pupils.csv",
    required=("upn", "forename", "surname", "date_of_birth", "school_urn", "year_group"),
    optional=(
        "school_name",
        "la_code",
        "sen_status",
        "fsm",
        "social_worker",
        "looked_after",
        "young_carer",
        "eal",
    ),
)
FLAGS = ("fsm", "social_worker", "looked_after", "young_carer", "eal")
# The fields an import sets, in the order of the tuples compared to decide "unchanged".
FIELDS = ("forename", "surname", "date_of_birth", "school_id", "year_group", "sen_status", *FLAGS)

_year_group = choice({y.value: y.value for y in YearGroup}, "a year group (R or 1 to 14)")
_sen_status = choice({s.value: s.value for s in SenStatus}, "a SEN status (N, K or E)")
_name = text(100)


@dataclass
class _Row:
    line: int
    upn: str
    forename: str
    surname: str
    date_of_birth: date
    school_urn: str
    year_group: str
    sen_status: str | None  # None: not given, keep what is recorded (a new pupil gets N)
    flags: dict[str, bool | None]  # likewise, a new pupil gets False


@dataclass
class _SchoolFacts:
    name: str | None = None
    name_line: int = 0
    la_code: str | None = None
    la_line: int = 0
    first_line: int = 0


def import_pupils(
    *, path: str | Path, today: date | None = None, progress: Progress | None = None
) -> ImportResult:
    """Creates or updates every pupil of the file, or nothing at all (ImportFailed lists every problem).

    An empty optional cell leaves the recorded value alone, so a partial export never wipes data; a new
    pupil gets the defaults (SEN status N, every flag N). An unknown school is created from
    school_name and la_code (and its local authority, named "LA <code>", if that is new too).
    """
    table = read_table(path, SPEC)
    today = today or timezone.localdate()
    problems: list[Problem] = list(table.problems)
    rows, schools = _validate(table.file, table, today, problems)

    with import_transaction(SPEC.name, table.file, progress):
        existing_schools = {
            urn: (pk, name, la_code)
            for chunk in chunked(list(schools))
            for urn, pk, name, la_code in School.objects.filter(urn__in=chunk).values_list(
                "urn", "id", "name", "local_authority__code"
            )
        }
        _check_schools(table.file, schools, existing_schools, rows, problems)
        if problems:
            raise ImportFailed(problems)
        if progress:
            progress(f"{table.file}: {len(rows)} rows valid, writing")

        school_ids, schools_created, schools_updated = _write_schools(schools, existing_schools)
        existing = {
            upn: (pk, values)
            for chunk in chunked([row.upn for row in rows])
            for upn, pk, *values in Pupil.objects.filter(upn__in=chunk).values_list("upn", "id", *FIELDS)
        }
        new: list[Pupil] = []
        changed: list[Pupil] = []
        unchanged = 0
        for row in rows:
            found = existing.get(row.upn)
            recorded = dict(zip(FIELDS, found[1], strict=True)) if found else {}
            values = {
                "forename": row.forename,
                "surname": row.surname,
                "date_of_birth": row.date_of_birth,
                "school_id": school_ids[row.school_urn],
                "year_group": row.year_group,
                "sen_status": row.sen_status or recorded.get("sen_status", SenStatus.NONE),
                **{f: row.flags[f] if row.flags[f] is not None else recorded.get(f, False) for f in FLAGS},
            }
            if found is None:
                new.append(Pupil(upn=row.upn, **values))
            elif values != recorded:
                changed.append(Pupil(id=found[0], upn=row.upn, **values))
            else:
                unchanged += 1
        Pupil.objects.bulk_create(new, batch_size=1000)
        Pupil.objects.bulk_update(changed, fields=list(FIELDS), batch_size=500)
        _audit(table.file, new, changed)

    return ImportResult(
        file=table.file,
        rows=len(rows),
        created=len(new),
        updated=len(changed),
        unchanged=unchanged,
        schools_created=schools_created,
        schools_updated=schools_updated,
    )


def _validate(
    file: str, table, today: date, problems: list[Problem]
) -> tuple[list[_Row], dict[str, _SchoolFacts]]:
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    schools: dict[str, _SchoolFacts] = {}
    for line, record in table.records():
        check = RowCheck(file, line, record, problems)
        upn = check.get("upn", parse_upn, required=True)
        forename = check.get("forename", _name, required=True)
        surname = check.get("surname", _name, required=True)
        born = check.get("date_of_birth", parse_date, required=True)
        urn = check.get("school_urn", parse_urn, required=True)
        year_group = check.get("year_group", _year_group, required=True)
        school_name = check.get("school_name", text(200))
        la_code = check.get("la_code", parse_la_code)
        sen_status = check.get("sen_status", _sen_status)
        flags = {flag: check.get(flag, parse_bool) for flag in FLAGS}
        if born is not None:
            try:
                school_age_birth(born, today=today, what=born.isoformat(), field="date_of_birth")
            except ImpossibleFact as refused:
                check.problem("date_of_birth", str(refused))
        if upn is not None:
            if upn in seen:
                check.problem("upn", f"{upn} is also on line {seen[upn]}; list each pupil once")
            else:
                seen[upn] = line
        if urn is not None:
            facts = schools.setdefault(urn, _SchoolFacts(first_line=line))
            if school_name is not None:
                if facts.name is None:
                    facts.name, facts.name_line = school_name, line
                elif facts.name != school_name:
                    check.problem(
                        "school_name",
                        f"{school_name!r} differs from {facts.name!r} on line {facts.name_line}",
                    )
            if la_code is not None:
                if facts.la_code is None:
                    facts.la_code, facts.la_line = la_code, line
                elif facts.la_code != la_code:
                    check.problem(
                        "la_code", f"{la_code} differs from {facts.la_code} on line {facts.la_line}"
                    )
        if check.ok:
            rows.append(_Row(line, upn, forename, surname, born, urn, year_group, sen_status, flags))
    return rows, schools


def _check_schools(
    file: str,
    schools: dict[str, _SchoolFacts],
    existing: dict[str, tuple[int, str, str]],
    rows: list[_Row],
    problems: list[Problem],
) -> None:
    for urn, facts in schools.items():
        if urn in existing:
            recorded_la = existing[urn][2]
            if facts.la_code is not None and facts.la_code != recorded_la:
                # Moving a school to another LA changes its code of conduct and who sees it: not an import's job.
                problems.append(
                    Problem(
                        file,
                        facts.la_line,
                        "la_code",
                        f"school {urn} belongs to LA {recorded_la}, not {facts.la_code}",
                    )
                )
        elif facts.name is None or facts.la_code is None:
            missing = " and ".join(
                c for c, v in (("school_name", facts.name), ("la_code", facts.la_code)) if v is None
            )
            for row in rows:
                if row.school_urn == urn:
                    problems.append(
                        Problem(
                            file,
                            row.line,
                            "school_urn",
                            f"no school with URN {urn}; give {missing} to create it",
                        )
                    )
            if not any(row.school_urn == urn for row in rows):
                problems.append(
                    Problem(
                        file,
                        facts.first_line,
                        "school_urn",
                        f"no school with URN {urn}; give {missing} to create it",
                    )
                )


def _write_schools(
    schools: dict[str, _SchoolFacts], existing: dict[str, tuple[int, str, str]]
) -> tuple[dict[str, int], int, int]:
    """The id of every school of the file, creating and renaming schools as the file says."""
    ids = {urn: found[0] for urn, found in existing.items()}
    created = renamed = 0
    for urn, facts in schools.items():
        if urn in existing:
            if facts.name is not None and facts.name != existing[urn][1]:
                School.objects.filter(id=existing[urn][0]).update(name=facts.name)
                renamed += 1
            continue
        la, _ = LocalAuthority.objects.get_or_create(
            code=facts.la_code, defaults={"name": f"LA {facts.la_code}"}
        )
        ids[urn] = School.objects.create(urn=urn, name=facts.name, local_authority=la).id
        created += 1
    return ids, created, renamed


def _audit(file: str, new: list[Pupil], changed: list[Pupil]) -> None:
    per_school: dict[int, list[int]] = {}
    for pupil in new:
        per_school.setdefault(pupil.school_id, [0, 0])[0] += 1
    for pupil in changed:
        per_school.setdefault(pupil.school_id, [0, 0])[1] += 1
    for school_id, (created, updated) in per_school.items():
        audit(
            action="import_pupils",
            school=School(id=school_id),
            detail=f"{Path(file).name}: {created} pupils created, {updated} updated",
        )
