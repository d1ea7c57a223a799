"""Forms of the penalty notice screens. Templates render GOV.UK markup by hand; forms only validate.

Error messages follow the GOV.UK pattern: say what went wrong and how to fix it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms

from cases import rules
from meetings.forms import DatePartsMixin
from notices.services.penalty_letters import WITHDRAWAL_GROUNDS


def _date_part(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=1, error_messages={"invalid": "Enter the date using numbers only"}
    )


def _date_initial(prefix: str, on: date | None) -> dict:
    return {} if on is None else {f"{prefix}_day": on.day, f"{prefix}_month": on.month, f"{prefix}_year": on.year}


class PenaltyNoticeDraftForm(DatePartsMixin, forms.Form):
    parent = forms.ChoiceField(
        label="Which parent or carer is the notice to?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the parent or carer the notice is to",
                        "invalid_choice": "Select one of this pupil's liable parents or carers"},
    )
    from_day = _date_part("Day")
    from_month = _date_part("Month")
    from_year = _date_part("Year")
    to_day = _date_part("Day")
    to_month = _date_part("Month")
    to_year = _date_part("Year")

    def __init__(self, *args, parent_links, offence_from: date | None = None, offence_to: date | None = None,
                 parent_id: int | None = None, **kwargs):
        initial = {**_date_initial("from", offence_from), **_date_initial("to", offence_to)}
        if parent_id is not None:
            initial["parent"] = str(parent_id)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.parent_links = list(parent_links)
        self.fields["parent"].choices = [
            (str(link.parent_id), f"{link.parent.forename} {link.parent.surname} ({link.relationship})")
            for link in self.parent_links
        ]

    def clean(self):
        cleaned = super().clean()
        start = self.date_from_parts("from", "the first date of the offence period")
        end = self.date_from_parts("to", "the last date of the offence period")
        if start and end and end < start:
            self.add_error("to_day", "The last date of the offence period must be the same as or after the first")
        cleaned["offence_from"], cleaned["offence_to"] = start, end
        return cleaned

    def selected_parent(self):
        chosen = self.cleaned_data["parent"]
        return next(link.parent for link in self.parent_links if str(link.parent_id) == chosen)


class ConsultLaForm(forms.Form):
    confirmed = forms.BooleanField(
        label="I have checked with the local authority before issuing this notice",
        error_messages={"required": "Confirm that you have checked with the local authority"},
    )


class PenaltyNoticeIssueForm(DatePartsMixin, forms.Form):
    issued_day = _date_part("Day")
    issued_month = _date_part("Month")
    issued_year = _date_part("Year")
    posted = forms.ChoiceField(
        label="How is the notice given to the parent?",
        choices=[("yes", "By post"), ("no", "In person (handed to the parent)")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the notice is posted or given in person"},
    )
    # The date the terms on the page were worked out for: a different date of issue shows its terms first.
    terms_on = forms.DateField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, today: date, **kwargs):
        kwargs.setdefault("initial", {**_date_initial("issued", today), "terms_on": today})
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        issued_on = self.date_from_parts("issued", "the date of issue")
        if issued_on and issued_on > self.today:
            self.add_error("issued_day", "The date of issue must be today or in the past")
            issued_on = None
        cleaned["issued_on"] = issued_on
        return cleaned


class PaymentForm(DatePartsMixin, forms.Form):
    paid_day = _date_part("Day")
    paid_month = _date_part("Month")
    paid_year = _date_part("Year")
    amount = forms.DecimalField(
        label="Amount paid, in pounds",
        min_value=Decimal("0.01"), max_digits=7, decimal_places=2,
        error_messages={
            "required": "Enter the amount paid",
            "invalid": "Amount paid must be a number, like 80 or 160.00",
            "min_value": "Amount paid must be more than £0",
            "max_decimal_places": "Amount paid must be in pounds and pence, like 80.50",
            "max_digits": "Amount paid must be less than £100,000",
            "max_whole_digits": "Amount paid must be less than £100,000",
        },
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["paid_on"] = self.date_from_parts("paid", "the date the payment was received")
        return cleaned

    def full_clean(self):
        # "£80" and "80.00 " are how people type money.
        key = self.add_prefix("amount")
        if self.is_bound and key in self.data:
            data = self.data.copy()
            data[key] = str(data.get(key, "")).replace("£", "").replace(",", "").strip()
            self.data = data
        super().full_clean()


OTHER_GROUND = "other"
DECIDED_NOT_TO_PROSECUTE = "not_prosecuting"
WITHDRAWAL_CHOICES = [
    ("not_issued_properly", "It ought not to have been issued (not in line with the regulations, the national "
                            "framework or the code of conduct)"),
    ("wrong_person", "It was issued to the wrong person"),
    ("material_error", "It contains a material error"),
    (DECIDED_NOT_TO_PROSECUTE,
     f"Unpaid after {rules.PN_FULL_DAYS} days: the local authority has decided not to prosecute"),
    (OTHER_GROUND, "Another reason"),
]
GROUND_SENTENCES = dict(zip(["not_issued_properly", "wrong_person", "material_error"], WITHDRAWAL_GROUNDS,
                            strict=True))


class WithdrawForm(forms.Form):
    ground = forms.ChoiceField(
        label="Why is the notice being withdrawn?",
        choices=WITHDRAWAL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the notice is being withdrawn"},
    )
    details = forms.CharField(label="Details", required=False, widget=forms.Textarea, max_length=2000)

    def __init__(self, *args, school_side: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if school_side:
            self.fields["ground"].choices = [c for c in WITHDRAWAL_CHOICES if c[0] != DECIDED_NOT_TO_PROSECUTE]

    def clean(self):
        cleaned = super().clean()
        ground, details = cleaned.get("ground"), cleaned.get("details", "").strip()
        if ground == OTHER_GROUND and not details:
            self.add_error("details", "Enter the reason for withdrawing the notice")
        if ground:
            label = GROUND_SENTENCES.get(ground) or dict(WITHDRAWAL_CHOICES)[ground]
            label = label[0].upper() + label[1:]
            cleaned["reason"] = details if ground == OTHER_GROUND else (f"{label}. {details}" if details else f"{label}.")
        return cleaned


class ReferForProsecutionForm(forms.Form):
    confirmed = forms.BooleanField(
        label="The local authority has decided to prosecute for the offence, and the notice is still unpaid",
        error_messages={"required": "Confirm the decision to prosecute"},
    )


class StopProsecutionForm(forms.Form):
    confirmed = forms.BooleanField(
        label="I confirm the prosecution has been withdrawn",
        error_messages={"required": "Confirm that the prosecution has been withdrawn"},
    )
    note = forms.CharField(
        label="How was it withdrawn?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say how the prosecution was withdrawn, for example when the court was told"},
    )
