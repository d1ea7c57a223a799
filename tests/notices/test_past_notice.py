"""A past notice entered by hand by the LA's officer: the rules of one row of notices.csv (import_notices
shares them), its historic state and amounts, nothing saved on any error, and it counts like the file's."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from cases.imports.csvfile import ImportFailed
from cases.models import AuditEvent, Role
from notices.models import PenaltyNotice, PenaltyNoticeState
from notices.penalty.imports import import_notices, past_notice_record
from tests import factories

pytestmark = pytest.mark.django_db
UPN = "A123456789012"
URL = "/la/873/penalty-notices/past/new/"
HEADER = "reference,upn,parent_ref,issued_on,amount_full,amount_reduced,status,paid_on,withdrawn_reason,offence_from,offence_to"
COLUMNS = HEADER.split(",")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def mum(pupil):
    parent = factories.ParentFactory(school=pupil.school, parent_ref="M1", forename="Jane", surname="Hughes")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="mother")
    return parent


def _date(prefix: str, on: str) -> dict:
    if not on:
        return {}
    day = dt.date.fromisoformat(on)
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _post(**row: str) -> dict:
    """The page's fields for a notices.csv row (same column names; dates in their three boxes)."""
    values = {"reference": "OLD-1", "upn": UPN, "parent_ref": "M1", "issued_on": "2023-05-10", "amount_full": "120.00",
              "amount_reduced": "60.00", "status": "paid", "paid_on": "2023-05-20", "withdrawn_reason": "",
              "offence_from": "", "offence_to": "", **row}
    data = {k: v for k, v in values.items() if k not in ("issued_on", "paid_on", "offence_from", "offence_to")}
    for column, prefix in (("issued_on", "issued"), ("paid_on", "paid"), ("offence_from", "from"),
                           ("offence_to", "to")):
        data.update(_date(prefix, values[column]))
    return data


def _file_reasons(tmp_path, **row: str) -> dict[str, str]:
    """What import_notices says of the same row in a file: {column: reason}."""
    values = {"reference": "OLD-1", "upn": UPN, "parent_ref": "M1", "issued_on": "2023-05-10", "amount_full": "120.00",
              "amount_reduced": "60.00", "status": "paid", "paid_on": "2023-05-20", "withdrawn_reason": "",
              "offence_from": "", "offence_to": "", **row}
    path = tmp_path / "notices.csv"
    path.write_text(HEADER + "\n" + ",".join(values[c] for c in COLUMNS) + "\n")
    with pytest.raises(ImportFailed) as failed:
        import_notices(path=path)
    return {p.column: p.reason for p in failed.value.problems}


def test_url_name():
    assert reverse("penalty_notices:past_new", kwargs={"code": "873"}) == URL


def test_the_list_page_links_to_the_form(client, la_officer):
    client.force_login(la_officer)
    page = client.get(reverse("penalty_notices:la_list", kwargs={"code": "873"})).content.decode()
    assert f'href="{URL}"' in page
    form = client.get(URL)
    assert form.status_code == 200
    assert "Enter a past penalty notice" in form.content.decode()


