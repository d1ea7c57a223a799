""""My work": what waits for each person, contributed by each app, and the emails that say it arrived.

cases is the lowest app, so it only keeps the registries: each app registers its providers (what waits for
whom) and its email events in its ``AppConfig.ready``, and does its own queries in its own selectors, scoped
to the person's school or LA. A provider answers in a fixed number of queries whatever the number of items,
so the page and the header count cost the same for a school with 3 items or 300.

Two kinds of item: things that need action (a consideration to authorise, a question from the LA) stay
until the action is done; news (a decision arrived) stays until the person marks it as read
(``WorkNewsRead``), or until it is ``NEWS_FOR_DAYS`` old.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.db import connections, transaction
from django.db.models import Exists, OuterRef, QuerySet

# News older than this leaves the page even when unread: by then the case page and its chronology say it.
NEWS_FOR_DAYS = 30


@dataclass(frozen=True)
class WorkItem:
    """One line of a person's page: what it is about, what to do, and where to do it."""

    title: str  # "Amelia Hughes (Year 9)": shown on the page only, never in an email
    what: str  # "Penalty notice considerations recorded on 3 November 2026"
    url: str
    action: str = "Open"  # the link's words
    due_on: date | None = None
    overdue: bool = False
    news_kind: str = ""  # set for news: the kind and record a "Mark as read" button names
    news_id: int | None = None
    more: tuple[tuple[str, str], ...] = ()  # further links: (words, url)


@dataclass(frozen=True)
class WorkSection:
    key: str
    heading: str
    items: list[WorkItem]
    count: int  # what the header counts for this section (may exceed the items listed)
    intro: str = ""
    link: tuple[str, str] | None = None  # (words, url) to the full list
    news: bool = False
    truncated: bool = False  # the items are the first of ``count``: the link gives the rest


@dataclass(frozen=True)
class Provider:
    """One subject of "My work". ``applies(profile)`` says whose page it is on (from the role table, never a
    role name); ``section`` builds the section and ``count`` counts it, each in a fixed number of queries."""

    key: str
    heading: str
    order: int
    applies: Callable[[object], bool]
    section: Callable[..., WorkSection]  # (*, user, profile, today) -> WorkSection
    # Either the querysets whose rows the header counts (all providers' are counted in one query), or a
    # function that counts (for figures computed in Python, as the LA's inbox is).
    count: Callable[..., list[QuerySet] | int]  # (*, user, profile, today) -> querysets, or a number


_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    _PROVIDERS[provider.key] = provider
    return provider


def providers_for(profile) -> list[Provider]:
    if profile is None:
        return []
    return sorted((p for p in _PROVIDERS.values() if p.applies(profile)), key=lambda p: (p.order, p.key))


def my_work(*, user, today: date) -> list[WorkSection]:
    """The person's page: every section their role has, in order (empty ones too, to say nothing waits)."""
    profile = getattr(user, "staff", None)
    return [p.section(user=user, profile=profile, today=today) for p in providers_for(profile)]


def waiting_count(*, user, today: date) -> int:
    """The header's figure: the items of every section of the person's page. The querysets of every provider
    are counted together in one query, so the header costs the same whatever the role and the number of items."""
    profile = getattr(user, "staff", None)
    total, querysets = 0, []
    for provider in providers_for(profile):
        counted = provider.count(user=user, profile=profile, today=today)
        if isinstance(counted, int):
            total += counted
        else:
            querysets += counted
    return total + count_together(querysets)


def count_together(querysets: list[QuerySet]) -> int:
    """The rows of all ``querysets``, added up, in one query (a sum of scalar COUNT subqueries)."""
    if not querysets:
        return 0
    parts, params = [], []
    for queryset in querysets:
        sql, sql_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(sql_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(parts), params)
        return int(cursor.fetchone()[0] or 0)


# --- news, marked as read per person ---------------------------------------------------------------------

_NEWS_KINDS: set[str] = set()


def news_kind(kind: str) -> str:
    """Declares a kind of news (so a "mark as read" naming an unknown kind is refused)."""
    _NEWS_KINDS.add(kind)
    return kind


def is_news_kind(kind: str) -> bool:
    return kind in _NEWS_KINDS


def news_since(today: date) -> date:
    return today - timedelta(days=NEWS_FOR_DAYS)


def unread(queryset: QuerySet, *, user, kind: str) -> QuerySet:
    """``queryset`` less the records whose ``kind`` news this person has read (one subquery, no extra query)."""
    from cases.models import WorkNewsRead

    read = WorkNewsRead.objects.filter(user=user, kind=kind, object_id=OuterRef("pk"))
    return queryset.exclude(Exists(read))


# --- emails: "something arrived" -------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailChoice:
    """One line of the preferences page: a kind of email a person may switch off (all are on by default)."""

    key: str
    label: str
    applies: Callable[[object], bool]  # (profile) -> whether the person's role ever receives it


@dataclass(frozen=True)
class Announcement:
    """An email's contents. Never a pupil's or a parent's details: the school or LA, what arrived, a link."""

    recipient_ids: list[int]
    subject: str
    lines: list[str]
    path: str  # where to sign in and see it: "/my-work/" or a case page
    # What makes this email different from an earlier one about the same record (the time of the decision):
    # a retried task finds it already sent; a second question on the same request is a new email.
    stamp: str = ""


@dataclass(frozen=True)
class EmailEvent:
    name: str
    choice: str  # the EmailChoice key that switches it off
    message: Callable[[int], Announcement | None]  # (object id) -> the email, or None when nothing to say


EMAIL_CHOICES: dict[str, EmailChoice] = {}
EMAIL_EVENTS: dict[str, EmailEvent] = {}
_dispatch: list[Callable[[str, int], None]] = []


def register_email_choice(choice: EmailChoice) -> EmailChoice:
    EMAIL_CHOICES[choice.key] = choice
    return choice


def register_email_event(event: EmailEvent) -> EmailEvent:
    assert event.choice in EMAIL_CHOICES, f"register the choice {event.choice!r} first"
    EMAIL_EVENTS[event.name] = event
    return event


def set_dispatcher(dispatcher: Callable[[str, int], None]) -> None:
    """The app that sends emails (accounts) says how: a Celery task taking the event's name and an id."""
    _dispatch[:] = [dispatcher]


def announce(event: str, object_id: int) -> None:
    """Sends the event's email once the current transaction commits (nothing is sent for work rolled back)."""
    assert event in EMAIL_EVENTS or not EMAIL_EVENTS, f"unknown email event {event!r}"
    if _dispatch and event in EMAIL_EVENTS:
        transaction.on_commit(partial(_dispatch[0], event, object_id))


def choices_for(profile) -> list[EmailChoice]:
    return [choice for choice in EMAIL_CHOICES.values() if profile is not None and choice.applies(profile)]
