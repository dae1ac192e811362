"""URLs of the intake and workup screens. Patient-scoped pages take opaque UUIDs; no patient data in any URL."""

from django.urls import URLPattern, path

from workup.views import lab_import, patients, record, worklist, workups

urlpatterns: list[URLPattern] = [
    path("", worklist.worklist, name="worklist"),
    path("patients/new/", patients.patient_new, name="patient_new"),
    path("patients/<uuid:patient_id>/", patients.patient_detail, name="patient_detail"),
    path("patients/<uuid:patient_id>/edit/", record.patient_edit, name="patient_edit"),
    path("patients/<uuid:patient_id>/record/", record.patient_record, name="patient_record"),
    path("patients/<uuid:patient_id>/record/social/", record.record_social, name="record_social"),
    path("patients/<uuid:patient_id>/record/<slug:kind>/add/", record.record_entry_add, name="record_entry_add"),
    path("patients/<uuid:patient_id>/record/<slug:kind>/none/", record.record_none, name="record_none"),
    path("record/<slug:kind>/<uuid:entry_id>/", record.record_entry_edit, name="record_entry_edit"),
    path("record/<slug:kind>/<uuid:entry_id>/remove/", record.record_entry_remove, name="record_entry_remove"),
    path("patients/<uuid:patient_id>/workups/new/", patients.workup_new, name="workup_new"),
    path("workups/<uuid:workup_id>/close/", record.workup_close, name="workup_close"),
    path("workups/<uuid:workup_id>/", workups.workup_detail, name="workup_detail"),
    path("workups/<uuid:workup_id>/print/", workups.workup_print, name="workup_print"),
    path("workups/<uuid:workup_id>/labs/import/", lab_import.lab_import, name="lab_import"),
    path("workups/<uuid:workup_id>/<slug:section>/", workups.workup_section, name="workup_section"),
]
