"""import_notices (contract section 3): all or nothing, FILE:LINE: column: reason, idempotent, and the
offence periods it records keep those sessions out of a later threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from cases.scan import scan
from notices.models import PenaltyNotice, PenaltyNoticeState, ProsecutionOutcome
from tests.factories import ParentalRelationshipFactory, PupilFactory, add_marks

pytestmark = pytest.mark.django_db

HEADER = "reference,upn,parent_ref,issued_on,amount_full,amount_reduced,status,paid_on,withdrawn_reason,offence_from,offence_to"
UPN = "A123456789012"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def family(school):
    pupil = PupilFactory(upn=UPN, school=school)
    mother = ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1").parent
    return pupil, mother


def _file(tmp_path, *rows: str) -> str:
    path = tmp_path / "notices.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return str(path)


def _import(path: str) -> str:
    out = StringIO()
    call_command("import_notices", path, stdout=out, stderr=StringIO())
    return out.getvalue()


def _refused(path: str) -> list[str]:
    before = PenaltyNotice.objects.count()
    err = StringIO()
    with pytest.raises(CommandError, match="nothing from this file was saved"):
        call_command("import_notices", path, stdout=StringIO(), stderr=err, verbosity=0)
    assert PenaltyNotice.objects.count() == before
    return err.getvalue().splitlines()


def test_import_records_history_with_the_amounts_of_its_time(tmp_path, family):
    path = _file(
        tmp_path,
        f"OLD-1,{UPN},M1,2023-05-10,120.00,60.00,paid,2023-05-20,,2023-03-01,2023-04-28",
        f"PN-1,{UPN},M1,2025-01-10,160.00,80.00,paid,2025-02-05,,,",
        f"PN-2,{UPN},M1,2025-06-10,160.00,,unpaid,,,,",
        f"PN-3,{UPN},M1,2025-09-10,160.00,,withdrawn,,Served at the wrong address,,",
    )
    assert "4 rows, 4 created, 0 updated, 0 unchanged" in _import(path)
    old = PenaltyNotice.objects.get(reference="OLD-1")
    assert (old.amount_full, old.amount_reduced, old.state) == (Decimal("120.00"), Decimal("60.00"),
                                                               PenaltyNoticeState.PAID_REDUCED)
    assert old.paid_amount == Decimal("60.00")  # paid within 21 days: the reduced amount of its time
    pn1 = PenaltyNotice.objects.get(reference="PN-1")
    assert (pn1.state, pn1.paid_amount) == (PenaltyNoticeState.PAID_FULL, Decimal("160.00"))  # after 21 days
    assert PenaltyNotice.objects.get(reference="PN-2").paid_amount is None
    assert PenaltyNotice.objects.get(reference="PN-3").withdrawn_reason == "Served at the wrong address"
    assert "4 rows, 0 created, 0 updated, 4 unchanged" in _import(path)


def test_a_changed_row_updates_the_imported_notice(tmp_path, family):
    _import(_file(tmp_path, f"PN-2,{UPN},M1,2025-06-10,160.00,,unpaid,,,,"))
    out = _import(_file(tmp_path, f"PN-2,{UPN},M1,2025-06-10,160.00,,prosecuted,,,,"))
    assert "1 updated" in out
    assert PenaltyNotice.objects.get(reference="PN-2").state == PenaltyNoticeState.PROSECUTED


def test_every_problem_is_listed_with_line_and_column_and_nothing_is_saved(tmp_path, family):
    lines = _refused(_file(
        tmp_path,
        f"PN-1,{UPN},M1,2025-01-10,160.00,80.00,paid,,,,",
        f"PN-2,{UPN},M1,2025-01-10,160,,withdrawn,,,,",
        "PN-3,Z999999999999,M1,2025-01-10,160.00,,issued,,,,",
        f"PN-4,{UPN},NOPE,2025-01-10,160.00,,issued,,,,",
        f"PN-5,{UPN},M1,2025-01-10,16O.00,,cancelled,,,2025-01-01,",
        f"PN-1,{UPN},M1,2025-01-10,160.00,,issued,,,,",
        f"PN-6,{UPN},M1,2027-01-10,160.00,,issued,,,,",
    ))
    text = "\n".join(lines)
    assert "notices.csv:2: paid_on: required when status is paid" in text
    assert "notices.csv:3: withdrawn_reason: required when status is withdrawn" in text
    assert "notices.csv:4: upn: " in text
    assert "notices.csv:5: parent_ref: no parent 'NOPE'" in text
    assert "notices.csv:6: amount_full: '16O.00' must be an amount in pounds and pence" in text
    assert "notices.csv:6: status: 'cancelled' is not one of issued, paid, unpaid, withdrawn, prosecuted" in text
    assert "notices.csv:6: offence_to: give both ends of the offence period" in text
    assert "notices.csv:7: reference: 'PN-1' is on line 2 already" in text
    assert "notices.csv:8: issued_on: a notice cannot be dated after today" in text


def test_an_unknown_column_is_refused(tmp_path, family):
    path = tmp_path / "notices.csv"
    path.write_text(HEADER + ",amount_paid\n" + f"PN-1,{UPN},M1,2025-01-10,160.00,,issued,,,,,160.00\n")
    assert any("amount_paid" in line for line in _refused(str(path)))


def test_imported_notices_count_toward_the_limit(tmp_path, family):
    _import(_file(tmp_path, f"PN-1,{UPN},M1,2025-01-10,160.00,80.00,paid,2025-01-20,,,",
                  f"PN-2,{UPN},M1,2025-06-10,160.00,,unpaid,,,,"))
    out = StringIO()
    call_command("penalty_notice_check", "--upn", UPN, "--parent-ref", "M1", "--on", "2026-11-26", stdout=out)
    assert '"allowed": false' in out.getvalue()


def test_the_offence_period_of_an_imported_notice_never_counts_toward_a_later_threshold(tmp_path, family):
    pupil, _ = family
    add_marks(pupil, dt.date(2026, 9, 7), "GG" * 5)
    assert scan(as_of=dt.date(2026, 9, 18))[0].measures.pn_threshold_met is True
    _import(_file(tmp_path, f"PN-1,{UPN},M1,2026-09-14,160.00,80.00,issued,,,2026-09-07,2026-09-11"))
    assert scan(as_of=dt.date(2026, 9, 18))[0].measures.pn_threshold_met is False


def test_a_withdrawn_notice_does_not_cover_its_sessions(tmp_path, family):
    pupil, _ = family
    add_marks(pupil, dt.date(2026, 9, 7), "GG" * 5)
    _import(_file(tmp_path, f"PN-1,{UPN},M1,2026-09-14,160.00,80.00,withdrawn,,Wrong parent named,2026-09-07,2026-09-11"))
    assert scan(as_of=dt.date(2026, 9, 18))[0].measures.pn_threshold_met is True


# --- prosecution_outcome (optional): guilty, not_guilty, or empty while pending; only for status prosecuted ---

OUTCOME_HEADER = HEADER + ",prosecution_outcome"


def _outcome_file(tmp_path, *rows: str) -> str:
    path = tmp_path / "notices.csv"
    path.write_text("\n".join([OUTCOME_HEADER, *rows]) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("cell", "stored", "allowed"),
    [("", "", False), ("guilty", ProsecutionOutcome.GUILTY, False), ("not_guilty", ProsecutionOutcome.NOT_GUILTY, True)],
    ids=["pending", "guilty", "acquitted"],
)
def test_the_prosecution_outcome_is_recorded_and_an_acquittal_stops_counting(tmp_path, family, cell, stored, allowed):
    _import(_outcome_file(tmp_path, f"PN-1,{UPN},M1,2025-01-10,160.00,80.00,paid,2025-01-20,,,,",
                          f"PN-2,{UPN},M1,2025-06-10,160.00,,prosecuted,,,,,{cell}"))
    assert PenaltyNotice.objects.get(reference="PN-2").prosecution_outcome == stored
    out = StringIO()
    call_command("penalty_notice_check", "--upn", UPN, "--parent-ref", "M1", "--on", "2026-11-26", stdout=out)
    assert f'"allowed": {str(allowed).lower()}' in out.getvalue()


def test_a_later_file_records_the_outcome_of_a_pending_prosecution(tmp_path, family):
    _import(_outcome_file(tmp_path, f"PN-2,{UPN},M1,2025-06-10,160.00,,prosecuted,,,,,"))
    assert "1 updated" in _import(_outcome_file(tmp_path, f"PN-2,{UPN},M1,2025-06-10,160.00,,prosecuted,,,,,not_guilty"))
    assert PenaltyNotice.objects.get(reference="PN-2").prosecution_outcome == ProsecutionOutcome.NOT_GUILTY


def test_a_bad_prosecution_outcome_is_refused_with_line_and_column(tmp_path, family):
    lines = _refused(_outcome_file(
        tmp_path,
        f"PN-1,{UPN},M1,2025-06-10,160.00,,unpaid,,,,,guilty",
        f"PN-2,{UPN},M1,2025-06-10,160.00,,prosecuted,,,,,acquitted",
        f"PN-3,{UPN},M1,2025-06-10,160.00,,withdrawn,,Wrong parent,,,not_guilty",
    ))
    text = "\n".join(lines)
    assert "notices.csv:2: prosecution_outcome: only a prosecuted notice has a prosecution outcome" in text
    assert "notices.csv:3: prosecution_outcome: 'acquitted' is not one of guilty, not_guilty" in text
    assert "notices.csv:4: prosecution_outcome: only a prosecuted notice has a prosecution outcome" in text


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("amount_full", "NaN", "'NaN' must be an amount in pounds and pence, like 80.00"),
        ("amount_full", "Infinity", "'Infinity' must be an amount in pounds and pence"),
        ("amount_full", "-Infinity", "'-Infinity' must be an amount in pounds and pence"),
        ("amount_full", "1e309", "'1e309' must be less than £1,000,000"),
        ("amount_full", "100000", "'100000' must be £99,999.99 or less"),
        ("amount_full", "-160.00", "'-160.00' must be more than £0"),
        ("amount_full", "0", "'0' must be more than £0"),
        ("amount_full", "160.005", "'160.005' must be in whole pence"),
        ("amount_reduced", "sNaN", "'sNaN' must be an amount in pounds and pence"),
        ("issued_on", "1999-12-31", "before 2000-01-01: no notice on record is that old"),
        ("offence_from", "1999-12-01", "before 2000-01-01"),
    ],
    ids=["nan", "infinity", "minus-infinity", "1e309", "beyond-the-field", "negative", "zero", "fraction-of-a-penny",
         "signalling-nan", "issued-in-1999", "offence-in-1999"],
)
def test_an_impossible_amount_or_date_is_a_line_and_column_never_a_traceback(tmp_path, family, column, value, reason):
    cells = {"reference": "PN-1", "upn": UPN, "parent_ref": "M1", "issued_on": "2025-01-10", "amount_full": "160.00",
             "amount_reduced": "80.00", "status": "issued", "paid_on": "", "withdrawn_reason": "",
             "offence_from": "2025-01-06", "offence_to": "2025-01-08", column: value}
    if column == "offence_from":
        cells["offence_to"] = "1999-12-02"
    lines = _refused(_file(tmp_path, ",".join(cells[c] for c in HEADER.split(","))))
    assert any(line.endswith(f"notices.csv:2: {column}: {reason}") or f"notices.csv:2: {column}: {reason}" in line
               for line in lines), lines


def test_a_payment_date_on_record_has_happened(tmp_path, family):
    lines = _refused(_file(tmp_path, f"PN-1,{UPN},M1,2026-11-20,160.00,,paid,2026-11-27,,,"))
    assert any("notices.csv:2: paid_on: after today: a notice's dates on record have happened" in line
               for line in lines), lines
