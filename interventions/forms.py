"""Forms of the interventions screens. They validate what was typed and say what to do in GOV.UK style;
the services decide whether the change is allowed. Templates render the GOV.UK markup by hand."""

from __future__ import annotations

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone

from cases.models import Pupil
from interventions import selectors
from interventions.models import (
    AdjustmentArea,
    AdjustmentStatus,
    EarlyHelpKind,
    LeaveDecision,
    PartyResponse,
)


def _required(field: forms.Field, message: str) -> forms.Field:
    field.error_messages["required"] = message
    return field


def date_field(label: str, *, required: str, help_text: str = "") -> forms.DateField:
    field = forms.DateField(
        label=label,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": f"{label} must be a real date"},
    )
    return _required(field, required)


def text_field(label: str, *, required: str, max_length: int = 200, help_text: str = "") -> forms.CharField:
    return _required(forms.CharField(label=label, max_length=max_length, help_text=help_text), required)


def long_text_field(label: str, *, required: str | None, help_text: str = "") -> forms.CharField:
    field = forms.CharField(label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 5}),
                            required=required is not None)
    return _required(field, required) if required else field


def _not_in_future(form: forms.Form, name: str, what: str) -> None:
    day = form.cleaned_data.get(name)
    if day is not None and day > timezone.localdate():
        form.add_error(name, f"{what} must be today or in the past")


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


# --- reasonable adjustments, reviews, EHC plan notification ----------------------------------------------


class AdjustmentForm(forms.Form):
    area = _required(forms.ChoiceField(label="Area", choices=[("", "Choose an area")] + AdjustmentArea.choices),
                     "Select the area of the adjustment")
    description = long_text_field("What is adjusted", required="Enter what is adjusted")
    barrier = long_text_field("The barrier it removes", required="Enter the barrier to attendance it removes",
                              help_text="And how it links to the pupil's needs")
    agreed_with = text_field("Agreed with", required="Enter who agreed the adjustment",
                             help_text="Parents, the pupil, professionals")
    starts_on = date_field("Start date", required="Enter the date the adjustment starts")
    review_on = date_field("Review date", required="Enter the date the adjustment will be reviewed")
    status = _required(forms.ChoiceField(
        label="Status", choices=[(AdjustmentStatus.ACTIVE, "In place"), (AdjustmentStatus.PROPOSED, "Proposed")],
        widget=forms.RadioSelect, initial=AdjustmentStatus.ACTIVE,
    ), "Select whether the adjustment is in place or proposed")

    def clean(self):
        data = self.cleaned_data
        if data.get("starts_on") and data.get("review_on") and data["review_on"] <= data["starts_on"]:
            self.add_error("review_on", "The review date must be after the start date")
        return data


class AdjustmentUpdateForm(forms.Form):
    status = _required(forms.ChoiceField(label="Status", choices=AdjustmentStatus.choices, widget=forms.RadioSelect),
                       "Select the status of the adjustment")
    review_on = date_field("Review date", required="Enter the review date")
    note = long_text_field("Notes", required=None, help_text="Required when the adjustment ends: say why")

    def clean(self):
        data = self.cleaned_data
        if data.get("status") == AdjustmentStatus.ENDED and not data.get("note", "").strip():
            self.add_error("note", "Enter why the adjustment is ending")
        return data


