from __future__ import annotations

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        # People copy codes with spaces ("123 456") from apps and from the printed recovery codes.
        return "".join(self.cleaned_data["code"].split()).lower()
