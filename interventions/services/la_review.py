"""What the school tells the LA and the LA's answer: the children-missing-education referral, the LA
officer's acknowledgement of a notification, and the sweep that flags what waited past the LA's service level
(domain.md 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from cases import rules
from cases.audit import audit
from cases.models import AttendanceSnapshot, EventKind, LocalAuthority, Pupil
from cases.permissions import can_acknowledge_for_la, can_refer_child_missing_education, require
from interventions.models import LANotification, NotificationKind
from interventions.services._common import InterventionRefused, long_date, long_text, open_case_of, record
from notices.selectors import decisions_past_service_level


def _cme_risk(pupil: Pupil) -> bool:
    try:
        return pupil.snapshot.cme_risk
    except AttendanceSnapshot.DoesNotExist:
        return False


@transaction.atomic
def cme_referral_send(*, pupil: Pupil, by, details: str, reason: str = "") -> LANotification:
    """Refers a child missing education to the LA. The latest scan's CME risk is the usual ground; without it
    the school must say why it refers anyway (e.g. the family said they are moving abroad)."""
    require(can_refer_child_missing_education(by, pupil), "refer a child missing education to the LA")
    if not details.strip():
        raise InterventionRefused("Say what the school knows: the last day seen, the enquiries made, and who was contacted.")
    long_text(details, what="What the school knows", field="details")
    long_text(reason, what="Why the school refers without a CME risk", field="reason")
    at_risk = _cme_risk(pupil)
    if not at_risk and not reason.strip():
        raise InterventionRefused(
            f"The latest attendance scan does not show a children-missing-education risk for {pupil}. "
            "Say why the school refers the child anyway."
        )
    text = details.strip()
    if not at_risk:
        text += f"\n\nReferred without a CME risk in the attendance scan because: {reason.strip()}"
    case = open_case_of(pupil)
    notification = LANotification.objects.create(
        pupil=pupil, case=case, kind=NotificationKind.CHILD_MISSING_EDUCATION, sent_on=timezone.localdate(),
        details=text, sent_by=by,
    )
    record(
        user=by, pupil=pupil, case=case, action="la_notification.cme", kind=EventKind.NOTIFICATION,
        summary=f"Child missing education referral sent to the LA on {long_date(notification.sent_on)}",
        reason=text, evidence=[f"la_notification:{notification.pk}"],
    )
    return notification


@transaction.atomic
def la_notification_acknowledge(*, notification: LANotification, by, note: str = "") -> LANotification:
    """The LA officer acknowledges a notification from one of the LA's schools, once, with an optional note."""
    notification = (
        LANotification.objects.select_for_update(of=("self",)).select_related("pupil__school").get(pk=notification.pk)
    )
    if not can_acknowledge_for_la(by, notification.pupil):
        raise InterventionRefused("Only an officer of the pupil's local authority can acknowledge this notification.")
    if notification.acknowledged_on is not None:
        raise InterventionRefused(f"This notification was already acknowledged on {long_date(notification.acknowledged_on)}.")
    long_text(note, what="The note", field="note")
    notification.acknowledged_on = timezone.localdate()
    notification.acknowledged_by = by
    notification.la_note = note.strip()
    notification.save(update_fields=["acknowledged_on", "acknowledged_by", "la_note"])
    summary = f"LA acknowledged the {notification.get_kind_display().lower()} notification of {long_date(notification.sent_on)}"
    # The case may have closed since the school sent it: the acknowledgement still belongs on its chronology.
    record(
        user=by, pupil=notification.pupil, case=notification.case, action="la_notification.acknowledge",
        kind=EventKind.NOTIFICATION, summary=summary, reason=notification.la_note,
        evidence=[f"la_notification:{notification.pk}"],
    )
    return notification


@dataclass(frozen=True)
class ServiceLevelSweep:
    checked: int
    flagged: int
    requests_overdue: dict[str, int]
    referrals_overdue: dict[str, int]


def la_service_level_flag(*, today: date) -> ServiceLevelSweep:
    """Flags each unacknowledged notification that waited longer than its LA's service level (once: the flag
    keeps the first day it was seen), and counts each LA's penalty notice requests and prosecution referrals
    waiting for its decision past the same level, as the inboxes show them (counts only: nothing is written)."""
    checked, flagged, requests_overdue, referrals_overdue = 0, 0, {}, {}
    for local_authority in LocalAuthority.objects.select_related("code_of_conduct"):
        level = local_authority.conduct().la_response_days
        waiting = LANotification.objects.filter(
            pupil__school__local_authority=local_authority, acknowledged_on__isnull=True,
            overdue_flagged_on__isnull=True, sent_on__lt=today,
        ).values_list("pk", "sent_on")
        late = []
        for pk, sent_on in waiting:
            checked += 1
            if rules.past_service_level(sent_on, today, level):
                late.append(pk)
        if late:
            flagged += LANotification.objects.filter(pk__in=late, overdue_flagged_on__isnull=True).update(
                overdue_flagged_on=today
            )
        requests, referrals = decisions_past_service_level(local_authority=local_authority, today=today)
        if requests:
            requests_overdue[local_authority.code] = requests
        if referrals:
            referrals_overdue[local_authority.code] = referrals
    if flagged:
        audit(action="la_notification.overdue_flagged", detail=f"{flagged} notification(s) past the LA's service level")
    return ServiceLevelSweep(checked=checked, flagged=flagged, requests_overdue=requests_overdue,
                             referrals_overdue=referrals_overdue)
