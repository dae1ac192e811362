"""The product's own words: what each step says, and the referral services.

No number is typed here: a template names its numbers as ``{limit_name}`` and ``fill`` takes them from the threshold
table (thresholds.LIMITS), and timeframes read their words from the vocabulary, so a new ruleset cannot leave a stale
figure in a signed letter (a test scans this module, the rules and the facts for threshold digits).
"""

from __future__ import annotations

import string

from workup.rules.labs import fmt, noun
from workup.rules.thresholds import LIMITS
from workup.rules.vocab import EXAM_LABELS, MEDICATIONS, REQUESTS, TIMEFRAMES, label

SERVICE = {
    "emergency_care": "emergency_department",
    "refer_neurology": "neurology",
    "refer_spinal": "spinal",
    "refer_vascular": "vascular",
    "refer_diabetic_foot_service": "diabetic_foot_service",
    "refer_foot_protection_service": "foot_protection_service",
    "refer_podiatry": "podiatry",
    "refer_physiotherapy": "physiotherapy",
    "refer_haematology": "haematology",
    "refer_stroke_service": "stroke_service",
    "contact_ms_team": "ms_team",
    "refer_paediatrics": "paediatrics",
    "refer_antenatal_diabetes": "antenatal_diabetes_team",
}
_FIELDS = string.Formatter()


def fill(template: str) -> str:
    """Put the threshold table's numbers into a template: '{alcohol_possible_above} units' -> '14 units'."""
    names = [name for _, name, _, _ in _FIELDS.parse(template) if name]
    return template.format(**{name: fmt(LIMITS[name].value) for name in names})


def when(timeframe: str) -> str:
    """The words of a timeframe mid-sentence: 'within 1 working day', 'today'."""
    return label(TIMEFRAMES, timeframe).lower()


