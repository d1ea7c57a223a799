"""Penalty notices: terms, drafting, the LA's consultation, issue, payment, unpaid, withdrawal, prosecution.

The law's figures and the limit of two notices come from cases.rules; every change of a notice is a
transition of its state machine, recorded on the case's chronology and the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from cases import facts, rules
from cases.audit import audit
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import (
    Case,
    CaseState,
    EventKind,
    LocalAuthority,
    Parent,
    ParentalRelationship,
    PenaltyNoticeIssuer,
    Pupil,
)
from cases.permissions import can_move_case, is_la_officer_of, require
from cases.services.chronology import case_event_record
from cases.services.offence import ThresholdNotMet, case_offence_record, offence_sentence
from cases.working_days import add_working_days
from notices.letters.store import require_servable
from notices.models import (
    PAID_STATES,
    OfficerTask,
    OfficerTaskKind,
    PenaltyNotice,
    PenaltyNoticeState,
    ProsecutionOutcome,
    ServiceMethod,
)

# A notice that never reached the parent never counts toward the limit.
NOT_YET_ISSUED = (PenaltyNoticeState.DRAFT, PenaltyNoticeState.LA_CONSULTED)


class PenaltyNoticeRefused(DomainError):
    pass


class LocalAuthorityIssues(PenaltyNoticeRefused):
    """The LA's code of conduct has the LA issue penalty notices: the school asks, it does not draft or issue."""


def school_issues(local_authority: LocalAuthority) -> bool:
    """Whether the LA's code of conduct lets the school draft, consult on and issue notices itself
    (CodeOfConduct.pn_issued_by; without a code, the LA issues)."""
    return local_authority.pn_issued_by() == PenaltyNoticeIssuer.SCHOOL


def la_issues_message(local_authority: LocalAuthority) -> str:
    return (
        f"{local_authority.name} issues penalty notices under its code of conduct, so the school cannot draft or "
        "issue one. Request a penalty notice from the local authority instead (Request penalty notices, on the "
        "case page): it decides, and issues each notice itself."
    )


def _require_issuer(by, local_authority: LocalAuthority) -> None:
    """Under a code of conduct that has the LA issue (the default), only the LA's own officers draft, consult on
    and issue a notice (on approving a request); school staff go through the penalty notice request."""
    if not school_issues(local_authority) and not is_la_officer_of(by, local_authority):
        raise LocalAuthorityIssues(la_issues_message(local_authority))


def earlier_notices(*, pupil: Pupil, parent: Parent, exclude: PenaltyNotice | None = None) -> list[rules.EarlierNotice]:
    """The notices on record to this parent for this pupil (another parent's or a sibling's never count)."""
    notices = PenaltyNotice.objects.filter(pupil=pupil, parent=parent, issued_on__isnull=False).exclude(
        state__in=NOT_YET_ISSUED
    )
    if exclude is not None:
        notices = notices.exclude(pk=exclude.pk)
    return [
        rules.EarlierNotice(reference, issued_on, withdrawn=state == PenaltyNoticeState.WITHDRAWN,
                            acquitted=outcome == ProsecutionOutcome.NOT_GUILTY)
        for reference, issued_on, state, outcome in notices.values_list(
            "reference", "issued_on", "state", "prosecution_outcome")
    ]


def penalty_notice_terms_for(*, pupil: Pupil, parent: Parent, on: date) -> rules.PenaltyTerms:
    """May this parent be issued a penalty notice for this pupil on ``on``, and at what rate?"""
    return rules.penalty_notice_terms(earlier_notices(pupil=pupil, parent=parent), on=on)


def deemed_received(*, issued_on: date, posted: bool, working_days: int) -> date:
    """When the parent is treated as receiving the notice: the day it is handed over, or for a posted notice
    the LA's number of working days after posting (weekends and bank holidays skipped)."""
    return add_working_days(issued_on, working_days) if posted else issued_on


@dataclass(frozen=True)
class PenaltyCheck:
    """penalty_notice_check's answer (contract section 3): the terms, and with a day of receipt the deadlines."""

    terms: rules.PenaltyTerms
    received_on: date | None
    reduced_by: date | None
    full_by: date | None


