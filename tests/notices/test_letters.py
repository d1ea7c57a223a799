"""letter_generate: an immutable, versioned, hashed store of the PDFs the casework sends."""
from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from cases.formatting import long_date
from cases.models import AuditEvent, CaseEvent, EventKind
from meetings.services import meeting_invitations_generate
from notices.letters.store import letter_generate
from notices.models import Letter


def _text(letter: Letter) -> str:
    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    return "\n".join(page.extract_text() for page in reader.pages)


def _generate(pupil, dsl, *, parent, case=None, context=None):
    return letter_generate(
        template="letters/meeting_invitation.html",
        title="Invitation to an attendance meeting",
        pupil=pupil,
        case=case,
        parent=parent,
        recipient=f"parent:{parent.pk}",
        subject_key="meeting:test",
        context=context if context is not None else {"kind": "attendance", "kind_article": "an", "kind_name": "attendance meeting",
                                                     "meeting_date": "Thursday 8 October 2026", "meeting_time": "9:30am",
                                                     "location": "Family room", "pupil_forename": pupil.forename,
                                                     "attendees": [], "contact_name": "Dee Lane"},
        by=dsl,
    )


def test_regenerating_stores_a_new_version_and_leaves_the_first_untouched(pupil, dsl, mother, father, planning_day):
    first = _generate(pupil, dsl, parent=mother)
    first_bytes, first_hash = bytes(first.pdf), first.sha256

    second = _generate(pupil, dsl, parent=mother)
    to_father = _generate(pupil, dsl, parent=father)

    assert (first.version, second.version, to_father.version) == (1, 2, 1)
    assert second.pk != first.pk
    stored_first = Letter.objects.get(pk=first.pk)
    assert bytes(stored_first.pdf) == first_bytes
    assert stored_first.sha256 == first_hash == hashlib.sha256(first_bytes).hexdigest()
    assert Letter.objects.get(pk=second.pk).sha256 == hashlib.sha256(bytes(second.pdf)).hexdigest()
    assert first_bytes.startswith(b"%PDF")
    assert Letter.objects.count() == 3


def test_stored_context_is_what_the_letter_was_made_from_with_dates_as_iso_strings(pupil, dsl, mother, planning_day):
    import datetime as dt

    letter = _generate(
        pupil, dsl, parent=mother,
        context={"kind": "review", "kind_article": "a", "kind_name": "review meeting", "meeting_date": "x",
                 "meeting_time": "y", "location": "Room 4", "pupil_forename": "Amelia", "attendees": [],
                 "contact_name": "Dee", "review_on": dt.date(2026, 11, 2)},
    )
    stored = Letter.objects.get(pk=letter.pk).context
    assert stored["review_on"] == "2026-11-02"
    assert stored["location"] == "Room 4"
    assert stored["letter_date"] == "2026-09-28"
    assert stored["recipient_name"] == "Jane Hughes"
    assert stored["recipient_address"] == ["12 Station Road", "Fenton", "FE1 2AB"]
    assert stored["school_name"] == "Meadow Lane Primary School"
    assert stored["local_authority_name"] == "Fenshire County Council"
    assert stored["signatory_position"] == "Deputy Headteacher (Attendance Lead)"
    assert letter.generated_by == dsl
    assert letter.template == "letters/meeting_invitation.html"


def test_a_context_that_json_cannot_hold_is_refused_and_nothing_is_stored(pupil, dsl, mother):
    with pytest.raises(TypeError, match="plain values"):
        _generate(pupil, dsl, parent=mother, context={"parent": mother})
    assert not Letter.objects.exists()


def test_a_letter_on_a_case_goes_on_the_chronology_and_the_audit_trail(case, pupil, dsl, mother, planning_day):
    letter = _generate(pupil, dsl, parent=mother, case=case)
    event = CaseEvent.objects.get(case=case, kind=EventKind.LETTER)
    assert event.summary == (
        f"Letter to Jane Hughes: Invitation to an attendance meeting, served by post on {long_date(letter.served_on)}"
    )
    assert event.evidence == [f"letter:{letter.pk}"]
    assert event.by == dsl
    assert AuditEvent.objects.filter(action="letter.generate", pupil=pupil, user=dsl).count() == 1


def test_a_letter_without_a_case_is_audited_but_not_on_any_chronology(pupil, dsl, mother, planning_day):
    _generate(pupil, dsl, parent=mother)
    assert not CaseEvent.objects.exists()
    assert AuditEvent.objects.filter(action="letter.generate").count() == 1


def test_the_invitation_pdf_names_the_parent_the_meeting_the_school_and_numbers_its_pages(meeting, dsl, mother):
    letters = meeting_invitations_generate(meeting=meeting, by=dsl)
    to_mother = next(letter for letter in letters if letter.parent == mother)

    text = _text(to_mother)
    flat = " ".join(text.split())
    assert "Dear Jane Hughes" in flat
    assert "12 Station Road" in flat
    assert "Thursday 8 October 2026" in flat
    assert "9:30am" in flat
    assert "Family room, Meadow Lane Primary School" in flat
    assert "Meadow Lane Primary School" in flat
    assert "Fenshire County Council" in flat
    assert "28 September 2026" in flat  # the letter's date
    assert "Sam Patel, Attendance Officer" in flat
    assert "Mark Hughes, Father" in flat  # the other parent is listed as coming; the recipient is "You"
    assert "bring someone with you" in flat
    assert "Deputy Headteacher (Attendance Lead)" in flat
    assert "Page 1 of" in flat
    assert to_mother.subject_key == f"meeting:{meeting.pk}"
    assert to_mother.recipient == f"parent:{mother.pk}"


def test_a_stored_letter_can_be_neither_changed_nor_deleted(pupil, dsl, mother, planning_day):
    letter = _generate(pupil, dsl, parent=mother)
    letter.title = "Something else"
    with pytest.raises(ValueError, match="cannot be changed"):
        letter.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        letter.delete()
    assert Letter.objects.get(pk=letter.pk).title == "Invitation to an attendance meeting"