@pytest.mark.parametrize(
    ("paid_on", "state"),
    [("2023-05-30", PenaltyNoticeState.PAID_REDUCED), ("2023-05-31", PenaltyNoticeState.PAID_FULL)],
    ids=["day-21-reduced", "day-22-full"],
)
def test_a_paid_historic_notice_is_recorded_with_the_amounts_of_its_time(client, la_officer, mum, paid_on, state):
    client.force_login(la_officer)
    response = client.post(URL, _post(paid_on=paid_on, offence_from="2023-03-01", offence_to="2023-04-28"))
    notice = PenaltyNotice.objects.get(reference="OLD-1")
    assert response.status_code == 302
    assert response.url == reverse("penalty_notices:la_notice", kwargs={"code": "873", "pk": notice.pk})
    assert (notice.amount_full, notice.amount_reduced, notice.state) == (Decimal("120.00"), Decimal("60.00"), state)
    assert (notice.issued_on, notice.received_on, notice.reduced_by, notice.full_by, notice.paid_on) == (
        dt.date(2023, 5, 10), dt.date(2023, 5, 10), dt.date(2023, 5, 30), dt.date(2023, 6, 6),
        dt.date.fromisoformat(paid_on))
    assert (notice.offence_from, notice.offence_to) == (dt.date(2023, 3, 1), dt.date(2023, 4, 28))
    assert notice.imported and notice.created_by == la_officer and notice.parent == mum
    assert notice.local_authority.code == "873" and notice.case is None
    assert AuditEvent.objects.filter(action="penalty_notice.past_entered", user=la_officer, pupil=notice.pupil,
                                     detail__startswith="OLD-1").exists()
    page = client.get(response.url).content.decode()
    assert "OLD-1" in page and notice.get_state_display() in page


def test_the_page_and_the_file_make_the_same_notice(client, la_officer, mum, tmp_path):
    client.force_login(la_officer)
    client.post(URL, _post(reference="BY-HAND", status="withdrawn", paid_on="", withdrawn_reason="Wrong address"))
    path = tmp_path / "notices.csv"
    path.write_text(HEADER + f"\nBY-FILE,{UPN},M1,2023-05-10,120.00,60.00,withdrawn,,Wrong address,,\n")
    import_notices(path=path)
    fields = ["state", "issued_on", "received_on", "amount_full", "amount_reduced", "reduced_by", "full_by", "paid_on",
              "withdrawn_reason", "offence_from", "offence_to", "imported", "pupil_id", "parent_id",
              "local_authority_id"]
    by_hand, by_file = (PenaltyNotice.objects.values(*fields).get(reference=r) for r in ("BY-HAND", "BY-FILE"))
    assert by_hand == by_file


@pytest.fixture
def stranger_parent(other_school):
    """A parent at another school of the LA, of a pupil there."""
    parent = factories.ParentFactory(school=other_school, parent_ref="S1")
    factories.ParentalRelationshipFactory(pupil=factories.PupilFactory(school=other_school), parent=parent)
    return parent


@pytest.mark.parametrize(
    ("row", "field", "column", "reason", "on_the_page"),
    [
        ({"paid_on": ""}, "paid_day", "paid_on", "required when status is paid",
         "Date paid: enter the date it was paid (a paid notice needs one)"),
        ({"status": "withdrawn", "paid_on": ""}, "withdrawn_reason", "withdrawn_reason",
         "required when status is withdrawn", "Reason for withdrawal: enter why the notice was withdrawn"),
        ({"parent_ref": "S1"}, "parent_ref", "parent_ref", "no parent 'S1' at the pupil's school",
         "no parent 'S1' at the pupil's school"),
        ({"issued_on": "2023-05-10", "offence_from": "2023-03-01"}, "to_day", "offence_to",
         "give both ends of the offence period", "give both ends of the offence period"),
        ({"amount_reduced": "120.00"}, "amount_reduced", "amount_reduced", "must be less than amount_full",
         "Reduced amount: must be less than the full amount"),
        ({"amount_full": "120.005"}, "amount_full", "amount_full", "must be in whole pence",
         "must be in whole pence"),
    ],
    ids=["paid-without-date", "withdrawn-without-reason", "parent-of-another-school", "half-an-offence-period",
         "reduced-not-less", "amount-with-too-many-pence"],
)
def test_the_rules_of_the_file_give_the_same_field_error_and_save_nothing(
    client, la_officer, mum, stranger_parent, tmp_path, row, field, column, reason, on_the_page
):
    client.force_login(la_officer)
    response = client.post(URL, _post(**row))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'href="#id_{field}"' in page  # the summary leads to the field
    assert 'govuk-form-group--error' in page and on_the_page.replace("'", "&#x27;") in page
    assert not PenaltyNotice.objects.exists()
    # The file refuses the same row for the same rule, in the words of its columns.
    assert reason in _file_reasons(tmp_path, **row)[column]


