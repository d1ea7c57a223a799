"""Every write of the cases app: keyword-only, atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.audit import audit
from cases.errors import DomainError
from cases.models import Alert


class AlertAlreadyResolved(DomainError):
    """Someone else marked the alert as dealt with first."""


@transaction.atomic
def alert_resolve(*, alert: Alert, user) -> Alert:
    """Marks an open alert as dealt with by ``user`` and records it in the audit trail."""
    # Locked re-read: two people pressing the button at once must not both resolve it.
    locked = Alert.objects.select_for_update(of=("self",)).select_related("pupil", "school").get(pk=alert.pk)
    if locked.resolved_at is not None:
        raise AlertAlreadyResolved(f"This alert was already marked as dealt with on {locked.resolved_at:%d %B %Y}.")
    locked.resolved_at = timezone.now()
    locked.resolved_by = user
    locked.save(update_fields=["resolved_at", "resolved_by"])
    audit(
        user=user,
        action="alert.resolve",
        pupil=locked.pupil,
        school=locked.school,
        detail=f"{locked.get_kind_display()} ({locked.dedup_key}) marked as dealt with",
    )
    alert.resolved_at, alert.resolved_by = locked.resolved_at, locked.resolved_by
    return locked


# --- several alerts at once (the alerts list's bulk actions) ---------------------------------------------------


class AlertsRefused(DomainError):
    """A bulk action that cannot be done for every alert chosen: nothing was done for any of them."""


def _locked_open_alerts(alerts, *, school) -> list[Alert]:
    """The chosen alerts re-read under a lock, refused whole if any was dealt with meanwhile or is another school's."""
    ids = sorted({alert.pk for alert in alerts})
    if not ids:
        raise AlertsRefused("Select at least one alert.")
    locked = list(
        Alert.objects.select_for_update(of=("self",)).select_related("pupil", "school")
        .filter(pk__in=ids, school=school).order_by("-raised_on", "-created_at", "-id")
    )
    if len(locked) != len(ids):
        raise AlertsRefused("One of the alerts chosen is not one of this school's. Nothing was done.")
    done = [alert for alert in locked if alert.resolved_at is not None]
    if done:
        names = ", ".join(f"{a.get_kind_display()} for {a.pupil}" for a in done)
        raise AlertsRefused(f"Already marked as dealt with by someone else: {names}. Nothing was done; "
                            "choose the alerts again.")
    return locked


@transaction.atomic
def alerts_open_cases(*, alerts, by, school) -> list:
    """Opens one case from each chosen alert, through case_open, or none at all.

    Refused whole, naming the pupils, when a pupil already has an open case or two alerts chosen are about the
    same pupil (one case per pupil: choose the alert the case should start from).
    """
    from collections import Counter

    from cases.models import Case, CaseState
    from cases.services.case import case_open

    locked = _locked_open_alerts(alerts, school=school)
    with_case = set(Case.objects.filter(pupil__in=[a.pupil_id for a in locked])
                    .exclude(state=CaseState.CLOSED).values_list("pupil_id", flat=True))
    if with_case:
        names = sorted({str(a.pupil) for a in locked if a.pupil_id in with_case})
        raise AlertsRefused(
            f"{_and_list(names)} already {'has' if len(names) == 1 else 'have'} an open case. "
            "Untick their alerts and try again; no case was opened."
        )
    twice = sorted({str(a.pupil) for a in locked if Counter(x.pupil_id for x in locked)[a.pupil_id] > 1})
    if twice:
        raise AlertsRefused(
            f"More than one alert was chosen for {_and_list(twice)}: a pupil has one case, so choose the alert it "
            "should start from. No case was opened."
        )
    return [case_open(pupil=alert.pupil, by=by, reason=f"{alert.get_kind_display()}: {alert.detail}", alert=alert)
            for alert in locked]


@transaction.atomic
def alerts_resolve(*, alerts, by, school) -> list[Alert]:
    """Marks every chosen alert as dealt with through alert_resolve, or none of them."""
    return [alert_resolve(alert=alert, user=by) for alert in _locked_open_alerts(alerts, school=school)]


@transaction.atomic
def alerts_assign(*, alerts, to, by, school) -> list[Alert]:
    """Gives the chosen alerts to ``to``, a member of the school's staff who reads pupils' records."""
    from cases import roles

    profile = getattr(to, "staff", None)
    if not (to.is_active and profile is not None and profile.school_id == school.pk
            and roles.has(profile.role, roles.VIEW_PUPIL_NAMES)):
        raise AlertsRefused(f"{to.get_full_name() or to.get_username()} does not work with pupils' records at "
                            f"{school.name}, so cannot be given alerts.")
    locked = _locked_open_alerts(alerts, school=school)
    name = to.get_full_name() or to.get_username()
    for alert in locked:
        alert.assigned_to = to
        alert.save(update_fields=["assigned_to"])
        audit(user=by, action="alert.assign", pupil=alert.pupil, school=school,
              detail=f"{alert.get_kind_display()} ({alert.dedup_key}) given to {name}")
    return locked


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
