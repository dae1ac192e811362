"""The patient's own copy: what a handout says (plain English, reading age about 11) and its PDF.

The advice is data. ``ADVICE`` maps each patient-relevant step code of the engine's recommendation to the entries
the patient is given, each with its steps, its dose (hold, repetitions, how often), when to stop, a drawing and the
document it follows, so a clinical lead reviews every word in one place. No number is typed here: a template names
its numbers as ``{limit_name}`` and they come from the engine's threshold table, so the patient's copy and the
clinician's text never disagree. The PDF goes through the letter's WeasyPrint pipeline: the same PDF/A options and
the same static-only URL fetcher (the drawings are inline SVG, so nothing at all is fetched).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from workup import letters
from workup.rules import sources as src
from workup.rules import text as engine_text
from workup.rules import vocab
from workup.services.workups import evaluate_workup

if TYPE_CHECKING:
    from workup.models import Clinic, Patient, Workup

HANDOUTS_STATIC = Path(__file__).resolve().parent / "static" / "handouts"
HANDOUT_CSS = HANDOUTS_STATIC / "handout.css"
NEXT, HOME = "next", "home"
# Steps a clinician does in the room before anything else: there is nothing for the patient to take home.
CLINICIAN_ONLY = frozenset({"ask_red_flags", "check_red_flags"})


def fill(template: str) -> str:
    """Put the threshold table's numbers into a template, as the engine's own texts do."""
    return engine_text.fill(template)


@dataclass(frozen=True)
class Advice:
    """One thing the patient is told: a test or referral (what happens next) or something to do at home."""

    key: str
    title: str
    steps: tuple[str, ...]
    source: str
    section: str = HOME
    dose: str = ""
    cautions: tuple[str, ...] = ()
    drawing: str = ""  # an SVG in static/handouts/, drawn for this project

    def filled(self) -> Advice:
        return replace(
            self,
            steps=tuple(fill(s) for s in self.steps),
            dose=fill(self.dose),
            cautions=tuple(fill(c) for c in self.cautions),
        )

    def plain_text(self) -> str:
        """Everything the entry says, as the patient reads it (for the readability check)."""
        return " ".join((f"{self.title}.", *self.steps, self.dose, *self.cautions)).strip()


STOP_IF_WORSE = "Stop if the numbness or pain gets worse. Tell us at your next visit."
GLIDE = Advice(
    "nerve_glide",
    "Nerve glide",
    (
        "Sit on a chair and lean forward a little.",
        "Straighten one knee and pull your toes up towards you.",
        "You may feel a gentle pull down the back of your leg. Only go as far as is comfortable.",
        "Then bend the knee and let the foot relax. That is one glide.",
    ),
    src.PROTOCOL_SOLE,
    dose="Do this {nerve_glide_from} to {nerve_glide_to} times on each leg, once or twice a day.",
    cautions=(STOP_IF_WORSE, "Do not push into pain. The nerve should move, not stretch hard."),
    drawing="nerve-glide.svg",
)
FOOT_POSTURE = (
    Advice(
        "walk_arch",
        "Walk with the arch of your foot lifted",
        (
            "Stand with your weight on the whole foot.",
            "Gently lift the arch on the inside of your foot, so it makes a small dome. Keep your toes flat.",
            "Keep the arch lifted as you walk. Do not let the foot roll in and go flat.",
        ),
        src.PROTOCOL_SOLE,
        dose="Practise for a few minutes each day. Over time, walk this way more and more.",
        cautions=(STOP_IF_WORSE,),
        drawing="walk-arch.svg",
    ),
    Advice(
        "calf_stretch",
        "Calf stretch",
        (
            "Stand facing a wall with your hands on it.",
            "Put one foot back. Keep that heel on the floor and keep its arch lifted.",
            "Lean towards the wall until you feel a stretch in the back of your lower leg.",
            "Only go as far as you can while the heel stays down and the arch stays up.",
        ),
        src.PROTOCOL_SOLE,
        dose="Hold for {calf_stretch_from} to {calf_stretch_to} minutes on each leg, once or twice a day.",
        cautions=(STOP_IF_WORSE, "If the foot goes flat, ease off the stretch."),
        drawing="calf-stretch.svg",
    ),
    Advice(
        "single_leg_balance",
        "Stand on one leg",
        (
            "Stand next to a worktop or a chair, and hold on.",
            "Lift the arch of your standing foot. Turn the knee out a little.",
            "Lift the other foot off the floor and keep your balance.",
            "As you get better, hold on less. In time, let go.",
        ),
        src.PROTOCOL_SOLE,
        dose="Hold for as long as you can keep the arch up. Do it a few times on each leg each day.",
        cautions=(STOP_IF_WORSE, "Always have something to hold nearby, so you do not fall."),
        drawing="single-leg-balance.svg",
    ),
    GLIDE,
)
BACK_POSTURE = (
    Advice(
        "pelvic_tilt",
        "Flatten your lower back when you stand",
        (
            "Stand tall with your feet a little apart.",
            "Tighten your tummy and gently tuck your bottom under.",
            "Your lower back should feel flatter. This gives the nerves in your back more room.",
            "Try to stand and walk like this during the day.",
        ),
        src.PROTOCOL_SOLE,
        dose="Hold it for a few breaths, then relax. Do it often, mostly when the numbness comes on.",
        cautions=(STOP_IF_WORSE,),
        drawing="pelvic-tilt.svg",
    ),
    Advice(
        "forward_lean",
        "Lean forward a little when you walk",
        (
            "When you walk, lean your upper body forward just a little.",
            "It is like leaning on a shopping trolley. This also gives the nerves in your back more room.",
        ),
        src.PROTOCOL_SOLE,
        dose="Use this when you walk, mostly when the numbness comes on.",
        cautions=(STOP_IF_WORSE,),
        drawing="forward-lean.svg",
    ),
    GLIDE,
)
FOOT_CARE = Advice(
    "foot_care",
    "Look after your feet every day",
    (
        "Your feet cannot feel as well as they should. You may not feel a cut, a blister or a stone in your shoe.",
        "Look at both feet every day, in good light. Check the tops, the soles and between the toes.",
        "Use a mirror, or ask someone to help, if you cannot see well.",
        "Wash your feet each day in warm water, not hot. Test the water with your elbow. Dry well between the toes.",
        "Wear shoes that fit well, with socks. Look and feel inside your shoes before you put them on.",
        "Do not walk barefoot, even at home.",
        "Keep your feet away from heaters and hot water bottles.",
    ),
    src.FOOT,
    cautions=("Call us the same day if you find a cut, a blister or a sore, or if your foot is red, hot or swollen.",),
    drawing="foot-check.svg",
)
FOOT_REVIEW = Advice(
    "foot_review",
    "Have your feet checked",
    (
        "A nurse, a doctor or a foot specialist will check your feet {interval}.",
        "Bring the shoes you wear most. Tell them about any change you have seen.",
    ),
    src.FOOT,
    section=NEXT,
)
BLOOD_SUGAR = Advice(
    "blood_sugar",
    "Keep your blood sugar steady",
    (
        "High blood sugar can harm the nerves to your feet. Keeping it steady helps protect them.",
        "Take any diabetes medicines as your doctor or nurse told you.",
        "Go to your blood sugar checks. A blood test shows how your sugar has been over the past few months.",
    ),
    src.ADA,
)
HEALTHY_FOOD = Advice(
    "healthy_food",
    "Eat well for your nerves",
    (
        "Eat less sugar. Cut down on sweets, cakes and sugary drinks.",
        "Eat plenty of fruit and vegetables every day.",
        "This helps keep your blood sugar steady. It also gives your nerves the vitamins they need.",
    ),
    src.PROTOCOL_SOLE,
)
ACTIVE = Advice(
    "active",
    "Keep active",
    (
        "Do some exercise that makes you breathe a bit faster, such as brisk walking, swimming or cycling.",
        "It helps your blood sugar, your heart and the blood flow to your nerves.",
        "Start slowly and build up. Wear good shoes and socks.",
    ),
    src.PROTOCOL_SOLE,
    dose="Try to be active on most days.",
    cautions=("Check your feet after exercise if they cannot feel well.",),
    drawing="walking.svg",
)
ALCOHOL_LESS = Advice(
    "alcohol_less",
    "Drink less alcohol",
    (
        "Alcohol can harm the nerves to your feet.",
        "Drink no more than {alcohol_possible_above} units of alcohol a week. Spread them over the week.",
        "Have some days each week with no alcohol at all.",
        "Ask us for help to cut down. Help is free and it works.",
    ),
    src.ALCOHOL,
)
ALCOHOL_NONE = Advice(
    "alcohol_none",
    "Do not drink alcohol while you are pregnant",
    (
        "Alcohol can harm your nerves and your baby.",
        "The safest choice is not to drink at all.",
        "Ask us for help to stop. Help is free and it works.",
    ),
    src.PREGNANCY,
)
ALCOHOL_SAFELY = Advice(
    "alcohol_safely",
    "Cut down on alcohol safely, with help",
    (
        "Alcohol can harm the nerves to your feet.",
        "Do not stop drinking all at once on your own. If you drink a lot, a sudden stop can make you very ill.",
        "We will talk with you about help to cut down safely. This may be with a local alcohol service.",
    ),
    src.ALCOHOL,
    cautions=("Get help at once if you have shakes, see things that are not there, or have a fit.",),
)
THIAMINE = Advice(
    "thiamine",
    "Thiamine tablets",
    (
        "Thiamine is a vitamin. People who drink a lot often do not have enough of it.",
        "It helps protect your nerves and your brain. Take the tablets every day as you were told.",
    ),
    src.ALCOHOL,
)
NITROUS = Advice(
    "nitrous",
    "Stop using laughing gas",
    (
        "Laughing gas (nitrous oxide, also called nos or balloons) stops vitamin B12 working. This harms the nerves.",
        "Stop using it now. The nerves can get better when you stop.",
        "Ask us for help to stop. We will not judge you.",
    ),
    src.NITROUS,
)
B12_TREATMENT = Advice(
    "b12_treatment",
    "Vitamin B12 injections",
    (
        "Your body is short of vitamin B12. The nerves need it to work well.",
        "A nurse gives the B12 as an injection into a muscle, often the upper arm.",
        "At first you have an injection every other day. Later you have one every {hydroxocobalamin_maintenance_every}"
        " months.",
        "Most people need these injections for life. The numbness may take months to get better.",
    ),
    src.B12,
    cautions=("Do not take folic acid tablets unless your doctor has told you to.",),
)
FOLIC_ACID = Advice(
    "folic_acid",
    "Folic acid tablets",
    (
        "Folic acid is a vitamin. Your level is low.",
        "Your doctor will start the tablets once your vitamin B12 is checked or treated.",
    ),
    src.B12,
)
PAIN = Advice(
    "nerve_pain",
    "Medicine for nerve pain",
    (
        "Burning or shooting pain from the nerves is not helped much by usual painkillers.",
        "Your doctor may offer a medicine made for nerve pain. It works by calming the nerves.",
        "It can take a few weeks to work. Your doctor may raise the dose slowly.",
    ),
    src.PAIN,
    cautions=(
        "These medicines can make you sleepy or dizzy. Do not drive if you feel drowsy.",
        "Do not stop the medicine all at once. Ask your doctor first.",
    ),
)
MEDICINES = Advice(
    "medicines",
    "A check of your medicines",
    (
        "Some medicines and some vitamin pills can harm the nerves.",
        "Your doctor will look at what you take. Bring all your medicines and pills to your next visit.",
    ),
    src.MEDICINES,
    section=NEXT,
    cautions=("Do not stop any medicine on your own. Ask your doctor first.",),
)
CHEMO = Advice(
    "chemo",
    "A talk with your cancer team",
    (
        "Some cancer medicines can cause numbness in the feet.",
        "We will ask your cancer team if your treatment should change.",
    ),
    src.PROTOCOL_CHRONIC,
    section=NEXT,
    cautions=("Do not change your cancer treatment on your own.",),
)


def _test(key: str, title: str, *steps: str, source: str = src.PROTOCOL_CHRONIC) -> Advice:
    return Advice(key, title, steps, source, section=NEXT)


EXAM = _test(
    "exam",
    "More checks of your feet and legs",
    "A nurse or doctor will finish checking your feet and legs.",
    "They tap your knees and ankles with a small hammer, and test how well you feel touch and buzzing.",
    "It does not hurt. It takes about a quarter of an hour.",
)
SUGAR_TEST = _test(
    "sugar_test",
    "Blood test for sugar",
    "A small sample of blood is taken from your arm.",
    "It shows if your blood sugar is high. High sugar can harm the nerves.",
    "You may be asked not to eat for some hours before the test. The letter or the nurse will tell you.",
)
SUGAR_REPEAT = _test(
    "sugar_repeat",
    "Blood test for sugar, once more",
    "One of your sugar tests was high. We need a second test to be sure.",
    "A small sample of blood is taken from your arm.",
)
SUGAR_DRINK = _test(
    "sugar_drink",
    "Sugary drink test",
    "You come in before breakfast, with nothing to eat that morning.",
    "You have a blood test, then a sweet drink. Two hours later you have another blood test.",
    "Bring something to read. You need to stay in the clinic while you wait.",
    source=src.AAN,
)
B12_TEST = _test(
    "b12_test",
    "Blood test for vitamin B12",
    "A small sample of blood is taken from your arm.",
    "It shows if you are short of vitamin B12. The nerves need it to work well.",
    source=src.B12,
)
MORE_BLOODS = _test(
    "more_bloods",
    "More blood tests",
    "We will check a few more things in your blood, such as your thyroid gland, proteins and minerals.",
    "The results go to the specialist with your letter. One sample from your arm is usually enough.",
    source=src.AAN,
)
THYROID = _test(
    "thyroid",
    "Blood test for your thyroid gland",
    "Your thyroid gland helps control how your body uses energy. A slow thyroid can cause numbness.",
    "A small sample of blood is taken from your arm.",
    source=src.NICE_NG127,
)
ABI = _test(
    "abi",
    "Blood flow test for your legs",
    "A nurse checks the blood pressure at your ankles and in your arms, using cuffs like a normal blood pressure"
    " check.",
    "It shows how well blood gets to your feet. You lie down for it. It does not hurt.",
    source=src.PAD,
)
BACK_CHECK_TODAY = _test(
    "back_check_today",
    "A check today for a trapped nerve in your back",
    "A doctor needs to see you today.",
    "They ask about your bladder, your bowels, your sex life and the feeling between your legs.",
    "They may check the feeling around your bottom. This is to rule out a rare but serious problem.",
    source=src.CES,
)
SUGAR_CHECK_TODAY = _test(
    "sugar_check_today",
    "A check today because your blood sugar is very high",
    "A nurse or doctor needs to see you today.",
    "They prick your finger to test for ketones, which show the body is short of insulin, and check you drink enough.",
    "Some people need to go to hospital for a short time to bring the sugar down.",
    source=src.JBDS,
)
NEUROLOGY = _test(
    "neurology",
    "A nerve specialist (neurologist)",
    "We are asking a neurologist to see you. A neurologist is a doctor who treats nerves, the brain and the spine.",
    "The hospital will send you a letter or call you with the date.",
)
NCS_EMG = _test(
    "ncs_emg",
    "Nerve tests (nerve conduction study and EMG)",
    "A nerve conduction study checks how fast signals travel along your nerves.",
    "Small pads are put on your skin. You feel short electric taps, like a flick. They can be a bit uncomfortable,"
    " but they are quick.",
    "For the EMG, a very thin needle is put into a few muscles to listen to them. It may sting a little.",
    "The tests take about an hour in total. You can go home straight after.",
    "On the day, do not put cream on your legs, and keep your feet warm. Tell them if you take blood thinners.",
)
BRAIN_SPINE = _test(
    "brain_spine",
    "Checks of your brain and spine",
    "Some signs we found can come from the brain or the spinal cord.",
    "The specialist will examine you and may arrange a scan, such as an MRI. A scan makes pictures of the inside of"
    " your body.",
    source=src.NICE_NG127,
)
NEURO_REVIEW = _test(
    "neuro_review",
    "A review by your nerve specialist",
    "You have had a problem in the brain or spinal cord before. The specialist will check if this is the cause.",
    source=src.PROTOCOL_SOLE,
)
GENETIC = _test(
    "genetic",
    "Does it run in the family?",
    "Some nerve problems run in families. The specialist may ask about your family and may offer a blood test.",
    source=src.AAN_GENETIC,
)


def _service(key: str, title: str, *steps: str, source: str) -> Advice:
    return _test(key, title, *steps, source=source)


SPINAL = _service(
    "spinal",
    "The spinal team",
    "A nerve in your back may be pinched, and your leg is weak. The spinal team will see you soon.",
    "They may arrange a scan of your back.",
    source=src.BACK,
)
VASCULAR = _service(
    "vascular",
    "The blood vessel team",
    "The blood flow to your legs is low. The blood vessel team will check your arteries and talk about treatment.",
    source=src.PAD,
)
DIABETIC_FOOT = _service(
    "diabetic_foot",
    "The diabetes foot team",
    "There is a problem with your foot that needs quick care. The diabetes foot team will see you very soon.",
    "Keep weight off the foot as much as you can until they see you.",
    source=src.FOOT,
)
FOOT_PROTECTION = _service(
    "foot_protection_service",
    "The foot protection team",
    "Foot specialists will check your feet, your shoes and your skin.",
    "They help you keep your feet safe and may give you insoles or special shoes.",
    source=src.FOOT,
)
PODIATRY = _service(
    "podiatry",
    "A foot specialist (podiatrist)",
    "A podiatrist will look at how you stand and walk.",
    "They may advise on shoes or give you insoles to support the arch of your foot.",
    source=src.PROTOCOL_SOLE,
)
PHYSIO = _service(
    "physio",
    "A physiotherapist",
    "A physiotherapist helps you move well. They will show you exercises for your back and check how you do them.",
    "Most back problems like yours get better with time and exercise. A scan is not needed now.",
    source=src.BACK,
)
HAEMATOLOGY = _service(
    "haematology",
    "A blood specialist",
    "A blood specialist (haematologist) will look at your blood test results and may do more tests.",
    source=src.AAN,
)
STROKE_CLINIC = _service(
    "stroke_clinic",
    "The stroke clinic",
    "Your numbness started suddenly. This may have been a small stroke, or a mini stroke that has passed.",
    "A stroke doctor will see you soon to check and to lower the risk of another one.",
    source=src.STROKE,
)
MS_TEAM = _service(
    "ms_team",
    "Your multiple sclerosis team",
    "Your new symptoms may be a flare of your multiple sclerosis. We will contact your team.",
    "If treatment is needed, it works best when it starts early.",
    source=src.MS,
)
PAEDIATRICS = _service(
    "paediatrics",
    "A children's doctor",
    "A doctor who looks after children and young people will see you.",
    source=src.CHILDREN,
)
ANTENATAL = _service(
    "antenatal",
    "The pregnancy diabetes team",
    "Your blood sugar is high for pregnancy. The pregnancy diabetes team will see you very soon.",
    "They help keep you and your baby healthy.",
    source=src.PREGNANCY,
)

# Step code -> what the patient is told. One place for a clinical lead to review.
ADVICE: dict[str, tuple[Advice, ...]] = {
    "complete_exam": (EXAM,),
    "order_glucose_test": (SUGAR_TEST,),
    "confirm_diabetes": (SUGAR_REPEAT,),
    "order_ogtt": (SUGAR_DRINK,),
    "order_b12": (B12_TEST,),
    "order_active_b12": (B12_TEST,),
    "order_mma": (B12_TEST,),
    "order_spep": (MORE_BLOODS,),
    "order_tsh": (MORE_BLOODS,),
    "order_copper": (MORE_BLOODS,),
    "order_b6": (MORE_BLOODS,),
    "order_abi": (ABI,),
    "check_thyroid_function": (THYROID,),
    "assess_cauda_equina_today": (BACK_CHECK_TODAY,),
    "assess_hyperglycaemia_today": (SUGAR_CHECK_TODAY,),
    "refer_neurology": (NEUROLOGY,),
    "refer_spinal": (SPINAL,),
    "refer_vascular": (VASCULAR,),
    "refer_diabetic_foot_service": (DIABETIC_FOOT,),
    "refer_foot_protection_service": (FOOT_PROTECTION,),
    "refer_podiatry": (PODIATRY,),
    "refer_physiotherapy": (PHYSIO,),
    "refer_haematology": (HAEMATOLOGY,),
    "refer_stroke_service": (STROKE_CLINIC,),
    "contact_ms_team": (MS_TEAM,),
    "refer_paediatrics": (PAEDIATRICS,),
    "refer_antenatal_diabetes": (ANTENATAL,),
    "review_medicines": (MEDICINES,),
    "review_neurotoxic_drugs": (CHEMO,),
    "foot_review": (FOOT_REVIEW,),
    "foot_posture_exercises": FOOT_POSTURE,
    "back_posture_exercises": BACK_POSTURE,
    "foot_protection": (FOOT_CARE,),
    "manage_glycaemia": (BLOOD_SUGAR, HEALTHY_FOOD, ACTIVE),
    "healthy_lifestyle": (HEALTHY_FOOD, ACTIVE),
    "reduce_alcohol": (ALCOHOL_LESS,),
    "assess_alcohol_dependence": (ALCOHOL_SAFELY,),
    "start_thiamine": (THIAMINE,),
    "stop_nitrous_oxide": (NITROUS,),
    "treat_b12_deficiency": (B12_TREATMENT,),
    "treat_folate_deficiency": (FOLIC_ACID,),
    "neuropathic_pain_treatment": (PAIN,),
}
# A referral's requests add what the specialist will do; pregnancy changes the alcohol advice.
REQUEST_ADVICE: dict[str, Advice] = {
    "ncs": NCS_EMG,
    "emg": NCS_EMG,
    "brain_spine_assessment": BRAIN_SPINE,
    "neurology_review": NEURO_REVIEW,
    "genetic_assessment": GENETIC,
}
VARIANTS: dict[tuple[str, str], Advice] = {("reduce_alcohol", engine_text.PREGNANCY_ALCOHOL): ALCOHOL_NONE}

# --- When to get help (safety net) ----------------------------------------------------------------------------------

# The red flags of the rules (vocab.RED_FLAGS), in the patient's words.
RED_FLAG_WORDS: dict[str, str] = {
    "sudden_severe_numbness": "Your leg, arm or face goes numb or weak all of a sudden.",
    "face_arm_speech_symptoms": "Your face droops on one side, you cannot lift one arm, or your speech is slurred.",
    "rapidly_progressive_weakness": "Your legs or arms get weaker over hours or days, or the weakness spreads up"
    " your body.",
    "breathing_or_swallowing_difficulty": "You find it hard to breathe or to swallow.",
    "bladder_or_bowel_dysfunction": "You cannot control your bladder or bowels, or you cannot pass urine.",
    "saddle_numbness": "You feel numb between your legs or around your bottom.",
    "cold_pale_pulseless_foot": "Your foot turns cold, pale or blue, and it hurts.",
}
SEE_GP_WORDS: tuple[str, ...] = (
    "The numbness spreads up your legs or into your hands.",
    "You have new weakness in your legs, or you trip or fall.",
    "The numbness or pain gets worse, even with the advice in this leaflet.",
    "The pain keeps you awake at night.",
)
SAFETY_SOURCE = f"{src.NICE_NG127}; {src.PROTOCOL_CHRONIC}"
GO_NOW = Advice(
    "go_now",
    "Go to hospital now",
    (
        "Call 999 now, or go straight to the emergency department (A&E) at a hospital.",
        "Do not wait to see if it gets better. Do not drive yourself.",
        "Take this sheet with you and show it to the staff.",
    ),
    f"{src.PROTOCOL_CHRONIC}; {src.NICE_NG127}",
    section="help",
)

# --- What we found so far --------------------------------------------------------------------------------------------

PATTERN_WORDS: dict[str, str] = {
    "length_dependent": "The feeling in both feet is less than it should be, starting at the toes. This pattern"
    " often comes from the long nerves that run to the feet.",
    "focal": "The numbness is in one foot. This often comes from a nerve that is squeezed near the ankle or in the"
    " foot.",
    "radicular": "The numbness follows the path of a nerve from your lower back. This often comes from a nerve that"
    " is pinched in the back.",
    "central": "Some of the signs we found can come from the brain or the spinal cord. A specialist needs to check"
    " this.",
    "undetermined": "We do not know yet where the numbness comes from.",
}
# Each cause the engine can name, as a patient reads it: (what it is, why it matters).
CAUSE_WORDS: dict[str, tuple[str, str]] = {
    "stroke": ("a stroke", "A stroke needs care at once."),
    "guillain_barre": ("a problem where the body's defences attack the nerves", "This needs care at once."),
    "cauda_equina": ("pressure on the nerves at the bottom of the spine", "This needs care at once."),
    "acute_limb_ischaemia": ("a blocked blood vessel in the leg", "This needs care at once."),
    "limb_threatening_foot": ("a serious problem in the foot", "This needs care at once."),
    "diabetes": ("diabetes", "High blood sugar can harm the nerves to the feet."),
    "prediabetes": ("blood sugar that is a little high", "Keeping it down helps protect the nerves."),
    "gestational_diabetes": ("high blood sugar in pregnancy", "This needs care to keep you and your baby well."),
    "b12_deficiency": ("a low level of vitamin B12", "The nerves need vitamin B12 to work well."),
    "alcohol": ("alcohol", "Drinking a lot of alcohol can harm the nerves."),
    "chemotherapy": ("cancer medicine", "Some cancer medicines can harm the nerves."),
    "pad": ("poor blood flow to the legs", "The nerves need a good blood supply."),
    "cidp": ("a problem where the body's defences attack the nerves", "A specialist can treat this."),
    "paraproteinaemic_neuropathy": ("an unusual protein in the blood", "It can affect the nerves."),
    "hypothyroidism": ("a slow thyroid gland", "This can cause numbness, and it can be treated."),
    "folate_deficiency": ("a low level of folic acid, a vitamin", "The nerves need it to work well."),
    "renal": ("kidneys that do not work as well as they should", "This can affect the nerves."),
    "tarsal_tunnel": ("a nerve that is squeezed on the inside of the ankle", "This can often be eased."),
    "plantar_nerve_compression": ("a nerve that is squeezed under the foot", "This can often be eased."),
    "lumbar_radiculopathy": ("a nerve that is pinched in the lower back", "This often gets better with time."),
    "cns_disorder": ("a problem in the brain or spinal cord", "A specialist will check this."),
    "charcot_foot": ("damage to the bones and joints of the foot", "This needs quick care."),
    "drug_induced_neuropathy": ("a medicine you take", "Some medicines can harm the nerves."),
    "hereditary_neuropathy": ("a nerve problem that runs in families", "A specialist will check this."),
    "b6_deficiency": ("a low level of vitamin B6", "The nerves need it to work well."),
    "b6_toxicity": ("too much vitamin B6", "Too much of this vitamin can harm the nerves."),
    "copper_deficiency": ("a low level of copper in the blood", "The nerves need it to work well."),
    "hypocalcaemia": ("a low level of calcium in the blood", "This can cause numbness and tingling."),
    "hypomagnesaemia": ("a low level of magnesium in the blood", "This can cause numbness and tingling."),
}
CERTAINTY_LEAD = {
    "confirmed": "Your tests show {what}.",
    "likely": "The likely cause is {what}.",
    "possible": "Something that may play a part is {what}.",
}
FINDING_WORDS: dict[str, str] = {
    "lops": "Your feet cannot feel light touch well. This means you may not notice a cut or a blister.",
}
NOTHING_FOUND = "We have not found the cause yet. The next steps below will help us find it."
# How soon, in the patient's words; the other timeframes read their words from the vocabulary.
WHEN_WORDS = {
    "now": "now",
    "same_day": "today",
    "within_1_working_day": "by the end of the next working day",
    "routine": "we will write to you or call you with the date",
}
FOOT_INTERVALS = {
    "low": "every {foot_review_low_every} year",
    "moderate": "every {foot_review_moderate_from} to {foot_review_moderate_to} months",
    "high": "every {foot_review_high_from} to {foot_review_high_to} months",
}


def patient_steps() -> frozenset[str]:
    """Every step code the patient is told about (all but the clinician-only ones and the emergency)."""
    from workup.rules.build import STEP_ORDER

    return frozenset(STEP_ORDER) - CLINICIAN_ONLY - {"emergency_care", "safety_net"}


def all_entries() -> list[Advice]:
    """Every advice entry, once each, numbers filled in: what a reviewer (and the readability test) reads."""
    seen: dict[str, Advice] = {}
    pool = [a for group in ADVICE.values() for a in group] + [*REQUEST_ADVICE.values(), *VARIANTS.values(), GO_NOW]
    for advice in pool:
        seen.setdefault(advice.key, _filled(advice, risk="moderate"))
    return list(seen.values())


# --- Building one patient's handout ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    advice: Advice
    when: str = ""
    urgent: bool = False


@dataclass
class Handout:
    """Everything one patient's handout prints, in the order it prints it."""

    patient_name: str
    date_of_birth: str
    clinic_name: str
    clinic_phone: str
    date: str
    large_print: bool
    emergency: bool
    ruleset: str = ""
    found: list[str] = field(default_factory=list)
    next: list[Item] = field(default_factory=list)
    home: list[Item] = field(default_factory=list)
    red_flags_present: list[str] = field(default_factory=list)

    @property
    def go_now(self) -> Advice:
        return GO_NOW

    @property
    def call_999(self) -> list[str]:
        return [RED_FLAG_WORDS[code] for code, _ in vocab.RED_FLAGS]

    @property
    def see_gp(self) -> tuple[str, ...]:
        return SEE_GP_WORDS

    def titles(self) -> list[str]:
        """What the patient was given, in words (recorded when the handout is given, listed in the letter)."""
        if self.emergency:
            return [GO_NOW.title]
        return [item.advice.title for item in (*self.next, *self.home)] + ["When to get help"]


