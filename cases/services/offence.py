"""The offence, computed once: the one place that turns the register into the sessions a notice rests on.

``offence_compute`` answers "is the threshold met, and on which sessions?" as of a date, for the ladder's
guards and the pages before anything is issued. ``offence_record`` stores that answer when a notice to
improve is issued, a penalty notice drafted or a prosecution referral made; from then on every page,
letter, bundle and export reads the stored row, so a later register change or a later notice can never
make two surfaces disagree about what the family was told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cases import rules
from cases.errors import DomainError
from cases.formatting import long_date
from cases.models import Case, Offence, Pupil
from cases.scan import offence_periods
from cases.selectors import pupil_marks


class ThresholdNotMet(DomainError):
    """No offence to rest a notice on: the threshold is not met, not counting covered sessions."""


@dataclass(frozen=True)
class OffenceSessionLine:
    """One session of an offence as letters, pages and the bundle list it."""

    on: date
    session: str
    code: str
    meaning: str


def offence_compute(
    *, pupil: Pupil, as_of: date, reusing: Iterable[rules.OffencePeriod] = ()
) -> rules.Offence | None:
    """The offence as of ``as_of``: sessions an earlier notice covered never count again (except the periods
    in ``reusing``: a penalty notice after a failed notice to improve is for the offence that notice warned
    about), nor sessions on days the pupil was not of compulsory school age."""
    conduct = pupil.school.local_authority.conduct()
    reusable = set(reusing)
    covered = [p for p in offence_periods([pupil.pk], as_of=as_of).get(pupil.pk, []) if p not in reusable]
    return rules.offence(
        pupil_marks(pupil=pupil, as_of=as_of), as_of=as_of, conduct=conduct, covered=covered,
        compulsory=rules.compulsory_school_age(pupil.date_of_birth),
    )


def _as_json(marks: Iterable[rules.Mark]) -> list[dict]:
    return [{"date": d.isoformat(), "session": rules.SESSION_NAMES[s], "code": code} for d, s, code in marks]


def offence_record(*, pupil: Pupil, as_of: date, reusing: Iterable[rules.OffencePeriod] = ()) -> Offence:
    """Computes the offence and stores it, for a notice or referral to rest on; refuses when not met.

    The same offence computed again (both parents' notices, a referral after them) is the same row."""
    found = offence_compute(pupil=pupil, as_of=as_of, reusing=reusing)
    if found is None:
        raise ThresholdNotMet(threshold_not_met_sentence(pupil=pupil, as_of=as_of))
    sessions = _as_json(found.sessions)
    same = [
        o for o in Offence.objects.filter(
            pupil=pupil, first_met=found.first_met, offence_from=found.offence_from, offence_to=found.offence_to
        ) if o.sessions == sessions
    ]
    if same:
        return same[0]
    return Offence.objects.create(
        pupil=pupil, as_of=as_of, first_met=found.first_met, offence_from=found.offence_from,
        offence_to=found.offence_to, window_starts=found.window_starts, sessions=sessions,
        covered=_as_json(found.covered), not_of_age=_as_json(found.not_of_age), rule=found.rule,
        computed_at=timezone.now(),
    )


def _failed_notice_to_improve(case: Case):
    """The latest of the case's notices to improve that ended without sufficient improvement, or whose
    stated ground for an earlier penalty notice arose: a penalty notice after it is for its offence."""
    from cases.ladder import failed_notices_to_improve

    failed = sorted(failed_notices_to_improve(case), key=lambda n: (n.issued_on, n.pk))
    return failed[-1] if failed else None


def case_offence(*, case: Case, as_of: date) -> Offence | rules.Offence | None:
    """The offence the case's next notice would rest on: after a failed notice to improve, the one that
    notice stated (stored when it was issued); otherwise the register's, as of ``as_of``."""
    failed = _failed_notice_to_improve(case)
    if failed is not None and failed.offence_record_id:
        return failed.offence_record
    reusing = [rules.OffencePeriod(failed.offence_from, failed.offence_to)] if failed is not None else []
    return offence_compute(pupil=case.pupil, as_of=as_of, reusing=reusing)


def case_offence_record(*, case: Case, as_of: date, parent=None) -> Offence:
    """``case_offence``, stored: what a penalty notice drafted on this case rests on.

    Each liable parent gets a notice for the same offence: when another parent's notice on this case
    (not withdrawn) already rests on a record this parent has no notice for, this one rests on it too."""
    if parent is not None:
        for notice in case.penalty_notices.exclude(state="withdrawn").exclude(parent=parent).filter(
            offence_record__isnull=False
        ).select_related("offence_record").order_by("-created_at", "-pk"):
            if not case.penalty_notices.filter(parent=parent, offence_record=notice.offence_record).exclude(
                state="withdrawn"
            ).exists():
                return notice.offence_record
    failed = _failed_notice_to_improve(case)
    if failed is not None and failed.offence_record_id:
        return failed.offence_record
    reusing = [rules.OffencePeriod(failed.offence_from, failed.offence_to)] if failed is not None else []
    return offence_record(pupil=case.pupil, as_of=as_of, reusing=reusing)


def threshold_not_met_sentence(*, pupil: Pupil, as_of: date) -> str:
    conduct = pupil.school.local_authority.conduct()
    return (
        f"The threshold for a notice is not met this academic year, to {long_date(as_of)}: "
        f"{rules.threshold_rule(conduct)} are needed "
        "(sessions covered by an earlier notice, or on days the pupil was not of compulsory school age, do not count)."
    )


def offence_lines(offence: Offence | rules.Offence) -> list[OffenceSessionLine]:
    """The counted sessions, each with the words for its code, in date order."""
    marks = offence.marks() if isinstance(offence, Offence) else offence.sessions
    return [OffenceSessionLine(d, rules.SESSION_NAMES[s], code, rules.code_meaning(code)) for d, s, code in marks]


def offence_sentence(offence: Offence | rules.Offence) -> str:
    """The offence in one sentence, the same words on every surface."""
    count = len(offence.sessions)
    return (
        f"Threshold met on {long_date(offence.first_met)}: {offence.rule}. The offence: {count} unauthorised "
        f"sessions from {long_date(offence.offence_from)} to {long_date(offence.offence_to)}."
    )


def case_stored_offence(*, case: Case) -> tuple[Offence, str] | None:
    """The offence the case's notices or referral rest on, as stored, with what rests on it: the latest
    prosecution referral's, else the latest penalty notice's (not withdrawn), else the notice to improve's."""
    referral = case.prosecution_referrals.filter(offence_record__isnull=False).order_by("-created").first()
    if referral is not None:
        return referral.offence_record, "the prosecution referral"
    notice = (
        case.penalty_notices.exclude(state="withdrawn").filter(offence_record__isnull=False)
        .select_related("offence_record").order_by("-created_at", "-pk").first()
    )
    if notice is not None:
        return notice.offence_record, f"penalty notice {notice.reference}"
    nti = case.notices_to_improve.filter(offence_record__isnull=False).order_by("-issued_on", "-pk").first()
    if nti is not None:
        return nti.offence_record, f"the notice to improve issued on {long_date(nti.issued_on)}"
    return None
