"""The notice to improve (domain.md 3.4): issuing it with its letters, its outcome, an early ground, reviews due.

A notice to improve is the parents' final chance to engage with support before a penalty notice. It
covers the unauthorised sessions of the threshold window that met the national threshold (never a
session an earlier notice covered), gives an improvement period of 3 to 6 weeks from the date of
issue, and says what sufficient improvement means for this pupil and on what grounds a penalty
notice may come sooner. Every required item is checked before any letter is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases import rules
from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import Case, CaseEvent, CaseState, EventKind, Parent, ParentalRelationship, Pupil
from cases.permissions import can_move_case, require
from cases.scan import offence_periods
from cases.selectors import pupil_marks
from cases.services import case_transition
from cases.services.chronology import case_event_record
from notices.letters import letter_generate
from notices.models import Letter, NoticeOutcome, NoticeToImprove

NTI_LETTER_TEMPLATE = "letters/notice_to_improve.html"
NTI_LETTER_TITLE = "Notice to improve"
ISSUE_TRANSITION = "issue_notice_to_improve"

# What each register code means, in the words a parent reads in the notice's table of sessions (DfE,
# "Working together to improve school attendance" 2024, and the 2006 codes for older registers).
CODE_MEANINGS: dict[str, str] = {
    "/": "Present (morning)",
    "\\": "Present (afternoon)",
    "L": "Late, arrived before the register closed",
    "K": "Attending education arranged by the local authority",
    "V": "Educational visit or trip",
    "P": "Approved sporting activity",
    "W": "Work experience",
    "B": "Other approved educational activity",
    "C1": "Leave for a regulated performance or employment abroad",
    "M": "Medical or dental appointment",
    "J1": "Interview",
    "S": "Study leave",
    "C2": "Part-time timetable",
    "C": "Leave in exceptional circumstances",
    "T": "Parent travelling for work",
    "R": "Religious observance",
    "I": "Illness",
    "E": "Suspended or excluded, no alternative provision",
    "G": "Holiday not agreed by the school (unauthorised)",
    "N": "Reason for absence not yet given",
    "O": "Absent without a reason the school could accept (unauthorised)",
    "U": "Arrived after the register closed (unauthorised)",
    "D": "Attending another school where also registered",
    "X": "Not required to attend",
    "Q": "No access arrangements from the local authority",
    "Z": "Not yet on roll",
    "#": "School closed",
    "H": "Agreed family holiday (before 19 August 2024)",
    "F": "Agreed extended family holiday (before 19 August 2024)",
    "J": "Interview (before 19 August 2024)",
    "Y": "Exceptional circumstances (before 19 August 2024)",
    **{f"Y{n}": "Unable to attend because of an unavoidable cause" for n in range(1, 8)},
}


class NoticeToImproveRefused(DomainError):
    """The notice cannot be issued, or its outcome or early ground recorded, as asked."""


class ImprovementPeriodRefused(NoticeToImproveRefused):
    """The improvement period is outside 3 to 6 weeks from the date of issue."""


class IncompleteNotice(NoticeToImproveRefused):
    """An item the notice must contain (domain.md 3.4) is missing: no letter is made."""


# --- reading the register for a notice ----------------------------------------------------------------


@dataclass(frozen=True)
class OffenceSession:
    """One unauthorised session the notice covers, as the letter's table shows it."""

    on: date
    session: str  # "AM" or "PM"
    code: str
    meaning: str


@dataclass(frozen=True)
class Offences:
    """The pupil's attendance record for a notice: the threshold window's sessions and this year's attendance."""

    first_met: date
    offence_from: date
    offence_to: date
    sessions: tuple[OffenceSession, ...]
    possible_sessions: int
    attended_sessions: int
    attendance_pct: float | None
    year_start: date
    as_of: date
    rule: str


def code_meaning(code: str) -> str:
    return CODE_MEANINGS.get(code, code)


