"""The case page's pointer to an evidence bundle still being made (or failed), so the person who asked and
left its page can find it again."""

from __future__ import annotations

from django import template

from notices.bundle.models import BundleStatus, EvidenceBundleRun

register = template.Library()


@register.simple_tag
def bundle_run_not_done(case) -> EvidenceBundleRun | None:
    """The case's latest bundle request, unless it is made: one query."""
    latest = EvidenceBundleRun.objects.filter(case=case).order_by("-requested_at", "-pk").first()
    return None if latest is None or latest.status == BundleStatus.DONE else latest
