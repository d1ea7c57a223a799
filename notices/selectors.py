"""Every non-trivial read of the penalty notice screens, scoped to what the signed-in person may see.

School staff reach a notice through its case (another school's case is 404); an LA attendance
officer reaches the notices of their own LA only (another LA's is 404, school staff get 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.utils import timezone

from cases import rules
from cases.models import Case, LocalAuthority, ParentalRelationship, Pupil, School
from cases.selectors import case_for_user, local_authority_for_user
from cases.services.offence import case_offence, offence_compute, offence_lines, offence_sentence
from notices.models import Letter, OfficerTask, PenaltyNotice, PenaltyNoticeState
from notices.penalty.services import penalty_notice_terms_for

# The order the LA's list shows notices in: what needs the officer first, settled ones last.
STATE_ORDER = [
    PenaltyNoticeState.UNPAID,
    PenaltyNoticeState.PROSECUTED,
    PenaltyNoticeState.ISSUED,
    PenaltyNoticeState.LA_CONSULTED,
    PenaltyNoticeState.DRAFT,
    PenaltyNoticeState.PAID_REDUCED,
    PenaltyNoticeState.PAID_FULL,
    PenaltyNoticeState.WITHDRAWN,
]
LETTER_SUBJECT_PREFIX = "penalty_notice:"


def penalty_notice_letter_subject(notice: PenaltyNotice) -> str:
    """The letter store's subject key of a notice's letter: every version of it shares this key."""
    return f"{LETTER_SUBJECT_PREFIX}{notice.pk}"


# --- the school's side ------------------------------------------------------------------------------


def liable_parent_links(*, pupil: Pupil) -> list[ParentalRelationship]:
    """The pupil's parents under s576 (parental responsibility or care of the child): each may get a notice."""
    return list(
        ParentalRelationship.objects.filter(pupil=pupil)
        .exclude(parental_responsibility=False, lives_with_pupil=False)
        .select_related("parent")
        .order_by("-lives_with_pupil", "-parental_responsibility", "parent__surname", "parent__forename")
    )


def case_penalty_notice_for_user(*, user, case_pk: int, pk: int) -> PenaltyNotice:
    """A notice on a case the user may read; the case is checked first, so another school's is 404."""
    case = case_for_user(user=user, pk=case_pk)
    try:
        notice = PenaltyNotice.objects.select_related("parent", "local_authority").get(pk=pk, case=case)
    except PenaltyNotice.DoesNotExist:
        raise Http404("No such penalty notice on this case.") from None
    notice.case, notice.pupil = case, case.pupil
    return notice


def case_penalty_notices(*, case: Case) -> list[PenaltyNotice]:
    return list(case.penalty_notices.select_related("parent").order_by("created_at", "pk"))


def penalty_notice_letters(*, notice: PenaltyNotice) -> list[Letter]:
    """The notice's letters, newest version first, without the PDF bytes."""
    return list(
        Letter.objects.filter(subject_key=penalty_notice_letter_subject(notice))
        .defer("pdf", "context")
        .order_by("-version")
    )


@dataclass(frozen=True)
class ParentTerms:
    link: ParentalRelationship
    terms: rules.PenaltyTerms


def terms_by_parent(*, pupil: Pupil, links: list[ParentalRelationship], on: date) -> list[ParentTerms]:
    """For each liable parent, the terms a notice issued on ``on`` would have (or why it would be refused)."""
    return [ParentTerms(link, penalty_notice_terms_for(pupil=pupil, parent=link.parent, on=on)) for link in links]


@dataclass(frozen=True)
class OffencePeriodDefault:
    offence_from: date
    offence_to: date
    threshold_met_on: date
    sessions: int
    wording: str
    offence: object = None  # the rules.Offence or stored cases.Offence it was read from
    lines: tuple = ()  # its sessions, for the page to list


