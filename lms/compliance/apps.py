from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Layer 5: DES rules per contract year, dashboards, evidence packs, verification."""

    name = "lms.compliance"
    label = "compliance"
    verbose_name = "DES compliance"
    default_auto_field = "django.db.models.BigAutoField"
