"""Fuzz: generated hostile bodies posted to the API and to every form of the app never produce a server error.

Each endpoint is posted to by the persona that may use it, with its real field names (read from its form, so new
fields are fuzzed too) carrying plausible values, hostile text, repeated keys, unknown keys or a raw body. Every
answer must be below 500 and nothing may be logged at ERROR or with a traceback. Bounded by ``max_examples``:
about 2,200 requests in all, under a minute.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import typical_case
from workup.forms import SECTION_FORMS, PatientForm, SearchForm, WorklistFilterForm, lab_formset
from workup.forms.clinic import CdsClientForm, ReceivingServiceForm, StaffChangeForm, StaffForm, TokenForm
from workup.forms.letters import (
    AddendumForm,
    BookedForm,
    CancelForm,
    DeclineForm,
    DraftForm,
    ReferAnywayForm,
    ReplyForm,
    SentForm,
    SignForm,
)
from workup.forms.login import LoginForm
from workup.forms.record import CloseWorkupForm, SocialHistoryForm
from workup.letters import referral_options
from workup.models import Allergy, Medication, ReceivingService, Workup
from workup.services import letters as services
from workup.services.tokens import create_token
from workup.services.workups import evaluate_workup
from workup.views.lab_import import UploadForm
from workup.views.record import _entry_form

pytestmark = pytest.mark.django_db

SPECIAL = [
    "",
    " ",
    "0",
    "-1",
    "1e999",
    "NaN",
    "-0",
    "99999999",
    "9" * 400,
    "0.0000001",
    "2026-02-30",
    "31/12/1899",
    "x" * 5000,
    "\u202eevil",
    "a\x00b",
    "\ufeff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ settings.SECRET_KEY }}",
    "%(x)s %s",
    "../../etc/passwd",
    "[" * 200,
    "on",
    "true",
]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats().map(str),
)
FORM_BODY_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "text/plain"]
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
TALLY: Counter[str] = Counter()


class ErrorLog(logging.Handler):
    """Keeps every record at ERROR or above, or carrying a traceback (django.request logs a 500 that way)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    for name in ("", "django.request"):  # django.request propagates; attached directly in case it stops
        logging.getLogger(name).addHandler(handler)
    yield handler
    for name in ("", "django.request"):
        logging.getLogger(name).removeHandler(handler)


def check(response: Any, error_log: ErrorLog, what: str) -> None:
    TALLY["requests"] += 1
    if response.status_code >= 500 or error_log.records:
        TALLY["server_errors"] += 1
    logged = [f"{r.name}: {r.getMessage()}" for r in error_log.records]
    error_log.records.clear()
    assert response.status_code < 500, (what, response.status_code, logged)
    assert not logged, (what, logged)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nfuzz: {TALLY['requests']} requests, {TALLY['server_errors']} server errors")


# Form data: the form's own fields with plausible values, overridden, removed or joined by hostile ones


def plausible(form: forms.BaseForm | forms.BaseFormSet) -> dict[str, list[str]]:
    """Each posted name of ``form`` with values its fields accept (and some they refuse)."""
    if isinstance(form, forms.BaseFormSet):
        names = {**plausible(form.management_form), **plausible(form.empty_form)}
        rows = {k.replace("__prefix__", str(i)): v for k, v in names.items() if "__prefix__" in k for i in range(3)}
        return {k: v for k, v in names.items() if "__prefix__" not in k} | rows | {form.prefix + "-TOTAL_FORMS": ["3"]}
    values: dict[str, list[str]] = {}
    for name, f in form.fields.items():
        values[form.add_prefix(name)] = _values_for(f)
    return values


def _values_for(f: forms.Field) -> list[str]:
    if isinstance(f, forms.ChoiceField):
        # By now Django has normalised the choices to (value, label) pairs (a label that is a list is a group).
        choices = cast(Iterable[tuple[Any, Any]], f.choices)
        return [str(value) for value, label in choices if not isinstance(label, list | tuple)] or ["x"]
    if isinstance(f, forms.BooleanField):
        return ["on", ""]
    if isinstance(f, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return ["0", "1", "2", "4", "10", "0.95", "-1", "5200.5"]
    if isinstance(f, forms.DateField):
        return ["2026-01-02", "1961-03-14", "2999-01-01"]
    return ["Joan", "Adebayo", "a-long-unusual-passphrase", ""]


def form_data(fields: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]]:
    names = sorted(fields)
    base = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in fields.items()})
    key = st.one_of(st.sampled_from(names), st.text(max_size=12)) if names else st.text(max_size=12)
    value = st.one_of(HOSTILE_TEXT, st.lists(HOSTILE_TEXT, min_size=2, max_size=3))
    overrides = st.dictionaries(key, value, max_size=6)
    dropped = st.sets(st.sampled_from(names), max_size=3) if names else st.just(set())
    return st.builds(lambda b, o, d: {k: v for k, v in {**b, **o}.items() if k not in d}, base, overrides, dropped)


