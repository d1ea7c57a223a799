"""parents.csv: parents (s576 Education Act 1996) and their relationship to each pupil."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cases.audit import audit
from cases.imports.csvfile import (
    ImportFailed,
    ImportResult,
    Problem,
    Progress,
    RowCheck,
    Spec,
    chunked,
    parse_bool,
    parse_email,
    parse_upn_shape,
    read_table,
    text,
    unknown_upn_reason,
)
from cases.imports.lock import import_transaction
from cases.models import Parent, ParentalRelationship, Pupil, School

SPEC = Spec(
    name="parents.csv",
    required=(
        "upn",
        "parent_ref",
        "forename",
        "surname",
        "relationship",
        "parental_responsibility",
        "lives_with_pupil",
    ),
    optional=("address", "email", "phone"),
)
PERSON_FIELDS = ("forename", "surname", "address", "email", "phone")
LINK_FIELDS = ("relationship", "parental_responsibility", "lives_with_pupil")

_PARSERS = {
    "forename": text(100),
    "surname": text(100),
    "address": text(1000),
    "email": parse_email,
    "phone": text(40),
}


@dataclass
class _Row:
    line: int
    upn: str
    pupil_id: int
    school_id: int
    parent_ref: str
    person: dict[str, str | None]  # None: not given, keep what is recorded (a new parent gets "")
    link: tuple[str, bool, bool]


def import_parents(*, path: str | Path, progress: Progress | None = None) -> ImportResult:
    """Creates or updates every parent and relationship of the file, or nothing (ImportFailed lists why).

    A parent is identified by the pupil's school and parent_ref, so the same parent_ref on two pupils
    of a school (siblings) is one parent linked twice. An empty optional cell leaves the recorded value.
    """
    table = read_table(path, SPEC)
    problems: list[Problem] = list(table.problems)

    with import_transaction(SPEC.name, table.file, progress):
        records = list(table.records())
        upns = sorted({record["upn"] for _, record in records if record["upn"]})
        pupils = {
            upn: (pk, school_id)
            for chunk in chunked(upns)
            for upn, pk, school_id in Pupil.objects.filter(upn__in=chunk).values_list(
                "upn", "id", "school_id"
            )
        }
        rows, people = _validate(table.file, records, pupils, problems)
        if problems:
            raise ImportFailed(problems)
        if progress:
            progress(f"{table.file}: {len(rows)} rows valid, writing")

        parent_ids, parents_created, updated_parents = _write_parents(people)
        links = [(row.pupil_id, parent_ids[(row.school_id, row.parent_ref)], row) for row in rows]
        existing = {
            (pupil_id, parent_id): (pk, (relationship, responsibility, lives))
            for chunk in chunked(sorted({row.pupil_id for row in rows}))
            for pk, pupil_id, parent_id, relationship, responsibility, lives in ParentalRelationship.objects.filter(
                pupil_id__in=chunk
            ).values_list("id", "pupil_id", "parent_id", *LINK_FIELDS)
        }
        new: list[ParentalRelationship] = []
        changed: list[ParentalRelationship] = []
        updated = unchanged = 0
        for pupil_id, parent_id, row in links:
            found = existing.get((pupil_id, parent_id))
            values = dict(zip(LINK_FIELDS, row.link, strict=True))
            if found is None:
                new.append(ParentalRelationship(pupil_id=pupil_id, parent_id=parent_id, **values))
            elif found[1] != row.link:
                changed.append(
                    ParentalRelationship(id=found[0], pupil_id=pupil_id, parent_id=parent_id, **values)
                )
                updated += 1
            elif parent_id in updated_parents:
                updated += 1
            else:
                unchanged += 1
        ParentalRelationship.objects.bulk_create(new, batch_size=1000)
        ParentalRelationship.objects.bulk_update(changed, fields=list(LINK_FIELDS), batch_size=500)

        touched: dict[int, int] = {}
        for row in rows:
            touched[row.school_id] = touched.get(row.school_id, 0) + 1
        if new or updated:
            for school_id, count in touched.items():
                audit(
                    action="import_parents",
                    school=School(id=school_id),
                    detail=f"{Path(table.file).name}: {count} parent links imported",
                )

    return ImportResult(
        file=table.file,
        rows=len(rows),
        created=len(new),
        updated=updated,
        unchanged=unchanged,
        parents_created=parents_created,
        parents_updated=len(updated_parents),
    )


@dataclass
class _Person:
    """What the file says about one parent, merged over the rows of their children."""

    school_id: int
    parent_ref: str
    fields: dict[str, str | None]
    lines: dict[str, int]


def _validate(
    file: str,
    records: list[tuple[int, dict[str, str]]],
    pupils: dict[str, tuple[int, int]],
    problems: list[Problem],
) -> tuple[list[_Row], dict[tuple[int, str], _Person]]:
    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    people: dict[tuple[int, str], _Person] = {}
    for line, record in records:
        check = RowCheck(file, line, record, problems)
        upn = check.get("upn", parse_upn_shape, required=True)
        ref = check.get("parent_ref", text(50), required=True)
        person = {f: check.get(f, _PARSERS[f], required=f in SPEC.required) for f in PERSON_FIELDS}
        relationship = check.get("relationship", text(50), required=True)
        responsibility = check.get("parental_responsibility", parse_bool, required=True)
        lives = check.get("lives_with_pupil", parse_bool, required=True)
        pupil = None
        if upn is not None:
            pupil = pupils.get(upn)
            if pupil is None:
                check.problem("upn", unknown_upn_reason(upn))
        if upn is not None and ref is not None:
            if (upn, ref) in seen:
                check.problem("parent_ref", f"{ref!r} is linked to {upn} on line {seen[(upn, ref)]} already")
            else:
                seen[(upn, ref)] = line
        if pupil is not None and ref is not None:
            known = people.setdefault(
                (pupil[1], ref), _Person(pupil[1], ref, dict.fromkeys(PERSON_FIELDS), {})
            )
            for name, value in person.items():
                if value is None:
                    continue
                if known.fields[name] is None:
                    known.fields[name], known.lines[name] = value, line
                elif known.fields[name] != value:
                    check.problem(
                        name,
                        f"{value!r} differs from {known.fields[name]!r} given for parent {ref!r} "
                        f"on line {known.lines[name]}",
                    )
        if check.ok:
            rows.append(
                _Row(line, upn, pupil[0], pupil[1], ref, person, (relationship, responsibility, lives))
            )
    return rows, people


def _write_parents(
    people: dict[tuple[int, str], _Person],
) -> tuple[dict[tuple[int, str], int], int, set[int]]:
    """Creates and updates the parents; returns the id of each (school, parent_ref), the count created, the ids updated."""
    keys = list(people)
    existing: dict[tuple[int, str], tuple[int, dict[str, str]]] = {}
    for school_id in sorted({school_id for school_id, _ in keys}):
        refs = [ref for s, ref in keys if s == school_id]
        for chunk in chunked(refs):
            for pk, ref, *values in Parent.objects.filter(
                school_id=school_id, parent_ref__in=chunk
            ).values_list("id", "parent_ref", *PERSON_FIELDS):
                existing[(school_id, ref)] = (pk, dict(zip(PERSON_FIELDS, values, strict=True)))
    new: list[Parent] = []
    changed: list[Parent] = []
    for key, person in people.items():
        found = existing.get(key)
        recorded = found[1] if found else {}
        values = {
            f: person.fields[f] if person.fields[f] is not None else recorded.get(f, "")
            for f in PERSON_FIELDS
        }
        if found is None:
            new.append(Parent(school_id=key[0], parent_ref=key[1], **values))
        elif values != recorded:
            changed.append(Parent(id=found[0], school_id=key[0], parent_ref=key[1], **values))
    Parent.objects.bulk_create(new, batch_size=1000)
    Parent.objects.bulk_update(changed, fields=list(PERSON_FIELDS), batch_size=500)
    ids = {key: found[0] for key, found in existing.items()}
    for school_id in sorted({p.school_id for p in new}):
        refs = [p.parent_ref for p in new if p.school_id == school_id]
        for chunk in chunked(refs):
            for pk, ref in Parent.objects.filter(school_id=school_id, parent_ref__in=chunk).values_list(
                "id", "parent_ref"
            ):
                ids[(school_id, ref)] = pk
    return ids, len(new), {p.id for p in changed}
