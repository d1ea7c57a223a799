"""Create the demo local authority (Fenshire, 873): schools, pupils, parents, registers, staff, a scan."""

from __future__ import annotations

import os
import random
import time
from base64 import b32decode
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import demo
from cases.models import (
    Case,
    CodeOfConduct,
    LocalAuthority,
    Mark,
    MarkAmendment,
    Offence,
    Parent,
    ParentalRelationship,
    Pupil,
    Role,
    School,
    StaffProfile,
    TermDate,
)
from cases.permissions import needs_second_factor
from interventions.models import LeaveOfAbsenceRequest
from notices.models import (
    Letter,
    LetterBatch,
    NoticeToImprove,
    OfficerTask,
    PenaltyNotice,
    PenaltyNoticeRequest,
    ProsecutionReferral,
)

DEFAULT_PASSWORD = "attendance-demo-2026"
# Every demo user whose role needs a second factor has an authenticator with this key (base32), so a person
# trying the demo can add it to an authenticator app, or read the current code with `manage.py demo_code`.
DEMO_AUTHENTICATOR_SECRET = "FENSHIREDEMOAUTHENTICATORSECRET2"

# username, first name, last name, role, position, school index (None: the LA)
# Invented addresses in the demo county (the postcode area FN does not exist).
# The LA's particulars every penalty notice gives (2007 Regulations reg 3): where correspondence goes, and every
# way to pay. Invented: reserved domains, and Ofcom's drama range for the numbers.
LA_PARTICULARS = {
    "address": "Attendance Service, County Hall, Castle Street, Fenbridge, FN1 1CC",
    "phone": "01632 960 873",
    "email": "attendance@fenshire.example",
    "pay_online_url": "https://pay.fenshire.example/penalty-notices",
    "pay_phone": "01632 960 400",
    "pay_post_address": "Income Team (Penalty Notices), Fenshire County Council, County Hall, Castle Street, "
    "Fenbridge, FN1 1CC",
    "pay_cheque_payee": "Fenshire County Council",
}

SCHOOL_ADDRESSES = (
    "Station Road, Fenbridge, FN1 4AB",
    "Moor Lane, Kingsmoor, FN4 2DE",
    "Church Walk, Marshfield, FN7 6AH",
    "Botolph Street, Eastwick, FN9 3LP",
)

