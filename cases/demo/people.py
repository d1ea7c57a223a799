"""The demo authority: its schools, and the pupils and families planned for them, with their names."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from cases.demo.calendar import make_upn
from cases.demo.register import Profile, Traits

DEMO_LA_CODE = "873"
DEMO_LA_NAME = "Fenshire County Council"
DEFAULT_SEED = 873
DEFAULT_PUPILS = 3000
DEFAULT_FROM = date(2025, 9, 1)
DEMO_USERNAMES = (
    "dsl", "attendance", "senco", "head", "primary_dsl", "governor", "la_officer", "la_officer_2", "la_manager", "admin",
)

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


def school_phone(index: int) -> str:
    """A school office number in Ofcom's drama range (01632 960000 to 960999): it rings nobody."""
    return f"01632 960{index + 1:03d}"


def school_email(name: str) -> str:
    """A school office address on a reserved domain: it reaches nobody."""
    return f"office@{name.lower().replace(' ', '-')}.example.com"


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
STREET_NAMES = ("Mill", "Church", "Station", "Orchard", "Willow", "Granary", "Ferry", "Abbey", "Marsh", "Dyke")
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

            def own_home(ref_number: int) -> str:
                # A parent who does not live with the child has a home of their own to post letters to. From
                # its own generator, so the rest of the plan draws the same numbers as before.
                home = random.Random(seed * 100_003 + ref_number)
                town, code = home.choice(TOWNS)
                return (
                    f"Flat {home.randint(1, 24)}, {home.randint(1, 160)} {home.choice(STREET_NAMES)} "
                    f"{home.choice(STREET_SUFFIXES)}, {town}, {code} {home.randint(1, 9)}"
                    f"{home.choice('ABDEFGHJLNPQRSTUWXYZ')}{home.choice('ABDEFGHJLNPQRSTUWXYZ')}"
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
                    addr or own_home(len(parents)),
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
