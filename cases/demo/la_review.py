"""Demo work waiting for the local authority: penalty notice requests and a prosecution referral.

The LA officer (``la_officer``) signs in to find Fenbridge Academy's requests in the team's queue (one past
the LA's service level), one she has taken, one waiting for the school's answer to her question, and a
prosecution referral with its evidence bundle. Each case climbs the ladder through the real services and
each request or referral is started and moved by the services that drive its viewflow process; the history
is then back-dated, as in casework.py, so the inbox counts sensible working days waiting.

The referral is dated today: its evidence bundle is a stored PDF that prints the moment it was made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max

from cases import ladder
from cases.demo.casework import Staff, _at, _climb, _Clock
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import Alert, Case, CaseEvent, CaseState, PenaltyNoticeConsideration, Pupil
from cases.services import case_open, case_transition, pn_consideration_authorise, pn_consideration_record
from cases.working_days import is_working_day, next_working_day
from interventions.models import AdjustmentReview
from notices.flows import PenaltyNoticeRequestFlow
from notices.improvement.services import notice_to_improve_record_outcome
from notices.models import NoticeToImprove, PenaltyNoticeState
from notices.review.referrals import ProsecutionReferral
from notices.review.requests import PenaltyNoticeRequest, RequestDecision
from notices.review.services.referrals import referral_start
from notices.review.services.requests import pn_request_assign, pn_request_decide, pn_request_start
from notices.selectors import liable_parent_links


@dataclass(frozen=True)
class Story:
    """One request, in working days before the demo's day: when it reached the LA, when the officer took it
    from the team's queue, and when she asked the school for more information (None: not yet)."""

    reached: int
    taken: int | None = None
    asked: int | None = None


# The default service level is 5 working days: 5 waiting is within it, 6 is overdue.
REQUESTS = (
    Story(reached=3),  # the team's queue
    Story(reached=7),  # the team's queue, overdue
    Story(reached=4, taken=2),  # the officer's own, being checked
    Story(reached=9, taken=8, asked=4),  # with the school, waiting for its answer
)
# Calendar days from the case's first alert to its request reaching the LA: the meeting, the contract, a
# notice to improve of four weeks (casework._climb), then the outcome, the considerations and the head.
STORY_DAYS = 72
# Pupils whose register does not allow a request stay at the notice to improve; at most this many.
SPARE_CASES = 3


def _before(day: date, working_days: int) -> date:
    """The day ``working_days`` working days before ``day`` (so that many have passed since by ``day``)."""
    while working_days:
        day -= timedelta(days=1)
        working_days -= is_working_day(day)
    return day


def _start(as_of: date, story: Story) -> date:
    """The working day the story's case begins: its alert raised, STORY_DAYS before the request reaches the LA."""
    start = _before(as_of, story.reached) - timedelta(days=STORY_DAYS)
    while not is_working_day(start):
        start -= timedelta(days=1)
    return start


def _clock(case: Case) -> _Clock:
    """A clock that back-dates only the chronology entries written from now on."""
    clock = _Clock(case)
    clock.stamped = CaseEvent.objects.filter(case=case).aggregate(last=Max("pk"))["last"] or 0
    return clock


def _names(parents) -> str:
    names = [str(parent) for parent in parents]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _question(pupil: Pupil, parents) -> str:
    if len(parents) > 1:
        return (f"You name {_names(parents)}. Please confirm that each has parental responsibility for, or care "
                f"of, {pupil.forename}, and the address each was sent the notice to improve at.")
    return (f"Please send the notes of any contact with {parents[0]} since the notice to improve ended, and say "
            "whether further support was offered: the chronology shows none.")


def _backdate_tasks(process, when: dict) -> None:
    """Moves each of the process's viewflow tasks to the story's times: ``when`` maps a node's name to when
    the task was created, assigned and done."""
    model = PenaltyNoticeRequestFlow.task_class
    for task in model.objects.filter(process_id=process.pk):
        created, assigned, done = when[task.flow_task.name]
        model.objects.filter(pk=task.pk).update(
            created=created, assigned=assigned if task.assigned else None,
            started=done if task.started else None, finished=done if task.finished else None,
        )


def _open(pupil: Pupil, alert: Alert, staff: Staff, start: date) -> Case:
    """Opens the pupil's case from its alert, as seed_casework does; the story begins when the alert was raised."""
    case = case_open(pupil=pupil, by=staff.dsl, reason=f"{alert.get_kind_display()}: {alert.detail}", alert=alert)
    Alert.objects.filter(pk=alert.pk).update(raised_on=start)
    return case