def raw_body() -> st.SearchStrategy[tuple[bytes, str]]:
    urlencoded = st.just((b"labs-TOTAL_FORMS=99999999&labs-INITIAL_FORMS=0", FORM_BODY_TYPES[0]))
    return st.one_of(urlencoded, st.tuples(st.binary(max_size=300), st.sampled_from(FORM_BODY_TYPES)))


# The endpoints: every route that accepts a POST, with who posts to it and which form it reads


@dataclass
class World:
    clinician: Any
    admin: Any
    colleague: Any
    workup: Workup
    token: Any

    @cached_property
    def issued(self) -> Any:
        """An issued letter (rendered only for the endpoints that need one)."""
        letter = services.create_draft(user=self.clinician, workup=self.workup, service="neurology")
        return services.issue(user=self.clinician, letter=letter)

    @cached_property
    def cds_client(self) -> Any:
        """A CDS Hooks client of the clinic (a throwaway key: only its removal is fuzzed here)."""
        from cryptography.hazmat.primitives.asymmetric import ec

        from tests.cds_hooks.builders import public_jwks
        from workup.services.cds_hooks import register_client

        jwks = public_jwks(ec.generate_private_key(ec.SECP384R1()))
        return register_client(clinic=self.admin.clinic, issuer="https://fuzz.example/", jwks=jwks)

    @cached_property
    def medication(self) -> Any:
        return Medication.objects.create(patient=self.workup.patient, name="Metformin")

    @cached_property
    def allergy(self) -> Any:
        return Allergy.objects.create(patient=self.workup.patient, substance="Penicillin")

    @cached_property
    def entry(self) -> Any:
        return ReceivingService.objects.create(clinic=self.admin.clinic, service="neurology", organisation="LGI")

    @cached_property
    def draft(self) -> Any:
        return services.create_draft(user=self.clinician, workup=self.workup, service="neurology")


@dataclass
class Endpoint:
    route: str
    persona: str  # "clinician", "admin" or "" for anonymous
    url: Callable[[World], str]
    form: Callable[[World], forms.BaseForm | forms.BaseFormSet | None]
    examples: int = 80
    extra_fields: dict[str, list[str]] = field(default_factory=dict)


def _section(name: str) -> Callable[[World], forms.BaseForm]:
    return lambda w: SECTION_FORMS[name](instance=w.workup)


def _letter(route: str, which: str = "draft") -> Callable[[World], str]:
    return lambda w: reverse(route, kwargs={"letter_id": getattr(w, which).pk})


