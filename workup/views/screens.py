"""URLs of the intake and workup screens. Patient-scoped pages take opaque UUIDs; no patient data in any URL."""

from django.urls import URLPattern, path

from workup.views import lab_import, patients, worklist, workups

urlpatterns: list[URLPattern] = [
    path("", worklist.worklist, name="worklist"),
    path("patients/new/", patients.patient_new, name="patient_new"),
    path("patients/<uuid:patient_id>/", patients.patient_detail, name="patient_detail"),
    path("patients/<uuid:patient_id>/workups/new/", patients.workup_new, name="workup_new"),
    path("workups/<uuid:workup_id>/", workups.workup_detail, name="workup_detail"),
    path("workups/<uuid:workup_id>/print/", workups.workup_print, name="workup_print"),
    path("workups/<uuid:workup_id>/labs/import/", lab_import.lab_import, name="lab_import"),
    path("workups/<uuid:workup_id>/<slug:section>/", workups.workup_section, name="workup_section"),
]
