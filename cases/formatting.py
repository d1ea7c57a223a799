"""Dates as letters and messages write them: 3 October 2026."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def long_date(on: date | datetime) -> str:
    if isinstance(on, datetime):
        on = timezone.localtime(on).date() if timezone.is_aware(on) else on.date()
    return f"{on.day} {on:%B %Y}"