def default_offence_period(*, pupil: Pupil, today: date, case=None) -> OffencePeriodDefault | None:
    """The offence a new notice on this case rests on, from the one computation of cases.services.offence:
    after a failed notice to improve, the offence that notice stored; otherwise the window in which the
    threshold was first met this academic year. None when the threshold is not met."""
    found = case_offence(case=case, as_of=today) if case is not None else offence_compute(pupil=pupil, as_of=today)
    if found is None:
        return None
    return OffencePeriodDefault(
        found.offence_from, found.offence_to, found.first_met, len(found.sessions), offence_sentence(found),
        offence=found, lines=tuple(offence_lines(found)),
    )


# --- the local authority's side ---------------------------------------------------------------------


def la_penalty_notices(
    *, local_authority: LocalAuthority, school_urn: str = "", state: str = ""
) -> list[PenaltyNotice]:
    """The LA's notices for its list: each with its pupil, school and parent, ordered by what needs doing."""
    notices = PenaltyNotice.objects.filter(local_authority=local_authority).select_related(
        "pupil__school", "parent"
    )
    if school_urn:
        notices = notices.filter(pupil__school__urn=school_urn)
    if state:
        notices = notices.filter(state=state)
    rank = {value: n for n, value in enumerate(STATE_ORDER)}
    return sorted(
        notices,
        key=lambda n: (rank.get(n.state, len(rank)), n.full_by or date.max, n.reference),
    )


def la_schools(*, local_authority: LocalAuthority) -> QuerySet[School]:
    return School.objects.filter(local_authority=local_authority).order_by("name")


def open_officer_tasks(*, local_authority: LocalAuthority, notice: PenaltyNotice | None = None) -> list[OfficerTask]:
    """The LA officer's open tasks, urgent first (a paid notice must never be prosecuted), oldest next."""
    tasks = OfficerTask.objects.filter(local_authority=local_authority, done_at__isnull=True).select_related(
        "notice__pupil__school", "notice__parent"
    )
    if notice is not None:
        tasks = tasks.filter(notice=notice)
    return list(tasks.order_by("-urgent", "created_at", "pk"))


def la_penalty_notice_for_user(*, user, code: str, pk: int) -> PenaltyNotice:
    """A notice of the LA the user is an officer of: school staff get 403, another LA's officer 404."""
    local_authority = local_authority_for_user(user=user, code=code)
    try:
        return PenaltyNotice.objects.select_related("pupil__school", "parent", "case", "local_authority").get(
            pk=pk, local_authority=local_authority
        )
    except PenaltyNotice.DoesNotExist:
        raise Http404("No such penalty notice in your local authority.") from None


def officer_task_for_user(*, user, code: str, pk: int) -> OfficerTask:
    local_authority = local_authority_for_user(user=user, code=code)
    try:
        return OfficerTask.objects.select_related("notice__pupil__school", "notice__parent").get(
            pk=pk, local_authority=local_authority
        )
    except OfficerTask.DoesNotExist:
        raise Http404("No such task in your local authority.") from None


def penalty_register(*, local_authority: LocalAuthority) -> QuerySet[PenaltyNotice]:
    """The LA's register of penalty notices (Penalty Notices Regulations): one row per notice, in one query,
    with the sha256 of the latest version of the notice's letter when one was made here."""
    latest_letter = (
        Letter.objects.filter(
            subject_key=Concat(Value(LETTER_SUBJECT_PREFIX), Cast(OuterRef("pk"), CharField()),
                               output_field=CharField())
        )
        .order_by("-version", "-pk")
        .values("sha256")[:1]
    )
    return (
        PenaltyNotice.objects.filter(local_authority=local_authority)
        .select_related("pupil__school", "parent")
        .annotate(letter_sha256=Subquery(latest_letter, output_field=CharField()))
        .order_by(F("issued_on").asc(nulls_last=True), "reference")
    )


# --- penalty notice requests (notices.flows) --------------------------------------------------------------


@dataclass(frozen=True)
class RequestInbox:
    mine: list
    queue: list
    with_school: list


