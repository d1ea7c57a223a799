"""Every write of the interventions app: keyword-only, atomic, permission-checked first, audited, and on
the case's chronology (pupil-level records go on the pupil's open case when there is one)."""

from interventions.services._common import InterventionRefused, open_case_of
from interventions.services.contracts import (
    attendance_contract_breach,
    attendance_contract_create,
    attendance_contract_end,
    attendance_contract_offer,
    attendance_contract_party_respond,
)
from interventions.services.early_help import early_help_end, early_help_record
from interventions.services.la_review import (
    ServiceLevelSweep,
    cme_referral_send,
    la_notification_acknowledge,
    la_service_level_flag,
)
from interventions.services.leave import (
    can_decide_leave,
    leave_request_decide,
    leave_request_record,
    term_time_days,
)
from interventions.services.part_time import (
    illness_summary,
    part_time_la_notification_record,
    part_time_timetable_create,
    part_time_timetable_end,
    part_time_timetable_review,
    sickness_return_send,
)
from interventions.services.send import (
    adjustment_review_record,
    ehc_plan_notification_send,
    reasonable_adjustment_create,
    reasonable_adjustment_update,
)
from interventions.services.support_plans import (
    ActionInput,
    action_complete,
    support_plan_action_add,
    support_plan_agree,
    support_plan_create,
    support_plan_review,
)

__all__ = [
    "ActionInput",
    "InterventionRefused",
    "ServiceLevelSweep",
    "action_complete",
    "adjustment_review_record",
    "attendance_contract_breach",
    "attendance_contract_create",
    "attendance_contract_end",
    "attendance_contract_offer",
    "attendance_contract_party_respond",
    "can_decide_leave",
    "cme_referral_send",
    "early_help_end",
    "early_help_record",
    "ehc_plan_notification_send",
    "illness_summary",
    "la_notification_acknowledge",
    "la_service_level_flag",
    "leave_request_decide",
    "term_time_days",
    "leave_request_record",
    "open_case_of",
    "part_time_la_notification_record",
    "part_time_timetable_create",
    "part_time_timetable_end",
    "part_time_timetable_review",
    "reasonable_adjustment_create",
    "reasonable_adjustment_update",
    "sickness_return_send",
    "support_plan_action_add",
    "support_plan_agree",
    "support_plan_create",
    "support_plan_review",
]
