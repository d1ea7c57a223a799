"""Audit of every read and change of a child's record, every refused attempt, every change made in the admin
and every sign-in: each writes one permanent AuditEvent row (cases.models.audit)."""
from __future__ import annotations

from contextvars import ContextVar

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from cases.models import AuditEvent, Pupil, School

# How many audit rows the current request has written: a page read that wrote none is written by the middleware.
_rows_this_request: ContextVar[list[int] | None] = ContextVar("audit_rows_this_request", default=None)

# A refusal is answered with one of these; each one is written down with who asked, what and how.
REFUSED_STATUSES = frozenset({401, 403, 404, 405})


def audit(
    *, request: HttpRequest | None = None, user=None, action: str, pupil: Pupil | None = None,
    school: School | None = None, detail: str = "", status: int | None = None,
) -> AuditEvent:
    if request is not None and user is None:
        user = request.user if getattr(request, "user", None) is not None and request.user.is_authenticated else None
    if school is None and pupil is not None:
        school = pupil.school
    if school is None and user is not None:
        # The person's own school, so that reads of lists and sign-ins appear on their school's audit screen.
        school = getattr(getattr(user, "staff", None), "school", None)
    written = _rows_this_request.get()
    if written is not None:
        written[0] += 1
    return AuditEvent.objects.create(
        user=user,
        username=(user.get_username() if user is not None else "")[:150],
        action=action,
        pupil=pupil,
        upn=pupil.upn if pupil is not None else "",
        school=school,
        detail=detail[:300],
        path=(request.get_full_path()[:300] if request is not None else ""),
        method=(request.method or "")[:8] if request is not None else "",
        status=status,
    )


def audit_list(request: HttpRequest, action: str, *, school: School | None = None, count: int | None = None,
               detail: str = "") -> AuditEvent:
    """A read of many pupils at once (a list, a search, an export): the path keeps the filters and the page."""
    if count is not None:
        detail = f"{count} rows" + (f"; {detail}" if detail else "")
    return audit(request=request, action=action, school=school, detail=detail)


# --- refused attempts --------------------------------------------------------------------------------------


class AuditMiddleware:
    """Writes down every answer that refused someone (403, 404, ...), everything done in the admin, and any
    page read by a signed-in person that its view did not write down itself (so no read goes unaudited, the
    pages added later included).

    Refusals: who, what path, which method, which status. The admin reads and changes any record: each page of
    it read is written here, and each change it made is copied from Django's LogEntry rows that the request
    wrote (read back rather than caught by a signal: a bulk deletion writes its LogEntry rows with
    bulk_create, which sends none).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        in_admin = _in_admin(request)
        last_entry = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() if in_admin else None
        written = [0]
        token = _rows_this_request.set(written)
        try:
            response = self.get_response(request)
        finally:
            _rows_this_request.reset(token)
        status = response.status_code
        signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
        if status in REFUSED_STATUSES:
            audit(request=request, action="access.refused", status=status,
                  detail=f"{request.method} refused with {status}")
        elif in_admin and signed_in:
            match = request.resolver_match
            if request.method == "GET" and status == 200:
                audit(request=request, action="admin.view", status=status, pupil=_admin_pupil(match),
                      detail=f"admin {match.url_name}")
            entries = LogEntry.objects.filter(user_id=request.user.pk).select_related("content_type")
            if last_entry is not None:
                entries = entries.filter(pk__gt=last_entry)
            for entry in entries.order_by("pk") if request.method == "POST" else ():
                _audit_admin_change(request, entry)
        elif signed_in and request.method in ("GET", "HEAD") and status == 200 and not written[0] \
                and not request.path_info.startswith(_UNAUDITED_PREFIXES):
            audit(request=request, action="page.view", status=status)
        return response


# Files with no personal data, served by Django only in development.
_UNAUDITED_PREFIXES = ("/static/", "/media/", "/favicon")


def _in_admin(request: HttpRequest) -> bool:
    from django.urls import Resolver404, resolve

    try:
        return resolve(request.path_info).app_name == "admin"
    except Resolver404:
        return False


def _admin_pupil(match) -> Pupil | None:
    """The pupil an admin page shows, when it shows one (its change page), so the pupil's trail has it."""
    if match is None or match.url_name != "cases_pupil_change":
        return None
    return Pupil.objects.select_related("school").filter(pk=match.kwargs.get("object_id")).first()


_ADMIN_ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


def _audit_admin_change(request: HttpRequest, entry: LogEntry) -> None:
    pupil = None
    if entry.content_type and entry.content_type.model_class() is Pupil and entry.action_flag != DELETION:
        pupil = Pupil.objects.select_related("school").filter(pk=entry.object_id).first()
    message = entry.get_change_message() if entry.action_flag == CHANGE else ""
    model = entry.content_type.model if entry.content_type else "?"
    audit(request=request, action=_ADMIN_ACTIONS.get(entry.action_flag, "admin.change"), pupil=pupil,
          detail=f"{model} {entry.object_repr}" + (f": {message}" if message else ""))


# --- sign-ins ------------------------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    audit(request=request, user=user, action="auth.login")


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit(request=request, user=user, action="auth.logout")


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The username tried is kept (never the password: Django has already masked it in ``credentials``).
    tried = str(credentials.get("username", ""))[:100]
    audit(request=request, action="auth.login_failed", detail=f"username tried: {tried}")