def test_an_unknown_upn_is_a_field_error(client, la_officer, mum):
    client.force_login(la_officer)
    page = client.post(URL, _post(upn="Z999999999999")).content.decode()
    assert 'href="#id_upn"' in page
    assert "no pupil with UPN &#x27;Z999999999999&#x27; at a school of Fenshire County Council" in page
    assert not PenaltyNotice.objects.exists()


def test_a_pupil_of_another_la_is_refused_as_not_at_this_las_schools(client, la_officer, mum, other_la_school):
    theirs = factories.PupilFactory(school=other_la_school)
    parent = factories.ParentFactory(school=other_la_school, parent_ref="M1")
    factories.ParentalRelationshipFactory(pupil=theirs, parent=parent)
    client.force_login(la_officer)
    page = client.post(URL, _post(upn=theirs.upn)).content.decode()
    assert 'href="#id_upn"' in page
    assert f"no pupil with UPN &#x27;{theirs.upn}&#x27; at a school of Fenshire County Council" in page
    assert other_la_school.name not in page
    assert not PenaltyNotice.objects.exists()


def test_a_duplicate_reference_is_refused_and_the_first_notice_is_left_alone(client, la_officer, mum):
    client.force_login(la_officer)
    assert client.post(URL, _post()).status_code == 302
    response = client.post(URL, _post(status="unpaid", paid_on=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_reference"' in page and "&#x27;OLD-1&#x27; is already recorded" in page
    assert PenaltyNotice.objects.get().state == PenaltyNoticeState.PAID_REDUCED


def test_a_reference_issued_in_this_system_is_refused(la_officer, la, mum, pupil):
    PenaltyNotice.objects.create(local_authority=la, reference="PN-9", pupil=pupil, parent=mum,
                                 created_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    values = {"reference": "PN-9", "upn": UPN, "parent_ref": "M1", "issued_on": "2025-01-10",
              "amount_full": "160.00", "status": "unpaid"}
    with pytest.raises(ImportFailed) as failed:
        past_notice_record(local_authority=la, values=values, by=la_officer)
    assert [(p.column, p.reason) for p in failed.value.problems] == [
        ("reference", "'PN-9' was issued in this system: record changes to it here")]
    assert PenaltyNotice.objects.count() == 1


def test_every_problem_is_shown_at_once_and_nothing_is_saved(client, la_officer, mum):
    client.force_login(la_officer)
    data = _post(reference="", status="withdrawn", issued_on="2027-01-10", paid_on="2027-01-20")
    data["amount_full"] = "lots"
    page = client.post(URL, data).content.decode()
    for message in ("Enter the notice&#x27;s reference", "Date issued: a notice cannot be dated after today",
                    "Full amount: &#x27;lots&#x27; must be an amount in pounds",
                    "Date paid: leave it empty unless the notice was paid",
                    "Reason for withdrawal: enter why the notice was withdrawn"):
        assert message in page
    assert page.index("Enter the notice&#x27;s reference") < page.index("Date paid: leave it empty")  # page order
    assert not PenaltyNotice.objects.exists()


def test_an_empty_form_asks_for_the_required_answers(client, la_officer):
    client.force_login(la_officer)
    page = client.post(URL, {}).content.decode()
    for message in ("Enter the pupil&#x27;s UPN", "Enter the parent&#x27;s reference",
                    "Enter the date the notice was issued", "Enter the full amount of the notice",
                    "Select what happened to the notice"):
        assert message in page
    assert 'href="#id_status_0"' in page
    assert not PenaltyNotice.objects.exists()


def test_an_entered_notice_counts_toward_the_limit(client, la_officer, mum):
    client.force_login(la_officer)
    client.post(URL, _post(reference="PN-2025", issued_on="2025-06-10", amount_full="160.00", amount_reduced="80.00",
                           paid_on="2025-06-20"))
    out = StringIO()
    call_command("penalty_notice_check", "--upn", UPN, "--parent-ref", "M1", "--on", "2026-11-26", stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["allowed"] is True
    assert (answer["sequence"], answer["full_amount"], answer["reduced_amount"]) == (2, "160.00", None)
    assert answer["counted_references"] == ["PN-2025"]


def test_school_staff_and_other_las_officers_are_refused(client, dsl, mum, other_la_school):
    client.force_login(dsl)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _post()).status_code == 403
    other = factories.UserFactory(username="other_la")
    factories.StaffProfileFactory(user=other, role=Role.LA_OFFICER, position="Attendance Officer", school=None,
                                  local_authority=other_la_school.local_authority)
    client.force_login(other)
    assert client.get(URL).status_code == 404
    assert client.post(URL, _post()).status_code == 404
    assert client.get("/la/312/penalty-notices/past/new/").status_code == 200  # their own LA's page
    assert client.post("/la/312/penalty-notices/past/new/", _post()).status_code == 200  # our pupil is unknown there
    assert not PenaltyNotice.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize(("outcome", "counts"), [("", True), ("guilty", True), ("not_guilty", False)],
                         ids=["pending", "guilty", "acquitted"])
def test_a_prosecuted_past_notice_counts_unless_acquitted(client, la_officer, mum, outcome, counts):
    client.force_login(la_officer)
    response = client.post(URL, _post(issued_on="2025-06-10", amount_full="160.00", amount_reduced="",
                                      status="prosecuted", paid_on="", prosecution_outcome=outcome))
    assert response.status_code == 302
    assert PenaltyNotice.objects.get(reference="OLD-1").prosecution_outcome == outcome
    page = client.get(response.url).content.decode()
    assert {"": "Pending", "guilty": "Guilty (pleaded or found guilty)",
            "not_guilty": "Not guilty (acquitted): it no longer counts"}[outcome] in page
    out = StringIO()
    call_command("penalty_notice_check", "--upn", UPN, "--parent-ref", "M1", "--on", "2026-11-26", stdout=out)
    assert json.loads(out.getvalue())["counted_references"] == (["OLD-1"] if counts else [])


def test_an_outcome_for_a_notice_not_prosecuted_is_refused_at_its_field(client, la_officer, mum):
    client.force_login(la_officer)
    response = client.post(URL, _post(prosecution_outcome="guilty"))
    assert response.status_code == 200
    assert ("Outcome of the prosecution: leave it as pending unless the notice was referred for prosecution"
            in response.content.decode())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount_full": "NaN"}, "Full amount: &#x27;NaN&#x27; must be an amount in pounds and pence"),
        ({"amount_full": "Infinity"}, "Full amount: &#x27;Infinity&#x27; must be an amount in pounds and pence"),
        ({"amount_full": "1e309"}, "Full amount: &#x27;1e309&#x27; must be less than £1,000,000"),
        ({"amount_reduced": "-60"}, "Reduced amount: &#x27;-60&#x27; must be more than £0"),
        ({"amount_full": "£120.001"}, "Full amount: &#x27;120.001&#x27; must be in whole pence"),
        ({"issued_year": "99999999999999999999"}, "Year must include 4 numbers"),
        ({"paid_month": "99999999999999999999"}, "The date it was paid must be a real date"),
        ({"paid_year": "1999", "issued_year": "1999"}, "Date issued: before 2000-01-01"),
        ({"paid_day": "9"}, "Date paid: before the notice was issued"),
    ],
    ids=["nan", "infinity", "1e309", "negative", "fraction-of-a-penny", "absurd-year", "absurd-month", "in-1999",
         "paid-before-issue"],
)
def test_an_impossible_past_notice_is_refused_at_its_field_and_nothing_is_saved(client, la_officer, mum, fields,
                                                                                 message):
    client.force_login(la_officer)
    response = client.post(URL, {**_post(), **fields})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PenaltyNotice.objects.exists()
