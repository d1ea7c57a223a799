"""Forms of the register screens: amend one session, resolve stale N codes in bulk. They only validate; the
services (cases.services.register) decide what the register allows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django import forms

from cases import rules
from cases.form_fields import CaseworkDateField, text_error_messages
from cases.models import YearGroup
from cases.selectors.register import StaleNRow
from cases.services.register import REASON_MAX_LENGTH

SESSION_CHOICES = [(str(rules.AM), "AM (morning)"), (str(rules.PM), "PM (afternoon)")]


def _code_choices(codes: Sequence[str]) -> list[tuple[str, str]]:
    return [("", "Choose a code")] + [(code, f"{code} – {rules.code_meaning(code)}") for code in codes]


def _reason_field(help_text: str) -> forms.CharField:
    field = forms.CharField(
        label="Reason for the amendment", max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        error_messages={"required": "Enter the reason for the amendment"},
    )
    field.error_messages.update(text_error_messages("The reason", REASON_MAX_LENGTH))
    return field


class MarkAmendForm(forms.Form):
    """One session (date and AM/PM), its new code and the reason."""

    date = CaseworkDateField(
        what="the date of the session", label="Date of the session",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date of the session"},
    )
    session = forms.ChoiceField(
        label="Session", choices=SESSION_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": "Choose the session: AM or PM", "invalid_choice": "Choose the session: AM or PM"},
    )
    code = forms.ChoiceField(
        label="New code", choices=_code_choices([*rules.CODES_2024, *rules.CODES_PRE_2024]),
        help_text=f"The codes withdrawn by the 2024 regulations (H, F, J, Y) are for sessions before "
                  f"{rules.CODES_2024_FROM.day} {rules.CODES_2024_FROM:%B %Y} only.",
        error_messages={"required": "Choose the new code", "invalid_choice": "Choose a code from the list"},
    )
    reason = _reason_field(
        f"Why the code changes, for example what the parent said and when. At most {REASON_MAX_LENGTH} characters."
    )

    def cleaned_session(self) -> int:
        return int(self.cleaned_data["session"])


class StaleNFilterForm(forms.Form):
    """The stale N list's GET filters; an unknown value is dropped rather than failing the page."""

    year_group = forms.ChoiceField(label="Year group", required=False, choices=[("", "Any")] + YearGroup.choices)
    q = forms.CharField(label="Name or UPN", required=False, max_length=100)

    def filters(self) -> dict[str, str]:
        if self.is_bound:
            self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {"year_group": cleaned.get("year_group", ""), "search": cleaned.get("q", "")}


class StaleNResolveForm(forms.Form):
    """Stale N sessions chosen from the list, the code that replaces N and the reason, for all of them."""

    sessions = forms.MultipleChoiceField(
        label="Sessions to amend", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one session to amend"},
    )
    code = forms.ChoiceField(
        label="New code for every session chosen",
        error_messages={"required": "Choose the new code", "invalid_choice": "Choose a code from the list"},
    )
    reason = _reason_field(
        f"The same reason is kept on each amendment. At most {REASON_MAX_LENGTH} characters."
    )

    def __init__(self, *args, rows: Sequence[StaleNRow], today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = {row.key: row for row in rows if row.recorded_here}
        self.fields["sessions"].choices = [(key, key) for key in self.rows]
        codes = [code for code in rules.codes_valid_on(today) if code != rules.NOT_ESTABLISHED_CODE]
        self.fields["code"].choices = _code_choices(codes)

    def chosen_rows(self) -> list[StaleNRow]:
        return [self.rows[key] for key in self.cleaned_data["sessions"]]

    def full_clean(self):
        super().full_clean()
        # A session that left the list meanwhile (amended by someone else, or no longer this school's): say so
        # in words rather than Django's "not one of the available choices".
        chosen = self.data.getlist("sessions") if hasattr(self.data, "getlist") else []
        if "sessions" in self.errors and chosen:
            gone = [key for key in chosen if key not in self.rows]
            if gone:
                self.errors["sessions"] = self.error_class([
                    f"{len(gone)} of the sessions chosen {'is' if len(gone) == 1 else 'are'} no longer a stale N "
                    "code of this school (amended meanwhile?): choose again from the list"
                ])
