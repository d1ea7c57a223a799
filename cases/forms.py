"""Forms of the cases screens. Templates render GOV.UK markup by hand; forms only validate."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from cases import facts
from cases.form_fields import text_error_messages
from cases.models import CaseOutcome, CaseState, EventKind, SenStatus, YearGroup

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


# --- casework forms ----------------------------------------------------------------------------------

NOTE_KIND_CHOICES = [
    (EventKind.NOTE.value, "Note"),
    (EventKind.CONTACT.value, "Contact with the family"),
    (EventKind.NON_ENGAGEMENT.value, "Non-engagement by the parents"),
    (EventKind.SAFEGUARDING.value, "Safeguarding referral made (Keeping Children Safe in Education)"),
]
# What the case page's buttons post; the names are the case's transitions.
CASE_STEPS = ("start_targeted_support", "start_formal_support", "issue_notice_to_improve",
              "request_penalty_notice", "refer_for_prosecution", "put_on_hold", "resume", "close")


REASON_TOO_LONG = text_error_messages("The reason", facts.LONG_TEXT_MAX)
ANSWER_TOO_LONG = text_error_messages("The answer", facts.LONG_TEXT_MAX)


class CaseOpenForm(forms.Form):
    reason = forms.CharField(
        label="Why are you opening a case?",
        help_text="This goes on the case's chronology. Say what the concern is, from the data or from staff.",
        widget=forms.Textarea(attrs={"rows": 5}), max_length=facts.LONG_TEXT_MAX,
        error_messages={"required": "Say why the case is being opened", **REASON_TOO_LONG},
    )


class CaseStepForm(forms.Form):
    """One of the case page's action buttons: the step, the reason, and the stage the user was looking at."""

    transition = forms.ChoiceField(choices=[(s, s) for s in CASE_STEPS])
    expected_state = forms.ChoiceField(choices=CaseState.choices)
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=facts.LONG_TEXT_MAX,
        error_messages={"required": "Give the reason for this step: it goes on the case's chronology",
                        **REASON_TOO_LONG},
    )
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=CaseOutcome.choices, widget=forms.RadioSelect,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("transition") == "close" and not cleaned.get("outcome"):
            self.add_error("outcome", "Choose the outcome the case is closing with")
        return cleaned


class CaseNoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you recording?", choices=NOTE_KIND_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of entry this is"},
    )
    summary = forms.CharField(
        label="Summary", max_length=300, help_text="One line, as it will appear on the chronology",
        error_messages={"required": "Write a one-line summary",
                        "max_length": "Summary must be 300 characters or fewer"},
    )
    details = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=facts.LONG_TEXT_MAX,
                              error_messages=text_error_messages("The details", facts.LONG_TEXT_MAX))


class PnConsiderationForm(forms.Form):
    """The considerations the national framework asks for before a penalty notice (domain.md 3.5)."""

    why_penalty_notice_is_the_best_tool = forms.CharField(
        label="Why is a penalty notice the best tool?", widget=forms.Textarea(attrs={"rows": 3}),
        max_length=facts.LONG_TEXT_MAX,
        error_messages={"required": "Say why a penalty notice is the best tool", **ANSWER_TOO_LONG},
    )
    alternatives_considered = forms.CharField(
        label="Would support, a notice to improve or another legal intervention be better?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=facts.LONG_TEXT_MAX,
        error_messages={"required": "Record the alternatives considered", **ANSWER_TOO_LONG},
    )
    equality_act_consideration = forms.CharField(
        label="Do Equality Act 2010 duties (reasonable adjustments, s20) make a penalty notice inappropriate?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=facts.LONG_TEXT_MAX,
        error_messages={"required": "Record the Equality Act 2010 consideration", **ANSWER_TOO_LONG},
    )


class AuditFilterForm(forms.Form):
    """The audit screen's filters: a person (username), a pupil (UPN) and a date range, all optional."""

    person = forms.CharField(label="Person (username)", required=False, max_length=150)
    upn = forms.CharField(label="Pupil (UPN)", required=False, max_length=13)
    since = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"],
                            error_messages={"invalid": "Enter the date from as YYYY-MM-DD, e.g. 2026-09-01"})
    until = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"],
                            error_messages={"invalid": "Enter the date to as YYYY-MM-DD, e.g. 2026-09-30"})

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The date to must be the same as or after the date from")
        return data

    def filters(self) -> dict:
        """The valid filters (an invalid form filters nothing, and says why)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class PnDeclineForm(forms.Form):
    """The headteacher's reasons for declining a penalty notice request: the DSL reads them on the case."""

    reason = forms.CharField(
        label="Why are you declining the penalty notice request?",
        help_text="The DSL reads your reasons on the case and its chronology.",
        widget=forms.Textarea(attrs={"rows": 5}), max_length=facts.LONG_TEXT_MAX,
        error_messages={"required": "Give the reasons for declining: the DSL reads them on the case.",
                        **text_error_messages("The reasons", facts.LONG_TEXT_MAX)},
    )


class NewsReadForm(forms.Form):
    """Marks one piece of news on "My work" as read: its kind and the record it is about."""

    kind = forms.CharField(max_length=50)
    object_id = forms.IntegerField(min_value=1, max_value=2**31 - 1)
