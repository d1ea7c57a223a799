"""Forms of the penalty notice screens. Templates render GOV.UK markup by hand; forms only validate.

Error messages follow the GOV.UK pattern: say what went wrong and how to fix it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms

from cases import rules
from notices.form_parts import DatePartsMixin, long_text
from notices.form_parts import date_part as _date_part
from notices.penalty.letters import WITHDRAWAL_GROUNDS


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
    details = long_text("Details")

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
    note = long_text(
        "How was it withdrawn?",
        required="Say how the prosecution was withdrawn, for example when the court was told",
    )


PAST_STATUS_CHOICES = [
    ("issued", "Issued (not yet paid, still within its payment period)"),
    ("paid", "Paid"),
    ("unpaid", f"Unpaid after {rules.PN_FULL_DAYS} days"),
    ("withdrawn", "Withdrawn"),
    ("prosecuted", "Referred for prosecution"),
]
PAST_OUTCOME_CHOICES = [
    ("", "Still pending, or not prosecuted"),
    ("guilty", "Guilty (pleaded or found guilty): it still counts toward the limit"),
    ("not_guilty", "Not guilty (acquitted): it no longer counts toward the limit"),
]
# The boxes of each date, by the notices.csv column they fill.
PAST_DATES = {"issued_on": "issued", "paid_on": "paid", "offence_from": "from", "offence_to": "to"}
PAST_LABELS = {
    "upn": "Pupil's UPN", "parent_ref": "Parent reference", "reference": "Notice reference",
    "issued_on": "Date issued", "amount_full": "Full amount", "amount_reduced": "Reduced amount", "status": "Status",
    "paid_on": "Date paid", "withdrawn_reason": "Reason for withdrawal", "offence_from": "Offence period start",
    "offence_to": "Offence period end", "prosecution_outcome": "Outcome of the prosecution",
}

# notices.csv speaks of its columns; the page says the same in the words of its own fields.
PAST_REASONS = {
    "required when status is paid": "enter the date it was paid (a paid notice needs one)",
    "only a paid notice has a payment date": "leave it empty unless the notice was paid",
    "required when status is withdrawn": "enter why the notice was withdrawn",
    "before offence_from": "must be on or after the offence period start",
    "must be less than amount_full": "must be less than the full amount",
    "only a prosecuted notice has a prosecution outcome": "leave it as pending unless the notice was referred for "
                                                          "prosecution",
}


def _money(value: str) -> str:
    # "£120" and "1,000.00 " are how people type money; the amount's rules are those of notices.csv.
    return value.replace("£", "").replace(",", "").strip()


class PastNoticeForm(DatePartsMixin, forms.Form):
    """One past notice, as a row of notices.csv (contract section 3).

    The form only asks for what is required and reads the dates; every rule of the notice itself is
    notices.penalty.imports' (past_notice_record), so a notice entered here and a row of the file agree.
    """

    upn = forms.CharField(label="Pupil's UPN", max_length=20, error_messages={"required": "Enter the pupil's UPN"})
    parent_ref = forms.CharField(label="Parent reference", max_length=60,
                                 error_messages={"required": "Enter the parent's reference"})
    reference = forms.CharField(label="Notice reference", max_length=60,
                                error_messages={"required": "Enter the notice's reference"})
    issued_day = _date_part("Day")
    issued_month = _date_part("Month")
    issued_year = _date_part("Year")
    amount_full = forms.CharField(label="Full amount, in pounds", max_length=20,
                                  error_messages={"required": "Enter the full amount of the notice"})
    amount_reduced = forms.CharField(label="Reduced amount, in pounds (optional)", max_length=20, required=False)
    status = forms.ChoiceField(
        label="What happened to the notice?", choices=PAST_STATUS_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": "Select what happened to the notice"},
    )
    paid_day = _date_part("Day")
    paid_month = _date_part("Month")
    paid_year = _date_part("Year")
    withdrawn_reason = long_text("Why was it withdrawn?")
    prosecution_outcome = forms.ChoiceField(
        label="If it was prosecuted, how did the prosecution end?", choices=PAST_OUTCOME_CHOICES,
        widget=forms.RadioSelect, required=False,
    )
    from_day = _date_part("Day")
    from_month = _date_part("Month")
    from_year = _date_part("Year")
    to_day = _date_part("Day")
    to_month = _date_part("Month")
    to_year = _date_part("Year")

    def _optional_date(self, prefix: str, what: str) -> date | None:
        if all(self.cleaned_data.get(f"{prefix}_{part}") is None for part in ("day", "month", "year")) and not any(
            f"{prefix}_{part}" in self.errors for part in ("day", "month", "year")
        ):
            return None
        return self.date_from_parts(prefix, what)

    def clean(self):
        cleaned = super().clean()
        dates = {
            "issued_on": self.date_from_parts("issued", "the date the notice was issued"),
            "paid_on": self._optional_date("paid", "the date it was paid"),
            "offence_from": self._optional_date("from", "the first date of the offence period"),
            "offence_to": self._optional_date("to", "the last date of the offence period"),
        }
        iso = {column: on.isoformat() if on else "" for column, on in dates.items()}
        # The row of notices.csv this form makes; the cell of a field in error is empty.
        cleaned["values"] = {
            "reference": cleaned.get("reference") or "",
            "upn": (cleaned.get("upn") or "").upper(),
            "parent_ref": cleaned.get("parent_ref") or "",
            "amount_full": _money(cleaned.get("amount_full") or ""),
            "amount_reduced": _money(cleaned.get("amount_reduced") or ""),
            "status": cleaned.get("status") or "",
            "withdrawn_reason": cleaned.get("withdrawn_reason") or "",
            "prosecution_outcome": cleaned.get("prosecution_outcome") or "",
            **iso,
        }
        return cleaned

    def field_of(self, column: str) -> str:
        """The field that shows a problem with a notices.csv column."""
        return f"{PAST_DATES[column]}_day" if column in PAST_DATES else column

    def add_problem(self, column: str, reason: str) -> None:
        """A rule of notices.csv broken: shown at its field, named as on the page."""
        label = PAST_LABELS.get(column, column)
        self.add_error(self.field_of(column), f"{label}: {PAST_REASONS.get(reason, reason)}")
