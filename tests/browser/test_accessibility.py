"""Every screen each role of the demo can open passes the accessibility checks a machine can make.

The demo authority is seeded as the product seeds it (`seed_demo --pupils 400`, plus the records a small demo
lacks, as tests/test_every_route.py does, and one meeting still to be held), then the dsl, the senco, the head and
the LA officer each sign in and open every GET route of the URL configuration, its parameters filled with Fenbridge
Academy's own records (the DSL also opens every Fenbridge case, and the pupil's pages of a case at each stage:
the sections shown depend on the case). A route that answers 403, 404 or 405 to a role is not one of its screens
(the first 403 and 404 pages are checked once, as pages); a redirect lands on a screen visited in its own right;
PDFs and CSVs are not pages. On each screen, in Chromium, once GOV.UK Frontend's CSS and JavaScript have run:

- one h1, and heading levels that never skip a level going down (an h2 before the h1 is the GOV.UK error summary's
  and notification banner's pattern, so the walk starts as if after an h1);
- every id unique, and every id that aria-describedby, aria-labelledby, aria-controls, label[for] or an in-page
  link names exists;
- every form control (not hidden or a button; those in a closed conditional reveal too) has an accessible name,
  and every group of radios, or of checkboxes sharing a name, is a fieldset with a legend;
- every link and button has an accessible name;
- every table has a caption (or an aria name) and header cells;
- <html lang> is set; the <title> holds the h1's text; no tabindex above 0; one <main>; every <img> has alt;
- error messages come with an error summary, the title then starts "Error: ", each message is in its field's
  aria-describedby and each summary link leads to a field.

Each screen whose one form has fields is then sent back empty, once: the page with its errors is checked the same
way, and its error summary must have the focus.

One seeded database serves the four roles: one test, the failures of every role and page listed together. The
first test shows the checks catch each of those failures, on a page made to fail them.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest

from tests.browser.conftest import sign_in
from tests.test_every_route import PUBLIC, _kwargs_for, _routes, _top_up

pytestmark = [pytest.mark.browser]

DEMO_PASSWORD = "attendance-demo-2026"
ROLES = ["dsl", "senco", "head", "la_officer"]
NOT_PAGES = (".pdf", ".csv")
MAX_SHOTS = 12

CHECKS = r"""
() => {
  const failures = [];
  const snippet = (el) => {
    const html = el.outerHTML.replace(/\s+/g, ' ');
    const open = html.slice(0, html.indexOf('>') + 1) || html;
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim();
    return (open.length > 160 ? open.slice(0, 157) + '...' : open) + (text ? ` "${text.slice(0, 60)}"` : '');
  };
  const fail = (rule, el) => failures.push({rule, element: el ? snippet(el) : ''});
  const text = (el) => {  // the text a screen reader reads: aria-hidden parts are not
    let out = '';
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) out += child.textContent;
        else if (child.nodeType === Node.ELEMENT_NODE && child.getAttribute('aria-hidden') !== 'true'
                 && !['SCRIPT', 'STYLE', 'TEMPLATE'].includes(child.tagName)) walk(child);
      }
    };
    walk(el);
    return out.replace(/\s+/g, ' ').trim();
  };
  const inert = (el) => el.closest('[hidden], [aria-hidden="true"], template') !== null;
  const byIds = (value) => (value || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id));
  const labelledByName = (el) =>
    byIds(el.getAttribute('aria-labelledby')).filter(Boolean).map(text).join(' ').trim();
  const ariaName = (el) => (el.getAttribute('aria-label') || '').trim() || labelledByName(el);

  // The document
  if (!(document.documentElement.getAttribute('lang') || '').trim()) fail('html has no lang', null);
  const title = document.title.replace(/\s+/g, ' ').trim();
  const h1s = [...document.querySelectorAll('h1')];
  if (h1s.length !== 1) fail(`${h1s.length} h1 elements, not one`, h1s[1] || null);
  if (!title) fail('the title is empty', null);
  else if (h1s.length && !title.toLowerCase().includes(text(h1s[0]).toLowerCase()))
    fail(`the title "${title}" does not hold the h1's text`, h1s[0]);
  const mains = document.querySelectorAll('main, [role="main"]');
  if (mains.length !== 1) fail(`${mains.length} main landmarks, not one`, null);

  // Headings in document order
  let previous = 1;
  for (const heading of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    if (inert(heading)) continue;
    const level = Number(heading.tagName[1]);
    if (!text(heading)) fail('empty heading', heading);
    if (level > previous + 1) fail(`heading level skipped: h${previous} then h${level}`, heading);
    previous = level;
  }

  // Ids, and the ids other attributes point at
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) {
    if (!el.id.trim()) { fail('empty id', el); continue; }
    if (seen.has(el.id)) fail(`duplicate id "${el.id}"`, el); else seen.set(el.id, el);
  }
  for (const attribute of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
    for (const el of document.querySelectorAll(`[${attribute}]`)) {
      for (const id of el.getAttribute(attribute).split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) fail(`${attribute} points at missing id "${id}"`, el);
      }
    }
  }
  for (const label of document.querySelectorAll('label[for]')) {
    const target = document.getElementById(label.htmlFor);
    if (!target) fail(`label for="${label.htmlFor}" points at a missing id`, label);
    else if (!target.matches('input, select, textarea, button, meter, output, progress'))
      fail(`label for="${label.htmlFor}" points at a ${target.tagName.toLowerCase()}, not a form control`, label);
  }
  for (const link of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(link.getAttribute('href').slice(1));
    if (id && !document.getElementById(id)) fail(`in-page link to missing id "${id}"`, link);
  }

  // Form controls
  const controls = document.querySelectorAll(
    'input:not([type="hidden"]):not([type="submit"]):not([type="button"]):not([type="reset"]):not([type="image"]),'
    + ' select, textarea');
  const groups = new Map();
  for (const control of controls) {
    if (inert(control)) continue;
    const labels = [...(control.labels || [])].map(text).join(' ').trim();
    if (!labels && !ariaName(control)) fail('form control without an accessible name', control);
    if (control.type === 'radio' || control.type === 'checkbox') {
      const key = `${control.form ? [...document.forms].indexOf(control.form) : -1}|${control.name}`;
      groups.set(key, [...(groups.get(key) || []), control]);
    }
  }
  for (const members of groups.values()) {
    if (members.length < 2 && members[0].type === 'checkbox') continue; // a lone checkbox needs no group
    const first = members[0];
    const fieldset = first.closest('fieldset');
    const legend = fieldset && fieldset.querySelector(':scope > legend');
    const group = first.closest('[role="group"], [role="radiogroup"]');
    if (!(legend && text(legend)) && !(group && ariaName(group)))
      fail(`${first.type}es named "${first.name}" are not in a fieldset with a legend`.replace('radioes', 'radios'),
           first);
    else if (fieldset && members.some((member) => member.closest('fieldset') !== fieldset))
      fail(`${first.type} group "${first.name}" is split across fieldsets`, first);
  }

  // Links and buttons
  const interactive = document.querySelectorAll(
    'a[href], button, input[type="submit"], input[type="button"], input[type="reset"], [role="button"], [role="link"]');
  for (const el of interactive) {
    if (inert(el)) continue;
    const images = [...el.querySelectorAll('img[alt], svg[aria-label], svg title')]
      .map((img) => img.getAttribute('alt') || img.getAttribute('aria-label') || img.textContent).join('').trim();
    const value = el.tagName === 'INPUT' ? (el.value || '').trim() : '';
    if (!text(el) && !ariaName(el) && !images && !value) fail(`${el.tagName.toLowerCase()} without an accessible name`, el);
  }

  // Tables
  for (const table of document.querySelectorAll('table')) {
    if (['presentation', 'none'].includes(table.getAttribute('role'))) continue;
    const caption = table.querySelector(':scope > caption');
    if (!(caption && text(caption)) && !ariaName(table)) fail('table without a caption or an accessible name', table);
    if (!table.querySelector('th')) fail('table without header cells (th)', table);
  }

  // Errors: a summary whenever there are messages, the title says so, each message tied to its field
  const summary = document.querySelector('.govuk-error-summary');
  const messages = [...document.querySelectorAll('.govuk-error-message')].filter((el) => !inert(el));
  if (messages.length && !summary) fail('error messages without an error summary', messages[0]);
  if (summary && !title.startsWith('Error: ')) fail(`an error summary, but the title "${title}" does not start "Error: "`, null);
  if (summary) {
    for (const link of summary.querySelectorAll('a[href^="#"]')) {
      const target = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
      if (target && !target.matches('input, select, textarea, button, form'))
        fail(`error summary link points at a ${target.tagName.toLowerCase()}, not the field`, link);
    }
  }
  for (const message of messages) {
    if (!message.id) { fail('error message without an id', message); continue; }
    const group = message.closest('.govuk-form-group') || message.parentElement;
    const described = [...group.querySelectorAll('[aria-describedby]')];
    if (group.closest('[aria-describedby]')) described.push(group.closest('[aria-describedby]'));
    if (!described.some((el) => el.getAttribute('aria-describedby').split(/\s+/).includes(message.id)))
      fail(`error message "${message.id}" is not in any field's aria-describedby`, message);
  }

  // Focus order and images
  for (const el of document.querySelectorAll('[tabindex]')) {
    if (Number(el.getAttribute('tabindex')) > 0) fail(`tabindex="${el.getAttribute('tabindex')}" above 0`, el);
  }
  for (const img of document.querySelectorAll('img:not([alt])')) fail('img without alt', img);
  return failures;
}
"""

# A screen whose one form posts and has fields: sent empty, it should come back with its errors.
FORM_SCREEN = """() => {
  const forms = [...document.querySelectorAll('main form')].filter((form) => form.method === 'post');
  return forms.length === 1 && forms[0].querySelector(
    'input:not([type="hidden"]):not([type="submit"]):not([type="button"]), select, textarea') !== null;
}"""

SUBMIT_EMPTY = """() => {
  const form = [...document.querySelectorAll('main form')].find((form) => form.method === 'post');
  for (const el of form.elements) {
    if (el.tagName === 'BUTTON' || ['hidden', 'submit', 'button', 'reset'].includes(el.type)) continue;
    if (el.type === 'radio' || el.type === 'checkbox') el.checked = false;
    else if (el.tagName === 'SELECT') el.selectedIndex = -1;
    else el.value = '';
  }
  form.noValidate = true;
  form.requestSubmit(form.querySelector('button[type="submit"], button:not([type]), input[type="submit"]'));
}"""

SUMMARY_HAS_FOCUS = "() => document.activeElement?.closest('.govuk-error-summary') != null"


BROKEN = """<!DOCTYPE html>
<html><head><title></title></head><body>
<h2>Before</h2><h4>Skipped</h4>
<main><main>
<p id="twice">one</p><p id="twice">two</p>
<input type="text" id="nameless" aria-describedby="nowhere">
<label for="ghost">Ghost</label>
<input type="radio" name="choice" id="r1"><label for="r1">A</label>
<input type="radio" name="choice" id="r2"><label for="r2">B</label>
<a href="/x"></a><a href="/y"><span aria-hidden="true">&rsaquo;</span></a><button><span></span></button>
<a href="#missing">Jump</a>
<table><tr><td>cell</td></tr></table>
<div tabindex="2">focus me first</div>
<img src="data:,">
</main></main></body></html>"""

GOOD = """<!DOCTYPE html>
<html lang="en-GB"><head><title>Error: Record the meeting – Attendance casework</title></head><body>
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<main id="main-content">
<div class="govuk-error-summary"><h2>There is a problem</h2><a href="#when-day">Enter the day</a></div>
<h1>Record the meeting</h1><h2>Who came</h2><h3>Parents</h3><h2>Notes</h2>
<form><fieldset><legend>Did Ann attend?</legend>
<input type="radio" name="a" id="a-yes"><label for="a-yes">Yes</label>
<input type="radio" name="a" id="a-no"><label for="a-no">No</label></fieldset>
<label for="when-day">Day</label><input id="when-day" aria-describedby="when-hint"><p id="when-hint">For example</p>
<input type="checkbox" id="confirm" name="confirm"><label for="confirm">I confirm</label>
<textarea aria-label="Notes"></textarea><select aria-labelledby="when-hint"><option>1</option></select>
<input type="hidden" name="csrf"><button>Save<span class="govuk-visually-hidden"> the meeting</span></button>
<a href="/x"><svg role="img" aria-label="Home"></svg></a></form>
<table><caption>Actions</caption><tr><th>Action</th></tr><tr><td>Call</td></tr></table>
</main></body></html>"""

BROKEN_ERRORS = """<!DOCTYPE html>
<html lang="en-GB"><head><title>Record the meeting – Attendance casework</title></head><body><main>
<div class="govuk-error-summary"><h2>There is a problem</h2><a href="#where-group">Enter where</a></div>
<h1>Record the meeting</h1>
<div class="govuk-form-group govuk-form-group--error" id="where-group"><label for="where">Where</label>
<p class="govuk-error-message" id="where-error">Enter where</p><input id="where"></div>
<div class="govuk-form-group"><p class="govuk-error-message">Enter when</p></div>
</main></body></html>"""


def test_the_checks_find_each_failure_and_pass_good_govuk_markup(page):
    page.set_content(BROKEN)
    rules = [failure["rule"] for failure in page.evaluate(CHECKS)]
    expected = [
        "html has no lang", "0 h1 elements, not one", "the title is empty", "2 main landmarks, not one",
        "heading level skipped: h2 then h4", 'duplicate id "twice"', 'aria-describedby points at missing id "nowhere"',
        'label for="ghost" points at a missing id', 'in-page link to missing id "missing"',
        "form control without an accessible name", 'radios named "choice" are not in a fieldset with a legend',
        "a without an accessible name", "a without an accessible name", "button without an accessible name",
        "table without a caption or an accessible name", "table without header cells (th)",
        'tabindex="2" above 0', "img without alt",
    ]
    assert sorted(rules) == sorted(expected)

    page.set_content(BROKEN_ERRORS)
    assert sorted(failure["rule"] for failure in page.evaluate(CHECKS)) == sorted([
        'an error summary, but the title "Record the meeting – Attendance casework" does not start "Error: "',
        "error summary link points at a div, not the field", "error message without an id",
        'error message "where-error" is not in any field\'s aria-describedby',
    ])
    page.set_content(BROKEN_ERRORS.replace('<div class="govuk-error-summary">', '<div>'))
    assert "error messages without an error summary" in [failure["rule"] for failure in page.evaluate(CHECKS)]

    page.set_content(GOOD)
    assert page.evaluate(CHECKS) == []
    page.set_content(GOOD.replace("<title>Error: Record the meeting", "<title>Error: Meeting"))
    assert [f["rule"] for f in page.evaluate(CHECKS)] == [
        "the title \"Error: Meeting – Attendance casework\" does not hold the h1's text"]


def _seed_demo(monkeypatch) -> tuple[dict, dict, list[tuple]]:
    """Seeds the demo authority. Returns one record of each kind the routes name, all Fenbridge Academy's (the
    demo's own where it has one, else the bare row _top_up adds); the records some routes need in a particular
    state; and the records the DSL's extra screens are about (every Fenbridge case)."""
    import time_machine
    from django.core.management import call_command

    from cases.models import Case, CaseState, CodeOfConduct, PenaltyNoticeIssuer
    from interventions.models import LeaveDecision, LeaveOfAbsenceRequest
    from meetings import services as meeting_services
    from meetings.models import AttendeeRole, Meeting, MeetingKind
    from tests.test_every_route import OWN_SCHOOL_URN, _demo_records

    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with time_machine.travel(dt.datetime(2026, 11, 26, 18, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo", "--pupils", "400", "--from", "2026-09-01", "--as-of", "2026-11-26",
                     stdout=StringIO(), stderr=StringIO())
        seeded = _demo_records()
        _top_up()
        # The school's drafting and issuing screens open only where the LA's code of conduct leaves issuing to
        # the school (the demo's has the LA issue): open them too.
        CodeOfConduct.objects.filter(local_authority__code="873").update(pn_issued_by=PenaltyNoticeIssuer.SCHOOL)
        # Every meeting of the demo has been held: one still to come, so that recording it is a screen.
        cases = Case.objects.filter(school__urn=OWN_SCHOOL_URN).select_related("pupil").order_by("pk")
        case = next(c for c in cases if c.is_open and c.pupil.parent_links.exists())
        dsl = case.school.staff.get(user__username="dsl").user
        planned = meeting_services.meeting_plan(
            case=case, kind=MeetingKind.ATTENDANCE, starts_at=dt.datetime(2026, 12, 3, 15, 30, tzinfo=dt.UTC),
            location="Meeting room 2", parents=[link.parent for link in case.pupil.parent_links.all()],
            pupil_attends=True, others=[meeting_services.OtherAttendee(role=AttendeeRole.STAFF, name="Kiran Patel")],
            by=dsl,
        )
    records = {model: seeded[model] or record for model, record in _demo_records().items()}
    with_no_open_case = next(c for c in cases.filter(state=CaseState.CLOSED)
                             if not Case.objects.filter(pupil=c.pupil).exclude(state=CaseState.CLOSED).exists())
    pending_leave = LeaveOfAbsenceRequest.objects.filter(
        pupil__school__urn=OWN_SCHOOL_URN, decision=LeaveDecision.PENDING).order_by("pk").first()
    in_state = {
        "meetings:record": {Meeting: planned}, "meetings:cancel": {Meeting: planned},
        "case_open": {Case: with_no_open_case},
        "interventions:leave_request_decide": {LeaveOfAbsenceRequest: pending_leave or records[LeaveOfAbsenceRequest]},
    }
    one_a_stage = {c.state: c for c in reversed(cases)}.values()
    extras = ([(("case_detail",), {Case: c}) for c in cases]
              + [(("pupil_detail", "interventions:pupil_interventions"), {Case: c}) for c in one_a_stage]
              + [(("case_chronology", "case_meetings", "case_support", "case_notices", "case_documents"), {Case: c})
                 for c in one_a_stage]
              + [(("meetings:detail",), {Meeting: planned})])
    return records, in_state, extras


def _fill(name: str, route: str, records: dict) -> str:
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
    path = "/" + route
    for param, value in _kwargs_for(name, params, records).items():
        path = re.sub(rf"<(?:\w+:)?{param}>", str(value), path)
    return path


def _screens(records: dict, in_state: dict, extras: list[tuple]) -> dict[str, list[tuple[str, str]]]:
    """For each role, (route name, path) of every route a GET could open as a page, filled with demo records."""
    from django.urls import get_resolver

    missing = sorted(model.__name__ for model, record in records.items() if record is None)
    assert not missing, f"the demo has none of: {missing}"
    routes = [(name, route) for name, route in _routes(get_resolver().url_patterns)
              if name not in PUBLIC and not route.endswith(NOT_PAGES)]
    everyone = [(name, _fill(name, route, {**records, **in_state.get(name, {})})) for name, route in routes]
    more = [(name, _fill(name, route, {**records, **extra})) for names, extra in extras for name, route in routes
            if name in names]
    screens = dict.fromkeys(ROLES, everyone)
    screens["dsl"] = list(dict.fromkeys(everyone + more))
    return screens


def _open(page, url: str, refusals: set[int]) -> bool:
    """Opens the page; False if it is not one of the role's screens (a refusal, a redirect, not a page). The
    first 403 and 404 pages met are opened all the same, and their status added to ``refusals``: those pages,
    one template each, are screens too."""
    response = page.request.get(url, max_redirects=0)
    if response.status in (403, 404) and response.status not in refusals:
        refusals.add(response.status)
        page.goto(url, wait_until="domcontentloaded")
        return True
    if response.status in (403, 404, 405) or 300 <= response.status < 400:
        return False
    assert response.status == 200, f"GET {url} answered {response.status}"
    if not response.headers.get("content-type", "").startswith("text/html"):
        return False
    page.goto(url, wait_until="domcontentloaded")  # GOV.UK Frontend's module script has run by then
    return True


def _send_empty(page) -> int:
    with page.expect_navigation(wait_until="domcontentloaded") as navigation:
        page.evaluate(SUBMIT_EMPTY)
    return navigation.value.status if navigation.value else 200


@pytest.mark.django_db(transaction=True)
def test_every_screen_of_every_role_passes_the_accessibility_checks(live_server, browser, shoot, monkeypatch):
    screens = _screens(*_seed_demo(monkeypatch))
    failures, checked, with_errors, sent_empty, refusals, shots = [], {}, {}, set(), set(), 0

    def report(page, role: str, where: str, found: list[dict]) -> None:
        nonlocal shots
        failures.extend(f"{role:<10} {where}\n    {failure['rule']}"
                        + (f"\n    {failure['element']}" if failure["element"] else "") for failure in found)
        if found and shots < MAX_SHOTS:
            page.wait_for_load_state("load")
            shoot(page, f"a11y-{role}-{re.sub(r'[^a-z0-9]+', '-', where.split(' (')[0].lower()).strip('-')}")
            shots += 1

    for role in ROLES:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        page = context.new_page()
        checked[role], with_errors[role] = [], []
        try:
            sign_in(page, live_server, role, DEMO_PASSWORD)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            shoot(page, f"a11y-{role}-start")
            for name, path in [*screens[role], ("(no route)", "/no-such-page/")]:
                if not _open(page, live_server.url + path, refusals):
                    continue
                checked[role].append(name)
                report(page, role, f"{path} ({name})", page.evaluate(CHECKS))
                # A screen whose one form has fields, sent back empty (once, by the first role to reach it):
                # the page with its errors passes the checks too, and GOV.UK Frontend's error summary takes
                # the focus, as it does when its markup is right. A form that asks for nothing just does its job.
                if path in sent_empty or not page.evaluate(FORM_SCREEN):
                    continue
                sent_empty.add(path)
                status = _send_empty(page)
                if status >= 500:
                    failures.append(f"{role:<10} POST {path} ({name}) sent empty\n    answered {status}")
                if status != 200 or not page.locator(".govuk-error-summary").count():
                    continue
                with_errors[role].append(name)
                found = page.evaluate(CHECKS)
                if not page.evaluate(SUMMARY_HAS_FOCUS):
                    found.append({"rule": "the error summary does not have the focus", "element": ""})
                report(page, role, f"POST {path} ({name}) sent empty", found)
        finally:
            context.close()

    # The walk reached each role's screens: a sign-in that failed, or records that 404, would check nothing.
    assert {"case_detail", "case_open", "pupil_detail", "school_caseload", "meetings:detail", "meetings:record",
            "penalty_notices:draft", "interventions:support_plan_detail"} <= set(checked["dsl"]), checked["dsl"]
    assert checked["dsl"].count("case_detail") > 10
    assert checked["dsl"].count("case_notices") > 3 and checked["dsl"].count("case_chronology") > 3
    assert {"interventions:adjustment_register", "interventions:adjustment_create"} <= set(checked["senco"])
    assert {"case_detail", "school_caseload", "interventions:leave_request_decide"} <= set(checked["head"])
    assert {"la_overview", "pn_requests:la_inbox", "pn_requests:la_detail", "referrals:la_detail",
            "penalty_notices:la_notice", "penalty_notices:register"} <= set(checked["la_officer"])
    assert {"meetings:record", "interventions:adjustment_create", "notices:nti_issue"} <= set(with_errors["dsl"])
    assert "penalty_notices:past_new" in with_errors["la_officer"]
    assert refusals == {403, 404}
    summary = ", ".join(f"{role} {len(names)} (+{len(with_errors[role])} with errors)" for role, names in checked.items())
    assert not failures, f"{len(failures)} accessibility failures on the screens checked ({summary}):\n" + "\n".join(
        failures)