_GLIDES = (
    "nerve glides (sit, lean forward, straighten the knee and pull the toes up, only as far as comfortable, "
    "{nerve_glide_from}-{nerve_glide_to} times)"
)
STEP_TEXT: dict[str, str] = {
    "ask_red_flags": "Ask about the red flags now and record each answer: sudden severe numbness; face, arm or speech "
    "symptoms; rapidly progressive weakness; difficulty breathing or swallowing; new bladder or bowel problems; "
    "saddle numbness; a cold, pale, pulseless foot",
    "order_glucose_test": "Check HbA1c or a fasting plasma glucose",
    "order_b12": "Check serum vitamin B12 (total or active B12)",
    "order_active_b12": "Check active B12 (holotranscobalamin): total B12 falls in pregnancy and cannot decide",
    "order_mma": "Check methylmalonic acid (MMA) to settle the B12 question",
    "order_ogtt": "Arrange a 75 g oral glucose tolerance test (two-hour glucose) to send with the referral",
    "order_spep": "Send serum protein electrophoresis with immunofixation to go with the referral",
    "order_tsh": "Check thyroid function (TSH) to go with the referral",
    "order_copper": "Check serum copper (with caeruloplasmin and zinc) to go with the referral",
    "order_b6": "Check vitamin B6 (pyridoxal phosphate) to go with the referral",
    "order_abi": "Measure the ankle-brachial index on both legs",
    "assess_cauda_equina_today": "Assess today for cauda equina syndrome: ask about bladder, bowel and sexual "
    "function and saddle sensation, examine perianal sensation, and give written safety-net advice",
    "assess_hyperglycaemia_today": "Assess today: check capillary ketones and hydration; admit if ketones are "
    "{ketones_admit_from} mmol/L or more, with vomiting or drowsiness, or with glucose of {glucose_hhs_from} mmol/L "
    "or more and signs of dehydration (diabetic ketoacidosis or hyperosmolar state)",
    "stop_nitrous_oxide": "Advise stopping nitrous oxide now and offer support to stop; B12 treatment starts before "
    "the results",
    "refer_spinal": "Refer urgently to the spinal service",
    "refer_diabetic_foot_service": "Refer to the multidisciplinary diabetic foot service",
    "refer_foot_protection_service": "Refer to the foot protection service",
    "refer_podiatry": "Refer to podiatry for a biomechanical assessment, footwear advice and orthoses "
    "(conservative care first)",
    "refer_physiotherapy": "Refer to physiotherapy for back care and exercise",
    "refer_stroke_service": "Refer to the stroke service (TIA clinic) to be seen by a stroke specialist: a possible "
    "past TIA or minor stroke",
    "contact_ms_team": "Contact the MS team: possible relapse; treatment, if needed, starts within "
    "{ms_treatment_within} days of onset",
    "refer_paediatrics": "Refer to paediatrics: these rules are written for adults",
    "refer_antenatal_diabetes": "Refer to the antenatal diabetes team: possible gestational diabetes",
    "manage_glycaemia": "Work on glucose control (diet, activity, medicines) to protect the nerves",
    "treat_b12_deficiency": "Start vitamin B12 today. With neurological involvement: hydroxocobalamin "
    "{hydroxocobalamin_dose} mg intramuscularly on alternate days until there is no further improvement, then "
    "{hydroxocobalamin_dose} mg every {hydroxocobalamin_maintenance_every} months; seek haematology advice; do not "
    "give folic acid before B12 treatment has started; look for the cause",
    "check_thyroid_function": "Check free T4: treat hypothyroidism and reassess before blaming the nerves",
    "treat_folate_deficiency": "Give folic acid only once B12 deficiency is excluded or its treatment has started",
    "reduce_alcohol": "Advise cutting alcohol to no more than {alcohol_possible_above} units a week, and offer support",
    "assess_alcohol_dependence": "Assess for alcohol dependence (AUDIT); do not advise a sudden stop; offer referral "
    "to alcohol services for assisted withdrawal",
    "start_thiamine": "Start oral thiamine (harmful or dependent drinking)",
    "review_neurotoxic_drugs": "Review the neurotoxic chemotherapy with the oncology team",
    "foot_protection": "Protect the feet: daily self-checks, well-fitting shoes, regular foot review",
    "foot_posture_exercises": "Foot posture self-care: walk with the arch lifted (domed); calf stretch with the heel "
    "down and the arch held, {calf_stretch_from}-{calf_stretch_to} minutes; single-leg balance with the arch lifted "
    "and the knee slightly turned out, holding on at first (hip strength); " + _GLIDES,
    "back_posture_exercises": "Back posture self-care: standing pelvic tilt (flatten the lower back when standing and "
    "walking); a slight forward lean when walking; " + _GLIDES,
    "neuropathic_pain_treatment": "Offer amitriptyline, duloxetine, gabapentin or pregabalin for neuropathic pain "
    "(NICE CG173)",
    "healthy_lifestyle": "Advise a diet low in sugar with plenty of fruit and vegetables, and regular aerobic "
    "exercise, for nerve and vascular health",
    "safety_net": "Safety-net advice for the patient: call 999 or go to the emergency department at once for sudden "
    "severe numbness or weakness, a drooping face, arm weakness or slurred speech, weakness that spreads quickly, "
    "difficulty breathing or swallowing, loss of bladder or bowel control, numbness between the legs or around the "
    "back passage, or a cold, pale, painful foot; come back if the numbness spreads or weakness starts",
}
PREGNANCY_ALCOHOL = "Advise not drinking alcohol at all in pregnancy, and offer support"
PREGNANCY_DEPENDENCE = (
    "Drinking in pregnancy: arrange specialist support to stop safely (assisted withdrawal, no sudden unsupported stop)"
)
NONCOMPRESSIBLE_ABI_TEXT = "Measure a toe-brachial index (the ankle arteries were not compressible)"
HAEMATOLOGY_TEXT = {
    "U5": "Refer urgently to haematology about the paraprotein",
    "C17": "Refer to haematology: possible copper deficiency myeloneuropathy (check zinc)",
}
PAIN_CAUTIONS = {
    "kidneys": "reduce gabapentinoid doses (eGFR reduced)",
    "pregnancy": "avoid pregabalin unless clearly necessary (pregnancy)",
    "falls": "mind the falls risk (age {falls_risk_age_from} or over)",
}
MEDICINE_POINTS = {
    "isoniazid": "give pyridoxine",
    "vitamin_b6_supplement": "stop doses above {b6_supplement_max} mg a day and check B6",
    "nitrofurantoin": "weigh stopping or switching with the prescriber",
    "metronidazole": "weigh stopping or switching with the prescriber",
    "amiodarone": "weigh stopping or switching with the prescriber",
    "colchicine": "weigh stopping or switching with the prescriber",
    "phenytoin": "weigh stopping or switching with the prescriber",
    "metformin": "contraindicated with eGFR below {egfr_severe_below}: review the diabetes treatment",
    "b6_high": "vitamin B6 is high: stop B6 supplements",
}
FOOT_REVIEW = {
    "low": "every {foot_review_low_every} year",
    "moderate": "every {foot_review_moderate_from}-{foot_review_moderate_to} months",
    "high": "every {foot_review_high_from}-{foot_review_high_to} months",
}
# What the emergency department must rule out, by suspected cause (clinical-rules.md 3).
RULE_OUT = {
    "stroke": "stroke or TIA (emergency stroke assessment and brain imaging)",
    "guillain_barre": "Guillain-Barre syndrome (monitor breathing and swallowing: vital capacity)",
    "cauda_equina": "cauda equina syndrome (emergency MRI of the lumbosacral spine under the cauda equina pathway)",
    "acute_limb_ischaemia": "acute limb ischaemia (emergency vascular assessment)",
    "limb_threatening_foot": "a limb- or life-threatening foot problem (sepsis, deep infection, gangrene or critical "
    "ischaemia: acute diabetic foot and vascular assessment)",
}
_MEDICINE_WORDS = {code: words.split(" (")[0] for code, words in MEDICATIONS}
_REQUEST_WORDS = {
    "ncs": "nerve conduction studies",
    "emg": "EMG",
    "brain_spine_assessment": "assessment of the brain and spinal cord",
    "neurology_review": "review of the known brain or spinal cord condition",
    "genetic_assessment": "genetic assessment",
}
REQUEST_ORDER = {code: i for i, (code, _) in enumerate(REQUESTS)}


