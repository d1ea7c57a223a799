"""The notices app's part of "My work": what the LA answered (for the school) and the LA's own inbox.

For the school's DSL and attendance officer: the LA's questions on penalty notice requests (they stay until
answered), and news that stays until marked as read: the LA's decisions on requests and referrals, a referral
returned or closed, penalty notices paid, and notices unpaid after their 28 days. For LA officers and the LA
manager: the figures of their inbox (``notices.la_work``, the same figures as the LA overview), each linking to
its list. Registered by ``NoticesConfig.ready``; each selector reads only the person's school or LA.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from cases import my_work, roles
from cases.formatting import long_date
from cases.my_work import Announcement, EmailChoice, EmailEvent, Provider, WorkItem, WorkSection
from cases.work_providers import la_staff_with, school_staff_with
from notices.penalty.models import PAID_STATES, PenaltyNotice, PenaltyNoticeState
from notices.review.referrals import ProsecutionReferral, ReferralConclusion
from notices.review.requests import PenaltyNoticeRequest, RequestDecision
from notices.review.services.flow_tasks import OPEN_TASK_STATES

NEWS_REQUEST_DECIDED = my_work.news_kind("pn_request.decided")
NEWS_REFERRAL_DECIDED = my_work.news_kind("referral.decided")
NEWS_REFERRAL_OUTCOME = my_work.news_kind("referral.outcome")
NEWS_NOTICE_PAID = my_work.news_kind("penalty_notice.paid")
NEWS_NOTICE_UNPAID = my_work.news_kind("penalty_notice.unpaid")


def _at_school(capability: str):
    return lambda profile: (profile is not None and profile.school_id is not None
                            and roles.has(profile.role, capability))


def _at_la(capability: str):
    return lambda profile: (profile is not None and profile.local_authority_id is not None
                            and roles.has(profile.role, capability))


# --- selectors: the school's side ----------------------------------------------------------------------------


def questions_waiting(*, school) -> QuerySet:
    """The open "school answers" tasks of the school's penalty notice requests: the LA asked, no answer yet."""
    from notices.flows import PenaltyNoticeRequestFlow as Flow

    return Flow.task_class.objects.filter(
        process__penaltynoticerequest__case__school=school, flow_task=Flow.answer, status__in=OPEN_TASK_STATES,
    )


def news_from_the_la(*, school, user, today: date) -> dict[str, QuerySet]:
    """Each kind of news for the school, recent and not yet read by this person (one query each)."""
    since = my_work.news_since(today)
    return {
        NEWS_REQUEST_DECIDED: my_work.unread(PenaltyNoticeRequest.objects.filter(
            case__school=school, decision__in=[RequestDecision.APPROVE, RequestDecision.REJECT],
            decided_at__date__gte=since), user=user, kind=NEWS_REQUEST_DECIDED),
        NEWS_REFERRAL_DECIDED: my_work.unread(ProsecutionReferral.objects.filter(
            case__school=school, decided_at__date__gte=since), user=user, kind=NEWS_REFERRAL_DECIDED),
        NEWS_REFERRAL_OUTCOME: my_work.unread(ProsecutionReferral.objects.filter(
            case__school=school, outcome_at__date__gte=since), user=user, kind=NEWS_REFERRAL_OUTCOME),
        NEWS_NOTICE_PAID: my_work.unread(PenaltyNotice.objects.filter(
            pupil__school=school, state__in=PAID_STATES, paid_on__gte=since), user=user, kind=NEWS_NOTICE_PAID),
        NEWS_NOTICE_UNPAID: my_work.unread(PenaltyNotice.objects.filter(
            pupil__school=school, state=PenaltyNoticeState.UNPAID, full_by__gte=since, full_by__lt=today),
            user=user, kind=NEWS_NOTICE_UNPAID),
    }


# --- sections: the school's side -----------------------------------------------------------------------------


def _questions_section(*, user, profile, today) -> WorkSection:
    tasks = (questions_waiting(school=profile.school)
             .select_related("process__penaltynoticerequest__case__pupil").order_by("created", "pk"))
    items = []
    for task in tasks:
        request = task.process.penaltynoticerequest
        question = request.exchanges[-1]["text"] if request.exchanges else request.decision_reasons
        items.append(WorkItem(
            title=str(request.case.pupil),
            what=f"Asked on {long_date(timezone.localtime(task.created))}: {question}",
            url=reverse("pn_requests:school_detail", kwargs={"case_pk": request.case_id, "pk": request.pk}),
            action="Answer",
        ))
    return WorkSection("la_questions", "Questions from the local authority", items, len(items),
                       intro="The local authority asked for more information on these penalty notice requests: "
                             "it decides once you answer.")


def _questions_count(*, user, profile, today) -> list[QuerySet]:
    return [questions_waiting(school=profile.school)]


