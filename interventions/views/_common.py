"""What every interventions page shares: the form page and its error summary, the refusals, the ways back."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases.errors import DomainError
from cases.form_fields import add_refusal
from cases.models import Case, Pupil
from cases.permissions import can_record_support
from cases.selectors import case_for_user, pupil_for_user
from interventions import selectors

FORM_TEMPLATE = "interventions/form.html"
get_or_post = require_http_methods(["GET", "POST"])


def _posted(request: HttpRequest):
    """The submitted data on a POST (even an empty one: it must show its errors), None on a GET."""
    return request.POST if request.method == "POST" else None


def _refuse_unless(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"Your role does not allow you to {what}.")


def _case_url(case: Case) -> str:
    return reverse("case_support", args=[case.pk])


def _pupil_return_url(pupil: Pupil) -> str:
    """The pupil's open case if there is one (the record is on its chronology), else the pupil's page."""
    case = selectors.open_case_of(pupil=pupil)
    return _case_url(case) if case is not None else reverse("pupil_detail", args=[pupil.upn])


def _anchor(bound: django_forms.BoundField) -> str:
    if isinstance(bound.field.widget, django_forms.RadioSelect):
        return f"{bound.auto_id}_0"
    return bound.auto_id


def error_summary(form: django_forms.Form, formsets: Iterable = ()) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the GOV.UK error summary, in the order the fields appear."""
    first = next(iter(form), None)
    top = _anchor(first) if first is not None else "main-content"
    found = [(top, str(e)) for e in form.non_field_errors()]
    found += [(_anchor(form[name]), str(e)) for name in form.fields for e in form.errors.get(name, [])]
    for formset in formsets:
        first_row = next(iter(formset.forms[0]), None) if formset.forms else None
        found += [(_anchor(first_row) if first_row else top, str(e)) for e in formset.non_form_errors()]
        for sub in formset.forms:
            found += [(_anchor(sub[name]), str(e)) for name in sub.fields for e in sub.errors.get(name, [])]
    return found


def _form_page(
    request: HttpRequest,
    *,
    form: django_forms.Form,
    save: Callable[[dict], object],
    success: str,
    done_url: str | Callable[[], str],
    context: dict,
    template: str = FORM_TEMPLATE,
    formsets: tuple = (),
) -> HttpResponse:
    """Validates and saves a POST, or renders the page with the form's errors (and any refusal) on it."""
    if request.method == "POST":
        valid = form.is_valid()
        valid = all(formset.is_valid() for formset in formsets) and valid
        if valid:
            try:
                save(form.cleaned_data)
            except DomainError as error:
                add_refusal(form, error)
            else:
                messages.success(request, success)
                return redirect(done_url() if callable(done_url) else done_url)
    return render(
        request, template, {"form": form, "formsets": formsets, "errors": error_summary(form, formsets), **context}
    )


def _case_context(case: Case, *, title: str, **extra) -> dict:
    return {"case": case, "pupil": case.pupil, "title": title, "back_url": _case_url(case), **extra}


def _pupil_context(pupil: Pupil, *, title: str, **extra) -> dict:
    return {"pupil": pupil, "title": title, "back_url": _pupil_return_url(pupil), **extra}


def _case_for_support(request: HttpRequest, case_pk: int) -> Case:
    case = case_for_user(user=request.user, pk=case_pk)
    _refuse_unless(can_record_support(request.user, case.pupil), "record support for this pupil")
    return case


def _pupil_for(request: HttpRequest, upn: str, allowed: Callable, what: str) -> Pupil:
    pupil = pupil_for_user(user=request.user, upn=upn)
    _refuse_unless(allowed(request.user, pupil), what)
    return pupil