ENDPOINTS = [
    Endpoint("login", "", lambda w: reverse("login"), lambda w: LoginForm(), extra_fields={"next": ["/", "//evil"]}),
    Endpoint("logout", "clinician", lambda w: reverse("logout"), lambda w: None, examples=30),
    Endpoint(
        "worklist", "clinician", lambda w: reverse("worklist"), lambda w: SearchForm(), extra_fields={"clear": ["1"]}
    ),
    Endpoint("worklist_filters", "clinician", lambda w: reverse("worklist"), lambda w: WorklistFilterForm()),
    Endpoint(
        "patient_new",
        "clinician",
        lambda w: reverse("patient_new"),
        lambda w: PatientForm(clinic_id=None, today=_today()),
    ),
    Endpoint(
        "workup_new", "clinician", lambda w: reverse("workup_new", args=[w.workup.patient_id]), lambda w: None, 40
    ),
    *(
        Endpoint(
            f"workup_section:{name}",
            "clinician",
            (lambda n: lambda w: reverse("workup_section", args=[w.workup.pk, n]))(name),
            _section(name),
            examples=35,
        )
        for name in SECTION_FORMS
    ),
    Endpoint(
        "workup_section:labs",
        "clinician",
        lambda w: reverse("workup_section", args=[w.workup.pk, "labs"]),
        lambda w: lab_formset(today=_today(), labs=[]),
        examples=35,
        extra_fields={"labs-version": ["0", "1", "-1"]},
    ),
    Endpoint(
        "handout_give",
        "clinician",
        lambda w: reverse("handout_give", args=[w.workup.pk]),
        lambda w: None,
        examples=30,
        extra_fields={"large_print": ["1", "", "x"], "version": ["0", "x"]},
    ),
    Endpoint(
        "lab_import",
        "clinician",
        lambda w: reverse("lab_import", args=[w.workup.pk]),
        lambda w: UploadForm(),
        examples=35,
        extra_fields={"signed": ["", "x", "eyJ0ZXN0Ijoi:1abc:zzz"]},
    ),
    Endpoint(
        "letter_new",
        "clinician",
        lambda w: reverse("letter_new", args=[w.workup.pk]),
        lambda w: None,
        examples=35,
        extra_fields={"service": ["neurology", "podiatry", "x"]},
    ),
    Endpoint(
        "patient_edit",
        "clinician",
        lambda w: reverse("patient_edit", args=[w.workup.patient_id]),
        lambda w: PatientForm(instance=w.workup.patient, clinic_id=None, today=_today()),
        examples=40,
    ),
    *(
        Endpoint(
            f"record_entry_add:{kind}",
            "clinician",
            (lambda k: lambda w: reverse("record_entry_add", args=[w.workup.patient_id, k]))(kind),
            (lambda k: lambda w: _entry_form(k))(kind),
            examples=30,
        )
        for kind in ("medication", "allergy", "problem")
    ),
    Endpoint(
        "record_entry_edit",
        "clinician",
        lambda w: reverse("record_entry_edit", args=["medication", w.medication.pk]),
        lambda w: _entry_form("medication", instance=w.medication, prefix="edit-medication"),
        examples=30,
    ),
    Endpoint(
        "record_entry_remove",
        "clinician",
        lambda w: reverse("record_entry_remove", args=["allergy", w.allergy.pk]),
        lambda w: None,
        examples=20,
    ),
    Endpoint(
        "record_none",
        "clinician",
        lambda w: reverse("record_none", args=[w.workup.patient_id, "allergy"]),
        lambda w: None,
        examples=20,
    ),
    Endpoint(
        "record_social",
        "clinician",
        lambda w: reverse("record_social", args=[w.workup.patient_id]),
        lambda w: SocialHistoryForm(instance=w.workup.patient, prefix="social"),
        examples=30,
    ),
    Endpoint(
        "workup_close",
        "clinician",
        lambda w: reverse("workup_close", args=[w.workup.pk]),
        lambda w: CloseWorkupForm(),
        examples=30,
    ),
    Endpoint("letter_edit", "clinician", _letter("letter_edit"), lambda w: DraftForm()),
    Endpoint("letter_sign", "clinician", _letter("letter_sign"), lambda w: SignForm(), examples=40),
    Endpoint("letter_addendum", "clinician", _letter("letter_addendum", "issued"), lambda w: AddendumForm()),
    Endpoint(
        "letter_anyway",
        "clinician",
        lambda w: reverse("letter_anyway", args=[w.workup.pk]),
        lambda w: ReferAnywayForm(),
    ),
    Endpoint(
        "referral_decline",
        "clinician",
        lambda w: reverse("referral_decline", args=[w.workup.pk]),
        lambda w: DeclineForm(referrals=referral_options(evaluate_workup(w.workup).recommendation)),
        examples=40,
    ),
    Endpoint("letter_sent", "clinician", _letter("letter_sent", "issued"), lambda w: SentForm(), examples=40),
    Endpoint("letter_booked", "clinician", _letter("letter_booked", "issued"), lambda w: BookedForm(), examples=30),
    Endpoint("letter_reply", "clinician", _letter("letter_reply", "issued"), lambda w: ReplyForm(), examples=30),
    Endpoint("letter_cancel", "clinician", _letter("letter_cancel"), lambda w: CancelForm(), examples=40),
    Endpoint("clinic_staff", "admin", lambda w: reverse("clinic_staff"), lambda w: StaffForm()),
    Endpoint("clinic_directory", "admin", lambda w: reverse("clinic_directory"), lambda w: ReceivingServiceForm()),
    Endpoint(
        "clinic_directory_edit",
        "admin",
        lambda w: reverse("clinic_directory_edit", args=[w.entry.pk]),
        lambda w: ReceivingServiceForm(instance=w.entry),
    ),
    Endpoint(
        "clinic_staff_edit",
        "admin",
        lambda w: reverse("clinic_staff_edit", args=[w.colleague.pk]),
        lambda w: StaffChangeForm(instance=w.colleague, acting_user=w.admin),
    ),
    Endpoint(
        "account_password",
        "clinician",
        lambda w: reverse("account_password"),
        lambda w: PasswordChangeForm(w.clinician),
    ),
    Endpoint("account_tokens", "clinician", lambda w: reverse("account_tokens"), lambda w: TokenForm()),
    Endpoint(
        "clinic_cds_clients",
        "admin",
        lambda w: reverse("clinic_cds_clients"),
        lambda w: CdsClientForm(),
        extra_fields={"jwks": ['{"keys": []}', '{"kty": "oct", "k": "eA"}', "{}", "[" * 50], "jku": ["http://x"]},
    ),
    Endpoint(
        "clinic_cds_client_remove",
        "admin",
        lambda w: reverse("clinic_cds_client_remove", args=[w.cds_client.pk]),
        lambda w: None,
        examples=30,
    ),
    Endpoint(
        "account_token_revoke",
        "clinician",
        lambda w: reverse("account_token_revoke", args=[w.token.pk]),
        lambda w: None,
        examples=30,
    ),
]
# Routes that only show a page or a file (a POST to them is answered as a GET or refused), and the API (fuzzed below).
READ_ONLY = {
    "letter_detail",
    "letter_pdf",
    "letter_reply_pdf",
    "workup_print",
    "clinic_audit",
    "patient_detail",
    "patient_record",
    "workup_detail",
    "healthz",
    "whoami",
    "handout_print",
    "handout_pdf",
    "fhir_metadata",
    "fhir_bundle",
    "cds_services",
}
API = {"api_evaluate", "api_results_import", "cds_service", "cds_feedback"}


