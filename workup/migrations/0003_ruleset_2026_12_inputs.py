"""Ruleset 2026.12: the new workup inputs, foot inspection as a list of findings, red flags asked rather than assumed.

Schema: adds notes, notes_checked, pregnant, medications, family_history_neuropathy, foot_history and
chemotherapy_ended_months_ago, and turns foot_inspection from a single string into a JSON list of findings.

Data, forwards (each change is counted and printed when there is anything to convert):
- foot_inspection "normal" becomes [] (inspected, nothing found); "ulcer_or_infection" becomes ["ulcer"];
  "" (not recorded) becomes None (not inspected). These are the readings the 2026.12 contract gives the old strings.
- red_flags [] becomes None (never asked). Before 2026.12 the presentation form stored [] whenever no red-flag box
  was ticked, so [] never meant "asked, none": the engine must now ask (rule Q1) rather than assume they are absent.

Backwards: foot_inspection [] becomes "normal"; a list with an ulcer, infection, gangrene, a hot swollen foot or fever
becomes "ulcer_or_infection"; any other list (callus or deformity only) becomes "normal", the nearest 2026.11 value;
None becomes "". Red flags stay as they are: which None values were [] before cannot be known.
"""

from __future__ import annotations

from typing import Any

import django.core.validators
from django.db import migrations, models

LEGACY_FOOT_INSPECTION: dict[str, list[str] | None] = {"normal": [], "ulcer_or_infection": ["ulcer"], "": None}
ACTIVE_FOOT_PROBLEMS = frozenset(
    {"ulcer", "spreading_infection", "deep_infection", "gangrene", "hot_swollen_foot", "fever_or_sepsis"}
)


def foot_findings(old: str | None) -> list[str] | None:
    """The 2026.12 list of findings a stored 2026.11 foot inspection meant."""
    return LEGACY_FOOT_INSPECTION.get(old or "", None)


def legacy_foot_inspection(findings: list[str] | None) -> str:
    """The nearest 2026.11 single value for a list of findings."""
    if findings is None:
        return ""
    return "ulcer_or_infection" if ACTIVE_FOOT_PROBLEMS & set(findings) else "normal"


def forwards(apps: Any, schema_editor: Any) -> None:
    Workup = apps.get_model("workup", "Workup")
    converted = {"foot inspections": 0, "red flags never asked": 0}
    for workup in Workup.objects.only("pk", "foot_inspection", "red_flags").iterator():
        changed: dict[str, Any] = {}
        if workup.foot_inspection:
            changed["foot_findings"] = foot_findings(workup.foot_inspection)
            converted["foot inspections"] += 1
        if workup.red_flags == []:
            changed["red_flags"] = None
            converted["red flags never asked"] += 1
        if changed:
            Workup.objects.filter(pk=workup.pk).update(**changed)
    _report("Converted for ruleset 2026.12", converted)


def backwards(apps: Any, schema_editor: Any) -> None:
    Workup = apps.get_model("workup", "Workup")
    converted = 0
    for workup in Workup.objects.exclude(foot_findings=None).only("pk", "foot_findings").iterator():
        Workup.objects.filter(pk=workup.pk).update(foot_inspection=legacy_foot_inspection(workup.foot_findings))
        converted += 1
    _report("Converted back to ruleset 2026.11", {"foot inspections": converted})


def _report(what: str, counts: dict[str, int]) -> None:
    if any(counts.values()):
        print(f"  {what}: " + ", ".join(f"{n} {name}" for name, n in counts.items()))  # noqa: T201


class Migration(migrations.Migration):
    dependencies = [("workup", "0002_letter_issued_has_pdf")]

    operations = [
        migrations.AddField(
            model_name="workup",
            name="notes",
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(2000)]),
        ),
        migrations.AddField(model_name="workup", name="notes_checked", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="workup", name="pregnant", field=models.BooleanField(blank=True, null=True)),
        migrations.AddField(model_name="workup", name="medications", field=models.JSONField(blank=True, null=True)),
        migrations.AddField(
            model_name="workup", name="family_history_neuropathy", field=models.BooleanField(blank=True, null=True)
        ),
        migrations.AddField(model_name="workup", name="foot_history", field=models.JSONField(blank=True, null=True)),
        migrations.AddField(
            model_name="workup",
            name="chemotherapy_ended_months_ago",
            field=models.FloatField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(600),
                ],
            ),
        ),
        migrations.AddField(model_name="workup", name="foot_findings", field=models.JSONField(blank=True, null=True)),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="workup", name="foot_inspection"),
        migrations.RenameField(model_name="workup", old_name="foot_findings", new_name="foot_inspection"),
        # The 2026.12 vocabulary: new tests, services and the stage red_flags.
        migrations.AlterField(
            model_name="labresult",
            name="test",
            field=models.CharField(
                choices=[
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
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="letter",
            name="service",
            field=models.CharField(
                choices=[
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
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="workup",
            name="stage",
            field=models.CharField(
                blank=True,
                choices=[
                    ("emergency", "Emergency"),
                    ("red_flags", "Red flags to ask"),
                    ("exam", "Examination"),
                    ("bloods", "Blood tests"),
                    ("refer", "Referral"),
                    ("manage", "Manage in primary care"),
                ],
                max_length=10,
            ),
        ),
    ]
