"""Opening, moving, holding and closing a case; notes; penalty notice considerations.

Every change goes through a transition of the case's state machine, records who, when, why and the
evidence relied on, and appears on the chronology. Two people acting at once: exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from cases import facts, ladder
from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import (
    Alert,
    Case,
    CaseEvent,
    CaseOutcome,
    CaseState,
    EventKind,
    PenaltyNoticeConsideration,
    Pupil,
)
from cases.my_work import announce
from cases.permissions import (
    can_authorise_penalty_notice,
    can_close_on_la_decision,
    can_move_case,
    can_record_support,
    require,
)
from cases.services.chronology import case_event_record

# Transitions that climb the ladder and are guarded by cases.ladder.
LADDER_TRANSITIONS = (
    "start_targeted_support",
    "start_formal_support",
    "issue_notice_to_improve",
    "request_penalty_notice",
    "refer_for_prosecution",
)
# A contact with the family is recorded with meetings.services.contact_record (date, time, method, outcome).
NOTE_KINDS = (EventKind.NOTE, EventKind.NON_ENGAGEMENT, EventKind.SAFEGUARDING)
# A note's summary is its one line on the chronology (CaseEvent.summary holds 300).
NOTE_SUMMARY_MAX = 300


def _reason(reason: str) -> str:
    """Every reason a step, a hold or a closure gives goes on the chronology and may be read out in court."""
    return facts.text(reason, what="The reason", field="reason")


class CaseAlreadyOpen(DomainError):
    pass


class TransitionRefused(DomainError):
    """The law's conditions for the step are not all met; ``missing`` lists them."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()):
        super().__init__(message)
        self.missing = missing


class CaseChangedMeanwhile(DomainError):
    """Someone else moved the case first."""


def _now():
    return timezone.now()


def _state_label(state: str) -> str:
    return CaseState(state).label


def _save_transition(case: Case, *, expected_state: str | None) -> None:
    try:
        case.save()
    except ConcurrentTransition:
        current = Case.objects.filter(pk=case.pk).values_list("state", flat=True).first()
        raise CaseChangedMeanwhile(
            f"Someone else changed this case to “{_state_label(current)}” just now. "
            "Reload the page to see what they did; nothing you entered was saved."
        ) from None


def _lock(case: Case, expected_state: str | None) -> Case:
    """Re-reads the case with a row lock (PostgreSQL) and refuses if it moved since the user saw it."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("pupil__school__local_authority").get(pk=case.pk)
    if expected_state is not None and locked.state != expected_state:
        raise CaseChangedMeanwhile(
            f"This case moved to “{_state_label(locked.state)}” while you were looking at it. "
            "Reload the page; nothing you entered was saved."
        )
    return locked


@transaction.atomic
def case_open(*, pupil: Pupil, by, reason: str, alert: Alert | None = None) -> Case:
    """Opens a case at the first rung (concern), from an alert or by staff, with a reason."""
    require(can_move_case(by, pupil), "open an attendance case")
    if not _reason(reason).strip():
        raise DomainError("Say why the case is being opened.")
    if alert is not None and alert.pupil_id != pupil.pk:
        raise DomainError("That alert is about another pupil.")
    existing = Case.objects.filter(pupil=pupil).exclude(state=CaseState.CLOSED).first()
    if existing is not None:
        raise CaseAlreadyOpen(
            f"{pupil} already has an open case (opened on {long_date(existing.opened_at)})."
        )
    now = _now()
    try:
        # The savepoint keeps the transaction usable if a concurrent open wins the unique constraint.
        with transaction.atomic():
            # The state field is protected: a new case always starts as a concern (the model default).
            case = Case.objects.create(
                pupil=pupil,
                school=pupil.school,
                opened_at=now,
                opened_by=by,
                owner=by,
                opening_reason=reason.strip(),
                source_alert=alert,
                stage_entered_at=now,
            )
    except IntegrityError:
        raise CaseAlreadyOpen(f"{pupil} already has an open case.") from None
    evidence = [f"Alert: {alert.get_kind_display()}: {alert.detail}"] if alert else []
    case_event_record(
        case=case, kind=EventKind.OPENED, summary="Case opened at the concern stage", by=by,
        reason=case.opening_reason, evidence=evidence, to_state=CaseState.CONCERN, at=now,
    )
    audit(user=by, action="case.open", pupil=pupil, detail=f"case {case.pk}")
    return case


@dataclass(frozen=True)
class Availability:
    """One action on the case page: whether it can be taken now, and if not, why."""

    transition: str
    label: str
    allowed: bool
    missing: tuple[str, ...]
    evidence: tuple[str, ...]


def case_available_actions(*, case: Case, user) -> list[Availability]:
    """Every step that could follow from the case's stage, with the reasons a refused one is refused."""
    if not can_move_case(user, case.pupil):
        return []
    found = []
    for name in (*LADDER_TRANSITIONS, "put_on_hold", "resume", "close"):
        if case.state not in _sources(case, name):
            continue
        check = ladder.check(case, name)
        found.append(
            Availability(name, ladder.TRANSITION_LABELS[name], check.allowed, check.missing, check.evidence)
        )
    return found


