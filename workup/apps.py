from django.apps import AppConfig


class WorkupConfig(AppConfig):
    name = "workup"
    verbose_name = "Workup"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Logins and logouts are recorded in the audit trail; Django's auth signals are the only hook for them.
        from workup.services import audit

        audit.connect_auth_signals()
