"""Form fields that hold the casework's facts: dates that never crash a page, text with a stated limit.

Every app's forms build on these, so a year of 99999999999999999999 or 0001 is an error on its field
(GOV.UK wording) wherever it is typed, and free text is refused over ``facts.LONG_TEXT_MAX`` on the form
before a service refuses it again.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import facts


def _sentence(what: str) -> str:
    return what[:1].upper() + what[1:]


def plausible_date(on: date, what: str) -> date:
    """``on`` as a date of casework at all (facts.plausible), or a ValidationError worded for the field."""
    try:
        return facts.plausible(on, what=_sentence(what), today=timezone.localdate())
    except facts.ImpossibleFact as refused:
        raise ValidationError(str(refused), code="implausible") from None


def date_from_parts(day: int, month: int, year: int, what: str) -> date:
    """A date from the three boxes of a GOV.UK date input; any impossible combination is a ValidationError.

    ``date()`` raises OverflowError, not ValueError, for a year too big for a C integer: both mean the
    date is not real.
    """
    if year < 1000:
        raise ValidationError("Year must include 4 numbers", code="short_year")
    try:
        on = date(year, month, day)
    except (ValueError, OverflowError):
        raise ValidationError(f"{_sentence(what)} must be a real date", code="invalid") from None
    return plausible_date(on, what)


class CaseworkDateField(forms.DateField):
    """A single date box (``type=date``): a real date between ``facts.EARLIEST_FACT`` and ten years ahead."""

    def __init__(self, *, what: str, **kwargs):
        self.what = what
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid", f"{_sentence(what)} must be a real date")
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values:
            plausible_date(value, self.what)


def text_error_messages(label: str, limit: int) -> dict[str, str]:
    return {"max_length": f"{_sentence(label)} must be {limit:,} characters or fewer"}


def long_text(
    label: str, *, required: bool = True, limit: int = facts.LONG_TEXT_MAX, what: str = "", **kwargs
) -> forms.CharField:
    """A textarea holding at most ``limit`` characters, with the limit in the message (about ``what``)."""
    kwargs.setdefault("widget", forms.Textarea)
    field = forms.CharField(label=label, required=required, max_length=limit, **kwargs)
    field.error_messages.update(text_error_messages(what or label, limit))
    return field


def refusal_field(form: forms.Form, error: Exception) -> str | None:
    """The form field a service's refusal is about (an ``ImpossibleFact``'s ``field``), if the form has it.

    A date typed in three boxes is named after its stem (``date``); its error goes on the day box.
    """
    field = getattr(error, "field", None)
    if not field:
        return None
    return next((name for name in (field, f"{field}_day") if name in form.fields), None)


def add_refusal(form: forms.Form, error: Exception) -> None:
    """Shows a service's refusal on the field it is about, or above the form when it is about no one field."""
    form.add_error(refusal_field(form, error), str(error))
