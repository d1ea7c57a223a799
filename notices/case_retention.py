"""Closed case files are kept for the years the LA sets (``CodeOfConduct.case_retention_years``) after the
case closed, then deleted with everything filed in them: chronology, meetings, plans, contracts, notices to
improve, finished penalty notices, finished LA requests and referrals, their letters and offence records.

A case under an open LA process is never touched, however old its closure: an unfinished penalty notice
request or prosecution referral, or a penalty notice not yet paid, withdrawn or decided in court. What was
deleted is written to the audit log, one row per case with the counts; the audit rows themselves are kept.
Letters and offence records refuse deletion one by one (they are evidence), so they go set-wise here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from cases import rules
from cases.audit import audit
from cases.models import Case, CaseState, CodeOfConduct, LocalAuthority, Offence
from meetings.models import Meeting
from notices.models import (
    PAID_STATES,
    Letter,
    NoticeToImprove,
    OfficerTask,
    PenaltyNotice,
    PenaltyNoticeRequest,
    PenaltyNoticeState,
    ProsecutionReferral,
)


@dataclass
class CaseRetentionResult:
    dry_run: bool
    deleted: list[int] = field(default_factory=list)  # case ids
    held: dict[int, str] = field(default_factory=dict)  # case id -> why it is kept past its period


def retention_years(local_authority: LocalAuthority) -> int:
    conduct = CodeOfConduct.objects.filter(local_authority=local_authority).first()
    return conduct.case_retention_years if conduct else rules.CASE_RETENTION_YEARS


def closed_before(today: date, years: int) -> datetime:
    """The moment before which a case must have closed to be past ``years`` (29 February counts to 1 March)."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = date(today.year - years, 3, 1)
    return timezone.make_aware(datetime.combine(day, time.min))


def open_la_process(case: Case) -> str | None:
    """Why the case is still under an LA process, or None."""
    if PenaltyNoticeRequest.objects.filter(case=case).exclude(status__in=(PROCESS.DONE, PROCESS.CANCELED)).exists():
        return "a penalty notice request is still with the LA"
    if ProsecutionReferral.objects.filter(case=case).exclude(status__in=(PROCESS.DONE, PROCESS.CANCELED)).exists():
        return "a prosecution referral is still with the LA"
    settled = Q(state__in=(*PAID_STATES, PenaltyNoticeState.WITHDRAWN)) | (
        Q(state=PenaltyNoticeState.PROSECUTED) & ~Q(prosecution_outcome="")
    )
    if PenaltyNotice.objects.filter(case=case).exclude(settled).exists():
        return "a penalty notice is unpaid or pending"
    return None


def case_retention_purge(*, today: date | None = None, dry_run: bool = False) -> CaseRetentionResult:
    """Deletes each closed case past its LA's retention period, unless an LA process holds it."""
    today = today or timezone.localdate()
    result = CaseRetentionResult(dry_run=dry_run)
    for local_authority in LocalAuthority.objects.order_by("code"):
        cutoff = closed_before(today, retention_years(local_authority))
        due = Case.objects.filter(
            state=CaseState.CLOSED, closed_at__lt=cutoff, school__local_authority=local_authority
        ).select_related("pupil").order_by("pk")
        for case in due:
            reason = open_la_process(case)
            if reason:
                result.held[case.pk] = reason
            elif not dry_run:
                _delete_case_file(case, years=retention_years(local_authority))
                result.deleted.append(case.pk)
            else:
                result.deleted.append(case.pk)
    return result


@transaction.atomic
def _delete_case_file(case: Case, *, years: int) -> None:
    case = Case.objects.select_for_update().select_related("pupil").get(pk=case.pk)
    if open_la_process(case):  # opened since the list was read
        return
    scope = Q(case=case)
    offence_ids = set()
    for model in (NoticeToImprove, PenaltyNotice, ProsecutionReferral):
        offence_ids |= set(model.objects.filter(scope, offence_record__isnull=False)
                           .values_list("offence_record_id", flat=True))
    counts = {
        "chronology entries": case.events.count(),
        "meetings": Meeting.objects.filter(scope).count(),
    }
    # Deleted in the order the protecting foreign keys ask for: referrals hold their bundle letter,
    # officer tasks hold their notice, notices hold their offence record.
    counts["prosecution referrals"] = ProsecutionReferral.objects.filter(scope).delete()[1].get(
        ProsecutionReferral._meta.label, 0)
    counts["penalty notice requests"] = PenaltyNoticeRequest.objects.filter(scope).delete()[1].get(
        PenaltyNoticeRequest._meta.label, 0)
    OfficerTask.objects.filter(notice__case=case).delete()
    counts["penalty notices"] = PenaltyNotice.objects.filter(scope).delete()[0]
    counts["notices to improve"] = NoticeToImprove.objects.filter(scope).delete()[0]
    counts["letters"] = Letter.objects.filter(scope).delete()[1].get(Letter._meta.label, 0)
    still_used = Q(pk__in=NoticeToImprove.objects.values("offence_record_id")) | Q(
        pk__in=PenaltyNotice.objects.values("offence_record_id")) | Q(
        pk__in=ProsecutionReferral.objects.values("offence_record_id"))
    counts["offence records"] = Offence.objects.filter(pk__in=offence_ids).exclude(still_used).delete()[0]
    closed = timezone.localdate(case.closed_at)
    Case.objects.filter(pk=case.pk).delete()
    listed = ", ".join(f"{count} {what}" for what, count in counts.items() if count)
    audit(action="case.retention_delete", pupil=case.pupil, school=case.school,
          detail=f"case {case.pk} closed {closed.isoformat()}, kept {years} years: deleted"
                 + (f" with {listed}" if listed else ""))
