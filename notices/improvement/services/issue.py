"""Issuing a notice to improve: the improvement period, its parents, the letter's content, the letters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases import facts, rules
from cases.audit import audit
from cases.formatting import long_date
from cases.models import Case, CaseState, EventKind, Parent, ParentalRelationship, Pupil
from cases.permissions import can_move_case, require
from cases.services import case_transition
from cases.services.chronology import case_event_record
from cases.services.offence import ThresholdNotMet, offence_record, offence_sentence
from notices.improvement.services.errors import (
    ImprovementPeriodRefused,
    IncompleteNotice,
    NoticeToImproveRefused,
)
from notices.improvement.services.offences import Offences, notice_to_improve_offences
from notices.letters.store import letter_generate, require_servable
from notices.models import Letter, NoticeToImprove, ServiceMethod

NTI_LETTER_TEMPLATE = "letters/notice_to_improve.html"
NTI_LETTER_TITLE = "Notice to improve"
ISSUE_TRANSITION = "issue_notice_to_improve"


def improvement_period_limits(issued_on: date) -> tuple[date, date]:
    """The first and last day the improvement period may end on: 3 and 6 weeks after the date of issue."""
    return (
        issued_on + timedelta(weeks=rules.NTI_MIN_IMPROVEMENT_WEEKS),
        issued_on + timedelta(weeks=rules.NTI_MAX_IMPROVEMENT_WEEKS),
    )


def improvement_period_check(issued_on: date, ends_on: date) -> None:
    """Refuses a period outside 3 to 6 weeks from the date of issue (also asked before the confirmation)."""
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
        "threshold_first_met": offences.first_met,
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
    service_method: str = ServiceMethod.POST,
    support_references: Iterable[str] = (),
) -> NoticeToImprove:
    """Issues a notice to improve: moves the case to that stage if it is not there yet, records the notice
    with the offence period it covers, and makes one letter per chosen parent, dated and served (by
    ``service_method``, post unless handed over) on the date of issue, from which the improvement period runs.
    ``support_references`` cite the records the support so far was drawn from ("meeting:12"): the chronology
    links them, and the letters keep the text as it was at issue."""
    pupil = case.pupil
    require(can_move_case(by, pupil), "issue a notice to improve")
    today = timezone.localdate()
    # A notice is recorded once it is issued: never dated after today.
    facts.happened(issued_on, what="The date of issue", today=today, field="issued_on")
    improvement_period_check(issued_on, improvement_period_ends_on)
    texts = {
        "support_so_far": support_so_far, "further_support": further_support,
        "sufficient_improvement": sufficient_improvement, "early_penalty_grounds": early_penalty_grounds,
    }
    _require_content(texts)
    if not reason.strip():
        raise NoticeToImproveRefused("Give the reason for the notice: it goes on the case's chronology.")
    for field, value in {**texts, "reason": reason}.items():
        label = WRITTEN_CONTENT.get(field, "the reason for the notice")
        facts.text(value, what=label[0].upper() + label[1:], field=field)
    chosen = _chosen_parents(pupil, parents)
    for parent in chosen:
        require_servable(parent=parent, method=service_method, what="the notice to improve")

    locked = _lock_case(case)
    if locked.state == CaseState.NOTICE_TO_IMPROVE:
        earlier = locked.notices_to_improve.order_by("-issued_on").first()
        if earlier is not None:
            raise NoticeToImproveRefused(
                f"This case already has a notice to improve, issued on {long_date(earlier.issued_on)}. "
                "Record its outcome, or the ground for an earlier penalty notice, instead."
            )
    # Computed and stored before the notice exists, so the sessions it covers are the ones not yet covered;
    # from here on the letter, the case page and the bundle read this record.
    try:
        record = offence_record(pupil=pupil, as_of=issued_on)
    except ThresholdNotMet as error:
        raise NoticeToImproveRefused(str(error)) from None
    offences = notice_to_improve_offences(pupil=pupil, as_of=issued_on, record=record)
    if locked.state != CaseState.NOTICE_TO_IMPROVE:
        # The ladder's guard checks the threshold and the support first, without this notice's coverage.
        locked = case_transition(case=locked, transition=ISSUE_TRANSITION, by=by, reason=reason, expected_state=locked.state)

    notice = NoticeToImprove.objects.create(
        case=locked,
        issued_on=issued_on,
        improvement_period_ends_on=improvement_period_ends_on,
        sufficient_improvement=sufficient_improvement.strip(),
        early_penalty_grounds=early_penalty_grounds.strip(),
        offence_from=record.offence_from,
        offence_to=record.offence_to,
        offence_record=record,
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
            letter_date=issued_on,
            service_method=service_method,
            served_on=issued_on,
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
            offence_sentence(record),
            f"Attendance this academic year to {long_date(issued_on)}: {offences.attendance_pct}% "
            f"({offences.attended_sessions} of {offences.possible_sessions} sessions)",
            f"Improvement period: {period_length(issued_on, improvement_period_ends_on)}, from "
            f"{long_date(issued_on)} to {long_date(improvement_period_ends_on)}",
            f"Sufficient improvement means: {notice.sufficient_improvement}",
            f"Grounds for an earlier penalty notice: {notice.early_penalty_grounds}",
            f"Support provided so far: {support_so_far.strip()}",
            f"Further support offered: {further_support.strip()}",
            *support_references,
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