def threshold_window(
    marks: Sequence[rules.Mark],
    *,
    as_of: date,
    conduct: rules.Conduct,
    covered: Sequence[rules.OffencePeriod] = (),
) -> list[rules.Mark]:
    """The counted sessions of the window in which the threshold was first met this academic year.

    Pure. The window ends with the session at which ``rules.threshold_first_met`` says the threshold was
    reached and opens ``threshold_school_weeks - 1`` school weeks earlier (domain.md 2); sessions an earlier
    notice covered never count. The notice covers whole dates, so a counted session later on the last date
    (the afternoon after a morning that reached the threshold) is covered too and listed. Empty when the
    threshold is not met.
    """
    first_met = rules.threshold_first_met(marks, as_of=as_of, conduct=conduct, covered=covered)
    if first_met is None:
        return []
    marks = [mark for mark in marks if mark[0] <= as_of]
    # School weeks: Monday-to-Sunday weeks holding a mark other than the whole-school closure.
    school_weeks = sorted({rules.week_start(d) for d, _, code in marks if code != rules.CLOSURE_CODE})
    number = {week: n for n, week in enumerate(school_weeks)}
    opens = number[rules.week_start(first_met)] - (conduct.threshold_school_weeks - 1)
    counted = [
        (d, session, code)
        for d, session, code in marks
        if code in conduct.threshold_codes
        and not any(period.start <= d <= period.end for period in covered)
        and number[rules.week_start(d)] >= opens
        and d <= first_met
    ]
    if len(counted) < conduct.threshold_sessions:  # the rules and this window must agree
        raise AssertionError(f"threshold met on {first_met} but only {len(counted)} sessions in its window")
    return counted


def notice_to_improve_offences(*, pupil: Pupil, as_of: date) -> Offences | None:
    """The offences a notice issued on ``as_of`` would cover, with this year's attendance; None if the
    threshold is not met (sessions covered by an earlier notice not counting again)."""
    conduct = pupil.school.local_authority.conduct()
    marks = pupil_marks(pupil=pupil, as_of=as_of)
    covered = offence_periods([pupil.pk], as_of=as_of).get(pupil.pk, [])
    window = threshold_window(marks, as_of=as_of, conduct=conduct, covered=covered)
    if not window:
        return None
    measures = rules.measure(marks, as_of=as_of, conduct=conduct, covered=covered)
    return Offences(
        first_met=window[-1][0],
        offence_from=window[0][0],
        offence_to=window[-1][0],
        sessions=tuple(
            OffenceSession(d, rules.SESSION_NAMES[session], code, code_meaning(code)) for d, session, code in window
        ),
        possible_sessions=measures.possible_sessions,
        attended_sessions=measures.attended_sessions,
        attendance_pct=measures.attendance_pct,
        year_start=rules.academic_year_start(as_of),
        as_of=as_of,
        rule=f"{conduct.threshold_sessions} unauthorised sessions within {conduct.threshold_school_weeks} school weeks",
    )


@dataclass(frozen=True)
class PeriodAttendance:
    """Attendance within a notice's improvement period: the day after issue to the period's last day."""

    starts_on: date
    ends_on: date
    possible_sessions: int
    attended_sessions: int
    attendance_pct: float | None
    unauthorised: tuple[OffenceSession, ...]

    def evidence(self) -> list[str]:
        pct = "no possible sessions" if self.attendance_pct is None else f"{self.attendance_pct}%"
        lines = [
            f"Attendance in the improvement period ({long_date(self.starts_on)} to {long_date(self.ends_on)}): "
            f"{self.attended_sessions} of {self.possible_sessions} possible sessions ({pct})"
        ]
        if self.unauthorised:
            listed = "; ".join(f"{long_date(s.on)} {s.session} ({s.code})" for s in self.unauthorised)
            lines.append(f"Unauthorised absence in the period: {len(self.unauthorised)} sessions: {listed}")
        else:
            lines.append("Unauthorised absence in the period: none")
        return lines


