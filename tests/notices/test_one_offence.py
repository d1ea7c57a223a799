"""One truth per fact: every surface of the demo authority states the offence as it was stored.

Seeds the demo (its casework walks cases up the ladder through the same services as real work), then
for every notice to improve, penalty notice and prosecution referral that rests on a stored offence,
reads each surface a family, the LA or a court reads (the letters, the case page, the evidence bundle,
the penalty notice register CSV) and asserts they state the same first-met date and the same sessions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from cases.models import Offence
from cases.services.offence import case_stored_offence, offence_sentence
from notices.models import Letter, NoticeToImprove, PenaltyNotice, ProsecutionReferral

AS_OF = dt.date(2026, 11, 26)


@pytest.fixture
def demo(db):
    with time_machine.travel(dt.datetime(2026, 11, 26, 18, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo", "--as-of", AS_OF.isoformat(),
                     stdout=StringIO(), stderr=StringIO())
        yield


def _sessions(offence: Offence) -> list[tuple[str, str, str]]:
    return [(s["date"], s["session"], s["code"]) for s in offence.sessions]


def test_every_surface_of_the_demo_states_the_same_offence(demo, client):
    User = get_user_model()
    ntis = list(NoticeToImprove.objects.select_related("offence_record", "case"))
    notices = list(PenaltyNotice.objects.filter(imported=False).select_related("offence_record", "case"))
    referrals = list(ProsecutionReferral.objects.select_related("offence_record", "bundle", "case"))
    assert ntis and notices and referrals, "the demo has notices to improve, penalty notices and a referral"

    for nti in ntis:
        record = nti.offence_record
        assert record is not None, f"notice to improve {nti.pk} rests on no stored offence"
        assert (nti.offence_from, nti.offence_to) == (record.offence_from, record.offence_to)
        assert record.session_count >= 10 and record.first_met <= nti.issued_on
        for letter in Letter.objects.filter(subject_key=f"nti:{nti.pk}"):
            ctx = letter.context
            assert ctx["threshold_first_met"] == record.first_met.isoformat()
            assert (ctx["offence_from"], ctx["offence_to"]) == (record.offence_from.isoformat(),
                                                                 record.offence_to.isoformat())
            assert [(s["date"], s["session"], s["code"]) for s in ctx["offence_sessions"]] == _sessions(record)

    for notice in notices:
        record = notice.offence_record
        assert record is not None, f"penalty notice {notice.reference} rests on no stored offence"
        assert (notice.offence_from, notice.offence_to) == (record.offence_from, record.offence_to)
        nti = notice.case.notices_to_improve.first() if notice.case_id else None
        if nti is not None:  # a penalty notice after a notice to improve is for the offence it warned about
            assert record == nti.offence_record
        for letter in Letter.objects.filter(parent=notice.parent, context__reference=notice.reference):
            ctx = letter.context
            assert ctx["threshold_first_met"] == record.first_met.isoformat()
            assert [(s["date"], s["session"], s["code"]) for s in ctx["offence_sessions"]] == _sessions(record)

    for referral in referrals:
        record = referral.offence_record
        assert record is not None, "the demo's referral rests on the unpaid notice's offence"
        attendance = referral.bundle.context["attendance"]
        assert attendance["first_met"] == record.first_met.isoformat()
        assert [(s["date"], s["session"], s["code"]) for s in attendance["counted"]] == _sessions(record)

    # The case page says the same sentence as the chronology and the letters.
    dsl = User.objects.get(username="dsl")
    client.force_login(dsl)
    for case in {n.case for n in ntis} | {n.case for n in notices if n.case_id} | {r.case for r in referrals}:
        if case.school.staff.filter(user=dsl).exists() if hasattr(case.school, "staff") else True:
            found = case_stored_offence(case=case)
            assert found is not None
            page = client.get(reverse("case_detail", args=[case.pk]))
            if page.status_code == 200:
                assert offence_sentence(found[0]) in page.content.decode()

    # The LA's register of penalty notices: each row's offence period is the stored offence's.
    officer = User.objects.get(username="la_officer")
    client.force_login(officer)
    response = client.get(reverse("penalty_notices:register_csv", args=["873"]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    by_reference = {n.reference: n for n in notices}
    checked = 0
    for row in rows:
        notice = by_reference.get(row["reference"].lstrip("'"))
        if notice is not None:
            assert (row["offence_from"], row["offence_to"]) == (
                notice.offence_record.offence_from.isoformat(), notice.offence_record.offence_to.isoformat())
            checked += 1
    assert checked == len(notices)


def test_the_las_request_and_referral_pages_state_the_stored_offence(demo, client):
    User = get_user_model()
    client.force_login(User.objects.get(username="la_officer"))
    referral = ProsecutionReferral.objects.select_related("offence_record").get()
    page = client.get(reverse("referrals:la_detail", args=["873", referral.pk])).content.decode()
    assert offence_sentence(referral.offence_record) in page
    assert f"The {referral.offence_record.session_count} sessions" in page
    client.force_login(User.objects.get(username="dsl"))
    page = client.get(reverse("referrals:school_detail", args=[referral.case_id, referral.pk])).content.decode()
    assert offence_sentence(referral.offence_record) in page
