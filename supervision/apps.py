from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the home-page panels with lms.panels (lms cannot import this app).
        from . import (  # noqa: F401
            network_panels,
            reflection_panels,
            safeguarding_panels,
            session_panels,
        )
