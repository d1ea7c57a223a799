"""Letters as files: staff who can read the pupil's case download the stored PDF, exactly as generated."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from cases.audit import audit
from notices.letters import letter_for_user


@login_required
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letter_for_user(user=request.user, pk=pk)
    audit(
        request=request,
        action="letter.download",
        pupil=letter.pupil,
        detail=f"letter {letter.pk}: {letter.subject_key} v{letter.version} to {letter.recipient}",
    )
    recipient = letter.parent or ""
    filename = slugify(f"{letter.title} {recipient} v{letter.version}") + ".pdf"
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
