"""Dates as letters and messages write them: 3 October 2026."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def long_date(on: date | datetime) -> str:
    if isinstance(on, datetime):
        on = timezone.localtime(on).date() if timezone.is_aware(on) else on.date()
    return f"{on.day} {on:%B %Y}"


def clock_time(value: datetime) -> str:
    """ "9:30am", "2pm", "midday", as GOV.UK writes times."""
    local = timezone.localtime(value)
    if local.hour == 12 and local.minute == 0:
        return "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"
