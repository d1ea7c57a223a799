"""The cases app's part of "My work": the headteacher's authorisations, her answers for the DSL, stale N codes.

Registered by ``CasesConfig.ready``. Each selector reads only the person's own school, in one query.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from cases import my_work, roles
from cases.formatting import long_date
from cases.models import Alert, AlertKind, CaseState, PenaltyNoticeConsideration, StaffProfile
from cases.my_work import Announcement, EmailChoice, EmailEvent, Provider, WorkItem, WorkSection

# A stale N section lists this many pupils; the count and the link to the alerts give the rest.
STALE_N_LISTED = 50

NEWS_DECLINED = my_work.news_kind("pn_consideration.declined")
NEWS_AUTHORISED = my_work.news_kind("pn_consideration.authorised")


def holds(capability: str):
    """``applies`` for a provider or an email choice: the person's role holds ``capability``."""
    return lambda profile: profile is not None and roles.has(profile.role, capability)


def school_staff_with(*, school_id: int, capability: str) -> list[int]:
    """The ids of a school's active staff whose role holds ``capability``: who an email about the school goes to."""
    return list(StaffProfile.objects.filter(
        school_id=school_id, role__in=roles.roles_with(capability), user__is_active=True,
    ).values_list("user_id", flat=True))


def la_staff_with(*, local_authority_id: int, capability: str) -> list[int]:
    return list(StaffProfile.objects.filter(
        local_authority_id=local_authority_id, role__in=roles.roles_with(capability), user__is_active=True,
    ).values_list("user_id", flat=True))


# --- selectors ---------------------------------------------------------------------------------------------


def considerations_waiting(*, school) -> QuerySet[PenaltyNoticeConsideration]:
    """The latest considerations of each open case of the school that the headteacher has not yet answered."""
    later = PenaltyNoticeConsideration.objects.filter(case=OuterRef("case"), recorded_at__gt=OuterRef("recorded_at"))
    return (PenaltyNoticeConsideration.objects
            .filter(case__school=school, authorised_at__isnull=True, declined_at__isnull=True)
            .exclude(case__state=CaseState.CLOSED).exclude(Exists(later)))


def considerations_answered(*, school, user, today: date, declined: bool) -> QuerySet[PenaltyNoticeConsideration]:
    """The headteacher's recent answers on the school's considerations that this person has not marked as read."""
    since = my_work.news_since(today)
    if declined:
        answered = PenaltyNoticeConsideration.objects.filter(case__school=school, declined_at__date__gte=since)
        return my_work.unread(answered, user=user, kind=NEWS_DECLINED)
    answered = PenaltyNoticeConsideration.objects.filter(case__school=school, authorised_at__date__gte=since)
    return my_work.unread(answered, user=user, kind=NEWS_AUTHORISED)


def stale_n_alerts(*, school) -> QuerySet[Alert]:
    return Alert.objects.filter(school=school, kind=AlertKind.STALE_N, resolved_at__isnull=True)


# --- sections ----------------------------------------------------------------------------------------------


def _authorise_section(*, user, profile, today) -> WorkSection:
    rows = list(considerations_waiting(school=profile.school).select_related("case__pupil", "recorded_by")
                .order_by("recorded_at", "pk"))
    items = [
        WorkItem(
            title=str(c.case.pupil),
            what=f"Penalty notice considerations recorded on {long_date(c.recorded_at)} by "
                 f"{c.recorded_by.get_full_name() or c.recorded_by.get_username()}",
            url=reverse("pn_consideration_authorise", kwargs={"pk": c.case_id, "consideration_pk": c.pk}),
            action="Authorise",
            more=(("Decline", reverse("pn_consideration_decline", kwargs={"pk": c.case_id, "consideration_pk": c.pk})),
                  ("Read the case", reverse("case_detail", kwargs={"pk": c.case_id}))),
        )
        for c in rows
    ]
    return WorkSection("pn_authorise", "Penalty notice requests to authorise", items, len(items),
                       intro="Read each case's considerations, then authorise the request or decline it with "
                             "your reasons.")


def _authorise_count(*, user, profile, today) -> list[QuerySet]:
    return [considerations_waiting(school=profile.school)]


