"""A synthetic local authority for demos and benchmarks: schools, pupils, parents and their registers.

Everything here is invented and deterministic for a given seed. The generator half (calendars, UPNs,
register simulation) is plain Python and numpy so that ``bench/scan.py`` can reuse it; ``seed`` writes
one demo authority to the database. Names of people come from Faker's en_GB provider plus short lists
for pupils with English as an additional language; emails use reserved domains (example.com,
.invalid) and phone numbers Ofcom's drama range (07700 900xxx).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from cases.rules import upn_check_letter

DEMO_LA_CODE = "873"
DEMO_LA_NAME = "Fenshire County Council"
DEFAULT_SEED = 873
DEFAULT_PUPILS = 3000
DEFAULT_FROM = date(2025, 9, 1)
DEMO_USERNAMES = ("dsl", "attendance", "senco", "head", "primary_dsl", "la_officer", "admin")

# --- UPNs -------------------------------------------------------------------------------------------

def make_upn(la_code: str, establishment: str, year: int, serial: int) -> str:
    """A UPN as the DfE builds them: LA number, DfE establishment number, year of issue, serial."""
    digits = f"{la_code}{establishment}{year % 100:02d}{serial:03d}"
    return upn_check_letter(digits) + digits


# --- Calendar ----------------------------------------------------------------------------------------

# A typical English county calendar: six half terms a year; the first days of September are INSET.
TEACHING_PERIODS = (
    (date(2025, 9, 1), date(2025, 10, 24)),
    (date(2025, 11, 3), date(2025, 12, 19)),
    (date(2026, 1, 5), date(2026, 2, 13)),
    (date(2026, 2, 23), date(2026, 3, 27)),
    (date(2026, 4, 13), date(2026, 5, 22)),
    (date(2026, 6, 1), date(2026, 7, 17)),
    (date(2026, 9, 1), date(2026, 10, 23)),
    (date(2026, 11, 2), date(2026, 12, 18)),
    (date(2027, 1, 4), date(2027, 2, 12)),
    (date(2027, 2, 22), date(2027, 3, 25)),
    (date(2027, 4, 12), date(2027, 5, 28)),
    (date(2027, 6, 7), date(2027, 7, 21)),
)
BANK_HOLIDAYS = frozenset(
    {
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
    }
)
LA_INSET_DAYS = frozenset({date(2025, 9, 1), date(2025, 9, 2), date(2026, 9, 1)})


@dataclass(frozen=True)
class Calendar:
    """A school's open days (weekdays in term, bank holidays off) and which of them are INSET closures."""

    days: tuple[date, ...]
    closed: np.ndarray  # bool per day: planned whole-school closure, coded '#'

    @property
    def iso(self) -> list[str]:
        return [d.isoformat() for d in self.days]


def school_calendar(start: date, end: date, inset_days: Iterable[date] = ()) -> Calendar:
    closures = LA_INSET_DAYS | frozenset(inset_days)
    days = []
    for first, last in TEACHING_PERIODS:
        d = max(first, start)
        while d <= min(last, end):
            if d.weekday() < 5 and d not in BANK_HOLIDAYS:
                days.append(d)
            d += timedelta(days=1)
    return Calendar(tuple(days), np.array([d in closures for d in days], dtype=bool))


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


# --- The demo authority ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolPlan:
    urn: str
    name: str
    establishment: str  # DfE establishment number: the middle of the UPNs it issues
    year_groups: tuple[int, ...]  # 0 = Reception
    share: float  # of all pupils
    inset: tuple[date, ...]
    attendance_officer: tuple[str, str]  # as written on register amendments


SCHOOLS = (
    SchoolPlan(
        "145872",
        "Fenbridge Academy",
        "4007",
        (7, 8, 9, 10, 11),
        0.37,
        (date(2026, 1, 5),),
        ("Mrs K. Patel", "Attendance Officer"),
    ),
    SchoolPlan(
        "110936",
        "Kingsmoor High School",
        "4021",
        (7, 8, 9, 10, 11),
        0.35,
        (date(2026, 6, 1),),
        ("Mr D. Cartwright", "Attendance and Welfare Officer"),
    ),
    SchoolPlan(
        "137204",
        "Marshfield Primary School",
        "2043",
        (0, 1, 2, 3, 4, 5, 6),
        0.15,
        (date(2026, 2, 13),),
        ("Mrs J. Holloway", "School Business Manager"),
    ),
    SchoolPlan(
        "110871",
        "St Botolph's CofE Primary School",
        "3312",
        (0, 1, 2, 3, 4, 5, 6),
        0.13,
        (date(2026, 1, 5),),
        ("Miss A. Nowak", "Attendance and Pastoral Lead"),
    ),
)
FEEDER_ESTABLISHMENTS = ("2043", "3312", "2011", "2058", "2104", "3025", "2137", "2089", "3040", "2160")
CURRENT_YEAR_START = 2026  # year groups are those of 2026-27, the year containing the demo's today


