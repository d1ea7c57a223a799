"""Every route of the product, found by walking the URL configuration, refuses an anonymous visitor.

A view added without its login check fails here without anyone having to remember to write the test.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "logout"}  # signing in and out are the only pages for someone not signed in
SAMPLE = {"int": "1", "str": "873"}


def _routes(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # Django's admin has its own sign-in, tested by Django
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern)


def _path(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)


ROUTES = sorted((name, _path(route)) for name, route in _routes(get_resolver().url_patterns) if name not in PUBLIC)


def test_the_walk_finds_the_products_routes():
    names = {name for name, _ in ROUTES}
    assert {"home", "case_detail", "penalty_notices:la_payment", "referrals:la_decide", "letters:batch_pdf",
            "meetings:contact_record", "my_work", "my_work_news_read", "pn_consideration_decline",
            "accounts:email_preferences"} <= names
    assert {"case_chronology", "case_meetings", "case_support", "case_notices", "case_documents"} <= names
    assert len(ROUTES) > 80


@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, name, path, method):
    response = getattr(client, method)(path)
    if response.status_code == 405:
        return  # the method is not one the route takes: nothing ran
    assert response.status_code == 302, f"{method.upper()} {path} answered {response.status_code}"
    assert response.url.startswith("/accounts/login/?next="), response.url


# --- staff who are not this school's, and officers who are not this LA's ---------------------------------
#
# On the demo authority (seeded as the product seeds it, every kind of record present), each route is asked
# for Fenbridge Academy's own records by people who must not reach them: its answer is 403 or 404, for
# GET and POST alike, and nothing is written.

OWN_SCHOOL_URN = "145872"  # Fenbridge Academy, in Fenshire (873)


def _demo_records():
    """One record of each kind the routes name, all belonging to Fenbridge Academy."""
    from cases.models import Alert, Case, PenaltyNoticeConsideration
    from interventions.models import (
        Action,
        AttendanceContract,
        ContractParty,
        EarlyHelp,
        LANotification,
        LeaveOfAbsenceRequest,
        PartTimeTimetable,
        ReasonableAdjustment,
        SupportPlan,
    )
    from meetings.models import Contact, Meeting
    from notices.models import (
        EvidenceBundleRun,
        Letter,
        LetterBatch,
        NoticeToImprove,
        OfficerTask,
        PenaltyNotice,
    )
    from notices.review.referrals import ProsecutionReferral
    from notices.review.requests import PenaltyNoticeRequest

    at_school = {
        Alert: "school__urn", Case: "school__urn", PenaltyNoticeConsideration: "case__school__urn",
        SupportPlan: "case__school__urn", AttendanceContract: "case__school__urn",
        ContractParty: "contract__case__school__urn", EarlyHelp: "case__school__urn",
        ReasonableAdjustment: "pupil__school__urn", PartTimeTimetable: "pupil__school__urn",
        LeaveOfAbsenceRequest: "pupil__school__urn", LANotification: "pupil__school__urn",
        Meeting: "case__school__urn", Contact: "case__school__urn", Letter: "pupil__school__urn", LetterBatch: "school__urn",
        NoticeToImprove: "case__school__urn", PenaltyNotice: "pupil__school__urn",
        OfficerTask: "notice__pupil__school__urn", PenaltyNoticeRequest: "case__school__urn",
        ProsecutionReferral: "case__school__urn", EvidenceBundleRun: "case__school__urn",
    }
    records = {model: model.objects.filter(**{lookup: OWN_SCHOOL_URN}).order_by("-pk").first()
               for model, lookup in at_school.items()}
    records[Action] = Action.objects.filter(support_plan__case__school__urn=OWN_SCHOOL_URN).order_by("pk").first()
    return records


def _kwargs_for(name: str, params: list[str], records: dict) -> dict:
    """The route's parameters filled with Fenbridge Academy's records of the kind the route names."""
    by_name = {type(record).__name__: record for record in records.values() if record is not None}
    subject = {
        "alert_resolve": "Alert", "pn_consideration_authorise": "PenaltyNoticeConsideration",
        "pn_consideration_decline": "PenaltyNoticeConsideration",
        "interventions:support_plan": "SupportPlan", "interventions:action": "Action",
        "interventions:contract_party": "ContractParty", "interventions:contract": "AttendanceContract",
        "interventions:early_help": "EarlyHelp", "interventions:adjustment": "ReasonableAdjustment",
        "interventions:part_time": "PartTimeTimetable", "interventions:leave_request": "LeaveOfAbsenceRequest",
        "interventions:la_notification": "LANotification", "meetings:contact": "Contact", "meetings:": "Meeting", "notices:letter": "Letter",
        "notices:nti": "NoticeToImprove", "penalty_notices:la_task": "OfficerTask", "penalty_notices:": "PenaltyNotice",
        "pn_requests:": "PenaltyNoticeRequest", "referrals:": "ProsecutionReferral", "letters:": "LetterBatch",
        "bundles:": "EvidenceBundleRun",
    }
    record = next((by_name.get(model) for prefix, model in subject.items() if name.startswith(prefix)), None)
    case = getattr(record, "case", None) or by_name["Case"]
    if record is not None and hasattr(record, "contract"):
        case = record.contract.case
    if record is not None and getattr(record, "support_plan", None):
        case = record.support_plan.case
    pupil = getattr(record, "pupil", None) or case.pupil
    values = {
        "upn": pupil.upn, "urn": OWN_SCHOOL_URN, "code": "873", "case_pk": case.pk, "which": "start",
        "consideration_pk": by_name["PenaltyNoticeConsideration"].pk,
        "plan_pk": getattr(records, "support_plan_id", None) or getattr(record, "support_plan_id", None),
        "contract_pk": getattr(record, "contract_id", None), "task_pk": by_name["OfficerTask"].pk,
    }
    kwargs = {}
    for param in params:
        if param == "pk":
            kwargs[param] = (record or case).pk
        else:
            kwargs[param] = values[param]
        assert kwargs[param] is not None, f"{name}: no record for {param}"
    return kwargs


@pytest.fixture
def demo_authority(db, monkeypatch):
    from io import StringIO

    import time_machine
    from django.core.management import call_command

    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with time_machine.travel(dt.datetime(2026, 11, 26, 18, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo", "--pupils", "400", "--from", "2026-09-01", "--as-of", "2026-11-26",
                     stdout=StringIO(), stderr=StringIO())
        _top_up()


def _top_up() -> None:
    """A small demo has no case far enough up the ladder for a notice, a request or a referral: one of each is
    added to a Fenbridge case as bare rows (what the routes are asked about, not how they came to be)."""
    from django.utils import timezone
    from viewflow.workflow import STATUS

    from cases.models import Case, PenaltyNoticeConsideration, StaffProfile
    from notices.flows import PenaltyNoticeRequestFlow, ProsecutionReferralFlow
    from notices.models import EvidenceBundleRun, Letter, LetterBatch, OfficerTask, PenaltyNotice
    from notices.review.referrals import ProsecutionReferral
    from notices.review.requests import PenaltyNoticeRequest

    now, dsl = timezone.now(), StaffProfile.objects.get(user__username="dsl").user
    case = Case.objects.filter(school__urn=OWN_SCHOOL_URN).order_by("pk").first()
    parent = case.pupil.parent_links.first().parent
    letter = Letter.objects.create(pupil=case.pupil, case=case, recipient="la", template="bundles/evidence.html",
                                   subject_key="route-test", version=1, title="Evidence bundle", pdf=b"%PDF",
                                   sha256="0" * 64, context={}, generated_by=dsl, generated_at=now)
    LetterBatch.objects.create(school=case.school, kind="concern", title="Concern letters", created_by=dsl,
                               created_at=now)
    EvidenceBundleRun.objects.create(case=case, requested_by=dsl, requested_at=now, status="failed", error="-")
    notice = PenaltyNotice.objects.create(local_authority=case.school.local_authority, reference="PN-873-2026-999",
                                          pupil=case.pupil, parent=parent, case=case, created_at=now)
    OfficerTask.objects.create(local_authority=case.school.local_authority, notice=notice, kind="decide_unpaid",
                               detail="Unpaid", created_at=now)
    consideration = PenaltyNoticeConsideration.objects.create(
        case=case, recorded_at=now, recorded_by=dsl, threshold_first_met=dt.date(2026, 10, 1),
        why_penalty_notice_is_the_best_tool="-", alternatives_considered="-", equality_act_consideration="-",
    )
    PenaltyNoticeRequest.objects.create(flow_class=PenaltyNoticeRequestFlow, status=STATUS.NEW, case=case,
                                        consideration=consideration, requested_by=dsl, reason="-")
    ProsecutionReferral.objects.create(flow_class=ProsecutionReferralFlow, status=STATUS.NEW, case=case,
                                       bundle=letter, referred_by=dsl, reason="-")


def _strangers():
    """Staff of another LA's school, an officer of another LA, and the DSL of another school in the same LA."""
    from cases.models import Role, StaffProfile
    from tests import factories

    other_la = factories.LocalAuthorityFactory(code="312", name="Riverside Borough Council")
    other_school = factories.SchoolFactory(urn="777777", name="Riverside High School", local_authority=other_la)
    people = {}
    for username, role, school, la in [("riverside_dsl", Role.DSL, other_school, None),
                                       ("riverside_officer", Role.LA_OFFICER, None, other_la)]:
        people[username] = factories.UserFactory(username=username)
        factories.StaffProfileFactory(user=people[username], role=role, position="Staff", school=school,
                                      local_authority=la)
    people["primary_dsl"] = StaffProfile.objects.get(user__username="primary_dsl").user
    return people


