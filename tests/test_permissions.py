"""Every URL against every persona: anonymous, each role, and each role from another clinic.

A URL added without a row here fails `test_every_url_is_in_the_matrix`, so no page escapes this check.
Another clinic's object answers 404, exactly as a missing one; a role that may not use a page gets 403.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.factories import make_user, typical_case
from workup.models import Letter, Medication, ReceivingService
from workup.services.tokens import create_token

PERSONAS = ("anonymous", "intake", "clinician", "clinic_admin", "other_intake", "other_clinician", "other_admin")
OK, LOGIN, FORBIDDEN, NOT_FOUND, UNAUTHORISED = "ok", "login", "403", "404", "401"


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    url: Callable[[dict[str, Any]], str]
    expect: dict[str, str]
    data: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def same(**kw: str) -> dict[str, str]:
    """Expectations: ``default`` for every persona not named."""
    default = kw.pop("default")
    return {p: kw.get(p, default) for p in PERSONAS}


RECORDERS_OWN_CLINIC = same(
    default=NOT_FOUND, anonymous=LOGIN, intake=OK, clinician=OK, clinic_admin=FORBIDDEN, other_admin=FORBIDDEN
)
RECORDERS_ANY_CLINIC = same(default=OK, anonymous=LOGIN, clinic_admin=FORBIDDEN, other_admin=FORBIDDEN)
SIGNERS_OWN_CLINIC = {**RECORDERS_OWN_CLINIC, "intake": FORBIDDEN, "other_intake": FORBIDDEN}
ADMINS = same(default=FORBIDDEN, anonymous=LOGIN, clinic_admin=OK, other_admin=OK)
ADMINS_OWN_CLINIC = {**ADMINS, "other_admin": NOT_FOUND}
MEMBERS = same(default=OK, anonymous=LOGIN)

ROWS = [
    # For load balancers: no login, no patient data, the same answer for everyone.
    Row("healthz", "get", lambda o: "/healthz", same(default=OK)),
    # The home page: a clinic administrator is sent on to the staff screen rather than refused.
    Row("worklist", "get", lambda o: "/", same(default=OK, anonymous=LOGIN)),
    # The load test's floor: any member of a clinic, nothing patient-scoped.
    Row("whoami", "get", lambda o: "/whoami", MEMBERS),
    Row("patient_new", "get", lambda o: "/patients/new/", RECORDERS_ANY_CLINIC),
    Row("patient_detail", "get", lambda o: f"/patients/{o['patient'].pk}/", RECORDERS_OWN_CLINIC),
    Row("workup_new", "post", lambda o: f"/patients/{o['patient'].pk}/workups/new/", RECORDERS_OWN_CLINIC),
    Row("workup_detail", "get", lambda o: f"/workups/{o['workup'].pk}/", RECORDERS_OWN_CLINIC),
    Row(
        "workup_section",
        "post",
        lambda o: f"/workups/{o['workup'].pk}/history/",
        RECORDERS_OWN_CLINIC,
        data=lambda o: {"version": o["workup"].history_version, "diabetes": "known"},
    ),
    Row("patient_edit", "get", lambda o: f"/patients/{o['patient'].pk}/edit/", RECORDERS_OWN_CLINIC),
    Row("patient_record", "get", lambda o: f"/patients/{o['patient'].pk}/record/", RECORDERS_OWN_CLINIC),
    Row(
        "record_social",
        "post",
        lambda o: f"/patients/{o['patient'].pk}/record/social/",
        RECORDERS_OWN_CLINIC,
        data=lambda o: {"social-smoking_status": "never"},
    ),
    Row(
        "record_entry_add",
        "post",
        lambda o: f"/patients/{o['patient'].pk}/record/allergy/add/",
        RECORDERS_OWN_CLINIC,
        data=lambda o: {"allergy-substance": "Penicillin", "allergy-kind": "allergy"},
    ),
    Row("record_none", "post", lambda o: f"/patients/{o['patient'].pk}/record/problem/none/", RECORDERS_OWN_CLINIC),
    Row(
        "record_entry_edit",
        "post",
        lambda o: f"/record/medication/{o['medication'].pk}/",
        RECORDERS_OWN_CLINIC,
        data=lambda o: {"edit-medication-name": "Metformin", "edit-medication-dose": "1 g"},
    ),
    Row(
        "record_entry_remove",
        "post",
        lambda o: f"/record/medication/{o['medication'].pk}/remove/",
        RECORDERS_OWN_CLINIC,
    ),
    Row("workup_close", "get", lambda o: f"/workups/{o['workup'].pk}/close/", RECORDERS_OWN_CLINIC),
    Row("letter_new", "get", lambda o: f"/letters/workup/{o['workup'].pk}/new/", RECORDERS_OWN_CLINIC),
    Row("letter_detail", "get", lambda o: f"/letters/{o['letter'].pk}/", RECORDERS_OWN_CLINIC),
    Row("letter_edit", "get", lambda o: f"/letters/{o['letter'].pk}/edit/", RECORDERS_OWN_CLINIC),
    Row("letter_sign", "post", lambda o: f"/letters/{o['letter'].pk}/sign/", SIGNERS_OWN_CLINIC),
    Row("letter_pdf", "get", lambda o: f"/letters/{o['letter'].pk}/pdf/", RECORDERS_OWN_CLINIC),
    Row("letter_addendum", "get", lambda o: f"/letters/{o['letter'].pk}/addendum/", RECORDERS_OWN_CLINIC),
    Row(
        "handout_give",
        "post",
        lambda o: f"/handouts/workup/{o['workup'].pk}/give/",
        RECORDERS_OWN_CLINIC,
        data=lambda o: {"output": "print"},
    ),
    Row("handout_print", "get", lambda o: f"/handouts/workup/{o['workup'].pk}/", RECORDERS_OWN_CLINIC),
    Row("handout_pdf", "get", lambda o: f"/handouts/workup/{o['workup'].pk}/pdf/", RECORDERS_OWN_CLINIC),
    Row(
        "letter_anyway",
        "post",
        lambda o: f"/letters/workup/{o['workup'].pk}/anyway/",
        SIGNERS_OWN_CLINIC,
        data=lambda o: {},
    ),
    Row(
        "referral_decline",
        "post",
        lambda o: f"/letters/workup/{o['workup'].pk}/decline/",
        SIGNERS_OWN_CLINIC,
        data=lambda o: {},
    ),
    Row("letter_sent", "post", lambda o: f"/letters/{o['issued'].pk}/sent/", RECORDERS_OWN_CLINIC, data=lambda o: {}),
    Row(
        "letter_booked", "post", lambda o: f"/letters/{o['issued'].pk}/booked/", RECORDERS_OWN_CLINIC, data=lambda o: {}
    ),
    Row("letter_reply", "post", lambda o: f"/letters/{o['issued'].pk}/reply/", RECORDERS_OWN_CLINIC, data=lambda o: {}),
    Row("letter_reply_pdf", "get", lambda o: f"/letters/{o['issued'].pk}/reply.pdf", RECORDERS_OWN_CLINIC),
    Row("letter_cancel", "post", lambda o: f"/letters/{o['letter'].pk}/cancel/", SIGNERS_OWN_CLINIC, data=lambda o: {}),
    Row("workup_print", "get", lambda o: f"/workups/{o['workup'].pk}/print/", RECORDERS_OWN_CLINIC),
    Row("clinic_staff", "get", lambda o: "/clinic/staff/", ADMINS),
    Row("clinic_staff_edit", "get", lambda o: f"/clinic/staff/{o['intake'].pk}/", ADMINS_OWN_CLINIC),
    Row("clinic_directory", "get", lambda o: "/clinic/directory/", ADMINS),
    Row("clinic_directory_edit", "get", lambda o: f"/clinic/directory/{o['entry'].pk}/", ADMINS_OWN_CLINIC),
    Row("clinic_audit", "get", lambda o: "/clinic/audit/", ADMINS),
    Row("account_password", "get", lambda o: "/clinic/account/password/", MEMBERS),
    Row("account_tokens", "get", lambda o: "/clinic/account/tokens/", MEMBERS),
    Row(
        "account_token_revoke",
        "post",
        lambda o: f"/clinic/account/tokens/{o['token'].pk}/revoke/",
        same(default=NOT_FOUND, anonymous=LOGIN, clinician=OK),
    ),
    Row("lab_import", "get", lambda o: f"/workups/{o['workup'].pk}/labs/import/", RECORDERS_OWN_CLINIC),
    Row(
        "api_results_import",
        "post",
        lambda o: f"/api/v1/workups/{o['workup'].pk}/results/import",
        {**RECORDERS_OWN_CLINIC, "anonymous": UNAUTHORISED},
        data=lambda o: {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
            "subject": {"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}},
            "valueQuantity": {"value": 6.6, "system": "http://unitsofmeasure.org", "code": "%"},
        },
    ),
    Row("fhir_metadata", "get", lambda o: "/fhir/r4/metadata", {**RECORDERS_ANY_CLINIC, "anonymous": UNAUTHORISED}),
    Row(
        "fhir_bundle",
        "get",
        lambda o: f"/fhir/r4/Bundle/{o['issued'].pk}",
        {**RECORDERS_OWN_CLINIC, "anonymous": UNAUTHORISED},
    ),
    Row(
        "api_evaluate",
        "post",
        lambda o: "/api/v1/evaluate",
        {**RECORDERS_ANY_CLINIC, "anonymous": UNAUTHORISED},
        data=lambda o: typical_case(),
    ),
    # CDS Hooks: discovery holds no patient data and is public; the services answer only a registered EHR's signed
    # JWT, never a session or an API token, so every persona gets 401 (tests/cds_hooks covers the JWT itself).
    Row("cds_services", "get", lambda o: "/cds-services", same(default=OK)),
    Row("cds_service", "post", lambda o: "/cds-services/workup-patient-view", same(default=UNAUTHORISED)),
    Row("cds_feedback", "post", lambda o: "/cds-services/workup-patient-view/feedback", same(default=UNAUTHORISED)),
    Row("clinic_cds_clients", "get", lambda o: "/clinic/cds-clients/", ADMINS),
    Row(
        "clinic_cds_client_remove",
        "post",
        lambda o: f"/clinic/cds-clients/{o['cds_client'].pk}/remove/",
        ADMINS_OWN_CLINIC,
    ),
]
NOT_IN_MATRIX = {"login", "logout"}  # public by design; covered in test_security and test_views_*


@pytest.fixture
def objects(
    clinic: Any, other_clinic: Any, intake: Any, clinician: Any, clinic_admin: Any, workup: Any
) -> dict[str, Any]:
    token, _ = create_token(user=clinician, name="matrix")
    letter = Letter.objects.create(
        workup=workup,
        reference="WU-MATRIX-1",
        kind="referral",
        service="neurology",
        urgency="routine",
        created_by=clinician,
    )
    issued = Letter.objects.create(
        workup=workup,
        reference="WU-MATRIX-2",
        kind="referral",
        service="neurology",
        urgency="routine",
        created_by=clinician,
        status=Letter.Status.ISSUED,
        pdf=b"%PDF-1.7 matrix\n",
        pdf_sha256=hashlib.sha256(b"%PDF-1.7 matrix\n").hexdigest(),
        signed_by=clinician,
        signed_at=timezone.now(),
        fhir_document=b"{}\n",
        fhir_sha256=hashlib.sha256(b"{}\n").hexdigest(),
    )
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.cds_hooks.builders import public_jwks
    from workup.services.cds_hooks import register_client

    cds_client = register_client(
        clinic=clinic,
        issuer="https://ehr.riverside.example/",
        jwks=public_jwks(ec.generate_private_key(ec.SECP384R1())),
    )
    entry = ReceivingService.objects.create(clinic=clinic, service="neurology", organisation="Leeds General Infirmary")
    medication = Medication.objects.create(patient=workup.patient, name="Metformin")
    return {
        "cds_client": cds_client,
        "entry": entry,
        "medication": medication,
        "letter": letter,
        "issued": issued,
        "patient": workup.patient,
        "workup": workup,
        "intake": intake,
        "token": token,
        "personas": {
            "anonymous": None,
            "intake": intake,
            "clinician": clinician,
            "clinic_admin": clinic_admin,
            "other_intake": make_user("olive_intake", other_clinic, "intake"),
            "other_clinician": make_user("oscar_clinician", other_clinic, "clinician"),
            "other_admin": make_user("otto_admin", other_clinic, "clinic_admin"),
        },
    }


def outcome(response: Any) -> str:
    if response.status_code in (401, 403, 404):
        return str(response.status_code)
    if response.status_code == 302 and response["Location"].startswith("/login/"):
        return LOGIN
    assert response.status_code in (200, 302, 400), response.status_code
    return OK


CASES = [(row, persona) for row in ROWS for persona in PERSONAS]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "persona"), CASES, ids=[f"{r.name}-{p}" for r, p in CASES])
def test_access(row: Row, persona: str, objects: dict[str, Any]) -> None:
    client = Client()
    user = objects["personas"][persona]
    if user is not None:
        client.force_login(user)
    url = row.url(objects)
    if row.method == "get":
        response = client.get(url)
    elif row.name in ("api_evaluate", "api_results_import", "cds_service", "cds_feedback"):
        response = client.post(url, data=row.data(objects) if row.data else {}, content_type="application/json")
    else:
        response = client.post(url, data=row.data(objects) if row.data else {})
    assert outcome(response) == row.expect[persona]


def _names(resolver: URLResolver, skip: tuple[str, ...] = ("admin",)) -> set[str]:
    names: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if getattr(p, "app_name", None) not in skip:
                names |= _names(p)
        elif isinstance(p, URLPattern) and p.name:
            names.add(p.name)
    return names


def test_every_url_is_in_the_matrix() -> None:
    assert _names(get_resolver()) - NOT_IN_MATRIX == {r.name for r in ROWS}


@pytest.mark.django_db
def test_letters_of_another_clinic_answer_404(objects: dict[str, Any], clinician: Any) -> None:
    letter = Letter.objects.create(
        workup=objects["workup"],
        reference="WU-TEST-1",
        kind="referral",
        service="vascular",
        urgency="routine",
        created_by=clinician,
    )
    client = Client()
    client.force_login(objects["personas"]["other_clinician"])
    for suffix in ("", "edit/", "pdf/", "addendum/"):
        assert client.get(f"/letters/{letter.pk}/{suffix}").status_code == 404
    assert client.post(f"/letters/{letter.pk}/sign/").status_code == 404
    assert client.get(f"/letters/workup/{objects['workup'].pk}/new/").status_code == 404
