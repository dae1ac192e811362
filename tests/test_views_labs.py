"""Blood results on the workup page: one row per result, units from the test's own list, converted values shown."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from workup.models import LabResult, Workup
from workup.services.workups import create_workup

pytestmark = pytest.mark.django_db
YESTERDAY = (timezone.localdate() - timedelta(days=1)).isoformat()


def labs_url(workup: Any) -> str:
    return reverse("workup_section", args=[workup.pk, "labs"])


def labs_post(rows: list[dict[str, Any]], *, version: int = 0, initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "labs-TOTAL_FORMS": len(rows),
        "labs-INITIAL_FORMS": initial,
        "labs-MIN_NUM_FORMS": 0,
        "labs-MAX_NUM_FORMS": 1000,
        "labs-version": version,
    }
    for i, row in enumerate(rows):
        data |= {f"labs-{i}-{k}": v for k, v in row.items()}
    return data


def glucose(**fields: Any) -> dict[str, Any]:
    return {"test": "fasting_glucose", "value": "7.0", "unit": "mmol/L", "collected_on": YESTERDAY} | fields


def b12(**fields: Any) -> dict[str, Any]:
    return {"test": "b12", "comparator": "<", "value": "150", "unit": "ng/L", "collected_on": YESTERDAY} | fields


@pytest.fixture
def started(patient: Any, intake: Any) -> Workup:
    """A workup with a presentation saved and no results."""
    workup = create_workup(user=intake, patient=patient)
    Workup.objects.filter(pk=workup.pk).update(
        onset="gradual", duration_weeks=30, course="stable", sides="both", areas=["toes"], red_flags=[]
    )
    return Workup.objects.get(pk=workup.pk)


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_two_results_are_saved_and_shown_with_conversions(login: Any, intake: Any, started: Workup) -> None:
    client = login(intake)
    response = client.post(labs_url(started), labs_post([glucose(), b12(), {}]))
    assert response.status_code == 302 and response["Location"].endswith("#section-labs")
    saved = list(started.labs.all())
    assert [(lab.test, lab.comparator, lab.value, lab.unit) for lab in saved] == [
        ("fasting_glucose", "", Decimal("7"), "mmol/L"),
        ("b12", "<", Decimal("150"), "ng/L"),
    ]
    assert saved[0].loinc == "14771-0"
    page = page_text(client.get(reverse("workup_detail", args=[started.pk])))
    assert "= 126 mg/dL" in page and "= &lt;150 pg/mL" in page
    assert "Diabetes range" in page and "Deficient" in page


def test_saving_results_updates_the_recommendation(login: Any, intake: Any, started: Workup) -> None:
    login(intake).post(labs_url(started), labs_post([glucose(), b12()]))
    causes = {c for c in ("diabetes", "b12_deficiency")}
    page = page_text(login(intake).get(reverse("workup_detail", args=[started.pk])))
    assert all(word in page for word in ("Diabetes", "Vitamin B12 deficiency")) and causes
    assert Workup.objects.get(pk=started.pk).labs_version == 1


def test_serum_protein_electrophoresis_takes_a_result_not_a_number(login: Any, intake: Any, started: Workup) -> None:
    row = {"test": "spep", "spep_result": "paraprotein", "collected_on": YESTERDAY}
    assert login(intake).post(labs_url(started), labs_post([row])).status_code == 302
    lab = started.labs.get()
    assert (lab.text_value, lab.value, lab.unit) == ("paraprotein", None, "")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (glucose(unit=""), "unit", "Choose the unit the lab reported: fasting glucose is reported in mmol/L or mg/dL."),
        (glucose(unit="%"), "unit", "% is not a unit for fasting glucose: choose mmol/L or mg/dL."),
        (glucose(value="5000", unit="mg/dL"), "value", "5000 mg/dL is not a possible fasting glucose"),
        (glucose(value=""), "value", "Enter the fasting glucose result."),
        (glucose(value="seven"), "value", "Enter the result as a number"),
        (glucose(collected_on="2999-01-01"), "collected_on", "01 Jan 2999 is in the future"),
        (glucose(reference_low="6", reference_high="4"), "reference_high", "The upper limit is below the lower limit"),
        ({"value": "7.0", "unit": "mmol/L"}, "test", "Choose which test this result is for."),
        (
            {"test": "spep", "spep_result": "", "collected_on": YESTERDAY},
            "spep_result",
            "Choose the electrophoresis result",
        ),
        (
            {"test": "spep", "spep_result": "normal", "unit": "mg/dL"},
            "unit",
            "Serum protein electrophoresis has no unit",
        ),
        (
            {"test": "spep", "spep_result": "normal", "value": "3"},
            "value",
            "Serum protein electrophoresis has no number",
        ),
        (glucose(spep_result="normal"), "spep_result", "is a number, not an electrophoresis result"),
        (b12(comparator="~"), "comparator", "Select a valid choice"),
    ],
)
def test_result_errors_are_shown_beside_their_field(
    login: Any, intake: Any, started: Workup, row: dict[str, Any], field: str, message: str
) -> None:
    response = login(intake).post(labs_url(started), labs_post([b12(), row]))
    page = page_text(response)
    assert response.status_code == 200
    assert message in page and f'id="id_labs-1-{field}_error"' in page
    assert started.labs.count() == 0 and Workup.objects.get(pk=started.pk).labs_version == 0


def test_result_error_keeps_every_row_as_typed(login: Any, intake: Any, started: Workup) -> None:
    page = page_text(login(intake).post(labs_url(started), labs_post([b12(value="155"), glucose(unit="")])))
    assert 'name="labs-0-value" value="155"' in page
    assert re.search(r'name="labs-0-comparator"[^>]*>.*?<option value="&lt;" selected>', page)
    assert "Result 2, Unit" in page  # the summary links the problem to its row and field


def test_error_summary_links_to_the_field(login: Any, intake: Any, started: Workup) -> None:
    page = page_text(login(intake).post(labs_url(started), labs_post([glucose(unit="")])))
    assert '<a class="alert-link" href="#id_labs-0-unit">Result 1, Unit</a>' in page


def test_unusual_value_is_saved_with_a_warning_beside_it(login: Any, intake: Any, started: Workup) -> None:
    client = login(intake)
    client.post(labs_url(started), labs_post([glucose(value="40")]))
    page = page_text(client.get(reverse("workup_detail", args=[started.pk])))
    assert "Check: 40 mmol/L is outside the usual range for fasting glucose" in page


def shown_rows(client: Any, workup: Workup) -> list[dict[str, Any]]:
    """The stored rows as the page shows them (with their row id and digest), ready to post back."""
    formset = client.get(reverse("workup_detail", args=[workup.pk])).context["formset"]
    return [{k: v for k, v in f.initial.items() if v is not None} for f in formset.forms if f.initial]


def test_ticked_remove_deletes_a_result(login: Any, intake: Any, started: Workup) -> None:
    client = login(intake)
    client.post(labs_url(started), labs_post([glucose(), b12()]))
    first, second = shown_rows(client, started)
    client.post(labs_url(started), labs_post([first, second | {"DELETE": "on"}], version=1, initial=2))
    assert [lab.test for lab in started.labs.all()] == ["fasting_glucose"]


def test_rows_not_posted_back_are_kept(login: Any, intake: Any, started: Workup) -> None:
    client = login(intake)
    client.post(labs_url(started), labs_post([glucose()]))
    client.post(labs_url(started), labs_post([b12()], version=1))
    assert sorted(lab.test for lab in started.labs.all()) == ["b12", "fasting_glucose"]


def test_blank_rows_are_skipped(login: Any, intake: Any, started: Workup) -> None:
    response = login(intake).post(labs_url(started), labs_post([{}, glucose(), {"comparator": ""}]))
    assert response.status_code == 302 and started.labs.count() == 1


def test_two_users_saving_results_at_once_keep_both(login: Any, intake: Any, clinician: Any, started: Workup) -> None:
    login(clinician).post(labs_url(started), labs_post([glucose()]))
    response = login(intake).post(labs_url(started), labs_post([b12(value="90")]))  # opened before the first save
    assert response.status_code == 302
    assert sorted(lab.test for lab in started.labs.all()) == ["b12", "fasting_glucose"]


def test_an_edit_to_a_result_someone_else_changed_keeps_both_versions(
    login: Any, intake: Any, clinician: Any, started: Workup
) -> None:
    client = login(intake)
    client.post(labs_url(started), labs_post([glucose()]))
    (row,) = shown_rows(client, started)
    started.labs.update(value="8.0")  # the clinician corrects it meanwhile
    response = client.post(labs_url(started), labs_post([row | {"value": "7.5"}], version=1, initial=1), follow=True)
    assert sorted(float(lab.value or 0) for lab in started.labs.all()) == [7.5, 8.0]
    assert "Remove the one that is wrong" in page_text(response)


def test_a_removal_of_a_result_someone_else_changed_keeps_it(login: Any, intake: Any, started: Workup) -> None:
    client = login(intake)
    client.post(labs_url(started), labs_post([glucose()]))
    (row,) = shown_rows(client, started)
    started.labs.update(value="8.0")
    client.post(labs_url(started), labs_post([row | {"DELETE": "on"}], version=1, initial=1))
    assert [float(lab.value or 0) for lab in started.labs.all()] == [8.0]


def test_results_are_not_saved_during_an_emergency(login: Any, intake: Any, started: Workup) -> None:
    Workup.objects.filter(pk=started.pk).update(stage="emergency", red_flags=["saddle_numbness"])
    response = login(intake).post(labs_url(started), labs_post([glucose()]), follow=True)
    assert "Not saved: a red flag is recorded" in page_text(response) and started.labs.count() == 0


def test_unit_lists_for_the_script_come_from_the_engine(login: Any, intake: Any, started: Workup) -> None:
    page = login(intake).get(reverse("workup_detail", args=[started.pk])).content.decode()
    assert "data-lab-units=" in page and "&quot;hba1c&quot;: [[&quot;mmol/mol&quot;" in page


def test_other_clinic_cannot_save_results(login: Any, other_clinician: Any, started: Workup) -> None:
    assert login(other_clinician).post(labs_url(started), labs_post([glucose()])).status_code == 404
    assert not LabResult.objects.exists()