def test_no_route_opens_another_schools_or_another_las_records(client, demo_authority):
    from cases.models import AuditEvent, CaseEvent

    records = _demo_records()
    missing = sorted(model.__name__ for model, record in records.items() if record is None)
    assert not missing, f"the demo has none of: {missing}"
    routes = [(name, route) for name, route in _routes(get_resolver().url_patterns)
              if name not in PUBLIC and "<" in route]
    events_before = CaseEvent.objects.count()
    failures = []
    for username, user in _strangers().items():
        client.force_login(user)
        for name, route in routes:
            params = re.findall(r"<(?:\w+:)?(\w+)>", route)
            path = "/" + route
            for param, value in _kwargs_for(name, params, records).items():
                path = re.sub(rf"<(?:\w+:)?{param}>", str(value), path)
            for method in ("get", "post"):
                status = getattr(client, method)(path).status_code
                if status not in (403, 404, 405):
                    failures.append(f"{username} {method.upper()} {path} ({name}): {status}")
    assert not failures, "\n".join(failures)
    assert CaseEvent.objects.count() == events_before
    assert not AuditEvent.objects.filter(user__username__in=["riverside_dsl", "riverside_officer"],
                                         action__endswith=".view").exclude(detail__icontains="refused").exists()


# --- the people the records belong to: no route answers them with a server error ----------------------------


