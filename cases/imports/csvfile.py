"""Reading an MIS export: a UTF-8 CSV with a header row, every problem located as ``FILE:LINE: column: reason``.

Shared by the three imports of contract.md section 1. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from cases.rules import upn_check_letter

# Pseudo-columns for problems that belong to no single cell.
FILE_COLUMN = "(file)"
HEADER_COLUMN = "(header)"
ROW_COLUMN = "(row)"

# Characters no MIS export means to hold: C0 controls other than tab, line feed and carriage return, DEL,
# and the C1 controls. NUL in particular is stored by SQLite but refused by PostgreSQL mid-import, so every
# database is given the same refusal, with the cell it is in, before anything is looked up or written.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_NAMES = {0x00: "NUL", 0x7F: "DEL"}

# SQLite's default limit is 999 parameters per statement; keep every IN (...) well under it.
LOOKUP_CHUNK = 900

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file, in words for the person who fixes the file."""

    file: str
    line: int | None  # physical line in the file, the header being line 1; None for the file as a whole
    column: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.column}: {self.reason}"


class ImportFailed(Exception):
    """The file was refused as a whole; nothing from it was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        first = str(self.problems[0]) if self.problems else "no details"
        super().__init__(f"{len(self.problems)} problem(s), the first: {first}")


@dataclass(frozen=True)
class ImportResult:
    """What an import did, counted per row of the file."""

    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    amendments: int = 0
    schools_created: int = 0
    schools_updated: int = 0
    parents_created: int = 0
    parents_updated: int = 0
    # Schools whose pupils' marks changed: their snapshots and alerts are due for a re-scan.
    rescan_school_ids: tuple[int, ...] = ()

    def summary(self) -> str:
        text = (
            f"{self.file}: {self.rows} rows, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        extras = [
            (self.amendments, "amendment", "amendments"),
            (self.schools_created, "school created", "schools created"),
            (self.schools_updated, "school renamed", "schools renamed"),
            (self.parents_created, "parent created", "parents created"),
            (self.parents_updated, "parent updated", "parents updated"),
        ]
        for count, one, many in extras:
            if count:
                text += f", {count} {one if count == 1 else many}"
        return text


@dataclass(frozen=True)
class Spec:
    """The columns a file may have."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass
class Table:
    """A parsed file: where each column sits, and its data rows with their physical line numbers."""

    file: str
    index: dict[str, int]
    rows: list[tuple[int, list[str]]]
    problems: list[Problem]  # rows that could not be read at all (wrong number of cells)

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each row as {column: stripped cell}; an optional column absent from the file reads as empty."""
        items = list(self.index.items())
        for line, cells in self.rows:
            yield line, {column: cells[position] for column, position in items}


def read_table(path: str | Path, spec: Spec) -> Table:
    """Decodes and splits the file and checks its header. Raises ImportFailed when the file cannot be read."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailed(
            [Problem(name, None, FILE_COLUMN, f"cannot read the file: {exc.strerror or exc}")]
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" export
            line, found = 1, "the file is UTF-16"
        else:
            line, found = raw.count(b"\n", 0, exc.start) + 1, f"byte 0x{raw[exc.start]:02X}"
        reason = f"not valid UTF-8 ({found}); export the file as UTF-8 (in Excel: Save As, 'CSV UTF-8')"
        raise ImportFailed([Problem(name, line, FILE_COLUMN, reason)]) from exc

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    # Registers repeat the same few thousand UPNs, dates and codes: share one string per value.
    shared: dict[str, str] = {}
    share = shared.setdefault
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            expected = ", ".join(spec.columns)
            raise ImportFailed(
                [
                    Problem(
                        name,
                        1,
                        HEADER_COLUMN,
                        f"no header row; the first line must name the columns ({expected})",
                    )
                ]
            )
        width = len(header)
        end = reader.line_num
        for cells in reader:
            start, end = end + 1, reader.line_num
            if len(cells) != width:
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line
                problems.append(
                    Problem(
                        name, start, ROW_COLUMN, f"{len(cells)} cells, but the header names {width} columns"
                    )
                )
                continue
            rows.append((start, [share(cell, cell) for cell in map(str.strip, cells)]))
    except csv.Error as exc:
        raise ImportFailed(
            [*problems, Problem(name, reader.line_num, ROW_COLUMN, f"not readable as CSV: {exc}")]
        ) from exc

    if CONTROL_CHARACTERS.search(text):  # one scan of the whole file; the cells only when it finds one
        header, rows = _refuse_control_characters(name, header, rows, problems)
    index = _check_header(name, header, rows, spec)
    # Drop rows that are empty in every cell (e.g. ",,,," lines some spreadsheets add at the end).
    rows = [(line, cells) for line, cells in rows if any(cells)]
    return Table(file=name, index=index, rows=rows, problems=problems)


def control_character_problem(value: str) -> str | None:
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return None
    code = ord(found.group())
    named = f" {CONTROL_NAMES[code]}" if code in CONTROL_NAMES else ""
    return (f"contains a control character (U+{code:04X}{named}) at position {found.start() + 1}; "
            "remove it and export the file again")


