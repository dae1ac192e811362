"""History lists asked rather than assumed: stored [] becomes "not recorded" (None).

Before this change the history form saved [] for every list whose boxes were left unticked, so [] never meant
"asked, none": a letter printed "B12 risk factors: None" for a question nobody asked. Forwards, [] in chemotherapy,
b12_risks, medications, cns_history, spine_history and foot_history becomes None (not asked); lists with codes and
None stay as they are. From now on the form stores [] only when "None of these (asked)" is ticked. Each list's count
is printed when there is anything to convert.

Backwards: nothing changes. Which None values were [] before cannot be known, and None is the honest reading.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

ASKED_LISTS = ("chemotherapy", "b12_risks", "medications", "cns_history", "spine_history", "foot_history")


def forwards(apps: Any, schema_editor: Any) -> None:
    Workup = apps.get_model("workup", "Workup")
    counts = dict.fromkeys(ASKED_LISTS, 0)
    for workup in Workup.objects.only("pk", *ASKED_LISTS).iterator():
        changed = {name: None for name in ASKED_LISTS if getattr(workup, name) == []}
        if changed:
            Workup.objects.filter(pk=workup.pk).update(**changed)
            for name in changed:
                counts[name] += 1
    if any(counts.values()):
        listed = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        print(f"  History lists saved unticked, now not asked: {listed}")  # noqa: T201


class Migration(migrations.Migration):
    dependencies = [("workup", "0008_patient_record")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
