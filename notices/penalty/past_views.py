"""The LA officer enters one past notice by hand ("past notices can be imported or entered with their
historic amounts"): the same rules as one row of notices.csv, which notices.penalty.imports holds for both.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cases.imports.csvfile import ImportFailed
from cases.selectors import local_authority_for_user
from notices.penalty.forms import PastNoticeForm
from notices.penalty.imports import past_notice_problems, past_notice_record
from notices.penalty.views import form_errors


@login_required
@require_http_methods(["GET", "POST"])
def la_past_notice_new(request: HttpRequest, code: str) -> HttpResponse:
    local_authority = local_authority_for_user(user=request.user, code=code)
    form = PastNoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                notice = past_notice_record(local_authority=local_authority, values=form.cleaned_data["values"],
                                            by=request.user)
            except ImportFailed as failed:
                for problem in failed.problems:
                    form.add_problem(problem.column, problem.reason)
            else:
                messages.success(request, f"Past penalty notice {notice.reference} recorded: "
                                          f"{notice.get_state_display().lower()}")
                return redirect("penalty_notices:la_notice", code=local_authority.code, pk=notice.pk)
        else:
            # Show the notice's own rules too, at the fields the form found nothing wrong with.
            for problem in past_notice_problems(local_authority=local_authority, values=form.cleaned_data["values"]):
                if form.field_of(problem.column) not in form.errors:
                    form.add_problem(problem.column, problem.reason)
    return render(request, "notices/penalty/past_new.html", {
        "local_authority": local_authority, "form": form, "errors": form_errors(form),
    })
