"""The evidence bundle for the local authority (domain.md 3.6): one PDF of everything a referral rests on.

Cover sheet, attendance and the threshold calculation, the register for the offence period with its
amendments, the chronology, support and engagement, meetings, reasonable adjustments and the notices
with their service and payment. It is generated on demand and kept like every letter: an immutable,
hashed, versioned ``Letter`` addressed to the LA, with the JSON summary it was rendered from.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from cases import rules
from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import Case, CaseEvent, EventKind, PenaltyNoticeConsideration
from cases.permissions import can_move_case, require
from cases.scan import offence_periods
from cases.selectors import pupil_amendments, pupil_marks, pupil_parents
from cases.services.chronology import case_event_record
from notices.letters import VERSION_RETRIES, json_faithful, render_pdf
from notices.models import Letter, NoticeToImprove, PenaltyNotice, PenaltyNoticeState
from notices.services.nti import code_meaning

BUNDLE_TEMPLATE = "bundles/evidence_bundle.html"
BUNDLE_TITLE = "Evidence bundle"
# With no notice on record the bundle shows the last 10 school weeks: the national threshold's window.
DEFAULT_PERIOD_SCHOOL_WEEKS = rules.PN_THRESHOLD_SCHOOL_WEEKS
SECURITY_MARKING = "OFFICIAL-SENSITIVE"  # Government Security Classifications: personal data about a child

# The bundle's sections in order; each is an <h1>, so a PDF bookmark and a line of the contents.
SECTIONS = (
    ("cover", "Cover sheet"),
    ("attendance", "Attendance summary and the threshold calculation"),
    ("register", "The register for the offence period"),
    ("chronology", "Chronology of contact and action"),
    ("support", "Support offered and the parents' engagement"),
    ("meetings", "Meetings and their notes"),
    ("adjustments", "Reasonable adjustments considered (Equality Act 2010, s20)"),
    ("notices", "Notices, their service and payment"),
)
SECTION_NUMBER = {key: number for number, (key, _) in enumerate(SECTIONS, start=1)}

EVIDENCE_REFERENCE = re.compile(r"^(?P<kind>[a-z_]+):(?P<pk>\d+)$")
# Record references on the chronology, as the bundle's reader finds them: the record and its section.
EVIDENCE_SECTIONS = {
    "meeting": ("Meeting record", "meetings"),
    "support_plan": ("Support plan", "support"),
    "action": ("Agreed action", "support"),
    "contract": ("Attendance contract", "support"),
    "early_help": ("Early help record", "support"),
    "part_time": ("Part-time timetable", "support"),
    "la_notification": ("Notification to the LA", "adjustments"),
    "adjustment": ("Reasonable adjustment", "adjustments"),
    "penalty_notice": ("Penalty notice", "notices"),
    "leave_request": ("Leave of absence request", "chronology"),
}


class BundleRefused(DomainError):
    """The bundle cannot be made as asked (e.g. an offence period that ends before it starts)."""


def bundle_subject_key(case: Case) -> str:
    return f"bundle:case:{case.pk}"


def case_reference(case: Case) -> str:
    """How the bundle names the case: the school's URN and the case number."""
    return f"{case.school.urn}/{case.pk:05d}"


def latest_bundle(*, case: Case) -> Letter | None:
    return (
        Letter.objects.filter(case=case, subject_key=bundle_subject_key(case), template=BUNDLE_TEMPLATE)
        .order_by("-version")
        .first()
    )


# --- small formatting helpers ------------------------------------------------------------------------


def _person(user) -> dict:
    if user is None:
        return {"name": "The system (scheduled task)", "position": ""}
    profile = getattr(user, "staff", None)
    return {"name": user.get_full_name() or user.get_username(), "position": profile.position if profile else ""}


def _local(at: datetime) -> datetime:
    return timezone.localtime(at) if timezone.is_aware(at) else at


def _money(amount) -> str:
    return "" if amount is None else f"£{amount:,.2f}"


# --- the offence period ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OffencePeriodChoice:
    start: date
    end: date
    source: str  # why these dates, in words


