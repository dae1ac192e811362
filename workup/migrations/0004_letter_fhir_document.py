# The FHIR R4 document Bundle of a signed letter, stored beside its PDF (issue 14).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workup", "0003_ruleset_2026_12_inputs"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="fhir_document",
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="letter",
            name="fhir_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="FHIR document SHA-256"),
        ),
    ]
