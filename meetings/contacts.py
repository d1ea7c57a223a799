"""How a contact with the family is worded: one function for the case page, the chronology and the bundle.

Every place that shows a contact reads ``contact_row`` (or ``contact_summary`` for the chronology line), so
the case page and the evidence bundle an LA officer or a court reads say the same thing in the same words.
"""

from __future__ import annotations

from cases.formatting import clock_time, long_date
from meetings.models import Contact, ContactMethod

# How each way of making contact starts a sentence: "Phone call with Jane Smith (mother)".
METHOD_PHRASES = {
    ContactMethod.PHONE: "Phone call with",
    ContactMethod.LETTER: "Letter to",
    ContactMethod.EMAIL: "Email to",
    ContactMethod.HOME_VISIT: "Home visit to",
    ContactMethod.MEETING: "Meeting with",
}
# CaseEvent.summary holds 300 characters; a name and a role of 200 each could pass it.
SUMMARY_MAX = 300


def with_whom(contact: Contact) -> str:
    """ "Jane Smith (mother)", or the name alone when no relationship or role is recorded."""
    return f"{contact.with_name} ({contact.with_role})" if contact.with_role else contact.with_name


def when(contact: Contact) -> str:
    """ "3 October 2026, 9:15am"."""
    return f"{long_date(contact.made_at)}, {clock_time(contact.made_at)}"


def follow_up(contact: Contact) -> str:
    """What follows and by when: "Ring again (by 8 October 2026)", "By 8 October 2026", or "None"."""
    text = contact.follow_up.strip()
    if contact.follow_up_on is not None:
        by = f"by {long_date(contact.follow_up_on)}"
        return f"{text} ({by})" if text else by[:1].upper() + by[1:]
    return text or "None"


def contact_summary(contact: Contact) -> str:
    """The contact's line on the chronology: "Phone call with Jane Smith (mother): no answer"."""
    line = f"{METHOD_PHRASES[ContactMethod(contact.method)]} {with_whom(contact)}: {contact.get_outcome_display().lower()}"
    return line if len(line) <= SUMMARY_MAX else line[: SUMMARY_MAX - 1] + "…"


def contact_row(contact: Contact) -> dict[str, str]:
    """The contact as the case page and the bundle print it: plain strings (the bundle stores them as JSON)."""
    maker = contact.made_by
    profile = getattr(maker, "staff", None)
    made_by = maker.get_full_name() or maker.get_username()
    if profile is not None and profile.position:
        made_by += f", {profile.position}"
    return {
        "when": when(contact),
        "method": contact.get_method_display(),
        "with_whom": with_whom(contact),
        "outcome": contact.get_outcome_display(),
        "summary": contact.summary,
        "follow_up": follow_up(contact),
        "made_by": made_by,
    }