def improvement_period_attendance(*, notice: NoticeToImprove) -> PeriodAttendance:
    """Attended and possible sessions, and each unauthorised session, within the improvement period.

    The period is counted from the date of issue, so its sessions run from the day after issue to the
    last day of the period inclusive: a 3-week period is exactly 15 school days.
    """
    starts_on = notice.issued_on + timedelta(days=1)
    ends_on = notice.improvement_period_ends_on
    marks = notice.case.pupil.marks.filter(date__gte=starts_on, date__lte=ends_on).order_by("date", "session")
    possible = attended = 0
    unauthorised = []
    for on, session, code in marks.values_list("date", "session", "code"):
        if code in rules.NOT_COUNTED_CODES:
            continue
        possible += 1
        if code in rules.ATTENDED_CODES:
            attended += 1
        elif rules.CATEGORY.get(code) is rules.Category.UNAUTHORISED:
            unauthorised.append(OffenceSession(on, rules.SESSION_NAMES[session], code, code_meaning(code)))
    return PeriodAttendance(
        starts_on, ends_on, possible, attended, rules.percent_one_place(attended, possible), tuple(unauthorised)
    )


# --- issuing -------------------------------------------------------------------------------------------


def improvement_period_limits(issued_on: date) -> tuple[date, date]:
    """The first and last day the improvement period may end on: 3 and 6 weeks after the date of issue."""
    return (
        issued_on + timedelta(weeks=rules.NTI_MIN_IMPROVEMENT_WEEKS),
        issued_on + timedelta(weeks=rules.NTI_MAX_IMPROVEMENT_WEEKS),
    )


def _check_improvement_period(issued_on: date, ends_on: date) -> None:
    earliest, latest = improvement_period_limits(issued_on)
    if not earliest <= ends_on <= latest:
        raise ImprovementPeriodRefused(
            f"The improvement period must be between {rules.NTI_MIN_IMPROVEMENT_WEEKS} and "
            f"{rules.NTI_MAX_IMPROVEMENT_WEEKS} weeks from the date of issue. For a notice issued on "
            f"{long_date(issued_on)} it must end between {long_date(earliest)} and {long_date(latest)}, "
            f"not on {long_date(ends_on)}."
        )


def period_length(issued_on: date, ends_on: date) -> str:
    """ "3 weeks", "4 weeks and 2 days": how long the improvement period is, as the letter says it."""
    weeks, days = divmod((ends_on - issued_on).days, 7)
    text = f"{weeks} week{'s' if weeks != 1 else ''}"
    return text + (f" and {days} day{'s' if days != 1 else ''}" if days else "")


def eligible_parent_links(*, pupil: Pupil):
    """The pupil's parents who may receive a notice: parental responsibility or care of the child (s576)."""
    from django.db.models import Q

    return (
        ParentalRelationship.objects.filter(pupil=pupil)
        .filter(Q(parental_responsibility=True) | Q(lives_with_pupil=True))
        .select_related("parent")
        .order_by("parent__surname", "parent__forename", "parent__pk")
    )


def _chosen_parents(pupil: Pupil, parents: Iterable[Parent]) -> list[Parent]:
    chosen = list({parent.pk: parent for parent in parents}.values())
    if not chosen:
        raise NoticeToImproveRefused("Choose at least one parent or carer to receive the notice.")
    links = {link.parent_id: link for link in ParentalRelationship.objects.filter(pupil=pupil)}
    strangers = [str(parent) for parent in chosen if parent.pk not in links]
    if strangers:
        raise NoticeToImproveRefused(
            f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not recorded as a parent or carer "
            f"of {pupil}: a notice can only go to the pupil's own parents and carers."
        )
    without = [
        str(parent) for parent in chosen
        if not (links[parent.pk].parental_responsibility or links[parent.pk].lives_with_pupil)
    ]
    if without:
        raise NoticeToImproveRefused(
            f"{', '.join(without)} has neither parental responsibility for nor care of {pupil}, so is not a "
            "parent who can receive a notice (s576 Education Act 1996)."
        )
    return sorted(chosen, key=lambda p: (p.surname, p.forename, p.pk))


# What the notice must say (domain.md 3.4) that the DSL writes; the rest comes from the register and the
# template's fixed wording (the benefits of attendance, the s7 duty, the warning).
WRITTEN_CONTENT = {
    "support_so_far": "the support provided so far",
    "further_support": "the further support offered",
    "sufficient_improvement": "what sufficient improvement means for this pupil",
    "early_penalty_grounds": "the grounds on which a penalty notice may be issued before the period ends",
}


