"""Every model of the notices app, by the names the app registry, the migrations and the other apps use.

Each subject keeps its models in its own package (improvement, penalty, review, letters); Django loads
this module, so every model class is imported here under its own name.
"""

# ruff: noqa: F401

from notices.improvement.models import (
    NoticeOutcome,
    NoticeToImprove,
    ground_session_sentence,
)
from notices.letters.models import (
    BatchStatus,
    Letter,
    LetterBatch,
    ServiceMethod,
)
from notices.penalty.models import (
    PAID_STATES,
    OfficerTask,
    OfficerTaskKind,
    PenaltyNotice,
    PenaltyNoticeState,
    ProsecutionOutcome,
)
from notices.review.referrals import (
    HearingResult,
    Offence,
    ProsecutedParent,
    ProsecutionReferral,
    ReferralConclusion,
    ReferralDecision,
)
from notices.review.requests import PenaltyNoticeRequest, RequestDecision

# isort: split
# Last: importing notices.bundle runs its package, which reads the models above.
from notices.bundle.models import BundleStatus, EvidenceBundleRun  # noqa: E402