def date_of_birth_range(year_group: int, year_start: int = CURRENT_YEAR_START) -> tuple[date, date]:
    """Pupils in Reception in the academic year starting ``year_start`` turned 4 before 1 September."""
    born_from = date(year_start - 5 - year_group, 9, 1)
    return born_from, date(born_from.year + 1, 8, 31)


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Among the most given names in England and Wales for births 2010-2021 (ONS baby names).
GIRLS = _names(
    "Olivia Amelia Isla Ava Mia Isabella Sophia Grace Lily Freya Emily Ivy Ella Rosie Evie Florence "
    "Poppy Charlotte Willow Daisy Sienna Phoebe Ruby Jessica Chloe Millie Sophie Erin Harper Matilda "
    "Maisie Layla Eliza Holly"
)
BOYS = _names(
    "Oliver George Noah Arthur Harry Leo Muhammad Jack Charlie Oscar Jacob Henry Thomas Freddie Alfie "
    "Theo William Theodore Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley Max Logan "
    "Ethan Mason Harrison Riley"
)
EAL_FORENAMES = _names(
    "Zofia Jakub Amelia Oliwia Aarav Ayesha Mohammed Fatima Andrei Ioana Matas Gabriele Ibrahim "
    "Maryam Yusuf Hafsa Tiago Beatriz Emre Elif"
)
EAL_SURNAMES = _names(
    "Kowalski Nowak Wiśniewska Popescu Ionescu Kazlauskas Petrauskas Hussain Begum Rahman Ahmed Khan "
    "Ali Silva Santos Yilmaz Kaya Horvath"
)
TOWNS = (
    ("Fenbridge", "FN1"),
    ("Kingsmoor", "FN4"),
    ("Marshfield", "FN7"),
    ("Upwell St Mary", "FN8"),
    ("Little Drayton", "FN9"),
)
STREET_SUFFIXES = ("Road", "Close", "Lane", "Drive", "Way", "Gardens", "Crescent", "Avenue")


@dataclass
class PupilPlan:
    upn: str
    forename: str
    surname: str
    date_of_birth: date
    school: int
    year_group: int
    sen: str
    fsm: bool
    social_worker: bool
    looked_after: bool
    young_carer: bool
    eal: bool
    traits: Traits
    start: date  # first day of marks
    moved_from: int | None = None  # index of the school it left mid-year
    moved_on: date | None = None
    family: int = -1


@dataclass
class ParentPlan:
    ref: str
    school: int
    forename: str
    surname: str
    address: str
    email: str
    phone: str
    links: list[tuple[int, str, bool, bool]] = field(
        default_factory=list
    )  # pupil, relationship, PR, lives with


def _split(total: int, shares: Sequence[float]) -> list[int]:
    counts = [int(round(total * s)) for s in shares]
    counts[0] += total - sum(counts)
    return counts


