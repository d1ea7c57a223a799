"""cases.csv_export, the one CSV writer: every text cell safe from formulas, a BOM, ISO dates, plain numbers,
labels for choices. No database: the writer is plain Python around csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from cases.csv_export import BOM, Column, csv_cell, csv_lines, safe_text
from cases.models import Pupil, School
from notices.models import PenaltyNotice, PenaltyNoticeState

# Each row: what a cell holds, what the file must hold. A payload that a spreadsheet would run gets one "'".
FORMULAS = [
    ('=HYPERLINK("http://evil.example","Pay")', '\'=HYPERLINK("http://evil.example","Pay")'),
    ("=1+1", "'=1+1"),
    ("+44 1632 960000", "'+44 1632 960000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("  =1+1", "'  =1+1"),
    ("\n@cmd", "'\n@cmd"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
]
HARMLESS = [
    ("Amelia Hughes", "Amelia Hughes"),
    ("O'Brien", "O'Brien"),
    ("PN-873-2026-00001", "PN-873-2026-00001"),
    ("a = b", "a = b"),
    ("Zoë Łukasz 日本", "Zoë Łukasz 日本"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "written"), FORMULAS + HARMLESS,
                         ids=[repr(t)[:24] for t, _ in FORMULAS + HARMLESS])
def test_text_that_a_spreadsheet_would_run_is_written_as_text(text, written):
    assert safe_text(text) == written
    assert csv_cell(text) == written


@pytest.mark.parametrize(("value", "written"), [
    (None, ""),
    (True, "Y"),
    (False, "N"),
    (dt.date(2026, 10, 5), "2026-10-05"),
    (dt.datetime(2026, 10, 5, 9, 30), "2026-10-05T09:30:00"),
    (Decimal("-80.00"), "-80.00"),  # a number, not text: never prefixed
    (Decimal("160.00"), "160.00"),
    (2, "2"),
    (-3, "-3"),
], ids=["none", "true", "false", "date", "datetime", "negative-decimal", "decimal", "int", "negative-int"])
def test_values_are_written_plainly(value, written):
    assert csv_cell(value) == written


def test_a_field_with_choices_is_written_as_its_label_and_a_path_follows_relations():
    notice = PenaltyNotice(state=PenaltyNoticeState.PAID_REDUCED,
                           pupil=Pupil(forename="Amelia", school=School(name="=Evil Academy")))
    assert Column("state").value(notice) == "Paid at the reduced rate"
    assert csv_cell(Column("school_name", "pupil.school.name").value(notice)) == "'=Evil Academy"
    assert Column("x", lambda row: row.state).value(notice) == PenaltyNoticeState.PAID_REDUCED


def test_the_file_starts_with_a_bom_and_reads_back_with_csv_reader():
    columns = [Column("reference"), Column("note")]
    rows = [{"reference": "=1+1", "note": 'two lines\nand "quotes", commas'}, {"reference": "PN-1", "note": None}]
    source = [type("Row", (), row)() for row in rows]
    text = "".join(csv_lines(columns, source))
    assert text.startswith(BOM + "reference,note\r\n")
    read = list(csv.reader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert read == [["reference", "note"], ["'=1+1", 'two lines\nand "quotes", commas'], ["PN-1", ""]]


def test_no_module_writes_a_csv_for_people_except_through_the_one_writer():
    """Every export goes through cases.csv_export: a new csv.writer or text/csv response elsewhere would be
    a file that nothing makes safe."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {".venv", "node_modules", "tests", "bench"} or relative == Path("cases/csv_export.py"):
            continue
        source = path.read_text()
        if any(marker in source for marker in ("csv.writer", "csv.DictWriter", "text/csv")):
            found.append(str(relative))
    assert found == []
