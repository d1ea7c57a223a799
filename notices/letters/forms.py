"""The form that starts a batch of letters: which kind."""

from __future__ import annotations

from django import forms

from notices.letters.batches import KIND_NAMES


class LetterBatchStartForm(forms.Form):
    kind = forms.ChoiceField(
        choices=list(KIND_NAMES.items()),
        widget=forms.HiddenInput,
        error_messages={"required": "Choose which letters to make.", "invalid_choice": "Choose which letters to make."},
    )