def build(
    *,
    patient: Patient,
    clinic: Clinic,
    recommendation: dict[str, Any],
    case: dict[str, Any],
    on: date,
    large_print: bool = False,
) -> Handout:
    """The handout for one patient's recommendation: only the advice that applies to it."""
    handout = Handout(
        patient_name=f"{patient.given_name} {patient.family_name}",
        date_of_birth=letters._date(patient.date_of_birth),
        clinic_name=clinic.name,
        clinic_phone=clinic.phone,
        date=letters._date(on),
        large_print=large_print,
        emergency=recommendation.get("stage") == "emergency",
        ruleset=recommendation.get("ruleset", ""),
    )
    if handout.emergency:
        flags = case.get("presentation", {}).get("red_flags") or []
        handout.red_flags_present = [RED_FLAG_WORDS[f] for f in flags if f in RED_FLAG_WORDS]
        return handout
    handout.found = found_words(recommendation)
    seen: set[str] = set()
    for step in recommendation.get("next_steps", []):
        for advice in entries_for(step, recommendation):
            if advice.key in seen:
                continue
            seen.add(advice.key)
            item = Item(advice, when=when_words(step, advice), urgent=step["urgency"] != "routine")
            (handout.next if advice.section == NEXT else handout.home).append(item)
    return handout