DEMO_STAFF = (
    ("dsl", "Sarah", "Whitfield", Role.DSL, "Deputy Headteacher (Attendance Lead)", 0),
    ("attendance", "Kiran", "Patel", Role.ATTENDANCE_OFFICER, "Attendance Officer", 0),
    ("senco", "Daniel", "Okafor", Role.SENCO, "SENCo", 0),
    ("head", "Helen", "Marsh", Role.HEADTEACHER, "Headteacher", 0),
    ("primary_dsl", "James", "Ridley", Role.DSL, "Deputy Headteacher and Designated Safeguarding Lead", 2),
    ("governor", "Margaret", "Osei", Role.GOVERNOR, "Chair of Governors", 0),
    ("la_officer", "Fiona", "Hargreaves", Role.LA_OFFICER, "Senior Education Welfare Officer", None),
    ("la_officer_2", "Tom", "Baines", Role.LA_OFFICER, "Education Welfare Officer", None),
    ("la_manager", "Priya", "Chandran", Role.LA_MANAGER, "Attendance Service Manager", None),
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date in YYYY-MM-DD form") from exc


class Command(BaseCommand):
    help = "Create a synthetic local authority with schools, pupils, parents, registers and demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo authority's data and recreate it"
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="random seed (same seed, same data)"
        )
        parser.add_argument(
            "--pupils", type=int, default=demo.DEFAULT_PUPILS, help="number of pupils (about 3,000)"
        )
        parser.add_argument(
            "--from",
            dest="start",
            type=_date,
            default=demo.DEFAULT_FROM,
            help="first register date (2025-09-01)",
        )
        parser.add_argument("--as-of", type=_date, default=None, help="last register date (default: today)")
        parser.add_argument("--no-scan", action="store_true", help="skip the attendance scan at the end")

    def handle(self, *args, **options):
        # The demo's history is made through the services, which email people when work arrives: nobody is
        # emailed about a demo being built (the emails go to Django's in-memory outbox and are dropped).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            return self._seed(**options)

    def _seed(self, *, reset, seed, pupils, start, as_of, no_scan, **options):
        as_of = as_of or timezone.localdate()
        if pupils < 8:
            raise CommandError("--pupils must be at least 8 (two per school)")
        if start > as_of:
            raise CommandError(f"--from {start} is after --as-of {as_of}")
        existing = LocalAuthority.objects.filter(code=demo.DEMO_LA_CODE).first()
        if existing and not reset:
            self.stdout.write("demo data already present (use --reset to recreate it)")
            return
        began = time.perf_counter()
        with transaction.atomic():
            if existing:
                self._delete(existing)
            counts = self._create(seed=seed, n=pupils, start=start, as_of=as_of)
        seeded = time.perf_counter() - began
        scan_summary = None if no_scan else self._scan(as_of)
        scanned = time.perf_counter() - began - seeded
        if scan_summary is not None:
            self._casework(as_of, seed)
        self._summary(counts, seeded, scanned, scan_summary, as_of)

    def _delete(self, la: LocalAuthority) -> None:
        schools = School.objects.filter(local_authority=la)
        pupils = Pupil.objects.filter(school__in=schools)
        try:
            # Casework first: the LA's processes protect the cases and evidence bundles they were made for,
            # notices and letters the cases and parents.
            ProsecutionReferral.objects.filter(case__pupil__in=pupils).delete()
            PenaltyNoticeRequest.objects.filter(case__pupil__in=pupils).delete()
            # A batch protects the demo user who started it (made on the demo, then the demo reset).
            LetterBatch.objects.filter(school__in=schools).delete()
            Letter.objects.filter(pupil__in=pupils).delete()
            OfficerTask.objects.filter(notice__pupil__in=pupils).delete()
            PenaltyNotice.objects.filter(pupil__in=pupils).delete()
            NoticeToImprove.objects.filter(case__pupil__in=pupils).delete()
            Case.objects.filter(pupil__in=pupils).delete()
            # Evidence rows refuse deletion one by one; the demo's reset removes them as a set.
            Offence.objects.filter(pupil__in=pupils).delete()
            LeaveOfAbsenceRequest.objects.filter(pupil__in=pupils).delete()
            Mark.objects.filter(Q(pupil__in=pupils) | Q(school__in=schools)).delete()
            pupils.delete()
            Parent.objects.filter(school__in=schools).delete()
            get_user_model().objects.filter(username__in=demo.DEMO_USERNAMES).delete()
            StaffProfile.objects.filter(Q(school__in=schools) | Q(local_authority=la)).delete()
            schools.delete()
            la.delete()
        except ProtectedError as exc:
            raise CommandError(
                f"cannot reset the demo authority: other records still point at it ({exc})"
            ) from exc

    def _create(self, *, seed: int, n: int, start: date, as_of: date) -> dict[str, int]:
        la = LocalAuthority.objects.create(code=demo.DEMO_LA_CODE, name=demo.DEMO_LA_NAME, **LA_PARTICULARS)
        CodeOfConduct.objects.create(local_authority=la)
        schools = [
            School.objects.create(
                urn=s.urn, name=s.name, local_authority=la, address=SCHOOL_ADDRESSES[i % 4],
                phone=demo.school_phone(i), email=demo.school_email(s.name),
            )
            for i, s in enumerate(demo.SCHOOLS)
        ]
        TermDate.objects.bulk_create(
            TermDate(school=school, name=name, starts_on=first, ends_on=last)
            for school in schools
            for name, (first, last) in demo.term_dates()
        )

        plans = demo.plan_pupils(n, seed, start)
        families = demo.plan_families(plans, seed)
        pupils = Pupil.objects.bulk_create(
            Pupil(
                upn=p.upn,
                forename=p.forename,
                surname=p.surname,
                date_of_birth=p.date_of_birth,
                school=schools[p.school],
                year_group="R" if p.year_group == 0 else str(p.year_group),
                sen_status=p.sen,
                fsm=p.fsm,
                social_worker=p.social_worker,
                looked_after=p.looked_after,
                young_carer=p.young_carer,
                eal=p.eal,
            )
            for p in plans
        )
        parents = Parent.objects.bulk_create(
            Parent(
                school=schools[f.school],
                parent_ref=f.ref,
                forename=f.forename,
                surname=f.surname,
                address=f.address,
                email=f.email,
                phone=f.phone,
            )
            for f in families
        )
        links = ParentalRelationship.objects.bulk_create(
            ParentalRelationship(
                pupil=pupils[child],
                parent=parent,
                relationship=relationship,
                parental_responsibility=responsibility,
                lives_with_pupil=lives,
            )
            for parent, f in zip(parents, families, strict=True)
            for child, relationship, responsibility, lives in f.links
        )

        amendments: list = []
        rows = demo.register_rows(
            plans,
            [p.pk for p in pupils],
            [s.pk for s in schools],
            seed=seed,
            start=start,
            as_of=as_of,
            amendments=amendments,
        )
        marks = demo.insert_marks(rows)
        rng = random.Random(seed + 2)
        officer = {s.pk: plan.attendance_officer for s, plan in zip(schools, demo.SCHOOLS, strict=True)}
        made = MarkAmendment.objects.bulk_create(
            MarkAmendment(
                pupil_id=pupil_id,
                date=on,
                session=a.session,
                original_code=a.original,
                amended_code=a.amended,
                reason=a.reason,
                amended_at=timezone.make_aware(demo.amended_at(on, rng, latest=as_of)),
                amended_by_name=officer[school_id][0],
                amended_by_position=officer[school_id][1],
            )
            for pupil_id, _plan, on, a, school_id in amendments
        )
        self._users(schools, la)
        return {
            "schools": len(schools),
            "pupils": len(pupils),
            "parents": len(parents),
            "links": len(links),
            "marks": marks,
            "amendments": len(made),
        }

    def _users(self, schools: list[School], la: LocalAuthority) -> None:
        User = get_user_model()
        password = make_password(os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD))
        for username, first, last, role, position, school in DEMO_STAFF:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "password": password,
                    "email": f"{username}@fenshire.example.com",
                    "is_active": True,
                },
            )
            StaffProfile.objects.update_or_create(
                user=user,
                defaults={
                    "role": role,
                    "position": position,
                    "school": None if school is None else schools[school],
                    "local_authority": la if school is None else None,
                },
            )
        User.objects.update_or_create(
            username="admin",
            defaults={
                "first_name": "Demo",
                "last_name": "Administrator",
                "password": password,
                "email": "admin@fenshire.example.com",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        key = b32decode(DEMO_AUTHENTICATOR_SECRET).hex()
        for user in User.objects.filter(username__in=demo.DEMO_USERNAMES):
            if needs_second_factor(user):
                TOTPDevice.objects.update_or_create(
                    user=user, name="Demo authenticator", defaults={"key": key, "confirmed": True}
                )

    def _casework(self, as_of: date, seed: int) -> None:
        """Cases at every stage for the secondary DSL's and the primary DSL's caseloads."""
        if as_of != timezone.localdate():
            # The ladder's guards read today's date: casework dated from another day would not be real.
            self.stderr.write("casework skipped: it is only made when --as-of is today")
            return
        from cases.demo.casework import Staff, seed_casework
        from cases.nightly import nightly_scan

        users = {u.username: u for u in get_user_model().objects.filter(username__in=demo.DEMO_USERNAMES)}
        schools = {s.urn: s for s in School.objects.filter(local_authority__code=demo.DEMO_LA_CODE)}
        with transaction.atomic():
            made = seed_casework(
                school=schools[demo.SCHOOLS[0].urn],
                staff=Staff(dsl=users["dsl"], senco=users["senco"], head=users["head"], la_officer=users["la_officer"],
                            attendance=users["attendance"]),
                as_of=as_of, seed=seed, kind="secondary",
            )
            made += seed_casework(
                school=schools[demo.SCHOOLS[2].urn],
                staff=Staff(dsl=users["primary_dsl"], senco=None, head=None),
                as_of=as_of, seed=seed + 1, kind="primary",
            )
        # Notices to improve now cover their sessions: refresh the snapshots (alerts are never duplicated).
        nightly_scan(as_of=as_of)
        self.stdout.write(f"Casework: {made} cases across the ladder at {demo.SCHOOLS[0].name} and {demo.SCHOOLS[2].name}")

    def _scan(self, as_of: date):
        try:
            from cases.nightly import nightly_scan
        except ImportError:
            self.stderr.write(
                "cases.nightly.nightly_scan is not available: snapshots and alerts were not computed"
            )
            return None
        return nightly_scan(as_of=as_of)

    def _summary(
        self, counts: dict[str, int], seeded: float, scanned: float, scan_summary, as_of: date
    ) -> None:
        w = self.stdout.write
        w(
            f"{demo.DEMO_LA_NAME} ({demo.DEMO_LA_CODE}): {counts['schools']} schools, {counts['pupils']} pupils, "
            f"{counts['parents']} parents and carers, {counts['marks']:,} register marks to {as_of}, "
            f"{counts['amendments']} amendments in {seeded:.1f} s"
        )
        if scan_summary is not None:
            by_kind = getattr(scan_summary, "alerts_by_kind", {}) or {}
            kinds = ", ".join(f"{n} {getattr(k, 'label', k)}" for k, n in sorted(by_kind.items()))
            w(
                f"Scan as of {as_of} in {scanned:.1f} s: {getattr(scan_summary, 'pupils', '?')} pupils, "
                f"{getattr(scan_summary, 'alerts_created', '?')} new alerts"
                + (f" ({kinds})" if kinds else "")
            )
        w("")
        w("Open http://127.0.0.1:8000/ (python manage.py runserver) and sign in as:")
        for username, first, last, _role, position, school in DEMO_STAFF:
            where = demo.DEMO_LA_NAME if school is None else demo.SCHOOLS[school].name
            w(f"  {username:<12} {first} {last}, {position}, {where}")
        w("  admin        Django administrator (/admin/)")
        password_from = "DEMO_PASSWORD" if "DEMO_PASSWORD" in os.environ else f"default {DEFAULT_PASSWORD!r}"
        w(f"Password for all: {password_from}")
        with_code = [
            user.username
            for user in get_user_model().objects.filter(username__in=demo.DEMO_USERNAMES).order_by("username")
            if needs_second_factor(user)
        ]
        w(
            f"{', '.join(with_code)} also enter a code: add the key "
            f"{DEMO_AUTHENTICATOR_SECRET} to an authenticator app, or run python manage.py demo_code USERNAME"
        )