def penalty_notice_check(*, pupil: Pupil, parent: Parent, on: date, received_on: date | None = None,
                         posted_on: date | None = None) -> PenaltyCheck:
    """May this parent be issued a penalty notice for this pupil on ``on``, and if it is received on
    ``received_on`` (handed over) or posted on ``posted_on``, by when must it be paid? Reads only.

    A posted notice is received when the pupil's LA's code of conduct says. Without a day of receipt, or
    when the notice may not be issued, there are no deadlines."""
    if received_on is not None and posted_on is not None:
        raise PenaltyNoticeRefused("Give the day the notice is received or the day it is posted, not both.")
    for given, name in ((received_on, "received"), (posted_on, "posted")):
        if given is not None and given < on:
            raise PenaltyNoticeRefused(
                f"A notice issued on {long_date(on)} cannot be {name} before it, on {long_date(given)}."
            )
    terms = penalty_notice_terms_for(pupil=pupil, parent=parent, on=on)
    if posted_on is not None:
        received_on = deemed_received(issued_on=posted_on, posted=True,
                                      working_days=_deemed_receipt_days(pupil.school.local_authority))
    if received_on is None or not terms.allowed:
        return PenaltyCheck(terms, None, None, None)
    reduced_by, full_by = rules.payment_deadlines(received_on, reduced_days=terms.reduced_days,
                                                  full_days=terms.full_days)
    return PenaltyCheck(terms, received_on, reduced_by, full_by)


def _next_reference(local_authority: LocalAuthority, year: int) -> str:
    """The next free number of the LA's year; imported references of the same form are never reused."""
    prefix = f"PN-{local_authority.code}-{year}-"
    numbers = [
        int(reference[len(prefix):])
        for reference in PenaltyNotice.objects.filter(
            local_authority=local_authority, reference__startswith=prefix
        ).values_list("reference", flat=True)
        if reference[len(prefix):].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:05d}"


def _lock_family(pupil: Pupil, parent: Parent) -> None:
    """Serialises every decision about this parent's notices for this pupil, so two notices issued at the
    same moment cannot both see one earlier notice and become a third (PostgreSQL row locks)."""
    Parent.objects.select_for_update().filter(pk=parent.pk).first()
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()


def _save(notice: PenaltyNotice) -> None:
    try:
        notice.save()
    except ConcurrentTransition:
        raise DomainError(
            "Someone else changed this penalty notice just now. Reload the page; nothing you entered was saved."
        ) from None


def _record(notice: PenaltyNotice, by, summary: str, *, reason: str = "", evidence=()) -> None:
    if notice.case_id:
        case_event_record(case=notice.case, kind=EventKind.NOTICE, summary=summary, by=by, reason=reason,
                          evidence=[f"penalty_notice:{notice.pk}", *evidence])
    audit(user=by, action="penalty_notice.change", pupil=notice.pupil, detail=f"{notice.reference}: {summary}")


