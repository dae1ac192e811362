"""Committing an imported lab message: the recognised, new rows are added to the workup's results in one step."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from workup.interop.fhir.labs import Preview, stored_rows
from workup.models import User, Workup
from workup.services import audit
from workup.services.workups import replace_labs


@transaction.atomic
def commit_import(*, user: User | None, workup: Workup, preview: Preview, request: HttpRequest | None = None) -> int:
    """Add the preview's recognised, non-duplicate rows to the workup's results; return how many were added."""
    rows = preview.to_save
    if not rows:
        return 0
    current = Workup.objects.select_for_update().get(pk=workup.pk)
    existing = list(stored_rows(current))
    replace_labs(
        user=user,  # type: ignore[arg-type]  # None from the command line: no user to credit
        workup=current,
        rows=existing + [row.fields for row in rows],
        version=current.labs_version,
        request=request,
    )
    audit.record(
        user=user,
        action="change",
        obj=current,
        request=request,
        object_type="lab_import",
        changes={"imported": [None, [row.line() for row in rows]], "format": [None, preview.kind]},
    )
    workup.refresh_from_db()
    return len(rows)