def offence_period_default(*, case: Case, marks: list[rules.Mark], today: date) -> OffencePeriodChoice:
    """The latest penalty notice's offence period, else the latest notice to improve's, else the last 10
    school weeks of the register (a withdrawn notice is treated as never issued)."""
    notice = (
        case.penalty_notices.filter(offence_from__isnull=False)
        .exclude(state=PenaltyNoticeState.WITHDRAWN)
        .order_by("-issued_on", "-created_at", "-pk")
        .first()
    )
    if notice is not None:
        return OffencePeriodChoice(notice.offence_from, notice.offence_to,
                                   f"the offence period of penalty notice {notice.reference}")
    nti = case.notices_to_improve.order_by("-issued_on", "-pk").first()
    if nti is not None:
        return OffencePeriodChoice(nti.offence_from, nti.offence_to,
                                   f"the offence period of the notice to improve issued on {long_date(nti.issued_on)}")
    weeks = sorted({rules.week_start(d) for d, _, code in marks if code != rules.CLOSURE_CODE})
    recent = weeks[-DEFAULT_PERIOD_SCHOOL_WEEKS:]
    start = recent[0] if recent else today - timedelta(weeks=DEFAULT_PERIOD_SCHOOL_WEEKS)
    return OffencePeriodChoice(start, today, f"the last {DEFAULT_PERIOD_SCHOOL_WEEKS} school weeks (no notice on record)")


# --- the sections ------------------------------------------------------------------------------------


def _cover(case: Case, period: OffencePeriodChoice, by, now: datetime) -> dict:
    pupil, school = case.pupil, case.school
    return {
        "reference": case_reference(case),
        "local_authority": {"name": school.local_authority.name, "code": school.local_authority.code},
        "school": {"name": school.name, "urn": school.urn, "address": school.address},
        "pupil": {
            "name": f"{pupil.forename} {pupil.surname}", "upn": pupil.upn, "date_of_birth": pupil.date_of_birth,
            "year_group": pupil.get_year_group_display(), "sen_status": pupil.get_sen_status_display(),
        },
        "parents": [
            {"name": f"{link.parent.forename} {link.parent.surname}", "relationship": link.relationship,
             "parental_responsibility": link.parental_responsibility, "lives_with_pupil": link.lives_with_pupil,
             "address": link.parent.address}
            for link in pupil_parents(pupil=pupil)
        ],
        "opened_at": _local(case.opened_at), "opened_by": _person(case.opened_by), "opening_reason": case.opening_reason,
        "stage": case.get_state_display(), "stage_entered_at": _local(case.stage_entered_at),
        "outcome": case.get_outcome_display() if case.outcome else "",
        "offence_from": period.start, "offence_to": period.end, "offence_source": period.source,
        "generated_by": _person(by), "generated_at": _local(now),
    }


