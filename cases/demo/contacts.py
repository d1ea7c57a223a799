"""Demo contacts with the family: the calls, letters, emails and home visits behind each demo case.

The practice follows the schools' attendance policies (shared/policies): a call on the first day of
unexplained absence and again later that day, a letter home when the calls reach nobody or the pattern goes
on, a home visit when the family cannot be reached, a word with the pupil in school. A family that engages
answers; a family heading for a notice to improve mostly does not. Each case's story is drawn from its own
seeded generator (named by the pupil's UPN), so the demo is the same every time and the rest of the demo's
random choices are not disturbed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cases.models import Case, EventKind, ParentalRelationship
from cases.services.chronology import case_event_record
from meetings.contacts import contact_summary
from meetings.models import Contact, ContactMethod, ContactOutcome

REASONS_GIVEN = [
    "{forename} had a migraine overnight and is sleeping it off; will be in tomorrow.",
    "Overslept after a late night; {parent} is at work and could not get {forename} up.",
    "{forename} says stomach ache again. Agreed {parent} will bring a note from the GP.",
    "{parent} said {forename} refused to get in the car; upset about something at school, would not say what.",
    "Younger sibling ill, {parent} had no one to take {forename} in. Offered the breakfast club.",
]
PUPIL_CHATS = [
    "Talked with {forename} at break about mornings: says lessons after a day off are the hardest to walk into.",
    "{forename} says lunchtimes are lonely since the friendship group split; agreed a lunch club place.",
    "Check-in with {forename}: the bus pass has been replaced, getting in on time this week.",
]


def _weekday(on: date) -> date:
    while on.weekday() >= 5:
        on += timedelta(days=1)
    return on


def _at(on: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(on, time(hour, minute)))


def seed_contacts(*, case: Case, by, la_officer, as_of: date, start: date, engaged: bool, stage: str) -> int:
    """Adds the case's contacts from ``start`` to the day before ``as_of``, each with its chronology entry at the
    time it was made. Returns how many were made."""
    pupil = case.pupil
    rng = random.Random(f"contacts:{pupil.upn}")
    links = list(ParentalRelationship.objects.filter(pupil=pupil, parental_responsibility=True)
                 .select_related("parent").order_by("parent__surname", "parent__forename", "pk"))
    if not links:
        return 0
    main = links[0]
    parent_name = main.parent.forename
    words = {"forename": pupil.forename, "parent": parent_name}
    first = _weekday(start + timedelta(days=1))

    story: list[dict] = [
        {"on": first, "at": (9, 5), "method": ContactMethod.PHONE, "link": main,
         "outcome": rng.choice([ContactOutcome.NO_ANSWER, ContactOutcome.MESSAGE_LEFT]),
         "summary": "First-day call: no reason for the absence given by 9:30. Rang the number on file.",
         "follow_up": "Ring again at lunchtime", "follow_up_days": 0},
    ]
    if engaged:
        story.append({"on": first, "at": (12, 40), "method": ContactMethod.PHONE, "link": main,
                      "outcome": ContactOutcome.SPOKE, "summary": rng.choice(REASONS_GIVEN).format(**words)})
    else:
        story.append({"on": first, "at": (12, 40), "method": ContactMethod.PHONE, "link": links[-1],
                      "outcome": ContactOutcome.NO_ANSWER, "summary": "Second call of the day; voicemail full.",
                      "follow_up": "Letter home on the third day", "follow_up_days": 2})
    letter_day = _weekday(first + timedelta(days=2))
    story.append({"on": letter_day, "at": (15, 30), "method": ContactMethod.LETTER, "link": main,
                  "outcome": ContactOutcome.LETTER_SENT,
                  "summary": "Attendance concern letter with the attendance record to date, asking the family to "
                             "contact the school.",
                  "follow_up": "Invite to an attendance meeting if attendance does not improve", "follow_up_days": 7})
    if not engaged:
        visit = _weekday(letter_day + timedelta(days=5))
        story.append({"on": visit, "at": (10, 15), "method": ContactMethod.HOME_VISIT, "link": main,
                      "outcome": ContactOutcome.NO_ONE_HOME, "made_by": la_officer or by,
                      "summary": "Welfare visit: no answer at the door, curtains drawn. Calling card left asking "
                                 f"{parent_name} to ring the school.",
                      "follow_up": "Ring tomorrow morning; if still no contact, discuss at the LA attendance "
                                   "surgery", "follow_up_days": 1})
        story.append({"on": _weekday(visit + timedelta(days=1)), "at": (9, 20), "method": ContactMethod.PHONE,
                      "link": main, "outcome": ContactOutcome.REFUSED,
                      "summary": f"{parent_name} answered, said the school was harassing the family and ended the "
                                 "call."})
    if stage != "concern":
        chat = _weekday(letter_day + timedelta(days=8))
        story.append({"on": chat, "at": (10, 50), "method": ContactMethod.MEETING, "other": (pupil.forename + " " + pupil.surname, "pupil"),
                      "outcome": ContactOutcome.SPOKE, "summary": rng.choice(PUPIL_CHATS).format(**words)})
        if engaged:
            story.append({"on": _weekday(chat + timedelta(days=1)), "at": (16, 5), "method": ContactMethod.EMAIL,
                          "link": main, "outcome": ContactOutcome.EMAIL_SENT,
                          "summary": "Sent the notes of our conversation and the support offered, as agreed.",
                          "follow_up": "Check attendance at the review", "follow_up_days": 14})

    made = 0
    for step in sorted(story, key=lambda s: (s["on"], s["at"])):
        if step["on"] >= as_of:
            continue  # nothing is recorded that has not happened by the demo's day
        made_at = _at(step["on"], *step["at"])
        if "link" in step:
            link = step["link"]
            parent, name, role = link.parent, f"{link.parent.forename} {link.parent.surname}", link.relationship
        else:
            parent, (name, role) = None, step["other"]
        days = step.get("follow_up_days")
        contact = Contact.objects.create(
            case=case, made_at=made_at, method=step["method"], parent=parent, with_name=name, with_role=role,
            made_by=step.get("made_by", by), outcome=step["outcome"], summary=step["summary"],
            follow_up=step.get("follow_up", ""),
            follow_up_on=step["on"] + timedelta(days=days) if days is not None else None,
            recorded_at=made_at + timedelta(minutes=10), recorded_by=by,
        )
        case_event_record(case=case, kind=EventKind.CONTACT, summary=contact_summary(contact), by=by,
                          reason=contact.summary, evidence=[f"contact:{contact.pk}"], at=contact.recorded_at)
        made += 1
    return made