def step_text(code: str) -> str:
    """The fixed words of a step, numbers filled in from the threshold table."""
    return _FILLED[code]


_FILLED = {code: fill(words) for code, words in STEP_TEXT.items()}  # the table is fixed: fill each text once


def emergency_text(causes: list[str]) -> str:
    """Say go now, and what the receiving team must rule out."""
    rule_out = "; ".join(RULE_OUT[c] for c in causes)
    return (
        f"Send the patient to the emergency department now (call 999); no tests or letters first. Rule out: {rule_out}"
    )


def check_notes_text(words: list[str]) -> str:
    quoted = ", ".join(f"'{w}'" for w in words)
    return (
        f"The notes mention {quoted}: ask and examine for red flags now, record any flag found, "
        "and record that the notes were checked"
    )


def neurology_text(requests: list[str], urgency: str) -> str:
    """Say what neurology is asked to do."""
    wanted = [_REQUEST_WORDS.get(r, label(REQUESTS, r).lower()) for r in requests]
    asks = ", ".join(wanted[:-1]) + (" and " if len(wanted) > 1 else "") + wanted[-1] if wanted else "assessment"
    return f"Refer {'urgently ' if urgency == 'urgent' else ''}to neurology for {asks}"


def exam_text(items: list[str]) -> str:
    """Name the core exam items still missing."""
    return "Finish the core examination (both sides): " + "; ".join(EXAM_LABELS.get(i, i) for i in items)


def vascular_text(urgency: str) -> str:
    return "Refer urgently to vascular surgery" if urgency == "urgent" else "Refer to the vascular service"


def confirm_diabetes_text(tests: tuple[str, ...]) -> str:
    diagnostic = [noun(t) for t in tests if t != "random_glucose"]
    if not diagnostic:
        return "Check an HbA1c or a fasting glucose to confirm diabetes (a random glucose alone does not diagnose it)"
    named = " and the ".join(diagnostic)
    return f"Repeat the {named} to confirm diabetes (one result in the diabetes range is not enough)"


def medicines_text(points: list[str]) -> str:
    """Name each drug with its point: 'isoniazid: give pyridoxine'."""
    said = [fill(f"{_MEDICINE_WORDS.get(code, 'vitamin B6')}: {MEDICINE_POINTS[code]}") for code in points]
    return "Review the medicines that can harm nerves: " + "; ".join(said)


def pain_text(cautions: list[str]) -> str:
    base = step_text("neuropathic_pain_treatment")
    return base + ("; " + "; ".join(fill(PAIN_CAUTIONS[c]) for c in cautions) if cautions else "")


def foot_review_text(risk: str) -> str:
    return fill(f"Review the feet {FOOT_REVIEW[risk]} ({risk} risk of diabetic foot problems)")


def sentence(text: str) -> str:
    """Start with a capital and end with a full stop (referral reasons)."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
