"""What the school's letters say, read back from the PDF: concern, persistent absence, leave decisions and the
letters to the LA, the last two made when the decision or notification is recorded."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from cases import rules
from cases.models import AttendanceSnapshot, CaseEvent, EventKind
from interventions import services
from interventions.models import LeaveDecision, NotificationKind
from notices.letters.school_letters import (
    CONCERN_TEMPLATE,
    LA_NOTIFICATION_TEMPLATE,
    LEAVE_DECISION_TEMPLATE,
    PERSISTENT_ABSENCE_TEMPLATE,
    attendance_concern_letter_generate,
    persistent_absence_letter_generate,
)
from notices.models import Letter
from tests import factories
from tests.interventions.factories import CaseFactory

NOW = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
D = dt.date


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def text_of(letter: Letter) -> str:
    """The PDF's text with its line breaks and runs of spaces made single spaces."""
    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def jane(pupil):
    parent = factories.ParentFactory(school=pupil.school, forename="Jane", surname="Hughes",
                                     address="12 Station Road\nFenton\nFE1 2AB")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="mother")
    return parent


def snapshot(pupil, *, attended: int, possible: int, illness: int = 0) -> AttendanceSnapshot:
    absent = possible - attended
    return AttendanceSnapshot.objects.create(
        pupil=pupil, as_of=D(2025, 11, 20), possible_sessions=possible, attended_sessions=attended,
        attendance_pct=Decimal(str(rules.percent_one_place(attended, possible))),
        persistent_absence=rules.is_persistent_absence(absent, possible),
        severe_absence=rules.is_severe_absence(absent, possible), unauthorised_in_window=0, pn_threshold_met=False,
        pn_threshold_first_met=None, pending_n_sessions=0, stale_n_sessions=0, illness_sessions=illness,
        sickness_return_due=illness >= rules.SICKNESS_RETURN_SESSIONS, unexplained_run_sessions=0, cme_risk=False,
        late_marks_recent=0, lateness_concern=False,
    )


# --- concern and persistent absence ----------------------------------------------------------------------


def test_concern_letter_gives_the_figures_the_school_and_the_parent(pupil, jane, dsl):
    # 112 possible sessions, 107 attended: 95.5%, 5 sessions (2.5 days) missed.
    snap = snapshot(pupil, attended=107, possible=112)
    letter = attendance_concern_letter_generate(pupil=pupil, parent=jane, snapshot=snap, by=dsl,
                                                subject_key="test:concern")
    text = text_of(letter)

    assert letter.template == CONCERN_TEMPLATE and letter.recipient == f"parent:{jane.pk}"
    assert "Meadow Lane Primary School" in text
    assert "Dear Jane Hughes" in text and "12 Station Road" in text
    assert "Amelia Hughes: attendance at school" in text
    assert "95.5%" in text
    assert "fallen below 96.0%" in text
    assert "5 of 112 sessions" in text
    assert "2.5 school days" in text
    assert "about 9 days of school missed" in text  # 4.5% of a 190-day year
    assert "please talk to us" in text
    assert "Deputy Headteacher (Attendance Lead)" in text
    assert "penalty notice" not in text.lower()


def test_persistent_absence_letter_invites_to_meet_and_cites_the_law_without_a_penalty(pupil, jane, attendance_officer):
    snap = snapshot(pupil, attended=98, possible=112)  # 87.5%, 14 sessions, 7 days
    letter = persistent_absence_letter_generate(pupil=pupil, parent=jane, snapshot=snap, by=attendance_officer,
                                                subject_key="test:persistent")
    text = text_of(letter)

    assert letter.template == PERSISTENT_ABSENCE_TEMPLATE
    assert "Dear Jane Hughes" in text and "Meadow Lane Primary School" in text
    assert "87.5%" in text and "14 of 112 sessions" in text and "7 school days" in text
    assert "persistent absence" in text
    assert "We would like to meet you" in text
    assert "The support we can offer" in text
    assert "section 7 of the Education Act 1996" in text
    assert "penalty" not in text.lower() and "prosecut" not in text.lower()


def page_texts(letter: Letter) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(bytes(letter.pdf))).pages]


@pytest.mark.parametrize("generate", [persistent_absence_letter_generate, attendance_concern_letter_generate],
                         ids=["persistent-absence", "concern"])
def test_a_demo_like_attendance_letter_is_one_page_with_the_schools_contact_details(pupil, dsl, generate):
    """As the demo writes them: a three-line school and parent address, the attendance lead's long job title,
    the school's phone and email. Such a letter once put its signature alone on a second page."""
    school = pupil.school
    school.address, school.phone, school.email = (
        "Station Road, Fenbridge, FN1 4AB", "01632 960001", "office@fenbridge-academy.example.com")
    school.save()
    parent = factories.ParentFactory(school=school, forename="Kimberley", surname="Hughes-Whitworth",
                                     address="142 Stephenson Crescent, Kingsmoor, FN4 7QX")
    factories.ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="mother")
    snap = snapshot(pupil, attended=188, possible=214)  # 87.9%, 26 sessions, 13 days

    pages = page_texts(generate(pupil=pupil, parent=parent, snapshot=snap, by=dsl, subject_key="test:fit"))

    assert len(pages) == 1
    assert "Deputy Headteacher (Attendance Lead)" in pages[0] and "Yours sincerely" in pages[0]
    assert "Telephone 01632 960001" in pages[0] and "Email office@fenbridge-academy.example.com" in pages[0]
    assert "Station Road, Fenbridge, FN1 4AB" in pages[0]


