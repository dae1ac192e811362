"""The patient's record (issue 11): medications, allergies, problems, family and social history; closing a workup.

Schema only. Every existing patient starts with medications, allergies and problems "not recorded" and no smoking
status or occupation; every existing workup is open. MedicineTerm holds the shipped vocabulary
(fixtures/medicines.json), loaded with loaddata.
"""

import uuid

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workup", "0007_cds_hooks"),
    ]

    operations = [
        migrations.CreateModel(
            name="MedicineTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[("medication", "Medicine the engine reads"), ("chemotherapy", "Chemotherapy agent")],
                        max_length=20,
                    ),
                ),
                ("engine_code", models.CharField(max_length=40)),
                ("snomed_ct", models.CharField(blank=True, max_length=20, verbose_name="SNOMED CT concept id")),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.AddField(
            model_name="patient",
            name="allergies_status",
            field=models.CharField(
                choices=[
                    ("not_recorded", "Not recorded"),
                    ("none_known", "No known allergies"),
                    ("recorded", "Recorded"),
                ],
                default="not_recorded",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="family_history_neuropathy",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="patient",
            name="medications_status",
            field=models.CharField(
                choices=[("not_recorded", "Not recorded"), ("none", "None"), ("recorded", "Recorded")],
                default="not_recorded",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="occupation",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="patient",
            name="problems_status",
            field=models.CharField(
                choices=[("not_recorded", "Not recorded"), ("none", "None"), ("recorded", "Recorded")],
                default="not_recorded",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="smoking_status",
            field=models.CharField(
                blank=True,
                choices=[("never", "Never smoked"), ("former", "Ex-smoker"), ("current", "Current smoker")],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="workup",
            name="closed_as",
            field=models.CharField(
                blank=True,
                choices=[("completed", "Completed"), ("entered_in_error", "Entered in error")],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="workup",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="workup",
            name="closed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="workup",
            name="closed_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Created"),
                    ("change", "Changed"),
                    ("view", "Viewed"),
                    ("download", "Downloaded"),
                    ("sign", "Signed and issued"),
                    ("amend", "Amended"),
                    ("evaluate", "Evaluated"),
                    ("login", "Logged in"),
                    ("logout", "Logged out"),
                    ("login_failed", "Login failed"),
                    ("delete", "Deleted"),
                    ("close", "Closed"),
                    ("integrity_failed", "Integrity check failed"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="Allergy",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[("allergy", "Allergy"), ("adverse_reaction", "Adverse reaction")],
                        default="allergy",
                        max_length=20,
                    ),
                ),
                ("substance", models.CharField(max_length=200)),
                ("reaction", models.CharField(blank=True, max_length=200)),
                (
                    "severity",
                    models.CharField(
                        blank=True,
                        choices=[("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe")],
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="allergies", to="workup.patient"
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "allergies",
                "ordering": ["substance", "created_at"],
            },
        ),
        migrations.CreateModel(
            name="Medication",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=200)),
                ("dose", models.CharField(blank=True, max_length=100)),
                ("frequency", models.CharField(blank=True, max_length=100)),
                ("started_on", models.DateField(blank=True, null=True)),
                ("stopped_on", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="medications", to="workup.patient"
                    ),
                ),
                (
                    "term",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="workup.medicineterm",
                    ),
                ),
            ],
            options={
                "ordering": ["name", "created_at"],
            },
        ),
        migrations.CreateModel(
            name="Problem",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("description", models.CharField(max_length=200)),
                (
                    "since_year",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1900),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                    ),
                ),
                ("resolved", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="problems", to="workup.patient"
                    ),
                ),
            ],
            options={
                "ordering": ["resolved", "description", "created_at"],
            },
        ),
    ]
