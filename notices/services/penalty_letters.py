"""The penalty notice letter to the parent, made when the notice is issued and kept in the letter store.

What the letter says follows the Education (Penalty Notices) (England) Regulations 2007 and the
national framework (domain.md 3.5): who it is to, the pupil, the offence and its period, the amount
and the dates to pay by (the reduced rate for a first notice only), how to pay the LA, what happens
if it is not paid, the grounds for withdrawal, and whom to contact.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.text import slugify

from cases import rules
from cases.permissions import can_move_case, is_la_officer_of, require
from cases.services.offence import offence_lines
from notices.letters import letter_generate
from notices.models import Letter, PenaltyNotice
from notices.selectors import penalty_notice_letter_subject
from notices.services.penalty import (
    NOT_YET_ISSUED,
    PenaltyNoticeRefused,
    penalty_notice_issue,
)

TEMPLATE = "letters/penalty_notice.html"
# The grounds on which the LA may withdraw a notice (Penalty Notices Regulations 2007, reg. 8; national framework).
WITHDRAWAL_GROUNDS = (
    "it ought not to have been issued, for example because it was not issued in line with the regulations, "
    "the national framework or the local authority's code of conduct",
    "it was issued to the wrong person",
    "it contains a material error",
)


def la_payment_site(notice: PenaltyNotice) -> str:
    """The LA's payment page: a fictional address per LA until an LA configures its own."""
    return f"https://pay.{slugify(notice.local_authority.name)}.example"


def _letter_context(notice: PenaltyNotice) -> dict:
    pupil, school = notice.pupil, notice.pupil.school
    site = la_payment_site(notice)
    return {
        "reference": notice.reference,
        "sequence": notice.sequence,
        "pupil_forename": pupil.forename,
        "pupil_date_of_birth": pupil.date_of_birth,
        "parent_ref": notice.parent.parent_ref,
        "offence_from": notice.offence_from,
        "offence_to": notice.offence_to,
        # The sessions the offence counts (2007 Regulations reg 3), as stored when the notice was drafted.
        "offence_sessions": [
            {"date": line.on, "session": line.session, "code": line.code, "meaning": line.meaning}
            for line in (offence_lines(notice.offence_record) if notice.offence_record_id else [])
        ],
        "threshold_first_met": notice.offence_record.first_met if notice.offence_record_id else None,
        "issued_on": notice.issued_on,
        "received_on": notice.received_on,
        "handed_over": notice.received_on == notice.issued_on,
        "amount_full": notice.amount_full,
        "amount_reduced": notice.amount_reduced,
        "reduced_by": notice.reduced_by,
        "full_by": notice.full_by,
        "full_days": rules.PN_FULL_DAYS,
        "reduced_days": rules.PN_REDUCED_DAYS,
        "payment_url": f"{site}/penalty-notices",
        "la_contact_url": f"{site}/contact",
        "la_code": notice.local_authority.code,
        "school_address": [line.strip() for line in school.address.replace(",", "\n").splitlines() if line.strip()],
        "withdrawal_grounds": list(WITHDRAWAL_GROUNDS),
    }


def penalty_notice_letter(*, notice: PenaltyNotice, by) -> Letter:
    """Makes the next version of the issued notice's letter to its parent (school staff or the LA's officer)."""
    if not (can_move_case(by, notice.pupil) or is_la_officer_of(by, notice.local_authority)):
        require(False, "make a penalty notice letter")
    if notice.state in NOT_YET_ISSUED or notice.issued_on is None:
        raise PenaltyNoticeRefused("The letter is made when the notice is issued: issue the notice first.")
    return letter_generate(
        template=TEMPLATE,
        title=f"Penalty notice {notice.reference}",
        pupil=notice.pupil,
        case=notice.case,
        parent=notice.parent,
        recipient=f"parent:{notice.parent_id}",
        subject_key=penalty_notice_letter_subject(notice),
        context=_letter_context(notice),
        by=by,
    )


@transaction.atomic
def penalty_notice_issue_with_letter(*, notice: PenaltyNotice, by, issued_on: date, posted: bool) -> Letter:
    """Issues the notice and makes its letter in one transaction: a notice is never issued without its letter."""
    issued = penalty_notice_issue(notice=notice, by=by, issued_on=issued_on, posted=posted)
    return penalty_notice_letter(notice=issued, by=by)
