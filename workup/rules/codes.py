"""The reviewed codes table: every LOINC, UCUM, SNOMED CT and ICD-10-CM code the app writes or reads, with its source.

Data only (no Django): the letter, the FHIR document and the lab import all read their codes from here, so a code is
reviewed in one place. A concept without a code that a source confirms has no row: the resource then carries text
only. Never add a code here without the source that confirms it.

Sources, by the short names used in the rows:
- REF: /work/shared/clinical-reference.md section 4 (its own tag follows: V = checked in a public source, V-3p =
  several third-party mappings agree).
- UKCORE-CARE-SETTING: the UK Core ValueSet UKCore-CareSettingType 3.1.0 (https://fhir.hl7.org.uk/ValueSet/
  UKCore-CareSettingType), expansion of the SNOMED CT UK edition 2021-12-22 ('Services' simple reference set),
  read in a stored copy of that value set (yorkshire-and-humber-care-record/fhir-ig-r4,
  input/fsh/UKCore-fsh/Codes/UKCoreCareSettingType.fsh); the display is the value set's.
- DICOM-CID-10046: DICOM CID 10046 "GFR Measurement" (as FHIR ValueSet dicom-cid-10046-GFRMeasurement).
- CPG-CKD: HL7 CPG example ValueSet ckd-valueset-egfr "eGFR Lab Results".
- OHDSI: the Athena LOINC concepts listed in zietzm/phenotype_standardization omop_phenotypes/reduced_egfr.
- UCUM: The Unified Code for Units of Measure (case-sensitive codes, unitsofmeasure.org), spellings as issue 14 and
  clinical-reference.md 4.1 give them.
- FHIR-R4: the code system published with FHIR R4 (hl7.org/fhir/R4), named in the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from workup.rules.vocab import UNIT_ALIASES

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
V2_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"


@dataclass(frozen=True, slots=True)
class Code:
    """One code of one system, with the display the source gives and the source that confirms it."""

    system: str
    code: str
    display: str
    source: str

    def coding(self) -> dict[str, str]:
        """The FHIR Coding of this code."""
        return {"system": self.system, "code": self.code, "display": self.display}


@dataclass(frozen=True, slots=True)
class LabCode:
    """A LOINC code for a test in a unit; ``export`` marks the one written for (test, unit). Every row is read."""

    test: str
    unit: str
    code: Code
    export: bool = True


def _loinc(code: str, display: str, source: str) -> Code:
    return Code(LOINC, code, display, source)


_GLU_FAST_MASS = _loinc(
    "1558-6", "Fasting glucose [Mass/volume] in Serum or Plasma", "REF 4.1 V: Cleveland Clinic labs"
)
_GLU_FAST_MOL = _loinc("14771-0", "Fasting glucose [Moles/volume] in Serum or Plasma", "REF 4.1 M (unverified)")
_GLU_MASS = _loinc("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "REF 4.1 V: loinc.org LG7967-5")
_GLU_MOL = _loinc("14749-6", "Glucose [Moles/volume] in Serum or Plasma", "REF 4.1 M (unverified)")
_OGTT_MASS = _loinc("1518-0", "Glucose [Mass/volume] in Serum or Plasma --2 hours post 75 g glucose PO", "REF 4.1 V-3p")
_OGTT_MOL = _loinc(
    "14995-5", "Glucose [Moles/volume] in Serum or Plasma --2 hours post 75 g glucose PO", "REF 4.1 V-3p"
)
_HBA1C = _loinc("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "REF 4.1 V: HL7 ValueSet ExampleHbA1cTestCodes")
_HBA1C_HPLC = _loinc("17856-6", "Hemoglobin A1c/Hemoglobin.total in Blood by HPLC", "REF 4.1 V: HL7 ValueSet (same)")
_HBA1C_IFCC = _loinc(
    "59261-8", "Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol", "REF 4.1 V: HL7 ValueSet (same)"
)
_B12_MASS = _loinc("2132-9", "Cobalamin (Vitamin B12) [Mass/volume] in Serum or Plasma", "REF 4.1 V: ARUP 0070150")
_B12_MOL = _loinc("14685-2", "Cobalamin (Vitamin B12) [Moles/volume] in Serum or Plasma", "REF 4.1 M (unverified)")
# Issue 14: active B12 was exported as 14685-2 (total cobalamin). Holotranscobalamin is 72160-5: two public
# repositories agree (a lab-test table mapping "holotranscobalamin / holo TC / active vitamin B12" to it, and a
# Synthea coverage table "Holotranscobalamin (aktives B12) 72160-5").
_HOLOTC = _loinc(
    "72160-5", "Holotranscobalamin [Moles/volume] in Serum or Plasma", "issue 14; V-3p: two public lab mappings agree"
)
_MMA = _loinc("13964-2", "Methylmalonate [Moles/volume] in Serum or Plasma", "REF 4.1 V: testcatalog MMAP")
_HCY = _loinc("13965-9", "Homocysteine [Moles/volume] in Serum or Plasma", "REF 4.1 V: ARUP 0099869")
_FOLATE_MASS = _loinc("2284-8", "Folate [Mass/volume] in Serum or Plasma", "REF 4.1 V: ARUP 0070070, Mayo FOL")
_FOLATE_MOL = _loinc("14732-2", "Folate [Moles/volume] in Serum or Plasma", "REF 4.1 M (unverified)")
_TSH = _loinc("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "REF 4.1 V: UVM labs LAB129-1")
_TSH_3G = _loinc(
    "11580-8", "Thyrotropin [Units/volume] in Serum or Plasma by Detection limit <= 0.005 mIU/L", "REF 4.1 V"
)
_COPPER_MASS = _loinc("5631-7", "Copper [Mass/volume] in Serum or Plasma", "REF 4.1 V-3p (two repositories)")
_COPPER_MOL = _loinc("14665-4", "Copper [Moles/volume] in Serum or Plasma", "REF 4.1 V-3p")
_SPEP_INTERP = _loinc("49275-1", "SPEP/IFE interpretation", "REF 4.1 V: ARUP 3002568")
_EGFR_2021 = _loinc(
    "98979-8",
    "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by "
    "Creatinine-based formula (CKD-EPI 2021)",
    "REF 4.1 M; V-3p: a public ConceptMap (33914-3 -> 98979-8) and eGFR code lists agree",
)
_EGFR_OTHERS = (
    _loinc(
        "62238-1",
        "Glomerular filtration rate/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI)",
        "DICOM-CID-10046; OHDSI",
    ),
    _loinc(
        "33914-3",
        "Glomerular filtration rate/1.73 sq M.predicted by Creatinine-based formula (MDRD)",
        "DICOM-CID-10046; CPG-CKD; OHDSI",
    ),
    _loinc(
        "48642-3", "Glomerular filtration rate/1.73 sq M.predicted among non-blacks (MDRD)", "DICOM-CID-10046; OHDSI"
    ),
    _loinc("48643-1", "Glomerular filtration rate/1.73 sq M.predicted among blacks (MDRD)", "DICOM-CID-10046; OHDSI"),
    _loinc("50044-7", "Glomerular filtration rate/1.73 sq M.predicted among females (MDRD)", "DICOM-CID-10046; OHDSI"),
    _loinc("88294-4", "Glomerular filtration rate/1.73 sq M.predicted among non-blacks (CKD-EPI)", "OHDSI"),
    _loinc("88293-6", "Glomerular filtration rate/1.73 sq M.predicted among blacks (CKD-EPI)", "OHDSI"),
    _loinc("69405-9", "Glomerular filtration rate/1.73 sq M.predicted (eGFR)", "CPG-CKD"),
    _loinc("77147-7", "Glomerular filtration rate/1.73 sq M.predicted by Creatinine-based formula (MDRD)", "CPG-CKD"),
)

# Which LOINC the app writes for (test, unit), and every LOINC it reads. Vitamin B6, adjusted calcium and magnesium
# have no verified LOINC (REF 4.1): they have no row, so they export with text only and import is refused.
LAB_CODES: tuple[LabCode, ...] = (
    LabCode("fasting_glucose", "mg/dL", _GLU_FAST_MASS),
    LabCode("fasting_glucose", "mmol/L", _GLU_FAST_MOL),
    LabCode("random_glucose", "mg/dL", _GLU_MASS),
    LabCode("random_glucose", "mmol/L", _GLU_MOL),
    LabCode("ogtt_2h", "mg/dL", _OGTT_MASS),
    LabCode("ogtt_2h", "mmol/L", _OGTT_MOL),
    LabCode("hba1c", "%", _HBA1C),
    LabCode("hba1c", "%", _HBA1C_HPLC, export=False),
    LabCode("hba1c", "mmol/mol", _HBA1C_IFCC),
    LabCode("b12", "pg/mL", _B12_MASS),
    LabCode("b12", "ng/L", _B12_MASS),
    LabCode("b12", "pmol/L", _B12_MOL),
    LabCode("active_b12", "pmol/L", _HOLOTC),
    LabCode("mma", "umol/L", _MMA),
    LabCode("mma", "nmol/L", _MMA),
    LabCode("homocysteine", "umol/L", _HCY),
    LabCode("folate", "ng/mL", _FOLATE_MASS),
    LabCode("folate", "ug/L", _FOLATE_MASS),
    LabCode("folate", "nmol/L", _FOLATE_MOL),
    LabCode("tsh", "mIU/L", _TSH),
    LabCode("tsh", "uIU/mL", _TSH),
    LabCode("tsh", "mIU/L", _TSH_3G, export=False),
    LabCode("tsh", "uIU/mL", _TSH_3G, export=False),
    LabCode("egfr", "mL/min/1.73m2", _EGFR_2021),
    *(LabCode("egfr", "mL/min/1.73m2", code, export=False) for code in _EGFR_OTHERS),
    # The case records the SPEP reading (normal / paraprotein), so the interpretation code; no unit.
    LabCode("spep", "", _SPEP_INTERP),
    LabCode("copper", "ug/dL", _COPPER_MASS),
    LabCode("copper", "umol/L", _COPPER_MOL),
)

# The contract's unit -> its UCUM code (UCUM). Every contract unit of vocab.LAB_UNITS has a row (a test checks it).
UCUM_CODES: dict[str, Code] = {
    unit: Code(UCUM, code, code, "UCUM")
    for unit, code in (
        ("mmol/L", "mmol/L"),
        ("mg/dL", "mg/dL"),
        ("%", "%"),
        ("mmol/mol", "mmol/mol"),
        ("pg/mL", "pg/mL"),
        ("ng/L", "ng/L"),
        ("pmol/L", "pmol/L"),
        ("umol/L", "umol/L"),
        ("nmol/L", "nmol/L"),
        ("ng/mL", "ng/mL"),
        ("ug/L", "ug/L"),
        ("ug/dL", "ug/dL"),
        ("mIU/L", "m[IU]/L"),
        ("uIU/mL", "u[IU]/mL"),
        ("mL/min/1.73m2", "mL/min/{1.73_m2}"),
    )
}

# A unit as a message may spell it -> the contract's unit. Only these are read; anything else (10*3/uL, mU/L, ...) is
# refused with the unit named, never guessed. UCUM codes, the contract's own spellings, and the micro sign.
IMPORT_UNITS: dict[str, str] = {
    **{code.code: unit for unit, code in UCUM_CODES.items()},
    **{unit: unit for unit in UCUM_CODES},
    **UNIT_ALIASES,  # the engine's own spellings of the same units (µ and μ)
    "µ[IU]/mL": "uIU/mL",
    "mL/min/1.73 m2": "mL/min/1.73m2",
    "mL/min/1.73m²": "mL/min/1.73m2",
    "mL/min/1.73 m²": "mL/min/1.73m2",
}


def _sct(code: str, display: str, source: str) -> Code:
    return Code(SNOMED, code, display, source)


# The service a referral goes to -> the SNOMED CT service concept (ServiceRequest.code). Only services found in the
# UK Core care-setting value set have a row. Left out, none found there: diabetic_foot_service,
# foot_protection_service, ms_team, antenatal_diabetes_team (their ServiceRequest carries text only).
# Not used: 306206005, which REF 4.3 lists as "Referral to neurology service"; public mappings show it is the general
# "Referral to service (procedure)", so it does not name a service.
SERVICE_CODES: dict[str, Code] = {
    "emergency_department": _sct("310000008", "Accident and Emergency service", "UKCORE-CARE-SETTING"),
    "neurology": _sct("788005004", "Neurology service", "UKCORE-CARE-SETTING"),
    "spinal": _sct("893121000000102", "Spinal surgery service", "UKCORE-CARE-SETTING"),
    "vascular": _sct("310168000", "Vascular surgery service", "UKCORE-CARE-SETTING"),
    "podiatry": _sct("310087009", "Podiatry service", "UKCORE-CARE-SETTING"),
    "physiotherapy": _sct("722140001", "Physiotherapy service", "UKCORE-CARE-SETTING"),
    "haematology": _sct("708196005", "Haematology service", "UKCORE-CARE-SETTING"),
    "stroke_service": _sct("310137004", "Stroke service", "UKCORE-CARE-SETTING"),
    "paediatrics": _sct("310066004", "Paediatric service", "UKCORE-CARE-SETTING"),
}
REFERRAL_CATEGORY = _sct(
    "3457005", "Patient referral", "REF 4.3 V-3p; public value sets name it 'patient referral (procedure)'"
)

# Suspected cause -> SNOMED CT and ICD-10-CM codes (REF 4.2, 4.3). Only codes tagged V or V-3p there; causes without
# one (and codes tagged M, e.g. G61.0, G83.4, I73.9, G62.0) are left out: the Condition then carries text only.
CAUSE_CODES: dict[str, tuple[Code, ...]] = {
    "diabetes": (
        _sct(
            "424736006", "Peripheral neuropathy due to diabetes mellitus", "REF 4.3 V-3p (C-CDA schematron, value sets)"
        ),
    ),
    "b12_deficiency": (
        _sct("190634004", "Vitamin B12 deficiency", "REF 4.3 V-3p (six repositories agree)"),
        Code(ICD10CM, "E53.8", "Deficiency of other specified B group vitamins", "REF 4.2 V-3p"),
    ),
    "cidp": (
        _sct("128209004", "Chronic inflammatory demyelinating polyradiculoneuropathy", "REF 4.3 V-3p"),
        Code(ICD10CM, "G61.81", "Chronic inflammatory demyelinating polyneuritis", "REF 4.2 V-3p"),
    ),
    "tarsal_tunnel": (
        _sct("47374004", "Tarsal tunnel syndrome", "REF 4.3 V-3p"),
        Code(ICD10CM, "G57.50", "Tarsal tunnel syndrome, unspecified lower limb", "REF 4.2 V"),
    ),
    "pad": (_sct("399957001", "Peripheral arterial occlusive disease", "REF 4.3 V-3p"),),
    "guillain_barre": (_sct("40956001", "Guillain-Barre syndrome", "REF 4.3 V-3p"),),
    "cauda_equina": (_sct("192970008", "Cauda equina syndrome", "REF 4.3 V-3p"),),
    "alcohol": (Code(ICD10CM, "G62.1", "Alcoholic polyneuropathy", "REF 4.2 V-3p"),),
    "lumbar_radiculopathy": (Code(ICD10CM, "M54.16", "Radiculopathy, lumbar region", "REF 4.2 V"),),
}

# The document's type (Composition.type, DocumentReference.type).
REFERRAL_NOTE = _loinc("57133-1", "Referral note", "issue 14 (LOINC document ontology)")

# FHIR R4 code systems the document uses (FHIR-R4).
OBS_LABORATORY = Code(OBSERVATION_CATEGORY, "laboratory", "Laboratory", "FHIR-R4 observation-category")
OBS_EXAM = Code(OBSERVATION_CATEGORY, "exam", "Exam", "FHIR-R4 observation-category")
INTERPRETATIONS: dict[str, Code] = {
    code: Code(INTERPRETATION, code, display, "FHIR-R4 v3-ObservationInterpretation")
    for code, display in (("N", "Normal"), ("L", "Low"), ("H", "High"), ("LL", "Critical low"), ("A", "Abnormal"))
}
CLINICAL_ACTIVE = Code(CONDITION_CLINICAL, "active", "Active", "FHIR-R4 condition-clinical")
VERIFICATION: dict[str, Code] = {
    code: Code(CONDITION_VERIFICATION, code, code.title(), "FHIR-R4 condition-ver-status")
    for code in ("provisional", "differential", "confirmed")
}
ENCOUNTER_DIAGNOSIS = Code(
    CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis", "FHIR-R4 condition-category"
)
MEDICAL_RECORD_NUMBER = Code(V2_IDENTIFIER_TYPE, "MR", "Medical record number", "FHIR-R4 v2-0203")


def export_loinc() -> dict[tuple[str, str], Code]:
    """The LOINC the app writes for each (test, unit)."""
    return {(row.test, row.unit): row.code for row in LAB_CODES if row.export}


def import_map() -> dict[tuple[str, str], tuple[str, frozenset[str]]]:
    """(system, code) -> (test, the contract units that code is reported in): the one table the lab import reads."""
    out: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for row in LAB_CODES:
        test, units = out.setdefault((row.code.system, row.code.code), (row.test, set()))
        assert test == row.test, f"{row.code.code} maps to two tests"
        units.add(row.unit)
    return {key: (test, frozenset(units)) for key, (test, units) in out.items()}


def all_codes() -> list[Code]:
    """Every code in the table once, in table order (the README and the closing note list these)."""
    rows: list[Code] = [row.code for row in LAB_CODES]
    rows += list(UCUM_CODES.values()) + list(SERVICE_CODES.values()) + [REFERRAL_CATEGORY]
    rows += [code for codes in CAUSE_CODES.values() for code in codes] + [REFERRAL_NOTE]
    seen: dict[tuple[str, str], Code] = {}
    for code in rows:
        seen.setdefault((code.system, code.code), code)
    return list(seen.values())
