"""The product's own words: step texts, the sources of each rule (clinical-rules.md section 8), referral services."""

from __future__ import annotations

from workup.rules.vocab import EXAM_LABELS, REQUESTS, label

PROTOCOL_CHRONIC = "Workup protocol: chronic foot numbness (causes, red flags, diagnosis and treatment)"
PROTOCOL_SOLE = "Workup protocol: numbness in the bottom of the foot (five causes; self-care)"
NICE_NG127 = "NICE NG127 Suspected neurological conditions (2019/2023); local NHS neuropathy pathways (BNSSG, Tayside)"
GBS = "Guillain-Barre syndrome: diagnosis and management in ten steps (Leonhard et al., Nat Rev Neurol 2019)"
CES = "Cauda equina syndrome referral standards (BMJ Best Practice; GIRFT 2023)"
PAD = "2016 AHA/ACC guideline on lower-extremity peripheral artery disease; acute limb ischaemia"
CIDP = "EAN/PNS 2021 guideline on CIDP; NHS Tayside and SA Health neuropathy referral criteria"
AAN = "AAN practice parameter: laboratory evaluation of distal symmetric polyneuropathy (England et al., 2009)"
BACK = "NICE NG59 Low back pain and sciatica; Choosing Wisely (AANEM, AAPM&R)"
FOOT = "NICE NG19 Diabetic foot problems; ADA Standards of Care 2025, section 12"
ADA = "ADA Standards of Care 2025, section 2 (diagnosis of diabetes)"
B12 = "NICE NG239 Vitamin B12 deficiency in over 16s (2024)"
EXAM_SCALES = "Clinical reference section 3 (examination scales; focal and length-dependent patterns)"
ALCOHOL = "UK Chief Medical Officers' low-risk drinking guidelines (14 units a week)"
FOLATE = "Laboratory folate reference intervals (clinical reference 2.5)"
STROKE = "NICE NG128 Stroke and TIA (specialist assessment of a suspected past event)"

# Rule id -> the documents it follows, in the order of clinical-rules.md section 8.
SOURCES: dict[str, tuple[str, ...]] = {
    "E1": (PROTOCOL_CHRONIC, NICE_NG127),
    "E2": (PROTOCOL_CHRONIC, GBS),
    "E3": (PROTOCOL_CHRONIC, GBS),
    "E4": (PROTOCOL_CHRONIC, CES),
    "E5": (PAD,),
    "U1": (NICE_NG127,),
    "U2": (CIDP,),
    "U3": (CIDP,),
    "U4": (NICE_NG127,),
    "U5": (AAN,),
    "U6": (BACK,),
    "U7": (FOOT,),
    "U8": (PAD,),
    "U9": (B12, PROTOCOL_CHRONIC),
    "U10": (STROKE,),
    "S1": (PROTOCOL_CHRONIC,),
    "S2": (PROTOCOL_CHRONIC,),
    "S3": (PROTOCOL_CHRONIC,),
    "G1": (ADA,),
    "B1": (B12,),
    "C1": (ADA,),
    "C2": (ADA,),
    "C3": (B12,),
    "C4": (ALCOHOL,),
    "C5": (PROTOCOL_CHRONIC,),
    "C6": (NICE_NG127,),
    "C7": (FOLATE,),
    "C8": (NICE_NG127,),
    "C9": (PROTOCOL_SOLE, PAD),
    "C10": (PROTOCOL_SOLE, PAD),
    "C11": (PROTOCOL_SOLE,),
    "C12": (FOOT,),
    "C13": (PROTOCOL_CHRONIC,),
    "N1": (PROTOCOL_CHRONIC, AAN),
    "F1": (PROTOCOL_SOLE,),
    "F2": (EXAM_SCALES,),
    "R1": (PROTOCOL_SOLE, BACK),
    "D1": (EXAM_SCALES,),
    "P1": (EXAM_SCALES,),
}

SERVICE = {
    "emergency_care": "emergency_department",
    "refer_neurology": "neurology",
    "refer_spinal": "spinal",
    "refer_vascular": "vascular",
    "refer_diabetic_foot_service": "diabetic_foot_service",
    "refer_podiatry": "podiatry",
    "refer_physiotherapy": "physiotherapy",
    "refer_haematology": "haematology",
}

