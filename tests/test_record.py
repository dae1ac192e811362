"""The patient's record: coded medicines that every workup reads, allergies with an explicit "none known", audit."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from workup.cases import workup_to_case
from workup.models import Allergy, AuditEvent, Medication, MedicineTerm, Patient, Problem, Workup
from workup.rules import vocab
from workup.services import record
from workup.services.workups import evaluate_workup

pytestmark = pytest.mark.django_db


@pytest.fixture
def medicines(db: Any) -> None:
    call_command("loaddata", "medicines", verbosity=0)


def add(user: Any, patient: Patient, which: str, **data: Any) -> Any:
    return record.save_entry(user=user, patient=patient, kind=which, data=data)


# The vocabulary


def test_every_medicine_in_the_vocabulary_maps_to_a_code_the_engine_reads() -> None:
    rows = json.loads((settings.BASE_DIR / "fixtures" / "medicines.json").read_text())
    codes = {"medication": dict(vocab.MEDICATIONS), "chemotherapy": dict(vocab.CHEMOTHERAPY)}
    for row in rows:
        fields = row["fields"]
        assert fields["engine_code"] in codes[fields["kind"]], fields["name"]
        assert fields["snomed_ct"] == "" or fields["snomed_ct"].isdigit()
    assert {f["fields"]["engine_code"] for f in rows if f["fields"]["kind"] == "medication"} == set(codes["medication"])


def test_a_typed_name_matches_the_vocabulary_whatever_its_case_and_spacing(medicines: None) -> None:
    term = record.term_for("  metFORMIN ")
    assert term is not None and term.engine_code == "metformin"
    assert record.term_for("Sertraline") is None


# Reading: "not asked" is not "none"


def test_a_new_patient_has_every_list_not_asked(patient: Patient) -> None:
    assert record.medications_for(patient).words() == ["Not asked"]
    assert record.allergies_for(patient).words() == ["Not asked"]
    assert record.problems_for(patient).not_asked
    assert record.social_history_for(patient).smoking == "Not asked"


def test_no_known_allergies_is_an_answer_distinct_from_not_asked(patient: Patient, intake: Any) -> None:
    record.answer_none(user=intake, patient=patient, kind="allergy")
    allergies = record.allergies_for(patient)
    assert allergies.status == "none_known" and allergies.answered_none and not allergies.not_asked
    assert allergies.words() == ["No known allergies"]


def test_no_known_allergies_is_refused_while_allergies_are_listed(patient: Patient, intake: Any) -> None:
    add(intake, patient, "allergy", substance="Penicillin", reaction="Rash", severity="moderate", kind="allergy")
    with pytest.raises(record.RecordConflict):
        record.answer_none(user=intake, patient=patient, kind="allergy")


def test_allergies_read_as_plain_lines_for_the_letter(patient: Patient, intake: Any) -> None:
    add(intake, patient, "allergy", substance="Penicillin", reaction="Anaphylaxis", severity="severe", kind="allergy")
    add(intake, patient, "allergy", substance="Codeine", reaction="Vomiting", severity="", kind="adverse_reaction")
    assert record.allergies_for(patient).words() == [
        "Codeine (adverse reaction): Vomiting",
        "Penicillin: Anaphylaxis, severe",
    ]


def test_medications_read_with_dose_frequency_and_start(patient: Patient, intake: Any, medicines: None) -> None:
    add(
        intake,
        patient,
        "medication",
        name="Metformin",
        dose="500 mg",
        frequency="twice a day",
        started_on=date(2020, 1, 6),
    )
    meds = record.medications_for(patient)
    assert meds.words() == ["Metformin, 500 mg, twice a day, since 06 Jan 2020"]
    assert meds.items[0].code == "metformin" and meds.items[0].snomed_ct == "372567009"


def test_stopped_medicines_are_not_current(patient: Patient, intake: Any, medicines: None) -> None:
    add(intake, patient, "medication", name="Amiodarone", started_on=date(2019, 1, 1), stopped_on=date(2021, 1, 1))
    assert record.medications_for(patient).words() == ["No current medicines"]
    assert len(record.medications_for(patient, include_stopped=True).items) == 1


# Writing is audited


def test_adding_and_changing_a_medicine_is_audited_with_before_and_after(patient: Patient, intake: Any) -> None:
    med = add(intake, patient, "medication", name="Metformin", dose="500 mg")
    record.save_entry(
        user=intake, patient=patient, kind="medication", data={"name": "Metformin", "dose": "1 g"}, entry=med
    )
    events = AuditEvent.objects.filter(object_type="medication", object_id=str(med.pk)).order_by("id")
    assert [e.action for e in events] == ["create", "change"]
    assert events[1].changes == {"dose": ["500 mg", "1 g"]} and events[1].patient_id == patient.pk


def test_removing_the_last_entry_leaves_the_list_not_asked_and_the_audit_keeps_it(
    patient: Patient, intake: Any
) -> None:
    problem = add(intake, patient, "problem", description="Hypothyroidism", since_year=2015)
    record.remove_entry(user=intake, entry=problem)
    assert not Problem.objects.exists()
    assert record.problems_for(Patient.objects.get(pk=patient.pk)).not_asked
    event = AuditEvent.objects.get(action="delete", object_type="problem")
    assert event.changes is not None and event.changes["description"] == ["Hypothyroidism", None]


def test_an_entry_of_another_patient_is_refused(patient: Patient, intake: Any, clinic: Any) -> None:
    other = Patient.objects.create(
        clinic=clinic, given_name="A", family_name="B", date_of_birth=date(1970, 1, 1), sex="male", identifier="X1"
    )
    allergy = add(intake, other, "allergy", substance="Latex")
    with pytest.raises(ValueError):
        record.save_entry(user=intake, patient=patient, kind="allergy", data={"substance": "x"}, entry=allergy)
    assert Allergy.objects.get(pk=allergy.pk).substance == "Latex"


def test_social_history_is_saved_and_audited(patient: Patient, intake: Any) -> None:
    record.save_social_history(
        user=intake,
        patient=patient,
        data={"smoking_status": "former", "occupation": "Painter", "family_history_neuropathy": True},
    )
    social = record.social_history_for(patient)
    assert (social.smoking, social.occupation, social.family_history_neuropathy) == ("Ex-smoker", "Painter", True)
    event = AuditEvent.objects.get(action="change", object_type="patient")
    assert event.changes is not None and event.changes["smoking_status"] == ["", "former"]


# Every workup reads the patient's record


def _plain_workup(patient: Patient, user: Any, **fields: Any) -> Workup:
    return Workup.objects.create(patient=patient, created_by=user, updated_by=user, **fields)


def test_metformin_typed_once_is_a_medication_and_a_b12_risk_in_every_workup(
    patient: Patient, intake: Any, medicines: None
) -> None:
    first, second = _plain_workup(patient, intake), _plain_workup(patient, intake, b12_risks=["vegan_diet"])
    add(intake, patient, "medication", name="metformin", dose="500 mg")
    assert workup_to_case(first)["history"] == {"b12_risks": ["metformin"], "medications": ["metformin"]}
    assert workup_to_case(second)["history"]["b12_risks"] == ["metformin", "vegan_diet"]


def test_a_medicine_the_workup_already_holds_is_not_listed_twice(
    patient: Patient, intake: Any, medicines: None
) -> None:
    workup = _plain_workup(patient, intake, medications=["metformin", "statin"], b12_risks=["metformin"])
    add(intake, patient, "medication", name="Metformin")
    add(intake, patient, "medication", name="Omeprazole")
    history = workup_to_case(workup)["history"]
    assert history["medications"] == ["metformin", "proton_pump_inhibitor", "statin"]
    assert history["b12_risks"] == ["metformin", "proton_pump_inhibitor"]


def test_chemotherapy_on_the_record_counts_even_after_it_stopped(
    patient: Patient, intake: Any, medicines: None
) -> None:
    add(intake, patient, "medication", name="Oxaliplatin", started_on=date(2024, 1, 1), stopped_on=date(2024, 6, 1))
    assert workup_to_case(_plain_workup(patient, intake))["history"]["chemotherapy"] == ["platinum"]


def test_free_text_medicines_tell_the_engine_nothing_coded(patient: Patient, intake: Any, medicines: None) -> None:
    add(intake, patient, "medication", name="Sertraline")
    history = workup_to_case(_plain_workup(patient, intake))["history"]
    assert history == {"medications": []}  # asked, none of the medicines the engine reads


def test_no_record_leaves_the_history_as_the_workup_holds_it(patient: Patient, intake: Any) -> None:
    assert "history" not in workup_to_case(_plain_workup(patient, intake))


def test_no_current_medicines_is_an_answer_the_engine_reads(patient: Patient, intake: Any) -> None:
    record.answer_none(user=intake, patient=patient, kind="medication")
    assert workup_to_case(_plain_workup(patient, intake))["history"] == {"medications": []}


def test_family_history_on_the_patient_feeds_the_case_unless_the_workup_answers(patient: Patient, intake: Any) -> None:
    record.save_social_history(user=intake, patient=patient, data={"family_history_neuropathy": True})
    assert workup_to_case(_plain_workup(patient, intake))["history"] == {"family_history_neuropathy": True}
    own = _plain_workup(patient, intake, family_history_neuropathy=False)
    assert workup_to_case(own)["history"]["family_history_neuropathy"] is False


def test_the_engine_sees_metformin_from_the_record(workup: Workup, intake: Any, medicines: None) -> None:
    Workup.objects.filter(pk=workup.pk).update(b12_risks=None)
    workup.refresh_from_db()
    add(intake, workup.patient, "medication", name="Metformin")
    evaluation = evaluate_workup(workup)
    assert evaluation.ok and evaluation.case["history"]["b12_risks"] == ["metformin"]


def test_medicine_terms_load_from_the_shipped_fixture(medicines: None) -> None:
    assert MedicineTerm.objects.filter(kind="chemotherapy").exists()
    assert Medication.objects.count() == 0
