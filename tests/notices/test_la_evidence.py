"""The LA officer's evidence at hand (notices.review.views.evidence): the pupil's register for the offence
period and the academic year, with the offence's own sessions marked, and the latest evidence bundle, from the
request and referral pages; scoped to the officer's LA and audited. Then the prosecution decision names which
parents, each under their own section, and the outcome is recorded for each of them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import rules
from cases.models import Case, CaseState, PenaltyNoticeConsideration, Role
from cases.models.audit import AuditEvent
from cases.services import case_open
from notices.models import (
    Letter,
    PenaltyNotice,
    PenaltyNoticeRequest,
    PenaltyNoticeState,
    ProsecutedParent,
    ProsecutionOutcome,
    ProsecutionReferral,
)
from notices.review.services import referrals as referral_services
from tests import factories
from tests.factories import ParentalRelationshipFactory, add_marks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def mother(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="M1", parent__forename="Jo",
                                       relationship="Mother").parent


@pytest.fixture
def father(pupil):
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="F1", parent__forename="Sam",
                                       relationship="Father").parent


@pytest.fixture
def carer(pupil):
    """Has care of the child (a parent under s576) but no parental responsibility."""
    return ParentalRelationshipFactory(pupil=pupil, parent__parent_ref="C1", parent__forename="Ray",
                                       relationship="Step-parent", parental_responsibility=False,
                                       lives_with_pupil=True).parent


@pytest.fixture
def stranger(school):
    """A parent of another pupil of the same school."""
    other = factories.PupilFactory(upn="B123456789012", forename="Noah", surname="Price", school=school)
    return ParentalRelationshipFactory(pupil=other, parent__parent_ref="S1", parent__forename="Kim",
                                       relationship="Mother").parent


@pytest.fixture
def pn_case(pupil, dsl):
    add_marks(pupil, dt.date(2026, 9, 28), "O" * 12)  # the threshold: 10 unauthorised sessions in 10 weeks
    add_marks(pupil, dt.date(2026, 10, 12), "/\\" * 5 + "I" * 2)
    case = case_open(pupil=pupil, by=dsl, reason="Threshold met")
    # Test set-up: the ladder's own tests walk a case here; this one starts at the penalty notice stage.
    Case.objects.filter(pk=case.pk).update(state=CaseState.PENALTY_NOTICE)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def pn_request(client, dsl, headteacher, pn_case, mother):
    consideration = PenaltyNoticeConsideration.objects.create(
        case=pn_case, recorded_at=timezone.now(), recorded_by=dsl, threshold_first_met=dt.date(2026, 10, 9),
        why_penalty_notice_is_the_best_tool="Support was refused", alternatives_considered="NTI already issued",
        equality_act_consideration="No SEND; no adjustment needed", authorised_by=headteacher,
        authorised_at=timezone.now(),
    )
    assert consideration.authorised_by == headteacher
    _as(client, dsl).post(reverse("pn_requests:new", kwargs={"case_pk": pn_case.pk}),
                          {"parents": [str(mother.pk)], "reason": "Please issue", "confirm": "yes"})
    return PenaltyNoticeRequest.objects.get(case=pn_case)


def _notice(case, parent, reference, state):
    issued_on = dt.date(2026, 10, 1)
    return PenaltyNotice.objects.create(
        local_authority=case.school.local_authority, reference=reference, pupil=case.pupil, parent=parent, case=case,
        state=state, issued_on=issued_on, full_by=issued_on + dt.timedelta(days=28), amount_full=Decimal("160.00"),
        imported=True, created_at=timezone.now(),
    )


@pytest.fixture
def referral(client, dsl, la_officer, pn_case, mother, father):
    _notice(pn_case, mother, "PN-MOTHER", PenaltyNoticeState.UNPAID)
    _notice(pn_case, father, "PN-FATHER", PenaltyNoticeState.UNPAID)
    assert _as(client, dsl).post(reverse("referrals:new", kwargs={"case_pk": pn_case.pk}),
                                 {"reason": "Both notices unpaid", "confirm": "yes"}).status_code == 302
    referral = ProsecutionReferral.objects.get(case=pn_case)
    referral_services.referral_assign(referral=referral, by=la_officer)
    return referral


@pytest.fixture
def other_la_officer(db):
    other = factories.LocalAuthorityFactory(code="312", name="Riverside Borough Council")
    user = factories.UserFactory(username="other_la_officer")
    factories.StaffProfileFactory(user=user, role=Role.LA_OFFICER, position="Officer", school=None, local_authority=other)
    return user


@pytest.fixture
def la_manager(la):
    user = factories.UserFactory(username="la_manager")
    factories.StaffProfileFactory(user=user, role=Role.LA_MANAGER, position="Manager", school=None, local_authority=la)
    return user


def _as(client, user):
    client.force_login(user)
    return client


def _url(namespace, name, process, code="873"):
    return reverse(f"{namespace}:{name}", kwargs={"code": code, "pk": process.pk})


def _counted_labels(html: str, testid: str) -> list[str]:
    """The labels of the cells marked as counted in the grid ``testid``."""
    grid = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'data-counted="true" title="([^"]+): counted in the offence"', grid)


def _label(mark) -> str:
    day, session, _ = mark
    return f"{day:%A} {day.day} {day:%B} {rules.SESSION_NAMES[session]}"


# --- the register --------------------------------------------------------------------------------------


def test_the_request_register_marks_the_sessions_the_request_page_states(client, la_officer, pn_request):
    page = _as(client, la_officer).get(_url("pn_requests", "la_detail", pn_request))
    assert b'data-testid="pn-request-register-link"' in page.content
    stated = list(page.context["period"].offence.sessions)

    register = client.get(_url("pn_requests", "la_register", pn_request))

    assert register.status_code == 200
    html = register.content.decode()
    assert register.context["counted_marks"] == stated and len(stated) >= 10
    assert sorted(_counted_labels(html, "evidence-period-grid")) == sorted(_label(m) for m in stated)
    assert sorted(_counted_labels(html, "evidence-year-grid")) == sorted(_label(m) for m in stated)
    counts = {row.code: (row.in_period, row.in_year) for row in register.context["code_counts"]}
    assert counts["O"][1] == 12 and counts["I"] == (0, 2) and counts["/"] == (0, 5)
    assert AuditEvent.objects.filter(user=la_officer, action="pn_request.register.view",
                                     pupil=pn_request.case.pupil).count() == 1


def test_the_referral_register_marks_the_stored_offence(client, la_officer, referral):
    stored = referral.offence_record
    assert stored is not None

    register = _as(client, la_officer).get(_url("referrals", "la_register", referral))

    assert register.status_code == 200
    assert register.context["counted_marks"] == stored.marks()
    html = register.content.decode()
    assert sorted(_counted_labels(html, "evidence-period-grid")) == sorted(_label(m) for m in stored.marks())
    assert "Threshold met on" in html  # the offence's own sentence
    event = AuditEvent.objects.get(user=la_officer, action="referral.register.view")
    assert event.pupil == referral.case.pupil and f"offence {stored.pk}" in event.detail


@pytest.mark.parametrize(
    ("who", "status"),
    [("la_officer", 200), ("la_manager", 200), ("other_la_officer", 404), ("dsl", 403), ("headteacher", 403)],
)
def test_only_the_las_own_staff_see_the_register(request, client, pn_request, referral, who, status):
    # pn_request and referral: the same case, sent to LA 873.
    user = request.getfixturevalue(who)
    for url in (_url("referrals", "la_register", referral), _url("pn_requests", "la_register", pn_request),
                _url("pn_requests", "la_bundle", pn_request)):
        assert _as(client, user).get(url).status_code == status  # the referral made the case's bundle
    if status != 200:
        assert not AuditEvent.objects.filter(user=user, action__endswith="register.view").exists()


def test_another_las_officer_never_sees_the_pupil_even_with_their_own_code(client, other_la_officer, referral):
    response = _as(client, other_la_officer).get(_url("referrals", "la_register", referral, code="312"))
    assert response.status_code == 404
    assert referral.case.pupil.surname.encode() not in response.content


# --- the evidence bundle from the request ---------------------------------------------------------------


def test_the_officer_makes_a_bundle_when_none_was_made_for_the_request_then_downloads_it(
    client, la_officer, pn_request
):
    page = _as(client, la_officer).get(_url("pn_requests", "la_detail", pn_request))
    assert b'data-testid="pn-request-no-bundle"' in page.content and b"Make an evidence bundle" in page.content
    assert client.get(_url("pn_requests", "la_bundle", pn_request)).status_code == 404

    response = client.post(_url("pn_requests", "la_bundle_make", pn_request))

    assert response.status_code == 302
    bundle = Letter.objects.get(case=pn_request.case)
    assert bundle.generated_by == la_officer and bundle.recipient == "la:873" and bundle.version == 1
    page = client.get(_url("pn_requests", "la_detail", pn_request))
    assert b'data-testid="pn-request-bundle-link"' in page.content
    assert b"Make an evidence bundle" not in page.content  # one made since the request was sent
    pdf = client.get(_url("pn_requests", "la_bundle", pn_request))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(bundle.pdf)
    assert AuditEvent.objects.filter(user=la_officer, action="bundle.generate").count() == 1
    assert AuditEvent.objects.filter(user=la_officer, action="bundle.download",
                                     detail__contains=f"request {pn_request.pk}").count() == 1


@pytest.mark.parametrize(("who", "status"), [("la_manager", 403), ("other_la_officer", 404), ("dsl", 403)])
def test_only_an_officer_of_the_requests_la_makes_its_bundle(request, client, pn_request, who, status):
    response = _as(client, request.getfixturevalue(who)).post(_url("pn_requests", "la_bundle_make", pn_request))
    assert response.status_code == status
    assert not Letter.objects.filter(case=pn_request.case).exists()


def test_an_la_officer_cannot_make_the_bundle_of_a_case_never_sent_to_the_la(la_officer, pn_case):
    from cases.errors import DomainError
    from notices.bundle import evidence_bundle_generate

    with pytest.raises(DomainError):
        evidence_bundle_generate(case=pn_case, by=la_officer)
    assert not Letter.objects.filter(case=pn_case).exists()


# --- which parents are prosecuted -------------------------------------------------------------------------


def _decide(client, officer, referral, parents: dict, reasons="Evidence sufficient; in the public interest"):
    data = {"decision": "prosecute", "reasons": reasons, "parents": [str(p.pk) for p in parents]}
    data |= {f"offence_{p.pk}": section for p, section in parents.items() if section}
    return _as(client, officer).post(_url("referrals", "la_decide", referral), data)


@pytest.mark.parametrize(
    ("chosen", "field", "message"),
    [
        ({}, "parents", "Choose at least one parent to prosecute."),
        ({"stranger": "s444_1"}, "parents", "that person is not a parent on the case"),
        ({"carer": "s444_1"}, "parents", "has no parental responsibility"),
        ({"mother": "s444_1", "carer": "s444_1a"}, "parents", "has no parental responsibility"),
        ({"mother": ""}, "offence_mother", "Choose the offence for this parent"),
        ({"mother": "s444_9"}, "offence_mother", "Select a valid choice"),
    ],
)
def test_a_prosecution_without_a_parent_who_may_be_prosecuted_is_refused_on_the_field(
    request, client, la_officer, referral, carer, stranger, chosen, field, message
):
    people = {name: request.getfixturevalue(name) for name in ("mother", "father", "carer", "stranger")}
    field = field.replace("mother", str(people["mother"].pk))

    response = _decide(client, la_officer, referral, {people[name]: section for name, section in chosen.items()})

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="{field}-error"' in html and message in html
    assert 'class="govuk-error-summary"' in html
    referral.refresh_from_db()
    assert referral.decision == "" and not ProsecutedParent.objects.exists()
    assert referral_services.open_task(referral, "review") is not None
    assert not PenaltyNotice.objects.filter(state=PenaltyNoticeState.PROSECUTED).exists()


def test_the_service_refuses_the_same_parents(la_officer, referral, carer, stranger, mother):
    from cases.facts import ImpossibleFact

    for parents in ({}, {stranger.pk: "s444_1"}, {carer.pk: "s444_1"}, {mother.pk: ""}):
        with pytest.raises(ImpossibleFact):
            referral_services.referral_decide(referral=referral, by=la_officer, decision="prosecute",
                                              reasons="Sufficient", parents=parents)
    assert not ProsecutedParent.objects.exists()


def test_one_parent_chosen_is_prosecuted_and_only_their_notice_goes_to_court(
    client, dsl, la_officer, referral, mother, father, carer
):
    page = _as(client, la_officer).get(_url("referrals", "la_detail", referral))
    assert b"Ray" in page.content and b"has no parental responsibility" in page.content  # said, not offered
    assert f'value="{carer.pk}"'.encode() not in page.content

    assert _decide(client, la_officer, referral, {mother: "s444_1a"}).status_code == 302

    referral.refresh_from_db()
    assert [(p.parent, p.offence) for p in referral.prosecuted_parents.all()] == [(mother, "s444_1a")]
    assert referral.offence == "s444_1a"
    assert PenaltyNotice.objects.get(reference="PN-MOTHER").state == PenaltyNoticeState.PROSECUTED
    assert PenaltyNotice.objects.get(reference="PN-FATHER").state == PenaltyNoticeState.UNPAID
    for user, url in ((la_officer, _url("referrals", "la_detail", referral)),
                      (dsl, reverse("referrals:school_detail", kwargs={"case_pk": referral.case_id,
                                                                     "pk": referral.pk}))):
        html = _as(client, user).get(url).content.decode()
        listed = html.split('data-testid="referral-prosecuted-parents"', 1)[1].split("</ul>", 1)[0]
        assert "Jo " in listed and "s444(1A)" in listed and "Sam " not in listed


def test_each_parents_outcome_is_recorded_and_an_acquittal_stops_their_notice_counting(
    client, la_officer, referral, mother, father
):
    assert _decide(client, la_officer, referral, {mother: "s444_1", father: "s444_1a"}).status_code == 302
    referral = ProsecutionReferral.objects.get(pk=referral.pk)
    assert referral.offence == "s444_1a"  # the gravest charged, for readers of the whole referral
    fields = {"hearing_day": "26", "hearing_month": "11", "hearing_year": "2026", "conclusion": "close",
              f"result_{mother.pk}": "convicted", f"fine_{mother.pk}": "1500", f"parenting_order_{mother.pk}": "no",
              f"result_{father.pk}": "acquitted", f"parenting_order_{father.pk}": "no"}
    # The mother is charged under s444(1): her fine is capped at level 3, whatever the father's section.
    refused = client.post(_url("referrals", "la_outcome", referral), fields)
    assert refused.status_code == 400
    assert f'<a href="#id_fine_{mother.pk}">The fine must be £1,000.00 or less'.encode() in refused.content
    missing = client.post(_url("referrals", "la_outcome", referral), {**fields, f"result_{father.pk}": ""})
    assert missing.status_code == 400 and b"Choose the result of the hearing for Sam" in missing.content

    fields[f"fine_{mother.pk}"] = "250"
    assert client.post(_url("referrals", "la_outcome", referral), fields).status_code == 302

    outcomes = {p.parent: (p.hearing_result, p.fine_amount, p.parenting_order)
                for p in ProsecutedParent.objects.filter(referral=referral)}
    assert outcomes == {mother: ("convicted", Decimal("250.00"), False), father: ("acquitted", None, False)}
    assert PenaltyNotice.objects.get(reference="PN-MOTHER").prosecution_outcome == ProsecutionOutcome.GUILTY
    assert PenaltyNotice.objects.get(reference="PN-FATHER").prosecution_outcome == ProsecutionOutcome.NOT_GUILTY
    referral.refresh_from_db()
    assert (referral.hearing_result, referral.fine_amount) == ("convicted", Decimal("250.00"))
    html = client.get(_url("referrals", "la_detail", referral)).content.decode()
    assert "Convicted, fined £250.00" in html and "Acquitted, no fine" in html


@pytest.mark.parametrize(
    ("offence", "result", "fine", "problem"),
    [
        ("s444_1", "convicted", Decimal("1000.00"), None),
        ("s444_1", "convicted", Decimal("1000.01"), "over the maximum for s444_1"),
        ("s444_1a", "convicted", Decimal("2500.00"), None),
        ("s444_1a", "acquitted", Decimal("10.00"), "a fine is recorded without a conviction"),
    ],
)
def test_check_records_names_a_prosecuted_parents_impossible_fine(la_officer, referral, mother, offence, result,
                                                                  fine, problem):
    from notices.record_checks import notices_record_problems

    chosen = ProsecutedParent.objects.create(referral=referral, parent=mother, offence=offence,
                                             hearing_result=result, fine_amount=fine, parenting_order=False)
    found = [p for model, pk, field, p in notices_record_problems() if model == "notices.ProsecutedParent"
             and pk == chosen.pk and field == "fine_amount"]
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0]


def test_a_bundle_the_school_made_after_referring_is_offered_beside_the_referrals_own(client, dsl, la_officer,
                                                                                      referral):
    from notices.bundle import evidence_bundle_generate

    page = _as(client, la_officer).get(_url("referrals", "la_detail", referral))
    assert b'data-testid="referral-latest-bundle-link"' not in page.content  # the referral's own is the latest
    newer = evidence_bundle_generate(case=referral.case, by=dsl)

    page = client.get(_url("referrals", "la_detail", referral))
    assert b'data-testid="referral-latest-bundle-link"' in page.content
    pdf = client.get(_url("referrals", "la_latest_bundle", referral))
    assert pdf.status_code == 200 and pdf.content == bytes(newer.pdf) and newer.version == 2
    assert client.get(_url("referrals", "la_bundle", referral)).content == bytes(referral.bundle.pdf)
    assert AuditEvent.objects.filter(user=la_officer, action="bundle.download",
                                     detail__contains=f"letter {newer.pk}").exists()
    assert _as(client, dsl).get(_url("referrals", "la_latest_bundle", referral)).status_code == 403
