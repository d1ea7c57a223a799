"""The reports' filter: which academic year, which group of pupils."""

from __future__ import annotations

from django import forms

from cases.selectors.reports import year_label


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="Academic year", coerce=int, required=False)
    cohort = forms.ChoiceField(label="Pupils", required=False)

    def __init__(self, data=None, *, years: list[int], cohorts: list) -> None:
        super().__init__(data)
        self.fields["year"].choices = [(y, year_label(y)) for y in years]
        self.fields["year"].error_messages["invalid_choice"] = (
            "There are no attendance marks for that academic year: choose a year from the list")
        self.fields["cohort"].choices = [(c.slug, c.label) for c in cohorts]
        self.fields["cohort"].error_messages["invalid_choice"] = "Choose a group of pupils from the list"

    def full_clean(self):
        # A year typed into the address (?year=1999) that has no marks is told so by name.
        super().full_clean()
        raw = (self.data or {}).get("year", "") if self.is_bound else ""
        if "year" in self.errors and raw:
            shown = f"{raw} to {int(raw) + 1}" if raw.isdigit() and len(raw) == 4 else raw[:20]
            self.errors["year"] = self.error_class(
                [f"There are no attendance marks for the academic year {shown}: choose a year from the list"])
