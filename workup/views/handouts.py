"""The patient's own copy: give it (recorded on the workup and audited), then print it or download its PDF."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from workup import handouts
from workup.access import AuthedRequest, get_workup, recorder_required
from workup.forms.handouts import GiveHandoutForm
from workup.letters import RenderError
from workup.models import Workup
from workup.services import audit
from workup.services import handouts as services

NOT_READY = "The patient's copy cannot be made until the workup's problems are corrected."


@recorder_required
@require_POST
def handout_give(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """Record that the patient is given their copy, then open it as a print view or a PDF."""
    workup = get_workup(request.user, workup_id)
    form = GiveHandoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to print the patient's copy or to download it as a PDF.")
        return redirect("workup_detail", workup.pk)
    large = form.cleaned_data["large_print"]
    handout = handouts.for_workup(workup, large_print=large)
    if handout is None:
        messages.error(request, NOT_READY)
        return redirect("workup_detail", workup.pk)
    services.record_given(
        user=request.user,
        workup=workup,
        items=handout.titles(),
        large_print=large,
        ruleset=handout.ruleset,
        request=request,
    )
    name = "handout_print" if form.cleaned_data["output"] == "print" else "handout_pdf"
    return redirect(reverse(name, args=[workup.pk]) + ("?large=1" if large else ""))


@recorder_required
@require_GET
def handout_print(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """The handout as a page to print from the browser."""
    workup = get_workup(request.user, workup_id)
    handout = handouts.for_workup(workup, large_print=_large(request))
    if handout is None:
        messages.error(request, NOT_READY)
        return redirect("workup_detail", workup.pk)
    _audit(request, workup, "view")
    html = handouts.render_html(handout, print_view=True, workup=workup)
    return HttpResponse(html)


@recorder_required
@require_GET
def handout_pdf(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """The handout as a PDF to download; the file name carries no patient data."""
    workup = get_workup(request.user, workup_id)
    handout = handouts.for_workup(workup, large_print=_large(request))
    if handout is None:
        messages.error(request, NOT_READY)
        return redirect("workup_detail", workup.pk)
    try:
        rendered = handouts.render_pdf(handout)
    except RenderError as exc:
        messages.error(request, str(exc))
        return redirect("workup_detail", workup.pk)
    _audit(request, workup, "download")
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    suffix = "-large-print" if handout.large_print else ""
    response["Content-Disposition"] = f'attachment; filename="patient-copy-{timezone.localdate():%Y%m%d}{suffix}.pdf"'
    response["Cache-Control"] = "no-store, private"
    return response


def _large(request: HttpRequest) -> bool:
    return request.GET.get("large") == "1"


def _audit(request: AuthedRequest, workup: Workup, action: str) -> None:
    audit.record(
        user=request.user, action=action, obj=workup, request=request, object_type="handout", object_id=str(workup.pk)
    )


urlpatterns = [
    path("workup/<uuid:workup_id>/give/", handout_give, name="handout_give"),
    path("workup/<uuid:workup_id>/", handout_print, name="handout_print"),
    path("workup/<uuid:workup_id>/pdf/", handout_pdf, name="handout_pdf"),
]
