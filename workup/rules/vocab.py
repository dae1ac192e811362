"""The controlled vocabulary of the workup-case/1 contract, with the words a clinician reads.

Every enum of ``case.schema.json`` lives here once; the engine validates against these, the
models use them as choices, and the screens and the letter print their labels.
"""

from __future__ import annotations

Choices = tuple[tuple[str, str], ...]

SEX: Choices = (("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Unknown"))
ONSET: Choices = (("gradual", "Gradual"), ("sudden", "Sudden"))
COURSE: Choices = (
    ("stable", "Stable"),
    ("worsening", "Worsening"),
    ("improving", "Improving"),
    ("relapsing", "Relapsing and remitting"),
)
SIDES: Choices = (("both", "Both feet"), ("left", "Left only"), ("right", "Right only"))
AREAS: Choices = (
    ("toes", "Toes"),
    ("sole", "Sole"),
    ("whole_foot", "Whole foot"),
    ("top_of_foot", "Top of foot"),
    ("outer_foot", "Outer edge of foot"),
    ("inner_shin", "Inner shin"),
    ("above_ankle", "Above the ankle"),
    ("back_of_leg", "Back of the leg"),
    ("hands", "Hands"),
)
SYMPTOMS: Choices = (
    ("numbness", "Numbness"),
    ("tingling", "Tingling / pins and needles"),
    ("burning", "Burning pain"),
    ("weakness", "Weakness"),
    ("imbalance", "Imbalance / unsteadiness"),
    ("back_pain", "Back pain"),
    ("radiating_leg_pain", "Pain radiating down the leg"),
    ("claudication", "Calf pain on walking (claudication)"),
    ("shooting_pain", "Shooting or stabbing pain"),
)
RED_FLAGS: Choices = (
    ("sudden_severe_numbness", "Sudden severe numbness"),
    ("face_arm_speech_symptoms", "Face, arm or speech symptoms"),
    ("rapidly_progressive_weakness", "Rapidly progressive weakness (hours to days)"),
    ("breathing_or_swallowing_difficulty", "Difficulty breathing or swallowing"),
    ("bladder_or_bowel_dysfunction", "New bladder or bowel dysfunction"),
    ("saddle_numbness", "Saddle (perineal) numbness"),
    ("cold_pale_pulseless_foot", "Cold, pale, pulseless foot"),
)
# Synonyms a red flag is also read as (clinical-rules.md 3.1), normalised: lower case, single spaces.
RED_FLAG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "saddle_numbness": ("saddle anaesthesia", "saddle anesthesia", "perineal numbness", "perianal numbness"),
    "bladder_or_bowel_dysfunction": (
        "urinary retention",
        "urinary incontinence",
        "faecal incontinence",
        "fecal incontinence",
        "bowel incontinence",
        "loss of bladder control",
        "loss of bowel control",
    ),
    "breathing_or_swallowing_difficulty": (
        "difficulty breathing",
        "shortness of breath",
        "difficulty swallowing",
        "dysphagia",
    ),
    "face_arm_speech_symptoms": ("facial droop", "slurred speech", "arm weakness"),
    "rapidly_progressive_weakness": ("rapid weakness", "rapidly spreading weakness", "ascending weakness"),
    "sudden_severe_numbness": ("sudden numbness",),
    "cold_pale_pulseless_foot": ("cold foot", "pulseless foot", "white foot"),
}
# Words in the presentation notes that ask for a red-flag check now (clinical-rules.md Q2): whole words, any case.
RED_FLAG_NOTE_WORDS: tuple[str, ...] = (
    "saddle",
    "perineal",
    "perianal",
    "incontinence",
    "incontinent",
    "retention",
    "catheter",
    "bladder",
    "bowel",
    "ascending",
    "paralysis",
    "breathless",
    "breathing",
    "swallowing",
    "dysphagia",
    "slurred",
    "droop",
    "pulseless",
    "gangrene",
    "sepsis",
    "breath",
    "sudden",
    "erectile",
    "anaesthesia",
    "anesthesia",
    "bowels",
)
DIABETES: Choices = (("known", "Known diabetes"), ("not_known", "No known diabetes"))
CHEMOTHERAPY: Choices = (
    ("platinum", "Platinum (cisplatin, oxaliplatin, carboplatin)"),
    ("taxane", "Taxane (paclitaxel, docetaxel)"),
    ("vinca_alkaloid", "Vinca alkaloid (vincristine)"),
    ("bortezomib", "Bortezomib"),
    ("thalidomide", "Thalidomide"),
    ("other", "Other neurotoxic agent"),
)
B12_RISKS: Choices = (
    ("metformin", "Metformin"),
    ("proton_pump_inhibitor", "Proton pump inhibitor"),
    ("vegan_diet", "Vegan diet"),
    ("gastric_surgery", "Gastric or bariatric surgery"),
    ("ileal_resection", "Ileal resection"),
    ("pernicious_anaemia", "Pernicious anaemia"),
    ("nitrous_oxide", "Recreational nitrous oxide"),
)
MEDICATIONS: Choices = (
    ("metformin", "Metformin"),
    ("proton_pump_inhibitor", "Proton pump inhibitor (omeprazole, lansoprazole, ...)"),
    ("h2_receptor_antagonist", "H2-receptor antagonist (famotidine, ...)"),
    ("isoniazid", "Isoniazid"),
    ("nitrofurantoin", "Nitrofurantoin"),
    ("metronidazole", "Metronidazole"),
    ("amiodarone", "Amiodarone"),
    ("colchicine", "Colchicine"),
    ("phenytoin", "Phenytoin"),
    ("statin", "Statin"),
    ("vitamin_b6_supplement", "Vitamin B6 (pyridoxine) supplement"),
)
FOOT_HISTORY: Choices = (
    ("previous_ulcer", "Previous foot ulcer"),
    ("previous_amputation", "Previous amputation"),
    ("renal_replacement_therapy", "Renal replacement therapy (dialysis or transplant)"),
)
CNS_HISTORY: Choices = (("stroke", "Stroke"), ("multiple_sclerosis", "Multiple sclerosis"))
SPINE_HISTORY: Choices = (("disc_herniation", "Disc herniation"), ("spinal_stenosis", "Spinal stenosis"))

