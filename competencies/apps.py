from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "competencies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the home-page panels with lms.panels (lms cannot import this app).
        from . import panels  # noqa: F401
