"""Letters as files: one stored letter's PDF, and the school's letter batches (what each kind would make,
starting one, its progress, and its PDF)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.audit import audit, audit_list
from cases.errors import DomainError
from notices.letters import batches
from notices.letters.forms import LetterBatchStartForm
from notices.letters.store import letter_for_user
from notices.models import BatchStatus


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


@login_required
@require_GET
def letter_batches(request: HttpRequest, urn: str) -> HttpResponse:
    school = batches.letters_school_for_user(user=request.user, urn=urn)
    plans = [batches.letter_batch_plan(school=school, kind=kind) for kind in batches.KIND_NAMES]
    audit_list(request, "letter_batches.list", school=school)
    return render(
        request,
        "notices/batches/list.html",
        {
            "school": school,
            "plans": [(plan, batches.KIND_NAMES[plan.kind]) for plan in plans],
            "batches": [(b, batches.letter_batch_percent(b)) for b in batches.letter_batches_for_school(school=school)],
            "concern_weeks": batches.CONCERN_LETTER_INTERVAL.days // 7,
            "new_alert_days": batches.NEW_ALERT_WINDOW.days,
        },
    )


@login_required
@require_POST
def letter_batch_start_view(request: HttpRequest, urn: str) -> HttpResponse:
    school = batches.letters_school_for_user(user=request.user, urn=urn)
    form = LetterBatchStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["kind"][0])
        return redirect("letters:batches", urn=school.urn)
    try:
        batch = batches.letter_batch_start(school=school, kind=form.cleaned_data["kind"], by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("letters:batches", urn=school.urn)
    return redirect("letters:batch_detail", urn=school.urn, pk=batch.pk)


@login_required
@require_GET
def letter_batch_detail(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    batch = batches.letter_batch_for_user(user=request.user, urn=urn, pk=pk)
    letters = batch.letters.select_related("pupil", "parent").defer("pdf").order_by("pupil__surname", "pupil__forename", "pk")
    audit_list(request, "letter_batch.view", school=batch.school, detail=f"batch {batch.pk}")
    return render(
        request,
        "notices/batches/detail.html",
        {
            "school": batch.school,
            "batch": batch,
            "percent": batches.letter_batch_percent(batch),
            "finished": batch.status not in batches.UNFINISHED,
            "stuck": batches.letter_batch_is_stuck(batch),
            "can_resume": batches.letter_batch_can_resume(batch),
            "stuck_minutes": settings.LETTER_BATCH_STUCK_MINUTES,
            "letters": letters,
        },
    )


@login_required
@require_GET
def letter_batch_pdf(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    batch = batches.letter_batch_for_user(user=request.user, urn=urn, pk=pk)
    if batch.status != BatchStatus.DONE or not batch.combined_pdf:
        raise Http404("These letters are not ready to print yet.")
    audit(request=request, action="letter_batch.download", school=batch.school,
          detail=f"batch {batch.pk}: {batch.title} ({batch.total} letters)")
    response = HttpResponse(bytes(batch.combined_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(batch.title)}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


_STOPPED_ACTIONS = {
    "resume": (batches.letter_batch_resume, "Resume making these letters",
               "The letters not made yet will be made; the {done} already made are kept and not made again.",
               "Resume making the letters", "The letters are being made again."),
    "cancel": (batches.letter_batch_cancel, "Cancel these letters",
               "The {done} letters already made are kept; the other {left} will not be made and there will be "
               "no PDF to print. You can then start a new batch.",
               "Cancel the letters", "The batch is cancelled."),
}


@login_required
@require_http_methods(["GET", "POST"])
def letter_batch_stopped_action(request: HttpRequest, urn: str, pk: int, action: str) -> HttpResponse:
    """Resume or cancel a batch that stopped: GET asks to confirm, POST does it."""
    batch = batches.letter_batch_for_user(user=request.user, urn=urn, pk=pk)
    service, title, consequence, button, done_message = _STOPPED_ACTIONS[action]
    if request.method == "POST":
        try:
            service(batch=batch, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done_message)
        return redirect("letters:batch_detail", urn=batch.school.urn, pk=batch.pk)
    return render(
        request,
        "notices/batches/confirm.html",
        {
            "school": batch.school, "batch": batch, "title": title, "button": button, "action": action,
            "consequence": consequence.format(done=batch.done, left=batch.total - batch.done),
        },
    )