class AdjustmentReviewForm(forms.Form):
    reviewed_on = date_field("Date of the review", required="Enter the date of the review")
    conclusion = long_text_field(
        "Conclusion", required="Enter the conclusion of the review",
        help_text="Whether the adjustments are right and enough, and what changes",
    )
    next_review_on = date_field(
        "Next review (optional)", required="",
        help_text="Moves the review date of every adjustment proposed or in place to this day",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_review_on"].required = False

    def clean(self):
        _not_in_future(self, "reviewed_on", "The date of the review")
        reviewed_on, next_review_on = self.cleaned_data.get("reviewed_on"), self.cleaned_data.get("next_review_on")
        if reviewed_on and next_review_on and next_review_on <= reviewed_on:
            self.add_error("next_review_on", "The next review must be after the date of this review")
        return self.cleaned_data


class LANotificationForm(forms.Form):
    sent_on = date_field("Date the LA was told", required="Enter the date the LA was told")
    details = long_text_field("What the LA was told", required="Enter what the LA was told")


class OptionalDetailsNotificationForm(forms.Form):
    sent_on = date_field("Date the LA was told", required="Enter the date the LA was told")
    details = long_text_field("Anything else the LA was told (optional)", required=None)


class CmeReferralForm(forms.Form):
    details = long_text_field(
        "What the school knows", required="Enter what the school knows",
        help_text="The last day the child was seen, the enquiries made, and who was contacted",
    )
    reason = long_text_field(
        "Why refer without a CME risk in the attendance scan", required=None,
        help_text="Needed only when the latest scan does not show a children-missing-education risk",
    )


class LANotificationAcknowledgeForm(forms.Form):
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


# --- part-time timetables ---------------------------------------------------------------------------------


class PartTimeTimetableForm(forms.Form):
    agreed_hours = text_field("Hours agreed", required="Enter the hours agreed",
                              help_text="For example, mornings only, 9:00 to 12:15")
    reason = long_text_field("Why a part-time timetable", required="Enter why a part-time timetable is needed")
    agreed_with_parents_on = date_field("Date agreed with the parents",
                                        required="Enter the date the parents agreed the timetable")
    starts_on = date_field("Start date", required="Enter the date the part-time timetable starts")
    planned_end_on = date_field(
        "Planned end date", required="Enter the planned end date: a part-time timetable must be time-limited",
        help_text="A part-time timetable is time-limited: it must have an end date after it starts",
    )
    review_on = date_field("Review date", required="Enter the date it will be reviewed")

    def clean(self):
        data = self.cleaned_data
        starts, ends, review = data.get("starts_on"), data.get("planned_end_on"), data.get("review_on")
        if starts and ends and ends <= starts:
            self.add_error(
                "planned_end_on",
                "A part-time timetable must be time-limited: the planned end date must be after the start date",
            )
        elif starts and ends and review and not (starts <= review <= ends):
            self.add_error("review_on", "The review date must be between the start date and the planned end date")
        agreed = data.get("agreed_with_parents_on")
        if agreed and starts and agreed > starts:
            self.add_error("agreed_with_parents_on", "The parents must agree the timetable before it starts")
        return data


class PartTimeReviewForm(forms.Form):
    reviewed_on = date_field("Date of the review", required="Enter the date of the review")
    notes = long_text_field("What the review found", required="Enter what the review found")
    next_review_on = date_field("Next review date", required="Enter the next review date")

    def clean(self):
        data = self.cleaned_data
        if data.get("reviewed_on") and data.get("next_review_on") and data["next_review_on"] <= data["reviewed_on"]:
            self.add_error("next_review_on", "The next review date must be after the date of this review")
        return data


class PartTimeEndForm(forms.Form):
    ended_on = date_field("Date the part-time timetable ended", required="Enter the date it ended")
    note = long_text_field("Notes (optional)", required=None)


# --- leave of absence -------------------------------------------------------------------------------------


class LeaveRequestForm(forms.Form):
    parent = _required(forms.ModelChoiceField(label="Who asked", queryset=None, widget=forms.RadioSelect,
                                              empty_label=None),
                       "Select the parent or carer who asked for leave")
    first_day = date_field("First day of leave", required="Enter the first day of leave")
    last_day = date_field("Last day of leave", required="Enter the last day of leave")
    reason = long_text_field("Reason given", required="Enter the reason the parent gave")
    received_on = date_field("Date the request was received", required="Enter the date the request was received")

    def __init__(self, *args, pupil: Pupil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = selectors.parents_of(pupil=pupil)
        self.fields["parent"].error_messages["invalid_choice"] = "Select one of the pupil's own parents or carers"

    def clean(self):
        data = self.cleaned_data
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", "The last day of leave must be the same as or after the first day")
        return data


class LeaveDecisionForm(forms.Form):
    decision = _required(forms.ChoiceField(
        label="Decision",
        choices=[(LeaveDecision.REFUSED, "Refuse"), (LeaveDecision.GRANTED, "Grant: exceptional circumstances")],
        widget=forms.RadioSelect,
    ), "Select whether the leave is granted or refused")
    reason = long_text_field(
        "Reason for the decision", required="Enter the reason for the decision",
        help_text="Leave is granted only in exceptional circumstances. Say what they are, or why the leave is refused.",
    )
    decided_on = date_field("Date of the decision", required="Enter the date of the decision")

    def clean(self):
        _not_in_future(self, "decided_on", "The date of the decision")
        return self.cleaned_data


# --- the SENCo's register ---------------------------------------------------------------------------------


class AdjustmentRegisterFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any")] + AdjustmentStatus.choices)
    area = forms.ChoiceField(label="Area", required=False, choices=[("", "Any")] + AdjustmentArea.choices)
    overdue = forms.BooleanField(label="Review overdue only", required=False)

    def filters(self) -> dict:
        """Keyword arguments for selectors.adjustment_register from whatever part of the query was valid."""
        if self.is_bound:
            self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "status": cleaned.get("status", ""),
            "area": cleaned.get("area", ""),
            "overdue": bool(cleaned.get("overdue")),
        }
