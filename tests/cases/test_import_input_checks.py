"""Every input checked the same way on SQLite and PostgreSQL: control characters refused with FILE:LINE,
marks dated from 2000 to today, dates of birth of a school-age child, problem lists capped; and, for any cell
text or file bytes hypothesis makes, an import either succeeds or refuses cleanly with nothing written."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import facts
from cases.imports import ImportFailed, import_parents, import_pupils, import_register
from cases.imports.command import MAX_LISTED_PROBLEMS
from cases.models import AuditEvent, Mark, MarkAmendment, Parent, ParentalRelationship, Pupil, School
from notices.models import PenaltyNotice
from notices.penalty.imports import import_notices
from tests import factories
from tests.cases.test_imports import PARENTS_HEADER, PUPILS_HEADER, REGISTER_HEADER, UPN1, UPN2, refused
from tests.notices.test_import_notices import HEADER as NOTICES_HEADER

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 9, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2025, 9, 1, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def family(school):
    pupil = factories.PupilFactory(upn=UPN1, school=school)
    factories.PupilFactory(upn=UPN2, school=school)
    factories.ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1")
    return pupil


def write(tmp_path, name: str, *lines: str) -> str:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return str(path)


# --- control characters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "name", "header", "row", "column"), [
    ("import_pupils", "pupils.csv", PUPILS_HEADER, f"{UPN1},Amy\x00,Hughes,2015-03-14,123456,5", "forename"),
    ("import_parents", "parents.csv", PARENTS_HEADER, f"{UPN1},M1,Sara,Hug\x07hes,mother,Y,Y", "surname"),
    ("import_register", "register.csv", REGISTER_HEADER, f"{UPN1},2025-01-06,AM,/\x00", "code"),
    ("import_register", "register.csv", REGISTER_HEADER, f"{UPN1}\x1b,2025-01-06,AM,/", "upn"),
    ("import_notices", "notices.csv", NOTICES_HEADER, f"PN\x00/1,{UPN1},M1,2025-01-06,160,80,issued,,,,", "reference"),
], ids=["pupils-nul", "parents-bell", "register-nul", "register-escape", "notices-nul"])
def test_a_control_character_is_refused_at_its_file_line_and_column(tmp_path, family, command, name, header, row,
                                                                   column):
    path = write(tmp_path, name, header, f"{UPN2},2025-01-06,AM,/" if name == "register.csv" else "", row)
    before = PenaltyNotice.objects.count()
    problems = refused(command, path)
    assert [p for p in problems if f"{path}:3: {column}: contains a control character (U+00" in p] == problems[:1]
    assert PenaltyNotice.objects.count() == before


def test_nul_names_the_character_and_tabs_and_quoted_newlines_are_kept(tmp_path, family):
    path = write(tmp_path, "parents.csv", PARENTS_HEADER + ",address",
                 f'{UPN1},M1,Sara,Hughes,mother,Y,Y,"1 High St\n\tFenby"')
    call_command("import_parents", path, stdout=StringIO(), stderr=StringIO())
    assert Parent.objects.get(parent_ref="M1").address == "1 High St\n\tFenby"

    bad = write(tmp_path, "parents.csv", PARENTS_HEADER, f"{UPN1},M1,Sa\x00ra,Hughes,mother,Y,Y")
    assert refused("import_parents", bad) == [
        f"{bad}:2: forename: contains a control character (U+0000 NUL) at position 3; "
        "remove it and export the file again"
    ]


# --- dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("born", "problem"), [
    ("2023-09-01", None),
    ("2023-09-02", "2023-09-02 makes the pupil 1 today; a pupil is aged 2 to 25: check the year"),
    ("2000-09-01", None),
    ("1999-09-01", "1999-09-01 makes the pupil 26 today; a pupil is aged 2 to 25: check the year"),
    ("0001-01-01", "0001-01-01 makes the pupil 2024 today; a pupil is aged 2 to 25: check the year"),
    ("2025-09-02", "2025-09-02 is in the future"),
], ids=["turned-2-today", "2-tomorrow", "25-until-tomorrow", "26-today", "year-one", "tomorrow"])
def test_a_date_of_birth_makes_a_school_age_child(tmp_path, school, born, problem):
    path = write(tmp_path, "pupils.csv", PUPILS_HEADER, f"{UPN1},Amy,Hughes,{born},{school.urn},5")
    if problem is None:
        call_command("import_pupils", path, stdout=StringIO(), stderr=StringIO())
        assert Pupil.objects.get(upn=UPN1).date_of_birth == dt.date.fromisoformat(born)
    else:
        assert refused("import_pupils", path) == [f"{path}:2: date_of_birth: {problem}"]


@pytest.mark.parametrize(("born", "today", "age"), [
    (dt.date(2012, 2, 29), dt.date(2025, 2, 28), 12),
    (dt.date(2012, 2, 29), dt.date(2025, 3, 1), 13),
    (dt.date(2012, 2, 29), dt.date(2024, 2, 29), 12),
], ids=["leap-day-before-birthday", "leap-day-birthday-in-march", "leap-year"])
def test_age_counts_whole_years(born, today, age):
    assert facts.age_on(born, today) == age


# --- the problem list is capped ------------------------------------------------------------------------


@pytest.mark.parametrize(("bad_rows", "listed", "more"), [
    (MAX_LISTED_PROBLEMS, MAX_LISTED_PROBLEMS, None),
    (MAX_LISTED_PROBLEMS + 1, MAX_LISTED_PROBLEMS, "… and 1 more problem"),
    (MAX_LISTED_PROBLEMS + 1500, MAX_LISTED_PROBLEMS, "… and 1500 more problems"),
], ids=["exactly-the-cap", "one-over", "many-over"])
def test_the_problem_list_shows_the_first_thousand_and_a_count(tmp_path, family, bad_rows, listed, more):
    path = write(tmp_path, "register.csv", REGISTER_HEADER, *("A000000000000,2025-01-06,AM,/" for _ in range(bad_rows)))
    err = StringIO()
    with pytest.raises(CommandError, match=f"{bad_rows} problems; nothing from this file was saved"):
        call_command("import_register", path, stdout=StringIO(), stderr=err, verbosity=0)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"{path}:2: upn: no pupil with UPN 'A000000000000'")
    assert len([line for line in lines if line.startswith(f"{path}:")]) == listed
    assert (lines[-1] if more else None) == more
    assert not Mark.objects.exists()


# --- property-based: whatever the cells hold -------------------------------------------------------------

# Cells: anything text can hold (control characters, NUL, quotes, commas, newlines, astral characters),
# mixed with values that are nearly right so that the importers' later checks are reached too.
NEARLY_RIGHT = st.sampled_from([
    UPN1, UPN2, "A000000000000", "2025-01-06", "2025-02-30", "0001-01-01", "9999-12-31", "2015-03-14", "AM",
    "PM", "/", "N", "O", "Y", "M1", "5", "R", "123456", "160", "80", "issued", "paid", "NaN", "1e309", "-1", "",
])
CELL = st.one_of(NEARLY_RIGHT, st.text(max_size=40), st.text(alphabet=st.characters(max_codepoint=0x9f), max_size=12))
MODELS = (School, Pupil, Parent, ParentalRelationship, Mark, MarkAmendment, PenaltyNotice, AuditEvent)
IMPORTS = {
    "pupils.csv": (import_pupils, PUPILS_HEADER),
    "parents.csv": (import_parents, PARENTS_HEADER),
    "register.csv": (import_register, REGISTER_HEADER),
    "notices.csv": (import_notices, NOTICES_HEADER),
}
PROPERTY = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def clean_refusal_or_success(importer, path: str) -> None:
    """The import succeeds or raises ImportFailed with located problems, having written nothing."""
    with transaction.atomic():  # each example leaves the database as it found it
        before = counts()
        try:
            importer(path=path)
        except ImportFailed as failure:
            assert failure.problems and all(str(problem).startswith(path) for problem in failure.problems)
            assert counts() == before
        transaction.set_rollback(True)


def csv_text(rows: list[list[str]]) -> str:
    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in ',"\r\n') else cell
    return "\n".join(",".join(quoted(cell) for cell in row) for row in rows) + "\n"


@pytest.mark.parametrize("name", list(IMPORTS))
def test_any_cells_are_imported_or_refused_cleanly(tmp_path, family, name):
    importer, header = IMPORTS[name]
    width = len(header.split(","))

    @PROPERTY
    @given(st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=4))
    def check(rows):
        path = tmp_path / name
        path.write_text(header + "\n" + csv_text(rows), encoding="utf-8")
        clean_refusal_or_success(importer, str(path))

    check()


@pytest.mark.parametrize("name", list(IMPORTS))
def test_any_bytes_after_the_header_are_imported_or_refused_cleanly(tmp_path, family, name):
    importer, header = IMPORTS[name]

    @PROPERTY
    @given(st.binary(max_size=200))
    def check(raw):
        path = tmp_path / name
        path.write_bytes(header.encode() + b"\n" + raw)
        clean_refusal_or_success(importer, str(path))

    check()


# --- property-based: forms -------------------------------------------------------------------------------

FORM_TEXT = st.one_of(NEARLY_RIGHT, st.text(max_size=60), st.text(alphabet=st.characters(max_codepoint=0x9f)))


def test_any_case_note_is_added_or_refused_on_the_page_never_a_500(client, dsl, pupil):
    from django.urls import reverse

    from cases.models import CaseEvent
    from cases.services import case_open

    case = case_open(pupil=pupil, by=dsl, reason="Attendance 84% and falling")
    client.force_login(dsl)
    url = reverse("case_note_add", kwargs={"pk": case.pk})

    @PROPERTY
    @given(st.sampled_from(["note", "contact", "safeguarding", "", "x"]), FORM_TEXT, FORM_TEXT)
    def check(kind, summary, details):
        with transaction.atomic():
            before = CaseEvent.objects.filter(case=case).count()
            response = client.post(url, {"kind": kind, "summary": summary, "details": details})
            assert response.status_code in (200, 302)
            added = CaseEvent.objects.filter(case=case).count() - before
            assert added == (1 if response.status_code == 302 else 0)
            transaction.set_rollback(True)

    check()


@pytest.mark.parametrize(("form_path", "kwargs"), [
    ("cases.forms.CaseNoteForm", {}), ("cases.forms.PnConsiderationForm", {}), ("cases.forms.CaseOpenForm", {}),
    ("meetings.forms.MeetingCancelForm", {}), ("meetings.forms.MeetingPlanForm", {"parent_links": []}),
    ("notices.improvement.forms.NoticeToImproveForm", {"parent_links": []}),
], ids=lambda value: value.rsplit(".", 1)[-1] if isinstance(value, str) else "")
def test_any_values_in_a_form_are_valid_or_errors_never_an_exception(form_path, kwargs):
    from importlib import import_module

    module, name = form_path.rsplit(".", 1)
    form_class = getattr(import_module(module), name)
    names = list(form_class.base_fields)  # date boxes are already fields of their own (date_day, date_month...)

    @PROPERTY
    @given(st.fixed_dictionaries(dict.fromkeys(names, FORM_TEXT)))
    def check(values):
        form = form_class(values, **kwargs)
        form.is_valid()

    check()