def _refuse_control_characters(
    name: str, header: list[str], rows: list[tuple[int, list[str]]], problems: list[Problem]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Lists each cell holding a control character and drops its row, so no such value reaches a query."""
    for position, cell in enumerate(header):
        reason = control_character_problem(cell)
        if reason:
            raise ImportFailed([*problems, Problem(name, 1, HEADER_COLUMN, f"column {position + 1} {reason}")])
    columns = [cell.strip().lower() or f"(column {position + 1})" for position, cell in enumerate(header)]
    clean: list[tuple[int, list[str]]] = []
    for line, cells in rows:
        found = [(columns[position], control_character_problem(cell)) for position, cell in enumerate(cells)]
        bad = [(column, reason) for column, reason in found if reason]
        if bad:
            problems.extend(Problem(name, line, column, reason) for column, reason in bad)
        else:
            clean.append((line, cells))
    return header, clean


def _check_header(
    name: str, header: list[str], rows: list[tuple[int, list[str]]], spec: Spec
) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    known = set(spec.columns)
    if not known.intersection(names):
        reason = f"no header row; the first line must name the columns ({', '.join(spec.columns)})"
        raise ImportFailed([Problem(name, 1, HEADER_COLUMN, reason)])
    problems: list[Problem] = []
    index: dict[str, int] = {}
    for position, column in enumerate(names):
        if not column:
            # A trailing comma on every line is harmless; a nameless column holding values would be lost.
            used = next((line for line, cells in rows if cells[position]), None)
            if used is not None:
                problems.append(
                    Problem(
                        name, used, f"(column {position + 1})", "holds values but has no name in the header"
                    )
                )
        elif column in index:
            problems.append(Problem(name, 1, column, "appears twice in the header"))
        elif column not in known:
            problems.append(
                Problem(name, 1, column, f"unknown column; {spec.name} may have: {', '.join(spec.columns)}")
            )
        else:
            index[column] = position
    for column in spec.required:
        if column not in index:
            problems.append(Problem(name, 1, column, "required column is missing from the header"))
    if problems:
        raise ImportFailed(problems)
    return index


class Invalid(ValueError):
    """A cell's value is wrong; the message says why."""


class RowCheck:
    """Reads the cells of one row, collecting every bad cell rather than stopping at the first."""

    def __init__(self, file: str, line: int, record: dict[str, str], problems: list[Problem]) -> None:
        self.file, self.line, self.record, self.problems = file, line, record, problems
        self.ok = True

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(Problem(self.file, self.line, column, reason))
        self.ok = False

    def get(self, column: str, parse: Callable[[str], Any] | None = None, *, required: bool = False) -> Any:
        """The parsed cell, or None when it is empty (a problem if required) or invalid."""
        raw = self.record.get(column, "")
        if raw == "":
            if required:
                self.problem(column, "required, but the cell is empty")
            return None
        control = control_character_problem(raw)  # a value entered by hand has not been through read_table
        if control:
            self.problem(column, control)
            return None
        if parse is None:
            return raw
        try:
            return parse(raw)
        except Invalid as exc:
            self.problem(column, str(exc))
            return None


# --- cell parsers: each returns the value or raises Invalid with a reason ---

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UPN = re.compile(r"[A-Z][0-9]{12}")
_URN = re.compile(r"[0-9]{6}")
_LA_CODE = re.compile(r"[0-9]{3}")


def parse_date(value: str) -> date:
    if not _DATE.fullmatch(value):
        raise Invalid(f"{value!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{value!r} is not a real date") from None


def parse_bool(value: str) -> bool:
    flag = value.upper()
    if flag == "Y":
        return True
    if flag == "N":
        return False
    raise Invalid(f"{value!r} is not Y or N")


def upn_shape_problem(value: str) -> str | None:
    if not _UPN.fullmatch(value):
        return f"{value!r} is not a UPN (a capital letter then 12 digits)"
    return None


def upn_check_problem(value: str) -> str | None:
    expected = upn_check_letter(value[1:])
    if value[0] != expected:
        return f"{value!r} has the wrong check letter for its digits (expected {expected!r}); check for a mistyped digit"
    return None


def parse_upn(value: str) -> str:
    """A UPN with its shape and DfE check letter validated."""
    reason = upn_shape_problem(value) or upn_check_problem(value)
    if reason:
        raise Invalid(reason)
    return value


def parse_upn_shape(value: str) -> str:
    """A UPN of the right shape; the check letter is left to the lookup (the pupil must already exist)."""
    reason = upn_shape_problem(value)
    if reason:
        raise Invalid(reason)
    return value


def unknown_upn_reason(upn: str) -> str:
    hint = upn_check_problem(upn)
    return f"no pupil with UPN {upn!r}; import pupils.csv first" + (f" ({hint})" if hint else "")


def parse_urn(value: str) -> str:
    if not _URN.fullmatch(value):
        raise Invalid(f"{value!r} is not a URN (6 digits)")
    return value


def parse_la_code(value: str) -> str:
    if not _LA_CODE.fullmatch(value):
        raise Invalid(f"{value!r} is not a local authority number (3 digits)")
    return value


def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise Invalid(f"longer than {max_length} characters ({len(value)})")
        return value

    return parse


def choice(allowed: dict[str, str], what: str) -> Callable[[str], str]:
    """A value among ``allowed`` (keys as written in the file, values as stored)."""

    def parse(value: str) -> str:
        try:
            return allowed[value]
        except KeyError:
            raise Invalid(f"{value!r} is not {what}") from None

    return parse


def parse_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid(f"{value!r} is not an email address") from None
    if len(value) > 254:
        raise Invalid("longer than 254 characters")
    return value


def chunked(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
