"""Write fixtures/demo.json: two clinics, their staff, and demo patients whose workups reach every stage and pattern.

Run `DEBUG=1 .venv/bin/python manage.py make_demo_fixture` after changing the demo cases; the fixture is the source
that `make run` loads (idempotently: fixed primary keys, so loading twice creates nothing twice).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand

from workup import rules
from workup.cases import case_to_fields
from workup.models import URGENCY_RANK

AS_OF = date(2026, 11, 21)
STAMP = "2026-11-20T09:00:00Z"
DEMO_PASSWORD = "workup-demo-2026"  # noqa: S105 - published demo credentials (README)
NS = uuid.UUID("6f1c2a52-0d7e-4c55-9a57-3b0f1e2d4c10")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


CLINICS = [
    {
        "pk": 1,
        "name": "Riverside Surgery",
        "address": "1 River Road\nLeeds LS1 4AP",
        "phone": "0113 496 0000",
        "email": "reception@riverside.example",
    },
    {
        "pk": 2,
        "name": "Hilltop Practice",
        "address": "9 Hill Street\nYork YO1 7HX",
        "phone": "01904 496 000",
        "email": "office@hilltop.example",
    },
]
USERS = [
    (1, "intake", "Ina", "Patel", 1, "intake", "Receptionist", ""),
    (2, "clinician", "Clare", "Morgan", 1, "clinician", "General practitioner", "GMC 7012345"),
    (3, "admin", "Adam", "Reid", 1, "clinic_admin", "Practice manager", ""),
    (4, "hilltop-intake", "Harry", "Stone", 2, "intake", "Receptionist", ""),
    (5, "hilltop-clinician", "Hana", "Kowalski", 2, "clinician", "General practitioner", "GMC 7098765"),
    (6, "hilltop-admin", "Hugo", "Banks", 2, "clinic_admin", "Practice manager", ""),
]

BOTH_FEET = {
    "onset": "gradual",
    "course": "stable",
    "sides": "both",
    "areas": ["toes", "sole"],
    "symptoms": ["numbness", "tingling"],
    "red_flags": [],
}
NORMAL_CORE_EXAM: dict[str, Any] = {
    "ankle_reflex": {"left": 1, "right": 1},
    "knee_reflex": {"left": 2, "right": 2},
    "plantar_response": {"left": "flexor", "right": "flexor"},
    "monofilament": {"left": {"sites_tested": 4, "sites_felt": 3}, "right": {"sites_tested": 4, "sites_felt": 3}},
    "vibration": {"left": "reduced", "right": "reduced"},
    "pinprick": {"left": "reduced", "right": "reduced"},
    "power_ankle_dorsiflexion": {"left": 5, "right": 5},
    "power_ankle_plantarflexion": {"left": 5, "right": 5},
    "romberg": "negative",
    "pedal_pulses": {"left": "present", "right": "present"},
    "foot_inspection": [],
}


def lab(test: str, value: Any, unit: str | None, on: str, **rr: float) -> dict[str, Any]:
    row: dict[str, Any] = {"test": test, "value": value, "collected_on": on}
    if unit:
        row["unit"] = unit
    if rr:
        row["reference_range"] = rr
    return row


# (clinic, given, family, dob, sex, identifier, phone, presentation, history, exam, labs)
PATIENTS: list[tuple[Any, ...]] = [
    (
        1,
        "Margaret",
        "Okafor",
        "1961-03-14",
        "female",
        "943 476 5919",
        "07700 900123",
        {**BOTH_FEET, "duration_weeks": 30, "symptoms": ["numbness", "tingling", "burning"]},
        {"diabetes": "known", "alcohol_units_per_week": 2, "b12_risks": ["metformin"]},
        {
            **NORMAL_CORE_EXAM,
            "ankle_reflex": {"left": 0, "right": 0},
            "monofilament": {
                "left": {"sites_tested": 4, "sites_felt": 2},
                "right": {"sites_tested": 4, "sites_felt": 1},
            },
        },
        [
            lab("hba1c", 64, "mmol/mol", "2026-11-02", low=20, high=41),
            lab("b12", 410, "ng/L", "2026-11-02", low=180, high=900),
        ],
    ),
    (
        1,
        "Derek",
        "Holloway",
        "1952-07-02",
        "male",
        "485 777 3456",
        "07700 900456",
        {
            "onset": "sudden",
            "duration_weeks": 0.3,
            "course": "worsening",
            "sides": "both",
            "areas": ["toes", "sole", "above_ankle"],
            "symptoms": ["numbness", "weakness"],
            "red_flags": ["bladder_or_bowel_dysfunction", "saddle_numbness"],
        },
        {"spine_history": ["disc_herniation"]},
        {},
        [],
    ),
    (
        1,
        "Aisha",
        "Rahman",
        "1979-11-23",
        "female",
        "401 023 2137",
        "07700 900789",
        {**BOTH_FEET, "duration_weeks": 12},
        {"diabetes": "not_known", "alcohol_units_per_week": 0},
        {"ankle_reflex": {"left": 1, "right": 1}, "vibration": {"left": "reduced", "right": "reduced"}},
        [],
    ),
    (
        1,
        "Tomasz",
        "Nowak",
        "1968-05-09",
        "male",
        "450 557 7104",
        "07700 900321",
        {**BOTH_FEET, "duration_weeks": 20},
        {"diabetes": "not_known", "alcohol_units_per_week": 6},
        NORMAL_CORE_EXAM,
        [lab("hba1c", 38, "mmol/mol", "2026-11-10", low=20, high=41)],
    ),
    (
        1,
        "Eleanor",
        "Whitfield",
        "1958-01-30",
        "female",
        "464 253 0813",
        "07700 900654",
        {**BOTH_FEET, "duration_weeks": 40, "course": "worsening"},
        {"diabetes": "not_known", "alcohol_units_per_week": 4},
        NORMAL_CORE_EXAM,
        [
            lab("fasting_glucose", 5.1, "mmol/L", "2026-10-28", low=3.5, high=5.5),
            lab("hba1c", 36, "mmol/mol", "2026-10-28", low=20, high=41),
            lab("b12", 520, "ng/L", "2026-10-28", low=180, high=900),
        ],
    ),
    (
        1,
        "Joseph",
        "Adeyemi",
        "1955-09-17",
        "male",
        "489 120 4471",
        "07700 900987",
        {**BOTH_FEET, "duration_weeks": 26, "symptoms": ["numbness", "tingling", "imbalance"]},
        {"diabetes": "known", "b12_risks": ["metformin", "proton_pump_inhibitor"], "alcohol_units_per_week": 0},
        {**NORMAL_CORE_EXAM, "proprioception": {"left": "impaired", "right": "impaired"}, "romberg": "positive"},
        [
            lab("b12", 132, "ng/L", "2026-11-12", low=180, high=900),
            lab("hba1c", 52, "mmol/mol", "2026-11-12", low=20, high=41),
        ],
    ),
    (
        1,
        "Priya",
        "Shah",
        "1984-04-05",
        "female",
        "426 880 1359",
        "07700 900111",
        {
            "onset": "gradual",
            "duration_weeks": 10,
            "course": "stable",
            "sides": "left",
            "areas": ["sole", "toes"],
            "symptoms": ["numbness", "burning"],
            "red_flags": [],
        },
        {"diabetes": "not_known"},
        {
            **NORMAL_CORE_EXAM,
            "ankle_reflex": {"left": 2, "right": 2},
            "monofilament": {
                "left": {"sites_tested": 4, "sites_felt": 4},
                "right": {"sites_tested": 4, "sites_felt": 4},
            },
            "vibration": {"left": "normal", "right": "normal"},
            "pinprick": {"left": "reduced", "right": "normal"},
            "tinel_tarsal_tunnel": {"left": "positive", "right": "negative"},
            "foot_posture": {"left": "overpronated", "right": "neutral"},
        },
        [],
    ),
    (
        1,
        "Gareth",
        "Evans",
        "1971-12-12",
        "male",
        "434 665 0097",
        "07700 900222",
        {
            "onset": "gradual",
            "duration_weeks": 6,
            "course": "stable",
            "sides": "right",
            "areas": ["back_of_leg", "outer_foot", "sole"],
            "symptoms": ["numbness", "back_pain", "radiating_leg_pain"],
            "red_flags": [],
        },
        {"spine_history": ["disc_herniation"]},
        {
            **NORMAL_CORE_EXAM,
            "ankle_reflex": {"left": 2, "right": 1},
            "monofilament": {
                "left": {"sites_tested": 4, "sites_felt": 4},
                "right": {"sites_tested": 4, "sites_felt": 4},
            },
            "vibration": {"left": "normal", "right": "normal"},
            "straight_leg_raise": {"left": "negative", "right": "positive"},
        },
        [],
    ),
    (
        1,
        "Sandra",
        "Lindqvist",
        "1966-08-21",
        "female",
        "472 309 8815",
        "07700 900333",
        {**BOTH_FEET, "duration_weeks": 16, "symptoms": ["numbness", "tingling", "imbalance"]},
        {"cns_history": ["multiple_sclerosis"], "diabetes": "not_known"},
        {
            **NORMAL_CORE_EXAM,
            "ankle_reflex": {"left": 3, "right": 3},
            "knee_reflex": {"left": 3, "right": 4},
            "plantar_response": {"left": "extensor", "right": "flexor"},
        },
        [lab("hba1c", 37, "mmol/mol", "2026-11-05"), lab("b12", 300, "pmol/L", "2026-11-05")],
    ),
    (
        1,
        "Bernard",
        "Clarke",
        "1949-02-27",
        "male",
        "418 203 6627",
        "07700 900444",
        {
            "onset": "gradual",
            "duration_weeks": 52,
            "course": "stable",
            "sides": "both",
            "areas": ["above_ankle", "hands"],
            "symptoms": ["numbness", "tingling"],
            "red_flags": [],
        },
        {"diabetes": "not_known", "alcohol_units_per_week": 20},
        NORMAL_CORE_EXAM,
        [],
    ),
    (
        2,
        "Fiona",
        "MacLeod",
        "1963-06-19",
        "female",
        "499 204 1186",
        "07700 900555",
        {**BOTH_FEET, "duration_weeks": 60},
        {"diabetes": "known", "alcohol_units_per_week": 10},
        NORMAL_CORE_EXAM,
        [lab("hba1c", 7.4, "%", "2026-11-01"), lab("b12", 600, "pg/mL", "2026-11-01")],
    ),
    (
        2,
        "Kwame",
        "Mensah",
        "1975-10-03",
        "male",
        "467 118 2290",
        "07700 900666",
        {**BOTH_FEET, "duration_weeks": 8, "symptoms": ["numbness", "burning"]},
        {"chemotherapy": ["platinum"], "chemotherapy_ended_months_ago": 2, "alcohol_units_per_week": 40},
        {},
        [],
    ),
    # Appended, not inserted: the demo's primary keys follow the order, and loading stays idempotent.
    (
        1,
        "Lucy",
        "Brennan",
        "1990-02-11",
        "female",
        "457 301 6628",
        "07700 900777",
        {
            # Red flags never asked: the workup goes no further than asking them (rule Q1).
            "onset": "gradual",
            "duration_weeks": 5,
            "course": "stable",
            "sides": "both",
            "areas": ["toes", "sole"],
            "symptoms": ["numbness", "shooting_pain"],
            "notes": "Started isoniazid for latent TB two months ago. Mother had 'weak ankles' from her forties.",
        },
        {"diabetes": "not_known", "medications": ["isoniazid"], "family_history_neuropathy": True},
        {},
        [],
    ),
]


def patient_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    lab_pk = 1
    for n, (clinic, given, family, dob, sex, ident, phone, pres, hist, exam, labs) in enumerate(PATIENTS, start=1):
        pid, wid = uid(f"patient-{n}"), uid(f"workup-{n}")
        author = 2 if clinic == 1 else 5
        rows.append(
            {
                "model": "workup.patient",
                "pk": pid,
                "fields": {
                    "clinic": clinic,
                    "given_name": given,
                    "family_name": family,
                    "date_of_birth": dob,
                    "sex": sex,
                    "identifier": ident,
                    "address": f"{10 + n} Demo Street\n{'Leeds LS6' if clinic == 1 else 'York YO3'} {n}AB",
                    "phone": phone,
                    "gp_practice": CLINICS[clinic - 1]["name"],
                    "created_at": STAMP,
                    "updated_at": STAMP,
                },
            }
        )
        case = {
            "patient": {"age_years": 60, "sex": sex},
            "presentation": pres,
            "history": hist,
            "exam": exam,
            "labs": labs,
        }
        fields, lab_fields = case_to_fields(case)
        summary = _summary(case, dob)
        rows.append(
            {
                "model": "workup.workup",
                "pk": wid,
                "fields": {
                    "patient": pid,
                    "created_by": author,
                    "updated_by": author,
                    "created_at": STAMP,
                    "updated_at": f"2026-11-{min(20, 8 + n):02d}T{8 + n % 9:02d}:30:00Z",
                    **_json(fields),
                    **summary,
                },
            }
        )
        for row in lab_fields:
            rows.append(
                {
                    "model": "workup.labresult",
                    "pk": lab_pk,
                    "fields": {
                        "workup": wid,
                        "created_at": STAMP,
                        "loinc": rules.loinc_for(row["test"], row["unit"]),
                        **_json(row),
                    },
                }
            )
            lab_pk += 1
    return rows


def _summary(case: dict[str, Any], dob: str) -> dict[str, Any]:
    born = date.fromisoformat(dob)
    case = {**case, "patient": {**case["patient"], "age_years": AS_OF.year - born.year}, "as_of": AS_OF.isoformat()}
    rec = rules.evaluate(case, today=AS_OF)
    return {
        "urgency": rec["urgency"],
        "urgency_rank": URGENCY_RANK[rec["urgency"]],
        "stage": rec["stage"],
        "pattern": rec["pattern"],
        "ruleset": rec["ruleset"],
        "evaluation_errors": 0,
    }


def _json(fields: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in fields.items():
        if isinstance(v, Decimal):
            v = str(v)
        elif isinstance(v, date):
            v = v.isoformat()
        out[k] = v
    return out


# Each clinic's directory of receiving services: where its letters are addressed (issue 12). Fictional addresses.
RECEIVING_SERVICES = [
    (clinic, service, organisation, department, address, ers)
    for clinic, organisation, address in (
        (1, "Leeds Teaching Hospitals NHS Trust", "Leeds General Infirmary\nGreat George Street\nLeeds LS1 3EX"),
        (
            2,
            "York and Scarborough Teaching Hospitals NHS Foundation Trust",
            "York Hospital\nWigginton Road\nYork YO31 8HE",
        ),
    )
    for service, department, ers in (
        ("emergency_department", "Emergency Department", ""),
        ("neurology", "Department of Neurology", "Neurology - General - Peripheral nerve"),
        ("spinal", "Spinal Surgery", "Spinal Surgery - Urgent"),
        ("vascular", "Vascular Surgery", "Vascular Surgery - PAD clinic"),
        ("diabetic_foot_service", "Multidisciplinary Diabetic Foot Clinic", "Diabetic Foot - Urgent - MDT"),
        ("haematology", "Haematology", "Haematology - Paraprotein clinic"),
        ("stroke_service", "TIA Clinic", "Stroke - TIA clinic"),
        ("ms_team", "Multiple Sclerosis Service", ""),
        ("paediatrics", "Children's Outpatients", "Paediatrics - General"),
        ("antenatal_diabetes_team", "Antenatal Diabetes Clinic", ""),
        ("podiatry", "Community Podiatry", "Podiatry - MSK and biomechanics"),
        ("physiotherapy", "Community Physiotherapy", "Physiotherapy - Spinal MSK"),
        ("foot_protection_service", "Foot Protection Service", "Podiatry - Foot protection"),
    )
]


def receiving_service_rows() -> list[dict[str, Any]]:
    """The directory entries, one default per service in each clinic."""
    return [
        {
            "model": "workup.receivingservice",
            "pk": pk,
            "fields": {
                "clinic": clinic,
                "service": service,
                "organisation": organisation,
                "department": department,
                "address": address,
                "phone": "",
                "ers_service_name": ers,
                "is_default": True,
            },
        }
        for pk, (clinic, service, organisation, department, address, ers) in enumerate(RECEIVING_SERVICES, start=1)
    ]


FIXTURE = settings.BASE_DIR / "fixtures" / "demo.json"


def write_fixture() -> str:
    """Write fixtures/demo.json and say what was written."""
    rows = fixture_rows()
    FIXTURE.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    return f"wrote {FIXTURE} ({len(rows)} objects)"


def fixture_rows() -> list[dict[str, Any]]:
    """Every object of the demo fixture, in loading order."""
    rows: list[dict[str, Any]] = [
        {"model": "workup.clinic", "pk": c["pk"], "fields": {k: v for k, v in c.items() if k != "pk"}} for c in CLINICS
    ]
    password = make_password(DEMO_PASSWORD, salt="workupdemosalt01", hasher="pbkdf2_sha256")
    for pk, username, first, last, clinic, role, title, reg in USERS:
        rows.append(
            {
                "model": "workup.user",
                "pk": pk,
                "fields": {
                    "username": username,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.example",
                    "password": password,
                    "clinic": clinic,
                    "role": role,
                    "job_title": title,
                    "registration_number": reg,
                    "phone": CLINICS[clinic - 1]["phone"],
                    "is_active": True,
                    "is_staff": False,
                    "is_superuser": False,
                    "is_clinician": False,
                    "date_joined": STAMP,
                },
            }
        )
    rows += receiving_service_rows()
    rows += patient_rows()
    return rows


class Command(BaseCommand):
    help = "Regenerate fixtures/demo.json from the demo cases above (then `make run` loads it)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(write_fixture())
