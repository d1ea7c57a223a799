"""The forms of the prosecution referral pages. Templates render GOV.UK markup by hand; forms only validate."""

from __future__ import annotations

from django import forms

from notices.form_parts import DatePartsMixin, long_text
from notices.form_parts import date_part as _date_part
from notices.review.referrals import HearingResult, Offence, ReferralConclusion, ReferralDecision


class ReferralForm(forms.Form):
    reason = long_text("Why are you referring the case to the local authority?",
                       required="Say why you are referring the case to the local authority.")


class ReferralDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", choices=ReferralDecision.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the local authority's decision."},
    )
    offence = forms.ChoiceField(
        label="The offence, if you prosecute", choices=Offence.choices, widget=forms.RadioSelect, required=False,
    )
    reasons = long_text("Reasons for the decision", required="Give the reasons for the decision: the school sees them.")

    def clean(self):
        cleaned = super().clean()
        # The service refuses it too; here the error goes to the offence's own radios, not the top of the form.
        if cleaned.get("decision") == ReferralDecision.PROSECUTE and not cleaned.get("offence"):
            self.add_error("offence", "Choose the offence: s444(1) or s444(1A) of the Education Act 1996.")
        return cleaned


class ReferralOutcomeForm(DatePartsMixin, forms.Form):
    hearing_day = _date_part("Day")
    hearing_month = _date_part("Month")
    hearing_year = _date_part("Year")
    hearing_result = forms.ChoiceField(
        label="Result of the hearing", choices=HearingResult.choices, widget=forms.RadioSelect, required=False,
    )
    fine_amount = forms.DecimalField(
        label="Fine, in pounds (if any)", required=False, min_value=0, max_digits=8, decimal_places=2,
        error_messages={"invalid": "Enter the fine as an amount in pounds, like 120 or 120.50"},
    )
    parenting_order = forms.ChoiceField(
        label="Did the court make a parenting order?", choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect, required=False,
    )
    notes = long_text("Notes on the outcome")
    conclusion = forms.ChoiceField(
        label="What happens to the case now?", choices=ReferralConclusion.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to close the case or return it to the school."},
    )
    advice = long_text("Your advice to the school")

    def __init__(self, *args, prosecuted: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.prosecuted = prosecuted

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(f"hearing_{part}") for part in ("day", "month", "year")]
        has_errors = any(f"hearing_{part}" in self.errors for part in ("day", "month", "year"))
        cleaned["hearing_date"] = (
            None if has_errors or all(p is None for p in parts) else self.date_from_parts("hearing", "the hearing date")
        )
        cleaned["parenting_order_made"] = {"yes": True, "no": False}.get(cleaned.get("parenting_order") or "")
        # What the service requires, said at each field at once (the service refuses them one at a time).
        if self.prosecuted:
            if cleaned["hearing_date"] is None and not has_errors and all(p is None for p in parts):
                self.add_error("hearing_day", "Enter the date of the hearing.")
            if not cleaned.get("hearing_result"):
                self.add_error("hearing_result", "Choose the result of the hearing.")
            if cleaned["parenting_order_made"] is None:
                self.add_error("parenting_order", "Say whether the court made a parenting order.")
        if cleaned.get("conclusion") == ReferralConclusion.RETURN_TO_SCHOOL and not cleaned.get("advice", "").strip():
            self.add_error("advice", "Give the school your advice: the case returns to it.")
        return cleaned