def _require_content(texts: dict[str, str]) -> None:
    missing = [label for key, label in WRITTEN_CONTENT.items() if not (texts.get(key) or "").strip()]
    if missing:
        raise IncompleteNotice(
            "A notice to improve must set out " + "; ".join(missing) + ". Add "
            + ("it" if len(missing) == 1 else "them") + " before issuing the notice."
        )


def nti_letter_context(*, notice: NoticeToImprove, offences: Offences, parents: Sequence[Parent], recipient: Parent,
                       support_so_far: str, further_support: str) -> dict:
    """The letter's content: every item domain.md 3.4 requires, refused if one is missing."""
    _require_content({
        "support_so_far": support_so_far, "further_support": further_support,
        "sufficient_improvement": notice.sufficient_improvement, "early_penalty_grounds": notice.early_penalty_grounds,
    })
    if not offences.sessions or offences.attendance_pct is None:
        raise IncompleteNotice("A notice to improve must give the pupil's attendance record and the offences.")
    pupil = notice.case.pupil
    return {
        "pupil_forename": pupil.forename,
        "issued_on": notice.issued_on,
        "improvement_period_ends_on": notice.improvement_period_ends_on,
        "improvement_period_starts_on": notice.issued_on + timedelta(days=1),
        "improvement_period_length": period_length(notice.issued_on, notice.improvement_period_ends_on),
        "attendance_pct": offences.attendance_pct,
        "attended_sessions": offences.attended_sessions,
        "possible_sessions": offences.possible_sessions,
        "year_start": offences.year_start,
        "attendance_as_of": offences.as_of,
        "threshold_rule": offences.rule,
        "offence_from": notice.offence_from,
        "offence_to": notice.offence_to,
        "offence_count": len(offences.sessions),
        "offence_sessions": [
            {"date": s.on, "session": s.session, "code": s.code, "meaning": s.meaning} for s in offences.sessions
        ],
        "support_so_far": support_so_far.strip(),
        "further_support": further_support.strip(),
        "sufficient_improvement": notice.sufficient_improvement,
        "early_penalty_grounds": notice.early_penalty_grounds,
        "other_recipients": [f"{p.forename} {p.surname}" for p in parents if p.pk != recipient.pk],
        "notice_reference": f"NTI-{notice.pk}",
    }


def _lock_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("pupil__school__local_authority").get(pk=case.pk)


