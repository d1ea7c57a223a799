"""One pupil's simulated register: a code per session shaped by a profile and a few rare traits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cases.demo.calendar import Calendar

# --- Register simulation -----------------------------------------------------------------------------

CODES = ("/", "\\", "L", "U", "I", "M", "N", "O", "G", "E", "C2", "#", "V", "W", "P", "R", "C")
CODE = {c: i for i, c in enumerate(CODES)}
PRESENT_AM, PRESENT_PM = CODE["/"], CODE["\\"]


class Profile:
    TYPICAL = "typical"
    PERSISTENT = "persistent"
    SEVERE = "severe"


@dataclass
class Amendment:
    day: int
    session: int
    original: str
    amended: str
    reason: str


@dataclass
class Register:
    """One pupil's simulated codes, shape (days, 2), and the N marks later corrected."""

    codes: np.ndarray
    amendments: list[Amendment] = field(default_factory=list)


@dataclass(frozen=True)
class Traits:
    """What shapes a pupil's register beyond the profile; each is rare and switched on by ``plan``."""

    profile: str = Profile.TYPICAL
    chronic_lateness: bool = False
    long_illness: bool = False
    part_time_timetable: bool = False
    suspension: bool = False
    pending_n: bool = False
    missing_education: bool = False
    eal: bool = False


# Weighted event kinds per profile: (kind, weight). Lengths are in school days.
EVENT_MIX = {
    Profile.TYPICAL: (
        ("illness", 70),
        ("appointment", 17),
        ("other", 5),
        ("exceptional", 3),
        ("holiday", 3),
        ("religious", 2),
    ),
    Profile.PERSISTENT: (
        ("illness", 45),
        ("other", 24),
        ("appointment", 10),
        ("holiday", 8),
        ("n_to_i", 8),
        ("exceptional", 5),
    ),
    Profile.SEVERE: (("other_run", 45), ("illness", 30), ("other", 15), ("holiday", 10)),
}


def _target_absence(rng: np.random.Generator, profile: str) -> float:
    if profile == Profile.SEVERE:
        return float(rng.uniform(0.5, 0.8))
    if profile == Profile.PERSISTENT:
        return float(rng.uniform(0.105, 0.26))
    return float(min(rng.gamma(2.0, 0.014), 0.08))