def _attendance(case: Case, marks, period: OffencePeriodChoice, conduct: rules.Conduct, today: date) -> dict:
    pupil = case.pupil
    periods = offence_periods([pupil.pk]).get(pupil.pk, [])
    # Notices whose periods end before this offence period are "earlier": their sessions never count again.
    # The notices of this period itself are what the calculation supports, so they are not excluded.
    earlier = [p for p in periods if p.end < period.start]
    labels = _notice_periods(pupil)
    as_of = min(period.end, today)
    window = threshold_window_since(marks, as_of=as_of, conduct=conduct, covered=earlier, since=period.start)
    school_weeks = sorted({rules.week_start(d) for d, _, code in marks if code != rules.CLOSURE_CODE})
    number = {week: n for n, week in enumerate(school_weeks, start=1)}
    year = rules.measure(marks, as_of=today, conduct=conduct, covered=periods)
    year_start = rules.academic_year_start(today)
    in_year = [m for m in marks if year_start <= m[0] <= today]
    in_period = [m for m in marks if period.start <= m[0] <= period.end]
    counted = [
        {"date": d, "session": rules.SESSION_NAMES[s], "code": code, "meaning": code_meaning(code),
         "school_week": number[rules.week_start(d)], "week_commencing": rules.week_start(d)}
        for d, s, code in window
    ]
    return {
        "rule": f"{conduct.threshold_sessions} sessions coded {', '.join(sorted(conduct.threshold_codes))} "
                f"within a rolling {conduct.threshold_school_weeks} school weeks",
        "year": {
            "start": year_start, "as_of": today, "possible": year.possible_sessions, "attended": year.attended_sessions,
            "absent": year.possible_sessions - year.attended_sessions, "attendance_pct": year.attendance_pct,
            "unauthorised": _unauthorised(in_year), "persistent": year.persistent_absence,
            "severe": year.severe_absence,
        },
        "period": _period_counts(in_period),
        "threshold_sessions": conduct.threshold_sessions,
        "threshold_weeks_back": conduct.threshold_school_weeks - 1,
        "threshold_as_of": as_of,
        "first_met": window[-1][0] if window else None,
        "window_from_week": counted[0]["school_week"] if counted else None,
        "window_to_week": counted[-1]["school_week"] if counted else None,
        "window_from": counted[0]["week_commencing"] if counted else None,
        "counted": counted,
        "first_school_week": school_weeks[0] if school_weeks else None,
        "excluded": [{"start": p.start, "end": p.end, "notices": labels.get((p.start, p.end), [])} for p in earlier],
    }


def threshold_window_since(
    marks: list[rules.Mark], *, as_of: date, conduct: rules.Conduct, covered: list[rules.OffencePeriod], since: date
) -> list[rules.Mark]:
    """The counted sessions of the window in which the threshold was first met on or after ``since``.

    Pure. As ``notices.services.nti.threshold_window`` but from the offence period's first day rather than
    the academic year's: the window ends with the session at which ``rules.threshold_first_met`` says the
    threshold was reached and opens ``threshold_school_weeks - 1`` school weeks before its week; counted
    sessions before the offence period stay in it when no earlier notice covered them (domain.md 2). A
    counted session later on the same date as the one that reached the threshold is listed too, as the
    notice to improve lists it.
    """
    first_met = rules.threshold_first_met(marks, as_of=as_of, conduct=conduct, covered=covered, since=since)
    if first_met is None:
        return []
    marks = [mark for mark in marks if mark[0] <= as_of]
    school_weeks = sorted({rules.week_start(d) for d, _, code in marks if code != rules.CLOSURE_CODE})
    number = {week: n for n, week in enumerate(school_weeks)}
    opens = number[rules.week_start(first_met)] - (conduct.threshold_school_weeks - 1)
    counted = [
        (d, session, code) for d, session, code in marks
        if code in conduct.threshold_codes and number[rules.week_start(d)] >= opens and d <= first_met
        and not any(period.start <= d <= period.end for period in covered)
    ]
    return counted


def _unauthorised(marks) -> int:
    return sum(1 for _, _, code in marks if rules.CATEGORY.get(code) is rules.Category.UNAUTHORISED)


def _period_counts(marks) -> dict:
    possible = sum(1 for _, _, code in marks if code not in rules.NOT_COUNTED_CODES)
    attended = sum(1 for _, _, code in marks if code in rules.ATTENDED_CODES)
    return {"possible": possible, "attended": attended, "attendance_pct": rules.percent_one_place(attended, possible),
            "unauthorised": _unauthorised(marks)}


def _notice_periods(pupil) -> dict[tuple[date, date], list[str]]:
    found: dict[tuple[date, date], list[str]] = {}
    for nti in NoticeToImprove.objects.filter(case__pupil=pupil):
        found.setdefault((nti.offence_from, nti.offence_to), []).append(
            f"notice to improve issued {long_date(nti.issued_on)}")
    for pn in PenaltyNotice.objects.filter(pupil=pupil, offence_from__isnull=False).exclude(
            state=PenaltyNoticeState.WITHDRAWN):
        found.setdefault((pn.offence_from, pn.offence_to), []).append(f"penalty notice {pn.reference}")
    return found


