"""The penalty notice letter to the parent, made when the notice is issued and kept in the letter store.

What the letter says follows the Education (Penalty Notices) (England) Regulations 2007 and the
national framework (domain.md 3.5): who it is to, the pupil, the offence and its period, the amount
and the dates to pay by (the reduced rate for a first notice only), how to pay the LA, what happens
if it is not paid, the grounds for withdrawal, and whom to contact.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from cases import rules
from cases.models import LocalAuthority, PenaltyNoticeIssuer
from cases.permissions import can_move_case, is_la_officer_of, require
from cases.services.offence import offence_lines
from notices.letters.store import letter_generate
from notices.models import Letter, PenaltyNotice, PenaltyNoticeState, ProsecutionOutcome, ServiceMethod
from notices.penalty.services import (
    NOT_YET_ISSUED,
    PenaltyNoticeRefused,
    penalty_notice_issue,
)
from notices.selectors import penalty_notice_letter_subject

TEMPLATE = "letters/penalty_notice.html"
# The grounds on which the LA may withdraw a notice (Penalty Notices Regulations 2007, reg. 8; national framework).
WITHDRAWAL_GROUNDS = (
    "it ought not to have been issued, for example because it was not issued in line with the regulations, "
    "the national framework or the local authority's code of conduct",
    "it was issued to the wrong person",
    "it contains a material error",
)


def la_payment_site(notice: PenaltyNotice) -> str:
    """The LA's page for paying online, as configured in its settings ("" when it takes no online payments)."""
    return notice.local_authority.pay_online_url


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def payment_methods(local_authority: LocalAuthority) -> list[dict]:
    """Every way the LA takes payment, as its settings give them: the notice lists each one (reg 3)."""
    methods = []
    if local_authority.pay_online_url:
        methods.append({"how": "Online", "detail": local_authority.pay_online_url})
    if local_authority.pay_phone:
        methods.append({"how": "By phone", "detail": f"{local_authority.pay_phone} (debit or credit card)"})
    if local_authority.pay_post_address.strip():
        payee = local_authority.pay_cheque_payee or local_authority.name
        methods.append({
            "how": "By post",
            "detail": f"a cheque or postal order payable to “{payee}”, with the reference written on the back, to "
            + ", ".join(_lines(local_authority.pay_post_address)),
        })
    return methods


def _require_la_particulars(local_authority: LocalAuthority) -> None:
    missing = []
    if not local_authority.address.strip():
        missing.append("its postal address for correspondence")
    if not payment_methods(local_authority):
        missing.append("at least one way to pay (online, by phone or by post)")
    if missing:
        raise PenaltyNoticeRefused(
            f"A penalty notice must give the name and address of {local_authority.name} and every way to pay it, "
            f"but the local authority's settings lack {' and '.join(missing)}. An administrator adds them to "
            f"{local_authority.name}'s settings (Local authorities, in the admin); then issue the notice."
        )


def _issuer(notice: PenaltyNotice, by) -> dict:
    """In whose name the notice is issued (reg 3: the authorised officer's name and official particulars): the
    officer who issued it; by the LA's code of conduct, the LA itself or a headteacher it authorises."""
    officer = notice.issued_by or by
    profile = getattr(officer, "staff", None)
    if profile is not None:
        on_behalf_of_la = profile.is_la_staff
    else:
        on_behalf_of_la = notice.local_authority.pn_issued_by() == PenaltyNoticeIssuer.LA
    return {
        "issued_by_la": on_behalf_of_la,
        "issuer_name": officer.get_full_name() or officer.get_username(),
        "issuer_position": profile.position if profile is not None else "",
    }


def _first_notice(notice: PenaltyNotice) -> dict | None:
    """The earlier notice that made this a second one: counted as on the date of issue (a withdrawal after it
    does not change what the notice said)."""
    if notice.sequence != 2 or notice.issued_on is None:
        return None
    earlier = [
        rules.EarlierNotice(
            reference, issued_on,
            withdrawn=state == PenaltyNoticeState.WITHDRAWN and (withdrawn_on is None or withdrawn_on <= notice.issued_on),
            acquitted=outcome == ProsecutionOutcome.NOT_GUILTY,
        )
        for reference, issued_on, state, withdrawn_on, outcome in PenaltyNotice.objects.filter(
            pupil=notice.pupil, parent=notice.parent, issued_on__isnull=False,
        ).exclude(pk=notice.pk).exclude(state__in=NOT_YET_ISSUED).values_list(
            "reference", "issued_on", "state", "withdrawn_on", "prosecution_outcome")
    ]
    counted = rules.counted_notices(earlier, on=notice.issued_on)
    if not counted:
        return None
    return {"reference": counted[0].reference, "issued_on": counted[0].issued_on}


def _letter_context(notice: PenaltyNotice, by) -> dict:
    pupil, school, la = notice.pupil, notice.pupil.school, notice.local_authority
    parent = notice.parent
    return {
        "reference": notice.reference,
        "sequence": notice.sequence,
        "first_notice": _first_notice(notice),
        "pupil_forename": pupil.forename,
        "pupil_date_of_birth": pupil.date_of_birth,
        # The child's address (reg 3): the home of a parent the pupil lives with, when one is on record.
        "pupil_address": next(
            (_lines(link.parent.address) for link in pupil.parent_links.select_related("parent").order_by("pk")
             if link.lives_with_pupil and link.parent.address.strip()),
            [],
        ),
        "parent_ref": parent.parent_ref,
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
        "payment_methods": payment_methods(la),
        "la_code": la.code,
        "la_address": _lines(la.address),
        "la_phone": la.phone,
        "la_email": la.email,
        "school_address": _lines(school.address),
        "withdrawal_grounds": list(WITHDRAWAL_GROUNDS),
        **_issuer(notice, by),
    }


def penalty_notice_letter(*, notice: PenaltyNotice, by) -> Letter:
    """Makes the next version of the issued notice's letter to its parent (school staff or the LA's officer)."""
    if not (can_move_case(by, notice.pupil) or is_la_officer_of(by, notice.local_authority)):
        require(False, "make a penalty notice letter")
    if notice.state in NOT_YET_ISSUED or notice.issued_on is None:
        raise PenaltyNoticeRefused("The letter is made when the notice is issued: issue the notice first.")
    _require_la_particulars(notice.local_authority)
    # Served as issued: a posted notice is treated as received later, one handed over the same day. The letter
    # is dated, and served, on the date of issue.
    method = ServiceMethod.HAND if notice.received_on == notice.issued_on else ServiceMethod.POST
    return letter_generate(
        template=TEMPLATE,
        title=f"Penalty notice {notice.reference}",
        pupil=notice.pupil,
        case=notice.case,
        parent=notice.parent,
        recipient=f"parent:{notice.parent_id}",
        subject_key=penalty_notice_letter_subject(notice),
        context=_letter_context(notice, by),
        by=by,
        letter_date=notice.issued_on,
        service_method=method,
        served_on=notice.issued_on,
    )


@transaction.atomic
def penalty_notice_issue_with_letter(*, notice: PenaltyNotice, by, issued_on: date, posted: bool) -> Letter:
    """Issues the notice and makes its letter in one transaction: a notice is never issued without its letter."""
    issued = penalty_notice_issue(notice=notice, by=by, issued_on=issued_on, posted=posted)
    return penalty_notice_letter(notice=issued, by=by)
