"""Contacts with the family as records: what contact_record refuses, what it writes on the chronology, the form
page (errors, kept answers, nothing saved), who reaches it, and the case page's table of contacts."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from cases.facts import ImpossibleFact
from cases.models import AuditEvent, CaseEvent, CaseOutcome, EventKind
from cases.permissions import NotPermitted
from cases.services import case_close
from meetings.contacts import contact_row
from meetings.models import Contact, ContactMethod, ContactOutcome
from meetings.services import ContactRefused, contact_record
from tests import factories
from tests.meetings.conftest import LONDON

pytestmark = pytest.mark.django_db

# A Monday afternoon, a week after the case was opened (28 September 2026).
NOW = dt.datetime(2026, 10, 5, 14, 0, tzinfo=LONDON)
CALLED_AT = dt.datetime(2026, 10, 5, 9, 15, tzinfo=LONDON)


@pytest.fixture
def contact_day():
    with time_machine.travel(NOW, tick=False):
        yield


def _record(case, by, **overrides):
    fields = {"case": case, "by": by, "made_at": CALLED_AT, "method": ContactMethod.PHONE,
              "outcome": ContactOutcome.NO_ANSWER}
    fields.update(overrides)
    return contact_record(**fields)


# --- the service's rules ---------------------------------------------------------------------------------

REFUSALS = [
    ("tomorrow", {"made_at": dt.datetime(2026, 10, 6, 9, 0, tzinfo=LONDON)}, "date",
     "The date of the contact must be today or in the past"),
    ("later today", {"made_at": dt.datetime(2026, 10, 5, 15, 30, tzinfo=LONDON)}, "time",
     "The time of the contact must be now or earlier today"),
    ("before the case was opened", {"made_at": dt.datetime(2026, 9, 25, 9, 0, tzinfo=LONDON)}, "date",
     "The date of the contact must be on or after the date the case was opened (28 September 2026)"),
    ("follow-up in the past", {"follow_up_on": dt.date(2026, 10, 2)}, "follow_up_on",
     "The follow-up date must be today or in the future"),
    ("follow-up beyond the planning horizon", {"follow_up_on": dt.date(2028, 1, 1)}, "follow_up_on",
     "The follow-up date must be within a year"),
    ("a letter with no answer", {"method": ContactMethod.LETTER, "outcome": ContactOutcome.NO_ANSWER}, "outcome",
     "A letter cannot have the outcome “no answer”"),
    ("someone else without a name", {"parent": None, "other_name": " ", "other_role": "social worker"},
     "other_name", "Enter the name of the person the contact was with"),
    ("someone else without a role", {"parent": None, "other_name": "Priya Shah", "other_role": ""},
     "other_role", "Enter who they are"),
    ("a summary too long", {"summary": "x" * 10_001}, "summary", "must be 10,000 characters or fewer"),
    ("an unknown method", {"method": "pigeon"}, "method", "Select how the contact was made"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), [row[1:] for row in REFUSALS],
                         ids=[row[0] for row in REFUSALS])
def test_a_contact_that_cannot_be_true_is_refused_on_its_field_and_nothing_is_saved(
        case, dsl, mother, contact_day, overrides, field, message):
    overrides.setdefault("parent", mother)
    with pytest.raises((ImpossibleFact, ContactRefused), match=re.escape(message)) as refused:
        _record(case, dsl, **overrides)
    assert refused.value.field == field
    assert not Contact.objects.exists()
    assert not CaseEvent.objects.filter(kind=EventKind.CONTACT).exists()


def test_a_parent_of_another_family_is_refused(case, dsl, stranger, contact_day):
    with pytest.raises(ContactRefused, match="Tina Stranger is not recorded as a parent or carer of Amelia Hughes"):
        _record(case, dsl, parent=stranger)
    assert not Contact.objects.exists()


def test_the_person_who_made_it_works_at_the_pupils_school_or_its_la(case, dsl, mother, other_school_dsl,
                                                                      la_officer, contact_day):
    with pytest.raises(ContactRefused, match="must work at the pupil's school or its local authority"):
        _record(case, dsl, parent=mother, made_by=other_school_dsl)
    contact = _record(case, dsl, parent=mother, method=ContactMethod.HOME_VISIT,
                      outcome=ContactOutcome.NO_ONE_HOME, made_by=la_officer)
    assert (contact.made_by, contact.recorded_by) == (la_officer, dsl)


@pytest.mark.parametrize("persona", ["senco", "headteacher", "other_school_dsl", "la_officer"])
def test_only_the_schools_support_recorders_record_a_contact(request, case, mother, contact_day, persona):
    with pytest.raises(NotPermitted):
        _record(case, request.getfixturevalue(persona), parent=mother)
    assert not Contact.objects.exists()


def test_a_closed_case_takes_no_new_contact(case, dsl, mother, contact_day):
    case = case_close(case=case, by=dsl, outcome=CaseOutcome.IMPROVED, reason="Back to 97%")
    with pytest.raises(ContactRefused, match="This case is closed"):
        _record(case, dsl, parent=mother)


def test_a_contact_goes_on_the_chronology_in_words_an_officer_can_quote_and_is_audited(
        case, dsl, attendance_officer, mother, contact_day):
    contact = _record(case, attendance_officer, parent=mother, outcome=ContactOutcome.MESSAGE_LEFT,
                      summary="Voicemail asking Jane to ring back about today's absence.",
                      follow_up="Ring again at lunchtime", follow_up_on=dt.date(2026, 10, 5))
    assert (contact.with_name, contact.with_role, contact.parent) == ("Jane Hughes", "mother", mother)
    event = CaseEvent.objects.get(case=case, kind=EventKind.CONTACT)
    assert event.summary == "Phone call with Jane Hughes (mother): message left"
    assert event.reason == ("Voicemail asking Jane to ring back about today's absence.\n"
                            "Follow-up: Ring again at lunchtime (by 5 October 2026)")
    assert (event.by, event.evidence) == (attendance_officer, [f"contact:{contact.pk}"])
    assert AuditEvent.objects.filter(action="contact.record", user=attendance_officer,
                                     detail__contains=f"contact {contact.pk}").exists()


def test_someone_else_is_named_with_their_role(case, dsl, contact_day):
    contact = _record(case, dsl, parent=None, other_name="Priya Shah", other_role="social worker",
                      method=ContactMethod.EMAIL, outcome=ContactOutcome.EMAIL_SENT)
    assert CaseEvent.objects.get(kind=EventKind.CONTACT).summary == "Email to Priya Shah (social worker): email sent"
    assert contact_row(contact) == {
        "when": "5 October 2026, 9:15am", "method": "Email", "with_whom": "Priya Shah (social worker)",
        "outcome": "Email sent", "summary": "", "follow_up": "None", "made_by": f"{dsl.get_full_name()}, Deputy Headteacher (Attendance Lead)",
    }


# --- the form page ---------------------------------------------------------------------------------------


def _url(case):
    return reverse("meetings:contact_record", kwargs={"case_pk": case.pk})


def _form(mother, **overrides):
    made_by = mother.school.staff.get(role="dsl").user_id
    data = {"made_by": str(made_by), "method": "phone", "date_day": "5", "date_month": "10", "date_year": "2026", "time": "9:15am",
            "with_whom": str(mother.pk), "outcome": "no_answer", "summary": "Rang at registration close",
            "follow_up": "Ring again at lunchtime"}
    data.update(overrides)
    return data


def test_the_form_offers_the_pupils_parents_and_someone_else(client, case, dsl, mother, father, stranger,
                                                              contact_day):
    client.force_login(dsl)
    html = client.get(_url(case)).content.decode()
    assert "Record a contact with the family" in html
    assert "Jane Hughes (mother)" in html and "Mark Hughes (father)" in html and "Someone else" in html
    assert "Tina Stranger" not in html
    assert 'data-aria-controls="conditional-someone-else"' in html


def test_a_future_date_is_shown_on_the_field_with_the_answers_kept_and_nothing_saved(client, case, dsl, mother,
                                                                                     contact_day):
    client.force_login(dsl)
    response = client.post(_url(case), _form(mother, date_day="6"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "<title>Error:" in html
    assert '<a href="#id_date_day">The date of the contact must be today or in the past</a>' in html
    assert 'value="6"' in html and 'value="9:15am"' in html and "Rang at registration close" in html
    assert re.search(r'value="phone" checked', html) and re.search(rf'value="{mother.pk}" checked', html)
    assert not Contact.objects.exists() and not CaseEvent.objects.filter(kind=EventKind.CONTACT).exists()


def test_form_errors_name_each_missing_answer(client, case, dsl, mother, contact_day):
    client.force_login(dsl)
    html = client.post(_url(case), {"with_whom": "other"}).content.decode()
    for message in ("Select how the contact was made", "Enter the date of the contact",
                    "Enter the time of the contact", "Enter the name of the person the contact was with",
                    "Enter who they are, for example pupil or social worker", "Select what came of the contact"):
        assert message in html
    assert not Contact.objects.exists()


def test_a_recorded_contact_is_on_the_case_page_and_its_chronology(client, case, dsl, mother, contact_day):
    client.force_login(dsl)
    response = client.post(_url(case), _form(mother, follow_up_on_day="6", follow_up_on_month="10",
                                             follow_up_on_year="2026"))
    assert response.status_code == 302 and response.url.endswith("#contacts-heading")
    contact = Contact.objects.get()
    assert (contact.made_at, contact.made_by, contact.follow_up_on) == (CALLED_AT, dsl, dt.date(2026, 10, 6))
    html = client.get(reverse("case_chronology", kwargs={"pk": case.pk})).content.decode()
    table = html.split('data-testid="contacts-table"')[1].split("</table>")[0]
    for cell in ("5 October 2026, 9:15am", "Phone call", "Jane Hughes (mother)", "No answer",
                 "Ring again at lunchtime (by 6 October 2026)"):
        assert cell in table
    assert "Phone call with Jane Hughes (mother): no answer" in html  # the chronology's line
    assert 'href="#contacts-heading">Contact record</a>' in html


@pytest.mark.parametrize(("persona", "status"), [("senco", 403), ("headteacher", 403), ("other_school_dsl", 404),
                                                 ("la_officer", 403)])
def test_the_form_is_for_the_schools_support_recorders_only(client, request, case, mother, contact_day,
                                                             persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(case)).status_code == status
    assert client.post(_url(case), _form(mother)).status_code == status
    assert not Contact.objects.exists()


def test_the_senco_sees_the_contacts_without_the_link_to_record_one(client, case, dsl, senco, mother, contact_day):
    _record(case, dsl, parent=mother)
    client.force_login(senco)
    html = client.get(reverse("case_chronology", kwargs={"pk": case.pk})).content.decode()
    assert "Jane Hughes (mother)" in html.split('data-testid="contacts-table"')[1]
    assert _url(case) not in html


def test_the_case_pages_contacts_cost_the_same_queries_whatever_their_number(
        client, case, dsl, mother, contact_day):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(dsl)
    page = reverse("case_chronology", kwargs={"pk": case.pk})
    counts = []
    for extra in (1, 6):
        for _ in range(extra):
            _record(case, dsl, parent=mother, made_by=_colleague(case))
        client.get(page)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def _colleague(case):
    """A different member of staff each time, so a per-row lookup of who made it would show in the count."""
    user = factories.UserFactory()
    factories.StaffProfileFactory(user=user, role="attendance_officer", position="Attendance Officer",
                                  school=case.pupil.school)
    return user


def test_check_records_lists_a_stored_contact_the_policy_refuses(case, dsl, mother, contact_day):
    from cases.record_checks import all_problems

    good = _record(case, dsl, parent=mother, follow_up_on=dt.date(2026, 10, 6))
    early = _record(case, dsl, parent=mother)
    Contact.objects.filter(pk=early.pk).update(made_at=dt.datetime(2026, 9, 1, 9, 0, tzinfo=LONDON))
    problems = [(p.model, p.pk, p.field, p.problem) for p in all_problems(today=NOW.date())
                if p.model == "meetings.Contact"]
    assert problems == [("meetings.Contact", early.pk, "made_at",
                         "The date of the contact must be on or after the date the case was opened "
                         "(28 September 2026)")]
    assert good.pk != early.pk


def test_any_values_posted_to_the_contact_page_are_recorded_or_refused_never_a_500(client, case, dsl, mother,
                                                                                   contact_day):
    from django.db import transaction
    from hypothesis import given
    from hypothesis import strategies as st

    from meetings.forms import ContactForm
    from tests.cases.test_import_input_checks import FORM_TEXT, PROPERTY

    client.force_login(dsl)
    names = list(ContactForm.base_fields)
    choices = {"method": st.sampled_from([*ContactMethod.values, "", "x"]),
               "outcome": st.sampled_from([*ContactOutcome.values, "", "x"]),
               "with_whom": st.sampled_from([str(mother.pk), "other", "0", ""]),
               "made_by": st.sampled_from([str(dsl.pk), "0", ""])}

    @PROPERTY
    @given(st.fixed_dictionaries({name: choices.get(name, FORM_TEXT) for name in names}))
    def check(values):
        with transaction.atomic():
            response = client.post(_url(case), values)
            assert response.status_code in (200, 302)
            assert Contact.objects.count() == (1 if response.status_code == 302 else 0)
            transaction.set_rollback(True)

    check()
