"""The forms of the penalty notice request pages."""

from __future__ import annotations

from django import forms

from notices.form_parts import long_text
from notices.review.requests import RequestDecision


class PenaltyNoticeRequestForm(forms.Form):
    parents = forms.MultipleChoiceField(
        label="Which parents or carers should receive a penalty notice?", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the parents or carers the penalty notices are for."},
    )
    reason = long_text("What are you asking the local authority, and why?",
                       required="Say what you are asking the local authority, and why.")

    def __init__(self, *args, parent_links, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_links = parent_links
        self.fields["parents"].choices = [
            (str(link.parent_id), f"{link.parent} ({link.relationship})") for link in parent_links
        ]

    def selected_parents(self):
        chosen = set(self.cleaned_data["parents"])
        return [link.parent for link in self.parent_links if str(link.parent_id) in chosen]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", choices=RequestDecision.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve, reject or ask for more information."},
    )
    reasons = long_text("Reasons, or the information the school should give")


class AnswerForm(forms.Form):
    answer = long_text("Your answer to the local authority",
                       required="Write your answer to the local authority's question.")
