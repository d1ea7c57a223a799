"""The offence period, and the bundle's attendance sections: the threshold calculation and the register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cases import rules
from cases.formatting import long_date
from cases.models import Case, Offence
from cases.scan import offence_periods
from cases.selectors import pupil_amendments
from cases.services.offence import offence_compute
from notices.bundle._common import _local
from notices.models import NoticeToImprove, PenaltyNotice, PenaltyNoticeState

# With no notice on record the bundle shows the last 10 school weeks: the national threshold's window.
DEFAULT_PERIOD_SCHOOL_WEEKS = rules.PN_THRESHOLD_SCHOOL_WEEKS


# --- the offence period ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OffencePeriodChoice:
    start: date
    end: date
    source: str  # why these dates, in words
    offence: object = None  # the stored cases.Offence the period is read from, when there is one


def offence_period_default(
    *, case: Case, marks: list[rules.Mark], today: date, offence: Offence | None = None
) -> OffencePeriodChoice:
    """The offence the case rests on: the one given (a referral's), else the latest penalty notice's, else
    the latest notice to improve's, each as stored when it was made; else the last 10 school weeks of the
    register (a withdrawn notice is treated as never issued)."""
    if offence is not None:
        return OffencePeriodChoice(offence.offence_from, offence.offence_to,
                                   "the offence the prosecution referral rests on", offence)
    notice = (
        case.penalty_notices.filter(offence_from__isnull=False)
        .exclude(state=PenaltyNoticeState.WITHDRAWN)
        .select_related("offence_record")
        .order_by("-issued_on", "-created_at", "-pk")
        .first()
    )
    if notice is not None:
        return OffencePeriodChoice(notice.offence_from, notice.offence_to,
                                   f"the offence period of penalty notice {notice.reference}", notice.offence_record)
    nti = case.notices_to_improve.select_related("offence_record").order_by("-issued_on", "-pk").first()
    if nti is not None:
        return OffencePeriodChoice(nti.offence_from, nti.offence_to,
                                   f"the offence period of the notice to improve issued on {long_date(nti.issued_on)}",
                                   nti.offence_record)
    weeks = sorted({rules.week_start(d) for d, _, code in marks if code != rules.CLOSURE_CODE})
    recent = weeks[-DEFAULT_PERIOD_SCHOOL_WEEKS:]
    start = recent[0] if recent else today - timedelta(weeks=DEFAULT_PERIOD_SCHOOL_WEEKS)
    return OffencePeriodChoice(start, today, f"the last {DEFAULT_PERIOD_SCHOOL_WEEKS} school weeks (no notice on record)")


# --- the sections ------------------------------------------------------------------------------------


def _json_marks(rows) -> list[rules.Mark]:
    return [(date.fromisoformat(r["date"]), rules.AM if r["session"] == "AM" else rules.PM, r["code"]) for r in rows]


def _offence_parts(offence) -> tuple[list[rules.Mark], list[rules.Mark], list[rules.Mark]]:
    """(counted, covered, not of compulsory school age) of a stored or a computed offence."""
    if isinstance(offence, Offence):
        return offence.marks(), _json_marks(offence.covered), _json_marks(offence.not_of_age)
    return list(offence.sessions), list(offence.covered), list(offence.not_of_age)


def _attendance(case: Case, marks, period: OffencePeriodChoice, conduct: rules.Conduct, today: date) -> dict:
    """Section 2. The threshold calculation is the offence the case rests on, as stored when the notice or
    referral was made (the same record the letters and pages read); for a period with no record, the one
    computation of cases.services.offence as of the period's end."""
    pupil = case.pupil
    periods = offence_periods([pupil.pk]).get(pupil.pk, [])
    labels = _notice_periods(pupil)
    as_of = period.offence.as_of if period.offence is not None else min(period.end, today)
    offence = period.offence if period.offence is not None else offence_compute(pupil=pupil, as_of=as_of)
    window, covered, not_of_age = _offence_parts(offence) if offence is not None else ([], [], [])
    school_weeks = sorted({rules.week_start(d) for d, _, code in marks if code != rules.CLOSURE_CODE})
    number = {week: n for n, week in enumerate(school_weeks, start=1)}
    year = rules.measure(marks, as_of=today, conduct=conduct, covered=periods)
    year_start = rules.academic_year_start(today)
    in_year = [m for m in marks if year_start <= m[0] <= today]
    in_period = [m for m in marks if period.start <= m[0] <= period.end]
    counted = [
        {"date": d, "session": rules.SESSION_NAMES[s], "code": code, "meaning": rules.code_meaning(code),
         "school_week": number.get(rules.week_start(d)), "week_commencing": rules.week_start(d)}
        for d, s, code in window
    ]
    # Earlier notices' periods, and any whose sessions fell in the window: those sessions never count again.
    excluded_periods = sorted(
        {p for p in periods if p.end < period.start} | {p for p in periods for d, _, _ in covered if p.start <= d <= p.end},
        key=lambda p: (p.start, p.end),
    )
    return {
        "rule": offence.rule if offence is not None else rules.threshold_rule(conduct),
        "year": {
            "start": year_start, "as_of": today, "possible": year.possible_sessions, "attended": year.attended_sessions,
            "absent": year.possible_sessions - year.attended_sessions, "attendance_pct": year.attendance_pct,
            "unauthorised": _unauthorised(in_year), "persistent": year.persistent_absence,
            "severe": year.severe_absence,
        },
        "period": _period_counts(in_period),
        "threshold_sessions": conduct.threshold_sessions,
        "threshold_weeks_back": conduct.threshold_school_weeks - 1,
        "threshold_as_of": as_of,
        "first_met": offence.first_met if offence is not None else None,
        "window_from_week": counted[0]["school_week"] if counted else None,
        "window_to_week": counted[-1]["school_week"] if counted else None,
        "window_from": counted[0]["week_commencing"] if counted else None,
        "counted": counted,
        "first_school_week": school_weeks[0] if school_weeks else None,
        "excluded": [{"start": p.start, "end": p.end, "notices": labels.get((p.start, p.end), [])}
                     for p in excluded_periods],
        "not_of_age": [{"date": d, "session": rules.SESSION_NAMES[s], "code": code} for d, s, code in not_of_age],
    }


def _unauthorised(marks) -> int:
    return sum(1 for _, _, code in marks if rules.CATEGORY.get(code) is rules.Category.UNAUTHORISED)


def _period_counts(marks) -> dict:
    possible = sum(1 for _, _, code in marks if code not in rules.NOT_COUNTED_CODES)
    attended = sum(1 for _, _, code in marks if code in rules.ATTENDED_CODES)
    return {"possible": possible, "attended": attended, "attendance_pct": rules.percent_one_place(attended, possible),
            "unauthorised": _unauthorised(marks)}


def _notice_periods(pupil) -> dict[tuple[date, date], list[str]]:
    found: dict[tuple[date, date], list[str]] = {}
    for nti in NoticeToImprove.objects.filter(case__pupil=pupil):
        found.setdefault((nti.offence_from, nti.offence_to), []).append(
            f"notice to improve issued {long_date(nti.issued_on)}")
    for pn in PenaltyNotice.objects.filter(pupil=pupil, offence_from__isnull=False).exclude(
            state=PenaltyNoticeState.WITHDRAWN):
        found.setdefault((pn.offence_from, pn.offence_to), []).append(f"penalty notice {pn.reference}")
    return found


def _register(case: Case, marks, counted: list[dict], period: OffencePeriodChoice) -> dict:
    amendments = list(pupil_amendments(pupil=case.pupil, since=period.start, until=period.end))
    amended = {(a.date, rules.SESSION_NAMES[a.session]) for a in amendments}
    in_window = {(c["date"], c["session"]) for c in counted}
    days: dict[date, dict] = {}
    for d, s, code in marks:
        if period.start <= d <= period.end:
            name = rules.SESSION_NAMES[s]
            days.setdefault(d, {"date": d, "AM": None, "PM": None})[name] = {
                "code": code, "meaning": rules.code_meaning(code), "counted": (d, name) in in_window,
                "amended": (d, name) in amended,
            }
    return {
        "days": [days[d] for d in sorted(days)],
        "amendments": [
            {"date": a.date, "session": rules.SESSION_NAMES[a.session], "original": a.original_code,
             "original_meaning": rules.code_meaning(a.original_code), "amended": a.amended_code,
             "amended_meaning": rules.code_meaning(a.amended_code), "reason": a.reason, "at": _local(a.amended_at),
             "name": a.amended_by_name, "position": a.amended_by_position}
            for a in amendments
        ],
    }
