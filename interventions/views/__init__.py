"""The interventions screens. Thin: a scoped selector finds the objects (another school's record: 404;
a role that may not make the change: 403), a form validates, one service writes, then back to the case
(or to the pupil, for a pupil-level record when there is no open case)."""

from interventions.views._common import FORM_TEMPLATE, error_summary, get_or_post
from interventions.views.cme import cme_referral_create
from interventions.views.contracts import (
    contract_breach,
    contract_create,
    contract_detail,
    contract_end,
    contract_offer,
    contract_party_response,
)
from interventions.views.early_help import early_help_create, early_help_end
from interventions.views.leave import leave_request_create, leave_request_decide
from interventions.views.part_time import (
    NOTIFY_KINDS,
    NOTIFY_TITLES,
    part_time_create,
    part_time_end,
    part_time_notify,
    part_time_review,
    sickness_return_create,
)
from interventions.views.pupil_records import pupil_interventions
from interventions.views.send import (
    adjustment_create,
    adjustment_register,
    adjustment_register_csv,
    adjustment_review_create,
    adjustment_update,
    ehc_notification_create,
)
from interventions.views.support_plans import (
    action_complete,
    support_plan_action_add,
    support_plan_agree,
    support_plan_create,
    support_plan_detail,
    support_plan_review,
)

__all__ = [
    "FORM_TEMPLATE",
    "NOTIFY_KINDS",
    "NOTIFY_TITLES",
    "action_complete",
    "adjustment_create",
    "adjustment_register",
    "adjustment_register_csv",
    "adjustment_review_create",
    "adjustment_update",
    "cme_referral_create",
    "contract_breach",
    "contract_create",
    "contract_detail",
    "contract_end",
    "contract_offer",
    "contract_party_response",
    "early_help_create",
    "early_help_end",
    "ehc_notification_create",
    "error_summary",
    "get_or_post",
    "leave_request_create",
    "leave_request_decide",
    "part_time_create",
    "part_time_end",
    "part_time_notify",
    "part_time_review",
    "pupil_interventions",
    "sickness_return_create",
    "support_plan_action_add",
    "support_plan_agree",
    "support_plan_create",
    "support_plan_detail",
    "support_plan_review",
]