def test_no_route_fails_with_a_server_error_for_its_own_people_whatever_is_posted(client, demo_authority):
    """Each route asked, as each of the LA's own roles, with nothing and with nonsense: a page, a redirect, a
    refusal or a form error, never a 500 ("bad input always gets a clear message and changes nothing")."""
    from cases.models import StaffProfile

    records = _demo_records()
    routes = [(name, route) for name, route in _routes(get_resolver().url_patterns)
              if name not in PUBLIC and "<" in route]
    nonsense = {"transition": "fly", "expected_state": "nowhere", "reason": "x" * 5000, "parents": ["0", "x"],
                "decision": "maybe", "kind": "?", "pk": "-1", "page": "last", "issued_day": "31", "issued_month": "2",
                "issued_year": "20x6", "amount": "lots", "paid_on": "yesterday", "next_review_on": "2026-02-30"}
    failures = []
    for username in ("dsl", "senco", "head", "governor", "la_officer", "la_manager"):
        client.force_login(StaffProfile.objects.get(user__username=username).user)
        for name, route in routes:
            params = re.findall(r"<(?:\w+:)?(\w+)>", route)
            path = "/" + route
            for param, value in _kwargs_for(name, params, records).items():
                path = re.sub(rf"<(?:\w+:)?{param}>", str(value), path)
            for method, data in (("get", {"page": "last", "school": "nope", "flag": "x"}), ("post", {}),
                                 ("post", nonsense)):
                try:
                    status = getattr(client, method)(path, data).status_code
                except Exception as error:  # noqa: BLE001 - the test client re-raises a view's exception
                    status = f"{type(error).__name__}: {error}"
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{username} {method.upper()} {path} ({name}): {status}")
    assert not failures, "\n".join(failures)


