"""Demo casework: cases at every stage of the ladder, with the meetings, plans, contracts, notices,
adjustments and timetables behind them.

Every case moves through the real services, so the demo can only show what the rules allow; the
history is then back-dated across the last weeks so the chronology reads as a term's work.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cases import ladder
from cases.demo.calendar import TEACHING_PERIODS
from cases.demo.contacts import seed_contacts
from cases.formatting import long_date
from cases.models import (
    Alert,
    AlertKind,
    Case,
    CaseEvent,
    CaseOutcome,
    EventKind,
    Pupil,
    School,
)
from cases.services import (
    case_assign_owner,
    case_close,
    case_hold,
    case_note_add,
    case_open,
    case_transition,
    pn_consideration_authorise,
    pn_consideration_record,
)
from cases.working_days import next_working_day
from interventions.models import (
    Action,
    AdjustmentArea,
    AdjustmentReview,
    AttendanceContract,
    ContractParty,
    ContractStatus,
    EarlyHelp,
    EarlyHelpKind,
    LANotification,
    LeaveDecision,
    LeaveOfAbsenceRequest,
    NotificationKind,
    PartTimeTimetable,
    PartyResponse,
    ReasonableAdjustment,
    SupportPlan,
    SupportPlanStatus,
)
from meetings.models import AttendeeRole, Meeting, MeetingAttendee, MeetingKind, MeetingStatus
from notices.models import NoticeOutcome, NoticeToImprove

# How many cases of each kind a school's caseload gets (secondary, primary).
STAGES = {
    "secondary": {"concern": 6, "targeted": 5, "formal": 3, "nti": 2, "pn": 1, "on_hold": 1, "closed": 2},
    "primary": {"concern": 2, "targeted": 2, "formal": 1},
}

BARRIERS = [
    "Anxiety about lessons with supply teachers; struggles to get up after late nights gaming.",
    "Mum works early shifts and younger siblings need taking to primary school first.",
    "Friendship breakdown in Year 9; says lunchtimes are the hardest part of the day.",
    "Frequent headaches reported; no GP appointment made yet.",
    "Bus pass lost in September; the family cannot afford the fare every day.",
    "Caring for dad after his operation; has not told school how much.",
]
ADJUSTMENTS = [
    (AdjustmentArea.ROUTINES, "Leaves lessons five minutes early to avoid busy corridors.",
     "Sensory overload in crowded corridors (autism) leads to refusing to come in.", "Parents, pupil, SENCo"),
    (AdjustmentArea.UNIFORM, "May wear soft-soled trainers and a polo shirt instead of a tie.",
     "Tactile sensitivity: the uniform is painful by mid-morning.", "Mother and SENCo"),
    (AdjustmentArea.TRANSPORT, "LA travel assistance: taxi with a consistent driver.",
     "Cannot manage the public bus because of anxiety (EHC plan, section F).", "Parents and LA SEN team"),
    (AdjustmentArea.TIMETABLE, "Late start at 9:30 with a quiet arrival through the student services door.",
     "Morning dysregulation linked to ADHD medication timing.", "Parents, paediatrician, SENCo"),
    (AdjustmentArea.LUNCHTIME, "Lunch in the library club with a small group.",
     "The canteen's noise triggers panic attacks.", "Pupil and Head of Year"),
    (AdjustmentArea.ACCESS_TO_SUPPORT, "Time-out card and a named adult to go to at any time.",
     "Anxiety escalates in lessons without a way out; leads to absence the next day.", "Pupil, parents, SENCo"),
    (AdjustmentArea.PHASED_RETURN, "Phased return: mornings for two weeks, then full days.",
     "Returning after surgery; fatigue (medical needs).", "Parents, school nurse"),
]
ACTIONS = [
    ("Meet with the pastoral lead every Monday morning", "Head of Year"),
    ("Make a GP appointment about the headaches", "{parent}"),
    ("Refer to the school nurse", "Attendance Officer"),
    ("Apply for a bus pass through the LA's travel team", "Attendance Officer"),
    ("Set a morning routine chart and alarm", "{parent}"),
    ("Offer a place at the breakfast club", "Pastoral Support"),
]


@dataclass
class Staff:
    dsl: object
    senco: object | None
    head: object | None
    la_officer: object | None = None
    attendance: object | None = None  # the attendance officer, who owns some of the cases (issue 12)


def _at(on: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(on, time(hour, 0)))


def _parents(pupil: Pupil):
    return [link.parent for link in pupil.parent_links.select_related("parent") if link.parental_responsibility]


def _meeting(case: Case, by, on: date, rng: random.Random, *, parents_attended: bool) -> Meeting:
    meeting = Meeting.objects.create(
        case=case, kind=MeetingKind.ATTENDANCE, starts_at=_at(on), location="Pastoral office",
        status=MeetingStatus.HELD, created_by=by, created_at=_at(on - timedelta(days=7)), recorded_by=by,
        recorded_at=_at(on, 15), barriers_discussed=rng.choice(BARRIERS),
        notes="Went through the attendance record week by week; agreed a plan and a review date.",
    )
    for parent in _parents(case.pupil):
        MeetingAttendee.objects.create(
            meeting=meeting, role=AttendeeRole.PARENT, parent=parent, name=str(parent), attended=parents_attended
        )
    MeetingAttendee.objects.create(meeting=meeting, role=AttendeeRole.STAFF, name=by.get_full_name(),
                                   organisation=by.staff.position, attended=True)
    if not parents_attended:
        for parent in _parents(case.pupil):
            case_note_add(case=case, by=by, kind=EventKind.NON_ENGAGEMENT,
                          summary=f"{parent} did not attend the attendance meeting on {long_date(on)}")
    return meeting


def _plan(case: Case, by, on: date, as_of: date, rng: random.Random) -> SupportPlan:
    plan = SupportPlan.objects.create(
        case=case, barriers=rng.choice(BARRIERS), status=SupportPlanStatus.AGREED, agreed_on=on,
        review_on=on + timedelta(weeks=6), created_by=by, created_at=_at(on, 15),
    )
    parent = next(iter(_parents(case.pupil)), None)
    for offset, (description, owner) in zip((10, 25, 45), rng.sample(ACTIONS, 3), strict=True):
        due = on + timedelta(days=offset)
        Action.objects.create(
            case=case, support_plan=plan, description=description,
            owner=owner.format(parent=parent or "Parent"), due_on=due,
            completed_on=due - timedelta(days=2) if due < as_of - timedelta(days=14) else None,
            created_at=_at(on, 15),
        )
    return plan


def _contract(case: Case, by, on: date, status: str) -> AttendanceContract:
    contract = AttendanceContract.objects.create(
        case=case, school_commitments="A weekly check-in with the Head of Year; a mentor; breakfast club place.",
        parent_commitments="Make sure the pupil arrives by 8:40 every day; ring before 9:00 on any day of absence.",
        starts_on=on, review_on=on + timedelta(weeks=6), status=status, status_changed_on=on + timedelta(days=3),
        offered_on=on,
        status_note="Parents said they did not see the need for a contract." if status == ContractStatus.DECLINED else "",
        created_by=by, created_at=_at(on),
    )
    response = PartyResponse.DECLINED if status == ContractStatus.DECLINED else PartyResponse.SIGNED
    for parent in _parents(case.pupil):
        ContractParty.objects.create(contract=contract, parent=parent, response=response,
                                     responded_on=on + timedelta(days=3))
    return contract


class _Clock:
    """Back-dates each step's chronology entries to the day the step happened in the demo's story."""

    def __init__(self, case: Case):
        self.case = case
        self.stamped = 0

    def stamp(self, on: date) -> None:
        events = CaseEvent.objects.filter(case=self.case, pk__gt=self.stamped)
        last = events.order_by("-pk").values_list("pk", flat=True).first()
        if last is None:
            return
        events.update(at=_at(on, 11))
        self.stamped = last
        moved = CaseEvent.objects.filter(case=self.case).exclude(to_state="").order_by("-pk").first()
        first = CaseEvent.objects.filter(case=self.case).order_by("pk").first()
        Case.objects.filter(pk=self.case.pk).update(
            opened_at=first.at, stage_entered_at=moved.at if moved else first.at,
            **({"closed_at": moved.at} if moved and moved.to_state == "closed" else {}),
        )


def _climb(case: Case, staff: Staff, stage: str, as_of: date, start: date, rng: random.Random) -> Case:
    """Walks a new case up to ``stage`` through the services, creating the evidence each step needs."""
    dsl, clock = staff.dsl, _Clock(case)
    clock.stamp(start)
    if stage == "concern":
        return case
    engaged = stage not in ("nti", "pn")
    # A case that reaches an unpaid penalty notice by today moves faster: each step still follows the last.
    days = PN_PACE if stage == "pn" else PACE
    met = start + timedelta(days=days["meeting"])
    _meeting(case, dsl, met, rng, parents_attended=engaged)
    _plan(case, dsl, met, as_of, rng)
    clock.stamp(met)
    case = case_transition(case=case, transition="start_targeted_support", by=dsl,
                           reason="Attendance meeting held and a support plan agreed with the family.")
    clock.stamp(met + timedelta(days=1))
    if stage in ("on_hold", "closed"):
        if stage == "on_hold":
            case = case_hold(case=case, by=dsl, reason="Admitted to hospital; the school nurse is liaising with the ward.")
        else:
            case = case_close(case=case, by=dsl, outcome=CaseOutcome.IMPROVED,
                              reason="Attendance above 95% for the last six weeks; the plan's actions are done.")
        clock.stamp(start + timedelta(days=30))
        return case
    if stage == "targeted":
        return case
    offered = start + timedelta(days=days["contract"])
    _contract(case, dsl, offered, ContractStatus.SIGNED if engaged else ContractStatus.DECLINED)
    if not engaged:
        EarlyHelp.objects.create(case=case, kind=EarlyHelpKind.REFERRAL, agency="Fenshire Early Help Hub",
                                 started_on=offered + timedelta(days=2), family_consented=False,
                                 outcome="Family declined to take part.", created_by=dsl, created_at=_at(offered))
    case = case_transition(case=case, transition="start_formal_support", by=dsl,
                           reason="Attendance contract offered to both parents.")
    clock.stamp(offered + timedelta(days=days["formal"]))
    if stage == "formal":
        return case
    if case.pupil.has_send and staff.senco:
        AdjustmentReview.objects.create(pupil=case.pupil, case=case, reviewed_on=as_of - timedelta(days=12),
                                        reviewed_by=staff.senco,
                                        conclusion="Adjustments in place and working; none is a barrier to attending.")
    first_met, _ = ladder.threshold_fact(case.pupil, as_of)
    if first_met is None or not ladder.check(case, "issue_notice_to_improve").allowed:
        return case
    issued = start + timedelta(days=days["nti"])
    case = case_transition(case=case, transition="issue_notice_to_improve", by=dsl,
                           reason="Threshold met; the contract was declined and the meeting missed.")
    clock.stamp(issued)
    from cases.services.offence import ThresholdNotMet, offence_record
    from notices.improvement.services import notice_to_improve_offences

    try:
        record = offence_record(pupil=case.pupil, as_of=issued)
    except ThresholdNotMet:
        return case
    offences = notice_to_improve_offences(pupil=case.pupil, as_of=issued, record=record)
    notice = NoticeToImprove.objects.create(
        case=case, issued_on=issued, improvement_period_ends_on=issued + timedelta(weeks=3 if stage == "pn" else 4),
        sufficient_improvement="No unauthorised absence during the improvement period, and attendance above 90%.",
        early_penalty_grounds="An unauthorised holiday taken during the improvement period.",
        offence_from=offences.offence_from, offence_to=offences.offence_to, offence_record=record,
        outcome=NoticeOutcome.NOT_IMPROVED if stage == "pn" else NoticeOutcome.PENDING,
        outcome_recorded_on=next_working_day(issued + timedelta(weeks=3)) if stage == "pn" else None,
        created_by=dsl, created_at=_at(issued),
    )
    notice.parents.set(_parents(case.pupil))
    if stage != "pn" or staff.head is None or ladder.threshold_fact(case.pupil, as_of, after_failed_nti_of=case)[0] is None:
        return case
    # After the improvement period: the outcome, then the considerations, the headteacher's authority, and
    # the notices posted on the next working day.
    considered = notice.outcome_recorded_on
    authorised = next_working_day(considered)
    issued = next_working_day(authorised)
    if issued > as_of:
        return case
    consideration = pn_consideration_record(
        case=case, by=dsl,
        why_penalty_notice_is_the_best_tool="Support and a notice to improve have not changed the pattern of "
        "unauthorised absence; the parents have not engaged.",
        alternatives_considered="A further notice to improve would repeat one that failed; an education "
        "supervision order is not proportionate at this stage.",
        equality_act_consideration="No disability or SEN; no reasonable adjustment bears on the absence.",
    )
    clock.stamp(considered)
    consideration.__class__.objects.filter(pk=consideration.pk).update(recorded_at=_at(considered, 14))
    pn_consideration_authorise(consideration=consideration, by=staff.head)
    consideration.__class__.objects.filter(pk=consideration.pk).update(authorised_at=_at(authorised))
    clock.stamp(authorised)
    if not ladder.check(case, "request_penalty_notice").allowed:
        return case
    case = case_transition(case=case, transition="request_penalty_notice", by=dsl,
                           reason="Improvement period ended without sufficient improvement.")
    clock.stamp(authorised)
    _penalty_notices(case, staff, as_of, notice, issued, clock)
    return case


def _penalty_notices(case: Case, staff: Staff, as_of: date, nti: NoticeToImprove, issued: date,
                     clock: _Clock) -> None:
    """One notice to each liable parent, posted on ``issued``: one paid at the reduced rate, one unpaid; each
    step on the chronology on its day. Whoever the LA's code of conduct names issues them: the demo's code has
    the LA issue, so its officer does, as on approving the school's request."""
    from notices.penalty.letters import penalty_notice_issue_with_letter
    from notices.penalty.services import (
        penalty_notice_consult_la,
        penalty_notice_draft,
        penalty_notice_record_payment,
        penalty_notices_mark_unpaid,
        school_issues,
    )

    issuer = staff.dsl if school_issues(case.pupil.school.local_authority) else staff.la_officer
    parents = _parents(case.pupil) if issuer is not None else []
    for index, parent in enumerate(parents):
        # The offence the notice to improve warned about: the penalty notice rests on the record it stored.
        notice = penalty_notice_draft(case=case, parent=parent, by=issuer)
        penalty_notice_consult_la(notice=notice, by=issuer)
        # Issued with its letter, as the LA's approval does: no notice without the letter that was served.
        penalty_notice_issue_with_letter(notice=notice, by=issuer, issued_on=issued, posted=True)
        notice.refresh_from_db()
        clock.stamp(issued)
        if index == 0 and staff.la_officer is not None:
            penalty_notice_record_payment(notice=notice, by=staff.la_officer, paid_on=notice.reduced_by,
                                          amount=notice.amount_reduced)
            clock.stamp(notice.reduced_by)
    penalty_notices_mark_unpaid(today=as_of)
    if parents:  # the nightly sweep marks a notice unpaid the day after its 28 days
        clock.stamp(min(as_of, notice.full_by + timedelta(days=1)))