@transaction.atomic
def penalty_notice_draft(
    *, case: Case, parent: Parent, by, offence_from: date | None = None, offence_to: date | None = None
) -> PenaltyNotice:
    """A draft notice to one liable parent, for a case the ladder has moved to the penalty notice stage.

    The school prepares it, or the LA's officer when the LA issues on the school's request. The offence it
    states is the case's (cases.services.offence), stored with it: the register decides the sessions, so
    an offence period given by the caller must be that one."""
    if not (can_move_case(by, case.pupil) or is_la_officer_of(by, case.pupil.school.local_authority)):
        require(False, "prepare a penalty notice")
    _require_issuer(by, case.pupil.school.local_authority)
    if case.state != CaseState.PENALTY_NOTICE:
        raise PenaltyNoticeRefused(
            "The case must be at the penalty notice stage first: request a penalty notice on the case page."
        )
    link = ParentalRelationship.objects.filter(pupil=case.pupil, parent=parent).first()
    if link is None or not (link.parental_responsibility or link.lives_with_pupil):
        raise PenaltyNoticeRefused(
            f"{parent} is not a parent of {case.pupil} under s576 (parental responsibility or care of the child)."
        )
    today = timezone.localdate()
    if offence_from is not None:
        facts.happened(offence_from, what="The first date of the offence period", today=today, field="offence_from")
    if offence_to is not None:
        facts.happened(offence_to, what="The last date of the offence period", today=today, field="offence_to")
    if offence_from is not None and offence_to is not None:
        facts.date_range(offence_from, offence_to, what="The last date of the offence period", field="offence_to")
    try:
        offence = case_offence_record(case=case, as_of=today, parent=parent)
    except ThresholdNotMet as error:
        raise PenaltyNoticeRefused(str(error)) from None
    given = (offence_from or offence.offence_from, offence_to or offence.offence_to)
    if given != (offence.offence_from, offence.offence_to):
        raise PenaltyNoticeRefused(
            f"The offence period is the one the register shows: {long_date(offence.offence_from)} to "
            f"{long_date(offence.offence_to)} ({len(offence.sessions)} sessions, threshold met on "
            f"{long_date(offence.first_met)})."
        )
    _lock_family(case.pupil, parent)
    if PenaltyNotice.objects.filter(case=case, parent=parent, state__in=NOT_YET_ISSUED).exists():
        raise PenaltyNoticeRefused(f"A penalty notice to {parent} is already being prepared on this case.")
    local_authority = case.pupil.school.local_authority
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                notice = PenaltyNotice.objects.create(
                    local_authority=local_authority, reference=_next_reference(local_authority, now.year),
                    case=case, pupil=case.pupil, parent=parent, offence_from=offence.offence_from,
                    offence_to=offence.offence_to, offence_record=offence,
                    created_at=now, created_by=by,
                )
            break
        except IntegrityError:
            continue  # another draft took the same number: take the next
    else:
        raise DomainError("Could not number the notice; try again.")
    _record(notice, by, f"Penalty notice {notice.reference} to {parent} drafted",
            evidence=[offence_sentence(offence)])
    return notice


@transaction.atomic
def penalty_notice_consult_la(*, notice: PenaltyNotice, by) -> PenaltyNotice:
    """The school has checked with the LA before issuing (domain.md 3.5); the LA's own officer may record it."""
    if not (can_move_case(by, notice.pupil) or is_la_officer_of(by, notice.local_authority)):
        require(False, "record that the LA was consulted")
    _require_issuer(by, notice.local_authority)
    notice = PenaltyNotice.objects.select_for_update().get(pk=notice.pk)
    if not can_proceed(notice.consult_la):
        raise PenaltyNoticeRefused(f"A notice that is “{notice.get_state_display()}” cannot go to the LA now.")
    notice.consult_la()
    _save(notice)
    _record(notice, by, f"Local authority consulted on penalty notice {notice.reference}")
    return notice


@transaction.atomic
def penalty_notice_issue(*, notice: PenaltyNotice, by, issued_on: date, posted: bool) -> PenaltyNotice:
    """Issues the notice: the amount and deadlines follow from the rules on the date of issue and the earlier
    notices that count; a third within three years is refused with the alternative to consider."""
    local_authority = notice.local_authority
    if not (can_move_case(by, notice.pupil) or is_la_officer_of(by, local_authority)):
        require(False, "issue a penalty notice")
    _require_issuer(by, local_authority)
    notice = PenaltyNotice.objects.select_for_update().get(pk=notice.pk)
    if not can_proceed(notice.issue):
        raise PenaltyNoticeRefused(
            "The LA must be consulted before the notice is issued."
            if notice.state == PenaltyNoticeState.DRAFT
            else f"A notice that is “{notice.get_state_display()}” cannot be issued."
        )
    # A notice answers its offence: it cannot be dated before the last day of the offence period it states.
    facts.happened(issued_on, what="The date of issue", today=timezone.localdate(), field="issued_on",
                   not_before=notice.offence_to, not_before_what="the last day of the offence period")
    # Served only on a parent with an address to serve it at, or by hand (domain.md 3.5).
    require_servable(parent=notice.parent, method=ServiceMethod.POST if posted else ServiceMethod.HAND,
                     what="the penalty notice")
    _lock_family(notice.pupil, notice.parent)
    earlier = earlier_notices(pupil=notice.pupil, parent=notice.parent, exclude=notice)
    latest = max((n.issued_on for n in earlier if not n.disregarded), default=None)
    if latest is not None and issued_on < latest:
        # Counting looks back from the date of issue: a back-dated notice would miss the later one.
        raise PenaltyNoticeRefused(
            f"{notice.parent} already had a notice for {notice.pupil} issued on {long_date(latest)}: "
            "a new notice cannot be dated before it."
        )
    terms = rules.penalty_notice_terms(earlier, on=issued_on)
    if not terms.allowed:
        raise PenaltyNoticeRefused(terms.reason)
    received = deemed_received(
        issued_on=issued_on, posted=posted,
        working_days=_deemed_receipt_days(local_authority),
    )
    reduced_by, full_by = rules.payment_deadlines(received, reduced_days=terms.reduced_days,
                                                  full_days=terms.full_days)
    notice.issue(
        issued_on=issued_on, received_on=received, sequence=terms.sequence, amount_full=terms.full_amount,
        amount_reduced=terms.reduced_amount,
        reduced_by=reduced_by, full_by=full_by, issued_by=by,
    )
    _save(notice)
    _record(notice, by, f"Penalty notice {notice.reference} issued to {notice.parent}", reason=terms.reason,
            evidence=[f"Treated as received on {long_date(received)}"]
            + [f"Earlier notice that counts: {ref}" for ref in terms.counted_references])
    return notice


