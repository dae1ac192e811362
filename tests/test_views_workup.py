"""The workup page: sections saved in the order of the process, the engine's recommendation beside them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workup.models import AuditEvent, LabResult, Workup
from workup.services.workups import create_workup

pytestmark = pytest.mark.django_db


def detail(workup: Any) -> str:
    return reverse("workup_detail", args=[workup.pk])


def section_url(workup: Any, section: str) -> str:
    return reverse("workup_section", args=[workup.pk, section])


def presentation(version: int = 0, **fields: Any) -> dict[str, Any]:
    data = {
        "version": version,
        "onset": "gradual",
        "duration_weeks": "30",
        "course": "stable",
        "sides": "both",
        "areas": ["toes", "sole"],
        "symptoms": ["numbness", "burning"],
        "red_flags_none": "on",  # asked about every red flag: none present
    }
    data.update(fields)
    if data.get("red_flags"):
        data.pop("red_flags_none")
    return {f"presentation-{k}": v for k, v in data.items() if v is not None}


def history(version: int = 0, **fields: Any) -> dict[str, Any]:
    data = {"version": version, "diabetes": "known", "alcohol_units_per_week": "4", "b12_risks": ["metformin"]}
    data.update(fields)
    return {f"history-{k}": v for k, v in data.items()}


def exam(version: int = 0, **fields: Any) -> dict[str, Any]:
    """A complete core examination, both sides."""
    data: dict[str, Any] = {"version": version}
    for side in ("left", "right"):
        data |= {
            f"ankle_reflex_{side}": "1",
            f"knee_reflex_{side}": "2",
            f"plantar_response_{side}": "flexor",
            f"monofilament_felt_{side}": "3",
            f"monofilament_tested_{side}": "4",
            f"vibration_{side}": "reduced",
            f"power_ankle_dorsiflexion_{side}": "5",
            f"pedal_pulses_{side}": "present",
        }
    data.update(fields)
    return {f"exam-{k}": v for k, v in data.items()}


@pytest.fixture
def new_workup(patient: Any, intake: Any) -> Workup:
    return create_workup(user=intake, patient=patient)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Viewing


def test_workup_page_shows_sections_in_process_order_and_recommendation(login: Any, intake: Any, workup: Any) -> None:
    page = text(login(intake).get(detail(workup)))
    order = [
        page.index(s)
        for s in ("Presentation and red flags</h2>", "History</h2>", "Examination</h2>", "Blood results</h2>")
    ]
    assert order == sorted(order)
    assert 'id="recommendation"' in page and "Next steps" in page and "Suspected causes" in page
    assert "Diabetes" in page and "Confirmed" in page


def test_viewing_a_workup_is_audited(login: Any, clinician: Any, workup: Any) -> None:
    login(clinician).get(detail(workup))
    assert AuditEvent.objects.filter(action="view", object_type="workup", object_id=str(workup.pk)).count() == 1


def test_another_clinics_workup_is_not_found(login: Any, other_clinician: Any, workup: Any) -> None:
    client = login(other_clinician)
    assert client.get(detail(workup)).status_code == 404
    assert client.post(section_url(workup, "history"), history()).status_code == 404
    assert Workup.objects.get(pk=workup.pk).history_version == 0


def test_clinic_admin_without_clinical_role_is_refused(login: Any, clinic_admin: Any, workup: Any) -> None:
    assert login(clinic_admin).get(detail(workup)).status_code == 403


def test_anonymous_user_is_sent_to_log_in(client: Any, workup: Any) -> None:
    response = client.get(detail(workup))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_new_workup_asks_for_presentation_first(login: Any, intake: Any, new_workup: Workup) -> None:
    page = text(login(intake).get(detail(new_workup)))
    assert "Record the presentation and red flags first" in page
    assert "is-invalid" not in page  # nothing typed yet, so nothing is wrong yet


def test_missing_exam_items_are_listed_in_the_panel(login: Any, intake: Any, new_workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(new_workup, "presentation"), presentation())
    page = text(client.get(detail(new_workup)))
    assert "Missing from the examination" in page and "Ankle reflex (NINDS 0-4)" in page


def test_unknown_section_is_not_found(login: Any, intake: Any, workup: Any) -> None:
    assert login(intake).post(section_url(workup, "letters"), {}).status_code == 404


def test_section_url_only_accepts_post(login: Any, intake: Any, workup: Any) -> None:
    assert login(intake).get(section_url(workup, "history")).status_code == 405


# Presentation and red flags


def test_saving_presentation_updates_stage_and_returns_to_the_section(
    login: Any, intake: Any, new_workup: Workup
) -> None:
    response = login(intake).post(section_url(new_workup, "presentation"), presentation())
    assert response.status_code == 302 and response["Location"].endswith("#section-presentation")
    saved = Workup.objects.get(pk=new_workup.pk)
    assert saved.onset == "gradual" and saved.areas == ["toes", "sole"] and saved.red_flags == []
    assert saved.stage == "exam" and saved.presentation_version == 1


def test_saved_message_is_shown_in_the_section_saved(login: Any, intake: Any, new_workup: Workup) -> None:
    response = login(intake).post(section_url(new_workup, "presentation"), presentation(), follow=True)
    page = text(response)
    assert page.index("Presentation and red flags saved") > page.index('id="section-presentation"')
    assert page.index("Presentation and red flags saved") < page.index('id="section-history"')


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("onset", "", "Say whether it began suddenly or gradually."),
        ("duration_weeks", "", "Enter how many weeks it has lasted."),
        ("duration_weeks", "-2", "The duration cannot be negative"),
        ("duration_weeks", "9000", "9000 weeks is more than a lifetime"),
        ("duration_weeks", "six", "Enter the duration as a number of weeks"),
        ("course", "", "Say whether it is worsening, stable, improving or relapsing."),
        ("sides", "", "Say which foot is affected."),
        ("areas", [], "Tick at least one area that is numb."),
        ("onset", "overnight", "Select a valid choice"),
    ],
)
def test_presentation_errors_are_shown_beside_their_field(
    login: Any, intake: Any, new_workup: Workup, field: str, value: Any, message: str
) -> None:
    response = login(intake).post(section_url(new_workup, "presentation"), presentation(**{field: value}))
    page = text(response)
    assert response.status_code == 200 and message in page
    assert f'id="id_presentation-{field}_error"' in page
    assert Workup.objects.get(pk=new_workup.pk).presentation_version == 0


def test_presentation_error_keeps_what_was_typed(login: Any, intake: Any, new_workup: Workup) -> None:
    response = login(intake).post(
        section_url(new_workup, "presentation"), presentation(onset="", duration_weeks="12", course="worsening")
    )
    page = text(response)
    assert 'value="12"' in page
    assert re.search(r'value="worsening"[^>]*checked', page)
    assert "1 problem to correct" in page


def test_number_error_is_tied_to_its_input_for_screen_readers(login: Any, intake: Any, new_workup: Workup) -> None:
    page = text(login(intake).post(section_url(new_workup, "presentation"), presentation(duration_weeks="-1")))
    box = re.search(r'<input[^>]*name="presentation-duration_weeks"[^>]*>', page)
    assert box and 'aria-invalid="true"' in box.group() and 'aria-describedby="' in box.group()
    assert "id_presentation-duration_weeks_error" in box.group()


def test_red_flag_is_saved_at_once_without_the_rest_of_the_presentation(
    login: Any, intake: Any, new_workup: Workup
) -> None:
    data = {"presentation-version": 0, "presentation-red_flags": ["saddle_numbness"]}
    response = login(intake).post(section_url(new_workup, "presentation"), data, follow=True)
    saved = Workup.objects.get(pk=new_workup.pk)
    assert saved.red_flags == ["saddle_numbness"] and saved.stage == "emergency" and saved.urgency == "emergency"
    page = text(response)
    banner = page.index('id="emergency"')
    assert banner < page.index('id="section-presentation"') and banner < page.index('id="recommendation"')
    assert "emergency department" in page and "Cauda equina syndrome" in page
    assert "Routine workup stopped" in page


def test_emergency_page_disables_routine_sections(login: Any, intake: Any, new_workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(new_workup, "presentation"), presentation(red_flags=["cold_pale_pulseless_foot"]))
    page = text(client.get(detail(new_workup)))
    assert re.search(r'<fieldset disabled[^>]*>.*id="section-history"', page)
    assert "Acute limb ischaemia" in page


def test_routine_section_is_not_saved_while_a_red_flag_stands(login: Any, intake: Any, new_workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(new_workup, "presentation"), presentation(red_flags=["saddle_numbness"]))
    response = client.post(section_url(new_workup, "history"), history(), follow=True)
    assert "Not saved: a red flag is recorded" in text(response)
    assert Workup.objects.get(pk=new_workup.pk).history_version == 0


def test_unticking_the_red_flag_resumes_the_routine_workup(login: Any, intake: Any, new_workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(new_workup, "presentation"), presentation(red_flags=["saddle_numbness"]))
    client.post(section_url(new_workup, "presentation"), presentation(version=1))
    saved = Workup.objects.get(pk=new_workup.pk)
    assert saved.red_flags == [] and saved.stage == "exam"


def test_red_flag_preview_is_prerendered_for_the_script(login: Any, intake: Any, new_workup: Workup) -> None:
    page = text(login(intake).get(detail(new_workup)))
    assert 'id="redflag-preview" hidden' in page and "Call 999" in page
    assert re.search(r'<script src="[^"]*workup/workup\.js"', page)
    assert "onclick=" not in page and " style=" not in page and "<script>" not in page


# Optimistic locking


def test_second_save_of_same_section_is_refused_and_told(login: Any, intake: Any, clinician: Any, workup: Any) -> None:
    login(clinician).post(section_url(workup, "history"), history(alcohol_units_per_week="20"))
    response = login(intake).post(section_url(workup, "history"), history(alcohol_units_per_week="40"))
    page = text(response)
    assert response.status_code == 409
    assert "Not saved: someone else saved this section" in page and "Claire Tester saved history" in page
    assert 'value="40"' in page  # the user's entry is kept
    assert re.search(r"Alcohol \(UK units per week\)</dt>\s*<dd[^>]*>20</dd>", page)  # what is saved now
    saved = Workup.objects.get(pk=workup.pk)
    assert saved.alcohol_units_per_week == 20 and saved.history_version == 1


def test_after_a_refused_save_saving_again_replaces_it(login: Any, intake: Any, clinician: Any, workup: Any) -> None:
    login(clinician).post(section_url(workup, "history"), history(alcohol_units_per_week="20"))
    client = login(intake)
    refused = text(client.post(section_url(workup, "history"), history(alcohol_units_per_week="40")))
    version = re.search(r'name="history-version" value="(\d+)"', refused)
    assert version and version.group(1) == "1"
    client.post(section_url(workup, "history"), history(version=1, alcohol_units_per_week="40"))
    assert Workup.objects.get(pk=workup.pk).alcohol_units_per_week == 40


def test_saving_another_section_meanwhile_is_not_a_conflict(
    login: Any, intake: Any, clinician: Any, workup: Any
) -> None:
    login(clinician).post(section_url(workup, "history"), history())
    response = login(intake).post(section_url(workup, "exam"), exam())
    assert response.status_code == 302


# History


def test_history_lists_left_unticked_are_not_asked_and_none_of_these_is_an_answer(
    login: Any, intake: Any, workup: Any
) -> None:
    login(intake).post(
        section_url(workup, "history"), history(b12_risks=[], b12_risks_none="on", cns_history=["stroke"])
    )
    saved = Workup.objects.get(pk=workup.pk)
    assert saved.b12_risks == []  # "None of these (asked)"
    assert saved.chemotherapy is None and saved.spine_history is None  # nothing ticked: not asked
    assert saved.cns_history == ["stroke"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("600", "600 units a week is not possible"),
        ("-3", "Alcohol units cannot be negative"),
        ("lots", "Enter the units per week as a number"),
    ],
)
def test_history_alcohol_errors(login: Any, intake: Any, workup: Any, value: str, message: str) -> None:
    page = text(login(intake).post(section_url(workup, "history"), history(alcohol_units_per_week=value)))
    assert message in page and 'id="id_history-alcohol_units_per_week_error"' in page


def test_history_unknown_risk_is_refused(login: Any, intake: Any, workup: Any) -> None:
    page = text(login(intake).post(section_url(workup, "history"), history(b12_risks=["coffee"])))
    assert "Select a valid choice" in page and 'id="id_history-b12_risks_error"' in page


# Examination


def test_exam_saves_grid_values_as_numbers(login: Any, intake: Any, new_workup: Workup) -> None:
    client = login(intake)
    client.post(section_url(new_workup, "presentation"), presentation())
    response = client.post(section_url(new_workup, "exam"), exam(abi_left="0.95"))
    assert response.status_code == 302
    saved = Workup.objects.get(pk=new_workup.pk)
    assert saved.ankle_reflex_left == 1 and saved.monofilament_felt_right == 3 and str(saved.abi_left) == "0.95"
    assert saved.stage == "bloods"


def test_exam_grid_is_labelled_per_side_and_scale(login: Any, intake: Any, workup: Any) -> None:
    page = text(login(intake).get(detail(workup)))
    assert (
        '<label class="visually-hidden" for="id_exam-ankle_reflex_left">Ankle reflex (NINDS 0-4), left</label>' in page
    )
    assert '<option value="4">4 clonus</option>' in page and '<option value="3">3 against gravity</option>' in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"monofilament_felt_left": "5", "monofilament_tested_left": "4"},
            "monofilament_felt_left",
            "5 sites felt is more than the 4 sites tested on the left foot",
        ),
        (
            {"monofilament_felt_right": "3", "monofilament_tested_right": ""},
            "monofilament_tested_right",
            "Enter how many sites were tested on the right foot",
        ),
        ({"monofilament_tested_left": "0"}, "monofilament_tested_left", "test from 1 to 10 sites"),
        ({"abi_left": "3.5"}, "abi_left", "An ABI of 3.5 is not possible"),
        ({"abi_right": "0.955"}, "abi_right", "Enter the ABI to two decimal places"),
        ({"ankle_reflex_left": "7"}, "ankle_reflex_left", "Choose a grade on the NINDS 0-4 scale"),
        (
            {"power_ankle_dorsiflexion_right": "6"},
            "power_ankle_dorsiflexion_right",
            "Choose a grade on the MRC 0-5 scale",
        ),
        ({"vibration_left": "tingly"}, "vibration_left", "Select a valid choice"),
    ],
)
def test_exam_errors_are_shown_in_the_grid_cell(
    login: Any, intake: Any, workup: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    response = login(intake).post(section_url(workup, "exam"), exam(**fields))
    page = text(response)
    assert message in page and f'id="id_exam-{field}_error"' in page
    assert Workup.objects.get(pk=workup.pk).exam_version == 0


def test_exam_error_keeps_every_typed_cell(login: Any, intake: Any, workup: Any) -> None:
    page = text(login(intake).post(section_url(workup, "exam"), exam(abi_left="9", knee_reflex_right="3")))
    assert re.search(r'name="exam-knee_reflex_right"[^>]*>.*?<option value="3" selected>', page)
    assert 'value="9"' in page


# Problems only the engine sees


def test_engine_problem_in_saved_record_is_shown_beside_its_lab_field(login: Any, intake: Any, workup: Any) -> None:
    LabResult.objects.filter(workup=workup, test="hba1c").update(test="fasting_glucose", unit="mg/dL", value=5000)
    page = text(login(intake).get(detail(workup)))
    assert "5000 mg/dL is not a possible fasting glucose" in page
    assert 'id="id_labs-0-value_error"' in page
    assert "The recommendation cannot be worked out" in page


# Query budget


def add_labs(workup: Any, count: int) -> None:
    day = timezone.localdate() - timedelta(days=3)
    LabResult.objects.bulk_create(
        [
            LabResult(
                workup=workup, position=10 + i, test="fasting_glucose", value=5 + i % 3, unit="mmol/L", collected_on=day
            )
            for i in range(count)
        ]
    )


def queries_for_page(client: Any, workup: Any) -> int:
    client.get(detail(workup))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(detail(workup)).status_code == 200
    return len(captured.captured_queries)


def test_workup_page_queries_do_not_grow_with_lab_results(login: Any, clinician: Any, workup: Any) -> None:
    client = login(clinician)
    add_labs(workup, 2)
    with_few = queries_for_page(client, workup)
    add_labs(workup, 28)
    with_many = queries_for_page(client, workup)
    assert with_few == with_many <= 13


def test_workup_page_query_budget(login: Any, clinician: Any, workup: Any, django_assert_max_num_queries: Any) -> None:
    add_labs(workup, 30)
    client = login(clinician)
    client.get(detail(workup))
    with django_assert_max_num_queries(13):
        client.get(detail(workup))
