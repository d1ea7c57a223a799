"""Forms of the pupil's records: adjustments and reviews, notifications to the LA, part-time timetables, leave."""

from __future__ import annotations

from django import forms

from cases.forms import ListFilterForm
from cases.models import Pupil
from interventions import selectors
from interventions.forms._fields import _not_in_future, _required, date_field, long_text_field, text_field
from interventions.models import (
    AdjustmentArea,
    AdjustmentStatus,
    LeaveDecision,
)

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


class AdjustmentRegisterFilterForm(ListFilterForm):
    DEFAULT_SORT = "review"

    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any")] + AdjustmentStatus.choices)
    area = forms.ChoiceField(label="Area", required=False, choices=[("", "Any")] + AdjustmentArea.choices)
    overdue = forms.BooleanField(label="Review overdue only", required=False)

    field_order = ["q", "status", "area", "year_group", "sen", "fsm", "overdue", "sort"]

    def __init__(self, *args, **kwargs):
        from interventions.selectors import ADJUSTMENT_OVERDUE_DEFINITION, _adjustment_sorts

        self.SORTS = _adjustment_sorts()
        super().__init__(*args, **kwargs)
        self.fields["overdue"].help_text = ADJUSTMENT_OVERDUE_DEFINITION