def transition_sources(name: str) -> frozenset[str]:
    """The stages a case may take transition ``name`` from, read from the state machine itself."""
    return frozenset(t.source for t in Case._meta.get_field("state").get_all_transitions(Case) if t.name == name)


def _sources(case: Case, name: str) -> frozenset[str]:
    return transition_sources(name)


# Steps taken only by the process that carries them to the LA, so the stage never moves without it.
STEPS_OF_A_PROCESS = {
    "refer_for_prosecution": "Refer the case from “Prosecution referrals to the local authority”: the referral goes "
                             "to the LA with its evidence bundle, and the case moves with it.",
}


@transaction.atomic
def case_transition(*, case: Case, transition: str, by, reason: str, expected_state: str | None = None,
                    by_its_process: bool = False) -> Case:
    """Moves the case one step up the ladder, if the law's conditions hold; records why and on what evidence.
    A step of STEPS_OF_A_PROCESS is refused unless its process takes it (``by_its_process``)."""
    if transition not in LADDER_TRANSITIONS:
        raise DomainError(f"“{transition}” is not a step of the ladder.")
    if transition in STEPS_OF_A_PROCESS and not by_its_process:
        raise TransitionRefused(STEPS_OF_A_PROCESS[transition])
    require(can_move_case(by, case), "move an attendance case")
    if not _reason(reason).strip():
        raise DomainError("Give the reason for this step: it goes on the case's chronology.")
    case = _lock(case, expected_state)
    if case.state not in _sources(case, transition):
        raise TransitionRefused(
            f"A case at “{case.get_state_display()}” cannot {ladder.TRANSITION_LABELS[transition].lower()}."
        )
    check = ladder.check(case, transition)
    if not check.allowed:
        raise TransitionRefused(
            f"{ladder.TRANSITION_LABELS[transition]} is not possible yet: " + " ".join(check.missing), check.missing
        )
    before, now = case.state, _now()
    getattr(case, transition)(at=now)
    _save_transition(case, expected_state=before)
    case_event_record(
        case=case, kind=EventKind.TRANSITION,
        summary=f"{_state_label(before)} → {case.get_state_display()}", by=by, reason=reason.strip(),
        evidence=check.evidence, from_state=before, to_state=case.state, at=now,
    )
    audit(user=by, action=f"case.{transition}", pupil=case.pupil, detail=f"case {case.pk}: {before} -> {case.state}")
    return case


@transaction.atomic
def case_hold(*, case: Case, by, reason: str, expected_state: str | None = None) -> Case:
    """Puts a case on hold (e.g. a hospital stay, a safeguarding referral), remembering where it was."""
    require(can_move_case(by, case), "put an attendance case on hold")
    if not _reason(reason).strip():
        raise DomainError("Say why the case is on hold (for example a hospital stay or a safeguarding referral).")
    case = _lock(case, expected_state)
    if not can_proceed(case.put_on_hold):
        raise TransitionRefused(f"A case at “{case.get_state_display()}” cannot be put on hold.")
    before, now = case.state, _now()
    case.put_on_hold(at=now)
    _save_transition(case, expected_state=before)
    case_event_record(case=case, kind=EventKind.ON_HOLD, summary=f"Put on hold at “{_state_label(before)}”",
                      by=by, reason=reason.strip(), from_state=before, to_state=case.state, at=now)
    audit(user=by, action="case.put_on_hold", pupil=case.pupil, detail=f"case {case.pk}")
    return case