@transaction.atomic
def notice_to_improve_issue(
    *,
    case: Case,
    by,
    parents: Iterable[Parent],
    issued_on: date,
    improvement_period_ends_on: date,
    sufficient_improvement: str,
    early_penalty_grounds: str,
    support_so_far: str,
    further_support: str,
    reason: str,
) -> NoticeToImprove:
    """Issues a notice to improve: moves the case to that stage if it is not there yet, records the notice
    with the offence period it covers, and makes one letter per chosen parent."""
    pupil = case.pupil
    require(can_move_case(by, pupil), "issue a notice to improve")
    today = timezone.localdate()
    if issued_on > today:
        raise NoticeToImproveRefused(
            f"The date of issue cannot be in the future: a notice is recorded once it is issued (today is {long_date(today)})."
        )
    _check_improvement_period(issued_on, improvement_period_ends_on)
    _require_content({
        "support_so_far": support_so_far, "further_support": further_support,
        "sufficient_improvement": sufficient_improvement, "early_penalty_grounds": early_penalty_grounds,
    })
    if not reason.strip():
        raise NoticeToImproveRefused("Give the reason for the notice: it goes on the case's chronology.")
    chosen = _chosen_parents(pupil, parents)

    locked = _lock_case(case)
    if locked.state == CaseState.NOTICE_TO_IMPROVE:
        earlier = locked.notices_to_improve.order_by("-issued_on").first()
        if earlier is not None:
            raise NoticeToImproveRefused(
                f"This case already has a notice to improve, issued on {long_date(earlier.issued_on)}. "
                "Record its outcome, or the ground for an earlier penalty notice, instead."
            )
    # Read before the notice exists, so the sessions it covers are the ones not yet covered.
    offences = notice_to_improve_offences(pupil=pupil, as_of=issued_on)
    if offences is None:
        raise NoticeToImproveRefused(
            f"The threshold for a notice is not met on {long_date(issued_on)}: {pupil.school.local_authority.conduct().threshold_sessions} "
            "unauthorised sessions within the rolling school weeks are needed, and sessions covered by an earlier "
            "notice do not count again."
        )
    if locked.state != CaseState.NOTICE_TO_IMPROVE:
        # The ladder's guard checks the threshold and the support first, without this notice's coverage.
        locked = case_transition(case=locked, transition=ISSUE_TRANSITION, by=by, reason=reason, expected_state=locked.state)

    notice = NoticeToImprove.objects.create(
        case=locked,
        issued_on=issued_on,
        improvement_period_ends_on=improvement_period_ends_on,
        sufficient_improvement=sufficient_improvement.strip(),
        early_penalty_grounds=early_penalty_grounds.strip(),
        offence_from=offences.offence_from,
        offence_to=offences.offence_to,
        created_by=by,
        created_at=timezone.now(),
    )
    notice.parents.set(chosen)
    letters = [
        letter_generate(
            template=NTI_LETTER_TEMPLATE,
            title=NTI_LETTER_TITLE,
            pupil=pupil,
            case=locked,
            parent=parent,
            recipient=f"parent:{parent.pk}",
            subject_key=f"nti:{notice.pk}",
            context=nti_letter_context(notice=notice, offences=offences, parents=chosen, recipient=parent,
                                       support_so_far=support_so_far, further_support=further_support),
            by=by,
        )
        for parent in chosen
    ]
    names = ", ".join(str(parent) for parent in chosen)
    case_event_record(
        case=locked,
        kind=EventKind.NOTICE,
        summary=f"Notice to improve issued to {names}: improvement period until {long_date(improvement_period_ends_on)}",
        by=by,
        reason=reason.strip(),
        evidence=[
            f"Offences: {len(offences.sessions)} unauthorised sessions from {long_date(offences.offence_from)} to "
            f"{long_date(offences.offence_to)} ({offences.rule}, threshold met on {long_date(offences.first_met)})",
            f"Attendance this academic year to {long_date(issued_on)}: {offences.attendance_pct}% "
            f"({offences.attended_sessions} of {offences.possible_sessions} sessions)",
            f"Improvement period: {period_length(issued_on, improvement_period_ends_on)}, from "
            f"{long_date(issued_on)} to {long_date(improvement_period_ends_on)}",
            f"Sufficient improvement means: {notice.sufficient_improvement}",
            f"Grounds for an earlier penalty notice: {notice.early_penalty_grounds}",
            f"Support provided so far: {support_so_far.strip()}",
            f"Further support offered: {further_support.strip()}",
            *[f"letter:{letter.pk}" for letter in letters],
        ],
    )
    audit(user=by, action="nti.issue", pupil=pupil,
          detail=f"notice {notice.pk}: case {locked.pk}, to {', '.join(f'parent:{p.pk}' for p in chosen)}")
    return notice


def notice_to_improve_letters(*, notice: NoticeToImprove) -> list[Letter]:
    """The newest version of each parent's letter for the notice, without the PDFs."""
    letters = Letter.objects.filter(subject_key=f"nti:{notice.pk}").select_related("parent").defer("pdf", "context")
    newest: dict[str, Letter] = {}
    for letter in letters.order_by("recipient", "-version"):
        newest.setdefault(letter.recipient, letter)
    return list(newest.values())


# --- after issue ---------------------------------------------------------------------------------------


def _lock_notice(notice: NoticeToImprove) -> NoticeToImprove:
    return NoticeToImprove.objects.select_for_update(of=("self",)).select_related("case__pupil__school").get(pk=notice.pk)