def _register(case: Case, marks, counted: list[dict], period: OffencePeriodChoice) -> dict:
    amendments = list(pupil_amendments(pupil=case.pupil, since=period.start, until=period.end))
    amended = {(a.date, rules.SESSION_NAMES[a.session]) for a in amendments}
    in_window = {(c["date"], c["session"]) for c in counted}
    days: dict[date, dict] = {}
    for d, s, code in marks:
        if period.start <= d <= period.end:
            name = rules.SESSION_NAMES[s]
            days.setdefault(d, {"date": d, "AM": None, "PM": None})[name] = {
                "code": code, "meaning": code_meaning(code), "counted": (d, name) in in_window,
                "amended": (d, name) in amended,
            }
    return {
        "days": [days[d] for d in sorted(days)],
        "amendments": [
            {"date": a.date, "session": rules.SESSION_NAMES[a.session], "original": a.original_code,
             "original_meaning": code_meaning(a.original_code), "amended": a.amended_code,
             "amended_meaning": code_meaning(a.amended_code), "reason": a.reason, "at": _local(a.amended_at),
             "name": a.amended_by_name, "position": a.amended_by_position}
            for a in amendments
        ],
    }


def _chronology(case: Case) -> list[dict]:
    events = list(CaseEvent.objects.filter(case=case).select_related("by__staff").order_by("at", "id"))
    letter_ids = {int(m["pk"]) for e in events for entry in e.evidence
                  if (m := EVIDENCE_REFERENCE.match(str(entry))) and m["kind"] == "letter"}
    letters = {letter.pk: letter for letter in Letter.objects.filter(case=case, pk__in=letter_ids).select_related(
        "parent").defer("pdf", "context")}
    return [
        {"at": _local(e.at), "by": _person(e.by), "kind": e.get_kind_display(), "summary": e.summary, "reason": e.reason,
         "stage_change": (f"{e.get_from_state_display()} to {e.get_to_state_display()}"
                          if e.from_state and e.to_state else ""),
         "evidence": [_evidence_line(str(entry), letters) for entry in e.evidence]}
        for e in events
    ]


def _evidence_line(entry: str, letters: dict[int, Letter]) -> str:
    match = EVIDENCE_REFERENCE.match(entry)
    if match is None:
        return entry
    if match["kind"] == "letter":
        letter = letters.get(int(match["pk"]))
        if letter is None:
            return f"Letter {match['pk']}"
        to = str(letter.parent) if letter.parent else letter.recipient
        return (f"Letter “{letter.title}” to {to}, version {letter.version}, made {long_date(letter.generated_at)} "
                f"(SHA-256 {letter.sha256[:12]}…)")
    label, section = EVIDENCE_SECTIONS.get(match["kind"], (match["kind"].replace("_", " ").capitalize(), "chronology"))
    return f"{label} (section {SECTION_NUMBER[section]})"


def _support(case: Case) -> dict:
    from interventions.models import ContractStatus, PartTimeTimetable

    plans = case.support_plans.prefetch_related("actions").select_related("created_by__staff").order_by("created_at")
    contracts = list(case.contracts.prefetch_related("parties__parent").order_by("created_at"))
    return {
        "plans": [
            {"created_at": _local(p.created_at), "created_by": _person(p.created_by), "status": p.get_status_display(),
             "agreed_on": p.agreed_on, "review_on": p.review_on, "barriers": p.barriers, "outcome": p.outcome,
             "actions": [{"description": a.description, "owner": a.owner, "due_on": a.due_on,
                          "completed_on": a.completed_on} for a in sorted(p.actions.all(), key=lambda a: (a.due_on, a.pk))]}
            for p in plans
        ],
        "contracts": [
            {"starts_on": c.starts_on, "review_on": c.review_on, "status": c.get_status_display(),
             "status_changed_on": c.status_changed_on, "status_note": c.status_note,
             "school_commitments": c.school_commitments, "parent_commitments": c.parent_commitments,
             "not_kept": c.status in (ContractStatus.DECLINED, ContractStatus.BREACHED),
             "parties": [{"parent": str(party.parent), "response": party.get_response_display(),
                          "responded_on": party.responded_on} for party in c.parties.all()]}
            for c in contracts
        ],
        "early_help": [
            {"kind": h.get_kind_display(), "agency": h.agency, "started_on": h.started_on, "ended_on": h.ended_on,
             "family_consented": h.family_consented, "outcome": h.outcome}
            for h in case.early_help.order_by("started_on", "pk")
        ],
        "part_time": [
            {"agreed_hours": t.agreed_hours, "reason": t.reason, "agreed_on": t.agreed_with_parents_on,
             "starts_on": t.starts_on, "planned_end_on": t.planned_end_on, "ended_on": t.ended_on,
             "la_notified_of_start_on": t.la_notified_of_start_on, "la_notified_of_end_on": t.la_notified_of_end_on}
            for t in PartTimeTimetable.objects.filter(pupil=case.pupil).order_by("starts_on", "pk")
        ],
        "non_engagement": _non_engagement(case, contracts),
    }


