from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "People and organisations"
    default_auto_field = "django.db.models.BigAutoField"