def _deemed_receipt_days(local_authority: LocalAuthority) -> int:
    conduct = getattr(local_authority, "code_of_conduct", None)
    return conduct.pn_deemed_receipt_working_days if conduct else rules.PN_DEEMED_RECEIPT_WORKING_DAYS


def _open_task(notice: PenaltyNotice, kind: str, *, urgent: bool, detail: str) -> OfficerTask:
    task, _ = OfficerTask.objects.get_or_create(
        notice=notice, kind=kind, done_at=None,
        defaults={"local_authority": notice.local_authority, "urgent": urgent, "detail": detail,
                  "created_at": timezone.now()},
    )
    return task


def _close_tasks(notice: PenaltyNotice, by, kinds) -> None:
    OfficerTask.objects.filter(notice=notice, kind__in=kinds, done_at=None).update(done_at=timezone.now(), done_by=by)


@transaction.atomic
def penalty_notice_record_payment(*, notice: PenaltyNotice, by, paid_on: date, amount: Decimal) -> PenaltyNotice:
    """Records a payment (payment is to the LA). A notice already referred for prosecution stops at once:
    a paid notice can never be prosecuted, and an urgent task to withdraw the prosecution is raised."""
    if not is_la_officer_of(by, notice.local_authority):
        require(False, "record a payment (payments are made to the local authority)")
    notice = PenaltyNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state in PAID_STATES:
        raise PenaltyNoticeRefused(f"{notice.reference} is already paid (on {long_date(notice.paid_on)}).")
    if not can_proceed(notice.record_payment):
        raise PenaltyNoticeRefused(f"A notice that is “{notice.get_state_display()}” cannot take a payment.")
    facts.happened(paid_on, what="The date of the payment", today=timezone.localdate(), field="paid_on",
                   not_before=notice.issued_on, not_before_what="the date the notice was issued")
    if notice.full_by and paid_on > notice.full_by:
        # After 28 days a notice can no longer be paid: the LA prosecutes or withdraws (domain.md 3.5).
        raise PenaltyNoticeRefused(
            f"{notice.reference} could be paid until {long_date(notice.full_by)}; a payment on "
            f"{long_date(paid_on)} is too late. Decide whether to prosecute or withdraw the notice."
        )
    in_reduced_time = bool(notice.amount_reduced and notice.reduced_by and paid_on <= notice.reduced_by)
    # A penalty notice is paid in one sum, the amount it states: no part payment, no other figure.
    amount = facts.amount(
        amount, what=f"A payment of {notice.reference} on {long_date(paid_on)}", field="amount",
        one_of=(notice.amount_reduced, notice.amount_full) if in_reduced_time else (notice.amount_full,),
    )
    reduced = in_reduced_time and amount == notice.amount_reduced
    was_referred = notice.state == PenaltyNoticeState.PROSECUTED
    notice.record_payment(paid_on=paid_on, amount=amount, at_reduced_rate=reduced)
    _save(notice)
    _close_tasks(notice, by, [OfficerTaskKind.DECIDE_UNPAID])
    _record(notice, by, f"Payment of £{amount} for {notice.reference} recorded ({notice.get_state_display().lower()})")
    if was_referred:
        _open_task(notice, OfficerTaskKind.STOP_PROSECUTION, urgent=True,
                   detail=f"{notice.reference} was paid on {long_date(paid_on)} after referral: withdraw the "
                          "prosecution now. A paid notice must never be prosecuted.")
    return notice


