"""Forms of the cases screens. Templates render GOV.UK markup by hand; forms only validate."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from cases.models import SenStatus, YearGroup

FLAG_CHOICES = [
    ("persistent", "Persistent absence"),
    ("severe", "Severe absence"),
    ("threshold", "Penalty notice threshold met"),
    ("cme", "Children missing education risk"),
    ("open_alert", "Any open alert"),
]
COHORT_CHOICES = [
    ("fsm", "Free school meals"),
    ("social_worker", "Has a social worker"),
    ("looked_after", "Looked after"),
    ("young_carer", "Young carer"),
    ("eal", "English as an additional language"),
]
SEN_CHOICES = [
    ("", "Any"),
    ("any", "SEN support or EHC plan"),
    (SenStatus.SEN_SUPPORT.value, "SEN support (K)"),
    (SenStatus.EHC_PLAN.value, "EHC plan (E)"),
    (SenStatus.NONE.value, "No special educational needs"),
]
SORT_CHOICES = [
    ("name", "Name (A to Z)"),
    ("attendance", "Attendance (lowest first)"),
    ("-attendance", "Attendance (highest first)"),
]


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with error messages in the GOV.UK style (say what to do)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your service administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class PupilFilterForm(forms.Form):
    """The workspace's GET filters. Unknown values are dropped rather than failing the whole page."""

    q = forms.CharField(label="Name or UPN", required=False, max_length=100)
    year_group = forms.ChoiceField(label="Year group", required=False, choices=[("", "Any")] + YearGroup.choices)
    flag = forms.MultipleChoiceField(label="Attendance", required=False, choices=FLAG_CHOICES)
    sen = forms.ChoiceField(label="SEN status", required=False, choices=SEN_CHOICES)
    cohort = forms.MultipleChoiceField(label="Cohort", required=False, choices=COHORT_CHOICES)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def filters(self) -> dict:
        """Keyword arguments for selectors.workspace_pupils from whatever part of the query was valid."""
        if self.is_bound:
            self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "search": cleaned.get("q", ""),
            "year_group": cleaned.get("year_group", ""),
            "flags": cleaned.get("flag", []),
            "sen": cleaned.get("sen", ""),
            "cohorts": cleaned.get("cohort", []),
            "sort": cleaned.get("sort") or "name",
        }

    def is_filtered(self) -> bool:
        f = self.filters()
        return bool(f["search"] or f["year_group"] or f["flags"] or f["sen"] or f["cohorts"])
