"""Referrals to early help and wider services, and voluntary early help plans (domain.md 3, steps 2-3)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from cases import facts
from cases.models import Case, EventKind
from cases.permissions import can_record_support, require
from interventions.models import EarlyHelp, EarlyHelpKind
from interventions.services._common import (
    InterventionRefused,
    long_date,
    long_text,
    record,
    require_open,
    short_text,
)


@transaction.atomic
def early_help_record(
    *, case: Case, by, kind: str, agency: str, started_on: date, family_consented: bool
) -> EarlyHelp:
    """Records a referral to a service, or a voluntary early help plan, and whether the family consented."""
    require(can_record_support(by, case.pupil), "record early help")
    require_open(case)
    if kind not in EarlyHelpKind.values:
        raise InterventionRefused("Say whether this is a referral or a voluntary early help plan.")
    if kind == EarlyHelpKind.VOLUNTARY_PLAN and not family_consented:
        raise InterventionRefused(
            "A voluntary early help plan needs the family's consent. Record a referral instead, "
            "or record the family's refusal as a note on the case."
        )
    short_text(agency, what="The service or agency", field="agency")
    # Early help may predate the case (the family already had it), but it has started: it is support given.
    facts.happened(started_on, what="The date it started", today=timezone.localdate(), field="started_on")
    early_help = EarlyHelp.objects.create(
        case=case, kind=kind, agency=agency.strip(), started_on=started_on, family_consented=family_consented,
        created_by=by, created_at=timezone.now(),
    )
    consent = "with the family's consent" if family_consented else "without the family's consent"
    record(
        user=by, pupil=case.pupil, case=case, action="early_help.create", kind=EventKind.EARLY_HELP,
        summary=f"{early_help.get_kind_display()}: {early_help.agency}, from {long_date(started_on)}, {consent}",
        evidence=[f"early_help:{early_help.pk}"],
    )
    return early_help


@transaction.atomic
def early_help_end(*, early_help: EarlyHelp, by, ended_on: date, outcome: str) -> EarlyHelp:
    """Records how the referral or plan ended."""
    early_help = EarlyHelp.objects.select_for_update(of=("self",)).select_related("case__pupil").get(pk=early_help.pk)
    require(can_record_support(by, early_help.case.pupil), "record early help")
    require_open(early_help.case)
    if early_help.ended_on is not None:
        raise InterventionRefused(f"This was already recorded as ended on {long_date(early_help.ended_on)}.")
    facts.happened(ended_on, what="The end date", today=timezone.localdate(), field="ended_on",
                   not_before=early_help.started_on, not_before_what="the date it started")
    if not outcome.strip():
        raise InterventionRefused("Say what the outcome was.")
    long_text(outcome, what="The outcome", field="outcome")
    early_help.ended_on, early_help.outcome = ended_on, outcome.strip()
    early_help.save(update_fields=["ended_on", "outcome"])
    record(
        user=by, pupil=early_help.case.pupil, case=early_help.case, action="early_help.end",
        kind=EventKind.EARLY_HELP,
        summary=f"{early_help.get_kind_display()} ({early_help.agency}) ended on {long_date(ended_on)}",
        reason=early_help.outcome, evidence=[f"early_help:{early_help.pk}"],
    )
    return early_help
