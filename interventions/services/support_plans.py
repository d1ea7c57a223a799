"""Support plans from attendance meetings and their named actions (domain.md 3, step 2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from cases import facts
from cases.models import Case, EventKind
from cases.permissions import can_record_support, require
from interventions.models import Action, SupportPlan, SupportPlanStatus
from interventions.services._common import (
    InterventionRefused,
    happened_in_case,
    long_date,
    long_text,
    record,
    require_open,
    short_text,
)

# An action is one line on the case page (Action.description).
ACTION_DESCRIPTION_MAX = 300


@dataclass(frozen=True)
class ActionInput:
    """One named action as entered on the plan: what, who, by when."""

    description: str
    owner: str
    due_on: date


def _lock(plan: SupportPlan) -> SupportPlan:
    return SupportPlan.objects.select_for_update(of=("self",)).select_related("case__pupil").get(pk=plan.pk)


def _action_checked(action: ActionInput, *, today: date, number: int | None = None) -> None:
    """What, who and by when of one action: a due date is planned, so today or later, within the horizon."""
    which = f"Action {number}: " if number is not None else ""
    facts.text(action.description, what=f"{which}What will be done", field="description",
               limit=ACTION_DESCRIPTION_MAX)
    short_text(action.owner, what=f"{which}Who will do it", field="owner")
    facts.planned(action.due_on, what=f"{which}The due date" if which else "The due date", today=today,
                  field="due_on")


def _require_not_closed(plan: SupportPlan) -> None:
    if plan.status == SupportPlanStatus.CLOSED:
        raise InterventionRefused("This support plan is closed. Start a new plan to agree more actions.")


@transaction.atomic
def support_plan_create(
    *, case: Case, by, barriers: str, review_on: date, actions: Sequence[ActionInput]
) -> SupportPlan:
    """Drafts a support plan with its named actions: every plan has at least one action with an owner."""
    require(can_record_support(by, case.pupil), "record a support plan")
    require_open(case)
    if not actions:
        raise InterventionRefused("Add at least one action, with who will do it and by when.")
    if not barriers.strip():
        raise InterventionRefused("Describe the barriers to attendance the plan addresses.")
    long_text(barriers, what="The barriers to attendance", field="barriers")
    today = timezone.localdate()
    facts.planned(review_on, what="The review date", today=today, field="review_on")
    for number, action in enumerate(actions, start=1):
        _action_checked(action, today=today, number=number if len(actions) > 1 else None)
    now = timezone.now()
    plan = SupportPlan.objects.create(
        case=case, barriers=barriers.strip(), review_on=review_on, created_by=by, created_at=now
    )
    Action.objects.bulk_create(
        Action(case=case, support_plan=plan, description=a.description, owner=a.owner, due_on=a.due_on, created_at=now)
        for a in actions
    )
    record(
        user=by, pupil=case.pupil, case=case, action="support_plan.create", kind=EventKind.SUPPORT_PLAN,
        summary=f"Support plan drafted with {len(actions)} action{'s' if len(actions) != 1 else ''}; "
        f"review by {long_date(review_on)}",
        reason=plan.barriers,
        evidence=[f"support_plan:{plan.pk}"],
    )
    return plan


@transaction.atomic
def support_plan_agree(*, plan: SupportPlan, by, agreed_on: date) -> SupportPlan:
    """Records that the family agreed the plan: the start of documented targeted support."""
    plan = _lock(plan)
    require(can_record_support(by, plan.case.pupil), "record a support plan")
    require_open(plan.case)
    if plan.status != SupportPlanStatus.DRAFT:
        raise InterventionRefused(f"This plan is already {plan.get_status_display().lower()}.")
    happened_in_case(plan.case, agreed_on, what="The date the plan was agreed", field="agreed_on",
                     today=timezone.localdate())
    plan.status, plan.agreed_on = SupportPlanStatus.AGREED, agreed_on
    plan.save(update_fields=["status", "agreed_on"])
    record(
        user=by, pupil=plan.case.pupil, case=plan.case, action="support_plan.agree", kind=EventKind.SUPPORT_PLAN,
        summary=f"Support plan agreed with the family on {long_date(agreed_on)}",
        evidence=[f"support_plan:{plan.pk}"],
    )
    return plan


@transaction.atomic
def support_plan_action_add(*, plan: SupportPlan, by, description: str, owner: str, due_on: date) -> Action:
    """Adds a named action to a plan that is still running."""
    plan = _lock(plan)
    require(can_record_support(by, plan.case.pupil), "record a support plan")
    require_open(plan.case)
    _require_not_closed(plan)
    _action_checked(ActionInput(description, owner, due_on), today=timezone.localdate())
    action = Action.objects.create(
        case=plan.case, support_plan=plan, description=description, owner=owner, due_on=due_on,
        created_at=timezone.now(),
    )
    record(
        user=by, pupil=plan.case.pupil, case=plan.case, action="action.create", kind=EventKind.ACTION,
        summary=f"Action added to the support plan: {description} ({owner}, due {long_date(due_on)})",
        evidence=[f"support_plan:{plan.pk}", f"action:{action.pk}"],
    )
    return action


@transaction.atomic
def action_complete(*, action: Action, by, completed_on: date, note: str = "") -> Action:
    """Marks an agreed action as done on the day it was done."""
    action = Action.objects.select_for_update(of=("self",)).select_related("case__pupil").get(pk=action.pk)
    require(can_record_support(by, action.case.pupil), "record a support plan")
    require_open(action.case)
    if action.completed_on is not None:
        raise InterventionRefused(f"This action was already marked as done on {long_date(action.completed_on)}.")
    happened_in_case(action.case, completed_on, what="The date the action was done", field="completed_on",
                     today=timezone.localdate())
    long_text(note, what="The notes", field="note")
    action.completed_on = completed_on
    action.save(update_fields=["completed_on"])
    late = f", {(completed_on - action.due_on).days} days after it was due" if completed_on > action.due_on else ""
    record(
        user=by, pupil=action.case.pupil, case=action.case, action="action.complete", kind=EventKind.ACTION,
        summary=f"Action done on {long_date(completed_on)}{late}: {action.description} ({action.owner})",
        reason=note,
        evidence=[f"action:{action.pk}"],
    )
    return action


@transaction.atomic
def support_plan_review(
    *, plan: SupportPlan, by, reviewed_on: date, outcome: str, close: bool, next_review_on: date | None = None
) -> SupportPlan:
    """Reviews a plan: either sets the next review date, or closes the plan with its outcome."""
    plan = _lock(plan)
    require(can_record_support(by, plan.case.pupil), "record a support plan")
    require_open(plan.case)
    _require_not_closed(plan)
    if not outcome.strip():
        raise InterventionRefused("Say what the review found: what is working and what is not.")
    long_text(outcome, what="What the review found", field="outcome")
    today = timezone.localdate()
    happened_in_case(plan.case, reviewed_on, what="The date of the review", field="reviewed_on", today=today)
    open_actions = plan.actions.filter(completed_on__isnull=True).count()
    if close:
        plan.status, plan.outcome = SupportPlanStatus.CLOSED, outcome.strip()
        plan.save(update_fields=["status", "outcome"])
        summary = f"Support plan reviewed and closed on {long_date(reviewed_on)}"
    else:
        if next_review_on is None or next_review_on <= reviewed_on:
            raise facts.ImpossibleFact("Give the date of the next review, after the date of this review.",
                                       field="next_review_on")
        facts.planned(next_review_on, what="The next review date", today=today, field="next_review_on")
        plan.review_on = next_review_on
        plan.save(update_fields=["review_on"])
        summary = f"Support plan reviewed on {long_date(reviewed_on)}; next review by {long_date(next_review_on)}"
    if open_actions:
        summary += f" ({open_actions} action{'s' if open_actions != 1 else ''} not done)"
    record(
        user=by, pupil=plan.case.pupil, case=plan.case, action="support_plan.review", kind=EventKind.SUPPORT_PLAN,
        summary=summary, reason=outcome.strip(), evidence=[f"support_plan:{plan.pk}"],
    )
    return plan
