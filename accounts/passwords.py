"""A password rule Django lacks: one word with numbers or symbols around it."""
from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError

_ONE_WORD = re.compile(r"^[^A-Za-z]*([A-Za-z]+)[^A-Za-z]*$")


class WordAndNumbersValidator:
    """Refuses a single short word padded out with digits or symbols (``Fenbridge2026``, ``Attendance1!``):
    long enough to pass the length rule, yet among the first guesses of anyone who knows the school."""

    def validate(self, password: str, user=None) -> None:
        match = _ONE_WORD.match(password)
        if match and len(match.group(1)) < settings.PASSWORD_MIN_LENGTH:
            raise ValidationError(
                "This password is one word with numbers or symbols added, which is easy to guess. "
                "Use three or more random words instead.",
                code="password_word_and_numbers",
            )

    def get_help_text(self) -> str:
        return "Your password can't be a single word with numbers or symbols added."