REFLEX: Choices = (
    ("0", "0 absent"),
    ("1", "1 reduced"),
    ("2", "2 normal"),
    ("3", "3 brisk"),
    ("4", "4 clonus"),
)
MRC: Choices = (
    ("0", "0 no contraction"),
    ("1", "1 flicker"),
    ("2", "2 gravity eliminated"),
    ("3", "3 against gravity"),
    ("4", "4 against resistance"),
    ("5", "5 normal"),
)
PLANTAR: Choices = (("flexor", "Flexor (down)"), ("extensor", "Extensor (up)"), ("equivocal", "Equivocal"))
GRADED_SENSE: Choices = (("normal", "Normal"), ("reduced", "Reduced"), ("absent", "Absent"))
PROPRIOCEPTION: Choices = (("normal", "Normal"), ("impaired", "Impaired"))
ROMBERG: Choices = (("negative", "Negative"), ("positive", "Positive"))
PULSES: Choices = (("present", "Present"), ("reduced", "Reduced"), ("absent", "Absent"))
SIGN: Choices = (("negative", "Negative"), ("positive", "Positive"))
FOOT_POSTURE: Choices = (("neutral", "Neutral"), ("overpronated", "Overpronated"), ("supinated", "Supinated"))
# What inspection of the feet found; an empty list means "inspected, nothing found" (clinical-rules.md 9).
FOOT_INSPECTION: Choices = (
    ("callus", "Callus"),
    ("deformity", "Deformity"),
    ("ulcer", "Ulcer"),
    ("spreading_infection", "Spreading infection"),
    ("deep_infection", "Suspected deep infection"),
    ("gangrene", "Gangrene"),
    ("hot_swollen_foot", "Hot, swollen foot (possible Charcot)"),
    ("fever_or_sepsis", "Fever or signs of sepsis"),
)
# The 2026.11 single-value foot inspection, still read (with a warning) as the list it meant.
FOOT_INSPECTION_2026_11: dict[str, tuple[str, ...]] = {"normal": (), "ulcer_or_infection": ("ulcer",)}