def _today() -> Any:
    return timezone.localdate()


def app_routes(patterns: list[Any]) -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver) and p.namespace != "admin":
            yield from app_routes(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name


def test_every_route_of_the_app_is_fuzzed_or_read_only() -> None:
    fuzzed = {e.route.split(":")[0] for e in ENDPOINTS}
    unknown = set(app_routes(get_resolver().url_patterns)) - fuzzed - READ_ONLY - API
    assert not unknown, f"add these routes to ENDPOINTS in {__name__} (or READ_ONLY if they take no POST): {unknown}"


@pytest.fixture
def world(clinician: Any, clinic_admin: Any, intake: Any, workup: Workup) -> World:
    token, _ = create_token(user=clinician, name="fuzz")
    return World(clinician, clinic_admin, intake, workup, token)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.route for e in ENDPOINTS])
def test_no_form_post_is_a_server_error(endpoint: Endpoint, world: World, error_log: ErrorLog) -> None:
    form = endpoint.form(world)
    fields = (plausible(form) if form is not None else {}) | endpoint.extra_fields
    url = endpoint.url(world)
    user = {"clinician": world.clinician, "admin": world.admin}.get(endpoint.persona)

    client = Client(raise_request_exception=False)

    @settings(FUZZ, max_examples=endpoint.examples)
    @given(st.one_of(form_data(fields), form_data(fields), raw_body()))
    def post(body: dict[str, Any] | tuple[bytes, str]) -> None:
        if user is not None and "_auth_user_id" not in client.session:
            client.force_login(user)  # again after a logout
        if isinstance(body, tuple):
            response = client.post(url, data=body[0], content_type=body[1])
        else:
            response = client.post(url, data=body)
        check(response, error_log, f"POST {url} {body!r:.300}")

    post()


# The API


def _leaf() -> st.SearchStrategy[Any]:
    big = st.integers(min_value=-(10**60), max_value=10**60)
    return st.one_of(st.none(), st.booleans(), big, st.floats(), HOSTILE_TEXT)


JSON_VALUES = st.recursive(
    _leaf(),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)


