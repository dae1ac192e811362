"""The clinic's records: who works there, its patients, their workups, lab results, letters and the audit trail."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from workup.rules import vocab


def _choices(c: vocab.Choices) -> list[tuple[str, str]]:
    return list(c)


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name


class ReceivingService(models.Model):
    """A service the clinic refers to: the letter's addressee, from the clinic's own directory."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="receiving_services")
    service = models.CharField(max_length=30, choices=_choices(vocab.SERVICES))
    organisation = models.CharField(max_length=200, help_text="e.g. Leeds Teaching Hospitals NHS Trust")
    department = models.CharField(max_length=200, blank=True, help_text="e.g. Department of Neurology")
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    ers_service_name = models.CharField(
        "e-RS service name", max_length=200, blank=True, help_text="As listed in the NHS e-Referral Service"
    )
    is_default = models.BooleanField(
        "default for this service", default=False, help_text="Chosen first when a letter to this service is prepared"
    )

    class Meta:
        ordering = ["service", "-is_default", "organisation", "department"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.department, self.organisation) if p)


class Role(models.TextChoices):
    INTAKE = "intake", "Intake staff"
    CLINICIAN = "clinician", "Clinician"
    CLINIC_ADMIN = "clinic_admin", "Clinic administrator"


class User(AbstractUser):
    """A member of staff: belongs to one clinic and has one role there."""

    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INTAKE)
    # A clinic administrator who is also a clinician may sign letters.
    is_clinician = models.BooleanField(default=False, help_text="Also a clinician (may sign letters).")
    job_title = models.CharField(max_length=100, blank=True, help_text="e.g. General practitioner")
    registration_number = models.CharField(max_length=40, blank=True, help_text="GMC / NMC / HCPC number")
    phone = models.CharField(max_length=40, blank=True)

    @property
    def can_sign(self) -> bool:
        return self.role == Role.CLINICIAN or (self.role == Role.CLINIC_ADMIN and self.is_clinician)

    @property
    def can_record(self) -> bool:
        """Intake staff and clinicians record patients, workups and results."""
        return self.role in (Role.INTAKE, Role.CLINICIAN) or self.can_sign

    def display_name(self) -> str:
        return self.get_full_name() or self.username


class RecordStatus(models.TextChoices):
    """Whether a list on the patient's record was asked about: "not recorded" is not "none"."""

    NOT_RECORDED = "not_recorded", "Not recorded"
    NONE = "none", "None"
    RECORDED = "recorded", "Recorded"


class AllergyStatus(models.TextChoices):
    NOT_RECORDED = "not_recorded", "Not recorded"
    NONE_KNOWN = "none_known", "No known allergies"
    RECORDED = "recorded", "Recorded"


class Smoking(models.TextChoices):
    NEVER = "never", "Never smoked"
    FORMER = "former", "Ex-smoker"
    CURRENT = "current", "Current smoker"


class Patient(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=_choices(vocab.SEX))
    identifier = models.CharField(max_length=40, help_text="MRN or NHS number, unique within the clinic")
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    gp_practice = models.CharField("registered GP practice", max_length=200, blank=True)
    # The patient's record beside the demographics, read by every workup of theirs (workup/services/record.py).
    medications_status = models.CharField(
        max_length=20, choices=RecordStatus.choices, default=RecordStatus.NOT_RECORDED
    )
    allergies_status = models.CharField(
        max_length=20, choices=AllergyStatus.choices, default=AllergyStatus.NOT_RECORDED
    )
    problems_status = models.CharField(max_length=20, choices=RecordStatus.choices, default=RecordStatus.NOT_RECORDED)
    # None: not recorded. A workup's own answer, when it has one, wins: it is the episode's.
    family_history_neuropathy = models.BooleanField(null=True, blank=True)
    smoking_status = models.CharField(max_length=10, choices=Smoking.choices, blank=True)
    occupation = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "identifier"], name="patient_identifier_unique_in_clinic")
        ]
        indexes = [
            models.Index(fields=["clinic", "family_name", "given_name"]),
            models.Index(fields=["clinic", "date_of_birth"]),
        ]
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    def age_on(self, day: date) -> int:
        """Return the patient's age in whole years on ``day``."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class MedicineTerm(models.Model):
    """One entry of the medicines vocabulary (fixtures/medicines.json): a dm+d-style name and its engine code."""

    class Kind(models.TextChoices):
        MEDICATION = "medication", "Medicine the engine reads"
        CHEMOTHERAPY = "chemotherapy", "Chemotherapy agent"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A vocab.MEDICATIONS code for a medication, a vocab.CHEMOTHERAPY code for a chemotherapy agent.
    engine_code = models.CharField(max_length=40)
    # Filled only where verified against a terminology source; empty rather than guessed.
    snomed_ct = models.CharField("SNOMED CT concept id", max_length=20, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Medication(models.Model):
    """A medicine the patient takes (or took): the name as prescribed, and the engine's code when it has one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medications")
    term = models.ForeignKey(MedicineTerm, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=100, blank=True)
    frequency = models.CharField(max_length=100, blank=True)
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "created_at"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.name, self.dose, self.frequency) if p)

    @property
    def is_current(self) -> bool:
        return self.stopped_on is None