def _news_section(*, user, profile, today) -> WorkSection:
    news = news_from_the_la(school=profile.school, user=user, today=today)
    items: list[tuple[object, WorkItem]] = []
    for request in news[NEWS_REQUEST_DECIDED].select_related("case__pupil"):
        decided = "approved" if request.decision == RequestDecision.APPROVE else "rejected"
        items.append((request.decided_at, WorkItem(
            title=str(request.case.pupil),
            what=f"Penalty notice request {decided} on {long_date(request.decided_at)}",
            url=reverse("pn_requests:school_detail", kwargs={"case_pk": request.case_id, "pk": request.pk}),
            action="Read the decision", news_kind=NEWS_REQUEST_DECIDED, news_id=request.pk)))
    for referral in news[NEWS_REFERRAL_DECIDED].select_related("case__pupil"):
        items.append((referral.decided_at, WorkItem(
            title=str(referral.case.pupil),
            what=f"Prosecution referral decided on {long_date(referral.decided_at)}: "
                 f"{referral.get_decision_display().lower()}",
            url=reverse("referrals:school_detail", kwargs={"case_pk": referral.case_id, "pk": referral.pk}),
            action="Read the decision", news_kind=NEWS_REFERRAL_DECIDED, news_id=referral.pk)))
    for referral in news[NEWS_REFERRAL_OUTCOME].select_related("case__pupil"):
        returned = referral.conclusion == ReferralConclusion.RETURN_TO_SCHOOL
        items.append((referral.outcome_at, WorkItem(
            title=str(referral.case.pupil),
            what=(f"Prosecution referral returned to the school with advice on {long_date(referral.outcome_at)}"
                  if returned else f"Prosecution referral concluded on {long_date(referral.outcome_at)}: "
                                   "the case was closed"),
            url=reverse("referrals:school_detail", kwargs={"case_pk": referral.case_id, "pk": referral.pk}),
            action="Read the advice" if returned else "Read the outcome",
            news_kind=NEWS_REFERRAL_OUTCOME, news_id=referral.pk)))
    for notice in news[NEWS_NOTICE_PAID].select_related("pupil"):
        items.append((notice.paid_on, WorkItem(
            title=str(notice.pupil), what=f"Penalty notice {notice.reference} paid on {long_date(notice.paid_on)}",
            url=_notice_url(notice), action="Open", news_kind=NEWS_NOTICE_PAID, news_id=notice.pk)))
    for notice in news[NEWS_NOTICE_UNPAID].select_related("pupil"):
        items.append((notice.full_by, WorkItem(
            title=str(notice.pupil),
            what=f"Penalty notice {notice.reference} unpaid: it was due by {long_date(notice.full_by)}",
            url=_notice_url(notice), action="Open", news_kind=NEWS_NOTICE_UNPAID, news_id=notice.pk)))
    items.sort(key=lambda pair: _as_date(pair[0]), reverse=True)
    listed = [item for _, item in items]
    return WorkSection("la_news", "News from the local authority", listed, len(listed), news=True,
                       intro="Decisions and payments of the last "
                             f"{my_work.NEWS_FOR_DAYS} days. Mark each as read once you have seen it.")


def _as_date(value) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _notice_url(notice: PenaltyNotice) -> str:
    if notice.case_id:
        return reverse("penalty_notices:case_notice", kwargs={"case_pk": notice.case_id, "pk": notice.pk})
    return reverse("pupil_detail", kwargs={"upn": notice.pupil.upn})


def _news_count(*, user, profile, today) -> list[QuerySet]:
    return list(news_from_the_la(school=profile.school, user=user, today=today).values())


# --- the LA's side ---------------------------------------------------------------------------------------


def _la_work(*, user, profile, today):
    from notices.la_work import la_work

    return la_work(local_authority=profile.local_authority, user=user, today=today)


def _la_section(*, user, profile, today) -> WorkSection:
    work = _la_work(user=user, profile=profile, today=today)
    code = profile.local_authority.code
    inbox = reverse("pn_requests:la_inbox", kwargs={"code": code})
    rows = [
        ("Penalty notice requests you have taken", work.requests_mine, inbox, 0),
        ("Penalty notice requests in the team's queue", work.requests_queue, inbox, work.requests_overdue),
        ("Prosecution referrals to decide", work.referrals_to_decide, inbox, work.referrals_overdue),
        ("Prosecution outcomes to record", work.referral_outcomes, inbox, 0),
        ("Notifications to acknowledge", work.notifications,
         reverse("interventions:la_notifications", kwargs={"code": code}), work.notifications_overdue),
        ("Penalty notice tasks", work.tasks, reverse("penalty_notices:la_list", kwargs={"code": code}),
         work.tasks_urgent),
    ]
    items = [
        WorkItem(title=label, what=f"{count} waiting" + (f", {late} overdue or urgent" if late else ""),
                 url=url, action="Open the list", overdue=bool(late))
        for label, count, url, late in rows if count
    ]
    return WorkSection("la_inbox", "The local authority's work", items, _la_total(work),
                       link=("The requests and referrals inbox", inbox))


