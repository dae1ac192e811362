"""The worklist: the clinic's workups, emergencies and urgent ones first; search kept in the session, not the URL."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from workup.access import AuthedRequest, clinic_patients, clinic_workups, may_administer, may_record, member_required
from workup.forms import SearchForm, WorklistFilterForm
from workup.forms.worklist import patient_matches, search_patients
from workup.models import Letter
from workup.services import referrals
from workup.services.workups import refresh_outdated

SEARCH_KEY = "worklist_search"
PER_PAGE = 25


@member_required
def worklist(request: AuthedRequest) -> HttpResponse:
    if not may_record(request.user):
        # The home page after login: a clinic administrator without clinical access goes to the staff screen.
        if may_administer(request.user):
            return redirect("clinic_staff")
        raise PermissionDenied
    if request.method == "POST":
        return _store_search(request)
    term = request.session.get(SEARCH_KEY, "")
    filters = WorklistFilterForm(request.GET or None)
    refresh_outdated(clinic_workups(request.user))  # saved under an older ruleset: sort by today's rules
    letters = Letter.objects.defer("pdf", "fhir_document", "reply_pdf", "recommendation", "case").order_by("created_at")
    workups = (
        clinic_workups(request.user)
        .select_related("patient", "updated_by")
        .prefetch_related(Prefetch("letters", queryset=letters))
    )
    if term:
        workups = workups.filter(patient_matches(term, prefix="patient__"))
    workups = filters.filtered(workups).order_by("urgency_rank", "-updated_at")
    page = Paginator(workups, PER_PAGE).get_page(request.GET.get("page"))
    for w in page.object_list:
        # The referrals nobody replaced by a signed addendum and nobody cancelled: "Neurology urgent: sent 2 Dec".
        w.referral_lines = [
            referrals.headline(x)
            for x in referrals.current_versions(list(w.letters.all()))
            if x.status != Letter.Status.CANCELLED
        ]
    context = {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
        "filters": filters,
        "filter_query": filters.query_string(),
        "search": SearchForm(initial={"q": term}),
        "term": term,
        "patients": list(search_patients(clinic_patients(request.user), term)[:10]),
        "today": timezone.localdate(),
    }
    return render(request, "workup/worklist.html", context)


def _store_search(request: AuthedRequest) -> HttpResponse:
    form = SearchForm(request.POST)
    term = form.cleaned_data["q"] if form.is_valid() and "clear" not in request.POST else ""
    if term:
        request.session[SEARCH_KEY] = term
    else:
        request.session.pop(SEARCH_KEY, None)
    filters = WorklistFilterForm(request.POST)
    query = filters.query_string()
    return redirect(reverse("worklist") + (f"?{query}" if query else ""))