class Allergy(models.Model):
    """An allergy or adverse reaction: the substance, what happened and how bad it was."""

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    class Kind(models.TextChoices):
        ALLERGY = "allergy", "Allergy"
        ADVERSE_REACTION = "adverse_reaction", "Adverse reaction"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="allergies")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ALLERGY)
    substance = models.CharField(max_length=200)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["substance", "created_at"]
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance


class Problem(models.Model):
    """A past or current problem (diagnosis) on the patient's record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="problems")
    description = models.CharField(max_length=200)
    since_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resolved", "description", "created_at"]

    def __str__(self) -> str:
        return self.description


def _side(field: type[models.Field], **kw: Any) -> tuple[models.Field, models.Field]:
    return field(null=True, blank=True, **kw), field(null=True, blank=True, **kw)


URGENCY_RANK = {"emergency": 0, "urgent": 1, "routine": 2, "": 3}
# Input limits of the workup-case/1 contract (case.schema.json): presentation.notes, chemotherapy_ended_months_ago.
NOTES_MAX = 2000
CHEMOTHERAPY_MONTHS_MAX = 600


class Workup(models.Model):
    """One episode of foot numbness being worked up: every field of the workup-case/1 contract."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="workups")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    # Presentation and red flags. List fields hold None when never recorded, [] when asked and none.
    onset = models.CharField(max_length=10, choices=_choices(vocab.ONSET), blank=True)
    duration_weeks = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5200)]
    )
    course = models.CharField(max_length=10, choices=_choices(vocab.COURSE), blank=True)
    sides = models.CharField(max_length=10, choices=_choices(vocab.SIDES), blank=True)
    areas = models.JSONField(null=True, blank=True)
    symptoms = models.JSONField(null=True, blank=True)
    red_flags = models.JSONField(null=True, blank=True)
    # Free text read only for red-flag words (clinical-rules.md Q2); checked is cleared whenever the text changes.
    notes = models.TextField(blank=True, validators=[MaxLengthValidator(NOTES_MAX)])
    notes_checked = models.BooleanField(default=False)
    # Emergency handover: when it started, and observations if taken (not part of the engine's case).
    symptom_onset_at = models.DateTimeField("onset (date and time)", null=True, blank=True)
    observations_at = models.DateTimeField("observations taken at", null=True, blank=True)
    pulse_bpm = models.PositiveSmallIntegerField(
        "pulse (beats/min)", null=True, blank=True, validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    systolic_bp = models.PositiveSmallIntegerField(
        "systolic blood pressure (mmHg)",
        null=True,
        blank=True,
        validators=[MinValueValidator(40), MaxValueValidator(300)],
    )
    diastolic_bp = models.PositiveSmallIntegerField(
        "diastolic blood pressure (mmHg)",
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(200)],
    )
    temperature_c = models.DecimalField(
        "temperature (°C)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(25), MaxValueValidator(45)],
    )
    oxygen_saturation = models.PositiveSmallIntegerField(
        "oxygen saturation (%)", null=True, blank=True, validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    respiratory_rate = models.PositiveSmallIntegerField(
        "respiratory rate (breaths/min)",
        null=True,
        blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(70)],
    )
    capillary_glucose = models.DecimalField(
        "capillary glucose (mmol/L)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(60)],
    )

    # History. Booleans hold None when not recorded; the pregnancy answer belongs to this episode, not the patient.
    pregnant = models.BooleanField(null=True, blank=True)
    diabetes = models.CharField(max_length=10, choices=_choices(vocab.DIABETES), blank=True)
    alcohol_units_per_week = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(500)]
    )
    chemotherapy = models.JSONField(null=True, blank=True)
    b12_risks = models.JSONField(null=True, blank=True)
    cns_history = models.JSONField(null=True, blank=True)
    spine_history = models.JSONField(null=True, blank=True)
    medications = models.JSONField(null=True, blank=True)
    family_history_neuropathy = models.BooleanField(null=True, blank=True)
    foot_history = models.JSONField(null=True, blank=True)
    chemotherapy_ended_months_ago = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(CHEMOTHERAPY_MONTHS_MAX)]
    )

    # Examination, left and right.
    ankle_reflex_left, ankle_reflex_right = _side(models.PositiveSmallIntegerField, validators=[MaxValueValidator(4)])
    knee_reflex_left, knee_reflex_right = _side(models.PositiveSmallIntegerField, validators=[MaxValueValidator(4)])
    plantar_response_left = models.CharField(max_length=10, choices=_choices(vocab.PLANTAR), blank=True)
    plantar_response_right = models.CharField(max_length=10, choices=_choices(vocab.PLANTAR), blank=True)
    monofilament_tested_left, monofilament_tested_right = _side(
        models.PositiveSmallIntegerField, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    monofilament_felt_left, monofilament_felt_right = _side(
        models.PositiveSmallIntegerField, validators=[MaxValueValidator(10)]
    )
    vibration_left = models.CharField(max_length=10, choices=_choices(vocab.GRADED_SENSE), blank=True)
    vibration_right = models.CharField(max_length=10, choices=_choices(vocab.GRADED_SENSE), blank=True)
    pinprick_left = models.CharField(max_length=10, choices=_choices(vocab.GRADED_SENSE), blank=True)
    pinprick_right = models.CharField(max_length=10, choices=_choices(vocab.GRADED_SENSE), blank=True)
    proprioception_left = models.CharField(max_length=10, choices=_choices(vocab.PROPRIOCEPTION), blank=True)
    proprioception_right = models.CharField(max_length=10, choices=_choices(vocab.PROPRIOCEPTION), blank=True)
    power_ankle_dorsiflexion_left, power_ankle_dorsiflexion_right = _side(
        models.PositiveSmallIntegerField, validators=[MaxValueValidator(5)]
    )
    power_ankle_plantarflexion_left, power_ankle_plantarflexion_right = _side(
        models.PositiveSmallIntegerField, validators=[MaxValueValidator(5)]
    )
    romberg = models.CharField(max_length=10, choices=_choices(vocab.ROMBERG), blank=True)
    pedal_pulses_left = models.CharField(max_length=10, choices=_choices(vocab.PULSES), blank=True)
    pedal_pulses_right = models.CharField(max_length=10, choices=_choices(vocab.PULSES), blank=True)
    abi_left = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    abi_right = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    tinel_tarsal_tunnel_left = models.CharField(max_length=10, choices=_choices(vocab.SIGN), blank=True)
    tinel_tarsal_tunnel_right = models.CharField(max_length=10, choices=_choices(vocab.SIGN), blank=True)
    straight_leg_raise_left = models.CharField(max_length=10, choices=_choices(vocab.SIGN), blank=True)
    straight_leg_raise_right = models.CharField(max_length=10, choices=_choices(vocab.SIGN), blank=True)
    foot_posture_left = models.CharField(max_length=12, choices=_choices(vocab.FOOT_POSTURE), blank=True)
    foot_posture_right = models.CharField(max_length=12, choices=_choices(vocab.FOOT_POSTURE), blank=True)
    # A list of vocab.FOOT_INSPECTION findings: None = not inspected, [] = inspected, nothing found.
    foot_inspection = models.JSONField(null=True, blank=True)

    # Optimistic locking, one counter per section: a stale save of a section is refused, not applied.
    presentation_version = models.PositiveIntegerField(default=0)
    history_version = models.PositiveIntegerField(default=0)
    exam_version = models.PositiveIntegerField(default=0)
    labs_version = models.PositiveIntegerField(default=0)

    # Closing: a closed workup leaves the active worklist and is read-only (services/workups.close_workup).
    closed_as = models.CharField(
        max_length=20,
        blank=True,
        choices=(("completed", "Completed"), ("entered_in_error", "Entered in error")),
    )
    closed_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The engine's last answer, kept so the worklist can sort and filter without re-evaluating every row.
    urgency = models.CharField(max_length=10, choices=_choices(vocab.URGENCY), blank=True)
    urgency_rank = models.PositiveSmallIntegerField(default=3)
    stage = models.CharField(max_length=10, choices=_choices(vocab.STAGE), blank=True)
    pattern = models.CharField(max_length=20, choices=_choices(vocab.PATTERN), blank=True)
    ruleset = models.CharField(max_length=20, blank=True)
    evaluation_errors = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["urgency_rank", "-updated_at"])]
        ordering = ["urgency_rank", "-updated_at"]

    def __str__(self) -> str:
        return f"Workup for {self.patient} ({self.created_at:%Y-%m-%d})" if self.created_at else "Workup"

    @property
    def is_closed(self) -> bool:
        return bool(self.closed_as)


