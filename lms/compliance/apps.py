from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Layer 5: DES rules per contract year, dashboards, evidence packs, verification."""

    name = "lms.compliance"
    label = "compliance"
    verbose_name = "DES compliance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the home-page panels with lms.panels (lms cannot import this app).
        from . import dashboard_panels, pack_panels, register_panels  # noqa: F401
