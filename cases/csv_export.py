"""The one way the product writes a CSV for people to open: every export goes through ``csv_response``.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (CSV injection, OWASP), so a parent's name or a notice reference typed as
``=HYPERLINK("http://evil.example","Pay")`` would become a live link on an officer's machine. Here every
text cell is neutralised by a leading ``'``, which the spreadsheet shows as text; no call site chooses
which cells to protect, so a new column cannot be missed. Dates are ISO 8601, numbers plain, booleans
``Y``/``N`` (as in the import files, contract.md 1), and a field with choices is written as its label
("Paid at the reduced rate", not ``paid_reduced``). The file starts with a UTF-8 byte order mark, which
is how Excel recognises UTF-8 (without it "Zoë" opens as "ZoÃ«"); ``csv`` readers that open the file
with ``encoding="utf-8-sig"`` drop it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

BOM = "\ufeff"
# What a spreadsheet takes as the start of a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def safe_text(value: str) -> str:
    """The text as a spreadsheet shows it, never runs it: prefixed with ``'`` when it could start a formula.

    Leading spaces or newlines do not protect a cell (LibreOffice and Excel skip them before ``=``), so
    they are looked through.
    """
    if value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return NEUTRALISER + value
    return value


def csv_cell(value: object) -> str:
    """One cell's text: empty for None, Y/N, ISO dates, plain numbers, and any text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal | float):
        return str(value)
    return safe_text(str(value))


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and where its value comes from.

    ``source`` is a dotted attribute path from the row (``"pupil.upn"``; the header itself when omitted)
    or a function of the row. A model field with choices reached by a path is written as its label.
    """

    header: str
    source: str | Callable[[Any], object] | None = None

    def value(self, row: Any) -> object:
        source = self.source or self.header
        if callable(source):
            return source(row)
        obj = row
        *path, last = source.split(".")
        for name in path:
            obj = getattr(obj, name)
            if obj is None:
                return None
        display = getattr(obj, f"get_{last}_display", None)
        return display() if callable(display) else getattr(obj, last)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[str]:
    """The BOM, the header line, then one line per row, each cell through ``csv_cell``."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([csv_cell(column.header) for column in columns])
    for row in rows:
        yield writer.writerow([csv_cell(column.value(row)) for column in columns])


def csv_response(*, filename: str, columns: Sequence[Column], rows: Iterable[Any]) -> StreamingHttpResponse:
    """A streamed CSV download: private, never cached, saved under ``filename``."""
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