def _non_engagement(case: Case, contracts) -> list[dict]:
    """Missed meetings, declined or broken contracts and the notes of non-engagement, oldest first."""
    from interventions.models import ContractStatus
    from meetings.models import AttendeeRole, MeetingAttendee, MeetingStatus

    found = [
        {"on": _local(a.meeting.starts_at).date(), "by": None,
         "what": f"{a.name} did not attend the {a.meeting.get_kind_display().lower()}"}
        for a in MeetingAttendee.objects.filter(meeting__case=case, meeting__status=MeetingStatus.HELD,
                                                role=AttendeeRole.PARENT, attended=False).select_related("meeting")
    ]
    found += [
        {"on": c.status_changed_on, "by": None,
         "what": f"Attendance contract {c.get_status_display().lower()}" + (f": {c.status_note}" if c.status_note else "")}
        for c in contracts if c.status in (ContractStatus.DECLINED, ContractStatus.BREACHED)
    ]
    for event in case.events.filter(kind=EventKind.NON_ENGAGEMENT).select_related("by__staff").order_by("at", "id"):
        # A note the meeting or contract service wrote about the same fact would only repeat it.
        if not any(line["what"] in event.summary for line in found):
            found.append({"on": _local(event.at).date(), "by": _person(event.by),
                          "what": event.summary + (f": {event.reason}" if event.reason else "")})
    return sorted(found, key=lambda line: line["on"] or date.min)


def _meetings(case: Case) -> list[dict]:
    from interventions.models import Action

    meetings = case.meetings.prefetch_related("attendees").select_related("recorded_by__staff").order_by("starts_at", "pk")
    actions: dict[int, list[Action]] = {}
    for action in Action.objects.filter(meeting__case=case).order_by("due_on", "pk"):
        actions.setdefault(action.meeting_id, []).append(action)
    return [
        {"kind": m.get_kind_display(), "starts_at": _local(m.starts_at), "location": m.location,
         "status": m.get_status_display(), "barriers": m.barriers_discussed, "working": m.what_is_working,
         "worries": m.what_we_are_worried_about, "next_steps": m.what_needs_to_happen, "notes": m.notes,
         "recorded_by": _person(m.recorded_by) if m.recorded_by else None,
         "recorded_at": _local(m.recorded_at) if m.recorded_at else None,
         "attendees": [{"name": a.name, "role": a.get_role_display(), "organisation": a.organisation,
                        "attended": a.attended} for a in m.attendees.all()],
         "actions": [{"description": a.description, "owner": a.owner, "due_on": a.due_on,
                      "completed_on": a.completed_on} for a in actions.get(m.pk, [])]}
        for m in meetings
    ]