# --- the new roles, read from the one table of cases/roles.py ------------------------------------------------
#
# Each route asked for Fenbridge Academy's own records by its governor and its SENCo: what the role table
# (cases/roles.py) says each may do is all each can do.

# The routes whose POST writes what a role's capability allows (the rest must be refused and write nothing).
WRITES_BY_CAPABILITY = {
    "record_adjustment": {"interventions:adjustment_create", "interventions:adjustment_update",
                          "interventions:adjustment_review_create", "interventions:ehc_notification_create"},
    "amend_register": {"register_amend", "register_stale_n_apply"},
}


def _filled(name, route, records):
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
    path = "/" + route
    for param, value in _kwargs_for(name, params, records).items():
        path = re.sub(rf"<(?:\w+:)?{param}>", str(value), path)
    return path


def _row_counts() -> dict[str, int]:
    """How many rows every table of the product holds, the audit trail and the sessions apart."""
    from django.apps import apps

    skip = {"AuditEvent", "Session"}
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model.__name__ not in skip and model._meta.app_label in {"cases", "interventions", "notices",
                                                                          "meetings", "viewflow", "admin"}}


def test_the_governor_never_sees_a_pupils_name_and_the_senco_writes_only_what_her_role_allows(
        client, demo_authority):
    from cases import roles
    from cases.models import Pupil, StaffProfile
    from tests import factories

    records = _demo_records()
    routes = [(name, route) for name, route in _routes(get_resolver().url_patterns) if name not in PUBLIC]
    school = StaffProfile.objects.get(user__username="dsl").school
    governor = StaffProfile.objects.get(user__username="governor").user
    assert roles.BY_ROLE[governor.staff.role].capabilities == {roles.VIEW_AGGREGATES}
    names = [f"{p.forename} {p.surname}" for p in Pupil.objects.filter(school=school)]
    names += [p.surname for p in Pupil.objects.filter(school=school) if len(p.surname) > 6]
    leaks, seen = [], 0
    client.force_login(governor)
    for name, route in routes:
        response = client.get(_filled(name, route, records))
        if response.status_code == 200:
            seen += 1
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            leaks += [f"{name}: {pupil}" for pupil in names if pupil in text]
        else:
            assert response.status_code in (302, 403, 404, 405), f"{name}: {response.status_code}"
    assert seen >= 1 and not leaks, leaks  # the figures page answers; no page names a pupil
    assert client.get("/").url == f"/schools/{school.urn}/figures/"

    senco = StaffProfile.objects.get(user__username="senco").user
    allowed = set().union(*(WRITES_BY_CAPABILITY.get(c, set()) for c in roles.BY_ROLE[senco.staff.role].capabilities))
    assert allowed, "the SENCo's writes"
    other = factories.UserFactory(username="someone_else")
    client.force_login(senco)
    wrote = []
    for name, route in routes:
        if name in allowed:
            continue
        before = _row_counts()
        path = _filled(name, route, records)
        response = client.post(path, {"kind": "contact", "summary": "A note", "reason": "x", "officer": other.pk,
                                      "decision": "approve", "answer": "x"})
        if _row_counts() != before:
            wrote.append(f"POST {path} ({name}): {response.status_code}")
    assert not wrote, "\n".join(wrote)


def test_every_page_a_caseworker_reads_is_on_the_audit_trail(client, demo_authority):
    """A page answered with 200 writes at least one audit row: no read of personal data goes unaudited."""
    from cases.models import AuditEvent, StaffProfile

    records = _demo_records()
    routes = [(name, route) for name, route in _routes(get_resolver().url_patterns) if name not in PUBLIC]
    unaudited = []
    for username in ("dsl", "la_officer", "la_manager"):
        client.force_login(StaffProfile.objects.get(user__username=username).user)
        for name, route in routes:
            before = AuditEvent.objects.count()
            path = _filled(name, route, records)
            if client.get(path).status_code == 200 and AuditEvent.objects.count() == before:
                unaudited.append(f"{username} GET {path} ({name})")
    assert not unaudited, "\n".join(unaudited)
