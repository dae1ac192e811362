"""The discovery document (CDS Hooks 2.0 "Discovery"): two services, their prefetch templates and usage requirements."""

from __future__ import annotations

from typing import Any

from workup.rules import codes

PATIENT_VIEW = "workup-patient-view"
ORDER_SELECT = "workup-order-select"
HOOKS = {PATIENT_VIEW: "patient-view", ORDER_SELECT: "order-select"}

# Every LOINC the lab import reads (codes.LAB_CODES): the Observations the engine can use, and nothing else.
LAB_LOINCS = tuple(dict.fromkeys(row.code.code for row in codes.LAB_CODES if row.code.system == codes.LOINC))
PATIENT = "{{context.patientId}}"

# Spec "Prefetch query restrictions": an instance read, and type searches on a reference, token equality and _sort.
PREFETCH: dict[str, str] = {
    "patient": f"Patient/{PATIENT}",
    "observations": (
        f"Observation?patient={PATIENT}&code=" + ",".join(f"{codes.LOINC}|{c}" for c in LAB_LOINCS) + "&_sort=-date"
    ),
    "conditions": f"Condition?patient={PATIENT}&clinical-status=active",
    "medicationStatements": f"MedicationStatement?patient={PATIENT}&status=active",
    "medicationRequests": f"MedicationRequest?patient={PATIENT}&status=active",
}

USAGE = (
    "Needs every prefetch key (a null value is fine when the EHR holds no such data), or fhirServer with "
    "fhirAuthorization granting read access to Patient, Observation, Condition, MedicationStatement and "
    "MedicationRequest. Every call carries a JWT signed by an issuer that the clinic's administrator has registered "
    "in Workup; patient data is used only for that clinic. Without a presentation and examination recorded in Workup "
    "for the patient, the service says what to record rather than guessing."
)

SERVICES: tuple[dict[str, Any], ...] = (
    {
        "hook": "patient-view",
        "title": "Workup: foot numbness",
        "description": (
            "When a chart is opened for a patient with foot numbness (a workup in Workup, or a neuropathy or numbness "
            "on the problem list): red flags first, then the next step of the referral workup (examination, bloods, "
            "referral), with the orders the engine recommends as suggestions."
        ),
        "id": PATIENT_VIEW,
        "prefetch": PREFETCH,
        "usageRequirements": USAGE,
    },
    {
        "hook": "order-select",
        "title": "Workup: before a neuropathy test or referral",
        "description": (
            "When a nerve conduction study, EMG, vitamin B12 or glucose test, or a neurology referral is selected: "
            "whether the workup calls for it now, what should come first, and what else to order with it."
        ),
        "id": ORDER_SELECT,
        "prefetch": PREFETCH,
        "usageRequirements": USAGE,
    },
)
SERVICE_IDS = frozenset(HOOKS)


def discovery() -> dict[str, Any]:
    """The body of GET /cds-services."""
    return {"services": [dict(s) for s in SERVICES]}