def simulate_register(
    rng: np.random.Generator, calendar: Calendar, traits: Traits, *, year_start: int, term_ends: Sequence[int]
) -> Register:
    """Codes for every open day of ``calendar``. ``year_start`` is the index of the as-of academic year's
    first day; ``term_ends`` are indexes of the last day before each holiday (unauthorised holidays
    cluster there, as they do in real registers)."""
    n = len(calendar.days)
    codes = np.empty((n, 2), dtype=np.int8)
    codes[:, 0], codes[:, 1] = PRESENT_AM, PRESENT_PM
    codes[calendar.closed] = CODE["#"]
    reg = Register(codes)
    open_days = np.flatnonzero(~calendar.closed)
    if len(open_days) == 0:
        return reg

    def free(first: int, length: int) -> np.ndarray:
        days = np.arange(first, min(first + length, n))
        return days[(codes[days, 0] == PRESENT_AM) & (codes[days, 1] == PRESENT_PM)]

    def put(days: np.ndarray, code: str, session: int | None = None) -> int:
        if session is None:
            codes[days] = CODE[code]
            return 2 * len(days)
        codes[days, session] = CODE[code]
        return len(days)

    def amend(days: np.ndarray, amended: str, reason: str) -> None:
        for d in days[:1] if amended == "I" else days:
            for s in (0, 1):
                reg.amendments.append(Amendment(int(d), s, "N", amended, reason))

    target = _target_absence(rng, traits.profile) * 2 * len(open_days)
    kinds, weights = zip(*EVENT_MIX[traits.profile], strict=True)
    p = np.array(weights, dtype=float) / sum(weights)
    absent, had_holiday, attempts = 0, False, 0
    while absent < target and attempts < 2000:
        attempts += 1
        kind = kinds[rng.choice(len(kinds), p=p)]
        start = int(rng.choice(open_days))
        if kind == "illness":
            length = int(rng.choice([1, 1, 1, 2, 2, 3, 4, 5]))
            days = free(start, length)
            if len(days) and rng.random() < 0.15:
                absent += put(days[:1], "I", 1)  # went home ill after the morning
                continue
            absent += put(days, "I")
            if len(days) and rng.random() < 0.2:
                amend(days, "I", "Parent phoned in after the register closed: illness")
        elif kind == "appointment":
            absent += put(free(start, 1), "M", int(rng.integers(2)))
        elif kind == "exceptional":
            absent += put(free(start, 1), "C")
        elif kind == "religious":
            if traits.eal:
                absent += put(free(start, 1), "R")
        elif kind == "other":
            days = free(start, int(rng.choice([1, 1, 2])))
            absent += put(days, "O")
            if len(days) and rng.random() < 0.5:
                amend(days, "O", "No reason given after contact attempts")
        elif kind == "n_to_i":
            days = free(start, int(rng.choice([1, 2, 3])))
            absent += put(days, "I")
            amend(days, "I", "Medical evidence received from parent")
        elif kind == "other_run":
            days = free(start, int(rng.integers(3, 16)))
            absent += put(days, "O")
            if len(days) and rng.random() < 0.3:
                amend(days, "O", "Home visit: no reason given for absence")
        elif kind == "holiday" and not had_holiday:
            had_holiday = True
            length = int(rng.integers(5, 11))
            if term_ends and rng.random() < 0.6:
                start = max(0, int(rng.choice(term_ends)) - length + 1)
            absent += put(free(start, length), "G")

    late_rate = 0.2 if traits.chronic_lateness else (0.05 if traits.profile != Profile.TYPICAL else 0.012)
    mornings = open_days[(codes[open_days, 0] == PRESENT_AM) & (rng.random(len(open_days)) < late_rate)]
    if len(mornings):
        after_close = rng.random(len(mornings)) < (0.3 if traits.chronic_lateness else 0.1)
        codes[mornings, 0] = np.where(after_close, CODE["U"], CODE["L"])

    this_year = open_days[open_days >= year_start]
    if traits.long_illness and len(this_year) > 20:
        # Spells of illness this year until a sickness return (30 sessions) is due.
        for _ in range(6):
            if int((codes[this_year] == CODE["I"]).sum()) >= 32:
                break
            first = int(rng.choice(this_year[: len(this_year) - 5]))
            days = np.arange(first, min(first + int(rng.integers(5, 9)), n))
            put(days[~calendar.closed[days]], "I")
    if traits.part_time_timetable and len(this_year) > 30:
        first = int(this_year[int(rng.integers(0, len(this_year) - 30))])
        days = np.arange(first, first + int(rng.integers(20, 30)))
        put(days[~calendar.closed[days]], "C2", 1)
    if traits.suspension and len(open_days):
        put(free(int(rng.choice(open_days)), int(rng.integers(1, 4))), "E")
    if traits.missing_education and len(open_days) > 16:
        tail = open_days[-int(rng.integers(11, 17)) :]
        codes[tail] = CODE["O"]
        codes[tail[-4:]] = CODE["N"]
    elif traits.pending_n and len(open_days) > 10:
        codes[open_days[-int(rng.integers(1, 11))]] = CODE["N"]
    # A later pattern may have overwritten a corrected day; keep only corrections the register shows.
    reg.amendments = [a for a in reg.amendments if CODES[codes[a.day, a.session]] == a.amended]
    return reg


def term_end_indexes(calendar: Calendar) -> list[int]:
    """Indexes of the last open day before each gap of more than a weekend."""
    return [i for i in range(len(calendar.days) - 1) if (calendar.days[i + 1] - calendar.days[i]).days > 3]
