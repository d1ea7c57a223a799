"""Attendance contracts: the voluntary written agreement of domain.md 3, step 3.

Refusing or not keeping a contract is recorded as non-engagement: it is evidence for a later notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from cases import facts
from cases.models import Case, EventKind, Parent, ParentalRelationship
from cases.permissions import can_record_support, require
from cases.working_days import add_working_days
from interventions.models import AttendanceContract, ContractParty, ContractStatus, PartyResponse
from interventions.services._common import (
    InterventionRefused,
    case_opened_on,
    happened_in_case,
    long_date,
    long_text,
    record,
    require_open,
)

CONTRACT_LETTER_TEMPLATE = "letters/attendance_contract.html"
# Time for parents to read the contract, ask about it and return it signed: two school weeks from the letter.
CONTRACT_RETURN_WORKING_DAYS = 10


def _letter_generate(**kwargs):
    """notices.letters.store.letter_generate, imported late: the notices app owns letters and their PDFs."""
    from notices.letters.store import letter_generate

    return letter_generate(**kwargs)


def _names(parents) -> str:
    names = [str(p) for p in parents]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _lock(contract: AttendanceContract) -> AttendanceContract:
    return AttendanceContract.objects.select_for_update(of=("self",)).select_related("case__pupil__school").get(pk=contract.pk)


def _permit(by, contract: AttendanceContract) -> None:
    require(can_record_support(by, contract.case.pupil), "record an attendance contract")
    require_open(contract.case)


@transaction.atomic
def attendance_contract_create(
    *,
    case: Case,
    by,
    parents: Sequence[Parent],
    school_commitments: str,
    parent_commitments: str,
    starts_on: date,
    review_on: date,
) -> AttendanceContract:
    """Drafts a contract between the school and the chosen parents of the pupil (each a party of their own)."""
    require(can_record_support(by, case.pupil), "record an attendance contract")
    require_open(case)
    if not parents:
        raise InterventionRefused("Choose at least one parent or carer to be party to the contract.")
    linked = set(ParentalRelationship.objects.filter(pupil=case.pupil).values_list("parent_id", flat=True))
    strangers = [p for p in parents if p.pk not in linked]
    if strangers:
        raise InterventionRefused(
            f"{_names(strangers)} {'is' if len(strangers) == 1 else 'are'} not recorded as a parent or carer "
            f"of {case.pupil}. Only the pupil's parents can be party to the contract."
        )
    if not school_commitments.strip() or not parent_commitments.strip():
        raise InterventionRefused("Write down both what the school commits to and what the parents commit to.")
    long_text(school_commitments, what="What the school and the LA commit to", field="school_commitments")
    long_text(parent_commitments, what="What the parents commit to", field="parent_commitments")
    today = timezone.localdate()
    # A contract may be written down after it started, but not before its case, nor further ahead than planning.
    if starts_on < case_opened_on(case):
        facts.happened(starts_on, what="The start date", today=today, field="starts_on",
                       not_before=case_opened_on(case), not_before_what="the date the case was opened")
    facts.plausible(starts_on, what="The start date", today=today, field="starts_on")
    if starts_on > today:
        facts.planned(starts_on, what="The start date", today=today, field="starts_on")
    if review_on <= starts_on:
        raise facts.ImpossibleFact("The review date must be after the date the contract starts.", field="review_on")
    facts.planned(review_on, what="The review date", today=today, field="review_on")
    contract = AttendanceContract.objects.create(
        case=case, school_commitments=school_commitments.strip(), parent_commitments=parent_commitments.strip(),
        starts_on=starts_on, review_on=review_on, created_by=by, created_at=timezone.now(),
    )
    ContractParty.objects.bulk_create(ContractParty(contract=contract, parent=p) for p in parents)
    record(
        user=by, pupil=case.pupil, case=case, action="contract.create", kind=EventKind.CONTRACT,
        summary=f"Attendance contract drafted with {_names(parents)}, from {long_date(starts_on)}, "
        f"review by {long_date(review_on)}",
        evidence=[f"contract:{contract.pk}"],
    )
    return contract


def _last_meeting(contract: AttendanceContract, parties: list[Parent]) -> dict | None:
    """The latest meeting held on the case that any party was invited to: who came and who did not.

    Read through the case's reverse relation by value: the meetings app sits above this one (it imports
    interventions), so it is not imported here.
    """
    party_ids = {p.pk for p in parties}
    for meeting in contract.case.meetings.filter(status="held").order_by("-starts_at").prefetch_related("attendees"):
        invited = [a for a in meeting.attendees.all() if a.role == "parent" and a.parent_id is not None]
        if not party_ids.intersection(a.parent_id for a in invited):
            continue
        return {
            "kind_name": meeting.get_kind_display().lower(),
            "date": timezone.localtime(meeting.starts_at).date(),
            "attended_ids": [a.parent_id for a in invited if a.attended],
            "attended": [a.name for a in invited if a.attended],
            "absent": [a.name for a in invited if not a.attended],
        }
    return None


def _declined(contract: AttendanceContract) -> list[str]:
    """What the parents declined before on this case: earlier attendance contracts."""
    return [
        f"{party.parent} declined the attendance contract offered on {long_date(party.contract.offered_on)}"
        for party in ContractParty.objects.filter(
            contract__case=contract.case, response=PartyResponse.DECLINED
        ).exclude(contract=contract).select_related("parent", "contract").order_by("contract__offered_on", "pk")
        if party.contract.offered_on is not None
    ]


def _letter_context(contract: AttendanceContract, parties: list[Parent], recipient: Parent, *, today: date) -> dict:
    """What the contract letter shows beyond the letterhead and the recipient, which letter_generate adds.

    It says what happened: it thanks the recipient for meeting only if they came, and names who came,
    who did not and what was declined, so the letter never contradicts the case's record.
    """
    meeting = _last_meeting(contract, parties)
    return {
        "pupil_forename": contract.case.pupil.forename,
        "school_commitments": [line.strip() for line in contract.school_commitments.splitlines() if line.strip()],
        "parent_commitments": [line.strip() for line in contract.parent_commitments.splitlines() if line.strip()],
        "starts_on": contract.starts_on,
        "review_on": contract.review_on,
        "party_names": [str(p) for p in parties],
        "return_by": add_working_days(today, CONTRACT_RETURN_WORKING_DAYS),
        "meeting": None if meeting is None else {k: v for k, v in meeting.items() if k != "attended_ids"},
        "recipient_attended": meeting is not None and recipient.pk in meeting["attended_ids"],
        "declined": _declined(contract),
    }


@transaction.atomic
def attendance_contract_offer(*, contract: AttendanceContract, by) -> list:
    """Offers the drafted contract: one letter to sign per parent who is a party. Returns the letters."""
    contract = _lock(contract)
    _permit(by, contract)
    if contract.status != ContractStatus.DRAFT:
        raise InterventionRefused(f"This contract is already {contract.get_status_display().lower()}.")
    today = timezone.localdate()
    parties = [party.parent for party in contract.parties.select_related("parent").order_by("parent__surname", "parent__forename", "pk")]
    contract.status, contract.status_changed_on, contract.offered_on = ContractStatus.OFFERED, today, today
    contract.save(update_fields=["status", "status_changed_on", "offered_on"])
    letters = [
        _letter_generate(
            template=CONTRACT_LETTER_TEMPLATE,
            title=f"Attendance contract for {contract.case.pupil}",
            pupil=contract.case.pupil,
            case=contract.case,
            parent=parent,
            recipient=f"parent:{parent.pk}",
            subject_key=f"contract:{contract.pk}",
            context=_letter_context(contract, parties, parent, today=today),
            by=by,
        )
        for parent in parties
    ]
    record(
        user=by, pupil=contract.case.pupil, case=contract.case, action="contract.offer", kind=EventKind.CONTRACT,
        summary=f"Attendance contract offered to {_names(parties)} on {long_date(today)}",
        evidence=[f"contract:{contract.pk}", *(f"letter:{letter.pk}" for letter in letters)],
    )
    return letters


@transaction.atomic
def attendance_contract_party_respond(
    *, party: ContractParty, by, response: str, responded_on: date, note: str = ""
) -> AttendanceContract:
    """Records one parent's answer. Signed by every party: the contract is signed; declined by any: declined."""
    contract = _lock(party.contract)
    _permit(by, contract)
    party = ContractParty.objects.select_for_update(of=("self",)).select_related("parent").get(pk=party.pk, contract=contract)
    if contract.status != ContractStatus.OFFERED:
        raise InterventionRefused(
            f"Responses can only be recorded while the contract is offered; it is {contract.get_status_display().lower()}."
        )
    if response not in (PartyResponse.SIGNED, PartyResponse.DECLINED):
        raise InterventionRefused("Say whether the parent signed or declined the contract.")
    if party.response != PartyResponse.PENDING:
        raise InterventionRefused(f"{party.parent} already {party.get_response_display().lower()} this contract.")
    offered_on = contract.offered_on or contract.status_changed_on
    facts.happened(responded_on, what="The date of the response", today=timezone.localdate(), field="responded_on",
                   not_before=offered_on, not_before_what="the date the contract was offered")
    long_text(note, what="The notes", field="note")
    party.response, party.responded_on = response, responded_on
    party.save(update_fields=["response", "responded_on"])
    responses = list(contract.parties.values_list("response", flat=True))
    evidence = [f"contract:{contract.pk}", f"contract_party:{party.pk}"]
    if response == PartyResponse.DECLINED:
        contract.status, contract.status_changed_on = ContractStatus.DECLINED, responded_on
        contract.status_note = note.strip() or f"{party.parent} declined the contract."
        contract.save(update_fields=["status", "status_changed_on", "status_note"])
        record(
            user=by, pupil=contract.case.pupil, case=contract.case, action="contract.decline",
            kind=EventKind.NON_ENGAGEMENT,
            summary=f"Non-engagement: {party.parent} declined the attendance contract offered "
            f"(response recorded for {long_date(responded_on)})",
            reason=note.strip(), evidence=evidence,
        )
        return contract
    if all(r == PartyResponse.SIGNED for r in responses):
        contract.status, contract.status_changed_on = ContractStatus.SIGNED, responded_on
        contract.save(update_fields=["status", "status_changed_on"])
        summary = f"{party.parent} signed the attendance contract on {long_date(responded_on)}; signed by every parent"
    else:
        waiting = responses.count(PartyResponse.PENDING)
        summary = (
            f"{party.parent} signed the attendance contract on {long_date(responded_on)}; "
            f"waiting for {waiting} more parent{'s' if waiting != 1 else ''}"
        )
    record(
        user=by, pupil=contract.case.pupil, case=contract.case, action="contract.sign", kind=EventKind.CONTRACT,
        summary=summary, reason=note.strip(), evidence=evidence,
    )
    return contract


