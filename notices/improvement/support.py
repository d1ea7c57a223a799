"""The support so far, drawn from the case's own records for the notice to improve.

The DSL ticks what the notice names instead of typing it again; the ticked records are rendered once, at
issue, into the letter's text (which the stored letter keeps) and cited on the chronology as references.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases import selectors
from cases.formatting import long_date


@dataclass(frozen=True)
class SupportRecord:
    key: str  # "<kind>:<id>", as the chronology cites records
    sentence: str


def recorded_support(*, case) -> list[SupportRecord]:
    """Support plans and their actions, contracts, early help, meetings held and the pupil's adjustments."""
    from interventions.models import AdjustmentStatus, ContractStatus
    from meetings.models import MeetingStatus

    records = selectors.case_records(case=case)
    found: list[SupportRecord] = []
    for plan in records.support_plans:
        when = f"agreed on {long_date(plan.agreed_on)}" if plan.agreed_on else f"drafted on {long_date(plan.created_at)}"
        found.append(SupportRecord(f"support_plan:{plan.pk}", f"Support plan {when}: {plan.barriers}"))
        for action in plan.actions.all():
            done = f", done on {long_date(action.completed_on)}" if action.completed_on else ""
            found.append(SupportRecord(
                f"action:{action.pk}", f"Action of the support plan: {action.description} ({action.owner}){done}"
            ))
    for contract in records.contracts:
        if contract.status != ContractStatus.DRAFT:
            found.append(SupportRecord(
                f"contract:{contract.pk}",
                f"Attendance contract from {long_date(contract.starts_on)} ({contract.get_status_display().lower()})",
            ))
    for help_ in records.early_help:
        found.append(SupportRecord(
            f"early_help:{help_.pk}",
            f"{help_.get_kind_display()}: {help_.agency}, from {long_date(help_.started_on)}",
        ))
    for meeting in records.meetings:
        if meeting.status == MeetingStatus.HELD:
            found.append(SupportRecord(
                f"meeting:{meeting.pk}", f"{meeting.get_kind_display()} held on {long_date(meeting.starts_at)}"
            ))
    for adjustment in records.adjustments:
        if adjustment.status != AdjustmentStatus.ENDED:
            found.append(SupportRecord(
                f"adjustment:{adjustment.pk}",
                f"Reasonable adjustment ({adjustment.get_area_display().lower()}): {adjustment.description}",
            ))
    return found


def support_text(chosen: list[SupportRecord], also: str) -> str:
    """The letter's "support so far": one line per chosen record, then anything the DSL added."""
    lines = [f"- {record.sentence}" for record in chosen]
    if also.strip():
        lines.append(also.strip())
    return "\n".join(lines)
