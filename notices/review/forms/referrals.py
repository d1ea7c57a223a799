"""The forms of the prosecution referral pages. Templates render GOV.UK markup by hand; forms only validate."""

from __future__ import annotations

from django import forms

from notices.form_parts import DatePartsMixin, long_text
from notices.form_parts import date_part as _date_part
from notices.review.referrals import HearingResult, Offence, ReferralConclusion, ReferralDecision


class ReferralForm(forms.Form):
    reason = long_text("Why are you referring the case to the local authority?",
                       required="Say why you are referring the case to the local authority.")


class _ParentIdsField(forms.MultipleChoiceField):
    """The parents ticked. Any parent id passes here: whether that person may be prosecuted (on the case, with
    parental responsibility) is the service's rule, and its refusal is shown on this field."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class ReferralDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", choices=ReferralDecision.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the local authority's decision."},
    )
    parents = _ParentIdsField(
        label="Which parents do you prosecute?", widget=forms.CheckboxSelectMultiple, required=False,
        error_messages={"invalid_choice": "Choose only parents of this pupil: that person is not a parent on the case."},
    )
    reasons = long_text("Reasons for the decision", required="Give the reasons for the decision: the school sees them.")

    def __init__(self, *args, parent_links=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only a parent with parental responsibility can be chosen (notices.review.services.referrals).
        self.parent_links = [link for link in parent_links if link.parental_responsibility]
        self.without_responsibility = [link for link in parent_links if not link.parental_responsibility]
        self.fields["parents"].choices = [
            (str(link.parent_id), f"{link.parent} ({link.relationship})") for link in self.parent_links
        ]
        for link in self.parent_links:
            self.fields[f"offence_{link.parent_id}"] = forms.ChoiceField(
                label=f"The offence {link.parent} is prosecuted for", choices=Offence.choices,
                widget=forms.RadioSelect, required=False,
            )
        self.order_fields(["decision", "parents", *(f"offence_{link.parent_id}" for link in self.parent_links)])

    def parent_rows(self):
        """Each parent who may be chosen: the checkbox's choice with its own offence radios."""
        return [(choice, self[f"offence_{link.parent_id}"])
                for choice, link in zip(self["parents"], self.parent_links, strict=True)]

    def chosen(self) -> dict[int, str]:
        """The parents ticked, by id, each with the section chosen for them (empty when none chosen)."""
        return {int(pk): self.cleaned_data.get(f"offence_{pk}", "") or self.data.get(f"offence_{pk}", "")
                for pk in self.cleaned_data.get("parents", [])}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") != ReferralDecision.PROSECUTE:
            return cleaned
        # The service refuses these too; here each error goes to its own field at once.
        chosen = cleaned.get("parents") or []
        if not chosen and "parents" not in self.errors:
            self.add_error("parents", "Choose at least one parent to prosecute.")
        for pk in chosen:
            if f"offence_{pk}" in self.fields and not cleaned.get(f"offence_{pk}"):
                self.add_error(f"offence_{pk}", "Choose the offence for this parent: s444(1) or s444(1A) of the "
                                                "Education Act 1996.")
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

    def __init__(self, *args, prosecuted: bool = False, prosecuted_parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.prosecuted = prosecuted
        # A decision that chose parents records each one's outcome; the one outcome is for older decisions.
        self.prosecuted_parents = list(prosecuted_parents) if prosecuted else []
        if self.prosecuted_parents:
            for name in ("hearing_result", "fine_amount", "parenting_order"):
                del self.fields[name]
        for chosen in self.prosecuted_parents:
            pk, whom = chosen.parent_id, str(chosen.parent)
            self.fields[f"result_{pk}"] = forms.ChoiceField(
                label=f"Result of the hearing for {whom}", choices=HearingResult.choices, widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"fine_{pk}"] = forms.DecimalField(
                label=f"Fine for {whom}, in pounds (if any)", required=False, min_value=0, max_digits=8,
                decimal_places=2, error_messages={"invalid": "Enter the fine as an amount in pounds, like 120 or 120.50"},
            )
            self.fields[f"parenting_order_{pk}"] = forms.ChoiceField(
                label=f"Did the court make a parenting order for {whom}?", choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect, required=False,
            )
        self.order_fields(["hearing_day", "hearing_month", "hearing_year", *(
            f"{name}_{chosen.parent_id}" for chosen in self.prosecuted_parents
            for name in ("result", "fine", "parenting_order"))])

    def parent_rows(self):
        return [(chosen, self[f"result_{chosen.parent_id}"], self[f"fine_{chosen.parent_id}"],
                 self[f"parenting_order_{chosen.parent_id}"]) for chosen in self.prosecuted_parents]

    def parent_outcomes(self):
        """Each prosecuted parent's outcome by parent id (None for a decision made before parents were chosen)."""
        from notices.review.services.referrals import ParentOutcome

        if not self.prosecuted_parents:
            return None
        data = self.cleaned_data
        return {chosen.parent_id: ParentOutcome(
            data.get(f"result_{chosen.parent_id}") or "", data.get(f"fine_{chosen.parent_id}"),
            {"yes": True, "no": False}.get(data.get(f"parenting_order_{chosen.parent_id}") or ""),
        ) for chosen in self.prosecuted_parents}

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(f"hearing_{part}") for part in ("day", "month", "year")]
        has_errors = any(f"hearing_{part}" in self.errors for part in ("day", "month", "year"))
        cleaned["hearing_date"] = (
            None if has_errors or all(p is None for p in parts) else self.date_from_parts("hearing", "the hearing date")
        )
        cleaned["parenting_order_made"] = {"yes": True, "no": False}.get(cleaned.get("parenting_order") or "")
        # What the service requires, said at each field at once (the service refuses them one at a time).
        if self.prosecuted and cleaned["hearing_date"] is None and not has_errors and all(p is None for p in parts):
            self.add_error("hearing_day", "Enter the date of the hearing.")
        for chosen in self.prosecuted_parents:
            pk, whom = chosen.parent_id, chosen.parent
            if not cleaned.get(f"result_{pk}"):
                self.add_error(f"result_{pk}", f"Choose the result of the hearing for {whom}.")
            if not cleaned.get(f"parenting_order_{pk}"):
                self.add_error(f"parenting_order_{pk}", f"Say whether the court made a parenting order for {whom}.")
        if self.prosecuted and not self.prosecuted_parents:
            if not cleaned.get("hearing_result"):
                self.add_error("hearing_result", "Choose the result of the hearing.")
            if cleaned["parenting_order_made"] is None:
                self.add_error("parenting_order", "Say whether the court made a parenting order.")
        if cleaned.get("conclusion") == ReferralConclusion.RETURN_TO_SCHOOL and not cleaned.get("advice", "").strip():
            self.add_error("advice", "Give the school your advice: the case returns to it.")
        return cleaned
