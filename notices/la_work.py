"""What waits for an LA officer across the LA's work: the decisions due, counted for the overview page.

Each figure comes from the same selector as the page it links to, so the overview and the lists agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cases.models import LocalAuthority


@dataclass(frozen=True)
class LAWork:
    requests_mine: int
    requests_queue: int
    requests_overdue: int
    referrals_to_decide: int
    referrals_overdue: int
    referral_outcomes: int
    notifications: int
    notifications_overdue: int
    tasks: int
    tasks_urgent: int

    @property
    def nothing(self) -> bool:
        return not (self.requests_mine or self.requests_queue or self.referrals_to_decide or self.referral_outcomes
                    or self.notifications or self.tasks)


def la_work(*, local_authority: LocalAuthority, user, today: date) -> LAWork:
    from interventions.selectors import la_notifications_waiting
    from notices.flows import ProsecutionReferralFlow
    from notices.selectors import la_referral_inbox, la_request_inbox, open_officer_tasks

    requests = la_request_inbox(local_authority=local_authority, user=user, today=today)
    referrals = la_referral_inbox(local_authority=local_authority, user=user, today=today)
    referral_tasks = referrals.mine + referrals.queue
    deciding = [task for task in referral_tasks if task.flow_task == ProsecutionReferralFlow.review]
    notifications = la_notifications_waiting(local_authority=local_authority, today=today)
    tasks = open_officer_tasks(local_authority=local_authority)
    return LAWork(
        requests_mine=len(requests.mine),
        requests_queue=len(requests.queue),
        requests_overdue=sum(1 for task in requests.mine + requests.queue if task.overdue),
        referrals_to_decide=len(deciding),
        referrals_overdue=sum(1 for task in deciding if task.overdue),
        referral_outcomes=len(referral_tasks) - len(deciding),
        notifications=len(notifications),
        notifications_overdue=sum(1 for waiting in notifications if waiting.overdue),
        tasks=len(tasks),
        tasks_urgent=sum(1 for task in tasks if task.urgent),
    )
