"""The evidence bundle for the LA (domain.md 3.6): one PDF, read back with pypdf; stored immutably and
versioned; made by the DSL or attendance officer, downloaded by school staff who read cases, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.models import AuditEvent, Case, CaseState, EventKind, MarkAmendment, SenStatus
from cases.permissions import NotPermitted
from cases.services import case_note_add, case_open, pn_consideration_authorise, pn_consideration_record
from interventions.models import (
    Action,
    AdjustmentArea,
    AdjustmentReview,
    AttendanceContract,
    ContractParty,
    ContractStatus,
    PartyResponse,
    ReasonableAdjustment,
    SupportPlan,
    SupportPlanStatus,
)
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from notices.bundle import BUNDLE_TEMPLATE, SECTION_NUMBER, SECTIONS, BundleRefused, evidence_bundle_generate
from notices.bundle.served import letter_service, service_sentence
from notices.letters.store import letter_generate
from notices.models import Letter, NoticeOutcome, NoticeToImprove, PenaltyNotice
from notices.penalty.letters import penalty_notice_issue_with_letter
from notices.penalty.services import (
    penalty_notice_consult_la,
    penalty_notice_draft,
    penalty_notice_record_payment,
)
from tests.factories import ParentalRelationshipFactory, ParentFactory, add_marks

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
PRESENT_DAY = ["/", "\\"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def mother(pupil):
    parent = ParentFactory(school=pupil.school, forename="Jane", surname="Hughes", address="12 Station Road, Fenton")
    ParentalRelationshipFactory(pupil=pupil, parent=parent, relationship="mother")
    return parent


@pytest.fixture
def rich_case(pupil, mother, dsl, headteacher, senco, la_officer):
    """A case at the penalty notice stage with every kind of evidence the bundle shows.

    The register: two weeks present, then from Monday 21 September a week of O (ten sessions: the threshold
    is first met on Friday 25 September, PM), then two weeks present. One O was amended from N.
    """
    pupil.sen_status = SenStatus.SEN_SUPPORT
    pupil.save()
    add_marks(pupil, dt.date(2026, 9, 7), PRESENT_DAY * 10 + ["O"] * 10 + PRESENT_DAY * 10)
    MarkAmendment.objects.create(
        pupil=pupil, date=dt.date(2026, 9, 22), session=0, original_code="N", amended_code="O",
        reason="No reason given after three calls home", amended_at=NOW - dt.timedelta(days=60),
        amended_by_name="Sam Patel", amended_by_position="Attendance Officer",
    )
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met: a week of unexplained absence")
    now = timezone.now()
    meeting = Meeting.objects.create(
        case=case, kind=MeetingKind.ATTENDANCE, starts_at=NOW - dt.timedelta(days=50), location="School office",
        status=MeetingStatus.HELD, barriers_discussed="Anxiety about the school bus", what_is_working="Breakfast club",
        created_by=dsl, created_at=now, recorded_by=dsl, recorded_at=now,
    )
    MeetingAttendee.objects.create(meeting=meeting, role=AttendeeRole.PARENT, parent=mother, name="Jane Hughes",
                                   attended=False)
    Action.objects.create(case=case, meeting=meeting, description="Walk to the bus stop with a buddy",
                          owner="Pastoral team", due_on=dt.date(2026, 10, 20), created_at=now)
    plan = SupportPlan.objects.create(case=case, barriers="Anxiety about the bus", status=SupportPlanStatus.AGREED,
                                      agreed_on=dt.date(2026, 10, 9), review_on=dt.date(2026, 11, 6),
                                      created_by=dsl, created_at=now)
    Action.objects.create(case=case, support_plan=plan, description="Referral to the school nurse",
                          owner="Mrs Khan (DSL)", due_on=dt.date(2026, 10, 16), completed_on=dt.date(2026, 10, 14),
                          created_at=now)
    contract = AttendanceContract.objects.create(
        case=case, school_commitments="A mentor every morning", parent_commitments="Bring Amelia to the gate by 8:40",
        starts_on=dt.date(2026, 10, 12), review_on=dt.date(2026, 11, 9), status=ContractStatus.DECLINED,
        status_changed_on=dt.date(2026, 10, 13), status_note="Mother said the school is the problem",
        created_by=dsl, created_at=now,
    )
    ContractParty.objects.create(contract=contract, parent=mother, response=PartyResponse.DECLINED,
                                 responded_on=dt.date(2026, 10, 13))
    ReasonableAdjustment.objects.create(
        pupil=pupil, area=AdjustmentArea.TRANSPORT, description="Taxi to school", barrier="Cannot manage the bus",
        agreed_with="Parents and SENCo", starts_on=dt.date(2026, 10, 1), review_on=dt.date(2026, 12, 1),
        recorded_by=senco, recorded_at=now,
    )
    AdjustmentReview.objects.create(pupil=pupil, case=case, reviewed_on=dt.date(2026, 11, 2), reviewed_by=senco,
                                    conclusion="The taxi is right and enough; attendance did not improve")
    case_note_add(case=case, by=dsl, kind=EventKind.NON_ENGAGEMENT, summary="Mother did not answer three calls")
    nti = NoticeToImprove.objects.create(
        case=case, issued_on=dt.date(2025, 3, 3), improvement_period_ends_on=dt.date(2025, 4, 7),
        sufficient_improvement="No unauthorised absence", offence_from=dt.date(2025, 1, 6),
        offence_to=dt.date(2025, 2, 14), outcome=NoticeOutcome.NOT_IMPROVED, created_by=dsl, created_at=now,
    )
    nti.parents.add(mother)
    consideration = pn_consideration_record(
        case=case, by=dsl, why_penalty_notice_is_the_best_tool="Support declined",
        alternatives_considered="An education supervision order is not proportionate",
        equality_act_consideration="SEN support: the taxi removes the transport barrier; a notice is not inappropriate",
    )
    pn_consideration_authorise(consideration=consideration, by=headteacher)
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)  # set-up: the ladder tests walk it
    case = Case.objects.get(pk=case.pk)
    # Without a code of conduct the LA issues (as on approving the school's request): its officer.
    notice = penalty_notice_draft(case=case, parent=mother, by=la_officer, offence_from=dt.date(2026, 9, 21),
                                  offence_to=dt.date(2026, 9, 25))
    penalty_notice_consult_la(notice=notice, by=la_officer)
    penalty_notice_issue_with_letter(notice=notice, by=la_officer, issued_on=dt.date(2026, 10, 1), posted=True)
    notice = PenaltyNotice.objects.get(pk=notice.pk)
    penalty_notice_record_payment(notice=notice, by=la_officer, paid_on=dt.date(2026, 10, 20), amount=Decimal("80.00"))
    return Case.objects.get(pk=case.pk)


def _pdf(letter: Letter) -> PdfReader:
    return PdfReader(io.BytesIO(bytes(letter.pdf)))


def _text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_bundle_holds_every_section_with_pages_bookmarks_register_threshold_and_payment(rich_case, dsl):
    bundle = evidence_bundle_generate(case=rich_case, by=dsl)
    reader = _pdf(bundle)
    text = _text(reader)

    own = bundle.context["copies"]["own_pages"]
    assert 1 < own < len(reader.pages)  # the bundle's own pages, then the penalty notice's letter
    assert "Page 1 of" in text and f"Page {own} of {own}" in text
    assert "OFFICIAL-SENSITIVE" in text
    for number, (_, title) in enumerate(SECTIONS, start=1):
        assert f"{number}. {title}" in text
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert bookmarks == [f"{number}. {title}" for number, (_, title) in enumerate(SECTIONS, start=1)]
    # The offence period is the penalty notice's; the register shows its sessions and the amendment.
    assert "21 September 2026 to 25 September 2026 (the offence period of penalty notice" in text
    assert "Tue 22 Sep 2026 O*† Absent without a reason the school could accept" in text
    assert "No reason given after three calls home" in text and "Sam Patel, Attendance Officer" in text
    # The threshold: ten O sessions in one school week, reached at the tenth.
    assert "Threshold first met on Friday 25 September 2026" in text
    assert "Fri 25 Sep 2026 PM O" in text
    # The earlier notice to improve's sessions are excluded, and said to be.
    assert "6 January 2025 to 14 February 2025 (covered by notice to improve issued 3 March 2025)" in text
    # Support, engagement, meetings, adjustments and the notices.
    assert "Jane Hughes did not attend the attendance meeting" in text
    assert "Walk to the bus stop with a buddy" in text and "Referral to the school nurse" in text
    assert "a notice is not inappropriate" in text
    assert "Payment status Paid at the reduced rate: £80.00 paid on 20 October 2026" in text
    assert "Received (served) on 5 October 2026" in text


def test_the_bundle_is_stored_like_a_letter_to_the_la_and_regenerating_makes_version_two(rich_case, dsl):
    first = evidence_bundle_generate(case=rich_case, by=dsl)
    first_pdf, first_hash = bytes(first.pdf), first.sha256

    second = evidence_bundle_generate(case=rich_case, by=dsl)

    assert (first.version, second.version) == (1, 2)
    assert second.recipient == "la:873" and second.subject_key == f"bundle:case:{rich_case.pk}"
    assert second.template == BUNDLE_TEMPLATE and second.parent is None and second.case_id == rich_case.pk
    stored_first = Letter.objects.get(pk=first.pk)
    assert bytes(stored_first.pdf) == first_pdf and stored_first.sha256 == first_hash
    assert stored_first.context["cover"]["offence_from"] == "2026-09-21"
    assert stored_first.context["attendance"]["first_met"] == "2026-09-25"
    with pytest.raises(ValueError, match="cannot be changed"):
        stored_first.save()
    assert rich_case.events.filter(kind=EventKind.LETTER, summary__startswith="Evidence bundle").count() == 2
    # The second bundle's chronology shows the first being made.
    assert "Evidence bundle for the LA made (version 1)" in _text(_pdf(second))


def test_an_offence_period_that_ends_before_it_starts_is_refused(rich_case, dsl):
    with pytest.raises(BundleRefused, match="end on or after"):
        evidence_bundle_generate(case=rich_case, by=dsl, offence_from=dt.date(2026, 10, 2),
                                 offence_to=dt.date(2026, 9, 28))


def test_the_senco_cannot_make_a_bundle(rich_case, senco):
    with pytest.raises(NotPermitted):
        evidence_bundle_generate(case=rich_case, by=senco)
    assert not Letter.objects.filter(template=BUNDLE_TEMPLATE).exists()


def test_the_dsl_makes_it_from_the_case_page_and_the_page_links_the_latest(
    client, rich_case, dsl, django_capture_on_commit_callbacks
):
    client.force_login(dsl)
    with django_capture_on_commit_callbacks(execute=True):  # queued on commit, made by the (eager) worker
        response = client.post(reverse("bundles:generate", args=[rich_case.pk]))
    assert response.status_code == 302 and "/evidence-bundle/" in response["Location"]
    bundle = Letter.objects.get(template=BUNDLE_TEMPLATE)
    page = client.get(reverse("case_documents", args=[rich_case.pk])).content.decode()
    assert reverse("bundles:pdf", args=[rich_case.pk]) in page and bundle.sha256[:12] in page


@pytest.fixture
def bundle(rich_case, dsl):
    return evidence_bundle_generate(case=rich_case, by=dsl)


def test_the_senco_downloads_the_latest_and_the_download_is_audited(client, rich_case, bundle, senco):
    client.force_login(senco)
    response = client.get(reverse("bundles:pdf", args=[rich_case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert bytes(response.content) == bytes(bundle.pdf)
    event = AuditEvent.objects.get(action="bundle.download")
    assert event.user == senco and event.pupil_id == rich_case.pupil_id and bundle.sha256[:12] in event.detail


def test_the_senco_cannot_generate_over_http(client, rich_case, senco):
    client.force_login(senco)
    assert client.post(reverse("bundles:generate", args=[rich_case.pk])).status_code == 403
    assert not Letter.objects.filter(template=BUNDLE_TEMPLATE).exists()


@pytest.mark.parametrize("persona", ["la_officer", "other_school_dsl"])
def test_the_la_officer_and_another_school_are_refused(client, rich_case, bundle, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("bundles:pdf", args=[rich_case.pk])).status_code in (403, 404)
    assert client.post(reverse("bundles:generate", args=[rich_case.pk])).status_code in (403, 404)
    assert not AuditEvent.objects.filter(action="bundle.download").exists()
    assert Letter.objects.filter(template=BUNDLE_TEMPLATE).count() == 1


def test_anonymous_is_sent_to_sign_in(client, rich_case):
    for response in (client.get(reverse("bundles:pdf", args=[rich_case.pk])),
                     client.post(reverse("bundles:generate", args=[rich_case.pk]))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_no_bundle_yet_is_not_found(client, rich_case, dsl):
    client.force_login(dsl)
    assert client.get(reverse("bundles:pdf", args=[rich_case.pk])).status_code == 404


def test_a_long_unbroken_note_is_printed_whole_wrapped_within_the_page(pupil, dsl):
    """5,000 characters without a space (a pasted link, a reference) wrap at the edge of their column: every
    character is in the PDF, in order, and no line runs off the page. Letters no font furniture uses, so the
    running header and footer of each page the note crosses can be taken out before comparing."""
    add_marks(pupil, dt.date(2026, 9, 7), PRESENT_DAY * 5)
    case = case_open(pupil=pupil, by=dsl, reason="Attendance falling")
    note = "жщюя" * 1250
    case_note_add(case=case, by=dsl, kind=EventKind.NOTE, summary="Pasted from the family's email", details=note)
    NoticeToImprove.objects.create(
        case=case, issued_on=dt.date(2026, 11, 2), improvement_period_ends_on=dt.date(2026, 11, 23),
        sufficient_improvement="No unauthorised absence", early_penalty_grounds="A holiday in term time",
        offence_from=dt.date(2026, 9, 7), offence_to=dt.date(2026, 9, 11), early_ground_invoked="Holiday (G)",
        early_ground_sessions=[{"date": "2026-11-05", "session": "AM", "code": "G"}],
        created_by=dsl, created_at=timezone.now(),
    )
    reader = _pdf(evidence_bundle_generate(case=case, by=dsl))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    assert "".join(ch for ch in raw if ch in "жщюя") == note
    assert max(len(run) for run in re.findall("[жщюя]+", raw)) < 200  # wrapped: a line holds far fewer
    assert "Register sessions it rests on Thursday 5 November 2026 AM (G)" in _text(reader)


# --- what was served: copies of the letters and notices, their service, the certificate -----------------------


def _meeting_letter(case, parent, by, *, subject_key="meeting:served"):
    return letter_generate(
        template="letters/meeting_invitation.html", title="Invitation to an attendance meeting", pupil=case.pupil,
        case=case, parent=parent, recipient=f"parent:{parent.pk}", subject_key=subject_key,
        context={"kind": "attendance", "kind_article": "an", "kind_name": "attendance meeting",
                 "meeting_date": "Thursday 8 October 2026", "meeting_time": "9:30am", "location": "Family room",
                 "pupil_forename": case.pupil.forename, "attendees": [], "contact_name": "Dee Lane"},
        by=by,
    )


def _page_text(reader: PdfReader, first: int, last: int) -> str:
    return re.sub(r"\s+", " ", " ".join(reader.pages[n - 1].extract_text() for n in range(first, last + 1)))


def test_the_bundle_appends_each_letter_served_as_stored_and_lists_it_with_its_service(rich_case, dsl, mother):
    first_invitation = _meeting_letter(rich_case, mother, dsl)
    invitation = _meeting_letter(rich_case, mother, dsl)  # made again: both versions were served, both copied
    nti = NoticeToImprove.objects.get(case=rich_case)
    # The notice to improve's letter (a stand-in body: the bundle reads its subject, not its words).
    nti_letter = _meeting_letter(rich_case, mother, dsl, subject_key=f"nti:{nti.pk}")
    pn_letter = Letter.objects.get(subject_key__startswith="penalty_notice:")
    notice = PenaltyNotice.objects.get(case=rich_case)
    not_a_copy = letter_generate(template="letters/meeting_invitation.html", title="To the LA", pupil=rich_case.pupil,
                                 case=rich_case, recipient="la:873", subject_key="la_notification:1",
                                 context={"recipient_name": "Fenshire County Council", "attendees": []}, by=dsl)

    bundle = evidence_bundle_generate(case=rich_case, by=dsl)
    reader = _pdf(bundle)
    copies = bundle.context["copies"]
    own = copies["own_pages"]

    # The stored bundle is the merged file, hashed as stored.
    assert bundle.sha256 == hashlib.sha256(bytes(bundle.pdf)).hexdigest()
    # The copies, oldest first: the penalty notice (made in the fixture), each invitation served, the NTI's letter.
    expected = [pn_letter, first_invitation, invitation, nti_letter]
    assert [(c["title"], c["version"], c["sha256"]) for c in copies["items"]] == [
        (letter.title, letter.version, letter.sha256) for letter in expected]
    assert not_a_copy.sha256 not in [c["sha256"] for c in copies["items"]]
    sizes = [len(PdfReader(io.BytesIO(bytes(letter.pdf))).pages) for letter in expected]
    assert len(reader.pages) == own + sum(sizes) == copies["total_pages"]
    # Each copy is where the table says, and reads as the stored letter does.
    for entry, letter in zip(copies["items"], expected, strict=True):
        assert _page_text(reader, entry["first_page"], entry["last_page"]) == _text(_pdf(letter))
    assert notice.reference in _page_text(reader, copies["items"][0]["first_page"], copies["items"][0]["last_page"])

    text = _text(reader)
    own_text = _page_text(reader, 1, own)
    assert f"Pages 1 to {own} of this PDF are the bundle's own" in own_text
    assert f"Pages {own + 1} to {len(reader.pages)} are the copies" in own_text
    assert f"Page {own} of {own}" in own_text
    # The table and the notices section say how and when the notice was served; the NTI is named by reference.
    assert f"1 Penalty notice {notice.reference} Jane Hughes" in own_text
    assert "By post on 1 October 2026 (treated as received 5 October 2026)" in own_text
    assert "Service By post on 1 October 2026 (treated as received 5 October 2026)" in own_text
    assert f"Notice to improve NTI-{nti.pk}, issued 3 March 2025" in own_text
    assert f"Reference NTI-{nti.pk}" in own_text and f"(NTI-{nti.pk})" in own_text
    assert "Served Jane Hughes:" in own_text
    # Bookmarks: one per section, and one per copy under the last.
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[-1] == f"{len(SECTIONS)}. {SECTIONS[-1][1]}"
    assert [item.title for item in reader.outline[-1]] == [
        f"{n}. {letter.title}: Jane Hughes" for n, letter in enumerate(expected, start=1)]
    assert text.count("Invitation to an attendance meeting") >= 3


def test_the_certificate_page_is_for_the_headteacher_to_sign_and_names_the_extract(rich_case, dsl):
    bundle = evidence_bundle_generate(case=rich_case, by=dsl)
    reader = _pdf(bundle)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    certificate = SECTION_NUMBER["certificate"]
    certificate_page = reader.get_destination_page_number(
        next(item for item in reader.outline if not isinstance(item, list) and item.title.startswith(f"{certificate}.")))
    register_page = reader.get_destination_page_number(
        next(item for item in reader.outline if not isinstance(item, list) and item.title.startswith("3.")))
    page = re.sub(r"\s+", " ", reader.pages[certificate_page].extract_text())

    assert titles[certificate - 1] == f"{certificate}. Certificate of the register extract (Education Act 1996, s566)"
    assert "section 566 of the Education Act 1996" in page
    assert "Meadow Lane Primary School (URN 123456)" in page
    assert "Amelia Hughes, date of birth" in page and "UPN A123456789012" in page
    assert "Period of the extract 21 September 2026 to 25 September 2026" in page
    assert (f"Section 3 of this bundle, pages {register_page + 1} to " in page)
    assert ("is a true extract of the attendance register kept by Meadow Lane Primary School under the School "
            "Attendance (Pupil Registration) (England) Regulations 2024") in page
    for line in ("Signed", "Name", "Headteacher of Meadow Lane Primary School", "Date"):
        assert line in page


@pytest.mark.parametrize(("method", "served_on", "issued_on", "received_on", "said"), [
    ("email", dt.date(2026, 10, 2), None, None, "By email on 2 October 2026"),
    ("hand", dt.date(2026, 10, 2), None, None, "By hand on 2 October 2026"),
    ("post", dt.date(2026, 10, 1), dt.date(2026, 10, 1), dt.date(2026, 10, 5),
     "By post on 1 October 2026 (treated as received 5 October 2026)"),
    (None, None, dt.date(2026, 10, 1), dt.date(2026, 10, 1), "By hand on 1 October 2026"),
    (None, None, dt.date(2026, 10, 1), dt.date(2026, 10, 5),
     "By post on 1 October 2026 (treated as received 5 October 2026)"),
    (None, None, None, None, "Not recorded"),
], ids=["email-recorded", "hand-recorded", "post-recorded-with-receipt", "pn-received-on-issue-is-by-hand",
        "pn-received-later-is-by-post", "nothing-recorded"])
def test_service_is_read_from_the_letter_then_from_the_penalty_notice(method, served_on, issued_on, received_on, said):
    letter = Letter()
    letter.service_method, letter.served_on = method, served_on  # the letter store's service fields
    notice = PenaltyNotice(issued_on=issued_on, received_on=received_on)
    assert service_sentence(letter_service(letter, notice)) == said
    if method is None:
        assert service_sentence(letter_service(Letter())) == "Not recorded"  # not a penalty notice: no fallback