STEP_TEXT: dict[str, str] = {
    "emergency_care": "Send the patient to the emergency department now (call 999); no tests or letters first",
    "complete_exam": "Finish the core examination",
    "order_glucose_test": "Check HbA1c or a fasting plasma glucose",
    "order_b12": "Check serum vitamin B12 (total or active B12)",
    "order_mma": "Check methylmalonic acid (MMA) to settle the B12 question",
    "order_ogtt": "Arrange a 75 g oral glucose tolerance test (2-hour glucose) to send with the referral",
    "order_spep": "Send serum protein electrophoresis with immunofixation to go with the referral",
    "order_tsh": "Check thyroid function (TSH) to go with the referral",
    "order_abi": "Measure the ankle-brachial index on both legs",
    "confirm_diabetes": "Repeat a diagnostic test (HbA1c or fasting glucose) to confirm diabetes",
    "refer_neurology": "Refer to neurology",
    "refer_spinal": "Refer urgently to the spinal service",
    "refer_vascular": "Refer to the vascular service",
    "refer_diabetic_foot_service": "Refer to the multidisciplinary diabetic foot service, to be seen within one "
    "working day",
    "refer_podiatry": "Refer to podiatry for footwear, orthoses and conservative care",
    "refer_physiotherapy": "Refer to physiotherapy for back care and exercise",
    "refer_haematology": "Refer urgently to haematology about the paraprotein",
    "manage_glycaemia": "Work on glucose control (diet, activity, medicines) to protect the nerves",
    "treat_b12_deficiency": "Start vitamin B12 replacement without delay, and look for the cause of the deficiency",
    "reduce_alcohol": "Advise cutting alcohol to no more than 14 units a week, and offer support to do it",
    "review_neurotoxic_drugs": "Review the neurotoxic chemotherapy with the oncology team",
    "foot_protection": "Protect the feet: daily self-checks, well-fitting shoes, regular foot review",
    "foot_posture_exercises": "Foot posture care: keep the arch lifted when standing and walking, stretch the calves "
    "with the arch held, wear supportive shoes",
    "back_posture_exercises": "Back care: ease the arch of the lower back (pelvic tilt, a slight forward lean when "
    "walking) and do gentle nerve-glide exercises",
    "neuropathic_pain_treatment": "Consider a non-opioid neuropathic-pain medicine if the pain troubles the patient",
}
NONCOMPRESSIBLE_ABI_TEXT = "Measure a toe-brachial index (the ankle arteries were not compressible)"

_REQUEST_WORDS = {
    "ncs": "nerve conduction studies",
    "emg": "EMG",
    "brain_spine_assessment": "assessment of the brain and spinal cord",
    "neurology_review": "review of the known brain or spinal cord condition",
}
REQUEST_ORDER = {code: i for i, (code, _) in enumerate(REQUESTS)}


def neurology_text(requests: list[str], urgency: str) -> str:
    """Say what neurology is asked to do."""
    wanted = [_REQUEST_WORDS.get(r, label(REQUESTS, r).lower()) for r in requests]
    asks = ", ".join(wanted[:-1]) + (" and " if len(wanted) > 1 else "") + wanted[-1] if wanted else "assessment"
    return f"Refer {'urgently ' if urgency == 'urgent' else ''}to neurology for {asks}"


def exam_text(items: list[str]) -> str:
    """Name the core exam items still missing."""
    return "Finish the core examination (both sides): " + "; ".join(EXAM_LABELS.get(i, i) for i in items)


def vascular_text(urgency: str) -> str:
    return "Refer urgently to vascular surgery" if urgency == "urgent" else STEP_TEXT["refer_vascular"]


def source_of(rules: list[str]) -> str:
    """Join the sources of a step's rules, each once, in rule order."""
    return "; ".join(dict.fromkeys(s for rule in rules for s in SOURCES[rule]))


def sentence(text: str) -> str:
    """Start with a capital and end with a full stop (referral reasons)."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
