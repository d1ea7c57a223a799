"""The GOV.UK confirmation step before a consequential action (refer, issue, close).

A form posts as before; once it is valid, the view shows what will happen and what the step rests on,
with the answers carried in hidden fields. Only a POST that says ``confirm=yes`` runs the service;
"Change" (``change=yes``) shows the form again with the answers kept; "Cancel" is a link away. So a
POST without the confirmation changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM, CHANGE = "confirm", "change"
NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRM, CHANGE}


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says: its heading, the consequences, what the step rests on, the answers."""

    heading: str
    button: str
    consequences: list[str]
    cancel_url: str
    rests_on: list[str] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    warning: str = ""


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM) == "yes"


def changing(request: HttpRequest) -> bool:
    """The DSL chose "Change": the form is shown again, filled in, with nothing run."""
    return request.method == "POST" and request.POST.get(CHANGE) == "yes"


def carried_fields(request: HttpRequest) -> Iterable[tuple[str, str]]:
    for name, values in request.POST.lists():
        if name not in NOT_CARRIED:
            for value in values:
                yield name, value


def confirmation_page(request: HttpRequest, *, case, confirmation: Confirmation, action_url: str) -> HttpResponse:
    return render(request, "includes/confirm.html", {
        "case": case, "pupil": case.pupil, "confirmation": confirmation, "action_url": action_url,
        "carried": list(carried_fields(request)),
    })