@transaction.atomic
def attendance_contract_breach(*, contract: AttendanceContract, by, breached_on: date, note: str) -> AttendanceContract:
    """Records that the parents did not keep a signed contract, and what was not kept."""
    contract = _lock(contract)
    _permit(by, contract)
    if contract.status != ContractStatus.SIGNED:
        raise InterventionRefused(
            f"Only a signed contract can be recorded as not kept; this one is {contract.get_status_display().lower()}."
        )
    if not note.strip():
        raise InterventionRefused("Say which commitments were not kept.")
    long_text(note, what="What was not kept", field="note")
    facts.happened(breached_on, what="The date", today=timezone.localdate(), field="breached_on",
                   not_before=contract.status_changed_on, not_before_what="the date the contract was signed")
    contract.status, contract.status_changed_on, contract.status_note = ContractStatus.BREACHED, breached_on, note.strip()
    contract.save(update_fields=["status", "status_changed_on", "status_note"])
    record(
        user=by, pupil=contract.case.pupil, case=contract.case, action="contract.breach",
        kind=EventKind.NON_ENGAGEMENT,
        summary=f"Non-engagement: the parents did not keep the signed attendance contract ({long_date(breached_on)})",
        reason=note.strip(), evidence=[f"contract:{contract.pk}"],
    )
    return contract