def test_a_closing_that_does_not_fit_takes_its_last_paragraph_with_it(pupil, jane, dsl):
    """When a letter must run on, the second page never holds the signature alone."""
    from notices.letters.store import letter_generate

    letter = letter_generate(
        template="letters/la_notification.html", title="Long notification", pupil=pupil, recipient="la:873",
        subject_key="test:long", by=dsl,
        context={"recipient_name": "Attendance Support Team", "recipient_address": ["Fenshire County Council"],
                 "kind": "ehc_plan_concern", "kind_name": "Attendance concern", "upn": pupil.upn,
                 "details": "A long note about the pupil. " * 150},
    )
    pages = page_texts(letter)

    assert len(pages) >= 2
    last = pages[-1].split("Yours sincerely")[0]
    assert "Yours sincerely" in pages[-1] and "A long note" in last


# --- leave of absence: the letter is made when the headteacher decides --------------------------------------


def _leave(pupil, by, parent):
    return services.leave_request_record(pupil=pupil, by=by, parent=parent, first_day=D(2026, 2, 2),
                                         last_day=D(2026, 2, 6), reason="Family wedding in Kerala",
                                         received_on=D(2025, 11, 14))


def test_granted_leave_letter_goes_to_the_parent_who_asked(pupil, jane, attendance_officer, headteacher, dsl):
    case = CaseFactory(pupil=pupil, opened_by=dsl)
    leave = _leave(pupil, attendance_officer, jane)
    services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.GRANTED,
                                  reason="Funeral of a grandparent abroad: exceptional", decided_on=TODAY)

    letter = Letter.objects.get(subject_key=f"leave_request:{leave.pk}")
    text = text_of(letter)
    assert letter.template == LEAVE_DECISION_TEMPLATE
    assert (letter.recipient, letter.parent, letter.case) == (f"parent:{jane.pk}", jane, case)
    assert "Dear Jane Hughes" in text
    assert "request for leave of absence granted" in text
    assert "Monday 2 February 2026 to Friday 6 February 2026" in text
    assert "exceptional circumstances" in text
    assert "Funeral of a grandparent abroad: exceptional" in text
    assert "authorised leave of absence" in text
    assert "back at school on Monday 9 February 2026" in text
    assert "code G" not in text
    decision = CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).order_by("-id").first()
    assert f"letter:{letter.pk}" in decision.evidence


def test_refused_leave_letter_says_unauthorised_code_g_and_may_lead_to_a_penalty(pupil, jane, attendance_officer,
                                                                                  headteacher):
    leave = _leave(pupil, attendance_officer, jane)
    services.leave_request_decide(leave=leave, by=headteacher, decision=LeaveDecision.REFUSED,
                                  reason="A family wedding is not an exceptional circumstance", decided_on=TODAY)

    text = text_of(Letter.objects.get(subject_key=f"leave_request:{leave.pk}", recipient=f"parent:{jane.pk}"))
    assert "request for leave of absence refused" in text
    assert "A family wedding is not an exceptional circumstance" in text
    assert "unauthorised absence (code G: holiday not granted)" in text
    assert "may lead to the local authority issuing a penalty notice" in text
    assert "Headteacher" in text


# --- notifications to the LA ----------------------------------------------------------------------------


def _timetable(pupil, by):
    return services.part_time_timetable_create(
        pupil=pupil, by=by, agreed_hours="Mornings only, 9:00 to 12:15", reason="Phased return after hospital stay",
        agreed_with_parents_on=D(2025, 11, 10), starts_on=D(2025, 11, 17), planned_end_on=D(2025, 12, 19),
        review_on=D(2025, 12, 5),
    )


def test_part_time_start_and_end_letters_go_to_the_la(pupil, dsl):
    timetable = _timetable(pupil, dsl)
    start = services.part_time_la_notification_record(timetable=timetable, by=dsl,
                                                      kind=NotificationKind.PART_TIME_START, sent_on=D(2025, 11, 17))
    letter = Letter.objects.get(subject_key=f"la_notification:{start.pk}")
    text = text_of(letter)
    assert (letter.template, letter.recipient, letter.parent) == (LA_NOTIFICATION_TEMPLATE, "la:873", None)
    assert "Attendance Support Team Fenshire County Council" in text and "Dear Attendance Support Team," in text
    assert "Notification: part-time timetable started: Amelia Hughes" in text
    assert "A123456789012" in text
    assert "Mornings only, 9:00 to 12:15" in text
    assert "started a part-time timetable on 17 November 2025" in text
    assert "19 December 2025" in text and "10 November 2025" in text
    assert "Phased return after hospital stay" in text

    services.part_time_timetable_end(timetable=timetable, by=dsl, ended_on=D(2025, 11, 20))
    end = services.part_time_la_notification_record(timetable=timetable, by=dsl,
                                                    kind=NotificationKind.PART_TIME_END, sent_on=TODAY)
    text = text_of(Letter.objects.get(subject_key=f"la_notification:{end.pk}", recipient="la:873"))
    assert "part-time timetable ended on 20 November 2025" in text
    assert "Mornings only, 9:00 to 12:15" in text and "Amelia Hughes" in text
    assert "expected to attend full time" in text


def test_sickness_return_letter_gives_the_illness_sessions(pupil, attendance_officer):
    snapshot(pupil, attended=70, possible=112, illness=31)
    notification = services.sickness_return_send(pupil=pupil, by=attendance_officer, sent_on=TODAY,
                                                 details="GP letter on file")

    text = text_of(Letter.objects.get(subject_key=f"la_notification:{notification.pk}", recipient="la:873"))
    assert "Sickness return: Amelia Hughes" in text
    assert "31 sessions (15.5 school days)" in text
    assert "20 November 2025" in text
    assert "GP letter on file" in text