def _adjustments(case: Case) -> dict:
    from interventions.models import AdjustmentReview, LANotification, NotificationKind, ReasonableAdjustment

    pupil = case.pupil
    return {
        "sen_status": pupil.get_sen_status_display(),
        "has_send": pupil.has_send,
        "adjustments": [
            {"area": a.get_area_display(), "description": a.description, "barrier": a.barrier,
             "agreed_with": a.agreed_with, "starts_on": a.starts_on, "review_on": a.review_on,
             "status": a.get_status_display(), "recorded_by": _person(a.recorded_by)}
            for a in ReasonableAdjustment.objects.filter(pupil=pupil).select_related("recorded_by__staff")
            .order_by("starts_on", "pk")
        ],
        "reviews": [
            {"reviewed_on": r.reviewed_on, "reviewed_by": _person(r.reviewed_by), "conclusion": r.conclusion}
            for r in AdjustmentReview.objects.filter(pupil=pupil).select_related("reviewed_by__staff")
            .order_by("reviewed_on", "pk")
        ],
        "ehc_notifications": [
            {"sent_on": n.sent_on, "details": n.details, "acknowledged_on": n.acknowledged_on}
            for n in LANotification.objects.filter(pupil=pupil, kind=NotificationKind.EHC_PLAN_CONCERN).order_by("sent_on")
        ],
        "equality_act": [
            {"recorded_at": _local(c.recorded_at), "recorded_by": _person(c.recorded_by),
             "text": c.equality_act_consideration}
            for c in _considerations(case)
        ],
    }


def _considerations(case: Case) -> list[PenaltyNoticeConsideration]:
    return list(case.pn_considerations.select_related("recorded_by__staff", "authorised_by__staff").order_by("recorded_at"))


def _notices(case: Case) -> dict:
    pupil = case.pupil
    ntis = NoticeToImprove.objects.filter(case__pupil=pupil).prefetch_related("parents").order_by("issued_on", "pk")
    pns = PenaltyNotice.objects.filter(pupil=pupil).select_related("parent").order_by("issued_on", "created_at", "pk")
    letters = (Letter.objects.filter(case=case).exclude(template=BUNDLE_TEMPLATE).select_related("parent")
               .defer("pdf", "context").order_by("generated_at", "pk"))
    return {
        "notices_to_improve": [
            {"issued_on": n.issued_on, "parents": [str(p) for p in n.parents.all()], "offence_from": n.offence_from,
             "offence_to": n.offence_to, "period_ends_on": n.improvement_period_ends_on,
             "sufficient_improvement": n.sufficient_improvement, "early_grounds": n.early_penalty_grounds,
             "outcome": n.get_outcome_display(), "outcome_recorded_on": n.outcome_recorded_on,
             "early_ground_invoked": n.early_ground_invoked, "this_case": n.case_id == case.pk}
            for n in ntis
        ],
        "penalty_notices": [
            {"reference": n.reference, "parent": str(n.parent), "status": n.get_state_display(),
             "needs_attention": n.state in (PenaltyNoticeState.UNPAID, PenaltyNoticeState.PROSECUTED),
             "sequence": n.sequence, "issued_on": n.issued_on, "received_on": n.received_on,
             "offence_from": n.offence_from, "offence_to": n.offence_to,
             "amount_full": _money(n.amount_full), "amount_reduced": _money(n.amount_reduced),
             "reduced_by": n.reduced_by, "full_by": n.full_by, "paid_on": n.paid_on, "paid_amount": _money(n.paid_amount),
             "withdrawn_on": n.withdrawn_on, "withdrawn_reason": n.withdrawn_reason, "referred_on": n.referred_on,
             "source": "Imported from the LA's records" if n.imported
             else ("This case" if n.case_id == case.pk else "An earlier case")}
            for n in pns
        ],
        "considerations": [
            {"recorded_at": _local(c.recorded_at), "recorded_by": _person(c.recorded_by),
             "threshold_first_met": c.threshold_first_met, "why": c.why_penalty_notice_is_the_best_tool,
             "alternatives": c.alternatives_considered,
             "authorised_by": _person(c.authorised_by) if c.authorised_by else None,
             "authorised_at": _local(c.authorised_at) if c.authorised_at else None}
            for c in _considerations(case)
        ],
        "letters": [
            {"title": letter.title, "to": str(letter.parent) if letter.parent else letter.recipient,
             "version": letter.version, "generated_at": _local(letter.generated_at), "sha256": letter.sha256[:12]}
            for letter in letters
        ],
    }