def _request(pupil: Pupil, alert: Alert, staff: Staff, as_of: date, story: Story,
             rng: random.Random) -> PenaltyNoticeRequest | None:
    """Walks a case up to the penalty notice stage and asks the LA for notices; returns the request, or None
    where the rules (read today, from the register) do not allow one and the case stops on the way."""
    dsl, officer = staff.dsl, staff.la_officer
    parents = [link.parent for link in liable_parent_links(pupil=pupil)]
    reached, start = _before(as_of, story.reached), _start(as_of, story)
    case = _climb(_open(pupil, alert, staff, start), staff, "nti", as_of, start, rng)
    notice = NoticeToImprove.objects.filter(case=case).first()
    if case.state != CaseState.NOTICE_TO_IMPROVE or notice is None:
        return None
    outcome_on = next_working_day(notice.improvement_period_ends_on)
    considered = next_working_day(outcome_on)
    authorised = next_working_day(considered)
    if authorised >= reached:  # the story does not fit (a long holiday): the case stays at the notice
        return None
    clock = _clock(case)
    notice_to_improve_record_outcome(
        notice=notice, by=dsl, improved=False,
        note="Unauthorised absence continued through the improvement period; the parents did not take up "
             "the support offered again in the notice.",
    )
    NoticeToImprove.objects.filter(pk=notice.pk).update(outcome_recorded_on=outcome_on)
    clock.stamp(outcome_on)
    AdjustmentReview.objects.filter(case=case).update(reviewed_on=outcome_on)  # the SENCo's, before the PN
    try:
        consideration = pn_consideration_record(
            case=case, by=dsl,
            why_penalty_notice_is_the_best_tool="The notice to improve and the support before it have not "
            "changed the pattern of unauthorised absence; the parents have not engaged.",
            alternatives_considered="A second notice to improve would repeat one that failed; an education "
            "supervision order is not proportionate while a penalty notice has not been tried.",
            equality_act_consideration=(
                "SEN support: the SENCo reviewed the reasonable adjustments during the case; none bears on "
                "the unauthorised absence." if pupil.has_send
                else "No disability or SEN; no reasonable adjustment bears on the absence."
            ),
        )
    except DomainError:  # the threshold is not met again since the notice to improve's offences
        return None
    PenaltyNoticeConsideration.objects.filter(pk=consideration.pk).update(recorded_at=_at(considered))
    clock.stamp(considered)
    pn_consideration_authorise(consideration=consideration, by=staff.head)
    PenaltyNoticeConsideration.objects.filter(pk=consideration.pk).update(authorised_at=_at(authorised, 9))
    clock.stamp(authorised)
    if not parents or not ladder.check(case, "request_penalty_notice").allowed:
        return None
    case = case_transition(case=case, transition="request_penalty_notice", by=dsl,
                           reason="Improvement period ended without sufficient improvement.")
    request = pn_request_start(
        case=case, by=dsl, parents=parents,
        reason=f"The notice to improve of {long_date(notice.issued_on)} ended on "
               f"{long_date(notice.improvement_period_ends_on)} without sufficient improvement. The headteacher "
               f"has authorised a penalty notice to {_names(parents)}; please issue it.",
    )
    clock.stamp(reached)
    reached_at, taken = _at(reached, 11), None
    times = {"start": (reached_at, reached_at, reached_at), "review": (reached_at, None, None)}
    if story.taken is not None:
        taken = _at(_before(as_of, story.taken), 9)
        pn_request_assign(request=request, by=officer)
        clock.stamp(taken.date())
        times["review"] = (reached_at, taken, None)
    if story.asked is not None:
        asked = _at(_before(as_of, story.asked), 11)
        pn_request_decide(request=request, by=officer, decision=RequestDecision.MORE_INFORMATION,
                          reasons=_question(pupil, parents))
        clock.stamp(asked.date())
        times.update(review=(reached_at, taken, asked), decision=(asked, None, asked), answer=(asked, None, None))
        request.refresh_from_db()
        PenaltyNoticeRequest.objects.filter(pk=request.pk).update(
            decided_at=asked, exchanges=[{**item, "at": asked.isoformat()} for item in request.exchanges]
        )
    PenaltyNoticeRequest.objects.filter(pk=request.pk).update(created=reached_at)
    _backdate_tasks(request, times)
    return request


def _unpaid_case(school) -> Case | None:
    """The school's case at the penalty notice stage whose notice went unpaid (casework._penalty_notices)."""
    return (
        Case.objects.filter(pupil__school=school, state=CaseState.PENALTY_NOTICE,
                            penalty_notices__state=PenaltyNoticeState.UNPAID)
        .distinct().order_by("pk").first()
    )


def _referral(case: Case, staff: Staff) -> ProsecutionReferral | None:
    """The school refers the case whose penalty notice went unpaid; its evidence bundle is made now."""
    if not ladder.check(case, "refer_for_prosecution").allowed:
        return None
    unpaid = case.penalty_notices.filter(state=PenaltyNoticeState.UNPAID).select_related("parent").order_by("pk")
    return referral_start(
        case=case, by=staff.dsl,
        reason=f"{_names(n.parent for n in unpaid)} did not pay the penalty notice within 28 days; a notice to "
               f"improve and the support before it were not taken up, and {case.pupil.forename}'s unauthorised "
               "absence continues.",
    )


def seed_la_review(*, school, staff: Staff, as_of: date, seed: int, candidates: list[tuple[Pupil, Alert]]) -> int:
    """The prosecution referral of the school's case whose notice went unpaid, and the penalty notice requests
    of REQUESTS from ``candidates`` (pupils who meet the threshold, worst first, with the alert a case opens
    from); returns how many cases it opened."""
    if staff.head is None or staff.la_officer is None:
        return 0  # only the headteacher authorises a request; only an LA officer takes one
    unpaid = _unpaid_case(school)
    if unpaid is not None:
        _referral(unpaid, staff)
    # The notice to improve (casework._climb, 35 days in) needs the threshold met by then, and a parent to name.
    pool = [
        (first_met, pupil, alert) for pupil, alert in candidates
        if (first_met := ladder.threshold_fact(pupil, as_of)[0]) is not None and liable_parent_links(pupil=pupil)
    ]
    rng, opened = random.Random(seed), 0
    # The longest story first: its notice to improve came soonest, so the fewest pupils fit it.
    for story in sorted(REQUESTS, key=lambda story: -story.reached):
        by = _start(as_of, story) + timedelta(days=35)
        while opened < len(REQUESTS) + SPARE_CASES:
            fits = next((entry for entry in pool if entry[0] <= by), None)
            if fits is None:
                break
            pool.remove(fits)
            request = _request(*fits[1:], staff, as_of, story, rng)
            opened += 1
            if request is not None:
                break
    return opened