def for_workup(workup: Workup, *, large_print: bool = False, today: date | None = None) -> Handout | None:
    """The handout for a stored workup as the engine reads it now; None while the workup has problems to correct."""
    day = today or timezone.localdate()
    evaluation = evaluate_workup(workup, today=day)
    if evaluation.recommendation is None:
        return None
    patient = workup.patient
    return build(
        patient=patient,
        clinic=patient.clinic,
        recommendation=evaluation.recommendation,
        case=evaluation.case,
        on=day,
        large_print=large_print,
    )


def entries_for(step: dict[str, Any], recommendation: dict[str, Any]) -> list[Advice]:
    """The entries one step of the recommendation gives the patient, numbers filled in."""
    code = step["code"]
    base = VARIANTS.get((code, step.get("text", "")))
    entries = [base] if base else list(ADVICE.get(code, ()))
    entries += [REQUEST_ADVICE[r] for r in step.get("requests", []) if r in REQUEST_ADVICE]
    risk = foot_risk(step) if code == "foot_review" else "moderate"
    return [_filled(advice, risk=risk) for advice in entries]


def _filled(advice: Advice, *, risk: str) -> Advice:
    if advice is FOOT_REVIEW:
        interval = _every(FOOT_INTERVALS[risk])
        advice = replace(advice, steps=tuple(s.replace("{interval}", interval) for s in advice.steps))
    return advice.filled()


