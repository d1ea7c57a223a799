"""Service (domain.md 3.5): every letter to a parent records how it was served (post, hand, or email where the
parent agreed) and when; one that cannot reach the parent that way is refused, naming the parent and what to
do; the method and date show on the chronology and the case page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.errors import DomainError
from cases.facts import ImpossibleFact
from cases.models import CaseEvent, EventKind, Parent
from meetings.services import meeting_invitations_generate
from notices.letters.store import LetterNotServable, letter_generate
from notices.models import Letter, ServiceMethod

pytestmark = pytest.mark.django_db
CONTEXT = {"kind": "attendance", "kind_article": "an", "kind_name": "attendance meeting",
           "meeting_date": "Thursday 8 October 2026", "meeting_time": "9:30am", "location": "Family room",
           "pupil_forename": "Amelia", "attendees": [], "contact_name": "Dee Lane"}


def _generate(pupil, dsl, parent, case=None, **service):
    return letter_generate(
        template="letters/meeting_invitation.html", title="Invitation to an attendance meeting", pupil=pupil,
        case=case, parent=parent, recipient=f"parent:{parent.pk}", subject_key="meeting:test", context=CONTEXT,
        by=dsl, **service,
    )


def _parent(parent, **fields) -> Parent:
    Parent.objects.filter(pk=parent.pk).update(**fields)
    return Parent.objects.get(pk=parent.pk)


ADDRESS, EMAIL = "12 Station Road\nFenton", "jane@example.com"


@pytest.mark.parametrize(
    ("method", "address", "email", "agreed", "refusal"),
    [
        (None, ADDRESS, "", False, None),  # a letter to a parent is posted unless the caller says otherwise
        ("post", ADDRESS, "", False, None),
        ("post", "", "", False, "cannot be posted to Jane Hughes: there is no address on their record. Add an "
                                "address for Jane Hughes on their record, or hand the letter over in person."),
        ("post", " \n ", EMAIL, True, "cannot be posted to Jane Hughes"),
        ("hand", "", "", False, None),
        ("email", "", EMAIL, True, None),
        ("email", ADDRESS, EMAIL, False, "cannot be emailed to Jane Hughes: they have not agreed"),
        ("email", ADDRESS, "", True, "there is no email address on their record"),
    ],
    ids=["default-post", "post", "post-no-address", "post-blank-address", "hand-no-address", "email-agreed",
         "email-not-agreed", "email-agreed-no-address"],
)
def test_each_method_of_service_needs_its_way_to_reach_the_parent(pupil, dsl, mother, planning_day, method,
                                                                   address, email, agreed, refusal):
    parent = _parent(mother, address=address, email=email, email_service_agreed=agreed)
    service = {} if method is None else {"service_method": method}
    if refusal:
        with pytest.raises(LetterNotServable, match=refusal):
            _generate(pupil, dsl, parent, **service)
        assert not Letter.objects.exists()
    else:
        letter = _generate(pupil, dsl, parent, **service)
        assert letter.service_method == (method or ServiceMethod.POST)
        assert letter.served_on == dt.date(2026, 9, 28)  # the day it was made, which is the letter's date


def test_a_letter_dated_earlier_is_served_from_its_date_never_before_or_in_the_future(pupil, dsl, mother,
                                                                                       planning_day):
    letter = _generate(pupil, dsl, mother, letter_date=dt.date(2026, 9, 21))
    assert (letter.context["letter_date"], letter.served_on) == ("2026-09-21", dt.date(2026, 9, 21))
    with pytest.raises(ImpossibleFact, match="on or after the date on the letter"):
        _generate(pupil, dsl, mother, letter_date=dt.date(2026, 9, 21), served_on=dt.date(2026, 9, 20))
    with pytest.raises(ImpossibleFact, match="today or in the past"):
        _generate(pupil, dsl, mother, letter_date=dt.date(2026, 9, 29))


def test_meeting_invitations_are_not_posted_to_a_parent_without_an_address(meeting, dsl, father):
    _parent(father, address="")
    with pytest.raises(DomainError, match="Add an address for Mark Hughes on their record"):
        meeting_invitations_generate(meeting=meeting, by=dsl)
    assert not Letter.objects.exists()


def test_the_chronology_and_the_case_page_show_how_and_when_a_letter_was_served(client, case, pupil, dsl, mother,
                                                                                 planning_day):
    letter = _generate(pupil, dsl, _parent(mother, email=EMAIL, email_service_agreed=True), case=case,
                       service_method="email")
    event = CaseEvent.objects.get(case=case, kind=EventKind.LETTER)
    assert event.summary.endswith("served by email (the parent agreed) on 28 September 2026")
    client.force_login(dsl)
    page = client.get(reverse("case_documents", kwargs={"pk": case.pk})).content.decode()
    assert letter.service_sentence == "By email (the parent agreed) on 28 September 2026"
    assert f'data-testid="letter-service">{letter.service_sentence}</td>' in page


def test_a_letter_with_its_service_is_still_never_changed(pupil, dsl, mother, planning_day):
    letter = _generate(pupil, dsl, mother)
    letter.service_method = ServiceMethod.HAND
    with pytest.raises(ValueError, match="cannot be changed"):
        letter.save()
    assert Letter.objects.get(pk=letter.pk).service_method == ServiceMethod.POST