def mutated_case(draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    """The typical case with one value somewhere replaced by a generated one."""
    case = typical_case()
    node: Any = case
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if isinstance(node[key], dict | list) and draw(st.booleans()):
                node = node[key]
                continue
            node[key] = draw(JSON_VALUES)
            break
        if isinstance(node, list) and node:
            node[draw(st.integers(min_value=0, max_value=len(node) - 1))] = draw(JSON_VALUES)
            break
    return json.dumps(case, allow_nan=True)


@st.composite
def api_body(draw: Callable[[st.SearchStrategy[Any]], Any]) -> bytes:
    kind = draw(st.sampled_from(["mutated", "mutated", "value", "raw", "deep", "number"]))
    if kind == "mutated":
        return mutated_case(draw).encode()
    if kind == "value":
        return json.dumps(draw(JSON_VALUES), allow_nan=True).encode()
    if kind == "raw":
        return bytes(draw(st.binary(max_size=400)))
    if kind == "deep":
        n = draw(st.integers(min_value=1, max_value=50_000))
        return (draw(st.sampled_from(["[", '{"a":'])) * n).encode()
    digits = draw(st.integers(min_value=1, max_value=5000))
    return json.dumps(typical_case()).replace('"age_years": 64', f'"age_years": {"9" * digits}').encode()


@pytest.fixture
def api_client(clinician: Any) -> Client:
    _, key = create_token(user=clinician, name="fuzz")
    return Client(headers={"Authorization": f"Bearer {key}"}, raise_request_exception=False)


@settings(FUZZ, max_examples=1100)
@given(api_body(), st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]))
def test_no_api_body_is_a_server_error(api_client: Client, error_log: ErrorLog, body: bytes, content_type: str) -> None:
    response = api_client.post("/api/v1/evaluate", data=body, content_type=content_type)
    check(response, error_log, f"API {body[:300]!r}")
    assert response["Content-Type"] == "application/json"


@settings(FUZZ, max_examples=300)
@given(api_body(), st.sampled_from(["application/json", "application/fhir+json", "text/plain"]))
def test_no_results_import_body_is_a_server_error(
    api_client: Client, workup: Workup, error_log: ErrorLog, body: bytes, content_type: str
) -> None:
    response = api_client.post(f"/api/v1/workups/{workup.pk}/results/import", data=body, content_type=content_type)
    check(response, error_log, f"import {body[:300]!r}")


# CDS Hooks: hook calls and feedback from a registered client (a valid JWT each time), with generated bodies.


@pytest.fixture
def cds_post(clinic: Any, clinician: Any, workup: Workup) -> Callable[[str, bytes], Any]:
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.cds_hooks.builders import public_jwks, token
    from workup.services.cds_hooks import register_client

    key = ec.generate_private_key(ec.SECP384R1())
    register_client(clinic=clinic, issuer="https://ehr.riverside.example/", jwks=public_jwks(key))
    client = Client(raise_request_exception=False)

    def post(path: str, body: bytes) -> Any:
        bearer = token(key, "http://testserver" + path)
        return client.post(
            path, data=body, content_type="application/json", headers={"Authorization": f"Bearer {bearer}"}
        )

    return post


@st.composite
def cds_body(draw: Callable[[st.SearchStrategy[Any]], Any]) -> bytes:
    """A hook call (or feedback) shaped like the spec's, with one value replaced; or anything api_body() makes."""
    from tests.cds_hooks.builders import condition, hook_body, medication, observation, prefetch

    if draw(st.booleans()):
        return draw(api_body())
    doc: Any = hook_body(
        pre=prefetch(
            observations=(observation("2132-9", 150, "pg/mL"), observation("4548-4", 6.1, "%")),
            conditions=(condition("Peripheral neuropathy"),),
            medicines=(medication("Metformin 500 mg"),),
        )
    )
    if draw(st.booleans()):
        doc = {
            "feedback": [
                {
                    "card": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
                    "outcome": "overridden",
                    "outcomeTimestamp": "2026-12-01T10:05:31Z",
                }
            ]
        }
    node = doc
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        keys = sorted(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        if isinstance(node[key], dict | list) and node[key] and draw(st.booleans()):
            node = node[key]
            continue
        node[key] = draw(JSON_VALUES)
        break
    return json.dumps(doc, allow_nan=True).encode()


@settings(FUZZ, max_examples=300)
@given(cds_body(), st.sampled_from(["workup-patient-view", "workup-order-select", "nope"]), st.booleans())
def test_no_cds_hooks_body_is_a_server_error(
    cds_post: Callable[[str, bytes], Any], error_log: ErrorLog, body: bytes, service: str, feedback: bool
) -> None:
    path = f"/cds-services/{service}" + ("/feedback" if feedback else "")
    response = cds_post(path, body)
    check(response, error_log, f"CDS {path} {body[:300]!r}")
    assert response["Content-Type"] == "application/json"
