"""What the notices forms share: GOV.UK date boxes that never fail on an absurd number, free text within
the one limit of cases.facts, and a refusal shown on the field it is about.
"""

from __future__ import annotations

from datetime import MAXYEAR, date

from django import forms

from cases import facts
from cases.errors import DomainError

DATE_PARTS = ("day", "month", "year")


def date_part(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=1, error_messages={"invalid": "Enter the date using numbers only"}
    )


def long_text(label: str, *, required: str | None = None, **kwargs) -> forms.CharField:
    """A textarea within facts.LONG_TEXT_MAX: the form says so before the service refuses it."""
    messages = {"max_length": f"Enter {facts.LONG_TEXT_MAX:,} characters or fewer (about four printed pages)"}
    if required:
        messages["required"] = required
    return forms.CharField(label=label, widget=forms.Textarea, max_length=facts.LONG_TEXT_MAX,
                           required=required is not None, error_messages=messages, **kwargs)


class DatePartsMixin:
    """GOV.UK date input: three boxes (day, month, year) named ``<prefix>_day`` etc., errors on the day box.

    A year of 99999999999999999999 is a typing mistake, said as one: ``date()`` raises OverflowError, not
    ValueError, for numbers beyond a C int, so every part is bounded before a date is made.
    """

    def date_parts_given(self, prefix: str) -> bool:
        """Whether any box of the date was filled (or filled wrongly)."""
        return any(
            self.cleaned_data.get(f"{prefix}_{part}") is not None or f"{prefix}_{part}" in self.errors
            for part in DATE_PARTS
        )

    def date_from_parts(self, prefix: str, what: str) -> date | None:
        if any(f"{prefix}_{part}" in self.errors for part in DATE_PARTS):
            return None
        parts = [self.cleaned_data.get(f"{prefix}_{part}") for part in DATE_PARTS]
        if all(p is None for p in parts):
            self.add_error(f"{prefix}_day", f"Enter {what}")
            return None
        missing = [name for name, p in zip(DATE_PARTS, parts, strict=True) if p is None]
        if missing:
            self.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must include a {' and a '.join(missing)}")
            return None
        day, month, year = parts
        if not 1000 <= year <= MAXYEAR:
            self.add_error(f"{prefix}_day", "Year must include 4 numbers")
            return None
        if day > 31 or month > 12:
            self.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must be a real date")
            return None
        try:
            return date(year, month, day)
        except (ValueError, OverflowError):
            self.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must be a real date")
            return None

    def optional_date(self, prefix: str, what: str) -> date | None:
        """A date the form may leave empty: None when no box was filled."""
        return self.date_from_parts(prefix, what) if self.date_parts_given(prefix) else None


def show_refusal(form: forms.Form, error: DomainError, fields: dict[str, str] | None = None) -> None:
    """A service's refusal on the form: an ImpossibleFact on the field it names (through ``fields`` when the
    service's name differs from the form's, e.g. ``issued_on`` shown at ``issued_day``), anything else at
    the top of the form."""
    field = getattr(error, "field", None)
    if field is not None and fields:
        field = fields.get(field, field)
    if field is not None and field not in form.fields:
        field = f"{field}_day" if f"{field}_day" in form.fields else None
    form.add_error(field, str(error))


class ReassignForm(forms.Form):
    """The LA manager's choice of the officer who takes over a request or a referral."""

    officer = forms.TypedChoiceField(
        label="Give it to", coerce=int,
        error_messages={"required": "Choose the officer to give it to.",
                        "invalid_choice": "Choose one of the local authority's officers."},
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.officers = {officer.pk: officer for officer in officers}
        self.fields["officer"].choices = [("", "Choose an officer")] + [
            (officer.pk, officer.get_full_name() or officer.get_username()) for officer in officers
        ]

    def chosen(self):
        return self.officers[self.cleaned_data["officer"]]