ENDABLE = (ContractStatus.DRAFT, ContractStatus.OFFERED, ContractStatus.SIGNED, ContractStatus.BREACHED)


@transaction.atomic
def attendance_contract_end(*, contract: AttendanceContract, by, ended_on: date, note: str) -> AttendanceContract:
    """Ends a contract (its term ran, it worked, or it is replaced), with the reason."""
    contract = _lock(contract)
    _permit(by, contract)
    if contract.status not in ENDABLE:
        raise InterventionRefused(f"This contract is already {contract.get_status_display().lower()}.")
    if not note.strip():
        raise InterventionRefused("Say why the contract is ending.")
    long_text(note, what="Why it is ending", field="note")
    if contract.status_changed_on is not None:
        facts.happened(ended_on, what="The end date", today=timezone.localdate(), field="ended_on",
                       not_before=contract.status_changed_on,
                       not_before_what=f"the date it was {contract.get_status_display().lower()}")
    else:
        happened_in_case(contract.case, ended_on, what="The end date", field="ended_on", today=timezone.localdate())
    was = contract.get_status_display().lower()
    # A breach note stays: it is the evidence of what was not kept.
    kept = f"{contract.status_note}\n\nEnded: " if contract.status == ContractStatus.BREACHED else ""
    contract.status, contract.status_changed_on = ContractStatus.ENDED, ended_on
    contract.status_note = kept + note.strip()
    contract.save(update_fields=["status", "status_changed_on", "status_note"])
    record(
        user=by, pupil=contract.case.pupil, case=contract.case, action="contract.end", kind=EventKind.CONTRACT,
        summary=f"Attendance contract ended on {long_date(ended_on)} (it was {was})",
        reason=note.strip(), evidence=[f"contract:{contract.pk}"],
    )
    return contract