@transaction.atomic
def penalty_notice_mark_unpaid(*, notice: PenaltyNotice, today: date) -> bool:
    """Unpaid after its 28 days: the notice moves to unpaid and the LA officer must decide. Idempotent."""
    notice = PenaltyNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != PenaltyNoticeState.ISSUED or notice.full_by is None or today <= notice.full_by:
        return False
    notice.mark_unpaid()
    _save(notice)
    _open_task(notice, OfficerTaskKind.DECIDE_UNPAID, urgent=False,
               detail=f"{notice.reference} to {notice.parent} was not paid by {long_date(notice.full_by)}: "
                      "decide whether to prosecute for the offence or withdraw the notice.")
    _record(notice, None, f"{notice.reference} unpaid after {rules.PN_FULL_DAYS} days: the LA decides next")
    return True


@transaction.atomic
def penalty_notice_withdraw(*, notice: PenaltyNotice, by, reason: str) -> PenaltyNotice:
    """Withdraws a notice, with the grounds the Penalty Notices Regulations ask the LA to keep."""
    if not (is_la_officer_of(by, notice.local_authority) or (
        notice.state in NOT_YET_ISSUED and can_move_case(by, notice.pupil)
    )):
        require(False, "withdraw this penalty notice")
    if not reason.strip():
        raise PenaltyNoticeRefused("Give the grounds for withdrawing the notice.")
    facts.text(reason, what="The grounds for withdrawing the notice", field="details")
    notice = PenaltyNotice.objects.select_for_update().get(pk=notice.pk)
    if not can_proceed(notice.withdraw):
        raise PenaltyNoticeRefused(f"A notice that is “{notice.get_state_display()}” cannot be withdrawn.")
    withdrawn_on = facts.happened(
        timezone.localdate(), what="The date of withdrawal", today=timezone.localdate(),
        not_before=notice.issued_on or timezone.localdate(notice.created_at),
        not_before_what="the date the notice was issued" if notice.issued_on else "the date the notice was drafted",
    )
    notice.withdraw(on=withdrawn_on, reason=reason.strip())
    _save(notice)
    _close_tasks(notice, by, [OfficerTaskKind.DECIDE_UNPAID])
    _record(notice, by, f"Penalty notice {notice.reference} withdrawn", reason=reason.strip())
    return notice


@transaction.atomic
def penalty_notice_refer_for_prosecution(*, notice: PenaltyNotice, by) -> PenaltyNotice:
    """The LA decides to prosecute an unpaid notice's offence. A paid notice cannot get here."""
    if not is_la_officer_of(by, notice.local_authority):
        require(False, "refer a penalty notice for prosecution (the LA decides)")
    notice = PenaltyNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.state in PAID_STATES:
        raise PenaltyNoticeRefused(f"{notice.reference} has been paid: a paid notice can never be prosecuted.")
    if not can_proceed(notice.refer_for_prosecution):
        raise PenaltyNoticeRefused(
            f"Only a notice unpaid after {rules.PN_FULL_DAYS} days can be referred for prosecution."
        )
    notice.refer_for_prosecution(on=timezone.localdate())
    _save(notice)
    _close_tasks(notice, by, [OfficerTaskKind.DECIDE_UNPAID])
    _record(notice, by, f"Penalty notice {notice.reference} referred for prosecution")
    return notice


@dataclass(frozen=True)
class UnpaidSweep:
    checked: int
    marked_unpaid: int


def penalty_notices_mark_unpaid(*, today: date) -> UnpaidSweep:
    """Every issued notice past its 28 days becomes unpaid, with the LA officer's decision task."""
    due = list(PenaltyNotice.objects.filter(state=PenaltyNoticeState.ISSUED, full_by__lt=today).only("pk"))
    marked = sum(1 for notice in due if penalty_notice_mark_unpaid(notice=notice, today=today))
    return UnpaidSweep(checked=len(due), marked_unpaid=marked)
