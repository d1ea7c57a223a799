"""Forms of the case's support work: support plans and their actions, attendance contracts, early help."""

from __future__ import annotations

from django import forms
from django.forms import BaseFormSet, formset_factory

from cases.models import Pupil
from interventions import selectors
from interventions.forms._fields import _not_in_future, _required, date_field, long_text_field, text_field
from interventions.models import (
    EarlyHelpKind,
    PartyResponse,
)

# --- support plans -----------------------------------------------------------------------------------


class SupportPlanForm(forms.Form):
    barriers = long_text_field(
        "Barriers to attendance", required="Enter the barriers to attendance the plan addresses",
        help_text="What stands in the way of attending, in the family's and the pupil's words",
    )
    review_on = date_field("Review date", required="Enter the date the plan will be reviewed")


class ActionForm(forms.Form):
    description = text_field("What will be done", required="Enter what the action is", max_length=300)
    owner = text_field(
        "Who will do it", required="Enter who will do the action", help_text="A person, a parent, or an agency"
    )
    due_on = date_field("Due by", required="Enter the date the action is due")


class BaseActionFormSet(BaseFormSet):
    """Every row may be left empty; the formset as a whole needs at least one filled row."""

    default_error_messages = {
        "too_few_forms": "Add at least one action: what will be done, who will do it, and by when",
        "too_many_forms": "A plan can have at most 10 actions at a time: add more once it is saved",
    }

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = True
        return form


ActionFormSet = formset_factory(
    ActionForm, formset=BaseActionFormSet, extra=2, min_num=1, validate_min=True, max_num=10, validate_max=True
)


class SupportPlanAgreeForm(forms.Form):
    agreed_on = date_field("Date the family agreed the plan", required="Enter the date the family agreed the plan")

    def clean(self):
        _not_in_future(self, "agreed_on", "The date the plan was agreed")
        return self.cleaned_data


class ActionCompleteForm(forms.Form):
    completed_on = date_field("Date it was done", required="Enter the date the action was done")
    note = long_text_field("Notes (optional)", required=None)

    def clean(self):
        _not_in_future(self, "completed_on", "The date the action was done")
        return self.cleaned_data


REVIEW_CONTINUE, REVIEW_CLOSE = "continue", "close"


class SupportPlanReviewForm(forms.Form):
    reviewed_on = date_field("Date of the review", required="Enter the date of the review")
    outcome = long_text_field("What the review found", required="Enter what the review found",
                              help_text="What is working, what is not, and the attendance since the plan started")
    next_step = _required(forms.ChoiceField(
        label="What happens to the plan",
        choices=[(REVIEW_CONTINUE, "Keep the plan going to a new review date"), (REVIEW_CLOSE, "Close the plan")],
        widget=forms.RadioSelect,
    ), "Select whether the plan continues or closes")
    next_review_on = date_field("Next review date", required="Enter the next review date",
                                help_text="Only if the plan continues")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_review_on"].required = False

    def clean(self):
        data = self.cleaned_data
        if data.get("next_step") == REVIEW_CONTINUE:
            if not data.get("next_review_on"):
                self.add_error("next_review_on", "Enter the next review date, or choose to close the plan")
            elif data.get("reviewed_on") and data["next_review_on"] <= data["reviewed_on"]:
                self.add_error("next_review_on", "The next review date must be after the date of this review")
        return data


# --- attendance contracts ------------------------------------------------------------------------------


class ContractForm(forms.Form):
    parents = _required(forms.ModelMultipleChoiceField(
        label="Parents and carers who are party to the contract",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each parent signs their own copy. Only the pupil's recorded parents and carers are listed.",
    ), "Select at least one parent or carer")
    school_commitments = long_text_field(
        "What the school and the LA commit to", required="Enter what the school and the LA commit to",
        help_text="One commitment a line",
    )
    parent_commitments = long_text_field(
        "What the parents commit to", required="Enter what the parents commit to", help_text="One commitment a line"
    )
    starts_on = date_field("Start date", required="Enter the date the contract starts")
    review_on = date_field("Review date", required="Enter the date the contract will be reviewed")

    def __init__(self, *args, pupil: Pupil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parents"].queryset = selectors.parents_of(pupil=pupil)
        self.fields["parents"].error_messages["invalid_choice"] = "Select only the pupil's own parents and carers"

    def clean(self):
        data = self.cleaned_data
        if data.get("starts_on") and data.get("review_on") and data["review_on"] <= data["starts_on"]:
            self.add_error("review_on", "The review date must be after the start date")
        return data


class ContractOfferForm(forms.Form):
    """Nothing to type: offering makes one letter to sign for each parent."""


class PartyResponseForm(forms.Form):
    response = _required(forms.ChoiceField(
        label="The parent's response",
        choices=[(PartyResponse.SIGNED, "Signed the contract"), (PartyResponse.DECLINED, "Declined the contract")],
        widget=forms.RadioSelect,
    ), "Select whether the parent signed or declined")
    responded_on = date_field("Date of the response", required="Enter the date of the response")
    note = long_text_field("Notes (optional)", required=None, help_text="For a refusal, the reason the parent gave")

    def clean(self):
        _not_in_future(self, "responded_on", "The date of the response")
        return self.cleaned_data


class ContractBreachForm(forms.Form):
    breached_on = date_field("Date", required="Enter the date the contract was not kept")
    note = long_text_field("What was not kept", required="Enter which commitments were not kept",
                           help_text="Which of the parents' commitments were not kept, and what happened")


class ContractEndForm(forms.Form):
    ended_on = date_field("End date", required="Enter the date the contract ended")
    note = long_text_field("Why it is ending", required="Enter why the contract is ending")


# --- early help -------------------------------------------------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]


class EarlyHelpForm(forms.Form):
    kind = _required(forms.ChoiceField(label="What is being recorded", choices=EarlyHelpKind.choices,
                                       widget=forms.RadioSelect), "Select a referral or a voluntary early help plan")
    agency = text_field("Service or agency", required="Enter the service or agency",
                        help_text="For example, Early Help Hub, school nurse, CAMHS")
    started_on = date_field("Date of the referral or the start of the plan", required="Enter the date it started")
    family_consented = _required(forms.ChoiceField(label="Did the family consent?", choices=YES_NO,
                                                   widget=forms.RadioSelect),
                                 "Select whether the family consented")

    def clean_family_consented(self) -> bool:
        return self.cleaned_data["family_consented"] == "yes"


class EarlyHelpEndForm(forms.Form):
    ended_on = date_field("End date", required="Enter the date it ended")
    outcome = long_text_field("Outcome", required="Enter the outcome")