def _la_total(work) -> int:
    return (work.requests_mine + work.requests_queue + work.referrals_to_decide + work.referral_outcomes
            + work.notifications + work.tasks)


def _la_count(*, user, profile, today) -> int:
    return _la_total(_la_work(user=user, profile=profile, today=today))


# --- emails ------------------------------------------------------------------------------------------------


def _school_email(school, subject: str, line: str, stamp) -> Announcement:
    return Announcement(
        recipient_ids=school_staff_with(school_id=school.pk, capability=roles.MOVE_CASE),
        subject=subject, lines=[f"{school.name}: {line}"], path=reverse("my_work"),
        stamp=stamp.isoformat() if stamp else "",
    )


def _request_decided_email(pk: int) -> Announcement | None:
    request = PenaltyNoticeRequest.objects.select_related("case__school").filter(pk=pk).first()
    if request is None or not request.decision:
        return None
    if request.decision == RequestDecision.MORE_INFORMATION:
        return _school_email(request.case.school, "The local authority asked a question about a penalty notice request",
                             "the local authority asked for more information on a penalty notice request. "
                             "It decides once the school answers.", request.decided_at)
    decided = "approved" if request.decision == RequestDecision.APPROVE else "rejected"
    return _school_email(request.case.school, f"The local authority {decided} a penalty notice request",
                         f"the local authority {decided} a penalty notice request.", request.decided_at)


def _referral_decided_email(pk: int) -> Announcement | None:
    referral = ProsecutionReferral.objects.select_related("case__school").filter(pk=pk).first()
    if referral is None or not referral.decision:
        return None
    return _school_email(referral.case.school, "The local authority decided on a prosecution referral",
                         "the local authority decided on a prosecution referral, with its reasons.", referral.decided_at)


def _referral_outcome_email(pk: int) -> Announcement | None:
    referral = ProsecutionReferral.objects.select_related("case__school").filter(pk=pk).first()
    if referral is None or not referral.conclusion:
        return None
    if referral.conclusion == ReferralConclusion.RETURN_TO_SCHOOL:
        return _school_email(referral.case.school, "The local authority returned a prosecution referral",
                             "the local authority returned a prosecution referral to the school, with advice.",
                             referral.outcome_at)
    return _school_email(referral.case.school, "The local authority concluded a prosecution referral",
                         "the local authority recorded the outcome of a prosecution referral and closed the case.",
                         referral.outcome_at)


def _arrived_email(model, what: str):
    def message(pk: int) -> Announcement | None:
        record = model.objects.select_related("case__school__local_authority").filter(pk=pk).first()
        if record is None:
            return None
        school = record.case.school
        return Announcement(
            recipient_ids=la_staff_with(local_authority_id=school.local_authority_id, capability=roles.LA_REVIEW),
            subject=f"A {what} has arrived from a school",
            lines=[f"{school.local_authority.name}: {school.name} sent a {what}. It waits in the team's queue."],
            path=reverse("my_work"),
        )
    return message


def register() -> None:
    my_work.register(Provider("la_questions", "Questions from the local authority", 30, _at_school(roles.MOVE_CASE),
                              _questions_section, _questions_count))
    my_work.register(Provider("la_news", "News from the local authority", 35, _at_school(roles.MOVE_CASE),
                              _news_section, _news_count))
    my_work.register(Provider("la_inbox", "The local authority's work", 10, _at_la(roles.LA_READ),
                              _la_section, _la_count))
    my_work.register_email_choice(EmailChoice(
        "la_replied", "The local authority decides, asks a question, or returns a referral",
        _at_school(roles.MOVE_CASE)))
    my_work.register_email_choice(EmailChoice(
        "la_work_arrived", "A penalty notice request or a prosecution referral arrives from a school",
        _at_la(roles.LA_REVIEW)))
    my_work.register_email_event(EmailEvent("pn_request_decided", "la_replied", _request_decided_email))
    my_work.register_email_event(EmailEvent("referral_decided", "la_replied", _referral_decided_email))
    my_work.register_email_event(EmailEvent("referral_outcome", "la_replied", _referral_outcome_email))
    my_work.register_email_event(EmailEvent("pn_request_arrived", "la_work_arrived",
                                            _arrived_email(PenaltyNoticeRequest, "penalty notice request")))
    my_work.register_email_event(EmailEvent("referral_arrived", "la_work_arrived",
                                            _arrived_email(ProsecutionReferral, "prosecution referral")))