def _waiting(task, *, today: date, level: int, decision: bool) -> None:
    """Puts on the task the working days it has waited (since its step began: the request reached the LA, or
    the school last answered) and, for a decision the LA owes, whether that is past the LA's service level."""
    since = timezone.localdate(task.created)
    task.working_days_waiting = rules.working_days_waiting(since, today)
    task.overdue = decision and rules.past_service_level(since, today, level)


def la_request_inbox(*, local_authority: LocalAuthority, user, today: date | None = None,
                     school_urn: str = "") -> RequestInbox:
    """The officer's own review tasks, the team's unassigned queue oldest first, and those with the schools;
    each with its working days waiting and whether it is overdue. ``school_urn`` keeps one school's."""
    from viewflow.workflow import STATUS

    from notices.flows import PenaltyNoticeRequestFlow as Flow

    today, level = today or timezone.localdate(), local_authority.conduct().la_response_days
    tasks = (
        Flow.task_class.objects.filter(
            process__penaltynoticerequest__case__school__local_authority=local_authority,
            flow_task__in=[Flow.review, Flow.answer], status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
        )
        .select_related("owner", "process__penaltynoticerequest__case__pupil__school")
        .order_by("created", "pk")
    )
    if school_urn:
        tasks = tasks.filter(process__penaltynoticerequest__case__school__urn=school_urn)
    mine, queue, with_school = [], [], []
    for task in tasks:
        task.request = task.process.penaltynoticerequest
        _waiting(task, today=today, level=level, decision=task.flow_task == Flow.review)
        if task.flow_task == Flow.answer:
            with_school.append(task)
        elif task.owner_id is None:
            queue.append(task)
        elif task.owner_id == user.pk:
            mine.append(task)
    return RequestInbox(mine, queue, with_school)


def decisions_past_service_level(*, local_authority: LocalAuthority, today: date) -> tuple[int, int]:
    """How many penalty notice requests and prosecution referrals wait for the LA's decision longer than its
    service level, counted on the same clock as the inboxes (the review task's start: a request the school
    has just answered starts again), so the beat task and the officer's screen never disagree."""
    from viewflow.workflow import STATUS

    from notices.flows import PenaltyNoticeRequestFlow, ProsecutionReferralFlow

    level = local_authority.conduct().la_response_days
    counts = []
    for flow, link in ((PenaltyNoticeRequestFlow, "penaltynoticerequest"), (ProsecutionReferralFlow,
                                                                            "prosecutionreferral")):
        started = flow.task_class.objects.filter(
            **{f"process__{link}__case__school__local_authority": local_authority},
            flow_task=flow.review, status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
        ).values_list("created", flat=True)
        counts.append(sum(1 for at in started if rules.past_service_level(timezone.localdate(at), today, level)))
    return counts[0], counts[1]


@dataclass(frozen=True)
class ReferralInbox:
    mine: list
    queue: list


def la_referral_inbox(*, local_authority: LocalAuthority, user, today: date | None = None,
                      school_urn: str = "") -> ReferralInbox:
    """The officer's own prosecution referrals (to decide, or to record the outcome of), and the team's
    unassigned queue oldest first; each with its working days waiting, and overdue when the decision waits
    past the LA's service level (the outcome follows the court, so it is never overdue)."""
    from viewflow.workflow import STATUS

    from notices.flows import ProsecutionReferralFlow as Flow

    today, level = today or timezone.localdate(), local_authority.conduct().la_response_days
    tasks = (
        Flow.task_class.objects.filter(
            process__prosecutionreferral__case__school__local_authority=local_authority,
            flow_task__in=[Flow.review, Flow.outcome], status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
        )
        .select_related("owner", "process__prosecutionreferral__case__pupil__school")
        .order_by("created", "pk")
    )
    if school_urn:
        tasks = tasks.filter(process__prosecutionreferral__case__school__urn=school_urn)
    mine, queue = [], []
    for task in tasks:
        task.referral = task.process.prosecutionreferral
        _waiting(task, today=today, level=level, decision=task.flow_task == Flow.review)
        if task.owner_id is None:
            queue.append(task)
        elif task.owner_id == user.pk:
            mine.append(task)
    return ReferralInbox(mine, queue)
