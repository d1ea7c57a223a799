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
    ("year", "Year group (youngest first)"),
    ("-year", "Year group (oldest first)"),
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

# A contact with the family is a record of its own (meetings.Contact: date, time, method, outcome), not a note;
# contact notes made before it stay on the chronology.
NOTE_KIND_CHOICES = [
    (EventKind.NOTE.value, "Note"),
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
        error_messages={"required": "Choose what kind of entry this is",
                        "invalid_choice": "Choose what kind of entry this is"},
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


# --- the working lists: caseload and alerts (issue 12) -------------------------------------------------------

LIST_SEN_CHOICES = [
    ("", "Any"),
    ("any", "SEN support or EHC plan"),
    (SenStatus.SEN_SUPPORT.value, "SEN support (K)"),
    (SenStatus.EHC_PLAN.value, "EHC plan (E)"),
    (SenStatus.NONE.value, "No special educational needs"),
]


class ListFilterForm(forms.Form):
    """The GET filters every list shares. Unknown values are dropped rather than failing the whole page, so a
    link kept from before (or a hand-edited URL) still shows a list."""

    SORTS: dict = {}
    DEFAULT_SORT = "name"
    # Fields that only order or page the list: they do not make it "filtered".
    NOT_FILTERS = frozenset({"sort"})

    q = forms.CharField(label="Name or UPN", required=False, max_length=100)
    year_group = forms.ChoiceField(label="Year group", required=False, choices=[("", "Any")] + YearGroup.choices)
    sen = forms.ChoiceField(label="SEND", required=False, choices=LIST_SEN_CHOICES)
    fsm = forms.BooleanField(label="Free school meals only", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort"].choices = [(key, label) for key, (label, _) in self.SORTS.items()]

    def cleaned(self) -> dict:
        if self.is_bound:
            self.is_valid()
        cleaned = dict(getattr(self, "cleaned_data", {}))
        for name in self.errors:  # a bad value is ignored, the rest of the query still applies
            cleaned.pop(name, None)
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for the list's selector from whatever part of the query was valid."""
        cleaned = self.cleaned()
        found = {name: cleaned.get(name) or (False if isinstance(field, forms.BooleanField) else "")
                 for name, field in self.fields.items()}
        found["search"] = found.pop("q")
        found["sort"] = cleaned.get("sort") or self.DEFAULT_SORT
        return found

    def is_filtered(self) -> bool:
        return any(value for name, value in self.filters().items() if name not in self.NOT_FILTERS)


class CaseloadFilterForm(ListFilterForm):
    stage = forms.ChoiceField(label="Stage", required=False)
    owner = forms.ChoiceField(label="Case owner", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    field_order = ["q", "stage", "owner", "year_group", "sen", "fsm", "overdue", "sort"]

    def __init__(self, *args, owners: list[tuple[int, str]] = (), **kwargs):
        from cases.models import OPEN_STATES
        from cases.selectors.lists import CASE_OVERDUE_DEFINITION, CASELOAD_SORTS

        self.SORTS = CASELOAD_SORTS
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "Any")] + [(s.value, s.label) for s in OPEN_STATES]
        self.fields["owner"].choices = [("", "Anyone"), ("none", "Nobody")] + [(str(pk), n) for pk, n in owners]
        self.fields["overdue"].help_text = CASE_OVERDUE_DEFINITION


class AlertFilterForm(ListFilterForm):
    DEFAULT_SORT = "-raised"

    kind = forms.ChoiceField(label="Alert", required=False)
    assigned = forms.ChoiceField(label="Given to", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    field_order = ["q", "kind", "assigned", "year_group", "sen", "fsm", "overdue", "sort"]

    def __init__(self, *args, staff: list[tuple[int, str]] = (), **kwargs):
        from cases.models import AlertKind
        from cases.selectors.lists import ALERT_OVERDUE_DEFINITION, ALERT_SORTS

        self.SORTS = ALERT_SORTS
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any")] + AlertKind.choices
        self.fields["assigned"].choices = [("", "Anyone or nobody"), ("none", "Nobody yet")] + [
            (str(pk), n) for pk, n in staff]
        self.fields["overdue"].help_text = ALERT_OVERDUE_DEFINITION


ALERT_BULK_ACTIONS = [
    ("open_cases", "Open cases (one for each pupil)"),
    ("resolve", "Mark as dealt with"),
    ("assign", "Give to a member of staff"),
]


class AlertBulkForm(forms.Form):
    """The alerts chosen on the list and what to do with them; ``confirmed`` is set by the confirmation page."""

    alert = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": "Select at least one alert",
                                                "invalid_choice": "One of the alerts chosen is no longer open: "
                                                                  "choose again"})
    action = forms.ChoiceField(
        label="What do you want to do with the selected alerts?", choices=ALERT_BULK_ACTIONS,
        widget=forms.RadioSelect, error_messages={"required": "Choose what to do with the selected alerts"})
    assign_to = forms.TypedChoiceField(
        label="Member of staff", required=False, coerce=int, choices=(), empty_value=None,
        error_messages={"invalid_choice": "Choose a member of staff from the list: alerts go to someone at this "
                                          "school who works with pupils' records"})
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, alert_ids=(), staff: list[tuple[int, str]] = (), actions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alert"].choices = [(pk, pk) for pk in alert_ids]
        self.fields["assign_to"].choices = [("", "Choose a member of staff")] + list(staff)
        if actions is not None:
            self.fields["action"].choices = [c for c in ALERT_BULK_ACTIONS if c[0] in actions]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "assign" and not cleaned.get("assign_to"):
            self.add_error("assign_to", "Choose the member of staff to give the alerts to")
        return cleaned


class CaseOwnerForm(forms.Form):
    owner = forms.TypedChoiceField(label="Who owns this case?", coerce=int, choices=(),
                                   error_messages={"required": "Choose who owns this case",
                                                   "invalid_choice": "Choose a member of staff from the list"})

    def __init__(self, *args, staff: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Choose a member of staff")] + list(staff)


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
