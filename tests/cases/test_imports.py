"""The three MIS imports of contract.md section 1, driven through their commands as an operator would."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.imports import ImportFailed, import_register
from cases.models import (
    Alert,
    AlertKind,
    AttendanceSnapshot,
    LocalAuthority,
    Mark,
    MarkAmendment,
    Parent,
    ParentalRelationship,
    Pupil,
    School,
    Session,
)
from cases.rules import upn_check_letter
from tests import factories

pytestmark = pytest.mark.django_db

PUPILS_HEADER = "upn,forename,surname,date_of_birth,school_urn,year_group"
PARENTS_HEADER = "upn,parent_ref,forename,surname,relationship,parental_responsibility,lives_with_pupil"
REGISTER_HEADER = "upn,date,session,code"


def upn(serial: int) -> str:
    """A UPN with a correct DfE check letter."""
    digits = f"873400024{serial:03d}"
    return upn_check_letter(digits) + digits


UPN1, UPN2, UPN3 = upn(1), upn(2), upn(3)


def counts() -> dict[str, int]:
    models = (LocalAuthority, School, Pupil, Parent, ParentalRelationship, Mark, MarkAmendment)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def csv_file(tmp_path):
    def write(name: str, *lines: str, encoding: str = "utf-8") -> str:
        path = tmp_path / name
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
        return str(path)

    return write


def run(command: str, path: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, path, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(command: str, path: str, *args: str) -> list[str]:
    """Runs an import that must fail, checks nothing was saved, and returns the problem lines."""
    before = counts()
    err = StringIO()
    with pytest.raises(CommandError, match="nothing from this file was saved"):
        call_command(command, path, *args, stdout=StringIO(), stderr=err, verbosity=0)
    assert counts() == before
    return err.getvalue().splitlines()


@pytest.fixture
def pupils(school):
    """Three pupils at the school, the first two siblings."""
    return [
        factories.PupilFactory(upn=u, school=school, forename=f"Child{i}", surname="Hughes")
        for i, u in enumerate((UPN1, UPN2, UPN3), start=1)
    ]


# --- the UPN check letter ---


@pytest.mark.parametrize(
    ("value", "letter"),
    [("801200005001", "B"), ("123456789012", "A")],
    ids=["python-stdnum-example", "conftest-pupil"],
)
def test_upn_check_letter_follows_the_dfe_algorithm(value, letter):
    assert upn_check_letter(value) == letter


# --- pupils.csv ---


def test_pupils_import_creates_pupils_schools_and_local_authority(csv_file, la):
    path = csv_file(
        "pupils.csv",
        PUPILS_HEADER + ",school_name,la_code,sen_status,fsm,eal",
        f"{UPN1},Amelia,Hughes,2015-03-14,123456,5,Meadow Lane Primary School,873,K,Y,N",
        f"{UPN2},Noah,Hughes,2013-01-02,123456,R,,,,,",
        f"{UPN3},Isla,Patel,2010-07-30,222222,9,Riverside High,999,E,N,Y",
    )

    out, _ = run("import_pupils", path)

    assert out.strip() == f"{path}: 3 rows, 3 created, 0 updated, 0 unchanged, 2 schools created"
    amelia = Pupil.objects.get(upn=UPN1)
    assert (amelia.forename, amelia.date_of_birth, amelia.year_group) == ("Amelia", dt.date(2015, 3, 14), "5")
    assert (amelia.sen_status, amelia.fsm, amelia.eal, amelia.school.urn) == ("K", True, False, "123456")
    assert amelia.school.local_authority == la
    noah = Pupil.objects.get(upn=UPN2)
    assert (noah.year_group, noah.sen_status, noah.fsm) == ("R", "N", False)
    riverside = School.objects.get(urn="222222")
    assert riverside.name == "Riverside High"
    assert (riverside.local_authority.code, riverside.local_authority.name) == ("999", "LA 999")


def test_pupils_reimport_changes_nothing_and_a_changed_row_is_updated(csv_file, school):
    rows = [f"{UPN1},Amelia,Hughes,2015-03-14,123456,5", f"{UPN2},Noah,Hughes,2013-01-02,123456,R"]
    run("import_pupils", csv_file("pupils.csv", PUPILS_HEADER, *rows))

    out, _ = run("import_pupils", csv_file("again.csv", PUPILS_HEADER, *rows))
    assert "2 rows, 0 created, 0 updated, 2 unchanged" in out

    out, _ = run("import_pupils", csv_file("moved.csv", PUPILS_HEADER, rows[0].replace(",5", ",6"), rows[1]))
    assert "2 rows, 0 created, 1 updated, 1 unchanged" in out
    assert Pupil.objects.get(upn=UPN1).year_group == "6"


def test_pupils_empty_optional_cells_keep_recorded_values(csv_file, school):
    factories.PupilFactory(upn=UPN1, school=school, sen_status="E", fsm=True, looked_after=True)
    path = csv_file(
        "pupils.csv",
        PUPILS_HEADER + ",sen_status,fsm,looked_after",
        f"{UPN1},Amelia,Hughes,2015-03-14,123456,5,,,N",
    )
    run("import_pupils", path)
    pupil = Pupil.objects.get(upn=UPN1)
    assert (pupil.sen_status, pupil.fsm, pupil.looked_after) == ("E", True, False)


def test_pupils_school_name_renames_an_existing_school(csv_file, school):
    run(
        "import_pupils",
        csv_file("p.csv", PUPILS_HEADER + ",school_name", f"{UPN1},A,B,2015-03-14,123456,5,New Name"),
    )
    assert School.objects.get(urn="123456").name == "New Name"


BAD_PUPIL_CELLS = [
    ("upn", "a12345678901", "is not a UPN"),
    ("upn", "B123456789012", "wrong check letter"),
    ("forename", "", "required, but the cell is empty"),
    ("date_of_birth", "2015-02-30", "is not a real date"),
    ("date_of_birth", "14/03/2015", "YYYY-MM-DD"),
    ("date_of_birth", "2999-01-01", "in the future"),
    ("school_urn", "12345", "is not a URN"),
    ("year_group", "15", "is not a year group"),
    ("sen_status", "X", "is not a SEN status"),
    ("fsm", "yes", "is not Y or N"),
    ("la_code", "87", "is not a local authority number"),
]


@pytest.mark.parametrize(
    ("column", "value", "reason"), BAD_PUPIL_CELLS, ids=[f"{c}={v!r}" for c, v, _ in BAD_PUPIL_CELLS]
)
def test_pupils_bad_cell_is_reported_with_line_and_column(csv_file, school, column, value, reason):
    cells = {
        "upn": UPN2,
        "forename": "Noah",
        "surname": "Hughes",
        "date_of_birth": "2013-01-02",
        "school_urn": "123456",
        "year_group": "R",
        "sen_status": "N",
        "fsm": "N",
        "la_code": "873",
    }
    good = {**cells, "upn": UPN1}
    cells[column] = value
    header = ",".join(cells)
    path = csv_file("pupils.csv", header, ",".join(good.values()), ",".join(cells.values()))

    problems = refused("import_pupils", path)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:3: {column}: ")
    assert reason in problems[0]


def test_pupils_every_problem_of_the_file_is_listed(csv_file, school):
    path = csv_file(
        "pupils.csv",
        PUPILS_HEADER,
        f"{UPN1},Amelia,Hughes,2015-02-30,123456,5",
        f"{UPN2},Noah,Hughes,2013-01-02,123456,R",
        f"{UPN3},,Patel,2010-07-30,123456,15",
        f"{UPN2},Noah,Hughes,2013-01-02,123456,R",
    )
    problems = refused("import_pupils", path)
    assert [p.split(": ")[0:2] for p in problems] == [
        [f"{path}:2", "date_of_birth"],
        [f"{path}:4", "forename"],
        [f"{path}:4", "year_group"],
        [f"{path}:5", "upn"],
    ]
    assert "also on line 3" in problems[-1]


def test_pupils_unknown_school_without_name_and_la_code_is_an_error(csv_file, school):
    path = csv_file(
        "pupils.csv", PUPILS_HEADER + ",school_name", f"{UPN1},Amelia,Hughes,2015-03-14,999999,5,Somewhere"
    )
    assert refused("import_pupils", path) == [
        f"{path}:2: school_urn: no school with URN 999999; give la_code to create it"
    ]


def test_pupils_la_code_contradicting_the_school_is_an_error(csv_file, school):
    path = csv_file("pupils.csv", PUPILS_HEADER + ",la_code", f"{UPN1},Amelia,Hughes,2015-03-14,123456,5,312")
    assert refused("import_pupils", path) == [f"{path}:2: la_code: school 123456 belongs to LA 873, not 312"]


def test_unknown_column_is_an_error(csv_file, school):
    path = csv_file("pupils.csv", PUPILS_HEADER + ",surnmae", f"{UPN1},Amelia,Hughes,2015-03-14,123456,5,x")
    problems = refused("import_pupils", path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:1: surnmae: unknown column")


def test_missing_required_column_is_an_error(csv_file, school):
    path = csv_file(
        "pupils.csv", "upn,forename,surname,school_urn,year_group", f"{UPN1},Amelia,Hughes,123456,5"
    )
    assert refused("import_pupils", path) == [
        f"{path}:1: date_of_birth: required column is missing from the header"
    ]


def test_file_without_header_is_an_error(csv_file, school):
    path = csv_file("pupils.csv", f"{UPN1},Amelia,Hughes,2015-03-14,123456,5")
    problems = refused("import_pupils", path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:1: (header): no header row")


def test_empty_file_is_an_error(tmp_path, school):
    path = tmp_path / "pupils.csv"
    path.write_bytes(b"")
    assert refused("import_pupils", str(path))[0].startswith(f"{path}:1: (header): no header row")


def test_file_that_is_not_utf8_is_an_error_at_its_line(csv_file, school):
    path = csv_file("pupils.csv", PUPILS_HEADER, f"{UPN1},Zoë,Hughes,2015-03-14,123456,5", encoding="latin-1")
    problems = refused("import_pupils", path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:2: (file): not valid UTF-8")


def test_utf8_with_bom_and_crlf_is_accepted(tmp_path, school):
    path = tmp_path / "pupils.csv"
    path.write_bytes(f"\ufeff{PUPILS_HEADER}\r\n{UPN1},Zoë,Hughes,2015-03-14,123456,5\r\n".encode())
    run("import_pupils", str(path))
    assert Pupil.objects.get(upn=UPN1).forename == "Zoë"


def test_line_numbers_are_physical_lines_across_quoted_newlines(csv_file, school):
    path = csv_file(
        "parents.csv",
        PARENTS_HEADER + ",address",
        f'{UPN1},P1,Sarah,Hughes,mother,Y,Y,"1 High Street\nTowncaster"',
        f"{UPN1},P2,Tom,Hughes,father,maybe,Y,",
    )
    factories.PupilFactory(upn=UPN1, school=school)
    problems = refused("import_parents", path)
    assert problems == [f"{path}:4: parental_responsibility: 'maybe' is not Y or N"]


def test_row_with_wrong_number_of_cells_is_an_error(csv_file, school):
    path = csv_file("pupils.csv", PUPILS_HEADER, f"{UPN1},Amelia,Hughes,2015-03-14,123456")
    assert refused("import_pupils", path) == [f"{path}:2: (row): 5 cells, but the header names 6 columns"]


# --- parents.csv ---


def test_siblings_sharing_a_parent_ref_get_one_parent_with_two_relationships(csv_file, pupils):
    path = csv_file(
        "parents.csv",
        PARENTS_HEADER + ",email,phone",
        f"{UPN1},P100,Sarah,Hughes,mother,Y,Y,sarah@example.org,07700 900123",
        f"{UPN2},P100,Sarah,Hughes,mother,Y,Y,,",
        f"{UPN2},P101,Grace,Hughes,grandparent,N,Y,,",
    )

    out, _ = run("import_parents", path)

    assert out.strip() == f"{path}: 3 rows, 3 created, 0 updated, 0 unchanged, 2 parents created"
    sarah = Parent.objects.get(parent_ref="P100")
    assert (sarah.school.urn, sarah.email, sarah.phone) == ("123456", "sarah@example.org", "07700 900123")
    assert sorted(sarah.pupils.values_list("upn", flat=True)) == [UPN1, UPN2]
    grace = ParentalRelationship.objects.get(parent__parent_ref="P101")
    assert (grace.pupil.upn, grace.relationship, grace.parental_responsibility, grace.lives_with_pupil) == (
        UPN2,
        "grandparent",
        False,
        True,
    )


def test_same_parent_ref_at_two_schools_is_two_parents(csv_file, school, other_school):
    factories.PupilFactory(upn=UPN1, school=school)
    factories.PupilFactory(upn=UPN2, school=other_school)
    path = csv_file(
        "parents.csv", PARENTS_HEADER, f"{UPN1},P1,Sarah,Hughes,mother,Y,Y", f"{UPN2},P1,Ann,Lee,mother,Y,Y"
    )
    run("import_parents", path)
    assert sorted(Parent.objects.values_list("school__urn", "forename")) == [
        ("123456", "Sarah"),
        ("654321", "Ann"),
    ]


def test_parents_reimport_changes_nothing_and_changes_are_updated(csv_file, pupils):
    rows = [f"{UPN1},P1,Sarah,Hughes,mother,Y,Y", f"{UPN2},P1,Sarah,Hughes,mother,Y,Y"]
    run("import_parents", csv_file("parents.csv", PARENTS_HEADER, *rows))

    out, _ = run("import_parents", csv_file("again.csv", PARENTS_HEADER, *rows))
    assert "2 rows, 0 created, 0 updated, 2 unchanged" in out

    out, _ = run(
        "import_parents", csv_file("moved.csv", PARENTS_HEADER, rows[0], rows[1].replace("Y,Y", "Y,N"))
    )
    assert "2 rows, 0 created, 1 updated, 1 unchanged" in out
    assert ParentalRelationship.objects.get(pupil__upn=UPN2).lives_with_pupil is False
    assert Parent.objects.count() == 1


def test_parents_errors_are_all_listed_and_nothing_saved(csv_file, pupils):
    missing = upn(99)
    path = csv_file(
        "parents.csv",
        PARENTS_HEADER + ",email",
        f"{UPN1},P1,Sarah,Hughes,mother,Y,Y,sarah@example.org",
        f"{missing},P2,Tom,Hughes,father,Y,Y,",
        f"{UPN1},P1,Sarah,Hughes,mother,Y,Y,",
        f"{UPN2},P1,Sara,Hughes,mother,Y,Y,not-an-email",
    )
    problems = refused("import_parents", path)
    assert problems == [
        f"{path}:3: upn: no pupil with UPN {missing!r}; import pupils.csv first",
        f"{path}:4: parent_ref: 'P1' is linked to {UPN1} on line 2 already",
        f"{path}:5: email: 'not-an-email' is not an email address",
        f"{path}:5: forename: 'Sara' differs from 'Sarah' given for parent 'P1' on line 2",
    ]


# --- register.csv ---


def test_register_import_records_marks_at_the_pupils_school_or_the_given_one(csv_file, pupils, other_school):
    path = csv_file(
        "register.csv",
        REGISTER_HEADER + ",school_urn",
        f"{UPN1},2025-01-06,AM,/,",
        f"{UPN1},2025-01-06,PM,\\,",
        f"{UPN2},2025-01-06,AM,D,654321",
        f"{UPN2},2025-01-11,AM,/,",  # a Saturday session
    )

    out, _ = run("import_register", path)

    assert out.strip() == f"{path}: 4 rows, 4 created, 0 updated, 0 unchanged"
    marks = Mark.objects.order_by("pupil__upn", "date", "session").values_list(
        "pupil__upn", "date", "session", "code", "school__urn"
    )
    assert list(marks) == [
        (UPN1, dt.date(2025, 1, 6), Session.AM, "/", "123456"),
        (UPN1, dt.date(2025, 1, 6), Session.PM, "\\", "123456"),
        (UPN2, dt.date(2025, 1, 6), Session.AM, "D", "654321"),
        (UPN2, dt.date(2025, 1, 11), Session.AM, "/", "123456"),
    ]
    assert MarkAmendment.objects.count() == 0


def test_register_reimport_of_identical_rows_changes_nothing(csv_file, pupils):
    rows = [f"{UPN1},2025-01-06,AM,/", f"{UPN1},2025-01-06,PM,N"]
    run("import_register", csv_file("register.csv", REGISTER_HEADER, *rows))
    before = list(Mark.objects.values_list("id", "code"))

    out, _ = run("import_register", csv_file("again.csv", REGISTER_HEADER, *rows))

    assert "2 rows, 0 created, 0 updated, 2 unchanged" in out
    assert list(Mark.objects.values_list("id", "code")) == before
    assert MarkAmendment.objects.count() == 0


def test_register_changed_code_is_an_amendment(csv_file, pupils):
    pupil = pupils[0]
    factories.MarkFactory(pupil=pupil, date=dt.date(2025, 1, 6), session=Session.PM, code="N")
    factories.MarkFactory(pupil=pupil, date=dt.date(2025, 1, 6), session=Session.AM, code="/")
    path = csv_file("register.csv", REGISTER_HEADER, f"{UPN1},2025-01-06,AM,/", f"{UPN1},2025-01-06,PM,I")

    with time_machine.travel(dt.datetime(2025, 1, 8, 9, 30, tzinfo=dt.UTC), tick=False):
        out, _ = run("import_register", path, "--amended-by", "Jo Smith", "--position", "Attendance Officer")

    assert "2 rows, 0 created, 1 updated, 1 unchanged, 1 amendment" in out
    assert Mark.objects.get(pupil=pupil, date=dt.date(2025, 1, 6), session=Session.PM).code == "I"
    amendment = MarkAmendment.objects.get()
    assert (amendment.pupil, amendment.date, amendment.session) == (pupil, dt.date(2025, 1, 6), Session.PM)
    assert (amendment.original_code, amendment.amended_code, amendment.reason) == ("N", "I", "MIS import")
    assert amendment.amended_at == dt.datetime(2025, 1, 8, 9, 30, tzinfo=dt.UTC)
    assert (amendment.amended_by_name, amendment.amended_by_position) == ("Jo Smith", "Attendance Officer")


def test_register_amendment_defaults_to_the_mis_as_author(csv_file, pupils):
    factories.MarkFactory(pupil=pupils[0], date=dt.date(2025, 1, 6), session=Session.PM, code="N")
    run("import_register", csv_file("register.csv", REGISTER_HEADER, f"{UPN1},2025-01-06,PM,M"))
    amendment = MarkAmendment.objects.get()
    assert (amendment.amended_by_name, amendment.amended_by_position) == (
        "MIS import",
        "Management information system",
    )


def test_register_reason_column_is_the_amendment_reason(csv_file, pupils):
    factories.MarkFactory(pupil=pupils[0], date=dt.date(2025, 1, 6), session=Session.PM, code="N")
    factories.MarkFactory(pupil=pupils[1], date=dt.date(2025, 1, 6), session=Session.PM, code="N")
    path = csv_file(
        "register.csv",
        REGISTER_HEADER + ",reason",
        f"{UPN1},2025-01-06,PM,I,Parent phoned: ill",
        f"{UPN2},2025-01-06,PM,O,",
    )
    run("import_register", path)
    assert dict(MarkAmendment.objects.values_list("pupil__upn", "reason")) == {
        UPN1: "Parent phoned: ill",
        UPN2: "MIS import",
    }


def test_register_unknown_upn_is_an_error_not_a_skip(csv_file, pupils):
    stranger = upn(50)
    path = csv_file("register.csv", REGISTER_HEADER, f"{UPN1},2025-01-06,AM,/", f"{stranger},2025-01-06,AM,/")
    assert refused("import_register", path) == [
        f"{path}:3: upn: no pupil with UPN {stranger!r}; import pupils.csv first"
    ]


def test_register_unknown_upn_with_a_wrong_check_letter_says_so(csv_file, pupils):
    typo = "B" + UPN1[1:]
    path = csv_file("register.csv", REGISTER_HEADER, f"{typo},2025-01-06,AM,/")
    [problem] = refused("import_register", path)
    assert "no pupil with UPN" in problem
    assert "wrong check letter" in problem


@pytest.mark.parametrize(
    ("day", "accepted"),
    [("2024-08-18", True), ("2024-08-19", False)],
    ids=["last-day-of-old-regulations", "first-day-of-2024-regulations"],
)
def test_register_pre_2024_code_only_before_19_august_2024(csv_file, pupils, day, accepted):
    path = csv_file("register.csv", REGISTER_HEADER, f"{UPN1},{day},AM,H")
    if accepted:
        run("import_register", path)
        assert Mark.objects.get().code == "H"
    else:
        [problem] = refused("import_register", path)
        assert problem.startswith(f"{path}:2: code: code 'H' was withdrawn by the 2024 regulations")


def test_register_every_problem_is_listed_and_nothing_saved(csv_file, pupils):
    path = csv_file(
        "register.csv",
        REGISTER_HEADER + ",school_urn",
        f"{UPN1},2025-01-06,AM,/,",
        f"{UPN1},2025-02-30,AM,/,",
        f"{UPN1},2025-01-06,XX,/,",
        f"{UPN1},2025-01-07,AM,H,",
        f"{UPN1},2025-01-07,PM,ZZ,",
        f"{UPN1},2025-01-06,AM,L,",
        f"{UPN2},2025-01-08,AM,/,999999",
        f"{UPN2},2025-01-08,PM,,",
    )
    problems = refused("import_register", path)
    assert problems == [
        f"{path}:3: date: '2025-02-30' is not a real date",
        f"{path}:4: session: 'XX' is not AM or PM",
        f"{path}:5: code: code 'H' was withdrawn by the 2024 regulations and cannot be used on or after 2024-08-19",
        f"{path}:6: code: 'ZZ' is not an attendance code",
        f"{path}:7: session: {UPN1} 2025-01-06 AM is also on line 2",
        f"{path}:8: school_urn: no school with URN '999999'",
        f"{path}:9: code: required, but the cell is empty",
    ]
    assert Mark.objects.count() == 0


@pytest.mark.parametrize(("day", "problem"), [
    ("2000-01-01", None),
    ("1999-12-31", "1999-12-31 is before 2000-01-01: check the year"),
    ("0001-01-01", "0001-01-01 is before 2000-01-01: check the year"),
    ("2025-03-10", None),
    ("2025-03-11", "2025-03-11 is after today (2025-03-10): a register mark is recorded on or after its day"),
    ("2027-01-04", "2027-01-04 is after today (2025-03-10): a register mark is recorded on or after its day"),
], ids=["earliest-fact", "day-before-it", "year-one", "today", "tomorrow", "next-year"])
def test_register_marks_are_dated_from_2000_to_today(csv_file, pupils, day, problem):
    path = csv_file("register.csv", REGISTER_HEADER, f"{UPN1},{day},AM,#")
    with time_machine.travel(dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)):
        if problem is None:
            run("import_register", path)
            assert Mark.objects.filter(pupil=pupils[0], date=day).exists()
        else:
            assert refused("import_register", path) == [f"{path}:2: date: {problem}"]
            assert not Mark.objects.exists()


def test_register_service_raises_import_failed_with_problems(csv_file, pupils):
    path = csv_file("register.csv", REGISTER_HEADER, f"{UPN1},2025-01-06,AM,Q1")
    with pytest.raises(ImportFailed) as failure:
        import_register(path=path)
    [problem] = failure.value.problems
    assert (problem.line, problem.column, problem.reason) == (2, "code", "'Q1' is not an attendance code")


def test_register_failure_while_writing_leaves_nothing_saved(csv_file, pupils, monkeypatch):
    factories.MarkFactory(pupil=pupils[0], date=dt.date(2025, 1, 6), session=Session.AM, code="N")
    path = csv_file("register.csv", REGISTER_HEADER, f"{UPN1},2025-01-06,AM,I", f"{UPN2},2025-01-06,AM,/")

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("cases.imports.register._audit", crash)
    with pytest.raises(RuntimeError):
        import_register(path=path)
    assert list(Mark.objects.values_list("pupil__upn", "code")) == [(UPN1, "N")]
    assert MarkAmendment.objects.count() == 0


def test_register_import_refreshes_the_snapshot_and_alerts_of_the_changed_school(csv_file, pupils):
    """The workspace reads snapshots, so an import re-scans (eager here; a worker in production)."""
    rows = [f"{UPN1},2025-09-{day:02d},{session},G" for day in (1, 2, 3, 4, 5) for session in ("AM", "PM")]
    path = csv_file("register.csv", REGISTER_HEADER, *rows)
    with time_machine.travel(dt.datetime(2025, 9, 5, 18, tzinfo=dt.UTC), tick=False):
        _, err = run("import_register", path)
    assert "attendance scan queued for 1 school" in err
    snapshot = AttendanceSnapshot.objects.get(pupil=pupils[0])
    assert snapshot.as_of == dt.date(2025, 9, 5)
    assert snapshot.pn_threshold_first_met == dt.date(2025, 9, 5)
    assert Alert.objects.filter(pupil=pupils[0], kind=AlertKind.THRESHOLD_MET).exists()
    # Re-importing the same file changes no mark, so nothing is re-scanned.
    with time_machine.travel(dt.datetime(2025, 9, 5, 19, tzinfo=dt.UTC), tick=False):
        _, err = run("import_register", path)
    assert "scan queued" not in err
