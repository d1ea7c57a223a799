"""The Email settings page: each person chooses which "something arrived" emails they receive (all on at first)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import EmailPreference
from cases import my_work
from cases.audit import audit


class EmailPreferencesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label="Email me when", required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose only the emails listed"},
    )

    def __init__(self, *args, choices: list[my_work.EmailChoice], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wanted"].choices = [(choice.key, choice.label) for choice in choices]


def email_choices_wanted(*, user, choices: list[my_work.EmailChoice]) -> list[str]:
    off = set(EmailPreference.objects.filter(user=user, wanted=False).values_list("choice", flat=True))
    return [choice.key for choice in choices if choice.key not in off]


@transaction.atomic
def email_preferences_set(*, user, choices: list[my_work.EmailChoice], wanted: list[str]) -> None:
    """Records the person's choice for every email their role receives (only those: others are not theirs)."""
    for choice in choices:
        EmailPreference.objects.update_or_create(user=user, choice=choice.key,
                                                 defaults={"wanted": choice.key in wanted})
    audit(user=user, action="email_preferences.change",
          detail="on: " + (", ".join(sorted(set(wanted))) or "none"))


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    profile = getattr(request.user, "staff", None)
    choices = my_work.choices_for(profile)
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST, choices=choices)
        if form.is_valid():
            email_preferences_set(user=request.user, choices=choices, wanted=form.cleaned_data["wanted"])
            messages.success(request, "Your email settings have been saved")
            return redirect("accounts:email_preferences")
    else:
        form = EmailPreferencesForm(initial={"wanted": email_choices_wanted(user=request.user, choices=choices)},
                                    choices=choices)
    return render(request, "accounts/email_preferences.html", {"form": form, "choices": choices,
                                                               "has_address": bool(request.user.email)})