def _every(template: str) -> str:
    """'every 1 year' reads 'once a year'."""
    words = fill(template)
    return "once a year" if words == "every 1 year" else words


def foot_risk(step: dict[str, Any]) -> str:
    """The foot risk class behind a foot review step: the one whose engine text the step carries."""
    return next((r for r in engine_text.FOOT_REVIEW if engine_text.foot_review_text(r) == step["text"]), "moderate")


def when_words(step: dict[str, Any], advice: Advice) -> str:
    """How soon a test or referral happens, in the patient's words ('' for advice to follow at home)."""
    if advice.section != NEXT:
        return ""
    timeframe = step.get("timeframe", "routine")
    return WHEN_WORDS.get(timeframe) or vocab.label(vocab.TIMEFRAMES, timeframe).lower()


def found_words(recommendation: dict[str, Any]) -> list[str]:
    """What the workup has found so far, one idea to a paragraph."""
    said = [PATTERN_WORDS[recommendation["pattern"]]] if recommendation.get("pattern") in PATTERN_WORDS else []
    for cause in recommendation.get("causes", []):
        what, why = CAUSE_WORDS[cause["code"]]
        said.append(f"{CERTAINTY_LEAD[cause['certainty']].format(what=what)} {why}")
    if not recommendation.get("causes"):
        said.append(NOTHING_FOUND)
    codes = {f["code"] for f in recommendation.get("findings", [])}
    said += [words for code, words in FINDING_WORDS.items() if code in codes]
    return said


