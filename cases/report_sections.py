"""Sections other apps add to the LA's attendance report, without this app importing them.

The notices app owns notices to improve, penalty notices and prosecution referrals; cases must not import it.
It registers a function here from its ``AppConfig.ready``; the LA report calls each registered function for the
LA and the academic year shown, and lays out the tables it returns (``cases.reporting.Table``) like its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cases.reporting import Table

# Each section: f(*, local_authority, start, as_of) -> list of Tables (counts only, never a name).
LA_REPORT_SECTIONS: list[Callable[..., list[Table]]] = []


def la_report_section(section: Callable[..., list[Table]]) -> Callable[..., list[Table]]:
    """Registers a section (a decorator); registering the same function twice adds it once."""
    if section not in LA_REPORT_SECTIONS:
        LA_REPORT_SECTIONS.append(section)
    return section


def la_report_tables(*, local_authority, start: date, as_of: date) -> list[Table]:
    return [table for section in LA_REPORT_SECTIONS
            for table in section(local_authority=local_authority, start=start, as_of=as_of)]
