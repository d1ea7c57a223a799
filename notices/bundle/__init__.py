"""The evidence bundle for the local authority (domain.md 3.6): one PDF of everything a referral rests on.

Cover sheet, attendance and the threshold calculation, the register for the offence period with its
amendments, the chronology, support and engagement, meetings, reasonable adjustments and the notices
with their service and payment. It is generated on demand and kept like every letter: an immutable,
hashed, versioned ``Letter`` addressed to the LA, with the JSON summary it was rendered from.
"""

from notices.bundle._common import BUNDLE_TEMPLATE, SECTION_NUMBER, SECTIONS, case_reference
from notices.bundle.attendance import (
    DEFAULT_PERIOD_SCHOOL_WEEKS,
    OffencePeriodChoice,
    offence_period_default,
)
from notices.bundle.case_record import EVIDENCE_REFERENCE, EVIDENCE_SECTIONS
from notices.bundle.generate import (
    BUNDLE_TITLE,
    SECURITY_MARKING,
    BundleRefused,
    bundle_context,
    bundle_subject_key,
    evidence_bundle_generate,
    latest_bundle,
)

__all__ = [
    "BUNDLE_TEMPLATE",
    "BUNDLE_TITLE",
    "DEFAULT_PERIOD_SCHOOL_WEEKS",
    "EVIDENCE_REFERENCE",
    "EVIDENCE_SECTIONS",
    "SECTIONS",
    "SECTION_NUMBER",
    "SECURITY_MARKING",
    "BundleRefused",
    "OffencePeriodChoice",
    "bundle_context",
    "bundle_subject_key",
    "case_reference",
    "evidence_bundle_generate",
    "latest_bundle",
    "offence_period_default",
]