# --- HTML and PDF ----------------------------------------------------------------------------------------------------


@functools.cache
def drawing_svg(name: str) -> SafeString:
    """A drawing's SVG markup, inlined so neither the browser nor WeasyPrint fetches anything."""
    path = (HANDOUTS_STATIC / name).resolve()
    if path.parent != HANDOUTS_STATIC or path.suffix != ".svg":
        raise ValueError(f"not a handout drawing: {name!r}")
    svg = path.read_text(encoding="utf-8")
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - our own file in the repository, not user input


def css_string(value: str) -> str:
    """A value as a CSS string literal (for the page header), safe inside a <style> element."""
    clean = re.sub(r"[\x00-\x1f\x7f]", " ", value)
    escaped = clean.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace(">", "\\3e ")
    return f'"{escaped}"'


def context(handout: Handout, *, print_view: bool = False, **extra: Any) -> dict[str, Any]:
    """What the handout templates print; the print view adds its toolbar's links (``extra``)."""
    home = [(item, drawing_svg(item.advice.drawing) if item.advice.drawing else None) for item in handout.home]
    return {
        "h": handout,
        "home": home,
        "print_view": print_view,
        "page_header": css_string(f"{handout.patient_name}  ·  born {handout.date_of_birth}"),
        "page_footer": css_string(f"{handout.clinic_name}  ·  {handout.date}"),
        **extra,
    }


