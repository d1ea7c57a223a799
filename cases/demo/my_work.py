"""Work waiting on "My work" in the demo: penalty notice considerations for the headteacher to answer, one of
them already declined with reasons (news for the DSL). The rest of each role's page comes from the casework the
demo already walks: leave requests, reviews, actions, the LA's decisions and questions, stale N codes."""

from __future__ import annotations

from cases.errors import DomainError
from cases.models import Case, CaseState
from cases.services import pn_consideration_decline, pn_consideration_record

WHY = ("The support plan and the attendance contract have not changed the pattern of unauthorised absence, and the "
       "parents did not come to the last review meeting.")
ALTERNATIVES = ("A notice to improve was considered; the DSL's view is that the parents have had a clear warning "
                "already at the contract meeting.")
EQUALITY = "No disability or SEN; no reasonable adjustment bears on the absence."
# Considerations come before a request for a penalty notice: from targeted support up to the notice to improve.
CONSIDERED_AT = [CaseState.TARGETED_SUPPORT, CaseState.FORMAL_SUPPORT, CaseState.NOTICE_TO_IMPROVE]
DECLINE_REASON = ("A notice to improve has not been tried on this case yet: issue one first, with the support "
                  "offered again, before asking the local authority for a penalty notice.")


def seed_my_work(*, school, staff) -> int:
    """Records considerations on up to two of the school's open cases that meet the threshold: the first waits
    for the headteacher, the second she has declined. Returns how many were recorded."""
    if staff.head is None:
        return 0
    recorded = []
    cases = (Case.objects.filter(school=school, state__in=CONSIDERED_AT,
                                 pn_considerations__isnull=True).select_related("pupil").order_by("pk"))
    for case in cases:
        try:
            recorded.append(pn_consideration_record(
                case=case, by=staff.dsl, why_penalty_notice_is_the_best_tool=WHY,
                alternatives_considered=ALTERNATIVES, equality_act_consideration=EQUALITY,
            ))
        except DomainError:
            continue  # the threshold is not met for this pupil: another case
        if len(recorded) == 2:
            break
    if len(recorded) == 2:
        pn_consideration_decline(consideration=recorded[1], by=staff.head, reason=DECLINE_REASON)
    return len(recorded)
