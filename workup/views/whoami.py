"""/whoami: the smallest logged-in page, the floor that `make loadtest` measures every other page against."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from workup.access import AuthedRequest, member_required


@member_required
@require_safe
def whoami(request: AuthedRequest) -> JsonResponse:
    """Who is logged in, with which role and clinic: a session and a user, no patient data and no template."""
    user = request.user
    return JsonResponse({"username": user.username, "role": user.role, "clinic": user.clinic_id})
