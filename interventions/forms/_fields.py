"""The form fields every interventions form is made of, with GOV.UK error messages."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from cases import facts
from cases.form_fields import CaseworkDateField, text_error_messages


def _required(field: forms.Field, message: str) -> forms.Field:
    field.error_messages["required"] = message
    return field


def date_field(label: str, *, required: str, help_text: str = "") -> forms.DateField:
    field = CaseworkDateField(
        what=label,
        label=label,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    return _required(field, required)


def text_field(label: str, *, required: str, max_length: int = facts.SHORT_TEXT_MAX, help_text: str = "") -> forms.CharField:
    field = forms.CharField(label=label, max_length=max_length, help_text=help_text)
    field.error_messages.update(text_error_messages(label, max_length))
    return _required(field, required)


def long_text_field(label: str, *, required: str | None, help_text: str = "") -> forms.CharField:
    field = forms.CharField(label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 5}),
                            required=required is not None, max_length=facts.LONG_TEXT_MAX)
    field.error_messages.update(text_error_messages(label, facts.LONG_TEXT_MAX))
    return _required(field, required) if required else field


def _not_in_future(form: forms.Form, name: str, what: str) -> None:
    day = form.cleaned_data.get(name)
    if day is not None and day > timezone.localdate():
        form.add_error(name, f"{what} must be today or in the past")