@transaction.atomic
def notice_to_improve_record_outcome(*, notice: NoticeToImprove, by, improved: bool, note: str) -> NoticeToImprove:
    """Records whether attendance improved sufficiently, once the improvement period has ended, with the
    attendance in the period computed from the register as the entry's evidence."""
    require(can_move_case(by, notice.case.pupil), "record the outcome of a notice to improve")
    notice = _lock_notice(notice)
    today = timezone.localdate()
    ends = long_date(notice.improvement_period_ends_on)
    if notice.outcome != NoticeOutcome.PENDING:
        raise NoticeToImproveRefused(
            f"The outcome of this notice was already recorded on {long_date(notice.outcome_recorded_on)}: "
            f"{notice.get_outcome_display().lower()}."
        )
    if notice.improvement_period_ends_on >= today:
        raise NoticeToImproveRefused(
            f"The improvement period runs until {ends}: record the outcome from "
            f"{long_date(notice.improvement_period_ends_on + timedelta(days=1))}."
        )
    if not note.strip():
        raise NoticeToImproveRefused("Say how you reached the outcome: it goes on the case's chronology.")
    attendance = improvement_period_attendance(notice=notice)
    notice.outcome = NoticeOutcome.IMPROVED if improved else NoticeOutcome.NOT_IMPROVED
    notice.outcome_recorded_on = today
    notice.save(update_fields=["outcome", "outcome_recorded_on"])
    case_event_record(
        case=notice.case,
        kind=EventKind.NOTICE,
        summary=f"Notice to improve of {long_date(notice.issued_on)}: {notice.get_outcome_display().lower()} "
                f"by {ends}",
        by=by,
        reason=note.strip(),
        evidence=[*attendance.evidence(), f"Sufficient improvement meant: {notice.sufficient_improvement}"],
    )
    audit(user=by, action="nti.outcome", pupil=notice.case.pupil, detail=f"notice {notice.pk}: {notice.outcome}")
    return notice


@transaction.atomic
def notice_to_improve_invoke_early_ground(*, notice: NoticeToImprove, by, ground: str) -> NoticeToImprove:
    """Records that one of the grounds the notice stated for an earlier penalty notice has arisen."""
    require(can_move_case(by, notice.case.pupil), "record a ground for an earlier penalty notice")
    notice = _lock_notice(notice)
    if not notice.early_penalty_grounds.strip():
        raise NoticeToImproveRefused(
            "This notice stated no grounds for a penalty notice before the improvement period ends, so none can arise."
        )
    if not ground.strip():
        raise NoticeToImproveRefused("Say which of the grounds the notice stated has arisen, and when.")
    if notice.outcome != NoticeOutcome.PENDING:
        raise NoticeToImproveRefused(
            f"The outcome of this notice was already recorded ({notice.get_outcome_display().lower()})."
        )
    if notice.early_ground_invoked:
        raise NoticeToImproveRefused(f"A ground was already recorded on this notice: {notice.early_ground_invoked}")
    notice.early_ground_invoked = ground.strip()
    notice.save(update_fields=["early_ground_invoked"])
    case_event_record(
        case=notice.case,
        kind=EventKind.NOTICE,
        summary=f"Notice to improve of {long_date(notice.issued_on)}: a stated ground for an earlier penalty "
                "notice has arisen",
        by=by,
        reason=notice.early_ground_invoked,
        evidence=[f"Grounds the notice stated: {notice.early_penalty_grounds}"],
    )
    audit(user=by, action="nti.early_ground", pupil=notice.case.pupil, detail=f"notice {notice.pk}")
    return notice


def review_due_summary(notice: NoticeToImprove) -> str:
    """The chronology line that asks for the outcome; also how the review task knows it already wrote it."""
    return (
        f"Improvement period ended on {long_date(notice.improvement_period_ends_on)}: record the outcome "
        f"(notice to improve of {long_date(notice.issued_on)})"
    )


@transaction.atomic
def notices_to_improve_reviews_record(*, today: date) -> list[CaseEvent]:
    """For each notice whose improvement period ended before ``today`` with no outcome, on an open case, one
    chronology entry asking for the outcome: never a second for the same notice, however often it runs."""
    due = (
        NoticeToImprove.objects.select_for_update()
        .filter(outcome=NoticeOutcome.PENDING, improvement_period_ends_on__lt=today)
        .exclude(case__state=CaseState.CLOSED)
        .select_related("case")
        .order_by("improvement_period_ends_on", "pk")
    )
    created = []
    for notice in due:
        summary = review_due_summary(notice)
        if CaseEvent.objects.filter(case=notice.case, kind=EventKind.NOTICE, summary=summary[:300]).exists():
            continue
        created.append(case_event_record(case=notice.case, kind=EventKind.NOTICE, summary=summary, by=None))
    return created
