"""The bundle's case-record sections: cover sheet, chronology, support, meetings, adjustments and notices."""

from __future__ import annotations

import re
from datetime import date, datetime

from cases.formatting import long_date
from cases.models import Case, CaseEvent, EventKind, PenaltyNoticeConsideration
from cases.selectors import pupil_parents
from notices.bundle._common import BUNDLE_TEMPLATE, SECTION_NUMBER, _local, _money, _person, case_reference
from notices.bundle.attendance import OffencePeriodChoice
from notices.bundle.served import (
    letter_service,
    notice_to_improve_reference,
    penalty_notice_service,
    served_or_newest,
    service_sentence,
)
from notices.models import Letter, NoticeToImprove, PenaltyNotice, PenaltyNoticeState
from notices.selectors import penalty_notice_letter_subject

EVIDENCE_REFERENCE = re.compile(r"^(?P<kind>[a-z_]+):(?P<pk>\d+)$")
# Record references on the chronology, as the bundle's reader finds them: the record and its section.
EVIDENCE_SECTIONS = {
    "meeting": ("Meeting record", "meetings"),
    "contact": ("Contact record", "contacts"),
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


def _contacts(case: Case, now: datetime) -> list[dict[str, str]]:
    """Every contact with the family recorded on the case up to the bundle's making, oldest first, worded as
    the case page words them (meetings.contacts.contact_row: one wording for both)."""
    from meetings.contacts import contact_row
    from meetings.selectors import case_contacts

    return [contact_row(contact) for contact in case_contacts(case=case) if contact.made_at <= now]


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


def _letters_by_subject(keys: list[str]) -> dict[str, dict[str, list[Letter]]]:
    """Each subject's letters, by recipient, without the PDFs."""
    found: dict[str, dict[str, list[Letter]]] = {}
    for letter in Letter.objects.filter(subject_key__in=keys).select_related("parent").defer("pdf", "context"):
        found.setdefault(letter.subject_key, {}).setdefault(letter.recipient, []).append(letter)
    return found


def _nti_service(notice: NoticeToImprove, letters: dict[str, list[Letter]]) -> list[dict]:
    """Each parent the notice went to, and how and when their letter was served."""
    lines = []
    for parent in notice.parents.all():
        versions = letters.get(f"parent:{parent.pk}", [])
        service = ("No letter stored" if not versions else
                   "; ".join(service_sentence(letter_service(v)) for v in served_or_newest(versions)))
        lines.append({"parent": str(parent), "service": service})
    return lines


def _pn_service(notice: PenaltyNotice, letters: dict[str, list[Letter]]) -> str:
    versions = [v for recipient in letters.values() for v in recipient]
    if versions:
        return "; ".join(service_sentence(letter_service(v, notice)) for v in served_or_newest(versions))
    return service_sentence(penalty_notice_service(notice))


def _notices(case: Case) -> dict:
    pupil = case.pupil
    ntis = list(NoticeToImprove.objects.filter(case__pupil=pupil).prefetch_related("parents")
                .order_by("issued_on", "pk"))
    pns = list(PenaltyNotice.objects.filter(pupil=pupil).select_related("parent")
               .order_by("issued_on", "created_at", "pk"))
    letters = (Letter.objects.filter(case=case).exclude(template=BUNDLE_TEMPLATE).select_related("parent")
               .defer("pdf", "context").order_by("generated_at", "pk"))
    served = _letters_by_subject([f"nti:{n.pk}" for n in ntis] + [penalty_notice_letter_subject(n) for n in pns])
    return {
        "notices_to_improve": [
            {"reference": notice_to_improve_reference(n), "service": _nti_service(n, served.get(f"nti:{n.pk}", {})),
             "issued_on": n.issued_on, "parents": [str(p) for p in n.parents.all()], "offence_from": n.offence_from,
             "offence_to": n.offence_to, "period_ends_on": n.improvement_period_ends_on,
             "sufficient_improvement": n.sufficient_improvement, "early_grounds": n.early_penalty_grounds,
             "outcome": n.get_outcome_display(), "outcome_recorded_on": n.outcome_recorded_on,
             "early_ground_invoked": n.early_ground_invoked,
             "early_ground_sessions": n.early_ground_session_lines(), "this_case": n.case_id == case.pk}
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
             "service": _pn_service(n, served.get(penalty_notice_letter_subject(n), {})) if n.issued_on else "",
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
