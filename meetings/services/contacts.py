"""Contacts with the family as records: when, how, with whom, what came of it and what follows.

Keyword-only, atomic, permission-checked, on the case's chronology and in the audit trail.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from cases import facts
from cases.audit import audit
from cases.models import Case, EventKind, Parent, ParentalRelationship
from cases.services.chronology import case_event_record
from meetings.contacts import contact_summary
from meetings.contacts import follow_up as follow_up_words
from meetings.models import CONTACT_MAKER_ROLES, OUTCOMES_BY_METHOD, Contact, ContactMethod, ContactOutcome
from meetings.services.meetings import MeetingRefused, case_opened_on, require_case_writer


class ContactRefused(MeetingRefused):
    """A contact that cannot be recorded as given, with the form field it is about (when there is one)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


CONTACT_ROLE_MAX = facts.SHORT_TEXT_MAX
# A follow-up is one or two sentences for the chronology, not a plan (a plan is a support plan).
FOLLOW_UP_MAX = 1000


def _contact_maker_ok(user, case: Case) -> bool:
    """Someone at the pupil's school or at its local authority made the contact."""
    profile = getattr(user, "staff", None)
    if profile is None or not user.is_active or profile.role not in CONTACT_MAKER_ROLES:
        return False
    school = case.pupil.school
    return profile.school_id == school.pk or (
        profile.school_id is None and profile.local_authority_id == school.local_authority_id
    )


@transaction.atomic
def contact_record(
    *,
    case: Case,
    by,
    made_at: datetime,
    method: str,
    outcome: str,
    parent: Parent | None = None,
    other_name: str = "",
    other_role: str = "",
    made_by=None,
    summary: str = "",
    follow_up: str = "",
    follow_up_on: date | None = None,
) -> Contact:
    """Records a contact with the family (or an attempt at one) on the case, and its line on the chronology.

    With ``parent``, the contact was with one of the pupil's own parents or carers; otherwise with
    ``other_name`` in the role ``other_role`` (the pupil, a social worker, a grandparent). ``made_by`` is who
    made it, from the school or the LA (the person recording it, by default). It happened: not after now and
    not before the case was opened. A follow-up date is planned: not in the past, not before the contact.
    """
    require_case_writer(by, case)
    case = Case.objects.select_related("pupil__school").get(pk=case.pk)
    if not case.is_open:
        raise ContactRefused("This case is closed. Open a new case to record a contact.")
    if timezone.is_naive(made_at):
        raise ValueError("made_at must be timezone-aware")
    if method not in ContactMethod.values:
        raise ContactRefused("Select how the contact was made", field="method")
    now = timezone.now()
    today = timezone.localdate(now)
    facts.happened(timezone.localtime(made_at).date(), what="The date of the contact", today=today, field="date",
                   not_before=case_opened_on(case), not_before_what="the date the case was opened")
    if made_at > now:
        raise ContactRefused("The time of the contact must be now or earlier today", field="time")

    if parent is not None:
        link = ParentalRelationship.objects.filter(pupil=case.pupil, parent=parent).select_related("parent").first()
        if link is None:
            raise ContactRefused(f"{parent} is not recorded as a parent or carer of {case.pupil}.", field="with_whom")
        with_name, with_role = f"{link.parent.forename} {link.parent.surname}", link.relationship
    else:
        with_name = facts.text(other_name.strip(), what="Their name", field="other_name", limit=facts.SHORT_TEXT_MAX)
        with_role = facts.text(other_role.strip(), what="Who they are", field="other_role", limit=CONTACT_ROLE_MAX)
        if not with_name:
            raise ContactRefused("Enter the name of the person the contact was with", field="other_name")
        if not with_role:
            raise ContactRefused("Enter who they are, for example pupil or social worker", field="other_role")

    made_by = made_by or by
    if not _contact_maker_ok(made_by, case):
        raise ContactRefused("The person who made the contact must work at the pupil's school or its local "
                             "authority", field="made_by")
    if outcome not in ContactOutcome.values:
        raise ContactRefused("Select what came of the contact", field="outcome")
    if outcome not in OUTCOMES_BY_METHOD[ContactMethod(method)]:
        allowed = ", ".join(f"“{ContactOutcome(o).label.lower()}”" for o in OUTCOMES_BY_METHOD[ContactMethod(method)])
        raise ContactRefused(
            f"A {ContactMethod(method).label.lower()} cannot have the outcome "
            f"“{ContactOutcome(outcome).label.lower()}”: select {allowed}", field="outcome")
    summary = facts.text(summary.strip(), what="What was said or done", field="summary")
    follow_up = facts.text(follow_up.strip(), what="The follow-up", field="follow_up", limit=FOLLOW_UP_MAX)
    if follow_up_on is not None:
        facts.planned(follow_up_on, what="The follow-up date", today=today, field="follow_up_on",
                      not_before=timezone.localtime(made_at).date(), not_before_what="the date of the contact")

    contact = Contact.objects.create(
        case=case, made_at=made_at, method=method, parent=parent, with_name=with_name, with_role=with_role,
        made_by=made_by, outcome=outcome, summary=summary, follow_up=follow_up, follow_up_on=follow_up_on,
        recorded_at=now, recorded_by=by,
    )
    reason = summary
    if follow_up or follow_up_on:
        reason += ("\n" if reason else "") + f"Follow-up: {follow_up_words(contact)}"
    if made_by.pk != by.pk:
        reason += ("\n" if reason else "") + f"Made by {made_by.get_full_name() or made_by.get_username()}."
    case_event_record(
        case=case, kind=EventKind.CONTACT, summary=contact_summary(contact), reason=reason, by=by,
        evidence=[f"contact:{contact.pk}"], at=now,
    )
    audit(user=by, action="contact.record", pupil=case.pupil,
          detail=f"contact {contact.pk} ({method}, {outcome}) on case {case.pk}")
    return contact