@transaction.atomic
def case_resume(*, case: Case, by, reason: str, expected_state: str | None = None) -> Case:
    require(can_move_case(by, case), "resume an attendance case")
    if not _reason(reason).strip():
        raise DomainError("Say why the case is resuming.")
    case = _lock(case, expected_state)
    if case.state != CaseState.ON_HOLD:
        raise TransitionRefused("Only a case on hold can be resumed.")
    before, now = case.state, _now()
    case.resume(at=now)
    _save_transition(case, expected_state=before)
    case_event_record(case=case, kind=EventKind.RESUMED, summary=f"Resumed at “{case.get_state_display()}”",
                      by=by, reason=reason.strip(), from_state=before, to_state=case.state, at=now)
    audit(user=by, action="case.resume", pupil=case.pupil, detail=f"case {case.pk}")
    return case


@transaction.atomic
def case_close(*, case: Case, by, outcome: str, reason: str, expected_state: str | None = None) -> Case:
    """Closes the case with an outcome; it may close at any step. The school closes it, or the LA officer
    of its LA on the LA's decision (the outcome of a prosecution referral)."""
    require(
        can_move_case(by, case) or (outcome == CaseOutcome.LA_DECISION and can_close_on_la_decision(by, case)),
        "close an attendance case",
    )
    if outcome not in CaseOutcome.values:
        raise DomainError("Choose the outcome the case is closing with.")
    if not _reason(reason).strip():
        raise DomainError("Say why the case is closing.")
    case = _lock(case, expected_state)
    if case.state == CaseState.CLOSED:
        raise TransitionRefused("This case is already closed.")
    before, now = case.state, _now()
    case.close(at=now, outcome=outcome)
    _save_transition(case, expected_state=before)
    case_event_record(case=case, kind=EventKind.CLOSED, summary=f"Closed: {CaseOutcome(outcome).label}",
                      by=by, reason=reason.strip(), from_state=before, to_state=case.state, at=now)
    audit(user=by, action="case.close", pupil=case.pupil, detail=f"case {case.pk}: {outcome}")
    return case


@transaction.atomic
def case_note_add(*, case: Case, by, kind: str, summary: str, details: str = "") -> CaseEvent:
    """A note, recorded non-engagement, or a safeguarding referral made (KCSIE)."""
    require(can_record_support(by, case), "add to the case file")
    if kind not in NOTE_KINDS:
        raise DomainError("Choose what kind of entry this is.")
    if not summary.strip():
        raise DomainError("Write a one-line summary.")
    facts.text(summary.strip(), what="The summary", field="summary", limit=NOTE_SUMMARY_MAX)
    facts.text(details, what="The details", field="details")
    if case.state == CaseState.CLOSED:
        raise DomainError("This case is closed; open a new case to record more.")
    event = case_event_record(case=case, kind=kind, summary=summary.strip(), by=by, reason=details.strip())
    audit(user=by, action=f"case.{kind}", pupil=case.pupil, detail=f"case {case.pk}")
    return event


@transaction.atomic
def pn_consideration_record(
    *, case: Case, by, why_penalty_notice_is_the_best_tool: str, alternatives_considered: str,
    equality_act_consideration: str,
) -> PenaltyNoticeConsideration:
    """Records the considerations domain.md 3.5 requires before a penalty notice, threshold from the register."""
    require(can_move_case(by, case), "record penalty notice considerations")
    texts = {
        "why a penalty notice is the best tool": why_penalty_notice_is_the_best_tool,
        "the alternatives considered": alternatives_considered,
        "the Equality Act 2010 consideration": equality_act_consideration,
    }
    empty = [name for name, text in texts.items() if not text.strip()]
    if empty:
        raise DomainError("Record " + ", ".join(empty) + ".")
    for field, (name, text) in zip(
        ("why_penalty_notice_is_the_best_tool", "alternatives_considered", "equality_act_consideration"),
        texts.items(), strict=True,
    ):
        facts.text(text, what=name[:1].upper() + name[1:], field=field)
    first_met, wording = ladder.threshold_fact(case.pupil, timezone.localdate(), after_failed_nti_of=case)
    if first_met is None:
        raise DomainError(wording)
    consideration = PenaltyNoticeConsideration.objects.create(
        case=case, recorded_at=_now(), recorded_by=by, threshold_first_met=first_met,
        why_penalty_notice_is_the_best_tool=why_penalty_notice_is_the_best_tool.strip(),
        alternatives_considered=alternatives_considered.strip(),
        equality_act_consideration=equality_act_consideration.strip(),
    )
    case_event_record(case=case, kind=EventKind.CONSIDERATION, summary="Penalty notice considerations recorded",
                      by=by, evidence=[wording, f"Equality Act 2010: {consideration.equality_act_consideration}"])
    audit(user=by, action="case.pn_considerations", pupil=case.pupil, detail=f"case {case.pk}")
    announce("pn_consideration_waiting", consideration.pk)
    return consideration


