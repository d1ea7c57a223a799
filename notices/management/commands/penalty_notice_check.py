"""python manage.py penalty_notice_check --upn UPN --parent-ref REF --on YYYY-MM-DD --format json (contract 3)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.imports.csvfile import Invalid, parse_date
from cases.models import Parent, ParentalRelationship, Pupil
from notices.services.penalty import penalty_notice_terms_for


class Command(BaseCommand):
    help = "May this parent be issued a penalty notice for this pupil on that date, and at what rate?"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--upn", required=True)
        parser.add_argument("--parent-ref", required=True, dest="parent_ref")
        parser.add_argument("--on", required=True, help="the proposed date of issue, YYYY-MM-DD")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, upn: str, parent_ref: str, on: str, **options) -> None:
        try:
            day = parse_date(on)
        except Invalid:
            raise CommandError(f"--on: {on!r} is not a date in the form YYYY-MM-DD") from None
        pupil = Pupil.objects.select_related("school").filter(upn=upn).first()
        if pupil is None:
            raise CommandError(f"unknown UPN: {upn}")
        parent = Parent.objects.filter(school=pupil.school, parent_ref=parent_ref).first()
        if parent is None or not ParentalRelationship.objects.filter(pupil=pupil, parent=parent).exists():
            raise CommandError(f"no parent {parent_ref!r} of pupil {upn}")
        terms = penalty_notice_terms_for(pupil=pupil, parent=parent, on=day)
        money = lambda amount: None if amount is None else f"{amount:.2f}"  # noqa: E731
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
        }, indent=2))
