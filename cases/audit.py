"""Audit of every read and change of a child's record."""
from __future__ import annotations

from django.http import HttpRequest

from cases.models import AuditEvent, Pupil, School


def audit(
    *, request: HttpRequest | None = None, user=None, action: str, pupil: Pupil | None = None,
    school: School | None = None, detail: str = "",
) -> AuditEvent:
    if request is not None and user is None:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        user=user,
        action=action,
        pupil=pupil,
        school=school if school is not None else (pupil.school if pupil is not None else None),
        detail=detail[:300],
        path=(request.get_full_path()[:300] if request is not None else ""),
    )
