"""The clinic's directory of receiving services: kept by the clinic administrator, chosen when a letter is prepared."""

from __future__ import annotations

from typing import Any

import pytest

from workup.models import AuditEvent, Letter, ReceivingService, Workup

pytestmark = pytest.mark.django_db


def entry(clinic: Any, service: str = "neurology", **fields: Any) -> ReceivingService:
    return ReceivingService.objects.create(
        clinic=clinic, service=service, organisation=fields.pop("organisation", "Leeds General Infirmary"), **fields
    )


def test_clinic_admin_adds_an_entry_and_a_new_default_replaces_the_old(
    clinic: Any, clinic_admin: Any, login: Any
) -> None:
    old = entry(clinic, is_default=True)
    response = login(clinic_admin).post(
        "/clinic/directory/",
        {
            "service": "neurology",
            "organisation": "St James's University Hospital",
            "department": "Neurology",
            "is_default": "on",
        },
    )
    assert response.status_code == 302
    new = ReceivingService.objects.get(organisation="St James's University Hospital")
    assert new.clinic == clinic and new.is_default
    old.refresh_from_db()
    assert not old.is_default
    assert AuditEvent.objects.filter(object_type="receivingservice", object_id=str(new.pk), action="create").exists()


def test_an_entry_of_another_clinic_is_not_found(other_clinic: Any, clinic_admin: Any, login: Any) -> None:
    theirs = entry(other_clinic)
    assert login(clinic_admin).get(f"/clinic/directory/{theirs.pk}/").status_code == 404


def test_a_letter_goes_to_the_services_default_unless_another_is_chosen(
    clinic: Any, clinician: Any, workup: Workup, login: Any
) -> None:
    default = entry(clinic, is_default=True, department="Neurology")
    other = entry(clinic, organisation="Harrogate District Hospital")
    client = login(clinician)
    client.post(f"/letters/workup/{workup.pk}/new/", {"service": "neurology"})
    assert Letter.objects.get(workup=workup).addressee == default
    Letter.objects.all().delete()
    client.post(f"/letters/workup/{workup.pk}/new/", {"service": "neurology", "addressee": other.pk})
    assert Letter.objects.get(workup=workup).addressee == other


def test_an_addressee_for_another_service_is_refused(clinic: Any, clinician: Any, workup: Workup, login: Any) -> None:
    podiatry = entry(clinic, service="podiatry")
    response = login(clinician).post(
        f"/letters/workup/{workup.pk}/new/", {"service": "neurology", "addressee": podiatry.pk}
    )
    assert response.status_code == 200 and "does not take Neurology referrals" in response.content.decode()
    assert not Letter.objects.exists()


def test_the_demo_seeds_a_directory_for_each_clinic() -> None:
    from django.core.management import call_command

    call_command("loaddata", "demo", verbosity=0)
    for clinic_id in (1, 2):
        services = set(
            ReceivingService.objects.filter(clinic_id=clinic_id, is_default=True).values_list("service", flat=True)
        )
        assert {"emergency_department", "neurology", "vascular", "haematology", "diabetic_foot_service"} <= services