def plan_pupils(n: int, seed: int, start: date) -> list[PupilPlan]:
    """Pupils per school and year group with their cohort flags and register traits."""
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    serials: dict[tuple[str, int], int] = {}
    pupils: list[PupilPlan] = []
    for s, (school, count) in enumerate(zip(SCHOOLS, _split(n, [sc.share for sc in SCHOOLS]), strict=True)):
        for i in range(count):
            yg = school.year_groups[i * len(school.year_groups) // max(count, 1)]
            eal = rng.random() < 0.15
            female = rng.random() < 0.5
            if eal:
                forename, surname = rng.choice(EAL_FORENAMES), rng.choice(EAL_SURNAMES)
            else:
                forename = rng.choice(GIRLS if female else BOYS)
                surname = fake.last_name()
            born_from, born_to = date_of_birth_range(yg)
            dob = born_from + timedelta(days=rng.randrange((born_to - born_from).days + 1))
            establishment = school.establishment if yg < 7 else rng.choice(FEEDER_ESTABLISHMENTS)
            issued = (CURRENT_YEAR_START - yg) % 100
            serial = serials.setdefault((establishment, issued), rng.randrange(1, 40))
            serials[(establishment, issued)] = serial + 1
            sen = "E" if rng.random() < 0.03 else ("K" if rng.random() < 0.124 else "N")
            fsm = rng.random() < 0.24
            social_worker = rng.random() < (0.12 if fsm else 0.02)
            looked_after = rng.random() < 0.008
            young_carer = rng.random() < 0.02
            risk = (0.1 if yg >= 7 else 0.055) + 0.1 * fsm + 0.06 * (sen != "N") + 0.08 * social_worker
            roll = rng.random()
            profile = (
                Profile.SEVERE
                if roll < risk * (0.09 if yg >= 7 else 0.04)
                else Profile.PERSISTENT
                if roll < risk
                else Profile.TYPICAL
            )
            traits = Traits(
                profile=profile,
                chronic_lateness=rng.random() < 0.04,
                suspension=yg >= 7 and rng.random() < 0.012,
                pending_n=rng.random() < 0.05,
                missing_education=profile == Profile.SEVERE and rng.random() < 0.3,
                eal=eal,
            )
            # New intakes (Reception, Year 7) only have this year's register at the school.
            first = max(start, date(CURRENT_YEAR_START, 9, 1)) if yg in (0, 7) else start
            pupils.append(
                PupilPlan(
                    make_upn(DEMO_LA_CODE, establishment, issued, serial),
                    forename,
                    surname,
                    dob,
                    s,
                    yg,
                    sen,
                    fsm,
                    social_worker,
                    looked_after,
                    young_carer,
                    eal,
                    traits,
                    first,
                )
            )
    _ensure_rare_cases(pupils, rng, start)
    return pupils


def _ensure_rare_cases(pupils: list[PupilPlan], rng: random.Random, start: date) -> None:
    """At least one pupil of each rare pattern, however small the demo, so every alert has an example."""
    n = len(pupils)
    order = list(range(n))
    rng.shuffle(order)
    picks = iter(order)

    def take(count: int, change: dict, where=lambda p: True) -> None:
        chosen = 0
        for i in picks:
            if chosen >= count:
                break
            if where(pupils[i]):
                pupils[i].traits = Traits(**{**pupils[i].traits.__dict__, **change})
                chosen += 1

    take(max(2, n // 80), {"long_illness": True})
    take(max(1, n // 400), {"profile": Profile.SEVERE, "missing_education": True})
    take(max(2, n // 100), {"chronic_lateness": True})
    take(max(1, n // 120), {"pending_n": True})
    take(max(1, n // 1500), {"part_time_timetable": True}, lambda p: p.year_group >= 7 and p.sen != "N")
    take(max(1, n // 1500), {"part_time_timetable": True}, lambda p: p.year_group < 7 and p.year_group > 0)
    take(max(1, n // 300), {"suspension": True}, lambda p: p.year_group >= 7)
    # Two pupils moved school in February half term: one between the secondaries, one between primaries.
    moved_on = date(2026, 2, 23)
    for school, other in ((0, 1), (3, 2)):
        for i in picks:
            p = pupils[i]
            if p.school == school and p.year_group not in (0, 7) and start < moved_on:
                p.moved_from, p.moved_on = other, moved_on
                break


def plan_families(pupils: list[PupilPlan], seed: int) -> list[ParentPlan]:
    """One or two parents or carers per pupil; about one pupil in five shares them with a sibling."""
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(seed + 1)
    rng = random.Random(seed + 1)
    parents: list[ParentPlan] = []
    by_school: dict[int, list[int]] = {}
    for i, p in enumerate(pupils):
        by_school.setdefault(p.school, []).append(i)
    for school, members in by_school.items():
        rng.shuffle(members)
        for position, i in enumerate(members):
            p = pupils[i]
            if p.family >= 0:
                continue
            p.family = i
            household = [i]
            if rng.random() < 0.22:  # a younger or older sibling at the same school
                sib = next(
                    (
                        j
                        for j in members[position + 1 :]
                        if pupils[j].family < 0
                        and pupils[j].year_group != p.year_group
                        and not pupils[j].eal
                        and not p.eal
                    ),
                    None,
                )
                if sib is not None:
                    pupils[sib].family, pupils[sib].surname = i, p.surname
                    household.append(sib)
            town, postcode = rng.choice(TOWNS)
            address = (
                f"{rng.randint(1, 160)} {fake.last_name()} {rng.choice(STREET_SUFFIXES)}, {town}, "
                f"{postcode} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            )

            def person(forename: str, surname: str, addr: str, school: int = school) -> ParentPlan:
                ref = f"P{len(parents) + 10001:06d}"
                domain = "example.com" if rng.random() < 0.7 else "mail.invalid"
                local = "".join(c for c in f"{forename}.{surname}".lower() if c.isalnum() or c == ".")
                parent = ParentPlan(
                    ref,
                    school,
                    forename,
                    surname,
                    addr,
                    f"{local}{rng.randint(1, 99)}@{domain}",
                    f"07700 900{rng.randint(0, 999):03d}",
                )
                parents.append(parent)
                return parent

            surname = p.surname
            mother_surname = surname if rng.random() < 0.8 else fake.last_name()
            roll = rng.random()
            if p.looked_after:
                people = [(person(fake.first_name_female(), fake.last_name(), address), "carer", False, True)]
                people.append((person(fake.first_name_female(), mother_surname, ""), "mother", True, False))
            elif roll < 0.58:
                father_away = rng.random() < 0.15
                people = [
                    (person(fake.first_name_female(), mother_surname, address), "mother", True, True),
                    (
                        person(fake.first_name_male(), surname, "" if father_away else address),
                        "father",
                        True,
                        not father_away,
                    ),
                ]
            elif roll < 0.86:
                people = [(person(fake.first_name_female(), mother_surname, address), "mother", True, True)]
            elif roll < 0.92:
                people = [(person(fake.first_name_male(), surname, address), "father", True, True)]
            else:
                people = [
                    (person(fake.first_name_female(), fake.last_name(), address), "grandparent", False, True),
                    (person(fake.first_name_female(), mother_surname, ""), "mother", True, False),
                ]
            for parent, relationship, responsibility, lives in people:
                for child in household:
                    parent.links.append((child, relationship, responsibility, lives))
    return parents


def register_rows(
    pupils: Sequence[PupilPlan],
    pupil_ids: Sequence[int],
    school_ids: Sequence[int],
    *,
    seed: int,
    start: date,
    as_of: date,
    amendments: list[tuple[int, PupilPlan, date, Amendment, int]],
) -> Iterator[tuple]:
    """Mark rows ``(pupil_id, date, session, code, school_id)`` for every pupil, streamed so that 1M rows
    never sit in memory at once; the corrections of N marks are appended to ``amendments`` on the way."""
    rng = np.random.default_rng(seed)
    calendars = [school_calendar(start, as_of, sc.inset) for sc in SCHOOLS]
    year_first = date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)
    for p, pupil_id in zip(pupils, pupil_ids, strict=True):
        cal = calendars[p.school]
        days, schools = list(cal.days), [school_ids[p.school]] * len(cal.days)
        closed = cal.closed
        if p.moved_from is not None:
            before = calendars[p.moved_from]
            cut_before = sum(1 for d in before.days if d < p.moved_on)
            cut_after = sum(1 for d in cal.days if d < p.moved_on)
            days = list(before.days[:cut_before]) + list(cal.days[cut_after:])
            schools = [school_ids[p.moved_from]] * cut_before + [school_ids[p.school]] * (
                len(cal.days) - cut_after
            )
            closed = np.concatenate([before.closed[:cut_before], cal.closed[cut_after:]])
        first = next((k for k, d in enumerate(days) if d >= p.start), len(days))
        days, schools, closed = days[first:], schools[first:], closed[first:]
        calendar = Calendar(tuple(days), closed)
        year_start = next((k for k, d in enumerate(days) if d >= year_first), len(days))
        reg = simulate_register(
            rng, calendar, p.traits, year_start=year_start, term_ends=term_end_indexes(calendar)
        )
        iso = [d.isoformat() for d in days]
        for k, (am, pm) in enumerate(reg.codes.tolist()):
            yield (pupil_id, iso[k], 0, CODES[am], schools[k])
            yield (pupil_id, iso[k], 1, CODES[pm], schools[k])
        for a in reg.amendments:
            amendments.append((pupil_id, p, days[a.day], a, schools[a.day]))


def amended_at(on: date, rng: random.Random, *, latest: date) -> datetime:
    """When a correction was keyed: one to four days later (never after ``latest``), in office hours."""
    later = on + timedelta(days=rng.randint(1, 4))
    while later.weekday() >= 5:
        later += timedelta(days=1)
    return datetime.combine(min(later, latest), time(rng.randint(8, 15), rng.randrange(60)))


class _Counted:
    """Passes rows through and counts them, so executemany can stream a generator."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        self.rows, self.count = iter(rows), 0

    def __iter__(self) -> Iterator[tuple]:
        for row in self.rows:
            self.count += 1
            yield row


def insert_marks(rows: Iterable[tuple]) -> int:
    """Insert ``(pupil_id, date, session, code, school_id)`` rows fast: COPY on PostgreSQL, one
    executemany on SQLite. Call inside a transaction; returns how many rows went in."""
    from django.db import connection

    from cases.models import Mark

    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("pupil_id", "date", "session", "code", "school_id"))
    table = q(Mark._meta.db_table)
    counted = _Counted(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in counted:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)", counted)
    return counted.count
