from __future__ import annotations

from django.http import HttpRequest


def staff(request: HttpRequest) -> dict:
    """The signed-in person's role and organisation, for the page header."""
    user = getattr(request, "user", None)
    from cases import roles

    profile = getattr(user, "staff", None) if user is not None and user.is_authenticated else None
    grant = roles.BY_ROLE.get(profile.role) if profile is not None else None
    # ``can.<capability>`` for the menu: what the role may do, from the one table of cases/roles.py.
    return {"staff_profile": profile, "can": dict.fromkeys(grant.capabilities, True) if grant else {}}


def my_work_count(request: HttpRequest) -> dict:
    """The header's count of what waits for the person ("My work"), computed only when a page shows it, in a
    fixed number of queries (each provider of cases.my_work counts in one or two)."""
    from django.utils import timezone
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "staff", None) is None:
        return {"my_work_count": 0}

    def count() -> int:
        from cases import my_work

        return my_work.waiting_count(user=user, today=timezone.localdate())

    return {"my_work_count": SimpleLazyObject(count)}


def figures(request: HttpRequest | None = None) -> dict:
    """The statutory figures pages and letters quote, from the one place they are defined."""
    from cases import rules

    return {
        "figures": {
            "persistent_absence_percent": rules.PERSISTENT_ABSENCE_PERCENT,
            "severe_absence_percent": rules.SEVERE_ABSENCE_PERCENT,
            "n_resolve_school_days": rules.N_RESOLVE_SCHOOL_DAYS,
            "pn_full_days": rules.PN_FULL_DAYS,
            "pn_reduced_days": rules.PN_REDUCED_DAYS,
            "pn_counting_years": rules.PN_COUNTING_YEARS,
            "pn_threshold_school_weeks": rules.PN_THRESHOLD_SCHOOL_WEEKS,
        }
    }
