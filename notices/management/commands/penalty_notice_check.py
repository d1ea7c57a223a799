"""python manage.py penalty_notice_check --upn UPN --parent-ref REF --on YYYY-MM-DD
[--received-on YYYY-MM-DD | --posted-on YYYY-MM-DD] --format json (contract 3)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.errors import DomainError
from cases.imports.csvfile import Invalid, parse_date
from cases.models import Parent, ParentalRelationship, Pupil
from notices.penalty.services import penalty_notice_check


def _day(option: str, value: str | None):
    if value is None:
        return None
    try:
        return parse_date(value)
    except Invalid:
        raise CommandError(f"{option}: {value!r} is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "May this parent be issued a penalty notice for this pupil on that date, at what rate, and by when paid?"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--upn", required=True)
        parser.add_argument("--parent-ref", required=True, dest="parent_ref")
        parser.add_argument("--on", required=True, help="the proposed date of issue, YYYY-MM-DD")
        receipt = parser.add_mutually_exclusive_group()
        receipt.add_argument("--received-on", dest="received_on",
                             help="the day the notice is handed to the parent, YYYY-MM-DD")
        receipt.add_argument("--posted-on", dest="posted_on",
                             help="the day the notice is posted, YYYY-MM-DD: received when the LA's code of "
                                  "conduct says (working days after posting)")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, upn: str, parent_ref: str, on: str, received_on: str | None = None,
               posted_on: str | None = None, **options) -> None:
        day = _day("--on", on)
        received, posted = _day("--received-on", received_on), _day("--posted-on", posted_on)
        pupil = Pupil.objects.select_related("school__local_authority").filter(upn=upn).first()
        if pupil is None:
            raise CommandError(f"unknown UPN: {upn}")
        parent = Parent.objects.filter(school=pupil.school, parent_ref=parent_ref).first()
        if parent is None or not ParentalRelationship.objects.filter(pupil=pupil, parent=parent).exists():
            raise CommandError(f"no parent {parent_ref!r} of pupil {upn}")
        try:
            check = penalty_notice_check(pupil=pupil, parent=parent, on=day, received_on=received, posted_on=posted)
        except DomainError as refused:
            raise CommandError(str(refused)) from None
        terms = check.terms
        money = lambda amount: None if amount is None else f"{amount:.2f}"  # noqa: E731
        iso = lambda d: None if d is None else d.isoformat()  # noqa: E731
        self.stdout.write(json.dumps({
            "upn": upn,
            "parent_ref": parent_ref,
            "on": day.isoformat(),
            "allowed": terms.allowed,
            "sequence": terms.sequence,
            "full_amount": money(terms.full_amount),
            "reduced_amount": money(terms.reduced_amount),
            "full_days": terms.full_days,
            "reduced_days": terms.reduced_days,
            "counted_references": list(terms.counted_references),
            "reason": terms.reason,
            "received_on": iso(check.received_on),
            "reduced_by": iso(check.reduced_by),
            "full_by": iso(check.full_by),
        }, indent=2))
