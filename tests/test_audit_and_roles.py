"""The audit trail (complete and permanent), the role table and what the new roles see and do."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import connection, transaction

from cases import roles
from cases.models import LA_ROLES, SCHOOL_ROLES, AuditEvent, AuditIsPermanent, Role
from tests import factories
from tests.conftest import _staff

pytestmark = pytest.mark.django_db


# --- the role table -------------------------------------------------------------------------------------------


def test_every_role_is_in_the_table_once_and_works_where_its_profile_says():
    assert sorted(grant.role for grant in roles.TABLE) == sorted(Role.values)
    for grant in roles.TABLE:
        assert (grant.role in SCHOOL_ROLES) == (grant.works_at == roles.SCHOOL), grant.role
        assert (grant.role in LA_ROLES) == (grant.works_at == roles.LA), grant.role


@pytest.mark.parametrize(("role", "capability", "allowed"), [
    (Role.SENCO, roles.RECORD_ADJUSTMENT, True),
    (Role.SENCO, roles.RECORD_SUPPORT, False),
    (Role.SENCO, roles.MOVE_CASE, False),
    (Role.GOVERNOR, roles.VIEW_AGGREGATES, True),
    (Role.GOVERNOR, roles.VIEW_PUPIL_NAMES, False),
    (Role.GOVERNOR, roles.READ_CASES, False),
    (Role.LA_MANAGER, roles.LA_REASSIGN, True),
    (Role.LA_MANAGER, roles.VIEW_AUDIT, True),
    (Role.LA_MANAGER, roles.LA_REVIEW, False),
    (Role.LA_OFFICER, roles.LA_REASSIGN, False),
    (Role.DSL, roles.VIEW_AUDIT, True),
    (Role.DSL, roles.AMEND_REGISTER, True),
    (Role.ATTENDANCE_OFFICER, roles.AMEND_REGISTER, True),
    (Role.SENCO, roles.AMEND_REGISTER, False),
    (Role.HEADTEACHER, roles.AMEND_REGISTER, False),
    (Role.GOVERNOR, roles.AMEND_REGISTER, False),
    (Role.LA_OFFICER, roles.AMEND_REGISTER, False),
    (Role.LA_MANAGER, roles.AMEND_REGISTER, False),
], ids=lambda v: str(v))
def test_the_table_is_as_narrow_as_the_job(role, capability, allowed):
    assert roles.has(role, capability) is allowed


def test_the_readmes_role_table_is_the_table_in_code():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- roles:start -->\n(.*?)\n<!-- roles:end -->", readme, re.S)
    if found is None:
        pytest.skip("README.md has no <!-- roles:start --> ... <!-- roles:end --> markers yet")
    assert found.group(1).strip() == roles.readme_table(), "regenerate with cases.roles.readme_table()"


# --- permanent rows -------------------------------------------------------------------------------------------


def test_an_audit_row_cannot_be_changed_or_deleted_from_the_app(dsl):
    event = AuditEvent.objects.create(user=dsl, username="dsl", action="pupil.view")
    event.detail = "rewritten"
    for attempt in (event.save, event.delete, lambda: AuditEvent.objects.filter(pk=event.pk).update(detail="x"),
                    lambda: AuditEvent.objects.filter(pk=event.pk).delete()):
        with pytest.raises(AuditIsPermanent):
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's (set DATABASE_URL)")
@pytest.mark.parametrize("sql", ["UPDATE cases_auditevent SET detail = 'x'", "DELETE FROM cases_auditevent"])
def test_on_postgresql_not_even_sql_changes_an_audit_row(dsl, sql):
    from django.db import DatabaseError

    AuditEvent.objects.create(user=dsl, username="dsl", action="pupil.view")
    with pytest.raises(DatabaseError, match="audit rows are permanent"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(detail="").count() == 1


def test_deleting_a_pupil_or_an_account_leaves_their_trail(client, dsl, pupil):
    client.force_login(dsl)
    assert client.get(f"/pupils/{pupil.upn}/").status_code == 200
    pupil.delete()
    dsl.delete()
    row = AuditEvent.objects.get(action="pupil.view")
    assert (row.username, row.upn) == ("dsl", "A123456789012")


# --- what is written down -------------------------------------------------------------------------------------


def test_sign_in_sign_out_and_a_failed_sign_in_are_audited(client, dsl):
    client.post("/accounts/login/", {"username": "dsl", "password": "wrong-password"})
    client.post("/accounts/login/", {"username": "dsl", "password": "correct-horse-battery"})
    client.post("/accounts/logout/")
    rows = list(AuditEvent.objects.filter(action__startswith="auth.").order_by("pk").values_list("action", "username"))
    assert rows == [("auth.login_failed", ""), ("auth.login", "dsl"), ("auth.logout", "dsl")]
    assert "dsl" in AuditEvent.objects.get(action="auth.login_failed").detail


@pytest.mark.parametrize(("who", "method", "path", "status"), [
    ("senco", "POST", "/cases/999999/notes/", 404),
    ("la_officer", "GET", "/schools/123456/pupils/", 403),
    ("dsl", "GET", "/cases/999999/contacts/new/", 404),
    ("senco", "POST", "/cases/999999/contacts/new/", 404),
], ids=["not-found", "forbidden", "contact-form-not-found", "contact-post-not-found"])
def test_a_refused_attempt_is_audited_with_who_what_and_how(client, request, school, who, method, path, status):
    client.force_login(request.getfixturevalue(who))
    assert getattr(client, method.lower())(path).status_code == status
    row = AuditEvent.objects.get(action="access.refused")
    assert (row.username, row.path, row.method, row.status) == (who, path, method, status)


@pytest.mark.parametrize("path", ["/schools/123456/pupils/?q=Hug", "/schools/123456/alerts/",
                                  "/schools/123456/caseload/", "/schools/123456/register/stale-n/?q=Hug", "/my-work/"])
def test_lists_and_searches_are_audited(client, dsl, pupil, path):
    client.force_login(dsl)
    assert client.get(path).status_code == 200
    row = AuditEvent.objects.exclude(action__startswith="auth.").get()
    assert row.username == "dsl" and row.path == path and row.school_id == pupil.school_id


def test_the_admin_reading_searching_and_moving_a_pupil_is_audited(client, pupil, other_school):
    admin = factories.UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/cases/pupil/?q=Hughes").status_code == 200
    assert client.get(f"/admin/cases/pupil/{pupil.pk}/change/").status_code == 200
    response = client.post(f"/admin/cases/pupil/{pupil.pk}/change/", {
        "upn": pupil.upn, "forename": pupil.forename, "surname": pupil.surname, "date_of_birth": "2015-03-14",
        "school": other_school.pk, "year_group": pupil.year_group, "sen_status": pupil.sen_status,
        "parent_links-TOTAL_FORMS": "0", "parent_links-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    actions = list(AuditEvent.objects.filter(username="admin").exclude(action="auth.login").order_by("pk").values_list("action", "upn", "path"))
    assert actions[0] == ("admin.view", "", "/admin/cases/pupil/?q=Hughes")
    assert actions[1] == ("admin.view", pupil.upn, f"/admin/cases/pupil/{pupil.pk}/change/")
    assert ("admin.change", pupil.upn) == actions[-1][:2]
    assert "School" in AuditEvent.objects.get(action="admin.change").detail


# --- the audit screen ------------------------------------------------------------------------------------------


def _manager(la):
    return _staff("la_manager", Role.LA_MANAGER, "Attendance Service Manager", la=la)


def test_the_dsl_filters_her_schools_trail_by_person_pupil_and_date_and_exports_it(client, dsl, senco, pupil,
                                                                                     other_school_dsl):
    AuditEvent.objects.create(user=senco, username="senco", action="pupil.view", pupil=pupil, upn=pupil.upn,
                              school=pupil.school, detail="=HYPERLINK(\"x\")")
    AuditEvent.objects.create(user=other_school_dsl, username="other_dsl", action="pupil.view")
    client.force_login(dsl)
    page = client.get("/schools/123456/audit/", {"person": "senco", "upn": pupil.upn}).content.decode()
    assert "pupil.view" in page and "other_dsl" not in page
    assert "No rows match" in client.get("/schools/123456/audit/", {"until": "2000-01-01"}).content.decode()
    bad = client.get("/schools/123456/audit/", {"since": "2026-13-01"})
    assert bad.status_code == 400 and "Enter the date from as YYYY-MM-DD" in bad.content.decode()
    csv = client.get("/schools/123456/audit/", {"person": "senco", "format": "csv"})
    body = b"".join(csv.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffat,username,action") and "'=HYPERLINK" in body and "other_dsl" not in body
    assert "no-store" in csv["Cache-Control"] and "private" in csv["Cache-Control"]


@pytest.mark.parametrize("persona", ["senco", "headteacher", "la_officer"])
def test_only_the_dsl_and_the_la_manager_read_the_trail(client, request, school, persona):
    client.force_login(request.getfixturevalue(persona))
    path = "/la/873/audit/" if persona == "la_officer" else "/schools/123456/audit/"
    assert client.get(path).status_code == 403


def test_the_la_manager_reads_the_las_trail_and_not_another_las(client, la, pupil, la_officer, other_la_school):
    AuditEvent.objects.create(user=la_officer, username="la_officer", action="pn_request.view", pupil=pupil,
                              upn=pupil.upn, school=pupil.school)
    stranger = _staff("riverside", Role.DSL, "DSL", school=other_la_school)
    AuditEvent.objects.create(user=stranger, username="riverside", action="pupil.view", school=other_la_school)
    client.force_login(_manager(la))
    page = client.get("/la/873/audit/").content.decode()
    assert "pn_request.view" in page, page
    assert "riverside" not in page
    assert client.get("/la/312/audit/").status_code == 404


# --- the governor's figures -------------------------------------------------------------------------------------


def test_the_governor_sees_the_schools_figures_and_no_pupil(client, school, pupil):
    from cases.models import AttendanceSnapshot

    other = factories.PupilFactory(school=school, surname="Zebedee")
    common = {"as_of": dt.date(2026, 11, 26), "unauthorised_in_window": 0, "pn_threshold_met": False,
              "pending_n_sessions": 0, "stale_n_sessions": 0, "illness_sessions": 0, "sickness_return_due": False,
              "unexplained_run_sessions": 0, "cme_risk": False, "late_marks_recent": 0, "lateness_concern": False,
              "severe_absence": False}
    AttendanceSnapshot.objects.create(pupil=pupil, possible_sessions=100, attended_sessions=85,
                                      attendance_pct=85, persistent_absence=True, **common)
    AttendanceSnapshot.objects.create(pupil=other, possible_sessions=100, attended_sessions=99,
                                      attendance_pct=99, persistent_absence=False, **common)
    governor = _staff("governor", Role.GOVERNOR, "Chair of Governors", school=school)
    client.force_login(governor)
    assert client.get("/").url == "/schools/123456/figures/"
    page = client.get("/schools/123456/figures/").content.decode()
    assert "92.0%" in page and "50.0%" in page  # attendance 184/200; persistent absence 1 of 2
    assert "Hughes" not in page and "Zebedee" not in page
    for path in ("/schools/123456/pupils/", f"/pupils/{pupil.upn}/", "/schools/123456/alerts/",
                 "/schools/123456/caseload/", "/schools/123456/adjustments/", f"/pupils/{pupil.upn}/register/amend/",
                 "/schools/123456/register/stale-n/"):
        assert client.get(path).status_code == 403, path