# --- the service -------------------------------------------------------------------------------------


def bundle_context(*, case: Case, by, offence_from: date | None = None, offence_to: date | None = None,
                   now: datetime | None = None) -> dict:
    """Everything the bundle shows, as plain values (dates stay dates): what the template renders and,
    in its JSON form, what the stored record keeps."""
    if (offence_from is None) != (offence_to is None):
        raise BundleRefused("Give both the first and the last date of the offence period, or neither.")
    if offence_from is not None and offence_to is not None and offence_from > offence_to:
        raise BundleRefused("The offence period must end on or after the day it starts.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    if offence_from is not None and offence_from > today:
        raise BundleRefused("The offence period cannot start after today.")
    pupil = case.pupil
    conduct = pupil.school.local_authority.conduct()
    # The pupil's whole register: the rolling windows may reach back over any gap (domain.md 2).
    marks = pupil_marks(pupil=pupil, as_of=today)
    period = (OffencePeriodChoice(offence_from, offence_to, "chosen by the person who made this bundle")
              if offence_from is not None and offence_to is not None
              else offence_period_default(case=case, marks=marks, today=today))
    attendance = _attendance(case, marks, period, conduct, today)
    return {
        "title": BUNDLE_TITLE,
        "security_marking": SECURITY_MARKING,
        "sections": [{"id": key, "number": n, "title": title} for n, (key, title) in enumerate(SECTIONS, start=1)],
        "cover": _cover(case, period, by, now),
        "attendance": attendance,
        "register": _register(case, marks, attendance["counted"], period),
        "chronology": _chronology(case),
        "support": _support(case),
        "meetings": _meetings(case),
        "adjustments": _adjustments(case),
        "notices": _notices(case),
    }


def evidence_bundle_generate(*, case: Case, by, offence_from: date | None = None,
                             offence_to: date | None = None) -> Letter:
    """Renders the case's evidence bundle and stores it as the next version, addressed to the LA.

    Only the school's DSL or attendance officer make it. Nothing stored is ever changed: a new bundle is a
    new version beside the old. Writes a chronology entry and an audit event.
    """
    require(can_move_case(by, case.pupil), "make an evidence bundle")
    now = timezone.now()
    context = bundle_context(case=case, by=by, offence_from=offence_from, offence_to=offence_to, now=now)
    stored = json_faithful(context)
    pdf = render_pdf(render_to_string(BUNDLE_TEMPLATE, context))
    digest = hashlib.sha256(pdf).hexdigest()
    recipient = f"la:{case.school.local_authority.code}"
    subject_key = bundle_subject_key(case)
    period = context["cover"]

    for attempt in range(VERSION_RETRIES):
        try:
            with transaction.atomic():
                previous = Letter.objects.filter(subject_key=subject_key, recipient=recipient).aggregate(
                    v=Max("version"))["v"]
                letter = Letter.objects.create(
                    pupil=case.pupil, case=case, parent=None, recipient=recipient, template=BUNDLE_TEMPLATE,
                    subject_key=subject_key, version=(previous or 0) + 1, title=BUNDLE_TITLE, pdf=pdf,
                    sha256=digest, context=stored, generated_by=by, generated_at=now,
                )
                case_event_record(
                    case=case, kind=EventKind.LETTER, by=by, at=now,
                    summary=f"Evidence bundle for the LA made (version {letter.version})",
                    reason=f"Offence period {long_date(period['offence_from'])} to {long_date(period['offence_to'])}: "
                           f"{period['offence_source']}",
                    evidence=[f"letter:{letter.pk}"],
                )
                audit(user=by, action="bundle.generate", pupil=case.pupil,
                      detail=f"letter {letter.pk}: {subject_key} v{letter.version} sha256 {digest[:12]}")
                return letter
        except IntegrityError:
            if attempt == VERSION_RETRIES - 1:
                raise
    raise AssertionError("unreachable")
