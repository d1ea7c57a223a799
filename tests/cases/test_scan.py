"""The scan over the database: the contract's JSON, the look-back, snapshots and deduplicated alerts."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.models import Alert, AlertKind, AttendanceSnapshot
from cases.nightly import nightly_scan
from cases.scan import scan
from tests.factories import CodeOfConductFactory, PupilFactory, add_marks

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "upn", "possible_sessions", "attended_sessions", "attendance_pct", "persistent_absence", "severe_absence",
    "unauthorised_in_window", "pn_threshold_met", "pn_threshold_first_met", "pending_n_sessions",
    "stale_n_sessions", "illness_sessions", "sickness_return_due", "unexplained_run_sessions", "cme_risk",
    "late_marks_recent", "lateness_concern", "compulsory_school_age",
}
MONDAY = dt.date(2025, 9, 1)


def run_scan(*args: str) -> list[dict]:
    out, err = StringIO(), StringIO()
    call_command("attendance_scan", *args, stdout=out, stderr=err)
    assert "scanned" in err.getvalue()  # progress on stderr, so stdout is JSON alone
    return json.loads(out.getvalue())


def test_json_has_the_contract_keys_sorted_by_upn(school):
    b = PupilFactory(upn="B000000000001", school=school)
    a = PupilFactory(upn="A000000000001", school=school)
    add_marks(a, MONDAY, "//" * 4 + "GG")  # 8 attended of 10
    add_marks(b, MONDAY, "/\\" * 5)
    rows = run_scan("--as-of", "2025-09-05", "--format", "json")
    assert [r["upn"] for r in rows] == ["A000000000001", "B000000000001"]
    assert set(rows[0]) == CONTRACT_KEYS
    assert rows[0]["possible_sessions"] == 10
    assert rows[0]["attended_sessions"] == 8
    assert rows[0]["attendance_pct"] == 80.0
    assert rows[0]["persistent_absence"] is True
    assert rows[0]["unauthorised_in_window"] == 2
    assert rows[1]["attendance_pct"] == 100.0
    assert rows[1]["pn_threshold_first_met"] is None


def test_pupil_with_no_marks_has_null_percentage(school):
    PupilFactory(upn="C000000000001", school=school)
    (row,) = run_scan("--as-of", "2025-09-05")
    assert row["possible_sessions"] == 0
    assert row["attendance_pct"] is None
    assert row["persistent_absence"] is False


def test_upn_filter_and_marks_after_as_of_ignored(school):
    a = PupilFactory(upn="A000000000001", school=school)
    PupilFactory(upn="B000000000001", school=school)
    add_marks(a, MONDAY, "//GG")  # Monday present, Tuesday G G
    (row,) = run_scan("--as-of", "2025-09-01", "--upn", "A000000000001")
    assert row["possible_sessions"] == 2
    assert row["unauthorised_in_window"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-02-30"], "is not a date"),
        (["--as-of", "yesterday"], "is not a date"),
        (["--as-of", "20250301"], "is not a date"),
        (["--as-of", "2025-09-05", "--upn", "Z999999999999"], "unknown UPN: Z999999999999"),
    ],
    ids=["impossible-date", "not-a-date", "basic-iso-not-accepted", "unknown-upn"],
)
def test_bad_input_is_a_clear_error(school, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("attendance_scan", *args, stdout=StringIO(), stderr=StringIO())


def test_threshold_reached_with_sessions_from_last_summer_term(school):
    """The window crosses the summer holiday: 6 G sessions in July and 4 in September meet it."""
    pupil = PupilFactory(school=school)
    add_marks(pupil, dt.date(2025, 7, 14), "//" * 2 + "GGGGGG" + "//")  # week of 14 July
    add_marks(pupil, MONDAY, "GGGG" + "//" * 3)
    (result,) = scan(as_of=dt.date(2025, 9, 5))
    assert result.measures.pn_threshold_first_met == dt.date(2025, 9, 2)
    assert result.measures.possible_sessions == 10  # the July marks count only toward the window


def test_history_beyond_the_look_back_is_read_when_a_gap_needs_it(school):
    """A pupil away for a year: the window reaches back past the 26-week look-back to the old marks."""
    pupil = PupilFactory(school=school)
    add_marks(pupil, dt.date(2024, 9, 9), "GG" * 3)  # Mon-Wed of one week, 6 G sessions
    add_marks(pupil, MONDAY, "GGGG" + "//" * 3)
    (result,) = scan(as_of=dt.date(2025, 9, 5))
    assert result.measures.pn_threshold_first_met == dt.date(2025, 9, 2)


def test_code_of_conduct_of_the_pupils_la_is_used(school):
    CodeOfConductFactory(local_authority=school.local_authority, pn_threshold_sessions=4, pn_threshold_codes="G,U")
    pupil = PupilFactory(school=school)
    add_marks(pupil, MONDAY, "GGOOUU//")
    (result,) = scan(as_of=dt.date(2025, 9, 5))
    # G,G,U,U are counted (O is not under this code): the fourth is Wednesday PM.
    assert result.measures.pn_threshold_first_met == dt.date(2025, 9, 3)


def _severe_pupil(school, upn="A000000000009"):
    pupil = PupilFactory(upn=upn, school=school)
    add_marks(pupil, MONDAY, "GG" * 5 + "OO" * 5 + "NN" * 5)  # 30 unauthorised sessions over three weeks
    return pupil


def test_nightly_scan_saves_snapshots_and_alerts_once(school):
    pupil = _severe_pupil(school)
    as_of = dt.date(2025, 9, 19)
    first = nightly_scan(as_of=as_of)
    kinds = set(Alert.objects.filter(pupil=pupil).values_list("kind", flat=True))
    assert kinds == {AlertKind.THRESHOLD_MET, AlertKind.SEVERE_ABSENCE, AlertKind.CME_RISK}
    assert first.alerts_created == 3
    snapshot = AttendanceSnapshot.objects.get(pupil=pupil)
    assert snapshot.severe_absence and snapshot.pn_threshold_first_met == dt.date(2025, 9, 5)

    again = nightly_scan(as_of=as_of)
    assert again.alerts_created == 0
    assert Alert.objects.filter(pupil=pupil).count() == 3


def test_resolved_alert_is_not_raised_again_for_the_same_episode(school):
    pupil = _severe_pupil(school)
    nightly_scan(as_of=dt.date(2025, 9, 19))
    Alert.objects.filter(pupil=pupil).update(resolved_at=dt.datetime(2025, 9, 19, 12, tzinfo=dt.UTC))
    assert nightly_scan(as_of=dt.date(2025, 9, 19)).alerts_created == 0


def test_stale_n_alert_names_its_oldest_mark_and_a_new_episode_raises_a_new_alert(school):
    pupil = PupilFactory(school=school)
    add_marks(pupil, MONDAY, "N\\" + "/\\" * 6)  # N on Mon 1 Sept, then six school days
    nightly_scan(as_of=dt.date(2025, 9, 9))
    (alert,) = Alert.objects.filter(pupil=pupil, kind=AlertKind.STALE_N)
    assert alert.dedup_key == "2025-09-01"
    pupil.marks.filter(date=MONDAY).update(code="I")
    add_marks(pupil, dt.date(2025, 9, 10), "N\\" + "/\\" * 6)
    nightly_scan(as_of=dt.date(2025, 9, 18))
    assert sorted(Alert.objects.filter(pupil=pupil, kind=AlertKind.STALE_N).values_list("dedup_key", flat=True)) == [
        "2025-09-01",
        "2025-09-10",
    ]


def test_save_option_stores_snapshots(school):
    pupil = _severe_pupil(school)
    run_scan("--as-of", "2025-09-19", "--save")
    assert AttendanceSnapshot.objects.filter(pupil=pupil).exists()
    assert Alert.objects.filter(pupil=pupil).count() == 3


def test_sessions_covered_by_a_notice_to_improve_do_not_count_toward_the_threshold(school, dsl):
    from cases.services import case_open
    from notices.models import NoticeToImprove

    pupil = PupilFactory(school=school)
    add_marks(pupil, MONDAY, "GG" * 5)
    assert scan(as_of=dt.date(2025, 9, 12))[0].measures.pn_threshold_first_met == dt.date(2025, 9, 5)
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met")
    NoticeToImprove.objects.create(
        case=case, issued_on=dt.date(2025, 9, 8), improvement_period_ends_on=dt.date(2025, 10, 6),
        sufficient_improvement="No unauthorised absence", offence_from=MONDAY, offence_to=dt.date(2025, 9, 5),
        created_by=dsl, created_at=dt.datetime(2025, 9, 8, tzinfo=dt.UTC),
    )
    (result,) = scan(as_of=dt.date(2025, 9, 12))
    assert result.measures.pn_threshold_met is False
    assert result.measures.unauthorised_in_window == 10  # the raw count the contract names still shows them


def test_only_notices_issued_by_the_as_of_date_cover_sessions_and_a_draft_never_does(school, dsl):
    from decimal import Decimal

    from notices.models import PenaltyNotice
    from tests.factories import ParentalRelationshipFactory

    pupil = PupilFactory(school=school)
    parent = ParentalRelationshipFactory(pupil=pupil).parent
    add_marks(pupil, MONDAY, "GG" * 5)
    draft = PenaltyNotice.objects.create(
        local_authority=school.local_authority, reference="D-1", pupil=pupil, parent=parent,
        offence_from=MONDAY, offence_to=dt.date(2025, 9, 5), created_at=dt.datetime(2025, 9, 8, tzinfo=dt.UTC),
    )
    assert scan(as_of=dt.date(2025, 9, 12))[0].measures.pn_threshold_met is True  # a draft covers nothing
    PenaltyNotice.objects.filter(pk=draft.pk).update(state="issued", issued_on=dt.date(2025, 9, 10),
                                                     amount_full=Decimal("160.00"))
    assert scan(as_of=dt.date(2025, 9, 9))[0].measures.pn_threshold_met is True  # not issued yet on the 9th
    assert scan(as_of=dt.date(2025, 9, 12))[0].measures.pn_threshold_met is False


@pytest.mark.parametrize(
    ("born", "of_age", "met"),
    [
        (dt.date(2020, 8, 31), True, True),  # fifth birthday on 31 August 2025, a prescribed day: of age
        (dt.date(2020, 9, 1), False, False),  # of compulsory school age only from 31 December 2025
    ],
    ids=["of-age-from-31-august", "reception-not-yet-of-age"],
)
def test_the_scan_counts_only_sessions_of_compulsory_school_age(school, born, of_age, met):
    pupil = PupilFactory(upn="A000000000001", school=school, date_of_birth=born, year_group="R")
    add_marks(pupil, MONDAY, "G" * 10)
    [row] = run_scan("--as-of", "2025-09-05", "--format", "json")
    assert (row["compulsory_school_age"], row["pn_threshold_met"]) == (of_age, met)
    assert row["pn_threshold_first_met"] == ("2025-09-05" if met else None)
    assert row["unauthorised_in_window"] == 10  # the raw count is every G, of age or not
