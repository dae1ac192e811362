"""Importing lab results from a file (FHIR JSON or HL7 v2): upload, preview every row, then commit with one click.

Nothing is saved before the commit. The preview carries the message back to the browser signed, so the commit reads
exactly what was previewed without storing it in between.
"""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from workup.access import AuthedRequest, get_workup, recorder_required
from workup.interop.fhir.labs import MAX_MESSAGE_BYTES, ImportError_, Preview, preview
from workup.models import Workup
from workup.services import audit
from workup.services.lab_import import commit_import
from workup.services.workups import RoutineStopped, StaleSection, WorkupClosed

SALT = "workup.lab-import"


class UploadForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="Results file",
        help_text="A FHIR Observation, DiagnosticReport or Bundle (JSON), or an HL7 v2 ORU^R01 message.",
    )
    text = forms.CharField(
        required=False, label="Or paste the message", widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_MESSAGE_BYTES:
                raise forms.ValidationError(f"The file is larger than {MAX_MESSAGE_BYTES // 1000} kB.")
            data["message"] = upload.read()
        elif data.get("text", "").strip():
            data["message"] = data["text"].encode()
        else:
            raise forms.ValidationError("Choose a results file or paste the message.")
        return data


@recorder_required
@require_http_methods(["GET", "POST"])
def lab_import(request: AuthedRequest, workup_id: UUID) -> HttpResponse:
    """GET: the upload form. POST: the preview (nothing saved), or with a signed message, the commit."""
    workup = get_workup(request.user, workup_id)
    if request.method == "POST" and "signed" in request.POST:
        return _commit(request, workup)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"workup": workup, "form": form}
    if request.method == "POST" and form.is_valid():
        message: bytes = form.cleaned_data["message"]
        try:
            result = preview(workup, message, today=timezone.localdate())
        except ImportError_ as exc:
            form.add_error(None, str(exc))
        else:
            audit.record(user=request.user, action="view", obj=workup, request=request, object_type="lab_import")
            context |= {"preview": result, "signed": _sign(workup, message)}
    return render(request, "workup/lab_import.html", context)


def _sign(workup: Workup, message: bytes) -> str:
    return signing.dumps({"w": str(workup.pk), "m": message.decode("utf-8-sig")}, salt=SALT, compress=True)


def _commit(request: AuthedRequest, workup: Workup) -> HttpResponse:
    back = reverse("lab_import", args=[workup.pk])
    try:
        payload = signing.loads(request.POST["signed"], salt=SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, "The preview expired or was altered: upload the file again.")
        return redirect(back)
    if payload.get("w") != str(workup.pk):
        messages.error(request, "That preview was for another workup: upload the file again.")
        return redirect(back)
    try:
        result: Preview = preview(workup, payload["m"], today=timezone.localdate())
        added = commit_import(user=request.user, workup=workup, preview=result, request=request)
    except WorkupClosed:
        messages.error(request, "Nothing was imported: this workup is closed.")
        return redirect(back)
    except (ImportError_, StaleSection, RoutineStopped) as exc:
        messages.error(request, f"Nothing was imported: {exc or 'the results changed meanwhile'}.")
        return redirect(back)
    if result.patient_problem:
        messages.error(request, f"Nothing was imported: {result.patient_problem}.")
        return redirect(back)
    messages.success(request, f"Imported {added} result{'s' if added != 1 else ''}.", extra_tags="labs")
    return redirect(reverse("workup_detail", args=[workup.pk]) + "#section-labs")