def _answers_section(*, user, profile, today) -> WorkSection:
    items = []
    for declined in (True, False):
        for c in considerations_answered(school=profile.school, user=user, today=today, declined=declined) \
                .select_related("case__pupil", "declined_by", "authorised_by"):
            items.append(WorkItem(
                title=str(c.case.pupil),
                what=(f"Penalty notice request declined by the headteacher on {long_date(c.declined_at)}: "
                      f"{c.decline_reason}") if declined else
                     f"Penalty notice request authorised by the headteacher on {long_date(c.authorised_at)}",
                url=reverse("case_detail", kwargs={"pk": c.case_id}), action="Open the case",
                news_kind=NEWS_DECLINED if declined else NEWS_AUTHORISED, news_id=c.pk,
            ))
    return WorkSection("pn_answers", "The headteacher's answers", items, len(items), news=True)


def _answers_count(*, user, profile, today) -> list[QuerySet]:
    return [considerations_answered(school=profile.school, user=user, today=today, declined=d) for d in (True, False)]


def _stale_n_section(*, user, profile, today) -> WorkSection:
    alerts = stale_n_alerts(school=profile.school)
    listed = list(alerts.select_related("pupil").order_by("raised_on", "pk")[:STALE_N_LISTED])
    count = len(listed) if len(listed) < STALE_N_LISTED else alerts.count()
    items = [
        WorkItem(title=str(a.pupil), what=a.detail or a.get_kind_display(), due_on=a.raised_on,
                 url=reverse("pupil_detail", kwargs={"upn": a.pupil.upn}), action="Open the register")
        for a in listed
    ]
    link = ("Resolve stale N codes", reverse("register_stale_n", kwargs={"urn": profile.school.urn}))
    return WorkSection("stale_n", "N codes not resolved", items, count, link=link, truncated=count > len(items),
                       intro="Sessions still marked N (reason not yet provided) after "
                             f"{my_work_figures()['n_resolve_school_days']} school days: find the reason and "
                             "amend the register.")


def my_work_figures() -> dict:
    from cases.context_processors import figures

    return figures()["figures"]


def _stale_n_count(*, user, profile, today) -> list[QuerySet]:
    return [stale_n_alerts(school=profile.school)]


def _at_school(capability: str):
    check = holds(capability)
    return lambda profile: profile is not None and profile.school_id is not None and check(profile)


# --- emails ------------------------------------------------------------------------------------------------


def _consideration(pk: int) -> PenaltyNoticeConsideration | None:
    return PenaltyNoticeConsideration.objects.select_related("case__school").filter(pk=pk).first()


def _waiting_email(pk: int) -> Announcement | None:
    consideration = _consideration(pk)
    if consideration is None or not consideration.is_waiting:
        return None
    school = consideration.case.school
    return Announcement(
        recipient_ids=school_staff_with(school_id=school.pk, capability=roles.AUTHORISE_PN),
        subject="A penalty notice request waits for your authorisation",
        lines=[f"{school.name}: penalty notice considerations have been recorded on a case and wait for the "
               "headteacher to authorise the request or decline it."],
        path=reverse("my_work"),
    )


def _declined_email(pk: int) -> Announcement | None:
    consideration = _consideration(pk)
    if consideration is None or not consideration.is_declined:
        return None
    school = consideration.case.school
    return Announcement(
        recipient_ids=school_staff_with(school_id=school.pk, capability=roles.MOVE_CASE),
        subject="The headteacher declined a penalty notice request",
        lines=[f"{school.name}: the headteacher declined a penalty notice request, with reasons. "
               "The reasons are on the case."],
        path=reverse("my_work"),
    )


def register() -> None:
    my_work.register(Provider("pn_authorise", "Penalty notice requests to authorise", 10,
                              _at_school(roles.AUTHORISE_PN), _authorise_section, _authorise_count))
    my_work.register(Provider("pn_answers", "The headteacher's answers", 40,
                              _at_school(roles.MOVE_CASE), _answers_section, _answers_count))
    my_work.register(Provider("stale_n", "N codes not resolved", 80,
                              _at_school(roles.MOVE_CASE), _stale_n_section, _stale_n_count))
    my_work.register_email_choice(EmailChoice(
        "pn_consideration_waiting", "A penalty notice request waits for my authorisation",
        _at_school(roles.AUTHORISE_PN)))
    my_work.register_email_choice(EmailChoice(
        "pn_consideration_declined", "The headteacher declines a penalty notice request",
        _at_school(roles.MOVE_CASE)))
    my_work.register_email_event(EmailEvent("pn_consideration_waiting", "pn_consideration_waiting", _waiting_email))
    my_work.register_email_event(EmailEvent("pn_consideration_declined", "pn_consideration_declined",
                                            _declined_email))