LAB_TESTS: Choices = (
    ("fasting_glucose", "Fasting glucose"),
    ("random_glucose", "Random glucose"),
    ("ogtt_2h", "OGTT 2-hour glucose"),
    ("hba1c", "HbA1c"),
    ("b12", "Vitamin B12 (total)"),
    ("active_b12", "Active B12 (holotranscobalamin)"),
    ("mma", "Methylmalonic acid (MMA)"),
    ("homocysteine", "Homocysteine"),
    ("folate", "Folate"),
    ("tsh", "TSH"),
    ("egfr", "eGFR"),
    ("spep", "Serum protein electrophoresis"),
    ("vitamin_b6", "Vitamin B6 (pyridoxal phosphate)"),
    ("copper", "Copper"),
    ("calcium_adjusted", "Adjusted calcium"),
    ("magnesium", "Magnesium"),
)
# Units each test accepts (contract/README.md). The first is the form's default; none is guessed.
LAB_UNITS: dict[str, tuple[str, ...]] = {
    "fasting_glucose": ("mmol/L", "mg/dL"),
    "random_glucose": ("mmol/L", "mg/dL"),
    "ogtt_2h": ("mmol/L", "mg/dL"),
    "hba1c": ("mmol/mol", "%"),
    "b12": ("ng/L", "pg/mL", "pmol/L"),
    "active_b12": ("pmol/L",),
    "mma": ("umol/L", "nmol/L"),
    "homocysteine": ("umol/L",),
    "folate": ("ug/L", "ng/mL", "nmol/L"),
    "tsh": ("mIU/L", "uIU/mL"),
    "egfr": ("mL/min/1.73m2",),
    "spep": (),
    "vitamin_b6": ("nmol/L", "ug/L"),
    "copper": ("umol/L", "ug/dL"),
    "calcium_adjusted": ("mmol/L", "mg/dL"),
    "magnesium": ("mmol/L", "mg/dL"),
}
SPEP_VALUES: Choices = (("normal", "Normal"), ("paraprotein", "Paraprotein detected"))
# umol/L and µmol/L are the same unit; the engine accepts either spelling and stores the ASCII one.
UNIT_ALIASES: dict[str, str] = {
    "µmol/L": "umol/L",
    "μmol/L": "umol/L",
    "µg/L": "ug/L",
    "μg/L": "ug/L",
    "µg/dL": "ug/dL",
    "μg/dL": "ug/dL",
    "µIU/mL": "uIU/mL",
    "μIU/mL": "uIU/mL",
}

# Exam items that are recorded per side, in the order of the examination grid.
SIDED_EXAM_ITEMS: tuple[str, ...] = (
    "ankle_reflex",
    "knee_reflex",
    "plantar_response",
    "monofilament",
    "vibration",
    "pinprick",
    "proprioception",
    "power_ankle_dorsiflexion",
    "power_ankle_plantarflexion",
    "pedal_pulses",
    "abi",
    "tinel_tarsal_tunnel",
    "straight_leg_raise",
    "foot_posture",
)
EXAM_LABELS: dict[str, str] = {
    "ankle_reflex": "Ankle reflex (NINDS 0-4)",
    "knee_reflex": "Knee reflex (NINDS 0-4)",
    "plantar_response": "Plantar response",
    "monofilament": "10-g monofilament (sites felt / tested)",
    "vibration": "Vibration (128 Hz)",
    "pinprick": "Pinprick",
    "proprioception": "Proprioception (great toe)",
    "power_ankle_dorsiflexion": "Power, ankle dorsiflexion (MRC 0-5)",
    "power_ankle_plantarflexion": "Power, ankle plantarflexion (MRC 0-5)",
    "pedal_pulses": "Pedal pulses",
    "abi": "Ankle-brachial index",
    "tinel_tarsal_tunnel": "Tinel sign, tarsal tunnel",
    "straight_leg_raise": "Straight-leg raise",
    "foot_posture": "Foot posture",
    "romberg": "Romberg",
    "foot_inspection": "Foot inspection",
}