# Every third case is carried by the attendance officer, the rest by the DSL who opened them.
OWNED_BY_ATTENDANCE_OFFICER = 3
# Days before the as-of date each kind of case began, so its story fits before today.
STARTS = {"pn": (84, 86), "nti": (50, 55)}
# Days from the start of a case to each step: most cases, and the one that reaches an unpaid penalty notice.
PACE = {"meeting": 7, "contract": 20, "formal": 4, "nti": 35}
PN_PACE = {"meeting": 5, "contract": 12, "formal": 3, "nti": 19}


def seed_casework(*, school: School, staff: Staff, as_of: date, seed: int, kind: str) -> int:
    """Opens and walks cases for ``school``'s worst attenders; returns how many cases it made."""
    rng = random.Random(seed)
    alerts = {
        a.pupil_id: a for a in Alert.objects.filter(
            school=school, kind__in=[AlertKind.PERSISTENT_ABSENCE, AlertKind.SEVERE_ABSENCE], resolved_at=None
        )
    }
    candidates = list(
        Pupil.objects.filter(id__in=alerts, snapshot__isnull=False).order_by("snapshot__attendance_pct", "upn")
    )
    threshold = [p for p in candidates if p.snapshot.pn_threshold_met]
    others = [p for p in candidates if not p.snapshot.pn_threshold_met]
    made = 0
    for stage, count in STAGES[kind].items():
        pool = threshold if stage in ("nti", "pn") else others
        for _ in range(count):
            if not pool:
                break
            pupil = pool.pop(0)
            alert = alerts[pupil.pk]
            case = case_open(pupil=pupil, by=staff.dsl, reason=f"{alert.get_kind_display()}: {alert.detail}",
                             alert=alert)
            if staff.attendance is not None and made % OWNED_BY_ATTENDANCE_OFFICER == 1:
                case_assign_owner(case=case, owner=staff.attendance, by=staff.dsl)
            low, high = STARTS.get(stage, (35, 48))
            start = as_of - timedelta(days=rng.randint(low, high))
            # The story begins when the scan first raised the alert the case was opened from.
            Alert.objects.filter(pk=alert.pk).update(raised_on=start)
            _climb(case, staff, stage, as_of, start, rng)
            seed_contacts(case=case, by=staff.dsl, la_officer=staff.la_officer, as_of=as_of, start=start,
                          engaged=stage not in ("nti", "pn"), stage=stage)
            made += 1
    _send_records(school, staff, as_of, rng)
    if kind == "secondary":  # work waiting for the LA officer: requests and a referral (la_review.py)
        from cases.demo.la_review import seed_la_review

        made += seed_la_review(school=school, staff=staff, as_of=as_of, seed=seed,
                               candidates=[(pupil, alerts[pupil.pk]) for pupil in threshold])
        from cases.demo.my_work import seed_my_work  # considerations for the headteacher ("My work")

        seed_my_work(school=school, staff=staff)
    return made