def render_html(handout: Handout, *, print_view: bool = False, **extra: Any) -> str:
    """The whole handout as an HTML document (for WeasyPrint, or for the browser's print view)."""
    html = render_to_string("handouts/document.html", context(handout, print_view=print_view, **extra))
    return letters.INDENT.sub("\n", html)


def render_pdf(handout: Handout) -> letters.RenderedPdf:
    """The handout as a PDF/A-3b through the letter's pipeline; raise letters.RenderError if WeasyPrint fails."""
    renderer = _renderer(settings.LETTER_PAPER)
    try:
        document = renderer.html(render_html(handout)).render(
            stylesheets=renderer.stylesheets, font_config=renderer.font_config, **letters.PDF_OPTIONS
        )
        pdf = document.write_pdf(**letters.PDF_OPTIONS)
    except Exception as exc:
        raise letters.RenderError(f"The handout could not be produced ({type(exc).__name__}: {exc}).") from exc
    return letters.RenderedPdf(pdf=pdf, pages=len(document.pages))


class _Renderer:
    """WeasyPrint objects built once per process and paper size, with the letter's static-only URL fetcher."""

    def __init__(self, paper: str) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.fetcher = letters.static_only_fetcher()
        self.font_config = FontConfiguration()
        self.stylesheets = [
            weasyprint.CSS(filename=str(HANDOUT_CSS), url_fetcher=self.fetcher, font_config=self.font_config),
            weasyprint.CSS(string=f"@page {{ size: {letters.PAPER_SIZES[paper]}; }}", font_config=self.font_config),
        ]
        self._html = weasyprint.HTML

    def html(self, html: str) -> Any:
        return self._html(string=html, base_url=letters.LETTERS_STATIC.as_uri() + "/", url_fetcher=self.fetcher)


@functools.cache
def _renderer(paper: str) -> _Renderer:
    return _Renderer(paper)
