# Self-contained on purpose: only the handout record. The 2026.12 choices drift belongs to 0002 on branch app;
# when the branches meet, this migration's dependency moves to that one.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workup", "0004_letter_fhir_document"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HandoutGiven",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("given_at", models.DateTimeField(auto_now_add=True)),
                ("large_print", models.BooleanField(default=False)),
                (
                    "items",
                    models.JSONField(default=list, help_text="The titles of what the handout covered, in order"),
                ),
                ("ruleset", models.CharField(blank=True, max_length=20)),
                (
                    "given_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workup",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="handouts_given",
                        to="workup.workup",
                    ),
                ),
            ],
            options={"ordering": ["-given_at"]},
        ),
    ]
