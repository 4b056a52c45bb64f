from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "People and organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Settled evidence rows of every app refuse saves that change them (by model label:
        # lms does not import the apps above it).
        from .audit_evidence import connect_guards

        connect_guards()
