"""Forms of the notices screens. Templates render GOV.UK markup by hand; forms only validate.

Error messages follow the GOV.UK pattern: say what went wrong and how to fix it. The service checks the law
again (the improvement period's limits, the parents, every item the notice must contain).
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from cases import facts, rules
from notices.form_parts import DatePartsMixin, long_text
from notices.form_parts import date_part as _date_part

# --- notices to improve ------------------------------------------------------------------------------


def _text(label: str, required: str, **kwargs) -> forms.CharField:
    return long_text(label, required=required, **kwargs)


class NoticeToImproveForm(DatePartsMixin, forms.Form):
    parents = forms.MultipleChoiceField(
        label="Parents and carers the notice is issued to",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one parent or carer to issue the notice to",
            "invalid_choice": "Select only this pupil's own parents and carers",
        },
    )
    issued_day = _date_part("Day")
    issued_month = _date_part("Month")
    issued_year = _date_part("Year")
    ends_day = _date_part("Day")
    ends_month = _date_part("Month")
    ends_year = _date_part("Year")
    support_records = forms.MultipleChoiceField(
        label="Support provided so far",
        widget=forms.CheckboxSelectMultiple,
        required=False,  # clean() asks for a record or a line of text
        error_messages={"invalid_choice": "Select only support recorded on this case"},
    )
    support_so_far = long_text("Other support provided so far (optional)")
    further_support = _text(
        "Further support offered", "Enter the further support offered, or the support not yet taken up"
    )
    sufficient_improvement = _text(
        "What sufficient improvement means for this pupil", "Enter what sufficient improvement means for this pupil"
    )
    early_penalty_grounds = _text(
        "Grounds for a penalty notice before the period ends",
        "Enter the grounds on which a penalty notice may be issued before the improvement period ends",
    )
    reason = _text("Why a notice to improve now", "Enter why a notice to improve is being issued now")

    def __init__(self, *args, parent_links, support=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.support = list(support)
        self.fields["support_records"].choices = [(record.key, record.sentence) for record in self.support]
        self.parent_links = list(parent_links)
        self.fields["parents"].choices = [
            (str(link.parent_id), f"{link.parent.forename} {link.parent.surname} ({link.relationship})")
            for link in self.parent_links
        ]

    def clean(self):
        cleaned = super().clean()
        cleaned["issued_on"] = self.date_from_parts("issued", "the date of issue")
        if cleaned["issued_on"]:
            # Said next to the date (the service refuses it too): a notice is recorded once it is issued.
            try:
                facts.happened(cleaned["issued_on"], what="The date of issue", today=timezone.localdate())
            except facts.ImpossibleFact as error:
                self.add_error("issued_day", str(error))
        cleaned["improvement_period_ends_on"] = self.date_from_parts("ends", "the last day of the improvement period")
        chosen = self.chosen_support()
        if not chosen and not cleaned.get("support_so_far", "").strip() and "support_records" not in self.errors:
            self.add_error("support_records", "Select the support provided so far, or describe it below")
        return cleaned

    def chosen_support(self):
        """The recorded support the DSL ticked, in the order the case lists it."""
        wanted = set(self.cleaned_data.get("support_records", []))
        return [record for record in self.support if record.key in wanted]

    def selected_parents(self):
        wanted = set(self.cleaned_data.get("parents", []))
        return [link.parent for link in self.parent_links if str(link.parent_id) in wanted]


OUTCOME_CHOICES = [
    ("improved", "Yes, attendance improved sufficiently"),
    ("not_improved", "No, attendance did not improve sufficiently"),
]


class NoticeToImproveOutcomeForm(forms.Form):
    improved = forms.ChoiceField(
        label="Did attendance improve sufficiently?",
        choices=OUTCOME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether attendance improved sufficiently"},
    )
    note = _text("How you reached this outcome", "Enter how you reached this outcome")


class NoticeToImproveEarlyGroundForm(forms.Form):
    ground = _text(
        "Which stated ground has arisen, and when", "Enter which of the stated grounds has arisen, and when"
    )
    sessions = forms.MultipleChoiceField(
        label="The register sessions the ground rests on",
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the service says why none is a refusal (none chosen, or none recorded yet)
        error_messages={"invalid_choice": "Choose only unauthorised sessions recorded since the notice was issued"},
    )

    def __init__(self, *args, available, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"].choices = [(s.key, s.sentence()) for s in available]

    def chosen_sessions(self) -> list[tuple[date, int]]:
        """The ticked sessions as (date, AM or PM) pairs."""
        names = {name: number for number, name in rules.SESSION_NAMES.items()}
        chosen = []
        for key in self.cleaned_data.get("sessions", []):
            on, _, name = key.partition(":")
            chosen.append((date.fromisoformat(on), names[name]))
        return chosen