class LabResult(models.Model):
    """One blood result as the lab reported it: value (possibly censored), unit, date and the lab's range."""

    COMPARATORS = (("", "="), ("<", "<"), (">", ">"))

    workup = models.ForeignKey(Workup, on_delete=models.CASCADE, related_name="labs")
    position = models.PositiveSmallIntegerField(default=0)
    test = models.CharField(max_length=20, choices=_choices(vocab.LAB_TESTS))
    comparator = models.CharField(max_length=1, choices=COMPARATORS, blank=True)
    value = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    text_value = models.CharField(max_length=20, choices=_choices(vocab.SPEP_VALUES), blank=True, help_text="SPEP only")
    unit = models.CharField(max_length=20, blank=True)
    collected_on = models.DateField(null=True, blank=True)
    reference_low = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    reference_high = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    loinc = models.CharField("LOINC", max_length=20, blank=True)
    # Electrophoresis detail a haematologist triages on (SPEP rows only); the engine reads only text_value.
    paraprotein_type = models.CharField(max_length=40, blank=True, help_text="e.g. IgG kappa")
    paraprotein_g_l = models.DecimalField(
        "paraprotein (g/L)", max_digits=5, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    immunofixation = models.CharField(max_length=200, blank=True, help_text="e.g. IgG kappa band confirmed")
    kappa_flc_mg_l = models.DecimalField(
        "free kappa light chains (mg/L)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    lambda_flc_mg_l = models.DecimalField(
        "free lambda light chains (mg/L)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.test} {self.display_value()} {self.unit}".strip()

    def display_value(self) -> str:
        if self.test == "spep":
            return self.text_value
        return f"{self.comparator}{_plain(self.value)}" if self.value is not None else ""


def _plain(d: object) -> str:
    """Decimal without trailing zeros or exponent: 7.000000 -> 7, 0.400000 -> 0.4."""
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Letter(models.Model):
    """A referral letter (or emergency handover). Issued letters are immutable; corrections are addenda."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Signed and issued"
        SENT = "sent", "Sent"
        BOOKED = "booked", "Acknowledged or booked"
        REPLIED = "replied", "Outcome received"
        CANCELLED = "cancelled", "Cancelled"

    class SentVia(models.TextChoices):
        ERS = "ers", "NHS e-Referral Service (UBRN)"
        EMAIL = "email", "Secure email"
        POST = "post", "Post"
        BY_HAND = "by_hand", "Handed to the patient"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workup = models.ForeignKey(Workup, on_delete=models.PROTECT, related_name="letters")
    reference = models.CharField(max_length=40, unique=True)
    version = models.PositiveSmallIntegerField(default=1)
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    kind = models.CharField(max_length=20, choices=(("referral", "Referral"), ("emergency", "Emergency handover")))
    service = models.CharField(max_length=30, choices=_choices(vocab.SERVICES))
    urgency = models.CharField(max_length=10, choices=_choices(vocab.URGENCY))
    addressee = models.ForeignKey(ReceivingService, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    question = models.TextField(blank=True)
    free_text = models.TextField(blank=True)
    addendum_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    draft_version = models.PositiveIntegerField(default=0)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    # The FHIR R4 document Bundle of the signed letter, stored with the PDF when it is signed (interop/fhir).
    fhir_document = models.BinaryField(null=True, blank=True, editable=False)
    fhir_sha256 = models.CharField("FHIR document SHA-256", max_length=64, blank=True)
    recommendation = models.JSONField(null=True, blank=True)
    case = models.JSONField(null=True, blank=True)
    ruleset = models.CharField(max_length=20, blank=True)
    # "Refer anyway": the clinician's reason for a referral the decision support did not suggest (or not so soon).
    discretion_reason = models.TextField(blank=True)

    # The referral's life after signing (services.referrals): sent -> acknowledged or booked -> outcome received.
    status_changed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_via = models.CharField(max_length=10, choices=SentVia.choices, blank=True)
    sent_reference = models.CharField("UBRN, address or note", max_length=200, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    booked_note = models.CharField(max_length=300, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply_pdf = models.BinaryField(null=True, blank=True, editable=False)
    reply_sha256 = models.CharField(max_length=64, blank=True)
    reply_filename = models.CharField(max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Signed means signed: an issued letter always has the stored bytes, their hash and its signer.
            models.CheckConstraint(
                condition=~models.Q(status__in=["issued", "sent", "booked", "replied"])
                | (
                    models.Q(pdf__isnull=False, signed_by__isnull=False, signed_at__isnull=False)
                    & ~models.Q(pdf_sha256="")
                ),
                name="letter_issued_has_pdf",
            ),
            # Ten "prepare" clicks at once still make one draft: the database, not the view, is the last word.
            models.UniqueConstraint(
                fields=["workup", "service"],
                condition=models.Q(status="draft"),
                name="letter_one_open_draft_per_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} v{self.version}"

    @property
    def is_issued(self) -> bool:
        """Signed: its PDF is stored for good, whatever happened to the referral afterwards."""
        return self.status != self.Status.DRAFT and self.signed_at is not None

    @property
    def is_open(self) -> bool:
        """Still waiting on someone: a draft, or a referral not yet answered or cancelled."""
        return self.status not in (self.Status.REPLIED, self.Status.CANCELLED)


class ReferralDecision(models.Model):
    """A clinician declined a referral the decision support suggested, and said why."""

    workup = models.ForeignKey(Workup, on_delete=models.PROTECT, related_name="referral_decisions")
    service = models.CharField(max_length=30, choices=_choices(vocab.SERVICES))
    urgency = models.CharField(max_length=10, choices=_choices(vocab.URGENCY))
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"Declined {self.service} ({self.urgency})"


class ApiToken(models.Model):
    """A per-user API token; only its SHA-256 is stored, and it carries its user's clinic and role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Append-only: the app never edits or deletes one."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        SIGN = "sign", "Signed and issued"
        AMEND = "amend", "Amended"
        EVALUATE = "evaluate", "Evaluated"
        LOGIN = "login", "Logged in"
        LOGOUT = "logout", "Logged out"
        LOGIN_FAILED = "login_failed", "Login failed"
        DELETE = "delete", "Deleted"
        CLOSE = "close", "Closed"
        INTEGRITY_FAILED = "integrity_failed", "Integrity check failed"
        CDS_FEEDBACK = "cds_feedback", "CDS card feedback"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(null=True, blank=True, help_text="{field: [before, after]} for clinical data")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["clinic", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")


class HandoutGiven(models.Model):
    """A patient's own copy (the handout) given from a workup: when, by whom, and what it covered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workup = models.ForeignKey(Workup, on_delete=models.PROTECT, related_name="handouts_given")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(auto_now_add=True)
    large_print = models.BooleanField(default=False)
    items = models.JSONField(default=list, help_text="The titles of what the handout covered, in order")
    ruleset = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"Handout for {self.workup_id} ({self.given_at:%Y-%m-%d})" if self.given_at else "Handout"


class CdsClient(models.Model):
    """An EHR allowed to call the CDS Hooks service for one clinic: its JWT issuer and the keys that sign its tokens."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="cds_clients")
    name = models.CharField(max_length=100, blank=True)
    issuer = models.CharField(max_length=300, unique=True, help_text="The JWT 'iss' the EHR sends")
    jwks = models.JSONField(null=True, blank=True, help_text="The EHR's public JWK Set, when configured here")
    jku = models.URLField(max_length=300, blank=True, help_text="The one JWK Set URL its tokens may name")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issuer"]

    def __str__(self) -> str:
        return self.name or self.issuer


class CdsTokenUse(models.Model):
    """A JWT id seen from an issuer, kept until the token expires, so a replayed token is refused."""

    issuer = models.CharField(max_length=300)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "jti"], name="cds_token_used_once")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.jti}"


class CdsCard(models.Model):
    """A card the service answered with: what feedback refers to. Kept in the clinic of the client that asked."""

    uuid = models.UUIDField(primary_key=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(CdsClient, on_delete=models.PROTECT, related_name="cards")
    service = models.CharField(max_length=40)
    hook_instance = models.CharField(max_length=100)
    indicator = models.CharField(max_length=10)
    summary = models.CharField(max_length=140)
    suggestions = models.JSONField(default=list, help_text="the uuids of the card's suggestions")
    workup = models.ForeignKey(Workup, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.summary}"


class CdsFeedback(models.Model):
    """What the clinician did with a card: accepted suggestions, or overridden (with the reason when given)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        OVERRIDDEN = "overridden", "Overridden"

    card = models.ForeignKey(CdsCard, on_delete=models.PROTECT, related_name="feedback")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    accepted_suggestions = models.JSONField(default=list)
    override_reason = models.JSONField(null=True, blank=True, help_text="the Coding the clinician chose")
    user_comment = models.TextField(blank=True)
    outcome_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.card_id} {self.outcome}"
