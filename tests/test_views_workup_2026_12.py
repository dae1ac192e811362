"""The workup page records every 2026.12 input and shows its effect on the recommendation (ruleset 2026.12)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_workup, typical_case
from tests.test_views_labs import labs_post
from tests.test_views_workup import detail, exam, history, presentation, section_url, text
from workup import rules
from workup.models import Patient, Workup
from workup.rules import vocab
from workup.services.workups import create_workup, evaluate_workup

pytestmark = pytest.mark.django_db
YESTERDAY = (timezone.localdate() - timedelta(days=1)).isoformat()


def saved(workup: Workup) -> Workup:
    return Workup.objects.get(pk=workup.pk)


def steps(workup: Workup) -> dict[str, dict[str, Any]]:
    rec = evaluate_workup(saved(workup)).recommendation or {}
    return {step["code"]: step for step in rec.get("next_steps", [])}


def causes(workup: Workup) -> dict[str, str]:
    rec = evaluate_workup(saved(workup)).recommendation or {}
    return {cause["code"]: cause["certainty"] for cause in rec.get("causes", [])}


@pytest.fixture
def started(patient: Any, intake: Any) -> Workup:
    return create_workup(user=intake, patient=patient)


# Red flags asked, not assumed


def test_red_flags_not_answered_are_asked_above_everything_with_the_way_to_answer(
    login: Any, intake: Any, started: Workup
) -> None:
    client = login(intake)
    client.post(section_url(started, "presentation"), presentation(red_flags_none=None))
    assert saved(started).red_flags is None and saved(started).stage == "red_flags"
    page = text(client.get(detail(started)))
    question = page.index('id="red-flag-question"')
    assert "Red flags not asked yet" in page and 'href="#red-flags"' in page
    assert question < page.index('class="stage-steps"') < page.index("Next steps")
    assert 'id="red-flags"' in page  # the fieldset the link lands on


def test_none_of_these_answers_the_red_flags(login: Any, intake: Any, started: Workup) -> None:
    client = login(intake)
    client.post(section_url(started, "presentation"), presentation())
    assert saved(started).red_flags == [] and saved(started).stage == "exam"
    assert 'id="red-flag-question"' not in text(client.get(detail(started)))


def test_none_of_these_with_a_flag_is_shown_as_an_error_and_nothing_is_saved(
    login: Any, intake: Any, started: Workup
) -> None:
    data = presentation(red_flags=["saddle_numbness"]) | {"presentation-red_flags_none": "on"}
    page = text(login(intake).post(section_url(started, "presentation"), data))
    assert "contradict each other" in page and saved(started).presentation_version == 0


# Notes


def test_notes_naming_a_red_flag_word_ask_for_a_check_until_it_is_recorded(
    login: Any, intake: Any, started: Workup
) -> None:
    client = login(intake)
    notes = "Mentions some saddle tingling last week."
    client.post(section_url(started, "presentation"), presentation(notes=notes))
    assert "check_red_flags" in steps(started) and saved(started).stage == "red_flags"
    page = text(client.get(detail(started)))
    assert "The notes may mention a red flag" in page and 'href="#presentation-notes"' in page

    client.post(section_url(started, "presentation"), presentation(version=1, notes=notes, notes_checked="on"))
    assert saved(started).notes_checked is True and "check_red_flags" not in steps(started)


def test_changed_notes_are_checked_again(login: Any, intake: Any, started: Workup) -> None:
    client = login(intake)
    client.post(section_url(started, "presentation"), presentation(notes="Saddle fine.", notes_checked="on"))
    assert saved(started).notes_checked is True
    client.post(
        section_url(started, "presentation"),
        presentation(version=1, notes="Saddle fine. New bladder urgency.", notes_checked="on"),
    )
    assert saved(started).notes_checked is False and "check_red_flags" in steps(started)


# History


def test_shooting_pain_offers_neuropathic_pain_treatment(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(workup, "presentation"), presentation(symptoms=["numbness", "shooting_pain"]))
    assert "neuropathic_pain_treatment" in steps(workup)
    assert "amitriptyline" in text(client.get(detail(workup)))


def test_a_neurotoxic_medicine_is_reviewed(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(workup, "history"), history(medications=["isoniazid", "statin"]))
    assert saved(workup).medications == ["isoniazid", "statin"]
    assert "review_medicines" in steps(workup) and "drug_induced_neuropathy" in causes(workup)
    assert "pyridoxine" in text(client.get(detail(workup))).lower()


def test_family_history_suggests_a_hereditary_neuropathy(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(workup, "history"), history(family_history_neuropathy="True"))
    assert saved(workup).family_history_neuropathy is True
    assert "hereditary_neuropathy" in causes(workup)
    assert vocab.label(vocab.CAUSES, "hereditary_neuropathy") in text(client.get(detail(workup)))


def test_a_previous_ulcer_puts_a_diabetic_foot_at_high_risk(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(workup, "history"), history(foot_history=["previous_ulcer"]))
    assert saved(workup).foot_history == ["previous_ulcer"]
    step = steps(workup)["refer_foot_protection_service"]
    assert (step["urgency"], step["timeframe"]) == ("urgent", "within_2_to_4_weeks")
    assert "Within 2 to 4 weeks" in text(client.get(detail(workup)))


@pytest.mark.parametrize(("months", "certainty"), [("0", "likely"), ("6", "likely"), ("60", "possible")])
def test_when_chemotherapy_ended_decides_whether_it_fits(
    login: Any, intake: Any, workup: Workup, months: str, certainty: str
) -> None:
    data = history(chemotherapy=["platinum"], chemotherapy_ended_months_ago=months)
    login(intake).post(section_url(workup, "history"), data)
    assert saved(workup).chemotherapy_ended_months_ago == float(months)
    assert causes(workup)["chemotherapy"] == certainty


def test_months_since_chemotherapy_without_an_agent_is_a_field_error(login: Any, intake: Any, workup: Workup) -> None:
    page = text(login(intake).post(section_url(workup, "history"), history(chemotherapy_ended_months_ago="3")))
    assert "Tick the chemotherapy agent first" in page
    assert 'id="id_history-chemotherapy_ended_months_ago_error"' in page
    assert saved(workup).history_version == 0


def test_pregnancy_changes_the_pain_advice(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(workup, "history"), history(pregnant="True"))
    assert saved(workup).pregnant is True
    assert "pregabalin unless clearly necessary" in steps(workup)["neuropathic_pain_treatment"]["text"]
    assert re.search(r'value="True"[^>]*checked', text(client.get(detail(workup))))


def test_pregnancy_is_not_asked_of_a_male_patient(login: Any, intake: Any, clinic: Any, clinician: Any) -> None:
    man = Patient.objects.create(
        clinic=clinic,
        given_name="Derek",
        family_name="Holloway",
        date_of_birth="1952-07-02",
        sex="male",
        identifier="7",
    )
    page = text(login(intake).get(detail(make_workup(man, clinician, typical_case()))))
    assert "history-pregnant" not in page and "Family history of neuropathy" in page


# Foot inspection


def test_foot_inspection_not_done_is_missing_from_a_diabetic_exam(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(workup, "exam"), exam())
    assert saved(workup).foot_inspection is None
    assert steps(workup)["complete_exam"]["items"] == ["foot_inspection"]
    client.post(section_url(workup, "exam"), exam(version=1, foot_inspection_none="on"))
    assert saved(workup).foot_inspection == [] and "complete_exam" not in steps(workup)
    page = text(client.get(detail(workup)))
    assert re.search(r'name="exam-foot_inspection_none"[^>]*checked', page)


def test_an_ulcer_goes_to_the_diabetic_foot_service_within_one_working_day(
    login: Any, intake: Any, workup: Workup
) -> None:
    client = login(intake)
    client.post(section_url(workup, "exam"), exam(foot_inspection=["ulcer"]))
    step = steps(workup)["refer_diabetic_foot_service"]
    assert (step["urgency"], step["timeframe"]) == ("urgent", "within_1_working_day")
    assert "Within 1 working day" in text(client.get(detail(workup)))


def test_gangrene_is_a_limb_threatening_emergency(login: Any, intake: Any, workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(workup, "exam"), exam(foot_inspection=["gangrene"]))
    assert saved(workup).stage == "emergency"
    page = text(client.get(detail(workup)))
    banner = page[page.index('id="emergency"') : page.index("</section>", page.index('id="emergency"'))]
    assert vocab.label(vocab.CAUSES, "limb_threatening_foot") in banner and "Stroke" not in banner


# Emergencies found from the findings


def test_worsening_weakness_in_both_feet_for_two_weeks_is_an_emergency_naming_guillain_barre(
    login: Any, intake: Any, started: Workup
) -> None:
    data = presentation(duration_weeks="2", course="worsening", symptoms=["numbness", "weakness"])
    page = text(login(intake).post(section_url(started, "presentation"), data, follow=True))
    assert saved(started).stage == "emergency"
    banner = page[page.index('id="emergency"') : page.index("</section>", page.index('id="emergency"'))]
    assert "Guillain-Barre syndrome" in banner and "Emergency department" in banner and ">Now<" in banner


def test_bilateral_sciatica_with_weakness_names_cauda_equina_never_stroke(
    login: Any, intake: Any, workup: Workup
) -> None:
    client = login(intake)
    client.post(
        section_url(workup, "presentation"),
        presentation(duration_weeks="1", symptoms=["back_pain", "radiating_leg_pain"], areas=["back_of_leg", "sole"]),
    )
    client.post(
        section_url(workup, "exam"),
        exam(power_ankle_dorsiflexion_left="3", power_ankle_dorsiflexion_right="4"),
    )
    assert saved(workup).stage == "emergency"
    assert set(causes(workup)) == {"cauda_equina"}
    banner_page = text(client.get(detail(workup)))
    banner = banner_page[banner_page.index('id="emergency"') : banner_page.index('id="section-presentation"')]
    assert "Cauda equina syndrome" in banner and "Stroke" not in banner


# New blood tests


def test_the_four_new_tests_are_offered_with_their_units(login: Any, intake: Any, workup: Workup) -> None:
    page = text(login(intake).get(detail(workup)))
    for test in ("vitamin_b6", "copper", "calcium_adjusted", "magnesium"):
        assert f'<option value="{test}">' in page
        assert rules.UNITS[test] == vocab.LAB_UNITS[test]
    assert "&quot;vitamin_b6&quot;: [[&quot;nmol/L&quot;" in page  # the unit lists the script swaps in


def test_a_low_copper_is_read_against_the_labs_range(login: Any, intake: Any, workup: Workup) -> None:
    row = {
        "test": "copper",
        "value": "8",
        "unit": "umol/L",
        "collected_on": YESTERDAY,
        "reference_low": "11",
        "reference_high": "22",
    }
    workup.labs.all().delete()
    login(intake).post(reverse("workup_section", args=[workup.pk, "labs"]), labs_post([row]))
    assert saved(workup).labs.get().test == "copper"
    assert "copper_deficiency" in causes(workup) and "refer_haematology" in steps(workup)


def test_an_impossible_magnesium_is_refused_beside_its_value(login: Any, intake: Any, workup: Workup) -> None:
    row = {"test": "magnesium", "value": "90", "unit": "mmol/L", "collected_on": YESTERDAY}
    response = login(intake).post(reverse("workup_section", args=[workup.pk, "labs"]), labs_post([row]))
    assert response.status_code == 200 and 'id="id_labs-0-value_error"' in text(response)


# Timeframes and older rulesets


def test_every_step_shows_its_timeframe_in_words(login: Any, intake: Any, workup: Workup) -> None:
    page = text(login(intake).get(detail(workup)))
    rec = evaluate_workup(saved(workup)).recommendation or {}
    for step in rec["next_steps"]:
        assert f'timeframe">{vocab.label(vocab.TIMEFRAMES, step["timeframe"])}<' in page


def test_a_workup_saved_under_2026_11_is_re_evaluated_when_viewed(login: Any, intake: Any, workup: Workup) -> None:
    Workup.objects.filter(pk=workup.pk).update(ruleset="2026.11", stage="bloods", urgency="routine", urgency_rank=2)
    login(intake).get(detail(workup))
    rec = evaluate_workup(saved(workup)).recommendation or {}
    fresh = saved(workup)
    assert fresh.ruleset == rules.RULESET == rec["ruleset"]
    assert (fresh.stage, fresh.urgency) == (rec["stage"], rec["urgency"])


def test_the_worklist_refreshes_workups_saved_under_2026_11(login: Any, intake: Any, workup: Workup) -> None:
    Workup.objects.filter(pk=workup.pk).update(ruleset="2026.11", stage="manage", urgency="", urgency_rank=3)
    login(intake).get(reverse("worklist"))
    rec = evaluate_workup(saved(workup)).recommendation or {}
    assert (saved(workup).ruleset, saved(workup).stage) == (rules.RULESET, rec["stage"])


def test_repeated_results_show_as_a_trend_latest_first_with_the_one_the_engine_read_marked(
    login: Any, clinician: Any, workup: Workup
) -> None:
    from datetime import date as day

    from workup.models import LabResult

    workup.labs.all().delete()
    LabResult.objects.create(
        workup=workup, test="hba1c", value="7.2", unit="%", collected_on=day(2026, 9, 1), position=0
    )
    LabResult.objects.create(
        workup=workup, test="hba1c", value="8.1", unit="%", collected_on=day(2026, 11, 2), position=1
    )
    LabResult.objects.create(
        workup=workup, test="b12", value="420", unit="pg/mL", collected_on=day(2026, 11, 2), position=2
    )
    page = login(clinician).get(f"/workups/{workup.pk}/").content.decode()
    trend = page[page.index('class="lab-trends') :]
    trend = trend[: trend.index("</div>")]
    assert "HbA1c" in trend and "Vitamin B12" not in trend  # one result is not a trend
    assert trend.index("8.1 %") < trend.index("7.2 %")  # latest first
    marked = trend[trend.index("8.1 %") : trend.index("7.2 %")]
    assert "read by the decision support" in marked