@transaction.atomic
def pn_consideration_authorise(*, consideration: PenaltyNoticeConsideration, by) -> PenaltyNoticeConsideration:
    """The headteacher authorises the request for a penalty notice."""
    case = consideration.case
    require(can_authorise_penalty_notice(by, case.pupil), "authorise a penalty notice request")
    locked = PenaltyNoticeConsideration.objects.select_for_update().get(pk=consideration.pk)
    if locked.authorised_by_id is not None:
        raise DomainError("This request was already authorised.")
    if locked.declined_at is not None:
        raise DomainError(
            f"This request was declined on {long_date(locked.declined_at)}: it cannot be authorised. "
            "The DSL records new considerations if the case is to go on."
        )
    locked.authorised_by, locked.authorised_at = by, _now()
    locked.save(update_fields=["authorised_by", "authorised_at"])
    case_event_record(case=case, kind=EventKind.CONSIDERATION, summary="Penalty notice request authorised by the headteacher", by=by)
    audit(user=by, action="case.pn_authorise", pupil=case.pupil, detail=f"case {case.pk}")
    return locked


class OwnerNotAllowed(DomainError):
    """The person chosen cannot carry this case."""


def may_own_case(user, case: Case) -> bool:
    """A case is carried by a member of its school's staff whose role reads case files."""
    from cases.permissions import CASE_READERS

    profile = getattr(user, "staff", None)
    return (user is not None and user.is_active and profile is not None
            and profile.role in CASE_READERS and profile.school_id == case.school_id)


@transaction.atomic
def case_assign_owner(*, case: Case, owner, by) -> Case:
    """Gives the case to ``owner`` (a member of the case's school who reads case files), on the chronology."""
    require(can_move_case(by, case), "change who owns a case")
    locked = _lock(case, None)
    if not locked.is_open:
        raise DomainError("This case is closed: its owner can no longer be changed.")
    if not may_own_case(owner, locked):
        raise OwnerNotAllowed(
            f"{owner.get_full_name() or owner.get_username()} cannot own this case: a case owner must work at "
            f"{locked.school.name} in a role that reads case files."
        )
    if locked.owner_id == owner.pk:
        raise DomainError(f"{owner.get_full_name() or owner.get_username()} already owns this case.")
    before = locked.owner
    locked.owner = owner
    locked.save(update_fields=["owner"])
    name = owner.get_full_name() or owner.get_username()
    was = (before.get_full_name() or before.get_username()) if before is not None else "nobody"
    case_event_record(case=locked, kind=EventKind.OWNER, by=by,
                      summary=f"Case owner changed from {was} to {name}")
    audit(user=by, action="case.assign_owner", pupil=locked.pupil, detail=f"case {locked.pk}: owner {name}")
    case.owner = owner
    return locked


@transaction.atomic
def pn_consideration_decline(*, consideration: PenaltyNoticeConsideration, by, reason: str) -> PenaltyNoticeConsideration:
    """The headteacher declines the request for a penalty notice, with reasons the DSL reads on the case.

    A declined consideration is never authorised afterwards: the ladder and the request to the LA treat it
    as not authorised, and the DSL records new considerations if the case is to go on.
    """
    case = consideration.case
    require(can_authorise_penalty_notice(by, case.pupil), "decline a penalty notice request")
    reason = reason.strip()
    if not reason:
        raise facts.ImpossibleFact("Give the reasons for declining: the DSL reads them on the case.", field="reason")
    facts.text(reason, what="The reasons for declining", field="reason")
    locked = PenaltyNoticeConsideration.objects.select_for_update().get(pk=consideration.pk)
    if locked.declined_at is not None:
        raise DomainError("This request was already declined.")
    if locked.authorised_by_id is not None:
        raise DomainError("This request was already authorised: it can no longer be declined.")
    locked.declined_by, locked.declined_at, locked.decline_reason = by, _now(), reason
    locked.save(update_fields=["declined_by", "declined_at", "decline_reason"])
    case_event_record(case=case, kind=EventKind.CONSIDERATION, by=by, reason=reason,
                      summary="Penalty notice request declined by the headteacher")
    audit(user=by, action="case.pn_decline", pupil=case.pupil, detail=f"case {case.pk}")
    announce("pn_consideration_declined", locked.pk)
    return locked
