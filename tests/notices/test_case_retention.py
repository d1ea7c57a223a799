"""Closed case files deleted after the LA's retention period, never while an LA process is open on them; and the
subject access export of everything held about one pupil and their parents."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cases import rules
from cases.audit import audit
from cases.models import (
    AuditEvent,
    Case,
    CaseEvent,
    CaseOutcome,
    CaseState,
    EventKind,
    Offence,
    PenaltyNoticeConsideration,
)
from notices.case_retention import case_retention_purge, closed_before
from notices.flows import PenaltyNoticeRequestFlow
from notices.models import Letter, PenaltyNotice, PenaltyNoticeRequest, PenaltyNoticeState
from notices.tasks import case_retention
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 1)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)


def closed_case(pupil, dsl, closed_on: dt.date | None) -> Case:
    """A case with a chronology entry and a letter, closed on ``closed_on`` (None: still open)."""
    case = Case.objects.create(
        pupil=pupil, school=pupil.school, opened_at=at(dt.date(2015, 1, 5)), opened_by=dsl,
        opening_reason="Attendance 84%", stage_entered_at=at(dt.date(2015, 1, 5)),
    )
    CaseEvent.objects.create(case=case, at=at(dt.date(2015, 1, 6)), by=dsl, kind=EventKind.NOTE, summary="Rang home")
    Letter.objects.create(
        pupil=pupil, case=case, recipient="parent:1", template="t.html", subject_key=f"case:{case.pk}", version=1,
        title="Meeting invitation", pdf=b"%PDF-1.4 letter", sha256="", context={}, generated_by=dsl,
        generated_at=at(dt.date(2015, 1, 7)),
    )
    if closed_on is not None:
        Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED, closed_at=at(closed_on),
                                               outcome=CaseOutcome.IMPROVED)
    return case


def notice(case, parent, *, state: str, offence: Offence | None = None, **fields) -> PenaltyNotice:
    return PenaltyNotice.objects.create(
        local_authority=case.school.local_authority, reference=f"PN/{case.pk}/{state}", case=case, pupil=case.pupil,
        parent=parent, state=state, imported=True, created_at=at(dt.date(2016, 1, 4)), offence_record=offence,
        amount_full=Decimal("160"), **fields,
    )


def offence(pupil) -> Offence:
    return Offence.objects.create(
        pupil=pupil, as_of=dt.date(2016, 1, 4), first_met=dt.date(2015, 12, 1), offence_from=dt.date(2015, 11, 2),
        offence_to=dt.date(2015, 12, 1), window_starts=dt.date(2015, 9, 28), sessions=[], rule="10 sessions",
        computed_at=at(dt.date(2016, 1, 4)),
    )


@pytest.fixture
def parent(pupil):
    return factories.ParentalRelationshipFactory(pupil=pupil, parent__forename="Jane").parent


@pytest.mark.parametrize(("closed_on", "deleted"), [
    (dt.date(2019, 5, 31), True),
    (dt.date(2019, 6, 1), False),
    (dt.date(2024, 1, 1), False),
    (None, False),
], ids=["a-day-past-6-years", "exactly-6-years", "recent", "open"])
def test_a_closed_case_file_is_deleted_after_the_default_six_years(pupil, dsl, closed_on, deleted):
    case = closed_case(pupil, dsl, closed_on)
    result = case_retention_purge(today=TODAY)
    assert Case.objects.filter(pk=case.pk).exists() is not deleted
    assert result.deleted == ([case.pk] if deleted else [])
    if deleted:
        assert not CaseEvent.objects.exists() and not Letter.objects.exists()
        row = AuditEvent.objects.get(action="case.retention_delete")
        assert row.pupil == pupil
        assert row.detail == (f"case {case.pk} closed 2019-05-31, kept 6 years: deleted with "
                              "1 chronology entries, 1 letters")


def test_the_la_sets_the_period(pupil, dsl, la):
    factories.CodeOfConductFactory(local_authority=la, case_retention_years=2)
    two_years = closed_case(pupil, dsl, dt.date(2023, 5, 31))
    kept = closed_case(factories.PupilFactory(school=pupil.school), dsl, dt.date(2023, 6, 1))
    assert case_retention_purge(today=TODAY).deleted == [two_years.pk]
    assert Case.objects.filter(pk=kept.pk).exists()
    assert rules.CASE_RETENTION_YEARS == 6


@pytest.mark.parametrize(("state", "fields", "deleted"), [
    (PenaltyNoticeState.PAID_FULL, {"paid_on": dt.date(2016, 2, 1)}, True),
    (PenaltyNoticeState.WITHDRAWN, {"withdrawn_on": dt.date(2016, 2, 1)}, True),
    (PenaltyNoticeState.PROSECUTED, {"prosecution_outcome": "guilty"}, True),
    (PenaltyNoticeState.PROSECUTED, {}, False),
    (PenaltyNoticeState.ISSUED, {"issued_on": dt.date(2016, 1, 4)}, False),
    (PenaltyNoticeState.UNPAID, {"issued_on": dt.date(2016, 1, 4)}, False),
], ids=["paid", "withdrawn", "decided-in-court", "prosecution-pending", "issued", "unpaid"])
def test_a_case_with_a_notice_not_settled_is_kept(pupil, dsl, parent, state, fields, deleted):
    case = closed_case(pupil, dsl, dt.date(2018, 1, 1))
    record = offence(pupil)
    notice(case, parent, state=state, offence=record, **fields)

    result = case_retention_purge(today=TODAY)

    assert Case.objects.filter(pk=case.pk).exists() is not deleted
    assert PenaltyNotice.objects.exists() is not deleted
    assert Offence.objects.filter(pk=record.pk).exists() is not deleted  # set-wise, though one by one refuses
    if not deleted:
        assert result.held == {case.pk: "a penalty notice is unpaid or pending"}
        assert not AuditEvent.objects.filter(action="case.retention_delete").exists()


def test_a_case_with_an_unfinished_la_request_is_kept(pupil, dsl, parent):
    case = closed_case(pupil, dsl, dt.date(2018, 1, 1))
    consideration = PenaltyNoticeConsideration.objects.create(
        case=case, recorded_at=at(dt.date(2016, 1, 4)), recorded_by=dsl, threshold_first_met=dt.date(2015, 12, 1),
        why_penalty_notice_is_the_best_tool="x", alternatives_considered="x", equality_act_consideration="x",
    )
    PenaltyNoticeRequest.objects.create(flow_class=PenaltyNoticeRequestFlow, case=case, consideration=consideration,
                                        requested_by=dsl, reason="Please issue")

    out = StringIO()
    call_command("case_retention", "--as-of", TODAY.isoformat(), stdout=out)

    assert Case.objects.filter(pk=case.pk).exists()
    assert f"case {case.pk}: kept past its period: a penalty notice request is still with the LA" in out.getvalue()


def test_dry_run_deletes_nothing_and_the_task_is_idempotent(pupil, dsl):
    case = closed_case(pupil, dsl, dt.date(2018, 1, 1))
    out = StringIO()
    call_command("case_retention", "--as-of", TODAY.isoformat(), "--dry-run", stdout=out)
    assert "would delete 1" in out.getvalue() and Case.objects.filter(pk=case.pk).exists()

    assert case_retention.apply(args=[TODAY.isoformat()]).get()["deleted"] == [case.pk]
    assert case_retention.apply(args=[TODAY.isoformat()]).get()["deleted"] == []
    with pytest.raises(CommandError, match="not a date"):
        call_command("case_retention", "--as-of", "yesterday")


def test_closed_before_counts_leap_day_to_the_first_of_march():
    assert timezone.localdate(closed_before(dt.date(2032, 2, 29), 6)) == dt.date(2026, 3, 1)


# --- subject access ---------------------------------------------------------------------------------------


def test_subject_access_exports_everything_held_about_the_pupil_and_parents(pupil, dsl, parent, tmp_path):
    case = closed_case(pupil, dsl, None)
    notice(case, parent, state=PenaltyNoticeState.PAID_FULL, offence=offence(pupil), paid_on=dt.date(2016, 2, 1))
    factories.MarkFactory(pupil=pupil)
    other = factories.PupilFactory(school=pupil.school, forename="Other")
    closed_case(other, dsl, None)
    audit(user=dsl, action="pupil.view", pupil=pupil)
    audit(user=dsl, action="pupil.view", pupil=other)

    out = StringIO()
    call_command("subject_access", "--upn", pupil.upn, "--out", str(tmp_path), stdout=out)

    archive = zipfile.ZipFile(io.BytesIO(Path(out.getvalue().strip()).read_bytes()))
    names = set(archive.namelist())
    records = {name.removeprefix("records/").removesuffix(".json"): json.loads(archive.read(name))
               for name in names if name.startswith("records/")}
    assert [r["fields"]["upn"] for r in records["cases.Pupil"]] == [pupil.upn]
    assert [r["pk"] for r in records["cases.Parent"]] == [parent.pk]
    assert [r["pk"] for r in records["cases.Case"]] == [case.pk]  # not the other pupil's
    assert {"cases.CaseEvent", "cases.Mark", "cases.Offence", "notices.PenaltyNotice", "notices.Letter",
            "cases.ParentalRelationship"} <= set(records)
    [letter] = records["notices.Letter"]
    assert archive.read(letter["fields"]["pdf"]) == b"%PDF-1.4 letter"
    assert "README.txt" in names
    assert AuditEvent.objects.filter(action="subject_access.export", pupil=pupil).exists()
    assert [r["fields"]["pupil"] for r in records["cases.AuditEvent"]] == [pupil.pk]  # who read the record


def test_subject_access_for_an_unknown_upn_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="no pupil with UPN"):
        call_command("subject_access", "--upn", "A000000000000", "--out", str(tmp_path))
