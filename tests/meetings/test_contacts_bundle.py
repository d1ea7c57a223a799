"""Contacts with the family in the evidence bundle: every contact of the case, oldest first, in the words of the
case page (one wording: meetings.contacts.contact_row), as its own section of the PDF."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from meetings.contacts import contact_row
from meetings.models import Contact, ContactMethod, ContactOutcome
from meetings.services import contact_record
from notices.bundle import BUNDLE_TEMPLATE, SECTION_NUMBER, bundle_context, evidence_bundle_generate
from tests.meetings.conftest import LONDON

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 9, 16, 0, tzinfo=LONDON)


@pytest.fixture
def contacts(case, dsl, mother, la_officer):
    """Three contacts, recorded out of the order they were made (a home visit written up after a later call)."""
    with time_machine.travel(NOW, tick=False):
        call = contact_record(case=case, by=dsl, made_at=dt.datetime(2026, 10, 8, 9, 5, tzinfo=LONDON),
                              method=ContactMethod.PHONE, outcome=ContactOutcome.REFUSED, parent=mother,
                              summary="Said the school was harassing the family and ended the call.")
        visit = contact_record(case=case, by=dsl, made_at=dt.datetime(2026, 10, 6, 10, 15, tzinfo=LONDON),
                               method=ContactMethod.HOME_VISIT, outcome=ContactOutcome.NO_ONE_HOME, parent=mother,
                               made_by=la_officer, summary="Calling card left.",
                               follow_up="Ring tomorrow", follow_up_on=dt.date(2026, 10, 9))
        pupil_chat = contact_record(case=case, by=dsl, made_at=dt.datetime(2026, 10, 9, 11, 0, tzinfo=LONDON),
                                    method=ContactMethod.MEETING, outcome=ContactOutcome.SPOKE,
                                    other_name="Amelia Hughes", other_role="pupil",
                                    summary="Says mornings are the hardest part.",
                                    follow_up_on=dt.date(2026, 10, 16))
    return [visit, call, pupil_chat]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_bundle_lists_every_contact_oldest_first_as_the_case_page_words_it(client, case, dsl, contacts, frozen):
    context = bundle_context(case=case, by=dsl)
    assert context["contacts"] == [contact_row(c) for c in contacts]
    assert [row["when"] for row in context["contacts"]] == [
        "6 October 2026, 10:15am", "8 October 2026, 9:05am", "9 October 2026, 11am"]
    assert context["contacts"][0]["with_whom"] == "Jane Hughes (mother)"
    assert context["contacts"][0]["follow_up"] == "Ring tomorrow (by 9 October 2026)"
    assert context["contacts"][0]["made_by"].endswith(", Senior Attendance Officer")
    assert context["contacts"][2]["follow_up"] == "By 16 October 2026"

    bundle_html = html_lib.unescape(render_to_string(BUNDLE_TEMPLATE, context))
    section = bundle_html.split(f'{SECTION_NUMBER["contacts"]}. Contacts with the family</h1>')[1].split("</section>")[0]
    client.force_login(dsl)
    page = html_lib.unescape(client.get(reverse("case_chronology", kwargs={"pk": case.pk})).content.decode())
    table = page.split('data-testid="contacts-table"')[1].split("</table>")[0]
    for row in context["contacts"]:
        for key in ("when", "method", "with_whom", "outcome", "summary", "follow_up", "made_by"):
            assert row[key] in section, (key, row[key])
            assert row[key] in table, (key, row[key])
    # Oldest first on both.
    assert section.index("6 October 2026") < section.index("8 October 2026") < section.index("9 October 2026, 11am")
    assert table.index("6 October 2026") < table.index("8 October 2026") < table.index("9 October 2026, 11am")


def test_a_case_without_contacts_says_so_in_the_bundle(case, dsl, frozen):
    context = bundle_context(case=case, by=dsl)
    assert context["contacts"] == []
    assert "No contact with the family is recorded on this case." in render_to_string(BUNDLE_TEMPLATE, context)


def test_the_bundle_pdf_has_the_contacts_section_with_its_bookmark(case, dsl, contacts, frozen):
    bundle = evidence_bundle_generate(case=case, by=dsl)
    reader = PdfReader(io.BytesIO(bytes(bundle.pdf)))
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert f"{SECTION_NUMBER['contacts']}. Contacts with the family" in bookmarks
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Would not speak with us" in text and "Visited, no one home" in text
    # The chronology names each contact's record and the section it is in.
    assert f"Contact record (section {SECTION_NUMBER['contacts']})" in text
    assert bundle.context["contacts"] == [contact_row(c) for c in Contact.objects.order_by("made_at")]