SERVICES: Choices = (
    ("emergency_department", "Emergency department"),
    ("neurology", "Neurology"),
    ("spinal", "Spinal service"),
    ("vascular", "Vascular surgery"),
    ("diabetic_foot_service", "Multidisciplinary diabetic foot service"),
    ("podiatry", "Podiatry"),
    ("physiotherapy", "Physiotherapy"),
    ("haematology", "Haematology"),
    ("foot_protection_service", "Foot protection service"),
    ("stroke_service", "Stroke service (TIA clinic)"),
    ("ms_team", "Multiple sclerosis team"),
    ("paediatrics", "Paediatrics"),
    ("antenatal_diabetes_team", "Antenatal diabetes team"),
)
URGENCY: Choices = (("emergency", "Emergency"), ("urgent", "Urgent"), ("routine", "Routine"))
STAGE: Choices = (
    ("emergency", "Emergency"),
    ("red_flags", "Red flags to ask"),
    ("exam", "Examination"),
    ("bloods", "Blood tests"),
    ("refer", "Referral"),
    ("manage", "Manage in primary care"),
)
PATTERN: Choices = (
    ("length_dependent", "Length-dependent (stocking)"),
    ("focal", "Focal (one foot)"),
    ("radicular", "Radicular (nerve root)"),
    ("central", "Central (brain or spinal cord)"),
    ("undetermined", "Undetermined"),
)
CERTAINTY: Choices = (("confirmed", "Confirmed"), ("likely", "Likely"), ("possible", "Possible"))
CAUSES: Choices = (
    ("stroke", "Stroke"),
    ("guillain_barre", "Guillain-Barre syndrome"),
    ("cauda_equina", "Cauda equina syndrome"),
    ("acute_limb_ischaemia", "Acute limb ischaemia"),
    ("diabetes", "Diabetes"),
    ("prediabetes", "Prediabetes"),
    ("b12_deficiency", "Vitamin B12 deficiency"),
    ("alcohol", "Alcohol"),
    ("chemotherapy", "Chemotherapy-induced neuropathy"),
    ("pad", "Peripheral arterial disease"),
    ("cidp", "CIDP"),
    ("paraproteinaemic_neuropathy", "Paraproteinaemic neuropathy"),
    ("hypothyroidism", "Hypothyroidism"),
    ("folate_deficiency", "Folate deficiency"),
    ("renal", "Renal impairment"),
    ("tarsal_tunnel", "Tarsal tunnel syndrome"),
    ("plantar_nerve_compression", "Plantar nerve compression"),
    ("lumbar_radiculopathy", "Lumbar radiculopathy"),
    ("cns_disorder", "Brain or spinal cord disorder"),
    ("limb_threatening_foot", "Limb-threatening foot problem"),
    ("gestational_diabetes", "Gestational diabetes"),
    ("charcot_foot", "Charcot foot"),
    ("drug_induced_neuropathy", "Drug-induced neuropathy"),
    ("hereditary_neuropathy", "Hereditary neuropathy"),
    ("b6_deficiency", "Vitamin B6 deficiency"),
    ("b6_toxicity", "Vitamin B6 toxicity"),
    ("copper_deficiency", "Copper deficiency"),
    ("hypocalcaemia", "Low calcium (hypocalcaemia)"),
    ("hypomagnesaemia", "Low magnesium (hypomagnesaemia)"),
)
REQUESTS: Choices = (
    ("ncs", "Nerve conduction studies"),
    ("emg", "Electromyography"),
    ("brain_spine_assessment", "Assessment for brain or spinal cord disease"),
    ("neurology_review", "Neurology review"),
    ("genetic_assessment", "Genetic assessment"),
    ("assessment", "Assessment"),
)
# How soon a step or referral is due (clinical-rules.md 7), shortest first; the words are what screens and letters say.
TIMEFRAMES: Choices = (
    ("now", "Now"),
    ("same_day", "Today"),
    ("within_1_working_day", "Within 1 working day"),
    ("within_7_days", "Within 7 days"),
    ("within_2_weeks", "Within 2 weeks"),
    ("within_2_to_4_weeks", "Within 2 to 4 weeks"),
    ("within_6_to_8_weeks", "Within 6 to 8 weeks"),
    ("routine", "Routine"),
)
GLYCAEMIA_PROFILES: Choices = (
    ("ada_2025", "ADA Standards of Care 2025 (prediabetes)"),
    ("nice_ph38", "NICE PH38 (non-diabetic hyperglycaemia)"),
)
B12_PROFILE_CHOICES: Choices = (("nice_ng239", "NICE NG239 (2024)"),)


def label(choices: Choices, code: str) -> str:
    """Return the label of ``code`` in ``choices``, or the code itself when it has none."""
    return dict(choices).get(code, code)


def codes(choices: Choices) -> frozenset[str]:
    """Return the set of codes in ``choices``."""
    return frozenset(code for code, _ in choices)