def _send_records(school: School, staff: Staff, as_of: date, rng: random.Random) -> None:
    """Reasonable adjustments (SENCo), part-time timetables and leave requests for the school."""
    if staff.senco is not None:
        send = list(Pupil.objects.filter(school=school, sen_status__in=["K", "E"]).order_by("upn")[:12])
        for index, pupil in enumerate(send):
            area, description, barrier, agreed_with = ADJUSTMENTS[index % len(ADJUSTMENTS)]
            ReasonableAdjustment.objects.create(
                pupil=pupil, area=area, description=description, barrier=barrier,
                agreed_with=agreed_with, starts_on=as_of - timedelta(days=rng.randint(20, 90)),
                review_on=as_of + timedelta(days=rng.randint(-10, 40)), recorded_by=staff.senco,
                recorded_at=_at(as_of - timedelta(days=60)),
            )
    part_time = list(Pupil.objects.filter(school=school, marks__code="C2").distinct().order_by("upn")[:2])
    for index, pupil in enumerate(part_time):
        first = pupil.marks.filter(code="C2").order_by("date").values_list("date", flat=True).first()
        timetable = PartTimeTimetable.objects.create(
            pupil=pupil, agreed_hours="Mornings only, 8:40 to 12:20", reason="Phased return after a long illness.",
            agreed_with_parents_on=first - timedelta(days=3), starts_on=first, planned_end_on=first + timedelta(weeks=6),
            review_on=first + timedelta(weeks=3), la_notified_of_start_on=first if index == 0 else None,
            recorded_by=staff.dsl, recorded_at=_at(first),
        )
        if index == 0:
            LANotification.objects.create(pupil=pupil, kind=NotificationKind.PART_TIME_START,
                                          part_time_timetable=timetable, sent_on=first,
                                          details="Mornings only for six weeks: phased return.", sent_by=staff.dsl)
    families = list(Pupil.objects.filter(school=school, parent_links__isnull=False).distinct().order_by("upn")[5:8])
    decisions = [LeaveDecision.PENDING, LeaveDecision.REFUSED, LeaveDecision.GRANTED]
    reasons = ["Sister's wedding abroad.", "Family holiday: flights are cheaper before half term.",
               "Grandmother's funeral in Krakow."]
    # Leave is about term time: the week asked for starts on the first school Monday three weeks ahead.
    first_day = _first_term_monday(as_of + timedelta(days=20))
    for pupil, decision, reason in zip(families, decisions, reasons, strict=False):
        # The request and its decision are between the school and a parent with parental responsibility.
        link = pupil.parent_links.filter(parental_responsibility=True).order_by("pk").first()
        if link is None:
            continue
        parent = link.parent
        decided = decision != LeaveDecision.PENDING
        if decided and staff.head is None:
            continue  # only the headteacher decides leave
        LeaveOfAbsenceRequest.objects.create(
            pupil=pupil, requested_by=parent, first_day=first_day,
            last_day=first_day + timedelta(days=4), reason=reason, received_on=as_of - timedelta(days=6),
            decision=decision, decided_by=staff.head if decided else None,
            decided_on=as_of - timedelta(days=2) if decided else None,
            decision_reason={LeaveDecision.REFUSED: "Not exceptional: a holiday can be taken in the school holidays.",
                             LeaveDecision.GRANTED: "Exceptional: a close family funeral abroad."}.get(decision, ""),
        )


def _first_term_monday(on_or_after: date) -> date:
    """The first Monday on or after the day whose whole week is in one of the demo calendar's terms."""
    day = on_or_after + timedelta(days=-on_or_after.weekday() % 7)
    while not any(first <= day and day + timedelta(days=4) <= last for first, last in TEACHING_PERIODS):
        day += timedelta(days=7)
        if day > TEACHING_PERIODS[-1][1]:
            return on_or_after  # beyond the demo calendar: keep the plain date
    return day
