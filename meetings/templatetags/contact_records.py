"""The case page's contacts, read by their own include so the case page's view need not know about them."""

from __future__ import annotations

from django import template

from meetings.contacts import contact_row
from meetings.selectors import case_contacts

register = template.Library()


@register.simple_tag
def case_contact_rows(case) -> list[dict[str, str]]:
    """Each contact of the case as ``contact_row`` words it (the bundle prints the same), oldest first."""
    return [contact_row(contact) for contact in case_contacts(case=case)]
